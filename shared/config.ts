import { ENV } from './constants';
import { envBoolean, envChoice, envInteger, optionalEnv, requireEnv } from './env';
import type { FailureMode } from './idempotency';
import { MAX_LOCAL_CACHE_ITEMS } from './options';

/**
 * Configuration every Kafka consumer reads at cold start, from the variables infra sets (the
 * names are `ENV`'s). A consumer's own tables come from its manifest (`defineConsumer`).
 *
 * @example
 * ```ts
 * const config: ConsumerConfig = loadConsumerConfig(process.env);
 * if (config.failureMode === 'fail-open') console.warn('processing without duplicate protection during outages');
 * ```
 */
export interface ConsumerConfig {
  /** Name of the idempotency table (`IDEMPOTENCY_TABLE_NAME`). */
  readonly idempotencyTableName: string;
  /**
   * Where poison records go (`DEAD_LETTER_QUEUE_URL`): an SQS queue URL, or `file:///path` for a
   * local JSON Lines file.
   */
  readonly deadLetterQueueUrl: string;
  /**
   * `true` when the event source mapping has `ReportBatchItemFailures` (`KAFKA_PARTIAL_BATCH_RESPONSE`).
   * @default false
   */
  readonly partialBatchResponse: boolean;
  /**
   * What a store outage does (`IDEMPOTENCY_FAILURE_MODE`).
   * @default 'fail-closed'
   */
  readonly failureMode: FailureMode;
  /** DynamoDB endpoint override for DynamoDB Local or LocalStack (`DYNAMODB_ENDPOINT`); unset in AWS. */
  readonly dynamodbEndpoint: string | undefined;
  /** SQS endpoint override for LocalStack (`SQS_ENDPOINT`); unset in AWS. */
  readonly sqsEndpoint: string | undefined;
  /** S3 bucket for dead letters too large for a message (`DEAD_LETTER_SPILL_BUCKET`); unset: they are cut. */
  readonly deadLetterSpillBucket: string | undefined;
  /** S3 endpoint override for LocalStack (`S3_ENDPOINT`); unset in AWS. */
  readonly s3Endpoint: string | undefined;
  /**
   * Margin (ms) added to the Lambda's remaining time to form the processing lease
   * (`IDEMPOTENCY_LEASE_MARGIN_MS`).
   * @default the layer's default (10000)
   */
  readonly leaseMarginMs: number | undefined;
  /**
   * Processing lease (ms) when there is no Lambda context (`IDEMPOTENCY_FALLBACK_LEASE_MS`).
   * @default the layer's default (60000)
   */
  readonly fallbackLeaseMs: number | undefined;
  /**
   * Finished records kept in the container's memory, so that a redelivery to the same warm
   * container costs no request (`IDEMPOTENCY_LOCAL_CACHE_MAX_ITEMS`).
   * @default 0 (off)
   */
  readonly localCacheMaxItems: number | undefined;
}

/** Longest lease that makes sense: a Kafka-triggered Lambda runs at most 14 minutes. */
const MAX_LEASE_MS = 15 * 60 * 1000;

/**
 * Reads the configuration shared by every consumer. Required variables throw
 * `Environment variable X is required`; malformed booleans, choices and integers throw naming the
 * variable and the value.
 *
 * @example
 * ```ts
 * const common = loadConsumerConfig(process.env);
 * console.log(common.idempotencyTableName, common.partialBatchResponse);
 * ```
 */
export function loadConsumerConfig(env: NodeJS.ProcessEnv = process.env): ConsumerConfig {
  return {
    idempotencyTableName: requireEnv(ENV.IDEMPOTENCY_TABLE_NAME, env),
    deadLetterQueueUrl: requireEnv(ENV.DEAD_LETTER_QUEUE_URL, env),
    partialBatchResponse: envBoolean(ENV.PARTIAL_BATCH_RESPONSE, false, env),
    failureMode: envChoice(ENV.FAILURE_MODE, ['fail-closed', 'fail-open'] as const, 'fail-closed', env),
    dynamodbEndpoint: optionalEnv(ENV.DYNAMODB_ENDPOINT, env),
    sqsEndpoint: optionalEnv(ENV.SQS_ENDPOINT, env),
    deadLetterSpillBucket: optionalEnv(ENV.DEAD_LETTER_SPILL_BUCKET, env),
    s3Endpoint: optionalEnv(ENV.S3_ENDPOINT, env),
    leaseMarginMs: envInteger(ENV.LEASE_MARGIN_MS, { min: 0, max: MAX_LEASE_MS }, env),
    fallbackLeaseMs: envInteger(ENV.FALLBACK_LEASE_MS, { min: 1, max: MAX_LEASE_MS }, env),
    localCacheMaxItems: envInteger(ENV.LOCAL_CACHE_MAX_ITEMS, { min: 0, max: MAX_LOCAL_CACHE_ITEMS }, env),
  };
}
