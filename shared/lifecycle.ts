import { randomUUID } from 'node:crypto';
import { RecordStatus } from './constants';
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
import type { FailureMode, Idempotency, IdempotencyOptions, RunOptions } from './idempotency';
import { computeKey, type IdempotencyKey, type KeyStrategy } from './keys';
import type { LocalRecordCache } from './local-cache';
import { type LayerLogger, type LayerMetrics, MetricName } from './observability';
import type { Outcome, ProcessedOutcome } from './outcome';
import type {
  Claim,
  ClaimResult,
  Clock,
  CommitResult,
  CompletionResult,
  IdempotencyRecord,
  IdempotencyStore,
  RecordContext,
} from './store';

/**
 * The lifecycle of one event, in one place (as Powertools keeps it in its `IdempotencyHandler`):
 *
 * 1. **claim**: the local cache's or the batch pre-check's record, else one conditional write
 *    (`IdempotencyStore.claim`); in single-write mode no write: the event goes on `unclaimed`;
 * 2. **execute**: the handler under the claim, then complete, release or fail the record; in
 *    single-write mode the handler without a claim, then one commit of its writes and the finished
 *    record (`IdempotencyStore.commit`), a refusal being a duplicate;
 * 3. **settle**: every metric and log line of the event, from one table ({@link EMITS}), once.
 *
 * The steps before `settle` only note what happened; `settle` is the only code that writes to the
 * logger and the metrics for an event. `Idempotency.run` and the batch processor both drive it; the
 * batch processor reaches it with {@link lifecycleOf}, never through `Idempotency`'s fields.
 *
 * @internal
 */
export class Lifecycle {
  readonly service: string;
  readonly #config: LifecycleConfig;

  constructor(config: LifecycleConfig) {
    this.service = config.service;
    this.#config = config;
  }

  /** The key of an event, computed with the layer's prefix, service and strategy. */
  keyFor(decoded: DecodedEvent): IdempotencyKey {
    const { keyPrefix, service, keyStrategy } = this.#config;
    return computeKey(decoded, { prefix: keyPrefix, service, strategy: keyStrategy });
  }

  /** TTL (seconds) of an event type: its own entry, else the default. */
  ttlFor(eventType: string): number {
    return this.#config.eventTypeTtlSeconds.get(eventType) ?? this.#config.defaultTtlSeconds;
  }

  /** Claim, execute, settle: one event, start to finish. Never throws for the event's failure. */
  async run<T>(
    decoded: DecodedEvent,
    handler: EventHandler<T>,
    options: RunOptions = {},
  ): Promise<Outcome<T>> {
    const step = await this.claim(decoded, options);
    const { settled } = await this.execute(step, handler, options);
    return settled;
  }

  /**
   * Step 1: the pre-checked record, else the claim. A record already finished, held elsewhere or
   * refused decides the event here (`decided`); the batch processor takes claims ahead of its
   * handlers with this.
   */
  async claim(decoded: DecodedEvent, options: RunOptions = {}): Promise<ClaimStep> {
    const { store, clock } = this.#config;
    const trace = this.#trace(decoded, options.key ?? this.keyFor(decoded));
    const { key } = trace;
    const known = options.known === undefined ? this.#config.cache.recall(key.id) : options.known;
    if (known && store.isLive(known) && known.status !== RecordStatus.PROCESSING) {
      return decided(trace, await this.#existing(trace, known, options));
    }
    if (this.#config.singleWrite) {
      return { kind: 'unclaimed', trace, deadline: clock.now() + this.#leaseMs(options) };
    }

    const started = clock.now();
    let claimed: ClaimResult;
    try {
      claimed = await store.claim(key, {
        leaseMs: this.#leaseMs(options),
        ttlSeconds: this.ttlFor(key.eventType),
        context: this.#context(decoded),
      });
    } catch (error) {
      note(trace, 'store-error');
      if (!isRetryable(error)) {
        // The store refused this record itself: no claim exists, so it is only dead-lettered (and
        // never run unprotected in fail-open mode, which is for outages).
        return decided(trace, await this.#deadLetterOnly(trace, error, options));
      }
      if (this.#config.failureMode === 'fail-open' && error instanceof StoreUnavailableError && decoded.ok) {
        return { kind: 'fail-open', trace, decoded, error };
      }
      return decided(trace, retry(key, error, false));
    }
    time(trace, 'claimed', clock.now() - started);
    if (claimed.kind === 'exists')
      return decided(trace, await this.#existing(trace, claimed.record, options));
    const { claim } = claimed;
    if (claim.takeover) note(trace, 'takeover', { previous_owner: claim.previousOwner });
    return { kind: 'claimed', trace, claim };
  }

  /**
   * Step 2: runs the handler under a claim and finishes the record, then settles. Resolves once the
   * handler has finished; `settled` resolves when the outcome is durable. A two-phase completion is
   * still in flight when this resolves (`pending`, so the next record's handler need not wait for
   * it); a transactional completion is always awaited first, since the next handler may read its
   * effect.
   */
  async execute<T>(
    step: ClaimStep,
    handler: EventHandler<T>,
    options: RunOptions = {},
  ): Promise<{ readonly settled: Promise<Outcome<T>>; readonly pending: boolean }> {
    const { trace } = step;
    const now = async (decision: Promise<Decision<T>>) => ({
      settled: Promise.resolve(this.#conclude(trace, await decision)),
      pending: false,
    });
    if (step.kind === 'decided') return now(Promise.resolve(step.decision));
    if (step.kind === 'fail-open') return now(this.#runFailOpen(step, handler, options));
    // Single-write mode: the commit is always awaited, since the next handler may read its effect.
    if (step.kind === 'unclaimed') return now(this.#runUnclaimed(step, handler, options));
    const { decoded } = trace;
    const { claim } = step;
    if (!decoded.ok) return now(this.#permanent(step, decoded.error, options));

    const ran = await this.#handle(trace, decoded, handler, claim.leaseExpiresAt);
    if (!ran.ok) {
      const { error } = ran;
      return now(
        this.#isRetryable(error) ? this.#retry(step, error, true) : this.#permanent(step, error, options),
      );
    }
    const { value, handlerMs } = ran;
    const settled = this.#complete(step, value, handlerMs, options).then((d) => this.#conclude(trace, d));
    if (isTransactional(value)) {
      await settled;
      return { settled, pending: false };
    }
    return { settled, pending: true };
  }

  /**
   * Settles an event its batch did not reach (its partition stopped earlier): a claim taken ahead
   * for it is released first. Never throws: a failed release leaves the lease to expire.
   */
  async abandon(step: ClaimStep): Promise<void> {
    if (step.kind === 'claimed') await this.#release(step);
    this.#settle(step.trace, 'skipped', undefined);
  }

  /**
   * Settles a record that repeats an earlier one of its batch and takes that one's outcome: a
   * duplicate of it, retried with it (`reason` says why), or not reached either.
   */
  settleCopy(
    decoded: DecodedEvent,
    key: IdempotencyKey,
    copy:
      | { readonly status: 'duplicate' | 'skipped' }
      | { readonly status: 'retry'; readonly reason: string },
  ): void {
    const trace = this.#trace(decoded, key);
    const fields = copy.status === 'retry' ? { error: copy.reason, released: false } : {};
    this.#settle(trace, copy.status, { ...fields, in_batch: true });
  }

  /**
   * The batch pre-check: the live records of `ids`, or `undefined` when the read failed (each claim
   * still decides, and reports an outage itself).
   */
  async precheck(ids: readonly string[]): Promise<Map<string, IdempotencyRecord> | undefined> {
    const { cache, store } = this.#config;
    const found = new Map<string, IdempotencyRecord>();
    const unknown: string[] = [];
    for (const id of ids) {
      const cached = cache.recall(id);
      if (cached) found.set(id, cached);
      else unknown.push(id);
    }
    if (unknown.length === 0) return found;
    try {
      for (const [id, record] of await store.getMany(unknown)) {
        cache.remember(record);
        found.set(id, record);
      }
      return found;
    } catch (error) {
      this.#config.logger.warn('batch pre-check failed; claiming record by record', {
        action: 'precheck-failed',
        error: describe(error),
      });
      return undefined;
    }
  }

  /** Settles a batch: its summary line, and the loud line of a dead-letter sink that is down. */
  settleBatch(report: BatchSummary): void {
    const { logger } = this.#config;
    if (report.deadLetterFailure) {
      logger.error('dead-letter sink unavailable; failing the whole batch so that it is retried', {
        action: 'batch-failed',
        error: describe(report.deadLetterFailure),
      });
    }
    logger.info('batch processed', {
      action: 'batch',
      records: report.records.length,
      ...report.counts,
      batch_item_failures: report.batchItemFailures.length,
      duration_ms: report.durationMs,
    });
  }

  /** Publishes the metrics stored so far (at the end of an invocation, in `finally`). */
  publishMetrics(): void {
    this.#config.metrics.publishStoredMetrics();
  }

  /** A record found finished, held elsewhere, or stored with another payload. */
  async #existing(trace: Trace, record: IdempotencyRecord, options: RunOptions): Promise<Decision<never>> {
    const { key } = trace;
    if (record.payload_hash !== key.payloadHash) {
      const error = new PayloadMismatchError(key.id, record.payload_hash, key.payloadHash);
      return this.#deadLetterOnly(trace, error, options);
    }
    if (record.status === RecordStatus.PROCESSING) {
      const error = new InProgressElsewhereError(key.id, record.lease_expires_at ?? 0);
      return {
        row: 'in-progress-elsewhere',
        outcome: { status: 'in-progress-elsewhere', key, error },
        fields: { lease_expires_at: record.lease_expires_at },
      };
    }
    this.#config.cache.remember(record);
    return {
      row: 'duplicate',
      outcome: {
        status: 'duplicate',
        key,
        previousStatus: record.status,
        result: record.result === undefined ? undefined : JSON.parse(record.result),
        record,
      },
      fields: { previous_status: record.status },
    };
  }

  /** Runs the handler on a decoded event, timed (`handled`): its value, or the error it threw. */
  async #handle<T>(
    trace: Trace,
    decoded: Extract<DecodedEvent, { ok: true }>,
    handler: EventHandler<T>,
    leaseExpiresAt: number,
  ): Promise<
    | { readonly ok: true; readonly value: T | TransactionalResult<T>; readonly handlerMs: number }
    | { readonly ok: false; readonly error: unknown }
  > {
    const { clock } = this.#config;
    const started = clock.now();
    try {
      const value = await handler(decoded.envelope, {
        key: trace.key,
        coordinates: decoded.coordinates,
        leaseExpiresAt,
      });
      const handlerMs = clock.now() - started;
      time(trace, 'handled', handlerMs);
      return { ok: true, value, handlerMs };
    } catch (error) {
      time(trace, 'handled', clock.now() - started);
      return { ok: false, error };
    }
  }

  /** Completes a claim (with the handler's writes, in transactional mode) once the handler returned. */
  async #complete<T>(
    step: ClaimedStep,
    value: T | TransactionalResult<T>,
    handlerMs: number,
    options: RunOptions,
  ): Promise<Decision<T>> {
    const { store, clock } = this.#config;
    const { trace, claim } = step;
    const { key } = trace;
    const writes = isTransactional(value) ? value.writes : undefined;
    const transactional = writes !== undefined;
    const result = isTransactional(value) ? value.result : value;
    const started = clock.now();
    let completion: CompletionResult;
    try {
      completion = writes
        ? await store.completeWithWrites(claim, result, writes)
        : await store.complete(claim, result);
    } catch (error) {
      if (error instanceof LeaseLostError) {
        return {
          row: transactional ? 'lease-lost' : 'lease-lost-after-effect',
          outcome: { status: 'retry', key, error },
          fields: { current_owner: error.currentOwner },
        };
      }
      if (!this.#isRetryable(error)) return this.#permanent(step, error, options);
      if (error instanceof StoreUnavailableError) note(trace, 'store-error');
      // A failed transaction wrote nothing, so releasing lets the retry start at once. After a
      // two-phase effect the record stays `processing` until its lease ends: the retry then takes
      // it over and the handler runs again (the documented effect-to-completion window).
      return this.#retry(step, error, transactional);
    }
    const completeMs = clock.now() - started;
    time(trace, 'completed', completeMs);
    if (completion.resultOmitted !== undefined) {
      note(trace, 'result-not-cached', { reason: completion.resultOmitted });
    }
    // The store's clock read at least `started`: this expiration is never later than the stored one.
    this.#remember(trace, claim.owner, Math.floor(started / 1000) + claim.ttlSeconds, {
      completed: completion,
    });
    return processed(
      {
        status: 'processed',
        key,
        result,
        takeover: claim.takeover,
        resultOmitted: completion.resultOmitted,
        failOpen: false,
      },
      { handler_ms: handlerMs, complete_ms: completeMs, transactional, takeover: claim.takeover },
    );
  }

  /** A retryable failure under a claim: release it (unless an effect may have run), retry. */
  async #retry(step: ClaimedStep, error: unknown, release: boolean): Promise<Decision<never>> {
    if (release) await this.#release(step);
    return retry(step.trace.key, error, release);
  }

  /** Deletes a claim so the event can run again; a refusal is noted, never thrown. */
  async #release(step: ClaimedStep): Promise<void> {
    try {
      await this.#config.store.release(step.claim);
      note(step.trace, 'released');
    } catch (error) {
      note(step.trace, error instanceof LeaseLostError ? 'release-refused' : 'release-failed', {
        error: describe(error),
      });
    }
  }

  /** A permanent failure under a claim: dead-letter, then mark the record `failed`. */
  async #permanent(step: ClaimedStep, error: unknown, options: RunOptions): Promise<Decision<never>> {
    const { trace, claim } = step;
    const unsent = await this.#sendDeadLetter(trace, error, options, claim.owner);
    if (unsent) return this.#retry(step, unsent, true);
    const started = this.#config.clock.now();
    try {
      await this.#config.store.fail(claim, error);
      this.#remember(trace, claim.owner, Math.floor(started / 1000) + claim.ttlSeconds, { failed: error });
    } catch (failError) {
      // Dead-lettered already; a redelivery will dead-letter it again rather than lose it.
      note(trace, 'fail-mark-failed', { error: describe(failError) });
    }
    return failed(trace.key, error);
  }

  /**
   * Single-write mode: the handler runs without a claim, then its writes and the finished record
   * commit in one request. A refusal names the record in the way: a duplicate (the winner's cached
   * result), held elsewhere, or another payload. Nothing is written before the commit, so a failure
   * or a crash leaves nothing to release.
   */
  async #runUnclaimed<T>(
    step: UnclaimedStep,
    handler: EventHandler<T>,
    options: RunOptions,
  ): Promise<Decision<T>> {
    const { trace } = step;
    const { decoded, key } = trace;
    if (!decoded.ok) return this.#permanentUnclaimed(trace, decoded.error, options);
    const { clock, store } = this.#config;
    const ran = await this.#handle(trace, decoded, handler, step.deadline);
    if (!ran.ok) {
      return this.#isRetryable(ran.error)
        ? retry(key, ran.error, false)
        : this.#permanentUnclaimed(trace, ran.error, options);
    }
    const { value, handlerMs } = ran;
    const writes = isTransactional(value) ? value.writes : [];
    const result = isTransactional(value) ? value.result : value;
    const committing = clock.now();
    let committed: CommitResult;
    try {
      committed = await store.commit(
        key,
        { ttlSeconds: this.ttlFor(key.eventType), context: this.#context(decoded) },
        { status: 'completed', result },
        writes,
      );
    } catch (error) {
      if (!this.#isRetryable(error)) return this.#permanentUnclaimed(trace, error, options);
      if (error instanceof StoreUnavailableError) note(trace, 'store-error');
      return retry(key, error, false);
    }
    if (committed.kind === 'exists') return this.#existing(trace, committed.record, options);
    const completeMs = clock.now() - committing;
    time(trace, 'completed', completeMs);
    if (committed.resultOmitted !== undefined) {
      note(trace, 'result-not-cached', { reason: committed.resultOmitted });
    }
    this.#remember(trace, committed.owner, committed.expiration, { completed: committed });
    return processed(
      {
        status: 'processed',
        key,
        result,
        takeover: false,
        resultOmitted: committed.resultOmitted,
        failOpen: false,
      },
      { handler_ms: handlerMs, complete_ms: completeMs, transactional: true, single_write: true },
    );
  }

  /** A permanent failure in single-write mode: dead-letter, then create the record `failed`. */
  async #permanentUnclaimed(trace: Trace, error: unknown, options: RunOptions): Promise<Decision<never>> {
    // The owner token is chosen first: the dead letter names it, so a redrive can reset this record.
    const owner = randomUUID();
    const unsent = await this.#sendDeadLetter(trace, error, options, owner);
    if (unsent) return retry(trace.key, unsent, false);
    const { key, decoded } = trace;
    try {
      const committed = await this.#config.store.commit(
        key,
        { ttlSeconds: this.ttlFor(key.eventType), context: this.#context(decoded), owner },
        { status: 'failed', error },
      );
      if (committed.kind === 'committed') {
        this.#remember(trace, committed.owner, committed.expiration, { failed: error });
      }
    } catch (failError) {
      // Dead-lettered already; a redelivery will dead-letter it again rather than lose it.
      note(trace, 'fail-mark-failed', { error: describe(failError) });
    }
    return failed(key, error);
  }

  /**
   * Keeps the finished record this attempt wrote in the local cache (when it is on): `completed`
   * with the stored result, or `failed` with the error.
   */
  #remember(
    trace: Trace,
    owner: string,
    expiration: number,
    finished: { readonly completed: CompletionResult } | { readonly failed: unknown },
  ): void {
    const { cache, clock } = this.#config;
    if (cache.maxItems === 0) return;
    const { key, decoded } = trace;
    const now = clock.now();
    const outcome =
      'completed' in finished
        ? {
            status: RecordStatus.COMPLETED,
            ...(finished.completed.resultJson === undefined ? {} : { result: finished.completed.resultJson }),
            ...(finished.completed.resultOmitted === undefined
              ? {}
              : { result_omitted: finished.completed.resultOmitted }),
          }
        : {
            status: RecordStatus.FAILED,
            error: {
              name: finished.failed instanceof Error ? finished.failed.name : 'Error',
              message: finished.failed instanceof Error ? finished.failed.message : String(finished.failed),
            },
          };
    cache.remember({
      id: key.id,
      owner,
      expiration,
      payload_hash: key.payloadHash,
      ...outcome,
      service: this.service,
      event_type: key.eventType,
      ...(decoded.ok
        ? { event_id: decoded.envelope.event_id, correlation_id: decoded.envelope.correlation_id }
        : {}),
      ...(decoded.coordinates ?? {}),
      attempts: 1,
      claimed_at: now,
      finished_at: now,
    });
  }

  /** The context stored with an event's record, for people reading the table. */
  #context(decoded: DecodedEvent): RecordContext {
    return {
      service: this.service,
      eventId: decoded.ok ? decoded.envelope.event_id : undefined,
      correlationId: decoded.ok ? decoded.envelope.correlation_id : undefined,
      coordinates: decoded.coordinates,
    };
  }

  /** A permanent failure with no claim to mark: dead-letter only. */
  async #deadLetterOnly(trace: Trace, error: unknown, options: RunOptions): Promise<Decision<never>> {
    const unsent = await this.#sendDeadLetter(trace, error, options, undefined);
    // Nothing was claimed, so nothing to release: the record simply comes again.
    return unsent ? retry(trace.key, unsent, false) : failed(trace.key, error);
  }

  /**
   * Hands a permanent failure to the dead-letter callback. A send that fails (after the sink's own
   * retries) comes back as the {@link DeadLetterUnavailableError} to retry the record with, never
   * lost; the batch that meets it fails loudly (see `createKafkaHandler`).
   */
  async #sendDeadLetter(
    trace: Trace,
    error: unknown,
    options: RunOptions,
    owner: string | undefined,
  ): Promise<DeadLetterUnavailableError | undefined> {
    if (!options.deadLetter) return undefined;
    const { decoded, key } = trace;
    try {
      await options.deadLetter({ key, decoded, error, failedAt: this.#config.clock.now(), owner });
      note(trace, 'dead-lettered');
      return undefined;
    } catch (sendError) {
      note(trace, 'dead-letter-failed', { error: describe(sendError) });
      return new DeadLetterUnavailableError(key.id, sendError);
    }
  }

  /** The store is down and `failureMode` is `fail-open`: the handler runs without protection. */
  async #runFailOpen<T>(
    step: FailOpenStep,
    handler: EventHandler<T>,
    options: RunOptions,
  ): Promise<Decision<T>> {
    const { trace, decoded } = step;
    const { key } = trace;
    note(trace, 'fail-open', { error: describe(step.error) });
    try {
      const value = await handler(decoded.envelope, {
        key,
        coordinates: decoded.coordinates,
        leaseExpiresAt: this.#config.clock.now() + this.#config.fallbackLeaseMs,
      });
      if (isTransactional(value)) await this.#config.store.commitWrites(value.writes);
      const result = isTransactional(value) ? value.result : value;
      return processed(
        { status: 'processed', key, result, takeover: false, resultOmitted: undefined, failOpen: true },
        { fail_open: true },
      );
    } catch (error) {
      if (!this.#isRetryable(error) && error instanceof IdempotencyError) {
        return this.#deadLetterOnly(trace, error, options);
      }
      return retry(key, error, false);
    }
  }

  /** `true` when a handler's error should be retried rather than dead-lettered. */
  #isRetryable(error: unknown): boolean {
    const verdict = this.#config.classifyError?.(error);
    if (verdict !== undefined) return verdict === 'retryable';
    return isRetryable(error);
  }

  /** The processing lease: the Lambda's remaining time plus the margin, else the fallback. */
  #leaseMs(options: RunOptions): number {
    const { leaseMarginMs, fallbackLeaseMs } = this.#config;
    return options.lambdaContext
      ? Math.max(0, options.lambdaContext.getRemainingTimeInMillis()) + leaseMarginMs
      : fallbackLeaseMs;
  }

  #trace(decoded: DecodedEvent, key: IdempotencyKey): Trace {
    const envelope = decoded.ok ? decoded.envelope : undefined;
    // `service` comes from the logger itself (Powertools reserves the key and sets it from serviceName).
    const log = {
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
    return { decoded, key, log, steps: [], settled: false };
  }

  /** Settles an event that ran or was decided with its outcome's row, and hands the outcome back. */
  #conclude<T>(trace: Trace, decision: Decision<T>): Outcome<T> {
    this.#settle(trace, decision.row, decision.fields);
    return decision.outcome;
  }

  /**
   * Step 3, the settle step, and the only place an event's metrics and log lines are emitted: first the
   * steps noted on the way, in order, then the outcome's own row of {@link EMITS}. Once per event.
   */
  #settle(trace: Trace, row: OutcomeRow, fields: Readonly<Record<string, unknown>> | undefined): void {
    if (trace.settled) throw new Error(`invariant: ${trace.key.id} settled twice`);
    trace.settled = true;
    for (const step of trace.steps) this.#emit(trace, EMITS[step.row], step.value, step.fields);
    this.#emit(trace, EMITS[row], undefined, fields);
  }

  #emit(
    trace: Trace,
    emission: Emission,
    value: number | undefined,
    fields: Readonly<Record<string, unknown>> | undefined,
  ): void {
    const { metrics, logger } = this.#config;
    for (const name of emission.count ?? []) metrics.addMetric(name, 'Count', 1);
    if (emission.time !== undefined) metrics.addMetric(emission.time, 'Milliseconds', value ?? 0);
    if (emission.log !== undefined) {
      const [level, action, message] = emission.log;
      logger[level](message, { ...trace.log, action, ...fields });
    }
  }
}

/**
 * The lifecycle behind an {@link Idempotency}: how the batch processor drives it without reaching
 * into the layer's fields.
 *
 * @internal
 */
export function lifecycleOf(idempotency: Idempotency): Lifecycle {
  const lifecycle = LIFECYCLES.get(idempotency);
  if (lifecycle === undefined) {
    throw new TypeError('Option idempotency must be an Idempotency instance (new Idempotency({ ... })).');
  }
  return lifecycle;
}

/**
 * Binds an {@link Idempotency} to its lifecycle (its constructor does).
 *
 * @internal
 */
export function bindLifecycle(idempotency: Idempotency, lifecycle: Lifecycle): void {
  LIFECYCLES.set(idempotency, lifecycle);
}

const LIFECYCLES = new WeakMap<Idempotency, Lifecycle>();

/**
 * What the lifecycle runs with: the options of `Idempotency`, validated and defaulted.
 *
 * @internal
 */
export interface LifecycleConfig {
  readonly service: string;
  readonly keyPrefix: string;
  readonly keyStrategy: KeyStrategy;
  readonly defaultTtlSeconds: number;
  /** A `Map`, not an object: the event type comes from the record, and may be `constructor`. */
  readonly eventTypeTtlSeconds: ReadonlyMap<string, number>;
  readonly leaseMarginMs: number;
  readonly fallbackLeaseMs: number;
  readonly failureMode: FailureMode;
  /** Single-write mode: no claim; the handler's writes and the finished record commit in one request. */
  readonly singleWrite: boolean;
  readonly classifyError: IdempotencyOptions['classifyError'];
  readonly store: IdempotencyStore;
  /** The finished records this container saw (off when its `maxItems` is 0). */
  readonly cache: LocalRecordCache;
  readonly clock: Clock;
  readonly logger: LayerLogger;
  readonly metrics: LayerMetrics;
}

/** What {@link Lifecycle.settleBatch} reads of a batch's report. */
export interface BatchSummary {
  readonly records: readonly unknown[];
  readonly counts: Readonly<Record<string, number>>;
  readonly batchItemFailures: readonly unknown[];
  readonly deadLetterFailure: DeadLetterUnavailableError | undefined;
  readonly durationMs: number;
}

type Metric = (typeof MetricName)[keyof typeof MetricName];

/** A row of {@link EMITS}: the metrics counted or timed, and the log line (level, `action`, message). */
interface Emission {
  readonly count?: readonly Metric[];
  /** A `*Duration` metric, in milliseconds. */
  readonly time?: Metric;
  readonly log?: readonly ['debug' | 'info' | 'warn' | 'error', string, string];
}

/**
 * Every metric and log line of an event, by what happened. The first rows are steps on the way (an
 * event notes any number of them); the last are outcomes (an event settles with exactly one, whose
 * `action` names it). `MetricName`s and `action`s are what dashboards, alarms and tests read.
 */
const EMITS = {
  // Steps on the way.
  claimed: { time: MetricName.CLAIM_DURATION },
  takeover: { count: [MetricName.TAKEOVER], log: ['warn', 'takeover', 'took over an expired lease'] },
  'store-error': { count: [MetricName.STORE_ERROR] },
  'fail-open': {
    count: [MetricName.FAIL_OPEN],
    log: [
      'error',
      'fail-open',
      'FAIL-OPEN: idempotency store unavailable, processing WITHOUT duplicate protection',
    ],
  },
  handled: { time: MetricName.HANDLER_DURATION },
  completed: { time: MetricName.COMPLETE_DURATION },
  'result-not-cached': {
    count: [MetricName.RESULT_NOT_CACHED],
    log: ['warn', 'result-not-cached', 'result not cached; the record completed without it'],
  },
  released: { count: [MetricName.RELEASED] },
  'release-refused': {
    count: [MetricName.LEASE_LOST],
    log: [
      'warn',
      'release-failed',
      'release refused: another attempt took the lease over and holds the record',
    ],
  },
  'release-failed': { log: ['warn', 'release-failed', 'release failed; the lease will expire instead'] },
  'dead-lettered': { count: [MetricName.DEAD_LETTERED] },
  'dead-letter-failed': {
    count: [MetricName.DEAD_LETTER_FAILED],
    log: ['error', 'dead-letter-failed', 'dead-letter send failed; the record is retried, not lost'],
  },
  'fail-mark-failed': { log: ['warn', 'fail-mark-failed', 'could not mark the record failed'] },
  // Outcomes.
  processed: { count: [MetricName.PROCESSED], log: ['info', 'processed', 'processed'] },
  duplicate: { count: [MetricName.DUPLICATE], log: ['info', 'duplicate', 'duplicate skipped'] },
  'in-progress-elsewhere': {
    count: [MetricName.IN_PROGRESS_ELSEWHERE],
    log: ['warn', 'in-progress-elsewhere', 'in progress elsewhere'],
  },
  failed: { count: [MetricName.FAILED], log: ['error', 'failed', 'permanent failure; record dead-lettered'] },
  retry: {
    count: [MetricName.RETRYABLE],
    log: ['warn', 'retry', 'retryable failure; record will be delivered again'],
  },
  'lease-lost': {
    count: [MetricName.LEASE_LOST, MetricName.RETRYABLE],
    log: [
      'warn',
      'lease-lost',
      'lease lost before completion; nothing was written, the new owner finishes the event',
    ],
  },
  'lease-lost-after-effect': {
    count: [MetricName.LEASE_LOST, MetricName.RETRYABLE],
    log: [
      'warn',
      'lease-lost',
      'lease lost before completion; the effect ran but the new owner holds the record',
    ],
  },
  skipped: { log: ['debug', 'skipped', 'not reached: its partition stopped at an earlier record'] },
} as const satisfies Record<string, Emission>;

type Row = keyof typeof EMITS;
type StepRow = Exclude<Row, OutcomeRow>;
type OutcomeRow =
  | 'processed'
  | 'duplicate'
  | 'in-progress-elsewhere'
  | 'failed'
  | 'retry'
  | 'lease-lost'
  | 'lease-lost-after-effect'
  | 'skipped';

/**
 * One event on its way through the lifecycle: its key and log fields, and the steps noted so far,
 * which only the settle step emits.
 *
 * @internal
 */
export interface Trace {
  readonly decoded: DecodedEvent;
  readonly key: IdempotencyKey;
  readonly log: Readonly<Record<string, unknown>>;
  readonly steps: {
    readonly row: StepRow;
    readonly value?: number;
    readonly fields?: Record<string, unknown>;
  }[];
  settled: boolean;
}

/** How an event ends: its outcome, and the row of {@link EMITS} it settles with. */
interface Decision<T> {
  readonly row: Exclude<OutcomeRow, 'skipped'>;
  readonly outcome: Outcome<T>;
  readonly fields?: Readonly<Record<string, unknown>>;
}

type ClaimedStep = Extract<ClaimStep, { kind: 'claimed' }>;
type UnclaimedStep = Extract<ClaimStep, { kind: 'unclaimed' }>;
type FailOpenStep = Extract<ClaimStep, { kind: 'fail-open' }>;

/**
 * An event after its claim: decided already (a duplicate, held elsewhere, refused, or a store
 * outage), claimed by this attempt, to run without a claim (`unclaimed`: single-write mode; its
 * `deadline` is the lease a claim would have had, told to the handler), or to run without
 * protection (`fail-open`).
 *
 * @internal
 */
export type ClaimStep =
  | { readonly kind: 'decided'; readonly trace: Trace; readonly decision: Decision<never> }
  | { readonly kind: 'claimed'; readonly trace: Trace; readonly claim: Claim }
  | { readonly kind: 'unclaimed'; readonly trace: Trace; readonly deadline: number }
  | {
      readonly kind: 'fail-open';
      readonly trace: Trace;
      readonly decoded: Extract<DecodedEvent, { ok: true }>;
      readonly error: StoreUnavailableError;
    };

function decided(trace: Trace, decision: Decision<never>): ClaimStep {
  return { kind: 'decided', trace, decision };
}

function processed<T>(outcome: ProcessedOutcome<T>, fields: Record<string, unknown>): Decision<T> {
  return { row: 'processed', outcome, fields };
}

function retry(key: IdempotencyKey, error: unknown, released: boolean): Decision<never> {
  return {
    row: 'retry',
    outcome: { status: 'retry', key, error },
    fields: { error: describe(error), released },
  };
}

function failed(key: IdempotencyKey, error: unknown): Decision<never> {
  return { row: 'failed', outcome: { status: 'failed', key, error }, fields: { error: describe(error) } };
}

function note(trace: Trace, row: StepRow, fields?: Record<string, unknown>): void {
  trace.steps.push(fields === undefined ? { row } : { row, fields });
}

function time(trace: Trace, row: StepRow, ms: number): void {
  trace.steps.push({ row, value: ms });
}
