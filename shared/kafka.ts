import type { MSKEvent, MSKRecord } from 'aws-lambda';
import { z } from 'zod';
import { type DecodedEvent, decodeEvent, type RecordCoordinates } from './envelope';
import { InvalidRecordError } from './errors';

/**
 * Shape of one record in an MSK event, validated before anything else is read from it. `key` and
 * `value` are base64; each header is `{ name: bytes[] }`.
 */
const MskRecordSchema = z.object({
  topic: z.string().min(1),
  partition: z.number().int().nonnegative(),
  offset: z.number().int().nonnegative(),
  timestamp: z.number(),
  timestampType: z.string(),
  key: z.string().nullish(),
  value: z.string().nullish(),
  headers: z.array(z.record(z.string(), z.array(z.number().int().min(0).max(255)))).nullish(),
});

const MskEventSchema = z.object({
  records: z.record(z.string(), z.array(z.unknown())),
});

/** One Kafka record of a batch, decoded once, before any handler runs. */
export interface BatchRecord {
  readonly coordinates: RecordCoordinates;
  /** `"<topic>-<partition>"`, as in the event and in `batchItemFailures`. */
  readonly partitionKey: string;
  readonly timestamp: number;
  /** The record's key bytes, when it has one. */
  readonly key: Uint8Array | undefined;
  /** Headers decoded as UTF-8 text. */
  readonly headers: Readonly<Record<string, string>>;
  /** The decoded value: an envelope, or the reason it is poison. */
  readonly decoded: DecodedEvent;
  /** The record exactly as received, for the dead-letter path. */
  readonly received: MSKRecord;
}

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/**
 * Decodes every record of an MSK event, ordered by partition (as listed in the event) and by offset
 * within each partition. A bad record never throws: its `decoded.ok` is `false` with the reason
 * (bad base64, over `maxValueBytes`, not UTF-8, not JSON, not an envelope). Only an event that is
 * not an MSK event at all throws a `TypeError`.
 *
 * Powertools' Kafka consumer is not used here on purpose: its JSON deserializer returns the raw
 * string when a value is not JSON and decodes bytes as UTF-8 leniently, so a poison record would be
 * indistinguishable from a valid one and could not be hashed from its exact bytes.
 *
 * @example
 * ```ts
 * for (const [partition, records] of decodeMskEvent(event, 1_048_576)) console.log(partition, records.length);
 * ```
 */
export function decodeMskEvent(event: MSKEvent, maxValueBytes: number): Map<string, BatchRecord[]> {
  const shape = MskEventSchema.safeParse(event);
  if (!shape.success) {
    throw new TypeError(
      'The event is not an MSK event: expected { records: { "<topic>-<partition>": [ ... ] } }. Invoke the function with an MSK event (see events/).',
    );
  }
  const partitions = new Map<string, BatchRecord[]>();
  for (const [partitionKey, list] of Object.entries(shape.data.records)) {
    const decoded = list.map((raw, index) => decodeRecord(raw, partitionKey, index, maxValueBytes));
    decoded.sort((a, b) => a.coordinates.offset - b.coordinates.offset);
    partitions.set(partitionKey, decoded);
  }
  return partitions;
}

function decodeRecord(raw: unknown, partitionKey: string, index: number, maxValueBytes: number): BatchRecord {
  const parsed = MskRecordSchema.safeParse(raw);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new TypeError(`Record #${index} of ${partitionKey} is not an MSK record (${issues}).`);
  }
  const record = parsed.data;
  const coordinates: RecordCoordinates = {
    topic: record.topic,
    partition: record.partition,
    offset: record.offset,
  };
  const where = `${record.topic}-${record.partition}@${record.offset}`;
  const headers: Record<string, string> = {};
  for (const header of record.headers ?? []) {
    for (const [name, bytes] of Object.entries(header)) headers[name] = Buffer.from(bytes).toString('utf8');
  }
  const key = record.key && BASE64.test(record.key) ? Buffer.from(record.key, 'base64') : undefined;
  const base = {
    coordinates,
    partitionKey,
    timestamp: record.timestamp,
    key,
    headers,
    received: raw as MSKRecord,
  };
  const value = record.value ?? '';
  if (!BASE64.test(value)) {
    return {
      ...base,
      decoded: poison(
        Buffer.from(value, 'utf8'),
        coordinates,
        `Record value at ${where} is not valid base64; the event source always base64-encodes values, so the record was altered in transit or hand-made`,
      ),
    };
  }
  const bytes = Buffer.from(value, 'base64');
  if (bytes.length > maxValueBytes) {
    return {
      ...base,
      decoded: poison(
        bytes,
        coordinates,
        `Record value at ${where} is ${bytes.length} bytes, over the limit of ${maxValueBytes}; raise maxValueBytes or have the producer send a reference instead`,
      ),
    };
  }
  return { ...base, decoded: decodeEvent(bytes, coordinates) };
}

function poison(raw: Uint8Array, coordinates: RecordCoordinates, message: string): DecodedEvent {
  return { ok: false, raw, eventType: undefined, coordinates, error: new InvalidRecordError(message) };
}
