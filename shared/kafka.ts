import type { MSKEvent } from 'aws-lambda';
import * as z from 'zod/mini';
import { type RecordCodec, type SchemaMetadata, tombstone } from './codecs/codec';
import { envelopeCodec } from './codecs/envelope';
import { type DecodedEvent, describeIssues, type RecordCoordinates } from './envelope';
import { InvalidRecordError } from './errors';

/**
 * Bounds on the parts of a Kafka record that the record itself sizes, checked when it is decoded:
 * a record past one is poison (dead-lettered with the bound named), never a failure of its batch.
 * The envelope's own identifiers have fixed bounds ({@link ENVELOPE_LIMITS}).
 *
 * @example
 * ```ts
 * const limits: InputLimits = { ...DEFAULT_INPUT_LIMITS, maxValueBytes: 4 * 1_048_576 };
 * ```
 */
export interface InputLimits {
  /** Largest value, in bytes once base64-decoded. @default 1048576 (1 MiB, the broker's default) */
  readonly maxValueBytes: number;
  /** Largest key, in bytes once base64-decoded. @default 16384 */
  readonly maxKeyBytes: number;
  /** Most headers on one record. @default 64 */
  readonly maxHeaders: number;
  /** Largest total of header names and values, in bytes. @default 32768 */
  readonly maxHeaderBytes: number;
}

/**
 * The bounds a handler applies unless told otherwise.
 *
 * @example
 * ```ts
 * createKafkaHandler({ ...options, limits: { maxValueBytes: 2 * DEFAULT_INPUT_LIMITS.maxValueBytes } });
 * ```
 */
export const DEFAULT_INPUT_LIMITS: InputLimits = {
  maxValueBytes: 1_048_576,
  maxKeyBytes: 16_384,
  maxHeaders: 64,
  maxHeaderBytes: 32_768,
};

/**
 * Shape of one record in an MSK event, before anything else is read from it. `key` and `value` are
 * base64; headers are checked on their own ({@link decodeHeaders}). Topic names follow Kafka's own
 * rule (at most 249 characters of letters, digits, `.`, `_`, `-`).
 */
const MskRecordSchema = z.object({
  topic: z.string().check(z.regex(/^[A-Za-z0-9._-]{1,249}$/, { message: 'must be a Kafka topic name' })),
  partition: z.int().check(z.nonnegative(), z.maximum(2 ** 31 - 1)),
  offset: z.int().check(z.nonnegative(), z.maximum(Number.MAX_SAFE_INTEGER)),
  timestamp: z.number(),
  timestampType: z.string().check(z.maxLength(32)),
  key: z.nullish(z.string()),
  value: z.nullish(z.string()),
});

/** One Kafka record of a batch, decoded once, before any handler runs. */
export interface BatchRecord {
  /** Where it came from; the offset is -1 when the record did not carry a valid one. */
  readonly coordinates: RecordCoordinates;
  /** `"<topic>-<partition>"`, as in the event and in `batchItemFailures`. */
  readonly partitionKey: string;
  readonly timestamp: number;
  /** The record's key bytes, when it has one. */
  readonly key: Uint8Array | undefined;
  /** Headers decoded as UTF-8 text, by name (the last one wins when a name repeats, as in Kafka's `lastHeader`). */
  readonly headers: ReadonlyMap<string, string>;
  /** The decoded value: an envelope, or the reason it is poison. */
  readonly decoded: DecodedEvent;
  /** The record exactly as received (any JSON value, when it was not a record), for the dead-letter path. */
  readonly received: unknown;
}

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
const PARTITION_KEY = /^([A-Za-z0-9._-]{1,249})-(\d{1,10})$/;
/** The topic a record is reported under when its partition key is not `<topic>-<partition>`. */
const UNKNOWN_TOPIC = 'invalid-partition-key';

/**
 * Decodes every record of an MSK (or self-managed Kafka) event, ordered by partition (as listed in
 * the event) and by offset within each partition. A bad record never throws: its `decoded.ok` is
 * `false` with the reason (not a record, bad base64, past a bound of `limits`, not UTF-8, not JSON,
 * not an envelope). Only an event that is not a Kafka event at all throws a `TypeError`.
 *
 * Powertools' Kafka consumer is not used here on purpose: its JSON deserializer returns the raw
 * string when a value is not JSON and decodes bytes as UTF-8 leniently, so a poison record would be
 * indistinguishable from a valid one and could not be hashed from its exact bytes.
 *
 * @example
 * ```ts
 * for (const [partition, records] of decodeMskEvent(event, { maxValueBytes: 1_048_576 })) console.log(partition, records.length);
 * ```
 */
export function decodeMskEvent(
  event: MSKEvent,
  limits: Partial<InputLimits> = {},
  codec: RecordCodec = ENVELOPE,
): Map<string, BatchRecord[]> {
  const bounds = { ...DEFAULT_INPUT_LIMITS, ...limits };
  const records = (event as { records?: unknown } | null | undefined)?.records;
  const lists = isObject(records) ? Object.keys(records).map((k) => [k, records[k]] as const) : undefined;
  if (lists === undefined || !lists.every(([, list]) => Array.isArray(list))) {
    throw new TypeError(
      'The event is not an MSK event: expected { records: { "<topic>-<partition>": [ ... ] } }. Invoke the function with an MSK event (see events/).',
    );
  }
  // Own keys only (`Object.keys` of the event as JSON.parse built it): a "__proto__" partition is
  // a partition like any other, never the object's prototype.
  const partitions = new Map<string, BatchRecord[]>();
  for (const [partitionKey, list] of lists) {
    const decoded = (list as unknown[]).map((raw, index) =>
      decodeRecord(raw, partitionKey, index, bounds, codec),
    );
    decoded.sort((a, b) => a.coordinates.offset - b.coordinates.offset);
    partitions.set(partitionKey, decoded);
  }
  return partitions;
}

const ENVELOPE = envelopeCodec();

function decodeRecord(
  raw: unknown,
  partitionKey: string,
  index: number,
  limits: InputLimits,
  codec: RecordCodec,
): BatchRecord {
  const parsed = MskRecordSchema.safeParse(raw);
  if (!parsed.success) {
    return notARecord(
      raw,
      partitionKey,
      `Record #${index} of ${PARTITION_KEY.test(partitionKey) ? partitionKey : `partition key ${JSON.stringify(partitionKey.slice(0, 64))}…`} is not an MSK record (${describeIssues(parsed.error)})`,
    );
  }
  const record = parsed.data;
  const coordinates: RecordCoordinates = {
    topic: record.topic,
    partition: record.partition,
    offset: record.offset,
  };
  const where = `${record.topic}-${record.partition}@${record.offset}`;
  const base = { coordinates, partitionKey, timestamp: record.timestamp, received: raw };
  const value = record.value ?? '';
  const rawValue = (): Uint8Array =>
    BASE64.test(value) ? Buffer.from(value, 'base64') : Buffer.from(value, 'utf8');
  const reject = (message: string): BatchRecord => ({
    ...base,
    key: undefined,
    headers: new Map(),
    decoded: poison(rawValue(), coordinates, message),
  });

  const headers = decodeHeaders((raw as { headers?: unknown }).headers, limits);
  if (typeof headers === 'string') return reject(`Record headers at ${where} ${headers}`);

  let key: Uint8Array | undefined;
  if (record.key) {
    if (!BASE64.test(record.key)) return reject(`Record key at ${where} is not valid base64`);
    if (base64Bytes(record.key) > limits.maxKeyBytes) {
      return reject(
        `Record key at ${where} is ${base64Bytes(record.key)} bytes, over the limit of ${limits.maxKeyBytes}; raise limits.maxKeyBytes or have the producer send a shorter key`,
      );
    }
    key = Buffer.from(record.key, 'base64');
  }

  if (record.value === null || record.value === undefined) {
    // A tombstone (no value): a delete marker on a compacted topic, routed as its own event type.
    const decoded = tombstone({ coordinates, timestamp: record.timestamp, key, value: null, headers });
    return { ...base, key, headers, decoded };
  }
  if (!BASE64.test(value)) {
    return {
      ...base,
      key,
      headers,
      decoded: poison(
        Buffer.from(value, 'utf8'),
        coordinates,
        `Record value at ${where} is not valid base64; the event source always base64-encodes values, so the record was altered in transit or hand-made`,
      ),
    };
  }
  const bytes = Buffer.from(value, 'base64');
  if (bytes.length > limits.maxValueBytes) {
    return {
      ...base,
      key,
      headers,
      decoded: poison(
        bytes,
        coordinates,
        `Record value at ${where} is ${bytes.length} bytes, over the limit of ${limits.maxValueBytes}; raise limits.maxValueBytes or have the producer send a reference instead`,
      ),
    };
  }
  const decoded = codec.decode({
    coordinates,
    timestamp: record.timestamp,
    key,
    value: bytes,
    headers,
    keySchemaMetadata: schemaMetadata(raw, 'keySchemaMetadata'),
    valueSchemaMetadata: schemaMetadata(raw, 'valueSchemaMetadata'),
  });
  return { ...base, key, headers, decoded };
}

/**
 * The schema metadata the event source mapping's schema-registry integration adds to a record
 * (`{ dataFormat, schemaId }`); anything else in that place is ignored.
 */
function schemaMetadata(
  raw: unknown,
  field: 'keySchemaMetadata' | 'valueSchemaMetadata',
): SchemaMetadata | undefined {
  if (!isObject(raw) || !Object.hasOwn(raw, field)) return undefined;
  const meta = raw[field];
  if (!isObject(meta) || !Object.hasOwn(meta, 'dataFormat')) return undefined;
  const { dataFormat } = meta;
  const schemaId = Object.hasOwn(meta, 'schemaId') ? meta.schemaId : undefined;
  if (typeof dataFormat !== 'string' || dataFormat.length > 32) return undefined;
  if (schemaId !== undefined && (typeof schemaId !== 'string' || schemaId.length > 128)) return undefined;
  return { dataFormat, schemaId };
}

/**
 * Headers as Lambda delivers them (`[{ name: bytes[] }, ...]`) into a map of UTF-8 text, or the
 * reason they are not acceptable. Written by hand rather than with a schema: a header's name is
 * the record's content, and object schemas treat names such as `constructor` specially.
 */
function decodeHeaders(headers: unknown, limits: InputLimits): Map<string, string> | string {
  const decoded = new Map<string, string>();
  if (headers === undefined || headers === null) return decoded;
  if (!Array.isArray(headers)) return 'are not a list of { name: bytes } objects';
  let count = 0;
  let size = 0;
  for (const [position, header] of headers.entries()) {
    if (!isObject(header) || Array.isArray(header)) return `#${position} is not a { name: bytes } object`;
    for (const name of Object.keys(header)) {
      count += 1;
      if (count > limits.maxHeaders) {
        return `are more than ${limits.maxHeaders}; raise limits.maxHeaders or send fewer headers`;
      }
      const bytes = header[name];
      if (!Array.isArray(bytes) || !bytes.every((b) => Number.isInteger(b) && b >= 0 && b <= 255)) {
        return `#${position} is not a list of bytes (integers 0-255)`;
      }
      size += Buffer.byteLength(name) + bytes.length;
      if (size > limits.maxHeaderBytes) {
        return `are over ${limits.maxHeaderBytes} bytes of names and values; raise limits.maxHeaderBytes or send smaller headers`;
      }
      decoded.set(name, Buffer.from(bytes).toString('utf8'));
    }
  }
  return decoded;
}

/** A record that is not a record at all: poison, at the coordinates its partition key gives. */
function notARecord(raw: unknown, partitionKey: string, message: string): BatchRecord {
  const match = PARTITION_KEY.exec(partitionKey);
  const offset = (raw as { offset?: unknown } | null)?.offset;
  const coordinates: RecordCoordinates = {
    topic: match?.[1] ?? UNKNOWN_TOPIC,
    partition: match ? Number(match[2]) : -1,
    offset: Number.isSafeInteger(offset) && (offset as number) >= 0 ? (offset as number) : -1,
  };
  // Keyed by the bytes of the record as received, so that its redeliveries are recognised.
  const bytes = Buffer.from(received(raw), 'utf8');
  return {
    coordinates,
    partitionKey,
    timestamp: 0,
    key: undefined,
    headers: new Map(),
    decoded: poison(bytes, coordinates, message),
    received: raw,
  };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

/** Decoded size of a valid base64 string, without decoding it. */
function base64Bytes(text: string): number {
  const padding = text.endsWith('==') ? 2 : text.endsWith('=') ? 1 : 0;
  return (text.length / 4) * 3 - padding;
}

function poison(raw: Uint8Array, coordinates: RecordCoordinates, message: string): DecodedEvent {
  return { ok: false, raw, eventType: undefined, coordinates, error: new InvalidRecordError(message) };
}

/** The record as received, as text to hash; a value too deep to serialize is keyed by its kind. */
function received(raw: unknown): string {
  try {
    return JSON.stringify(raw) ?? String(raw);
  } catch {
    return `unserializable ${Array.isArray(raw) ? 'array' : typeof raw}`;
  }
}
