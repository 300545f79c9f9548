/**
 * How a local invocation is reported: the per-record table a person reads, and the one-line JSON
 * summary a script or test reads (always the last line of `npm run invoke`'s stdout).
 */
import { randomUUID } from 'node:crypto';
import type { Context } from 'aws-lambda';
import {
  type BatchReport,
  BatchRetryError,
  describe,
  type KafkaBatchResponse,
  type RecordReport,
  type RecordStatusInBatch,
} from '../../shared/internal';
import { type Column, formatTable, shortKey } from './cli';

/** The last stdout line of `npm run invoke`, as JSON. */
export interface InvokeSummary {
  readonly function: string;
  readonly records: number;
  readonly processed: number;
  /** Records skipped as duplicates, across batches or inside this one. */
  readonly duplicates: number;
  /** Permanent failures: recorded `failed` and dead-lettered. */
  readonly failed: number;
  /** Retryable failures (`retry`, `in-progress-elsewhere`): released, delivered again. */
  readonly retryable: number;
  /** Records not reached because an earlier record of their partition must be retried. */
  readonly skipped: number;
  /** The first offset to redeliver, per partition (what a partial batch response returns). */
  readonly batchItemFailures: KafkaBatchResponse['batchItemFailures'];
  /** What the Lambda entry point threw (`Name: message`), else `null`. */
  readonly error: string | null;
}

/**
 * Summarises a batch report as the Lambda entry point built by `createKafkaHandler` would answer
 * it: with a partial batch response it returns `batchItemFailures` and never throws for a record;
 * without it, any record to retry makes it throw a {@link BatchRetryError}.
 *
 * @example
 * ```ts
 * const summary = summarize('spellchecker', await handler.process(event, context), true);
 * ```
 */
export function summarize(
  functionName: string,
  report: BatchReport,
  partialBatchResponse: boolean,
): InvokeSummary {
  const c = report.counts;
  const thrown =
    !partialBatchResponse && report.batchItemFailures.length > 0
      ? describe(new BatchRetryError(report))
      : null;
  return {
    function: functionName,
    records: report.records.length,
    processed: c.processed,
    duplicates: c.duplicate,
    failed: c.failed,
    retryable: c.retry + c['in-progress-elsewhere'],
    skipped: c.skipped,
    batchItemFailures: report.batchItemFailures,
    error: thrown,
  };
}

/**
 * The summary of an invocation that broke before a report existed (config error, bad event).
 *
 * @example
 * ```ts
 * brokenSummary('spellchecker', new Error('Environment variable X is required'));
 * ```
 */
export function brokenSummary(functionName: string, error: unknown): InvokeSummary {
  return {
    function: functionName,
    records: 0,
    processed: 0,
    duplicates: 0,
    failed: 0,
    retryable: 0,
    skipped: 0,
    batchItemFailures: [],
    error: describe(error),
  };
}

/**
 * What each record status means, for the legend under the table.
 *
 * @example
 * ```ts
 * STATUS_MEANING.skipped; // 'not reached: an earlier record of its partition must be retried first'
 * ```
 */
export const STATUS_MEANING: Readonly<Record<RecordStatusInBatch, string>> = {
  processed: 'the handler ran once and its completion is durable',
  duplicate: 'seen before (or earlier in this batch): skipped, the handler did not run',
  failed: 'permanent error: recorded `failed` and dead-lettered; the partition moved on',
  retry: 'retryable error: released, the record will be delivered again',
  'in-progress-elsewhere': 'another worker holds its lease: delivered again later',
  skipped: 'not reached: an earlier record of its partition must be retried first',
};

function statusText(record: RecordReport): string {
  return record.inBatchDuplicate && record.status === 'duplicate' ? 'duplicate (in batch)' : record.status;
}

/**
 * Renders a batch report as an aligned table (partition, offset, event type, status, key, error)
 * followed by a legend of the statuses that occur.
 *
 * @example
 * ```ts
 * console.log(formatReport(report));
 * ```
 */
export function formatReport(report: BatchReport, options: { readonly errorWidth?: number } = {}): string {
  const columns: Column<RecordReport>[] = [
    { header: 'partition', cell: (r) => `${r.partition}`, right: true },
    { header: 'offset', cell: (r) => `${r.offset}`, right: true },
    { header: 'event type', cell: (r) => r.eventType ?? '(undecodable)' },
    { header: 'status', cell: statusText },
    { header: 'key', cell: (r) => shortKey(r.idempotencyKey) },
    { header: 'error', cell: (r) => r.error ?? '', max: options.errorWidth ?? 90 },
  ];
  const present = (Object.keys(STATUS_MEANING) as RecordStatusInBatch[]).filter((s) => report.counts[s] > 0);
  const legend = present.map((s) => `  ${s.padEnd(21)} ${STATUS_MEANING[s]}`);
  return [formatTable(columns, report.records), '', ...legend].join('\n');
}

/**
 * A stand-in for the Lambda context: names, a request id and `getRemainingTimeInMillis` counting
 * down from the function timeout, so that the layer computes its lease as in AWS.
 *
 * @example
 * ```ts
 * const report = await handler.process(event, fakeLambdaContext('spellchecker', 60_000));
 * ```
 */
export function fakeLambdaContext(functionName: string, timeoutMs: number): Context {
  const deadline = Date.now() + timeoutMs;
  const unsupported = () => {
    throw new Error('The local Lambda context does not support done/fail/succeed; return or throw instead.');
  };
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:us-east-1:123456789012:function:${functionName}`,
    memoryLimitInMB: '1024',
    awsRequestId: randomUUID(),
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: `local/${new Date().toISOString().slice(0, 10)}/[$LATEST]local`,
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: unsupported,
    fail: unsupported,
    succeed: unsupported,
  };
}
