import type { InProgressElsewhereError } from './errors';
import type { IdempotencyKey } from './keys';
import type { CompletionResult, IdempotencyRecord } from './store';

interface OutcomeBase {
  readonly key: IdempotencyKey;
}

/** The handler ran and its completion is durable. */
export interface ProcessedOutcome<T> extends OutcomeBase {
  readonly status: 'processed';
  readonly result: T;
  readonly takeover: boolean;
  /** Set when the result was too large or not serializable to cache. */
  readonly resultOmitted: CompletionResult['resultOmitted'];
  /** `true` when the store was down and `failureMode` is `fail-open`: nothing was recorded. */
  readonly failOpen: boolean;
}

/** The event was already finished. `result` is the cached result (JSON), when one was cached. */
export interface DuplicateOutcome extends OutcomeBase {
  readonly status: 'duplicate';
  readonly previousStatus: 'completed' | 'failed';
  readonly result: unknown;
  readonly record: IdempotencyRecord;
}

/** Another attempt holds a live lease on this key. Retryable. */
export interface InProgressOutcome extends OutcomeBase {
  readonly status: 'in-progress-elsewhere';
  readonly error: InProgressElsewhereError;
}

/** A permanent failure: recorded `failed` and handed to the dead-letter callback. */
export interface FailedOutcome extends OutcomeBase {
  readonly status: 'failed';
  readonly error: unknown;
}

/** A retryable failure: what this attempt held was released; deliver the event again. */
export interface RetryOutcome extends OutcomeBase {
  readonly status: 'retry';
  readonly error: unknown;
}

/**
 * What happened to one event.
 *
 * @example
 * ```ts
 * declare const idem: Idempotency;
 * declare const bytes: Uint8Array;
 * const outcome: Outcome<string> = await idem.run(decodeEvent(bytes), async () => 'sent');
 * if (outcome.status === 'retry') throw outcome.error;
 * ```
 */
export type Outcome<T> =
  | ProcessedOutcome<T>
  | DuplicateOutcome
  | InProgressOutcome
  | FailedOutcome
  | RetryOutcome;
