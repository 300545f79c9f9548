/**
 * Builds MSK events for local runs and tests: envelopes spread over partitions, producer-retry
 * duplicates, and poison records that are malformed in one precise way each. Pure: no I/O.
 */
import { randomUUID } from 'node:crypto';
import type { MSKEvent } from 'aws-lambda';
import { DEFAULT_INPUT_LIMITS, type EventEnvelope } from '../../shared/internal';
import { envelope as makeEnvelope, mskEvent, type RecordSpec } from './msk-events';

/**
 * The ways a poison record can be malformed, each matching one row of the design's test matrix.
 *
 * @example
 * ```ts
 * MALFORMED_KINDS.includes('non-json'); // true
 * ```
 */
export const MALFORMED_KINDS = [
  'bad-base64',
  'non-utf8',
  'non-json',
  'missing-data',
  'unknown-type',
  'oversized',
] as const;

/** One of {@link MALFORMED_KINDS}. */
export type MalformedKind = (typeof MALFORMED_KINDS)[number];

/**
 * What each malformed kind puts in the record, for `--help` and for readers of the samples.
 *
 * @example
 * ```ts
 * console.log(MALFORMED_DESCRIPTIONS['bad-base64']);
 * ```
 */
export const MALFORMED_DESCRIPTIONS: Readonly<Record<MalformedKind, string>> = {
  'bad-base64': 'the value is not base64 (Lambda always base64-encodes values)',
  'non-utf8': 'base64 of JSON-looking bytes that are not valid UTF-8',
  'non-json': 'base64 of UTF-8 text that is not JSON',
  'missing-data': 'a JSON envelope without its `data` field',
  'unknown-type': 'a valid envelope of an event type no consumer handles',
  oversized: 'a valid envelope of 1048577 bytes, one over the 1 MiB default limit',
};

/**
 * Event type of `unknown-type` records: handled by no consumer.
 *
 * @example
 * ```ts
 * envelope({ event_type: UNKNOWN_EVENT_TYPE, data: {} });
 * ```
 */
export const UNKNOWN_EVENT_TYPE = 'huleedu.sample.unknown.v1';

/**
 * Size in bytes of an `oversized` value: one more than the batch processor's default
 * `limits.maxValueBytes` (1 MiB).
 *
 * @example
 * ```ts
 * Buffer.from(record.value, 'base64').length === OVERSIZED_VALUE_BYTES; // true for an oversized record
 * ```
 */
export const OVERSIZED_VALUE_BYTES = DEFAULT_INPUT_LIMITS.maxValueBytes + 1;

/** Options of {@link buildMskEvent}. Invalid values throw a `TypeError` naming the option. */
export interface BuildEventOptions {
  /** Topic of every record. */
  readonly topic: string;
  /** The events, in order. */
  readonly envelopes: readonly EventEnvelope[];
  /**
   * Partitions to spread records over.
   * @default 1
   */
  readonly partitions?: number;
  /**
   * `round-robin`: record i goes to partition i mod n. `key`: a stable hash of the record key
   * (FNV-1a, not Kafka's murmur2) picks the partition, so records with the same key share one.
   * @default 'round-robin'
   */
  readonly spread?: 'round-robin' | 'key';
  /**
   * Field of `data` whose value is the Kafka record key.
   * @default the first of `essay_id`, `batch_id` present, else the event id
   */
  readonly keyField?: string;
  /**
   * Offset of the first record of each partition.
   * @default 0
   */
  readonly startOffset?: number;
  /**
   * Producer-retry copies to add: same `data`, fresh `event_id` and timestamp. Copy i repeats event
   * i mod (number of events), and is placed after all events.
   * @default 0
   */
  readonly duplicates?: number;
  /**
   * Where copies go: the original's partition, or the next one (another producer instance).
   * @default 'same-partition'
   */
  readonly duplicatesOn?: 'same-partition' | 'other-partition';
  /**
   * Poison records to add, one per entry.
   * @default []
   */
  readonly malformed?: readonly MalformedKind[];
  /**
   * Where poison records go among the events: in the middle shows that valid records after them are
   * still processed (a poison record never blocks its partition).
   * @default 'middle'
   */
  readonly malformedPosition?: 'start' | 'middle' | 'end';
  /**
   * Event type used by malformed records that carry one (`non-utf8`, `missing-data`, `oversized`).
   * @default the first envelope's type, else `huleedu.sample.event.v1`
   */
  readonly malformedType?: string;
  /**
   * Headers of every record (UTF-8 text, encoded as byte arrays as Lambda delivers them).
   * @default {}
   */
  readonly headers?: Readonly<Record<string, string>>;
  /**
   * Kafka timestamp (epoch ms) of the first record; the next ones follow 1 ms apart.
   * @default now
   */
  readonly timestamp?: number;
  /**
   * Writes each event (and duplicate) in a record format other than the envelope (poison records
   * stay as built); see `scripts/lib/encoders.ts`.
   * @default the envelope as JSON
   */
  readonly encode?: (env: EventEnvelope) => {
    readonly value: unknown;
    readonly headers?: Readonly<Record<string, string>>;
  };
  /** Record keys of tombstones (records without a value) added after the events. @default [] */
  readonly tombstones?: readonly string[];
  /** `msk` (`aws:kafka`) or `self-managed` (`SelfManagedKafka`, with `bootstrapServers` only). @default 'msk' */
  readonly eventSource?: 'msk' | 'self-managed';
}

/** What one record of a built event is, for summaries and assertions. */
export interface BuiltRecordInfo {
  readonly partition: number;
  readonly offset: number;
  readonly kind: 'event' | 'duplicate' | 'tombstone' | MalformedKind;
  /** The Kafka record key (UTF-8). */
  readonly key: string;
  readonly eventType: string | undefined;
  readonly eventId: string | undefined;
  /** For a duplicate: the `event_id` of the event it copies. */
  readonly duplicateOf: string | undefined;
}

/** An MSK event and a description of each of its records, in event order. */
export interface BuiltEvent {
  readonly event: MSKEvent;
  readonly records: readonly BuiltRecordInfo[];
}

interface Item {
  readonly kind: BuiltRecordInfo['kind'];
  readonly key: string;
  readonly partition: number;
  readonly eventType: string | undefined;
  readonly eventId: string | undefined;
  readonly duplicateOf: string | undefined;
  readonly value: Pick<RecordSpec, 'value' | 'rawBase64' | 'headers' | 'tombstone'>;
}

/**
 * Builds an MSK event as the Lambda event source mapping delivers it (records grouped under
 * `"<topic>-<partition>"`, ascending offsets, base64 values, byte-array headers).
 *
 * @example
 * ```ts
 * const { event } = buildMskEvent({
 *   topic: 'huleedu.essay.spellcheck.requested.v1',
 *   envelopes: [envelope({ event_type: 'huleedu.essay.spellcheck.requested.v1', data: { essay_id: 'e-1', text: 'teh cat' } })],
 *   partitions: 2,
 *   duplicates: 1,
 *   duplicatesOn: 'other-partition',
 *   malformed: ['non-json'],
 * });
 * ```
 */
export function buildMskEvent(options: BuildEventOptions): BuiltEvent {
  const partitions = integer('partitions', options.partitions ?? 1, 1, 10_000);
  const startOffset = integer('startOffset', options.startOffset ?? 0, 0, Number.MAX_SAFE_INTEGER);
  const duplicates = integer('duplicates', options.duplicates ?? 0, 0, 100_000);
  const spread = options.spread ?? 'round-robin';
  const malformed = options.malformed ?? [];
  if (typeof options.topic !== 'string' || options.topic.length === 0) {
    throw new TypeError(`Option topic must be a non-empty string, got ${JSON.stringify(options.topic)}.`);
  }
  if (duplicates > 0 && options.envelopes.length === 0) {
    throw new TypeError('Option duplicates needs at least one envelope to copy.');
  }
  if (options.duplicatesOn === 'other-partition' && duplicates > 0 && partitions < 2) {
    throw new TypeError(
      `Option duplicatesOn 'other-partition' needs partitions >= 2, got ${partitions}; add partitions or place copies on the same partition.`,
    );
  }
  for (const kind of malformed) {
    if (!MALFORMED_KINDS.includes(kind)) {
      throw new TypeError(
        `Option malformed has unknown kind ${JSON.stringify(kind)}; choose from ${MALFORMED_KINDS.join(', ')}.`,
      );
    }
  }

  const encoded = (env: EventEnvelope): Item['value'] => {
    if (!options.encode) return { value: env };
    const { value, headers } = options.encode(env);
    return { value, ...(headers ? { headers } : {}) };
  };
  let sequence = 0;
  const place = (key: string): number =>
    spread === 'key' ? partitionForKey(key, partitions) : sequence++ % partitions;

  const events: Item[] = options.envelopes.map((env) => {
    const key = recordKey(env, options.keyField);
    return {
      kind: 'event',
      key,
      partition: place(key),
      eventType: env.event_type,
      eventId: env.event_id,
      duplicateOf: undefined,
      value: encoded(env),
    };
  });

  const copies: Item[] = [];
  for (let i = 0; i < duplicates; i++) {
    const original = events[i % events.length];
    const source = options.envelopes[i % options.envelopes.length];
    if (!original || !source) break;
    const copy = producerRetry(source);
    const partition =
      options.duplicatesOn === 'other-partition' ? (original.partition + 1) % partitions : original.partition;
    copies.push({
      kind: 'duplicate',
      key: original.key,
      partition,
      eventType: copy.event_type,
      eventId: copy.event_id,
      duplicateOf: source.event_id,
      value: encoded(copy),
    });
  }

  const base = options.envelopes[0];
  const poisonType = options.malformedType ?? base?.event_type ?? 'huleedu.sample.event.v1';
  const poison: Item[] = malformed.map((kind, i) => {
    const key = `malformed-${kind}-${i + 1}`;
    const built = malformedValue(kind, { eventType: poisonType, data: base?.data ?? {} });
    return {
      kind,
      key,
      partition: place(key),
      eventType: built.eventType,
      eventId: built.eventId,
      duplicateOf: undefined,
      value: built.value,
    };
  });

  const position = options.malformedPosition ?? 'middle';
  const at = position === 'start' ? 0 : position === 'end' ? events.length : Math.ceil(events.length / 2);
  const tombstones: Item[] = (options.tombstones ?? []).map((key) => ({
    kind: 'tombstone',
    key,
    partition: place(key),
    eventType: undefined,
    eventId: undefined,
    duplicateOf: undefined,
    value: { tombstone: true },
  }));
  const ordered = [...events.slice(0, at), ...poison, ...events.slice(at), ...copies, ...tombstones];

  const nextOffset = new Map<number, number>();
  const timestamp = options.timestamp ?? Date.now();
  const specs: { info: BuiltRecordInfo; spec: RecordSpec }[] = ordered.map((item, i) => {
    const offset = nextOffset.get(item.partition) ?? startOffset;
    nextOffset.set(item.partition, offset + 1);
    return {
      info: {
        partition: item.partition,
        offset,
        kind: item.kind,
        key: item.key,
        eventType: item.eventType,
        eventId: item.eventId,
        duplicateOf: item.duplicateOf,
      },
      spec: {
        topic: options.topic,
        partition: item.partition,
        offset,
        key: item.key,
        timestamp: timestamp + i,
        ...item.value,
        ...(options.headers || item.value.headers
          ? { headers: { ...item.value.headers, ...options.headers } }
          : {}),
      },
    };
  });
  // Lambda lists partitions in order and each partition's records by offset.
  specs.sort((a, b) => a.info.partition - b.info.partition || a.info.offset - b.info.offset);
  return {
    event: selfManaged(mskEvent(specs.map((s) => s.spec)), options.eventSource ?? 'msk'),
    records: specs.map((s) => s.info),
  };
}

/** The same records as a self-managed Kafka event source delivers them (no cluster ARN). */
function selfManaged(event: MSKEvent, source: 'msk' | 'self-managed'): MSKEvent {
  if (source === 'msk') return event;
  const { eventSourceArn: _arn, ...rest } = event;
  return {
    ...rest,
    eventSource: 'SelfManagedKafka',
    bootstrapServers: 'broker-1.example.com:9092,broker-2.example.com:9092',
  } as unknown as MSKEvent;
}

/**
 * A producer retry of an envelope: the same `data`, `event_type` and correlation id, with a fresh
 * `event_id` and timestamp, as a producer that did not see its first send acknowledged writes it.
 *
 * @example
 * ```ts
 * const again = producerRetry(original); // again.event_id !== original.event_id, same data
 * ```
 */
export function producerRetry(original: EventEnvelope, eventId: string = randomUUID()): EventEnvelope {
  return { ...original, event_id: eventId, event_timestamp: new Date().toISOString() };
}

/**
 * The value of a poison record of the given kind, and the event type and id it carries (if any).
 *
 * @example
 * ```ts
 * const { value } = malformedValue('non-json', { eventType: 'huleedu.essay.spellcheck.requested.v1', data: {} });
 * mskRecord({ topic: 't', partition: 0, offset: 0, ...value });
 * ```
 */
export function malformedValue(
  kind: MalformedKind,
  base: { readonly eventType: string; readonly data: Record<string, unknown> },
): {
  readonly value: Pick<RecordSpec, 'value' | 'rawBase64'>;
  readonly eventType: string | undefined;
  readonly eventId: string | undefined;
} {
  switch (kind) {
    case 'bad-base64':
      return {
        value: { rawBase64: `not base64! {"event_type":"${base.eventType}"}` },
        eventType: undefined,
        eventId: undefined,
      };
    case 'non-utf8': {
      // 0xC3 0x28 is an invalid two-byte sequence and 0xFF never occurs in UTF-8.
      const bytes = Buffer.concat([
        Buffer.from(`{"event_type":"${base.eventType}","data":{"text":"caf`, 'utf8'),
        Buffer.from([0xc3, 0x28, 0xff]),
        Buffer.from('"}}', 'utf8'),
      ]);
      return { value: { value: new Uint8Array(bytes) }, eventType: undefined, eventId: undefined };
    }
    case 'non-json':
      return {
        value: {
          value: `event_type=${base.eventType}; written as key=value text by a misconfigured producer`,
        },
        eventType: undefined,
        eventId: undefined,
      };
    case 'missing-data': {
      const { data: _omitted, ...rest } = makeEnvelope({ event_type: base.eventType, data: {} });
      return { value: { value: rest }, eventType: rest.event_type, eventId: rest.event_id };
    }
    case 'unknown-type': {
      const env = makeEnvelope({ event_type: UNKNOWN_EVENT_TYPE, data: { ...base.data } });
      return { value: { value: env }, eventType: env.event_type, eventId: env.event_id };
    }
    case 'oversized': {
      const env = makeEnvelope({ event_type: base.eventType, data: { ...base.data, padding: '' } });
      const size = Buffer.byteLength(JSON.stringify(env), 'utf8');
      const padded = { ...env, data: { ...env.data, padding: 'x'.repeat(OVERSIZED_VALUE_BYTES - size) } };
      return { value: { value: padded }, eventType: env.event_type, eventId: env.event_id };
    }
  }
}

/**
 * The Kafka record key of an envelope: the given `data` field, else `essay_id` or `batch_id`, else
 * the event id.
 *
 * @example
 * ```ts
 * recordKey(envelope({ event_type: 't', data: { essay_id: 'e-1' } })); // 'e-1'
 * ```
 */
export function recordKey(env: EventEnvelope, keyField?: string): string {
  const fields = keyField ? [keyField] : ['essay_id', 'batch_id'];
  for (const field of fields) {
    const value = env.data[field];
    if (typeof value === 'string' || typeof value === 'number') return String(value);
  }
  if (keyField) {
    throw new TypeError(
      `Option keyField ${JSON.stringify(keyField)} is not a string or number field of event ${env.event_id} (${env.event_type}).`,
    );
  }
  return env.event_id;
}

/**
 * A stable partition for a record key: FNV-1a (32-bit) of its UTF-8 bytes, modulo the partition
 * count. Not Kafka's murmur2, but equally deterministic, which is all a sample needs.
 *
 * @example
 * ```ts
 * partitionForKey('essay-1', 3) === partitionForKey('essay-1', 3); // true
 * ```
 */
export function partitionForKey(key: string, partitions: number): number {
  let hash = 0x811c9dc5;
  for (const byte of Buffer.from(key, 'utf8')) {
    hash ^= byte;
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash % partitions;
}

/**
 * Replaces `{{n}}` in a template with a number, so that `--count` can make distinct events.
 *
 * @example
 * ```ts
 * expandTemplate('{"essay_id":"essay-{{n}}"}', 3); // '{"essay_id":"essay-3"}'
 * ```
 */
export function expandTemplate(template: string, n: number): string {
  return template.replaceAll('{{n}}', String(n));
}

function integer(option: string, value: number, min: number, max: number): number {
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    throw new TypeError(`Option ${option} must be an integer from ${min} to ${max}, got ${value}.`);
  }
  return value;
}
