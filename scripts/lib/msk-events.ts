import { randomUUID } from 'node:crypto';
import type { MSKEvent, MSKRecord } from 'aws-lambda';
import type { EventEnvelope } from '../../shared/internal';

/** Fields of an envelope; the ones left out are filled in (fresh `event_id`, current time). */
export interface EnvelopeInput {
  readonly event_type: string;
  readonly data: Record<string, unknown>;
  readonly event_id?: string;
  readonly event_timestamp?: string;
  readonly source_service?: string;
  readonly correlation_id?: string;
  readonly idempotency_key?: string;
}

/**
 * Builds an event envelope as the seeds' producers write it.
 *
 * @example
 * ```ts
 * envelope({ event_type: 'huleedu.essay.spellcheck.requested.v1', data: { essay_id: 'e1', text: 'teh cat' } });
 * ```
 */
export function envelope(input: EnvelopeInput): EventEnvelope {
  return {
    event_id: input.event_id ?? randomUUID(),
    event_type: input.event_type,
    event_timestamp: input.event_timestamp ?? new Date().toISOString(),
    source_service: input.source_service ?? 'sample-producer',
    correlation_id: input.correlation_id ?? randomUUID(),
    ...(input.idempotency_key ? { idempotency_key: input.idempotency_key } : {}),
    data: input.data,
  };
}

/** One record of an MSK event to build. */
export interface RecordSpec {
  readonly topic: string;
  readonly partition: number;
  readonly offset: number;
  /** The value: an object (JSON encoded), a string (UTF-8) or bytes. Ignored with `rawBase64`. */
  readonly value?: unknown;
  /** The value field exactly as it should appear (to build bad base64). */
  readonly rawBase64?: string;
  /** A tombstone: the record has no value (`value: null`). */
  readonly tombstone?: boolean;
  readonly key?: string;
  readonly headers?: Readonly<Record<string, string>>;
  readonly timestamp?: number;
}

/**
 * Encodes one record as the Lambda MSK event source does (base64 key and value, byte-array headers).
 *
 * @example
 * ```ts
 * mskRecord({ topic: 't', partition: 0, offset: 5, value: { hello: 'world' } });
 * ```
 */
export function mskRecord(spec: RecordSpec): MSKRecord {
  let value: string | null;
  if (spec.tombstone) value = null;
  else if (spec.rawBase64 !== undefined) value = spec.rawBase64;
  else if (spec.value instanceof Uint8Array) value = Buffer.from(spec.value).toString('base64');
  else if (typeof spec.value === 'string') value = Buffer.from(spec.value, 'utf8').toString('base64');
  else value = Buffer.from(JSON.stringify(spec.value ?? null), 'utf8').toString('base64');
  const headers = Object.entries(spec.headers ?? {}).map(([name, text]) => ({
    [name]: [...Buffer.from(text, 'utf8')],
  }));
  return {
    topic: spec.topic,
    partition: spec.partition,
    offset: spec.offset,
    timestamp: spec.timestamp ?? Date.now(),
    timestampType: 'CREATE_TIME',
    ...(spec.key !== undefined ? { key: Buffer.from(spec.key, 'utf8').toString('base64') } : {}),
    value,
    headers,
  } as MSKRecord;
}

/**
 * Builds an MSK event from records, grouped under `"<topic>-<partition>"` as Lambda delivers them.
 *
 * @example
 * ```ts
 * const event = mskEvent([{ topic: 't', partition: 0, offset: 0, value: envelope({ event_type: 'x.v1', data: {} }) }]);
 * ```
 */
export function mskEvent(
  records: readonly RecordSpec[],
  options: { readonly clusterArn?: string; readonly bootstrapServers?: string } = {},
): MSKEvent {
  return mskEventOf(records.map(mskRecord), options);
}

/**
 * Wraps records already in the event source mapping's form (base64 key and value, byte-array
 * headers) in an MSK event, grouped under `"<topic>-<partition>"` in the order given: a dead
 * letter's record as received is redelivered this way, byte for byte.
 *
 * @example
 * ```ts
 * const event = mskEventOf([letter.record as MSKRecord]);
 * ```
 */
export function mskEventOf(
  records: readonly MSKRecord[],
  options: { readonly clusterArn?: string; readonly bootstrapServers?: string } = {},
): MSKEvent {
  const grouped: Record<string, MSKRecord[]> = {};
  for (const record of records) {
    const group = `${record.topic}-${record.partition}`;
    grouped[group] ??= [];
    grouped[group].push(record);
  }
  return {
    eventSource: 'aws:kafka',
    eventSourceArn:
      options.clusterArn ??
      'arn:aws:kafka:us-east-1:123456789012:cluster/local-cluster/00000000-0000-0000-0000-000000000000-1',
    bootstrapServers: options.bootstrapServers ?? 'b-1.local-cluster.kafka.us-east-1.amazonaws.com:9098',
    records: grouped,
  };
}
