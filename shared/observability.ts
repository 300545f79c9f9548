import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';

/**
 * The part of a logger the layer uses. Powertools `Logger` satisfies it; tests pass a recorder.
 */
export interface LayerLogger {
  debug(message: string, ...extra: Record<string, unknown>[]): void;
  info(message: string, ...extra: Record<string, unknown>[]): void;
  warn(message: string, ...extra: Record<string, unknown>[]): void;
  error(message: string, ...extra: Record<string, unknown>[]): void;
}

/**
 * The part of a metrics client the layer uses. Powertools `Metrics` satisfies it; tests pass a
 * recorder.
 */
export interface LayerMetrics {
  addMetric(name: string, unit: 'Count' | 'Milliseconds', value: number): void;
  publishStoredMetrics(): void;
}

/**
 * Names of the metrics the layer emits (Powertools Metrics, EMF). All are counts except the
 * `*Duration` ones (milliseconds).
 */
export const MetricName = {
  PROCESSED: 'Processed',
  DUPLICATE: 'Duplicate',
  IN_PROGRESS_ELSEWHERE: 'InProgressElsewhere',
  FAILED: 'Failed',
  RETRYABLE: 'Retryable',
  RELEASED: 'Released',
  TAKEOVER: 'Takeover',
  LEASE_LOST: 'LeaseLost',
  RESULT_NOT_CACHED: 'ResultNotCached',
  STORE_ERROR: 'StoreError',
  FAIL_OPEN: 'FailOpen',
  DEAD_LETTERED: 'DeadLettered',
  DEAD_LETTER_FAILED: 'DeadLetterFailed',
  HANDLER_DURATION: 'HandlerDuration',
  CLAIM_DURATION: 'ClaimDuration',
  COMPLETE_DURATION: 'CompleteDuration',
} as const;

/**
 * Creates the default Powertools Logger for a service (JSON, level from `POWERTOOLS_LOG_LEVEL`).
 *
 * @example
 * ```ts
 * const logger = defaultLogger('spellchecker');
 * ```
 */
export function defaultLogger(service: string): Logger {
  return new Logger({ serviceName: service });
}

/**
 * Creates the default Powertools Metrics client for a service (namespace from
 * `POWERTOOLS_METRICS_NAMESPACE`, else `KafkaIdempotency`).
 *
 * @example
 * ```ts
 * const metrics = defaultMetrics('spellchecker');
 * ```
 */
export function defaultMetrics(service: string): Metrics {
  return new Metrics({
    serviceName: service,
    namespace: process.env.POWERTOOLS_METRICS_NAMESPACE ?? 'KafkaIdempotency',
  });
}
