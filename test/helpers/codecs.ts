import { CloudEvent } from 'cloudevents';
import type { KafkaRecordInput, SchemaMetadata } from '../../shared/codecs';
import { computeKey, type DecodedEvent } from '../../shared/internal';

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

/** The content (or envelope) key of a decoded record, under service `svc`. */
export function keyOf(decoded: DecodedEvent, strategy: 'content' | 'envelope' = 'content'): string {
  return computeKey(decoded, { prefix: 'idem:v1', service: 'svc', strategy }).id;
}

/** The decoded event, or a test failure naming the poison. */
export function ok(decoded: DecodedEvent): Extract<DecodedEvent, { ok: true }> {
  if (!decoded.ok) throw new Error(`expected an event, got poison: ${decoded.error.message}`);
  return decoded;
}

/** The poison message, or a test failure. */
export function errorOf(decoded: DecodedEvent): string {
  if (decoded.ok) throw new Error('expected poison');
  return decoded.error.message;
}

/** The CloudEvent of the codec tests, as the `cloudevents` SDK builds it (an independent producer). */
export function sampleCloudEvent(type: string, extra: Record<string, string> = {}): CloudEvent<unknown> {
  return new CloudEvent({
    specversion: '1.0',
    id: 'ev-1',
    source: '/essays',
    type,
    datacontenttype: 'application/json',
    data: { essay_id: 'E-1', score: 7 },
    ...extra,
  });
}
