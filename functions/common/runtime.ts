import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import {
  type Clock,
  createDocumentClient,
  type DeadLetterSink,
  deadLetterSinkFor,
  Idempotency,
  type LayerLogger,
  type LayerMetrics,
  systemClock,
} from '../../shared';
import type { ConsumerConfig } from './config';

/**
 * What a consumer's `createHandler(config, deps)` lets a caller replace. Everything defaults to the
 * production wiring; tests inject a client on DynamoDB Local (with fault or counting middleware), a
 * clock, recorders and an in-memory dead-letter sink.
 *
 * @example
 * ```ts
 * const deps: ConsumerDeps = { client: doc, clock: { now: () => Date.now() + 5_000 }, deadLetter: new FileDeadLetterSink('/tmp/dlq.jsonl') };
 * ```
 */
export interface ConsumerDeps {
  /**
   * Document client for the idempotency table and the consumer's own tables.
   * @default `createDocumentClient({ endpoint: config.dynamodbEndpoint })`
   */
  readonly client?: DynamoDBDocumentClient;
  /**
   * Clock for leases, expirations and the timestamps the consumer stores.
   * @default the system clock
   */
  readonly clock?: Clock;
  /**
   * Logger.
   * @default a Powertools Logger for the service
   */
  readonly logger?: LayerLogger;
  /**
   * Metrics client.
   * @default Powertools Metrics for the service
   */
  readonly metrics?: LayerMetrics;
  /**
   * Where poison records go.
   * @default `deadLetterSinkFor(config.deadLetterQueueUrl, { sqsEndpoint: config.sqsEndpoint })`
   */
  readonly deadLetter?: DeadLetterSink;
}

/**
 * What {@link consumerRuntime} builds for a consumer.
 *
 * @example
 * ```ts
 * const { idempotency, client, clock, deadLetter }: ConsumerRuntime = consumerRuntime(config, identity, deps);
 * ```
 */
export interface ConsumerRuntime {
  readonly idempotency: Idempotency;
  readonly client: DynamoDBDocumentClient;
  readonly clock: Clock;
  readonly deadLetter: DeadLetterSink;
}

/**
 * The parts of a consumer that are constants in its code, not configuration.
 *
 * @example
 * ```ts
 * const identity: ConsumerIdentity = { service: 'spellchecker', eventTypeTtlSeconds: { 'huleedu.essay.spellcheck.requested.v1': 3600 } };
 * ```
 */
export interface ConsumerIdentity {
  /** The consuming service: the idempotency keys' namespace. Never renamed once deployed. */
  readonly service: string;
  /** TTL (seconds) of finished idempotency records, per event type. */
  readonly eventTypeTtlSeconds: Readonly<Record<string, number>>;
  /**
   * TTL (seconds) for any other event type.
   * @default 86400 (24 hours)
   */
  readonly defaultTtlSeconds?: number;
}

/**
 * Builds the idempotency layer, the DynamoDB client, the clock and the dead-letter sink of a
 * consumer from its configuration, its identity and the injected dependencies.
 *
 * @example
 * ```ts
 * const runtime = consumerRuntime(loadConsumerConfig(), { service: 'spellchecker', eventTypeTtlSeconds: {} });
 * const handler = createKafkaHandler({ idempotency: runtime.idempotency, deadLetter: runtime.deadLetter, routes });
 * ```
 */
export function consumerRuntime(
  config: ConsumerConfig,
  identity: ConsumerIdentity,
  deps: ConsumerDeps = {},
): ConsumerRuntime {
  const client = deps.client ?? createDocumentClient({ endpoint: config.dynamodbEndpoint });
  const clock = deps.clock ?? systemClock;
  const idempotency = new Idempotency({
    service: identity.service,
    tableName: config.idempotencyTableName,
    client,
    clock,
    failureMode: config.failureMode,
    eventTypeTtlSeconds: identity.eventTypeTtlSeconds,
    defaultTtlSeconds: identity.defaultTtlSeconds ?? 86_400,
    ...(config.leaseMarginMs !== undefined ? { leaseMarginMs: config.leaseMarginMs } : {}),
    ...(config.fallbackLeaseMs !== undefined ? { fallbackLeaseMs: config.fallbackLeaseMs } : {}),
    ...(deps.logger ? { logger: deps.logger } : {}),
    ...(deps.metrics ? { metrics: deps.metrics } : {}),
  });
  const deadLetter =
    deps.deadLetter ?? deadLetterSinkFor(config.deadLetterQueueUrl, { sqsEndpoint: config.sqsEndpoint });
  return { idempotency, client, clock, deadLetter };
}
