/**
 * Framing of schema-registry values, read by hand (a few header bytes, no library frames them):
 * the Confluent wire format and the AWS Glue Schema Registry header. The payload inside is
 * decoded by avsc or protobufjs. Every function returns the reason a value is poison instead of
 * throwing.
 */
import { inflateSync } from 'node:zlib';
import type { BinaryWire } from '../manifest';
import type { KafkaRecordInput } from './codec';

/**
 * A value's payload and the schema it names.
 *
 * @example
 * ```ts
 * const framed: Unframed = { schemaId: '7', messageIndexes: undefined, payload: new Uint8Array(0) };
 * ```
 */
export interface Unframed {
  /** Confluent: the schema id as decimal text; Glue: the schema version UUID; raw: the ESM's schema id, if any. */
  readonly schemaId: string | undefined;
  /** Protobuf message indexes (Confluent: the list; Glue: one index); `undefined` when the wire has none. */
  readonly messageIndexes: readonly number[] | undefined;
  readonly payload: Uint8Array;
}

/**
 * Most message indexes a Protobuf value may carry (nesting depth of its message type).
 *
 * @example
 * ```ts
 * if (indexes.length > MAX_MESSAGE_INDEXES) reject();
 * ```
 */
export const MAX_MESSAGE_INDEXES = 16;

/**
 * Splits a value into its schema reference and payload as `wire` frames it (`esm-json` is not
 * framed: the caller parses JSON). `protobuf` reads the message indexes too.
 *
 * @example
 * ```ts
 * const framed = unframe('confluent', 'avro', record, 1_048_576); // { schemaId: '7', payload } or { error }
 * ```
 */
export function unframe(
  wire: Exclude<BinaryWire, 'esm-json'>,
  format: 'avro' | 'protobuf',
  record: Pick<KafkaRecordInput, 'valueSchemaMetadata'> & { readonly value: Uint8Array },
  maxBytes: number,
): Unframed | { readonly error: string } {
  const bytes = record.value;
  if (wire === 'raw') {
    return { schemaId: record.valueSchemaMetadata?.schemaId, messageIndexes: undefined, payload: bytes };
  }
  if (wire === 'confluent') {
    if (bytes.length < 5) {
      return {
        error: `Record value is truncated: ${bytes.length} bytes, shorter than the 5-byte Confluent header`,
      };
    }
    if (bytes[0] !== 0) {
      return {
        error: `Record value has the wrong magic byte 0x${hex(bytes[0])} at byte 0; the Confluent wire format starts with 0x00`,
      };
    }
    const schemaId = String(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).readUInt32BE(1));
    if (format === 'avro') return { schemaId, messageIndexes: undefined, payload: bytes.subarray(5) };
    const indexes = confluentIndexes(bytes, 5);
    if ('error' in indexes) return indexes;
    return { schemaId, messageIndexes: indexes.indexes, payload: bytes.subarray(indexes.end) };
  }
  // AWS Glue Schema Registry: version, compression, 16-byte schema version UUID.
  if (bytes.length < 18) {
    return {
      error: `Record value is truncated: ${bytes.length} bytes, shorter than the 18-byte Glue header`,
    };
  }
  if (bytes[0] !== 3) {
    return {
      error: `Record value has the wrong header version byte 0x${hex(bytes[0])} at byte 0; the Glue Schema Registry format starts with 0x03`,
    };
  }
  if (bytes[1] !== 0 && bytes[1] !== 5) {
    return {
      error: `Record value has an unknown compression byte 0x${hex(bytes[1])} at byte 1; Glue uses 0x00 (none) or 0x05 (zlib)`,
    };
  }
  const schemaId = uuid(bytes.subarray(2, 18));
  let payload = bytes.subarray(18);
  if (bytes[1] === 5) {
    try {
      payload = inflateSync(payload, { maxOutputLength: maxBytes });
    } catch (cause) {
      const tooLarge = (cause as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE';
      return {
        error: tooLarge
          ? `Record value decompresses to more than ${maxBytes} bytes (limits.maxValueBytes)`
          : 'Record value is not valid zlib data after the Glue header (compression byte 0x05)',
      };
    }
  }
  if (format === 'avro') return { schemaId, messageIndexes: undefined, payload };
  // The Glue SerDe writes the message's index as one unsigned varint before the message.
  const index = varint(payload, 0);
  if ('error' in index)
    return { error: `Record value is truncated in its Glue message index (${index.error})` };
  if (index.value > 2 ** 31 - 1) return { error: 'Record value has a Glue message index out of range' };
  return { schemaId, messageIndexes: [index.value], payload: payload.subarray(index.end) };
}

/**
 * Confluent Protobuf message indexes: a zigzag varint count, then that many zigzag varint
 * indexes; a count of 0 stands for `[0]` (the first message of the schema).
 */
function confluentIndexes(
  bytes: Uint8Array,
  start: number,
): { readonly indexes: number[]; readonly end: number } | { readonly error: string } {
  const count = varint(bytes, start);
  if ('error' in count) return { error: `Record value is truncated in its message indexes (${count.error})` };
  const n = zigzag(count.value);
  if (n === 0) return { indexes: [0], end: count.end };
  if (n < 0 || n > MAX_MESSAGE_INDEXES) {
    return {
      error: `Record value has an invalid message index count ${n} at byte ${start}; expected 0-${MAX_MESSAGE_INDEXES}`,
    };
  }
  const indexes: number[] = [];
  let at = count.end;
  for (let i = 0; i < n; i++) {
    const index = varint(bytes, at);
    if ('error' in index)
      return { error: `Record value is truncated in message index #${i} (${index.error})` };
    const value = zigzag(index.value);
    if (value < 0) return { error: `Record value has a negative message index #${i} at byte ${at}` };
    indexes.push(value);
    at = index.end;
  }
  return { indexes, end: at };
}

/** An unsigned varint of at most 5 bytes (32 bits), as Protobuf writes it. */
function varint(
  bytes: Uint8Array,
  start: number,
): { readonly value: number; readonly end: number } | { readonly error: string } {
  let value = 0;
  for (let i = 0; i < 5; i++) {
    const byte = bytes[start + i];
    if (byte === undefined) return { error: `the varint at byte ${start} ends at the end of the value` };
    value += (byte & 0x7f) * 2 ** (7 * i);
    if ((byte & 0x80) === 0) return { value, end: start + i + 1 };
  }
  return { error: `the varint at byte ${start} is longer than 5 bytes` };
}

function zigzag(n: number): number {
  return n % 2 === 0 ? n / 2 : -(n + 1) / 2;
}

function hex(byte: number | undefined): string {
  return (byte ?? 0).toString(16).padStart(2, '0');
}

function uuid(bytes: Uint8Array): string {
  const h = Buffer.from(bytes).toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

/**
 * The canonical JSON form of a decoded Avro or Protobuf value: 64-bit integers (`bigint`) as
 * decimal strings, bytes as standard base64, `NaN`/`Infinity`/`-Infinity` as those strings,
 * objects copied by own keys (a `__proto__` key stays an ordinary key). Throws a `RangeError` past
 * 64 levels of nesting.
 *
 * @example
 * ```ts
 * toJsonValue({ id: 12n, blob: Buffer.from([1]) }); // { id: '12', blob: 'AQ==' }
 * ```
 */
export function toJsonValue(value: unknown, depth = 0): unknown {
  if (depth > 64) throw new RangeError('nested more than 64 levels');
  if (typeof value === 'bigint') return value.toString();
  if (typeof value === 'number') return Number.isFinite(value) ? value : String(value);
  if (value === null || typeof value !== 'object') return value;
  if (value instanceof Uint8Array)
    return Buffer.from(value.buffer, value.byteOffset, value.length).toString('base64');
  if (Array.isArray(value)) return value.map((item) => toJsonValue(item, depth + 1));
  return Object.fromEntries(
    Object.keys(value).map((key) => [key, toJsonValue((value as Record<string, unknown>)[key], depth + 1)]),
  );
}
