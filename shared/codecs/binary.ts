/** What the Avro and Protobuf codecs share once a value is unframed (no library imported here). */
import { type KafkaRecordInput, parseJsonBytes, poison } from './codec';
import { toJsonValue } from './framing';
import { jsonEvent } from './json';

/**
 * The decoded event of a binary payload: canonical JSON form, then type, id and correlation id.
 *
 * @internal
 *
 * @example
 * ```ts
 * return binaryEvent(record, decodedValue, sources, { name: 'acme.Invoice', id: '7' });
 * ```
 */
export function binaryEvent(
  record: KafkaRecordInput,
  value: unknown,
  sources: Parameters<typeof jsonEvent>[2],
  schema: { readonly name: string; readonly id: string | undefined },
) {
  let payload: unknown;
  try {
    payload = toJsonValue(value);
  } catch {
    return poison(record, 'Record payload is nested more than 64 levels deep');
  }
  return jsonEvent(record, payload, sources, {
    schema: { name: schema.name, ...(schema.id ? { id: schema.id } : {}) },
  });
}

/**
 * A value the event source mapping already converted to JSON (`EventRecordFormat` `JSON`): its
 * `valueSchemaMetadata.dataFormat`, when present, must be the codec's format.
 *
 * @internal
 *
 * @example
 * ```ts
 * return esmJson(record, 'AVRO', sources, 'acme.Invoice');
 * ```
 */
export function esmJson(
  record: KafkaRecordInput & { readonly value: Uint8Array },
  format: 'AVRO' | 'PROTOBUF',
  sources: Parameters<typeof jsonEvent>[2],
  schemaName: string,
) {
  const claimed = record.valueSchemaMetadata?.dataFormat;
  if (claimed !== undefined && claimed.toUpperCase() !== format) {
    return poison(
      record,
      `Record valueSchemaMetadata.dataFormat is not ${format} (schema mismatch: the event source mapping decoded another format)`,
    );
  }
  const parsed = parseJsonBytes(record.value);
  if ('error' in parsed)
    return poison(record, `${parsed.error} (the event source mapping's JSON record format)`);
  const id = record.valueSchemaMetadata?.schemaId;
  return jsonEvent(record, parsed.json, sources, {
    schema: { name: schemaName, ...(id ? { id: id.slice(0, 64) } : {}) },
  });
}
