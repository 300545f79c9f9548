import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DEFAULT_KEY_PREFIX, RecordStatus } from './constants';
import type { DecodedEvent } from './envelope';
import {
  DeadLetterUnavailableError,
  describe,
  IdempotencyError,
  InProgressElsewhereError,
  isRetryable,
  LeaseLostError,
  PayloadMismatchError,
  StoreUnavailableError,
} from './errors';
import { type EventHandler, isTransactional, type TransactionalResult } from './event-handler';
import { computeKey, type IdempotencyKey, type KeyStrategy } from './keys';
import {
  defaultLogger,
  defaultMetrics,
  type LayerLogger,
  type LayerMetrics,
  MetricName,
} from './observability';
import { DEFAULTS, integerOption } from './options';
import type { Outcome } from './outcome';
import {
  type Claim,
  type ClaimResult,
  type Clock,
  type CompletionResult,
  type IdempotencyRecord,
  IdempotencyStore,
  systemClock,
} from './store';

export { type EventHandler, type HandlerInfo, type TransactionalResult, withWrites } from './event-handler';
export type {
  DuplicateOutcome,
  FailedOutcome,
  InProgressOutcome,
  Outcome,
  ProcessedOutcome,
  RetryOutcome,
} from './outcome';

/** `fail-closed` (default): a store outage stops processing. `fail-open`: process without protection. */
export type FailureMode = 'fail-closed' | 'fail-open';

/** The part of the Lambda context the layer reads. */
export interface LambdaContextLike {
  getRemainingTimeInMillis(): number;
}

/** Options of {@link Idempotency}. Invalid values throw a `TypeError` naming the option. */
export interface IdempotencyOptions {
  /** Consuming service: the key's namespace. Required. */
  readonly service: string;
  /** Name of the idempotency table. Required. */
  readonly tableName: string;
  /**
   * DynamoDB document client.
   * @default a client with the SDK's standard retries (4 attempts)
   */
  readonly client?: DynamoDBDocumentClient;
  /**
   * Key namespace prefix; change it to start every key afresh.
   * @default 'idem:v1'
   */
  readonly keyPrefix?: string;
  /**
   * How an event's identity is derived. See {@link KeyStrategy}.
   * @default 'content'
   */
  readonly keyStrategy?: KeyStrategy;
  /**
   * How long (seconds) a finished record is kept, for event types without their own TTL.
   * @default 86400 (24 hours, `DEFAULTS.ttlSeconds`)
   */
  readonly defaultTtlSeconds?: number;
  /**
   * TTL (seconds) per event type, matched exactly; other types use `defaultTtlSeconds`.
   * @default {}
   */
  readonly eventTypeTtlSeconds?: Readonly<Record<string, number>>;
  /**
   * Added to the Lambda's remaining time to form the processing lease (ms).
   * @default 10000 (`DEFAULTS.leaseMarginMs`)
   */
  readonly leaseMarginMs?: number;
  /**
   * Processing lease (ms) when no Lambda context is given. Never infinite.
   * @default 60000 (`DEFAULTS.fallbackLeaseMs`)
   */
  readonly fallbackLeaseMs?: number;
  /**
   * How long (ms) a takeover waits after a lease ends, to absorb clock differences.
   * @default 1000 (`DEFAULTS.clockSkewMs`)
   */
  readonly clockSkewMs?: number;
  /**
   * What a store outage does: `fail-closed` reports the record as retryable; `fail-open` runs the
   * handler without protection, logged at error level and counted in `FailOpen`.
   * @default 'fail-closed'
   */
  readonly failureMode?: FailureMode;
  /**
   * Largest JSON result (bytes) cached in a record; larger results complete without it (at most 350000).
   * @default 131072 (`DEFAULTS.maxResultBytes`)
   */
  readonly maxResultBytes?: number;
  /**
   * Clock (epoch ms).
   * @default the system clock
   */
  readonly clock?: Clock;
  /**
   * Logger.
   * @default a Powertools Logger for `service`
   */
  readonly logger?: LayerLogger;
  /**
   * Metrics client.
   * @default Powertools Metrics for `service`
   */
  readonly metrics?: LayerMetrics;
  /**
   * Classifies a handler's error; return `undefined` to fall back to {@link isRetryable}.
   * @default the error's own `retryable` property, then `isRetryable`
   */
  readonly classifyError?: (error: unknown) => 'retryable' | 'permanent' | undefined;
}

/** A permanent failure handed to the dead-letter callback before the record is marked `failed`. */
export interface PermanentFailure {
  readonly key: IdempotencyKey;
  readonly decoded: DecodedEvent;
  readonly error: unknown;
}

/** Per-call options of {@link Idempotency.run}. */
export interface RunOptions {
  /** The Lambda context, for the lease. Without it, `fallbackLeaseMs` applies. */
  readonly lambdaContext?: LambdaContextLike;
  /** The key, when already computed (it is computed once, before any handler runs). */
  readonly key?: IdempotencyKey;
  /**
   * The record read by a batch pre-check: a record, or `null` when known absent. A live
   * `completed` or `failed` record short-cuts to `duplicate` without a write.
   */
  readonly known?: IdempotencyRecord | null;
  /**
   * Called for a permanent failure after the claim and before the record is marked `failed`. If it
   * throws, the record is released and the outcome is retryable: nothing is lost.
   */
  readonly deadLetter?: (failure: PermanentFailure) => Promise<void>;
}

/**
 * The state of one event after its claim step.
 *
 * @internal
 */
export type ClaimStep =
  | { readonly kind: 'outcome'; readonly outcome: Outcome<never> }
  | {
      readonly kind: 'claimed';
      readonly decoded: DecodedEvent;
      readonly key: IdempotencyKey;
      readonly claim: Claim;
      readonly log: Record<string, unknown>;
    }
  | {
      readonly kind: 'fail-open';
      readonly decoded: Extract<DecodedEvent, { ok: true }>;
      readonly key: IdempotencyKey;
      readonly error: StoreUnavailableError;
      readonly log: Record<string, unknown>;
    };

/**
 * The idempotency layer for one consuming service: computes keys, claims records, runs handlers
 * under a fenced lease, and completes, releases or fails the record.
 *
 * @example
 * ```ts
 * const idem = new Idempotency({ service: 'billing', tableName: process.env.IDEMPOTENCY_TABLE_NAME });
 * const outcome = await idem.run(decodeEvent(bytes), async (envelope) => charge(envelope.data));
 * if (outcome.status === 'duplicate') console.log('already charged', outcome.result);
 * ```
 */
export class Idempotency {
  readonly service: string;
  readonly store: IdempotencyStore;
  readonly logger: LayerLogger;
  readonly metrics: LayerMetrics;
  readonly failureMode: FailureMode;
  /** The clock leases, TTLs and timestamps (dead letters' `failed_at` too) are read from. */
  readonly clock: Clock;
  private readonly keyPrefix: string;
  private readonly keyStrategy: KeyStrategy;
  private readonly defaultTtlSeconds: number;
  /** A `Map`, not an object: the event type comes from the record, and may be `constructor`. */
  private readonly eventTypeTtlSeconds: ReadonlyMap<string, number>;
  private readonly leaseMarginMs: number;
  private readonly fallbackLeaseMs: number;
  private readonly classifyError: IdempotencyOptions['classifyError'];

  constructor(options: IdempotencyOptions) {
    if (typeof options.service !== 'string' || !/^[A-Za-z0-9._-]{1,64}$/.test(options.service)) {
      throw new TypeError(
        `Option service must be 1-64 characters of letters, digits, '.', '_' or '-', got ${JSON.stringify(options.service)}.`,
      );
    }
    this.service = options.service;
    this.keyPrefix = options.keyPrefix ?? DEFAULT_KEY_PREFIX;
    if (this.keyPrefix.length === 0 || this.keyPrefix.length > 64) {
      throw new TypeError(`Option keyPrefix must be 1-64 characters, got ${JSON.stringify(this.keyPrefix)}.`);
    }
    const strategy = options.keyStrategy ?? 'content';
    if (typeof strategy !== 'function' && !['content', 'envelope', 'coordinates'].includes(strategy)) {
      throw new TypeError(
        `Option keyStrategy must be 'content', 'envelope', 'coordinates' or a function, got ${JSON.stringify(strategy)}.`,
      );
    }
    this.keyStrategy = strategy;
    this.defaultTtlSeconds = integerOption(
      'defaultTtlSeconds',
      options.defaultTtlSeconds ?? DEFAULTS.ttlSeconds,
      {
        min: 1,
      },
    );
    const perType = options.eventTypeTtlSeconds ?? {};
    for (const [eventType, ttl] of Object.entries(perType)) {
      integerOption(`eventTypeTtlSeconds['${eventType}']`, ttl, { min: 1 });
    }
    this.eventTypeTtlSeconds = new Map(Object.entries(perType));
    this.leaseMarginMs = integerOption('leaseMarginMs', options.leaseMarginMs ?? DEFAULTS.leaseMarginMs, {
      min: 0,
    });
    this.fallbackLeaseMs = integerOption(
      'fallbackLeaseMs',
      options.fallbackLeaseMs ?? DEFAULTS.fallbackLeaseMs,
      {
        min: 1,
      },
    );
    const failureMode = options.failureMode ?? 'fail-closed';
    if (failureMode !== 'fail-closed' && failureMode !== 'fail-open') {
      throw new TypeError(
        `Option failureMode must be 'fail-closed' or 'fail-open', got ${JSON.stringify(failureMode)}.`,
      );
    }
    this.failureMode = failureMode;
    this.clock = options.clock ?? systemClock;
    this.classifyError = options.classifyError;
    this.store = new IdempotencyStore({
      tableName: options.tableName,
      ...(options.client ? { client: options.client } : {}),
      clock: this.clock,
      ...(options.clockSkewMs === undefined ? {} : { clockSkewMs: options.clockSkewMs }),
      ...(options.maxResultBytes === undefined ? {} : { maxResultBytes: options.maxResultBytes }),
    });
    this.logger = options.logger ?? defaultLogger(this.service);
    this.metrics = options.metrics ?? defaultMetrics(this.service);
  }

  /**
   * Computes an event's key with this layer's prefix, service and strategy.
   *
   * @example
   * ```ts
   * const key = idem.keyFor(decodeEvent(bytes));
   * ```
   */
  keyFor(decoded: DecodedEvent): IdempotencyKey {
    return computeKey(decoded, { prefix: this.keyPrefix, service: this.service, strategy: this.keyStrategy });
  }

  /**
   * TTL (seconds) for an event type: its exact entry in `eventTypeTtlSeconds`, else the default.
   *
   * @example
   * ```ts
   * idem.ttlFor('huleedu.essay.spellcheck.requested.v1'); // 3600
   * ```
   */
  ttlFor(eventType: string): number {
    return this.eventTypeTtlSeconds.get(eventType) ?? this.defaultTtlSeconds;
  }

  /** `true` when a handler error should be retried rather than dead-lettered. */
  isRetryable(error: unknown): boolean {
    const verdict = this.classifyError?.(error);
    if (verdict !== undefined) return verdict === 'retryable';
    return isRetryable(error);
  }

  /**
   * Runs a handler for one decoded event under a fenced claim and reports what happened. Never
   * throws for a record's failure; the outcome says whether to retry.
   *
   * @example
   * ```ts
   * const outcome = await idem.run(decodeEvent(bytes), async (envelope) => ({ sent: envelope.data.to }), { lambdaContext: context });
   * ```
   */
  async run<T>(
    decoded: DecodedEvent,
    handler: EventHandler<T>,
    options: RunOptions = {},
  ): Promise<Outcome<T>> {
    const step = await this.claimStep(decoded, options);
    if (step.kind === 'outcome') return step.outcome;
    const { settled } = await this.execute(step, handler, options);
    return settled;
  }

  /**
   * First half of {@link run}: the pre-checked record or the claim. Used by the batch processor to
   * claim ahead of the handlers of one partition.
   *
   * @internal
   */
  async claimStep(decoded: DecodedEvent, options: RunOptions = {}): Promise<ClaimStep> {
    const key = options.key ?? this.keyFor(decoded);
    const log = this.logFields(decoded, key);
    const known = options.known;
    if (known && this.store.isLive(known) && known.status !== RecordStatus.PROCESSING) {
      return { kind: 'outcome', outcome: await this.existing(decoded, key, known, log, options) };
    }

    const leaseMs = options.lambdaContext
      ? Math.max(0, options.lambdaContext.getRemainingTimeInMillis()) + this.leaseMarginMs
      : this.fallbackLeaseMs;
    const claimStarted = this.clock.now();
    let claimed: ClaimResult;
    try {
      claimed = await this.store.claim(key, {
        leaseMs,
        ttlSeconds: this.ttlFor(key.eventType),
        context: {
          service: this.service,
          eventId: decoded.ok ? decoded.envelope.event_id : undefined,
          correlationId: decoded.ok ? decoded.envelope.correlation_id : undefined,
          coordinates: decoded.coordinates,
        },
      });
    } catch (error) {
      this.metrics.addMetric(MetricName.STORE_ERROR, 'Count', 1);
      if (!isRetryable(error)) {
        // The store refused this record itself: no claim exists, so it is only dead-lettered (and
        // never run unprotected in fail-open mode, which is for outages).
        return { kind: 'outcome', outcome: await this.deadLetterOnly(decoded, key, error, log, options) };
      }
      if (this.failureMode === 'fail-open' && error instanceof StoreUnavailableError && decoded.ok) {
        return { kind: 'fail-open', decoded, key, error, log };
      }
      this.logger.warn('idempotency store unavailable at claim; record will be retried', {
        ...log,
        action: 'retry',
        error: describe(error),
      });
      this.metrics.addMetric(MetricName.RETRYABLE, 'Count', 1);
      return { kind: 'outcome', outcome: { status: 'retry', key, error } };
    }
    this.metrics.addMetric(MetricName.CLAIM_DURATION, 'Milliseconds', this.clock.now() - claimStarted);
    if (claimed.kind === 'exists') {
      return { kind: 'outcome', outcome: await this.existing(decoded, key, claimed.record, log, options) };
    }

    const { claim } = claimed;
    if (claim.takeover) {
      this.metrics.addMetric(MetricName.TAKEOVER, 'Count', 1);
      this.logger.warn('took over an expired lease', {
        ...log,
        action: 'takeover',
        previous_owner: claim.previousOwner,
      });
    }
    return { kind: 'claimed', decoded, key, claim, log };
  }

  /**
   * Releases a claim taken ahead that will not be used in this invocation (its partition stopped
   * before reaching it). Never throws: a failed release leaves the lease to expire.
   *
   * @internal
   */
  async abandon(step: ClaimStep): Promise<void> {
    if (step.kind !== 'claimed') return;
    try {
      await this.store.release(step.claim);
      this.metrics.addMetric(MetricName.RELEASED, 'Count', 1);
    } catch (error) {
      this.logger.warn('release of an unused claim failed; the lease will expire instead', {
        ...step.log,
        action: 'release-failed',
        error: describe(error),
      });
    }
  }

  /**
   * Second half of {@link run}: runs the handler under a claim. Resolves once the handler has
   * finished; `settled` resolves when the outcome is durable. A two-phase completion is still in
   * flight when this resolves (so the next record's handler need not wait for it); a transactional
   * completion is always awaited first, since the next handler may read its effect.
   *
   * @internal
   */
  async execute<T>(
    step: Exclude<ClaimStep, { kind: 'outcome' }>,
    handler: EventHandler<T>,
    options: RunOptions = {},
  ): Promise<{ settled: Promise<Outcome<T>>; pending: boolean }> {
    const { decoded, key, log } = step;
    if (step.kind === 'fail-open') {
      const outcome = await this.runFailOpen(step.decoded, key, handler, step.error, log, options);
      return { settled: Promise.resolve(outcome), pending: false };
    }
    const { claim } = step;
    if (!decoded.ok) {
      const outcome: Outcome<T> = await this.permanent(decoded, claim, decoded.error, log, options);
      return { settled: Promise.resolve(outcome), pending: false };
    }

    const started = this.clock.now();
    let value: T | TransactionalResult<T>;
    try {
      value = await handler(decoded.envelope, {
        key,
        coordinates: decoded.coordinates,
        leaseExpiresAt: claim.leaseExpiresAt,
      });
    } catch (error) {
      this.metrics.addMetric(MetricName.HANDLER_DURATION, 'Milliseconds', this.clock.now() - started);
      const outcome: Outcome<T> = this.isRetryable(error)
        ? await this.retry(claim, error, log, true)
        : await this.permanent(decoded, claim, error, log, options);
      return { settled: Promise.resolve(outcome), pending: false };
    }
    const handlerMs = this.clock.now() - started;
    this.metrics.addMetric(MetricName.HANDLER_DURATION, 'Milliseconds', handlerMs);
    const settled = this.completeStep(step, value, handlerMs, options);
    if (isTransactional(value)) {
      await settled;
      return { settled, pending: false };
    }
    return { settled, pending: true };
  }

  private async completeStep<T>(
    step: Extract<ClaimStep, { kind: 'claimed' }>,
    value: T | TransactionalResult<T>,
    handlerMs: number,
    options: RunOptions,
  ): Promise<Outcome<T>> {
    const { decoded, key, claim, log } = step;
    const writes = isTransactional(value) ? value.writes : undefined;
    const transactional = writes !== undefined;
    const result = isTransactional(value) ? value.result : value;
    const completeStarted = this.clock.now();
    let completion: CompletionResult;
    try {
      completion = writes
        ? await this.store.completeWithWrites(claim, result, writes)
        : await this.store.complete(claim, result);
    } catch (error) {
      if (error instanceof LeaseLostError) {
        this.metrics.addMetric(MetricName.LEASE_LOST, 'Count', 1);
        this.logger.warn(
          transactional
            ? 'lease lost before completion; nothing was written, the new owner finishes the event'
            : 'lease lost before completion; the effect ran but the new owner holds the record',
          { ...log, action: 'lease-lost', current_owner: error.currentOwner },
        );
        this.metrics.addMetric(MetricName.RETRYABLE, 'Count', 1);
        return { status: 'retry', key, error };
      }
      if (!this.isRetryable(error)) return this.permanent(decoded, claim, error, log, options);
      if (error instanceof StoreUnavailableError) this.metrics.addMetric(MetricName.STORE_ERROR, 'Count', 1);
      // A failed transaction wrote nothing, so releasing lets the retry start at once. After a
      // two-phase effect the record stays `processing` until its lease ends: the retry then takes
      // it over and the handler runs again (the documented effect-to-completion window).
      return this.retry(claim, error, log, transactional);
    }
    const completeMs = this.clock.now() - completeStarted;
    this.metrics.addMetric(MetricName.COMPLETE_DURATION, 'Milliseconds', completeMs);
    this.metrics.addMetric(MetricName.PROCESSED, 'Count', 1);
    if (completion.resultOmitted !== undefined) {
      this.metrics.addMetric(MetricName.RESULT_NOT_CACHED, 'Count', 1);
      this.logger.warn('result not cached; the record completed without it', {
        ...log,
        action: 'result-not-cached',
        reason: completion.resultOmitted,
      });
    }
    this.logger.info('processed', {
      ...log,
      action: 'processed',
      handler_ms: handlerMs,
      complete_ms: completeMs,
      transactional,
      takeover: claim.takeover,
    });
    return {
      status: 'processed',
      key,
      result,
      takeover: claim.takeover,
      resultOmitted: completion.resultOmitted,
      failOpen: false,
    };
  }

  /** Publishes the metrics stored so far (call in `finally` at the end of an invocation). */
  publishMetrics(): void {
    this.metrics.publishStoredMetrics();
  }

  private async existing<T>(
    decoded: DecodedEvent,
    key: IdempotencyKey,
    record: IdempotencyRecord,
    log: Record<string, unknown>,
    options: RunOptions,
  ): Promise<Outcome<T>> {
    if (record.payload_hash !== key.payloadHash) {
      const error = new PayloadMismatchError(key.id, record.payload_hash, key.payloadHash);
      return this.deadLetterOnly(decoded, key, error, log, options);
    }
    if (record.status === RecordStatus.PROCESSING) {
      const error = new InProgressElsewhereError(key.id, record.lease_expires_at ?? 0);
      this.metrics.addMetric(MetricName.IN_PROGRESS_ELSEWHERE, 'Count', 1);
      this.logger.warn('in progress elsewhere', {
        ...log,
        action: 'in-progress-elsewhere',
        lease_expires_at: record.lease_expires_at,
      });
      return { status: 'in-progress-elsewhere', key, error };
    }
    this.metrics.addMetric(MetricName.DUPLICATE, 'Count', 1);
    this.logger.info('duplicate skipped', { ...log, action: 'duplicate', previous_status: record.status });
    return {
      status: 'duplicate',
      key,
      previousStatus: record.status,
      result: record.result === undefined ? undefined : JSON.parse(record.result),
      record,
    };
  }

  private async retry<T>(
    claim: Claim,
    error: unknown,
    log: Record<string, unknown>,
    release: boolean,
  ): Promise<Outcome<T>> {
    if (release) {
      try {
        await this.store.release(claim);
        this.metrics.addMetric(MetricName.RELEASED, 'Count', 1);
      } catch (releaseError) {
        if (releaseError instanceof LeaseLostError) this.metrics.addMetric(MetricName.LEASE_LOST, 'Count', 1);
        this.logger.warn('release failed; the lease will expire instead', {
          ...log,
          action: 'release-failed',
          error: describe(releaseError),
        });
      }
    }
    this.metrics.addMetric(MetricName.RETRYABLE, 'Count', 1);
    this.logger.warn('retryable failure; record will be delivered again', {
      ...log,
      action: 'retry',
      error: describe(error),
      released: release,
    });
    return { status: 'retry', key: claim.key, error };
  }

  private async permanent<T>(
    decoded: DecodedEvent,
    claim: Claim,
    error: unknown,
    log: Record<string, unknown>,
    options: RunOptions,
  ): Promise<Outcome<T>> {
    if (options.deadLetter) {
      try {
        await options.deadLetter({ key: claim.key, decoded, error });
        this.metrics.addMetric(MetricName.DEAD_LETTERED, 'Count', 1);
      } catch (sendError) {
        return this.retry(claim, this.deadLetterFailed(claim.key, sendError, log), log, true);
      }
    }
    try {
      await this.store.fail(claim, error);
    } catch (failError) {
      // Dead-lettered already; a redelivery will dead-letter it again rather than lose it.
      this.logger.warn('could not mark the record failed', {
        ...log,
        action: 'fail-mark-failed',
        error: describe(failError),
      });
    }
    this.metrics.addMetric(MetricName.FAILED, 'Count', 1);
    this.logger.error('permanent failure; record dead-lettered', {
      ...log,
      action: 'failed',
      error: describe(error),
    });
    return { status: 'failed', key: claim.key, error };
  }

  private async deadLetterOnly<T>(
    decoded: DecodedEvent,
    key: IdempotencyKey,
    error: unknown,
    log: Record<string, unknown>,
    options: RunOptions,
  ): Promise<Outcome<T>> {
    if (options.deadLetter) {
      try {
        await options.deadLetter({ key, decoded, error });
        this.metrics.addMetric(MetricName.DEAD_LETTERED, 'Count', 1);
      } catch (sendError) {
        // Nothing was claimed, so nothing to release: the record simply comes again.
        this.metrics.addMetric(MetricName.RETRYABLE, 'Count', 1);
        return { status: 'retry', key, error: this.deadLetterFailed(key, sendError, log) };
      }
    }
    this.metrics.addMetric(MetricName.FAILED, 'Count', 1);
    this.logger.error('permanent failure; record dead-lettered', {
      ...log,
      action: 'failed',
      error: describe(error),
    });
    return { status: 'failed', key, error };
  }

  /**
   * The one place a failed dead-letter send is reported (logged at error level, counted in
   * `DeadLetterFailed`); the record is then released and retried, never lost, and the batch fails
   * loudly (see `createKafkaHandler`). The sink's own retries (the SDK's, for SQS) come first.
   */
  private deadLetterFailed(
    key: IdempotencyKey,
    sendError: unknown,
    log: Record<string, unknown>,
  ): DeadLetterUnavailableError {
    this.metrics.addMetric(MetricName.DEAD_LETTER_FAILED, 'Count', 1);
    this.logger.error('dead-letter send failed; releasing so the record is retried, not lost', {
      ...log,
      action: 'dead-letter-failed',
      error: describe(sendError),
    });
    return new DeadLetterUnavailableError(key.id, sendError);
  }

  private async runFailOpen<T>(
    decoded: Extract<DecodedEvent, { ok: true }>,
    key: IdempotencyKey,
    handler: EventHandler<T>,
    storeError: StoreUnavailableError,
    log: Record<string, unknown>,
    options: RunOptions,
  ): Promise<Outcome<T>> {
    this.metrics.addMetric(MetricName.FAIL_OPEN, 'Count', 1);
    this.logger.error('FAIL-OPEN: idempotency store unavailable, processing WITHOUT duplicate protection', {
      ...log,
      action: 'fail-open',
      error: describe(storeError),
    });
    try {
      const value = await handler(decoded.envelope, {
        key,
        coordinates: decoded.coordinates,
        leaseExpiresAt: this.clock.now() + this.fallbackLeaseMs,
      });
      if (isTransactional(value)) await this.store.commitWrites(value.writes);
      const result = isTransactional(value) ? value.result : value;
      this.metrics.addMetric(MetricName.PROCESSED, 'Count', 1);
      return { status: 'processed', key, result, takeover: false, resultOmitted: undefined, failOpen: true };
    } catch (error) {
      if (!this.isRetryable(error) && error instanceof IdempotencyError) {
        return this.deadLetterOnly(decoded, key, error, log, options);
      }
      this.metrics.addMetric(MetricName.RETRYABLE, 'Count', 1);
      return { status: 'retry', key, error };
    }
  }

  private logFields(decoded: DecodedEvent, key: IdempotencyKey): Record<string, unknown> {
    const envelope = decoded.ok ? decoded.envelope : undefined;
    // `service` comes from the logger itself (Powertools reserves the key and sets it from serviceName).
    return {
      event_type: envelope?.event_type ?? (decoded.ok ? undefined : decoded.eventType),
      event_id: envelope?.event_id,
      correlation_id: envelope?.correlation_id,
      idempotency_key: key.id,
      ...(decoded.coordinates
        ? {
            topic: decoded.coordinates.topic,
            partition: decoded.coordinates.partition,
            offset: decoded.coordinates.offset,
          }
        : {}),
    };
  }
}
