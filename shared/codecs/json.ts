import type { CodecSpec, FieldSource } from '../manifest';
import {
  eventOf,
  isEventType,
  isIdentifier,
  type KafkaRecordInput,
  parseJsonBytes,
  poison,
  type RecordCodec,
  readSource,
} from './codec';

/**
 * Options of {@link jsonCodec}: where the type, id and correlation id come from.
 *
 * @example
 * ```ts
 * const options: JsonCodecOptions = { type: { from: 'topic' } };
 * ```
 */
export type JsonCodecOptions = Omit<Extract<CodecSpec, { kind: 'json' }>, 'kind'>;

/**
 * Plain JSON values (any JSON value; one that is not an object is handed over as `data: { value }`):
 * strict UTF-8 then JSON. The event type comes from a header, a field or the topic (`type`,
 * default the topic); the id and correlation id from a header or a field when configured (the id
 * is else the record's coordinates). A missing or malformed configured attribute is poison.
 *
 * @example
 * ```ts
 * const codec = jsonCodec({ type: { from: 'header', name: 'event-type' }, id: { from: 'field', path: 'id' } });
 * ```
 */
export function jsonCodec(options: JsonCodecOptions = {}): RecordCodec {
  const type = options.type ?? { from: 'topic' };
  return {
    kind: 'json',
    wire: undefined,
    decode: (record) => {
      const parsed = parseJsonBytes(record.value);
      if ('error' in parsed) return poison(record, parsed.error);
      return jsonEvent(record, parsed.json, {
        type,
        id: options.id,
        correlationId: options.correlationId,
      });
    },
  };
}

/**
 * The decoded event of a JSON payload (the JSON codec's, and the binary codecs' once decoded),
 * with type, id and correlation id read from their configured sources.
 *
 * @internal
 *
 * @example
 * ```ts
 * return jsonEvent(record, payload, { type: { from: 'topic' }, id: undefined, correlationId: undefined });
 * ```
 */
export function jsonEvent(
  record: KafkaRecordInput,
  payload: unknown,
  sources: {
    readonly type:
      | Exclude<JsonCodecOptions['type'], undefined>
      | { readonly from: 'schema'; readonly name: string };
    readonly id: FieldSource | undefined;
    readonly correlationId: FieldSource | undefined;
  },
  extra?: Readonly<Record<string, unknown>>,
) {
  let eventType: string;
  if (sources.type.from === 'topic') eventType = record.coordinates.topic;
  else if (sources.type.from === 'schema') eventType = sources.type.name;
  else {
    const read = readSource(sources.type, record, payload, 'event type', isEventType);
    if ('error' in read || read.value === undefined) {
      return poison(
        record,
        'error' in read
          ? `${read.error}; an event type is 1-200 characters of letters, digits, '.', '_' or '-'`
          : 'Record has no event type',
      );
    }
    eventType = read.value;
  }
  const id = readSource(sources.id, record, payload, 'event id', (v) => isIdentifier(v));
  if ('error' in id)
    return poison(record, `${id.error}; an id is 1-256 characters without control characters`, eventType);
  const correlation = readSource(sources.correlationId, record, payload, 'correlation id', (v) =>
    isIdentifier(v),
  );
  if ('error' in correlation) {
    return poison(
      record,
      `${correlation.error}; it is 1-256 characters without control characters`,
      eventType,
    );
  }
  return eventOf(record, {
    eventType,
    eventId: id.value,
    correlationId: correlation.value,
    source: undefined,
    time: undefined,
    data: payload,
    ...(extra ? { extra } : {}),
  });
}
