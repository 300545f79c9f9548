/**
 * The rules of Lambda's Kafka event source mapping (ESM), without any I/O: the settings a mapping
 * runs with (from the manifest and `TRIGGER_DEFAULTS`, the construct's own source), which records
 * form the next batch, how a function's response is read, and what happens to a partition after
 * an invocation succeeded, reported item failures, or failed. The local emulator
 * (`tools/kafka/emulator.ts`) drives the real broker with them; every rule has a unit test
 * (`test/unit/tools/kafka/esm-rules.test.ts`). AWS's documented behaviour, DESIGN.md §8.
 *
 * Choices where AWS documents nothing, made explicit here:
 * - one invocation carries the records of one partition (the ESM may mix partitions in a payload;
 *   per-partition payloads keep each partition's retries independent, as AWS's are);
 * - a failure counts one attempt against `MaximumRetryAttempts` for the records it covered; a
 *   bisected half inherits its parent's attempts; progress (a commit) starts the count afresh;
 * - a retry waits {@link ESM_LOCAL_DEFAULTS.retryBackoffMs} (doubling, capped).
 */
import { TRIGGER_DEFAULTS } from '../../infra/lib/trigger-defaults';
import type { ConsumerManifest } from '../../shared/internal';

/**
 * Settings of the local emulator that `TRIGGER_DEFAULTS` does not hold (AWS does not make them
 * settings of a mapping).
 *
 * @example
 * ```ts
 * const backoff = ESM_LOCAL_DEFAULTS.retryBackoffMs.first;
 * ```
 */
export const ESM_LOCAL_DEFAULTS = {
  /** Delay before a failed batch is retried: `first` ms, doubling, at most `max` ms. */
  retryBackoffMs: { first: 100, max: 2000 },
  /** Bytes the event around the records takes (`eventSource`, `eventSourceArn`, `bootstrapServers`). */
  eventOverheadBytes: 1024,
} as const;

/** `StartingPosition` of a mapping. */
export type StartingPositionName = 'TRIM_HORIZON' | 'LATEST' | 'AT_TIMESTAMP';

/** What one event source mapping (one consumer, one topic) runs with. */
export interface MappingSettings {
  readonly service: string;
  readonly topic: string;
  /** `<service>.<topic>`, as the construct's `addMskTrigger` names the group. */
  readonly groupId: string;
  readonly startingPosition: StartingPositionName;
  /** With `AT_TIMESTAMP`: epoch ms. */
  readonly startingPositionTimestampMs?: number;
  readonly batchSize: number;
  readonly maxBatchingWindowMs: number;
  readonly maxPayloadBytes: number;
  /** -1: infinite. */
  readonly retryAttempts: number;
  readonly bisectBatchOnError: boolean;
  /** -1: no limit. */
  readonly maxRecordAgeSeconds: number;
  readonly reportBatchItemFailures: boolean;
  readonly timeoutMs: number;
}

/** Overrides of {@link mappingSettings} (the construct's `addMskTrigger` props, in plain units). */
export type MappingOverrides = Partial<Omit<MappingSettings, 'service' | 'topic' | 'groupId'>> & {
  /** The construct's `consumerGroupId` prop. @default the service */
  readonly consumerGroupId?: string;
};

function range(name: string, value: number, ok: boolean, allowed: string): void {
  if (!Number.isInteger(value) || !ok) {
    throw new TypeError(`Event source mapping setting ${name} must be ${allowed}, got ${value}.`);
  }
}

/**
 * The settings of a consumer's mapping for one of its topics: `TRIGGER_DEFAULTS` (what the
 * construct deploys) under the overrides given. Each value is checked against the ESM's ranges.
 *
 * @example
 * ```ts
 * const settings = mappingSettings(spellchecker, 'huleedu.essay.spellcheck.requested.v1', { batchSize: 10 });
 * settings.groupId; // 'spellchecker.huleedu.essay.spellcheck.requested.v1'
 * ```
 */
export function mappingSettings(
  manifest: Pick<ConsumerManifest, 'service' | 'topics'>,
  topic: string,
  overrides: MappingOverrides = {},
): MappingSettings {
  if (!manifest.topics.includes(topic)) {
    throw new TypeError(
      `Consumer ${manifest.service} does not consume ${JSON.stringify(topic)}; its topics: ${manifest.topics.join(', ')}.`,
    );
  }
  const { consumerGroupId, ...rest } = overrides;
  const s: MappingSettings = {
    service: manifest.service,
    topic,
    groupId: `${consumerGroupId ?? manifest.service}.${topic}`,
    startingPosition: TRIGGER_DEFAULTS.startingPosition,
    batchSize: TRIGGER_DEFAULTS.batchSize,
    maxBatchingWindowMs: TRIGGER_DEFAULTS.maxBatchingWindowMs,
    maxPayloadBytes: TRIGGER_DEFAULTS.maxPayloadBytes,
    retryAttempts: TRIGGER_DEFAULTS.retryAttempts,
    bisectBatchOnError: TRIGGER_DEFAULTS.bisectBatchOnError,
    maxRecordAgeSeconds: TRIGGER_DEFAULTS.maxRecordAgeSeconds,
    reportBatchItemFailures: TRIGGER_DEFAULTS.reportBatchItemFailures,
    timeoutMs: TRIGGER_DEFAULTS.timeoutSeconds * 1000,
    ...rest,
  };
  range('batchSize', s.batchSize, s.batchSize >= 1 && s.batchSize <= 10_000, 'an integer from 1 to 10000');
  range(
    'maxBatchingWindowMs',
    s.maxBatchingWindowMs,
    s.maxBatchingWindowMs >= 0 && s.maxBatchingWindowMs <= 300_000,
    'an integer from 0 to 300000 (ms)',
  );
  range(
    'retryAttempts',
    s.retryAttempts,
    s.retryAttempts >= -1 && s.retryAttempts <= 10_000,
    '-1 (infinite) or an integer from 0 to 10000',
  );
  range(
    'maxRecordAgeSeconds',
    s.maxRecordAgeSeconds,
    s.maxRecordAgeSeconds === -1 || (s.maxRecordAgeSeconds >= 60 && s.maxRecordAgeSeconds <= 604_800),
    '-1 (no limit) or an integer from 60 to 604800',
  );
  range(
    'timeoutMs',
    s.timeoutMs,
    s.timeoutMs >= 1 && s.timeoutMs <= 840_000,
    'an integer from 1 to 840000 (14 minutes)',
  );
  range('maxPayloadBytes', s.maxPayloadBytes, s.maxPayloadBytes >= 1, 'a positive integer');
  if (s.startingPosition === 'AT_TIMESTAMP' && s.startingPositionTimestampMs === undefined) {
    throw new TypeError(
      'Event source mapping setting startingPosition AT_TIMESTAMP needs startingPositionTimestampMs.',
    );
  }
  return s;
}

/**
 * The size of one record in the invocation payload (base64 key and value, header byte arrays,
 * the record's JSON fields), as the 6 MB cap counts it.
 *
 * @example
 * ```ts
 * payloadBytes({ key: null, value: Buffer.from('{}'), headers: [] }); // 164
 * ```
 */
export function payloadBytes(record: {
  readonly key: Buffer | null;
  readonly value: Buffer | null;
  readonly headers: readonly (readonly [string, Buffer])[];
}): number {
  const b64 = (n: number): number => Math.ceil(n / 3) * 4;
  let size = 160 + b64(record.key?.length ?? 0) + b64(record.value?.length ?? 0);
  // A header byte is up to 4 characters of a JSON number array ("255,").
  for (const [name, value] of record.headers) size += name.length + 8 + value.length * 4;
  return size;
}

/** A record waiting in a partition's buffer, as the batcher sees it. */
export interface BufferedRecord {
  readonly offset: number;
  /** {@link payloadBytes} of the record. */
  readonly bytes: number;
  /** When the emulator received it (epoch ms), for the batching window. */
  readonly receivedAt: number;
}

/** What the batcher decided for one partition. */
export type BatchDecision =
  | { readonly kind: 'invoke'; readonly count: number; readonly bytes: number }
  | { readonly kind: 'wait'; readonly untilMs: number }
  | { readonly kind: 'idle' };

/**
 * The batcher: how many of a partition's buffered records (from its committed offset, in order)
 * go into the next invocation, or until when to wait. A batch is sent when it holds `batchSize`
 * records, when the next record would pass the payload cap, or when the batching window since its
 * first record has closed. A record alone larger than the cap is still sent alone (the function
 * then fails on it as Lambda's payload check would, and the retry rules apply). `limit` caps the
 * records (a bisected half).
 *
 * @example
 * ```ts
 * nextBatch([{ offset: 0, bytes: 300, receivedAt: 0 }], { batchSize: 100, maxBatchingWindowMs: 500, maxPayloadBytes: 6291456 }, 600);
 * // { kind: 'invoke', count: 1, bytes: 1324 }
 * ```
 */
export function nextBatch(
  buffered: readonly BufferedRecord[],
  settings: Pick<MappingSettings, 'batchSize' | 'maxBatchingWindowMs' | 'maxPayloadBytes'>,
  now: number,
  limit?: number,
): BatchDecision {
  const first = buffered[0];
  if (!first) return { kind: 'idle' };
  const max = Math.min(settings.batchSize, limit ?? settings.batchSize);
  let bytes = ESM_LOCAL_DEFAULTS.eventOverheadBytes;
  let count = 0;
  for (const record of buffered) {
    if (count >= max) break;
    if (count > 0 && bytes + record.bytes > settings.maxPayloadBytes) {
      return { kind: 'invoke', count, bytes };
    }
    bytes += record.bytes;
    count++;
  }
  // A bisected half is retried at once: its records are all there.
  if (count >= max || limit !== undefined) return { kind: 'invoke', count, bytes };
  const closesAt = first.receivedAt + settings.maxBatchingWindowMs;
  if (now >= closesAt) return { kind: 'invoke', count, bytes };
  return { kind: 'wait', untilMs: closesAt };
}

/**
 * The range of the next invocation of a partition, `[from, to)` as the batcher cut it, and the
 * planned ranges left: a planned range (a retry, a bisected half) heads the queue and lends the
 * batch its attempts; when the payload cap cut it short, its rest stays planned.
 *
 * @example
 * ```ts
 * takePlanned([{ from: 0, to: 10, attempts: 2 }], 0, 6);
 * // { range: { from: 0, to: 6, attempts: 2 }, queue: [{ from: 6, to: 10, attempts: 2 }] }
 * ```
 */
export function takePlanned(
  queue: readonly PlannedRange[],
  from: number,
  to: number,
): { readonly range: PlannedRange; readonly queue: PlannedRange[] } {
  const [head, ...rest] = queue;
  if (!head) return { range: { from, to, attempts: 0 }, queue: [] };
  const range = { from, to, attempts: head.attempts };
  return {
    range,
    queue: to < head.to ? [{ from: to, to: head.to, attempts: head.attempts }, ...rest] : rest,
  };
}

/** How the mapping reads what the function returned. */
export type ResponseVerdict =
  | { readonly kind: 'success' }
  /** Resume the partition from `offset` (records before it are committed). */
  | { readonly kind: 'partial'; readonly offset: number }
  /** The whole batch fails, as a function error would. */
  | { readonly kind: 'invalid'; readonly reason: string };

/**
 * Reads a function's response under `ReportBatchItemFailures`, as AWS documents for partial batch
 * responses: no response, an empty object, a `batchItemFailures` that is null or empty mean
 * success; otherwise every item must name this batch's partition (`<topic>-<partition>`) and an
 * offset of this batch, and the partition resumes from the lowest one. Anything else (not an
 * object, `batchItemFailures` not an array, an item without `itemIdentifier`, a string
 * identifier, an unknown partition or offset) fails the whole batch. Without
 * `ReportBatchItemFailures` any response is success. Reasons name the item's position, never its
 * content.
 *
 * @example
 * ```ts
 * readResponse({ batchItemFailures: [{ itemIdentifier: { partition: 't-0', offset: 7 } }] }, { topic: 't', partition: 0, from: 5, to: 10 }, true);
 * // { kind: 'partial', offset: 7 }
 * ```
 */
export function readResponse(
  response: unknown,
  batch: { readonly topic: string; readonly partition: number; readonly from: number; readonly to: number },
  reportBatchItemFailures: boolean,
): ResponseVerdict {
  if (!reportBatchItemFailures || response === undefined || response === null) return { kind: 'success' };
  if (typeof response !== 'object' || Array.isArray(response)) {
    return {
      kind: 'invalid',
      reason: `the response is ${Array.isArray(response) ? 'an array' : `a ${typeof response}`}, not an object`,
    };
  }
  if (!Object.hasOwn(response, 'batchItemFailures')) return { kind: 'success' };
  const failures = (response as { batchItemFailures?: unknown }).batchItemFailures;
  if (failures === null) return { kind: 'success' };
  if (!Array.isArray(failures)) return { kind: 'invalid', reason: 'batchItemFailures is not an array' };
  if (failures.length === 0) return { kind: 'success' };
  const name = `${batch.topic}-${batch.partition}`;
  let lowest = Number.POSITIVE_INFINITY;
  for (const [i, item] of failures.entries()) {
    const id =
      typeof item === 'object' && item !== null && Object.hasOwn(item, 'itemIdentifier')
        ? (item as { itemIdentifier: unknown }).itemIdentifier
        : undefined;
    if (typeof id !== 'object' || id === null) {
      return { kind: 'invalid', reason: `batchItemFailures[${i}].itemIdentifier is not an object` };
    }
    const partition = Object.hasOwn(id, 'partition') ? (id as { partition: unknown }).partition : undefined;
    const offset = Object.hasOwn(id, 'offset') ? (id as { offset: unknown }).offset : undefined;
    if (partition !== name) {
      return {
        kind: 'invalid',
        reason: `batchItemFailures[${i}].itemIdentifier.partition is not this batch's partition`,
      };
    }
    if (
      typeof offset !== 'number' ||
      !Number.isInteger(offset) ||
      offset < batch.from ||
      offset >= batch.to
    ) {
      return {
        kind: 'invalid',
        reason: `batchItemFailures[${i}].itemIdentifier.offset is not an offset of this batch`,
      };
    }
    lowest = Math.min(lowest, offset);
  }
  return { kind: 'partial', offset: lowest };
}

/** What an invocation came to, as the mapping sees it. */
export type InvocationOutcome =
  | { readonly kind: 'returned'; readonly response: unknown }
  | { readonly kind: 'error'; readonly reason: 'threw' | 'timeout' | 'crashed'; readonly message: string };

/** Offsets `[from, to)` of one partition, with the attempts that already failed on them. */
export interface PlannedRange {
  readonly from: number;
  readonly to: number;
  readonly attempts: number;
}

/** What to do with a partition after an invocation. */
export interface SettlePlan {
  /** The offset to commit (next to read), when it moves. */
  readonly commit?: number;
  /** Records `[from, to)` sent to the on-failure destination (then committed past). */
  readonly discard?: {
    readonly from: number;
    readonly to: number;
    readonly condition: 'RetryAttemptsExhausted' | 'RecordAgeExceeded';
    readonly attempts: number;
  };
  /** Ranges to deliver next, in order, before reading on (a retry or the halves of a bisect). */
  readonly queue: readonly PlannedRange[];
  /** Wait before the next delivery (ms). */
  readonly delayMs: number;
  /** The verdict on the response, or the error, in words. */
  readonly outcome: 'success' | 'partial' | 'failed' | 'discarded';
  readonly reason?: string;
}

/** `ReportBatchItemFailures` and the retry settings of {@link settle}. */
export type SettleSettings = Pick<
  MappingSettings,
  'topic' | 'retryAttempts' | 'bisectBatchOnError' | 'maxRecordAgeSeconds' | 'reportBatchItemFailures'
>;

function backoff(attempts: number): number {
  const { first, max } = ESM_LOCAL_DEFAULTS.retryBackoffMs;
  return Math.min(max, first * 2 ** Math.max(0, attempts - 1));
}

/**
 * The retry, bisect and discard planner. After a success the partition commits past the batch
 * (`queue` is the rest of a bisect). After reported item failures it commits up to the lowest
 * reported offset, and the rest of the batch counts as failed once. After a failure (a throw, a
 * timeout, a crash, an invalid response):
 * - records older than `MaximumRecordAgeInSeconds` (by their oldest timestamp) are discarded;
 * - a range that failed more than `MaximumRetryAttempts` times is discarded;
 * - else with `BisectBatchOnFunctionError` a range of two or more records that failed as a whole
 *   (not by reported item failures) is split in two halves, delivered one after the other;
 *   otherwise the same range is delivered again.
 * A discarded range goes to the on-failure destination and is committed past.
 *
 * @example
 * ```ts
 * settle({ from: 0, to: 10, attempts: 0 }, [], { kind: 'error', reason: 'threw', message: 'boom' }, settings, { now: Date.now(), oldestTimestamp: Date.now() });
 * // { queue: [{ from: 0, to: 5, attempts: 1 }, { from: 5, to: 10, attempts: 1 }], outcome: 'failed', delayMs: 100, ... }
 * ```
 */
export function settle(
  batch: PlannedRange & { readonly partition: number },
  rest: readonly PlannedRange[],
  outcome: InvocationOutcome,
  settings: SettleSettings,
  clock: { readonly now: number; readonly oldestTimestamp: number },
): SettlePlan {
  let failedFrom = batch.from;
  let reason: string;
  let partial = false;
  if (outcome.kind === 'returned') {
    const verdict = readResponse(
      outcome.response,
      { topic: settings.topic, partition: batch.partition, from: batch.from, to: batch.to },
      settings.reportBatchItemFailures,
    );
    if (verdict.kind === 'success') return { commit: batch.to, queue: rest, delayMs: 0, outcome: 'success' };
    if (verdict.kind === 'partial') {
      failedFrom = verdict.offset;
      partial = true;
      reason = `item failure reported at offset ${verdict.offset}`;
    } else {
      reason = `invalid partial batch response: ${verdict.reason}`;
    }
  } else {
    reason = `${outcome.reason}: ${outcome.message}`;
  }
  const progressed = failedFrom > batch.from;
  const attempts = (progressed ? 0 : batch.attempts) + 1;
  const failed = { from: failedFrom, to: batch.to, attempts };
  const commit = progressed ? { commit: failedFrom } : {};
  const ageLimit = settings.maxRecordAgeSeconds;
  const condition =
    ageLimit >= 0 && clock.now - clock.oldestTimestamp > ageLimit * 1000
      ? 'RecordAgeExceeded'
      : settings.retryAttempts >= 0 && attempts > settings.retryAttempts
        ? 'RetryAttemptsExhausted'
        : undefined;
  if (condition) {
    return {
      ...commit,
      discard: { from: failed.from, to: failed.to, condition, attempts },
      queue: rest,
      delayMs: 0,
      outcome: 'discarded',
      reason,
    };
  }
  const size = failed.to - failed.from;
  const queue =
    settings.bisectBatchOnError && size >= 2 && !partial
      ? [
          { from: failed.from, to: failed.from + Math.ceil(size / 2), attempts },
          { from: failed.from + Math.ceil(size / 2), to: failed.to, attempts },
          ...rest,
        ]
      : [failed, ...rest];
  return { ...commit, queue, delayMs: backoff(attempts), outcome: partial ? 'partial' : 'failed', reason };
}
