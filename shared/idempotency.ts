import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DEFAULT_KEY_PREFIX } from './constants';
import type { DecodedEvent } from './envelope';
import type { EventHandler } from './event-handler';
import type { IdempotencyKey, KeyStrategy } from './keys';
import { bindLifecycle, Lifecycle } from './lifecycle';
import { LocalRecordCache } from './local-cache';
import { defaultLogger, defaultMetrics, type LayerLogger, type LayerMetrics } from './observability';
import { DEFAULTS, integerOption, MAX_LOCAL_CACHE_ITEMS } from './options';
import type { Outcome } from './outcome';
import { type Clock, type IdempotencyRecord, IdempotencyStore, systemClock } from './store';

export {
  type EventHandler,
  type HandlerInfo,
  type TransactionalResult,
  type TransactionalWrite,
  withWrites,
} from './event-handler';
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
   * Single-write mode, for handlers whose only effects are the DynamoDB writes they return with
   * `withWrites` (reads may be repeated): no claim first; the handler runs, then its writes and
   * the record's creation as `completed` commit in one `TransactWriteItems`, conditioned as a claim
   * is. One write request per fresh event; no `processing` record exists, so concurrent copies may
   * both run the handler and only one commits (the others are duplicates with its result).
   * `fail-open` does not apply: the record and the effect are one request. A consumer sets it with
   * its manifest's `mode: 'transactional-single-write'`.
   * @default false (claim first, then complete: two-phase or transactional completion)
   */
  readonly singleWrite?: boolean;
  /**
   * Finished records (`completed`, `failed`) this container saw, kept in memory until their
   * expiration, at most this many (least recently used evicted): a batch redelivered to the same
   * warm container is answered with no DynamoDB request. An integer from 0 to 1000000; 0 is off.
   * @default 0 (off; `IDEMPOTENCY_LOCAL_CACHE_MAX_ITEMS` for a consumer)
   */
  readonly localCacheMaxItems?: number;
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
  /** Epoch ms of the failure, by the layer's clock (the injected one in tests). */
  readonly failedAt: number;
  /**
   * Owner token of the claim the record is marked `failed` under; `undefined` when nothing was
   * claimed (the store refused the record itself, or fail-open). A redrive fences its reset with it.
   */
  readonly owner: string | undefined;
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
 * The idempotency layer for one consuming service: computes keys, claims records, runs handlers
 * under a fenced lease, and completes, releases or fails the record. Its lifecycle (claim, execute,
 * settle) lives in `lifecycle.ts`; this class validates the options and is the public face.
 *
 * @example
 * ```ts
 * declare const bytes: Uint8Array; // a record's value
 * declare function charge(data: Record<string, unknown>): Promise<{ charged: boolean }>;
 * const idem = new Idempotency({ service: 'billing', tableName: 'idempotency' });
 * const outcome = await idem.run(decodeEvent(bytes), async (envelope) => charge(envelope.data));
 * if (outcome.status === 'duplicate') console.log('already charged', outcome.result);
 * ```
 */
export class Idempotency {
  /** The consuming service: the keys' namespace. */
  readonly service: string;
  readonly #lifecycle: Lifecycle;

  constructor(options: IdempotencyOptions) {
    if (typeof options.service !== 'string' || !/^[A-Za-z0-9._-]{1,64}$/.test(options.service)) {
      throw new TypeError(
        `Option service must be 1-64 characters of letters, digits, '.', '_' or '-', got ${JSON.stringify(options.service)}.`,
      );
    }
    this.service = options.service;
    const keyPrefix = options.keyPrefix ?? DEFAULT_KEY_PREFIX;
    if (keyPrefix.length === 0 || keyPrefix.length > 64) {
      throw new TypeError(`Option keyPrefix must be 1-64 characters, got ${JSON.stringify(keyPrefix)}.`);
    }
    const keyStrategy = options.keyStrategy ?? 'content';
    if (typeof keyStrategy !== 'function' && !['content', 'envelope', 'coordinates'].includes(keyStrategy)) {
      throw new TypeError(
        `Option keyStrategy must be 'content', 'envelope', 'coordinates' or a function, got ${JSON.stringify(keyStrategy)}.`,
      );
    }
    const perType = options.eventTypeTtlSeconds ?? {};
    for (const [eventType, ttl] of Object.entries(perType)) {
      integerOption(`eventTypeTtlSeconds['${eventType}']`, ttl, { min: 1 });
    }
    const failureMode = options.failureMode ?? 'fail-closed';
    if (failureMode !== 'fail-closed' && failureMode !== 'fail-open') {
      throw new TypeError(
        `Option failureMode must be 'fail-closed' or 'fail-open', got ${JSON.stringify(failureMode)}.`,
      );
    }
    const clock = options.clock ?? systemClock;
    const singleWrite = options.singleWrite ?? false;
    if (typeof singleWrite !== 'boolean') {
      throw new TypeError(`Option singleWrite must be true or false, got ${JSON.stringify(singleWrite)}.`);
    }
    const localCacheMaxItems = integerOption('localCacheMaxItems', options.localCacheMaxItems ?? 0, {
      min: 0,
      max: MAX_LOCAL_CACHE_ITEMS,
    });
    this.#lifecycle = new Lifecycle({
      service: this.service,
      keyPrefix,
      keyStrategy,
      defaultTtlSeconds: integerOption(
        'defaultTtlSeconds',
        options.defaultTtlSeconds ?? DEFAULTS.ttlSeconds,
        {
          min: 1,
        },
      ),
      eventTypeTtlSeconds: new Map(Object.entries(perType)),
      leaseMarginMs: integerOption('leaseMarginMs', options.leaseMarginMs ?? DEFAULTS.leaseMarginMs, {
        min: 0,
      }),
      fallbackLeaseMs: integerOption('fallbackLeaseMs', options.fallbackLeaseMs ?? DEFAULTS.fallbackLeaseMs, {
        min: 1,
      }),
      failureMode,
      singleWrite,
      cache: new LocalRecordCache(localCacheMaxItems, clock),
      classifyError: options.classifyError,
      store: new IdempotencyStore({
        tableName: options.tableName,
        ...(options.client ? { client: options.client } : {}),
        clock,
        ...(options.clockSkewMs === undefined ? {} : { clockSkewMs: options.clockSkewMs }),
        ...(options.maxResultBytes === undefined ? {} : { maxResultBytes: options.maxResultBytes }),
      }),
      clock,
      logger: options.logger ?? defaultLogger(this.service),
      metrics: options.metrics ?? defaultMetrics(this.service),
    });
    bindLifecycle(this, this.#lifecycle);
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
    return this.#lifecycle.keyFor(decoded);
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
    return this.#lifecycle.ttlFor(eventType);
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
  run<T>(decoded: DecodedEvent, handler: EventHandler<T>, options: RunOptions = {}): Promise<Outcome<T>> {
    return this.#lifecycle.run(decoded, handler, options);
  }

  /**
   * Publishes the metrics stored so far: call it in `finally` at the end of an invocation that
   * uses {@link run} directly (`createKafkaHandler` does it itself).
   *
   * @example
   * ```ts
   * try { await idem.run(decoded, handler); } finally { idem.publishMetrics(); }
   * ```
   */
  publishMetrics(): void {
    this.#lifecycle.publishMetrics();
  }
}
