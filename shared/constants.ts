/**
 * Names shared by the library, the functions and the infrastructure, so that the table the CDK
 * app creates and the code that writes to it cannot drift apart.
 */

/**
 * Schema of the idempotency table. `infra/` builds the table from these names.
 *
 * @example
 * ```ts
 * new dynamodb.Table(this, 'Idempotency', {
 *   partitionKey: { name: IDEMPOTENCY_TABLE_SCHEMA.partitionKey, type: dynamodb.AttributeType.STRING },
 *   timeToLiveAttribute: IDEMPOTENCY_TABLE_SCHEMA.ttlAttribute,
 * });
 * ```
 */
export const IDEMPOTENCY_TABLE_SCHEMA = {
  /** Partition key (string): `<prefix>:<service>:<event_type>:<hash>`. */
  partitionKey: 'id',
  /** TTL attribute (number, epoch **seconds**). */
  ttlAttribute: 'expiration',
} as const;

/**
 * The states an idempotency record moves through. Stored verbatim in the `status` attribute.
 *
 * @example
 * ```ts
 * if (record.status === RecordStatus.COMPLETED) return record.result;
 * ```
 */
export const RecordStatus = {
  PROCESSING: 'processing',
  COMPLETED: 'completed',
  FAILED: 'failed',
} as const;

/** One of {@link RecordStatus}'s values. */
export type RecordStatus = (typeof RecordStatus)[keyof typeof RecordStatus];

/**
 * DynamoDB actions the layer performs on the idempotency table, and nothing more. The CDK
 * construct grants exactly these; `test/integration/shared/table-actions.test.ts` derives the list
 * from the requests the store and the Powertools persistence layer send, and compares.
 *
 * - `UpdateItem`: claim (an upsert, so a claim is never a `PutItem`), complete, fail, and the
 *   `completed` mark inside a transactional completion's `TransactWriteItems` (IAM authorizes each
 *   item of a transaction with its own action; the transaction needs none of its own).
 * - `DeleteItem`: release after a retryable error.
 * - `BatchGetItem`: the pre-check of a batch.
 * - `GetItem`: `IdempotencyStore.get` and the Powertools persistence layer's reads.
 *
 * @example
 * ```ts
 * fn.addToRolePolicy(new iam.PolicyStatement({ actions: [...IDEMPOTENCY_TABLE_ACTIONS], resources: [table.tableArn] }));
 * ```
 */
export const IDEMPOTENCY_TABLE_ACTIONS = [
  'dynamodb:GetItem',
  'dynamodb:BatchGetItem',
  'dynamodb:UpdateItem',
  'dynamodb:DeleteItem',
] as const;

/**
 * Environment variable names read by the functions and set by the infrastructure.
 *
 * @example
 * ```ts
 * const tableName = requireEnv(ENV.IDEMPOTENCY_TABLE_NAME);
 * ```
 */
export const ENV = {
  /** Name of the idempotency table. Required. */
  IDEMPOTENCY_TABLE_NAME: 'IDEMPOTENCY_TABLE_NAME',
  /** Consuming service name: the key's namespace, and the Powertools service. Required. */
  SERVICE_NAME: 'POWERTOOLS_SERVICE_NAME',
  /** Metrics namespace for Powertools Metrics. */
  METRICS_NAMESPACE: 'POWERTOOLS_METRICS_NAMESPACE',
  /** URL of the SQS dead-letter queue for poison records. Required by the batch processor. */
  DEAD_LETTER_QUEUE_URL: 'DEAD_LETTER_QUEUE_URL',
  /** `fail-closed` (default) or `fail-open`. */
  FAILURE_MODE: 'IDEMPOTENCY_FAILURE_MODE',
  /** `true` when the event source mapping has `ReportBatchItemFailures`. */
  PARTIAL_BATCH_RESPONSE: 'KAFKA_PARTIAL_BATCH_RESPONSE',
  /** Override of the DynamoDB endpoint (DynamoDB Local, LocalStack). Unset in AWS. */
  DYNAMODB_ENDPOINT: 'DYNAMODB_ENDPOINT',
  /** Override of the SQS endpoint (LocalStack). Unset in AWS. */
  SQS_ENDPOINT: 'SQS_ENDPOINT',
  /** Optional: S3 bucket for dead letters too large for an SQS message (the extended-client pointer). */
  DEAD_LETTER_SPILL_BUCKET: 'DEAD_LETTER_SPILL_BUCKET',
  /** Override of the S3 endpoint (LocalStack); path-style addressing when set. Unset in AWS. */
  S3_ENDPOINT: 'S3_ENDPOINT',
  /** Optional: margin (ms) added to the Lambda's remaining time to form the processing lease. */
  LEASE_MARGIN_MS: 'IDEMPOTENCY_LEASE_MARGIN_MS',
  /** Optional: processing lease (ms) when there is no Lambda context. */
  FALLBACK_LEASE_MS: 'IDEMPOTENCY_FALLBACK_LEASE_MS',
  /** Optional: finished records kept in the container's memory (the local cache); 0 or unset is off. */
  LOCAL_CACHE_MAX_ITEMS: 'IDEMPOTENCY_LOCAL_CACHE_MAX_ITEMS',
} as const;

/** Default namespace prefix of every key; bump it to invalidate all keys at once. */
export const DEFAULT_KEY_PREFIX = 'idem:v1';

/**
 * Key schema of the consumers' own tables (single-table design: `pk` + `sk`, both strings).
 *
 * @example
 * ```ts
 * const batchId = 'b-1';
 * const key = { [CONSUMER_TABLE_SCHEMA.partitionKey]: `BATCH#${batchId}`, [CONSUMER_TABLE_SCHEMA.sortKey]: 'META' };
 * ```
 */
export const CONSUMER_TABLE_SCHEMA = {
  partitionKey: 'pk',
  sortKey: 'sk',
} as const;
