/**
 * The record codec contract: how one Kafka record (key, value, headers, coordinates, and the
 * event source mapping's schema metadata) becomes the layer's decoded event, or a poison record
 * with a clear error. Every codec returns a {@link DecodedEvent}; nothing here throws for a
 * record's content. Binary codecs (Avro, Protobuf) live in their own modules so that a consumer
 * that does not use them never bundles their libraries.
 */
import { type DecodedEvent, ENVELOPE_LIMITS, type EventEnvelope, type RecordCoordinates } from '../envelope';
import { InvalidRecordError } from '../errors';
import { canonicalJson } from '../keys';
import type { CodecSpec, FieldSource } from '../manifest';

/**
 * Schema metadata the event source mapping adds when its schema-registry integration is on.
 *
 * @example
 * ```ts
 * const meta: SchemaMetadata = { dataFormat: 'AVRO', schemaId: '7' };
 * ```
 */
export interface SchemaMetadata {
  /** `AVRO`, `PROTOBUF` or `JSON`. */
  readonly dataFormat: string;
  /** The registry's schema id (Confluent: a number as text; Glue: a version UUID). */
  readonly schemaId: string | undefined;
}

/**
 * One Kafka record as a codec sees it: bounds already checked (value, key, headers).
 *
 * @example
 * ```ts
 * const input: KafkaRecordInput = { coordinates, timestamp: 0, key: undefined, value: bytes, headers: new Map() };
 * ```
 */
export interface KafkaRecordInput {
  readonly coordinates: RecordCoordinates;
  /** Kafka timestamp (epoch ms). */
  readonly timestamp: number;
  readonly key: Uint8Array | undefined;
  /** `null` for a tombstone (the record has no value). */
  readonly value: Uint8Array | null;
  /** Headers as UTF-8 text, by name (own entries of a Map: never a prototype lookup). */
  readonly headers: ReadonlyMap<string, string>;
  readonly keySchemaMetadata?: SchemaMetadata | undefined;
  readonly valueSchemaMetadata?: SchemaMetadata | undefined;
}

/**
 * A record codec: the implementation of one {@link CodecSpec}. `kind` (and `wire` for the binary
 * kinds) must equal the manifest's `codec`; `defineConsumer` checks it.
 *
 * @example
 * ```ts
 * const codec: RecordCodec = { kind: 'json', wire: undefined, decode: (record) => decodeJson(record) };
 * ```
 */
export interface RecordCodec {
  readonly kind: CodecSpec['kind'];
  readonly wire: 'confluent' | 'glue' | 'esm-json' | 'raw' | undefined;
  /** Decodes a record with a value (tombstones are decoded by the layer, {@link tombstone}). */
  decode(record: KafkaRecordInput & { readonly value: Uint8Array }): DecodedEvent;
}

/**
 * Event type of a tombstone (a record without a value, a delete marker on a compacted topic):
 * route it like any other type. Its identity is its coordinates (a later tombstone of the same key,
 * after the key was written again, is a new event); `data` is `{ key }` (base64, or `null`).
 *
 * @example
 * ```ts
 * defineConsumer(manifest, () => ({ [TOMBSTONE_EVENT_TYPE]: async (envelope) => remove(envelope.data.key) }));
 * ```
 */
export const TOMBSTONE_EVENT_TYPE = 'tombstone';

/**
 * Letters, digits, `.`, `_` and `-`: the charset of event types (they are part of the key).
 *
 * @example
 * ```ts
 * EVENT_TYPE_PATTERN.test('orders.placed.v1'); // true
 * ```
 */
export const EVENT_TYPE_PATTERN = new RegExp(`^[A-Za-z0-9._-]{1,${ENVELOPE_LIMITS.eventTypeLength}}$`);
// biome-ignore lint/suspicious/noControlCharactersInRegex: the point is to find them.
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/;

/**
 * `topic-partition@offset`, as error messages name a record.
 *
 * @example
 * ```ts
 * where({ topic: 'orders', partition: 0, offset: 5 }); // 'orders-0@5'
 * ```
 */
export function where(coordinates: RecordCoordinates): string {
  return `${coordinates.topic}-${coordinates.partition}@${coordinates.offset}`;
}

/**
 * A poison record: keyed by its raw bytes, with a message that names fields and positions only.
 *
 * @example
 * ```ts
 * return poison(record, 'Record value is truncated');
 * ```
 */
export function poison(
  record: Pick<KafkaRecordInput, 'coordinates'> & { readonly value: Uint8Array | null },
  message: string,
  eventType?: string,
): DecodedEvent {
  return {
    ok: false,
    raw: record.value ?? new Uint8Array(0),
    eventType,
    coordinates: record.coordinates,
    error: new InvalidRecordError(`${message} at ${where(record.coordinates)}`),
  };
}

/**
 * `true` when a string is 1-`max` characters without control characters.
 *
 * @example
 * ```ts
 * isIdentifier('ev-1'); // true
 * ```
 */
export function isIdentifier(
  value: unknown,
  max: number = ENVELOPE_LIMITS.identifierLength,
): value is string {
  return typeof value === 'string' && value.length >= 1 && value.length <= max && !CONTROL.test(value);
}

/**
 * Fields of the decoded event a codec fills in; the rest follows from the record.
 *
 * @example
 * ```ts
 * const parts: EventParts = { eventType: 't.v1', eventId: 'e-1', correlationId: undefined, source: undefined, time: undefined, data: {} };
 * ```
 */
export interface EventParts {
  readonly eventType: string;
  readonly eventId: string | undefined;
  readonly correlationId: string | undefined;
  readonly source: string | undefined;
  readonly time: string | undefined;
  /** The business payload as JSON (canonical mapping already applied). */
  readonly data: unknown;
  /** `idempotency_key` of the envelope key strategy, when the format defines one. */
  readonly idempotencyKey?: string | undefined;
  /** Format-specific fields handed to handlers beside the envelope's (`cloudevent`, `schema`). */
  readonly extra?: Readonly<Record<string, unknown>>;
}

/**
 * Builds the decoded event of a non-envelope codec: an {@link EventEnvelope} view for the routes
 * (`event_type`, `event_id`, `correlation_id`, `data`, ...), and the canonical JSON of
 * `{event_type, data}` the content key hashes. A payload that is not a JSON object is handed over
 * as `data: { value }`. A payload canonical JSON cannot represent is poison.
 *
 * @example
 * ```ts
 * return eventOf(record, { eventType: 't.v1', eventId: undefined, correlationId: undefined, source: undefined, time: undefined, data: payload });
 * ```
 */
export function eventOf(
  record: Pick<KafkaRecordInput, 'coordinates' | 'timestamp'> & { readonly value: Uint8Array | null },
  parts: EventParts,
): DecodedEvent {
  const data = isPlainObject(parts.data) ? parts.data : { value: parts.data };
  let content: string;
  try {
    content = canonicalJson({ event_type: parts.eventType, data });
  } catch {
    return poison(record, 'Record payload has no JSON form for its content key', parts.eventType);
  }
  const envelope: EventEnvelope = {
    ...parts.extra,
    event_id: parts.eventId ?? where(record.coordinates),
    event_type: parts.eventType,
    event_timestamp: parts.time ?? isoTime(record.timestamp),
    source_service: parts.source ?? record.coordinates.topic,
    ...(parts.correlationId !== undefined ? { correlation_id: parts.correlationId } : {}),
    ...(parts.idempotencyKey !== undefined ? { idempotency_key: parts.idempotencyKey } : {}),
    data: data as Record<string, unknown>,
  };
  return {
    ok: true,
    raw: record.value ?? new Uint8Array(0),
    envelope,
    coordinates: record.coordinates,
    content,
  };
}

/**
 * The decoded event of a tombstone: routed as {@link TOMBSTONE_EVENT_TYPE}, keyed by its coordinates.
 *
 * @example
 * ```ts
 * const decoded = tombstone({ ...record, value: null }); // routed as 'tombstone'
 * ```
 */
export function tombstone(record: KafkaRecordInput): DecodedEvent {
  const key = record.key === undefined ? null : Buffer.from(record.key).toString('base64');
  const { topic, partition, offset } = record.coordinates;
  const decoded = eventOf(record, {
    eventType: TOMBSTONE_EVENT_TYPE,
    eventId: undefined,
    correlationId: undefined,
    source: undefined,
    time: undefined,
    data: { key },
  });
  if (!decoded.ok) return decoded;
  // The coordinates belong to the identity: the same key deleted again after a rewrite is a new event.
  return {
    ...decoded,
    raw: record.key ?? new Uint8Array(0),
    content: canonicalJson({ event_type: TOMBSTONE_EVENT_TYPE, key, topic, partition, offset }),
  };
}

function isoTime(epochMs: number): string {
  const date = new Date(epochMs);
  return Number.isFinite(date.getTime()) ? date.toISOString() : new Date(0).toISOString();
}

/**
 * `true` for a non-null, non-array object.
 *
 * @example
 * ```ts
 * isPlainObject([]); // false
 * ```
 */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Longest field path (segments) a codec follows into a payload. */
const MAX_PATH_SEGMENTS = 8;

/**
 * Reads a dot-separated path of own properties (`meta.type`); `undefined` when a segment is
 * missing. Never a prototype lookup: `constructor` or `__proto__` are ordinary (absent) keys.
 *
 * @example
 * ```ts
 * fieldAt({ meta: { type: 'x.v1' } }, 'meta.type'); // 'x.v1'
 * ```
 */
export function fieldAt(value: unknown, path: string): unknown {
  let current: unknown = value;
  for (const segment of path.split('.', MAX_PATH_SEGMENTS)) {
    if (!isPlainObject(current) || !Object.hasOwn(current, segment)) return undefined;
    current = current[segment];
  }
  return current;
}

/**
 * Reads a configured attribute (type, id or correlation id) from a header or a payload field.
 * Returns the value, `undefined` when not configured, or an error message naming the source.
 *
 * @example
 * ```ts
 * const type = readSource({ from: 'header', name: 'event-type' }, record, payload, 'event type', isEventType);
 * ```
 */
export function readSource(
  source: FieldSource | undefined,
  record: Pick<KafkaRecordInput, 'headers'>,
  payload: unknown,
  name: string,
  valid: (value: unknown) => value is string,
): { readonly value: string | undefined } | { readonly error: string } {
  if (source === undefined) return { value: undefined };
  const value = source.from === 'header' ? record.headers.get(source.name) : fieldAt(payload, source.path);
  const origin = source.from === 'header' ? `header ${source.name}` : `field ${source.path}`;
  if (value === undefined) return { error: `Record has no ${name} (${origin} is missing)` };
  if (!valid(value)) return { error: `Record ${name} (${origin}) is not valid` };
  return { value };
}

/**
 * `true` for a well-formed event type.
 *
 * @example
 * ```ts
 * isEventType('a b'); // false
 * ```
 */
export function isEventType(value: unknown): value is string {
  return typeof value === 'string' && EVENT_TYPE_PATTERN.test(value);
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Strict UTF-8 then JSON; the error names the position of a syntax error, never the content.
 *
 * @example
 * ```ts
 * const parsed = parseJsonBytes(Buffer.from('{"a":1}')); // { json: { a: 1 } }
 * ```
 */
export function parseJsonBytes(bytes: Uint8Array): { readonly json: unknown } | { readonly error: string } {
  let text: string;
  try {
    text = utf8.decode(bytes);
  } catch {
    return { error: 'Record value is not valid UTF-8' };
  }
  try {
    return { json: JSON.parse(text) };
  } catch (cause) {
    const position = /at position (\d+)/.exec((cause as Error).message)?.[1];
    return {
      error: `Record value is not JSON (${position === undefined ? 'a syntax error; the parser reports no position' : `syntax error at character ${position}`})`,
    };
  }
}
