import type { KafkaRecordInput, SchemaMetadata } from '../../shared/codecs';

/** A record as a codec receives it. */
export function recordInput(
  value: Uint8Array | string,
  options: {
    readonly headers?: Readonly<Record<string, string>>;
    readonly key?: string;
    readonly topic?: string;
    readonly offset?: number;
    readonly valueSchemaMetadata?: SchemaMetadata;
  } = {},
): KafkaRecordInput & { readonly value: Uint8Array } {
  return {
    coordinates: {
      topic: options.topic ?? 'huleedu.essay.feedback.requested.v1',
      partition: 0,
      offset: options.offset ?? 7,
    },
    timestamp: Date.UTC(2025, 0, 1),
    key: options.key === undefined ? undefined : Buffer.from(options.key, 'utf8'),
    value: typeof value === 'string' ? Buffer.from(value, 'hex') : value,
    headers: new Map(Object.entries(options.headers ?? {})),
    ...(options.valueSchemaMetadata ? { valueSchemaMetadata: options.valueSchemaMetadata } : {}),
  };
}

/** Bytes of a JSON value. */
export function jsonBytes(value: unknown): Uint8Array {
  return Buffer.from(JSON.stringify(value), 'utf8');
}
