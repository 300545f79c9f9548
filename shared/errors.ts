/**
 * Errors of the idempotency layer. Whether an error is worth retrying is a property of the error
 * (`retryable`), never a match on its message.
 */

import type { BatchReport } from './batch/report';

/** Options accepted by every error of the library. */
export interface IdempotencyErrorOptions {
  /** The idempotency key concerned, when there is one. */
  readonly key?: string;
  /** The underlying error. */
  readonly cause?: unknown;
}

/**
 * Base class of every error the layer raises.
 *
 * @example
 * ```ts
 * declare const outcome: Outcome<unknown>;
 * if (outcome.status === 'retry' && outcome.error instanceof IdempotencyError) console.log(outcome.error.retryable);
 * ```
 */
export class IdempotencyError extends Error {
  /** `true` when the same record may succeed if delivered again later. */
  readonly retryable: boolean;
  /** The idempotency key concerned, when there is one. */
  readonly key: string | undefined;

  constructor(message: string, retryable: boolean, options: IdempotencyErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'IdempotencyError';
    this.retryable = retryable;
    this.key = options.key;
  }
}

/**
 * Another attempt holds a live lease on this key. Retryable: deliver the record again later.
 *
 * @example
 * ```ts
 * if (outcome.status === 'in-progress-elsewhere') console.log(outcome.error.leaseExpiresAt);
 * ```
 */
export class InProgressElsewhereError extends IdempotencyError {
  /** Epoch ms at which the other attempt's lease ends and the key may be taken over. */
  readonly leaseExpiresAt: number;

  constructor(key: string, leaseExpiresAt: number, options: IdempotencyErrorOptions = {}) {
    super(
      `Idempotency key ${key} is being processed by another attempt until ${new Date(leaseExpiresAt).toISOString()}; deliver the record again after that.`,
      true,
      { ...options, key },
    );
    this.name = 'InProgressElsewhereError';
    this.leaseExpiresAt = leaseExpiresAt;
  }
}

/**
 * This attempt's lease was taken over by another attempt, so its completion, release or failure
 * was refused to protect the new owner's record. Retryable: the new owner finishes the work.
 *
 * @example
 * ```ts
 * catch (e) { if (e instanceof LeaseLostError) logger.warn('lease lost', { key: e.key, owner: e.currentOwner }); }
 * ```
 */
export class LeaseLostError extends IdempotencyError {
  /** Owner token now on the record, or `undefined` when the record is gone. */
  readonly currentOwner: string | undefined;

  constructor(
    key: string,
    operation: string,
    currentOwner: string | undefined,
    options: IdempotencyErrorOptions = {},
  ) {
    super(
      `Cannot ${operation} idempotency key ${key}: this attempt no longer holds its lease (now held by ${currentOwner ?? 'nobody'}). Raise the lease margin if handlers outlive their lease.`,
      true,
      { ...options, key },
    );
    this.name = 'LeaseLostError';
    this.currentOwner = currentOwner;
  }
}

/**
 * A record could not be decoded or validated (bad base64, non-UTF-8, non-JSON, schema violation,
 * unknown event type). Permanent: the record goes to the dead-letter path.
 *
 * @example
 * ```ts
 * throw new InvalidRecordError('data.essay_ids must be a non-empty array', { key });
 * ```
 */
export class InvalidRecordError extends IdempotencyError {
  constructor(message: string, options: IdempotencyErrorOptions = {}) {
    super(message, false, options);
    this.name = 'InvalidRecordError';
  }
}

/**
 * The same idempotency key arrived with a different payload than the one recorded. Permanent: a
 * producer reused a key for another event; fix the producer or the key strategy.
 *
 * @example
 * ```ts
 * if (outcome.status === 'failed' && outcome.error instanceof PayloadMismatchError) alertProducerTeam();
 * ```
 */
export class PayloadMismatchError extends IdempotencyError {
  constructor(key: string, storedHash: string, receivedHash: string) {
    super(
      `Idempotency key ${key} was recorded with payload hash ${storedHash} but arrived with ${receivedHash}: the producer reused a key for a different payload.`,
      false,
      { key },
    );
    this.name = 'PayloadMismatchError';
  }
}

/**
 * The idempotency store could not be reached or refused the request after the SDK's retries.
 * Retryable. With `failureMode: 'fail-closed'` (the default) the record is not processed.
 *
 * @example
 * ```ts
 * catch (e) { if (e instanceof StoreUnavailableError) return retryLater(); }
 * ```
 */
export class StoreUnavailableError extends IdempotencyError {
  /** The store operation that failed: `claim`, `complete`, `release`, `fail`, `get`. */
  readonly operation: string;

  constructor(operation: string, key: string | undefined, cause: unknown) {
    super(
      `Idempotency store ${operation} failed${key === undefined ? '' : ` for key ${key}`}: ${describe(cause)}. Check the table name, the endpoint and IAM permissions; the record will be retried.`,
      true,
      { key, cause },
    );
    this.name = 'StoreUnavailableError';
    this.operation = operation;
  }
}

/**
 * A permanent failure could not be dead-lettered: the sink (SQS, a file) refused it after its own
 * retries. Retryable: the record is released and comes again, never lost; the batch that met it
 * fails as a whole (`BatchRetryError`), so the event source mapping's retry policy and alarms see it.
 *
 * @example
 * ```ts
 * if (error instanceof BatchRetryError && error.cause instanceof DeadLetterUnavailableError) page();
 * ```
 */
export class DeadLetterUnavailableError extends IdempotencyError {
  constructor(key: string, cause: unknown) {
    super(
      `Dead-letter send for ${key} failed: ${describe(cause)}. Check the dead-letter queue (its URL, the function's sqs:SendMessage grant); the record was released and will be retried.`,
      true,
      { key, cause },
    );
    this.name = 'DeadLetterUnavailableError';
  }
}

/**
 * A caller-supplied write in a transactional completion failed its own condition. The `completed`
 * mark was not written either. Permanent by default: the business rule rejected the event.
 *
 * @example
 * ```ts
 * if (e instanceof BusinessConditionFailedError) logger.warn('rejected', { index: e.writeIndex });
 * ```
 */
export class BusinessConditionFailedError extends IdempotencyError {
  /** Index of the failed write in the list the handler returned. */
  readonly writeIndex: number;

  constructor(key: string, writeIndex: number, reason: string, options: IdempotencyErrorOptions = {}) {
    super(
      `Transactional completion of ${key} cancelled: business write #${writeIndex} failed its condition (${reason}). Nothing was written.`,
      false,
      { ...options, key },
    );
    this.name = 'BusinessConditionFailedError';
    this.writeIndex = writeIndex;
  }
}

/**
 * Thrown by the Kafka handler (without partial batch response) when some record must be retried, so
 * that the event source mapping delivers the batch again; also, partial batch response or not, when
 * a poison record could not be dead-lettered. Completed records are skipped on the retry.
 *
 * @example
 * ```ts
 * declare const handler: KafkaHandler;
 * declare const event: Parameters<KafkaHandler>[0];
 * try {
 *   await handler(event);
 * } catch (e) {
 *   if (e instanceof BatchRetryError) console.log(e.report.counts.retry, 'records to retry');
 * }
 * ```
 */
export class BatchRetryError extends IdempotencyError {
  readonly report: BatchReport;

  constructor(report: BatchReport) {
    const retry = report.records.filter((r) => r.status === 'retry' || r.status === 'in-progress-elsewhere');
    const first = retry[0];
    const why = report.deadLetterFailure
      ? `a poison record could not be dead-lettered (${report.deadLetterFailure.message}), so the whole batch fails; `
      : '';
    super(
      `${why}${retry.length} of ${report.records.length} records must be retried (first: ${first ? `${first.topic}-${first.partition}@${first.offset}: ${first.error ?? first.status}` : 'none'}); the batch will be delivered again and completed records skipped.`,
      true,
      report.deadLetterFailure ? { cause: report.deadLetterFailure } : {},
    );
    this.name = 'BatchRetryError';
    this.report = report;
  }
}

/**
 * Throw from a handler to mark the event as permanently failed: it is recorded `failed`, sent to
 * the dead-letter path, and never retried.
 *
 * @example
 * ```ts
 * declare const data: { customer_id: string };
 * declare function knownCustomer(id: string): boolean;
 * if (!knownCustomer(data.customer_id)) throw new PermanentError(`Unknown customer ${data.customer_id}`);
 * ```
 */
export class PermanentError extends IdempotencyError {
  constructor(message: string, options: IdempotencyErrorOptions = {}) {
    super(message, false, options);
    this.name = 'PermanentError';
  }
}

/**
 * Throw from a handler to release the record and have it delivered again (a dependency is down).
 *
 * @example
 * ```ts
 * const response = await fetch('https://content.example.com/essays/e-1');
 * if (response.status === 503) throw new RetryableError('Content service unavailable (503)');
 * ```
 */
export class RetryableError extends IdempotencyError {
  constructor(message: string, options: IdempotencyErrorOptions = {}) {
    super(message, true, options);
    this.name = 'RetryableError';
  }
}

/**
 * Classifies any thrown value: the library's errors carry `retryable`; AWS SDK errors carry
 * `$retryable` or a throttling/5xx fault; schema errors (zod) are permanent; anything else is
 * treated as retryable, so that an unexpected outage never dead-letters good records. Map
 * your own errors with the `classifyError` option instead of editing this.
 *
 * @example
 * ```ts
 * isRetryable(new PermanentError('bad')); // false
 * ```
 */
export function isRetryable(error: unknown): boolean {
  if (error instanceof IdempotencyError) return error.retryable;
  if (typeof error === 'object' && error !== null) {
    const e = error as { name?: unknown; $retryable?: unknown; $fault?: unknown };
    if (e.name === 'ZodError' || e.name === '$ZodError') return false;
    // A request DynamoDB rejects as invalid (an item over 400 KB, a bad expression built from the
    // record) fails the same way every time. Access and missing-table errors stay retryable: they
    // are misconfigurations, and dead-lettering every record would hide them.
    if (e.$fault === 'client' && e.name === 'ValidationException') return false;
  }
  return true;
}

/**
 * An identifier from a record, cut for an error message or a log line (the record bounds it to a
 * few hundred characters already; messages need far less).
 *
 * @internal
 */
export function clip(text: string, max = 64): string {
  return text.length > max ? `${text.slice(0, max)}…(${text.length} chars)` : text;
}

/** A short `Name: message` for logs and dead-letter bodies. */
export function describe(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  return String(error);
}
