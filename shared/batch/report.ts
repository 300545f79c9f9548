import type { DecodedEvent } from '../envelope';
import { DeadLetterUnavailableError, describe } from '../errors';
import type { BatchRecord } from '../kafka';
import type { IdempotencyKey } from '../keys';
import type { Outcome } from '../outcome';

/** The Kafka partial batch response: the first failed offset of each affected partition. */
export interface KafkaBatchResponse {
  readonly batchItemFailures: {
    readonly itemIdentifier: { readonly partition: string; readonly offset: number };
  }[];
}

/** What happened to one record of a batch. `skipped`: not attempted, its partition stopped earlier. */
export type RecordStatusInBatch = Outcome<unknown>['status'] | 'skipped';

/** Every {@link RecordStatusInBatch}, in the order a report counts them. */
const STATUSES: readonly RecordStatusInBatch[] = [
  'processed',
  'duplicate',
  'in-progress-elsewhere',
  'failed',
  'retry',
  'skipped',
];

/** Per-record line of a {@link BatchReport}. */
export interface RecordReport {
  readonly topic: string;
  readonly partition: number;
  readonly offset: number;
  readonly status: RecordStatusInBatch;
  readonly idempotencyKey: string;
  readonly eventType: string | undefined;
  readonly eventId: string | undefined;
  /** `true` when this record repeated an earlier record of the same batch. */
  readonly inBatchDuplicate: boolean;
  /** `Name: message` of the error, for failed and retryable records. */
  readonly error: string | undefined;
  /** The handler's result (processed) or the cached result (duplicate). */
  readonly result: unknown;
}

/** What one invocation did, record by record. */
export interface BatchReport {
  readonly records: readonly RecordReport[];
  readonly counts: Readonly<Record<RecordStatusInBatch, number>>;
  readonly batchItemFailures: KafkaBatchResponse['batchItemFailures'];
  /**
   * Set when a poison record could not be dead-lettered (after the sink's own retries): the
   * handler then throws, partial batch response or not, so the failure is loud and bounded by the
   * event source mapping's retry policy instead of a silent per-record loop.
   */
  readonly deadLetterFailure: DeadLetterUnavailableError | undefined;
  readonly durationMs: number;
}

/** A record of the batch, as a report names it. */
export interface ReportedRecord {
  readonly record: BatchRecord;
  readonly decoded: DecodedEvent;
  readonly key: IdempotencyKey;
  /** `true` when it repeats an earlier record of the batch. */
  readonly inBatchDuplicate: boolean;
}

/**
 * The report line of a record.
 *
 * @example
 * ```ts
 * recordReport(item, 'retry', 'an earlier copy in this batch was not processed', undefined);
 * ```
 */
export function recordReport(
  item: ReportedRecord,
  status: RecordStatusInBatch,
  error: string | undefined,
  result: unknown,
): RecordReport {
  const { decoded, record } = item;
  return {
    topic: record.coordinates.topic,
    partition: record.coordinates.partition,
    offset: record.coordinates.offset,
    status,
    idempotencyKey: item.key.id,
    eventType: decoded.ok ? decoded.envelope.event_type : decoded.eventType,
    eventId: decoded.ok ? decoded.envelope.event_id : undefined,
    inBatchDuplicate: item.inBatchDuplicate,
    error,
    result,
  };
}

/**
 * The report line of a record from its outcome: the error described, the result when there is one.
 *
 * @example
 * ```ts
 * const line = outcomeReport(item, await idem.run(item.decoded, handler));
 * ```
 */
export function outcomeReport(item: ReportedRecord, outcome: Outcome<unknown>): RecordReport {
  const error = 'error' in outcome ? describe(outcome.error) : undefined;
  return recordReport(item, outcome.status, error, resultOf(outcome));
}

/** The handler's result (processed) or the cached one (duplicate); `undefined` otherwise. */
export function resultOf(outcome: Outcome<unknown>): unknown {
  return outcome.status === 'processed' || outcome.status === 'duplicate' ? outcome.result : undefined;
}

/** `true` when an outcome stops its partition: the record must come again, and those after it. */
export function mustStop(outcome: Outcome<unknown>): boolean {
  return outcome.status === 'retry' || outcome.status === 'in-progress-elsewhere';
}

/** The error of an outcome described, else its status: why a copy of its record is retried. */
export function describeOutcome(outcome: Outcome<unknown>): string {
  return 'error' in outcome ? describe(outcome.error) : outcome.status;
}

/** The dead-letter failure an outcome carries, when a poison record could not be dead-lettered. */
export function deadLetterFailureOf(outcome: Outcome<unknown>): DeadLetterUnavailableError | undefined {
  return outcome.status === 'retry' && outcome.error instanceof DeadLetterUnavailableError
    ? outcome.error
    : undefined;
}

/**
 * The batch's report from its records' lines, partition by partition in offset order: counts by
 * status, and for each partition with a record to retry (retry, held elsewhere, or skipped) the
 * lowest such offset, from which the event source mapping resumes it.
 *
 * @example
 * ```ts
 * const report = buildReport(new Map([['orders-0', lines]]), undefined, 12);
 * report.batchItemFailures; // [{ itemIdentifier: { partition: 'orders-0', offset: 3 } }]
 * ```
 */
export function buildReport(
  partitions: ReadonlyMap<string, readonly RecordReport[]>,
  deadLetterFailure: DeadLetterUnavailableError | undefined,
  durationMs: number,
): BatchReport {
  const records: RecordReport[] = [];
  const counts = Object.fromEntries(STATUSES.map((status) => [status, 0])) as Record<
    RecordStatusInBatch,
    number
  >;
  const batchItemFailures: KafkaBatchResponse['batchItemFailures'] = [];
  for (const [partition, lines] of partitions) {
    let firstFailed: number | undefined;
    for (const line of lines) {
      records.push(line);
      counts[line.status] += 1;
      const mustRetry =
        line.status === 'retry' || line.status === 'in-progress-elsewhere' || line.status === 'skipped';
      if (mustRetry && (firstFailed === undefined || line.offset < firstFailed)) firstFailed = line.offset;
    }
    if (firstFailed !== undefined)
      batchItemFailures.push({ itemIdentifier: { partition, offset: firstFailed } });
  }
  return { records, counts, batchItemFailures, deadLetterFailure, durationMs };
}
