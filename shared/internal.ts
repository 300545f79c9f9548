/**
 * The internal entry of the idempotency layer: everything infrastructure, the local scripts, the
 * proof tooling (tools/) and the tests need beyond the consumer author's surface (`shared/index.ts`):
 * table schema and environment names, the store, decoding, keys, dead-letter sinks, errors by kind,
 * configuration helpers. Consumers import from `shared/index.ts`; the Powertools bridge has its own
 * entry, `shared/powertools.ts`. Names here may change between releases of the template.
 *
 * @example
 * ```ts
 * import { IDEMPOTENCY_TABLE_SCHEMA, IdempotencyStore, decodeMskEvent } from '../shared/internal';
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
  type RecordReport,
  type RecordStatusInBatch,
} from './batch';
export { type ConsumerConfig, loadConsumerConfig } from './config';
export {
  CONSUMER_TABLE_SCHEMA,
  DEFAULT_KEY_PREFIX,
  ENV,
  IDEMPOTENCY_TABLE_ACTIONS,
  IDEMPOTENCY_TABLE_SCHEMA,
  RecordStatus,
} from './constants';
export {
  type Consumer,
  type ConsumerContext,
  type ConsumerOptions,
  consumerInMode,
  defineConsumer,
  type Routes,
} from './consumer';
export {
  DEAD_LETTER_MAX_BYTES,
  type DeadLetterEntry,
  type DeadLetterSink,
  deadLetterBody,
  deadLetterSinkFor,
  FileDeadLetterSink,
  S3_POINTER_CLASS,
} from './dead-letter';
export { SqsDeadLetterSink, type SqsDeadLetterSinkOptions, sqsMessage } from './dead-letter-sqs';
export { envBoolean, envChoice, envInteger, type IntegerBounds, optionalEnv, requireEnv } from './env';
export {
  type DecodedEvent,
  decodeEvent,
  ENVELOPE_LIMITS,
  type EventEnvelope,
  EventEnvelopeSchema,
  type RecordCoordinates,
} from './envelope';
export {
  BusinessConditionFailedError,
  DeadLetterUnavailableError,
  describe,
  IdempotencyError,
  InProgressElsewhereError,
  InvalidRecordError,
  isRetryable,
  LeaseLostError,
  PayloadMismatchError,
  PermanentError,
  RetryableError,
  StoreUnavailableError,
} from './errors';
export {
  type EventHandler,
  type FailureMode,
  type HandlerInfo,
  Idempotency,
  type IdempotencyOptions,
  type LambdaContextLike,
  type Outcome,
  type PermanentFailure,
  type RunOptions,
  type TransactionalResult,
  withWrites,
} from './idempotency';
export { type BatchRecord, DEFAULT_INPUT_LIMITS, decodeMskEvent, type InputLimits } from './kafka';
export {
  type CustomKeyFunction,
  canonicalJson,
  computeKey,
  type IdempotencyKey,
  type KeyStrategy,
  sha256Hex,
} from './keys';
export {
  type BinaryWire,
  type CodecSpec,
  type ConsumerManifest,
  type FieldSource,
  type ManifestTable,
  type TableAction,
  type TypeSource,
  validateManifest,
} from './manifest';
export { type LayerLogger, type LayerMetrics, MetricName } from './observability';
export { DEFAULTS } from './options';
export {
  type Claim,
  type Clock,
  createDocumentClient,
  type IdempotencyRecord,
  IdempotencyStore,
  type IdempotencyStoreOptions,
  MAX_TRANSACTIONAL_WRITES,
  systemClock,
  type TransactionalWrite,
} from './store';
export { errorName, RESET_MESSAGE_PREFIX_CHARS, releaseRequest, resetFailedRequest } from './transitions';
