/**
 * The event source mapping and function settings this template deploys when a consumer's props
 * say nothing: the one place the CDK construct and the local event source mapping emulator read
 * them from, so a local run and a deployed consumer cannot behave differently. Plain numbers and
 * strings (no CDK imports), so the local tooling loads it without the CDK.
 *
 * @example
 * ```ts
 * const batchSize = props.batchSize ?? TRIGGER_DEFAULTS.batchSize;
 * ```
 */
export const TRIGGER_DEFAULTS = {
  /** `BatchSize`: records per invocation (the Kafka ESM allows 1 to 10,000). */
  batchSize: 100,
  /** `MaximumBatchingWindowInSeconds` left unset: the Kafka ESM's own default window, 500 ms. */
  maxBatchingWindowMs: 500,
  /** `StartingPosition` of a new consumer group. */
  startingPosition: 'TRIM_HORIZON',
  /** `MaximumRetryAttempts` of a failing batch (the ESM caps infinite retries at 10 with an on-failure destination). */
  retryAttempts: 10,
  /** `BisectBatchOnFunctionError`. */
  bisectBatchOnError: true,
  /** `MaximumRecordAgeInSeconds`: -1, no limit. */
  maxRecordAgeSeconds: -1,
  /** `FunctionResponseTypes: [ReportBatchItemFailures]`. */
  reportBatchItemFailures: true,
  /** Function timeout in seconds (a Kafka-triggered function may have at most 14 minutes). */
  timeoutSeconds: 60,
  /** Function memory in MB. */
  memorySize: 512,
  /** Invocation payload cap of the ESM, bytes (6 MB). */
  maxPayloadBytes: 6 * 1024 * 1024,
  /** `ProvisionedPollerConfig.MinimumPollers` (the error-handling controls need provisioned mode). */
  minimumPollers: 1,
  /** `ProvisionedPollerConfig.MaximumPollers`. */
  maximumPollers: 2,
  /** The parts of a record a schema registry validates (`SchemaValidationConfigs`) when a registry is set. */
  schemaValidation: ['VALUE'],
  /** Most `FilterCriteria` patterns per mapping: Lambda's default quota (a quota increase allows up to 10). */
  maxFilters: 5,
} as const;
