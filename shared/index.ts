/**
 * The consumer author's surface of the idempotency layer: define a consumer from its manifest and
 * routes, return effects with `withWrites`, validate `data` with `parseData`, throw the errors that
 * say retry or give up. Infrastructure, scripts and tests import the rest from `shared/internal.ts`;
 * the Powertools bridge is `shared/powertools.ts`.
 *
 * @example
 * ```ts
 * import { defineConsumer, parseData, withWrites } from '../../shared';
 * ```
 */
export {
  type BatchReport,
  BatchRetryError,
  createKafkaHandler,
  type KafkaBatchResponse,
  type KafkaHandler,
  type KafkaHandlerOptions,
  parseData,
} from './batch';
export { CONSUMER_TABLE_SCHEMA } from './constants';
export {
  type Consumer,
  type ConsumerContext,
  type ConsumerManifest,
  type ConsumerOptions,
  defineConsumer,
} from './consumer';
export { decodeEvent, type EventEnvelope } from './envelope';
export { IdempotencyError, PermanentError, RetryableError } from './errors';
export {
  type EventHandler,
  Idempotency,
  type IdempotencyOptions,
  type Outcome,
  type TransactionalResult,
  type TransactionalWrite,
  withWrites,
} from './idempotency';
