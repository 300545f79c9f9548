import * as path from 'node:path';
import {
  Annotations,
  ArnFormat,
  CfnElement,
  Duration,
  Names,
  RemovalPolicy,
  Stack,
  Validations,
} from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { KafkaDlq, type ProvisionedPollerConfig, SqsDlq } from 'aws-cdk-lib/aws-lambda-event-sources';
import * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import {
  type ConsumerManifest,
  ENV,
  type FailureMode,
  MetricName,
  type TableAction,
  validateManifest,
} from '../../shared/internal';
import { FUNCTION_ESBUILD_TARGET, functionBundling } from '../lib/bundling';
import {
  type KafkaAuthentication,
  KafkaAuthMethod,
  type KafkaClusterNetwork,
  type KafkaSchemaRegistry,
  schemaRegistryConfig,
  sourceAccessConfigurations,
  triggerSecrets,
} from '../lib/kafka-source';
import {
  acknowledgeKafkaTriggerPolicy,
  INLINE_POLICY_REASON,
  type KafkaTriggerGrants,
  type KafkaTriggerSource,
  kafkaTriggerStatements,
} from '../lib/kafka-trigger-policy';
import { TRIGGER_DEFAULTS } from '../lib/trigger-defaults';
import { validateProps } from '../lib/validate';
import {
  CONSUMER_ALARMS_RULES,
  CONSUMER_RULES,
  KAFKA_TRIGGER_RULES,
  MSK_TRIGGER_RULES,
  type ResolvedKafkaTriggerProps,
  SELF_MANAGED_KAFKA_TRIGGER_RULES,
  TABLE_ACTION_READS,
} from '../lib/validate-consumer-props';
import {
  ConsumerAlarms,
  type ConsumerAlarmsOptions,
  type IAlarmedConsumer,
  type OffsetLagAlarmProps,
} from './consumer-alarms';
import type { IIdempotencyTable } from './idempotency-table';

/**
 * Default namespace of the layer's metrics; the same default the shared library uses.
 *
 * @example
 * ```ts
 * new cloudwatch.Metric({ namespace: DEFAULT_METRICS_NAMESPACE, metricName: MetricName.PROCESSED });
 * ```
 */
export const DEFAULT_METRICS_NAMESPACE = 'KafkaIdempotency';

/**
 * Id of the warning a consumer shows when its Kafka trigger has no `clusterNetwork`; a CI that wants
 * `--strict` can acknowledge it.
 *
 * @example
 * ```ts
 * Validations.of(stack).acknowledge({ id: `Annotation::${CLUSTER_NETWORK_WARNING_ID}`, reason: 'CI synth only' });
 * ```
 */
export const CLUSTER_NETWORK_WARNING_ID = '@kafka-effectively-once/cluster-network-unknown';

/** The repository's root: a consumer's handler is `functions/<service>/handler.ts` below it. */
const REPO_ROOT = path.resolve(__dirname, '..', '..');

const ASYNC_DLQ_REASON =
  'The function is invoked synchronously by its Kafka event source mappings, whose exhausted batches go to the on-failure destination ' +
  '(the shared dead-letter queue), and the handler dead-letters poison records itself; a function DLQ serves asynchronous invocations only, which this function does not receive.';

/**
 * Settings of the `NodejsFunction` beyond the construct's own props, merged over its defaults
 * (`bundling` over the construct's bundling, key by key; `externalModules` and `commandHooks` are
 * added to the construct's, and `format` and `forceDockerBundling` cannot change: see
 * `functionBundling` in `infra/lib/bundling.ts`). The role, log group, environment, runtime,
 * memory, timeout, concurrency and tracing are the construct's props and not here.
 *
 * @example
 * ```ts
 * const functionProps: ConsumerFunctionProps = { bundling: { externalModules: ['sharp'] }, ephemeralStorageSize: Size.gibibytes(1) };
 * ```
 */
export type ConsumerFunctionProps = Omit<
  nodejs.NodejsFunctionProps,
  | 'entry'
  | 'role'
  | 'logGroup'
  | 'environment'
  | 'runtime'
  | 'memorySize'
  | 'timeout'
  | 'reservedConcurrentExecutions'
  | 'tracing'
>;

/**
 * The settings every Kafka trigger of a consumer shares, whatever the cluster
 * ({@link IdempotentKafkaConsumer.addMskTrigger}, {@link IdempotentKafkaConsumer.addSelfManagedKafkaTrigger}):
 * one event source mapping (ESM) per topic, all with the same deliberately chosen error handling.
 * The error-handling controls (`retryAttempts`, `bisectBatchOnError`, `maxRecordAge`,
 * `reportBatchItemFailures`, `onFailure`) and the schema-registry integration exist for Kafka ESMs
 * only in provisioned poller mode, so every ESM gets a `provisionedPollerConfig`.
 *
 * @example
 * ```ts
 * const options: KafkaTriggerOptions = { retryAttempts: 5, onFailureTopic: 'orders.dlt' };
 * ```
 */
export interface KafkaTriggerOptions extends OffsetLagAlarmProps {
  /**
   * Topics to consume; one event source mapping each.
   *
   * @default - the manifest's topics
   */
  readonly topics?: readonly string[];

  /**
   * Base of the consumer group ids. Lambda requires a group id unique among all Kafka event sources,
   * and an ESM reads one topic, so the ESM of `topic` joins the group `<consumerGroupId>.<topic>`.
   * Never change it once deployed: a new group starts again from `startingPosition`.
   *
   * @default - the manifest's service
   */
  readonly consumerGroupId?: string;

  /**
   * Largest number of records per invocation (1 to 10000).
   *
   * @default 100
   */
  readonly batchSize?: number;

  /**
   * How long the ESM gathers records before invoking (whole seconds, at most 300 s).
   *
   * @default - the Kafka ESM's own default, 500 ms (CDK cannot express sub-second windows)
   */
  readonly maxBatchingWindow?: Duration;

  /**
   * Where a new consumer group starts. TRIM_HORIZON reads what was produced before the ESM
   * existed; the idempotency layer makes re-reading safe.
   *
   * @default lambda.StartingPosition.TRIM_HORIZON
   */
  readonly startingPosition?: lambda.StartingPosition;

  /**
   * Retries of a batch whose invocation failed (function error or timeout), -1 for unlimited.
   * After the last one the batch goes to the on-failure destination and the partition moves on.
   * Lambda caps unlimited retries at 10 when an on-failure destination is set.
   *
   * @default 10
   */
  readonly retryAttempts?: number;

  /**
   * Split a failing batch in two and retry each half, isolating a record that crashes or times
   * out the function.
   *
   * @default true
   */
  readonly bisectBatchOnError?: boolean;

  /**
   * Records older than this are not sent to the function but to the on-failure destination
   * (60 s to 7 days, whole seconds).
   *
   * @default - no limit: a record leaves only by success or by exhausting `retryAttempts`
   */
  readonly maxRecordAge?: Duration;

  /**
   * Provisioned poller mode, which the error-handling controls require. Each poller handles up
   * to 5 MB/s; `minimumPollers` are billed around the clock (see the README's cost section).
   *
   * @default { minimumPollers: 1, maximumPollers: 2 }
   */
  readonly provisionedPollerConfig?: ProvisionedPollerConfig;

  /**
   * Event filters (the ESM's `FilterCriteria`): a record reaches the function only if it matches at
   * least one pattern; the others are dropped by Lambda, committed, and never seen by the handler or
   * the dead-letter queue. Build each with `lambda.FilterCriteria.filter({ value: { type: ['x'] } })`
   * (a `{ pattern }` of JSON text). At most 5, Lambda's default quota. A `value` pattern matches JSON
   * values only (or what the schema registry decoded, with `eventRecordFormat: 'JSON'`).
   *
   * @default - none: every record reaches the function
   */
  readonly filters?: readonly { readonly [key: string]: unknown }[];

  /**
   * The ESM's schema-registry integration: Lambda validates each record's value (and key) against an
   * AWS Glue or Confluent registry and delivers it decoded to JSON (`eventRecordFormat: 'JSON'`, the
   * manifest's codec must have wire `esm-json`) or in its source encoding without the schema header
   * (`'SOURCE'`, wire `raw`). Records that fail validation go to the on-failure destination. The
   * role may read the registry (Glue) or the registry's secrets (Confluent), nothing else.
   *
   * @default - none: the function receives the records' bytes as produced, and its codec decodes them
   */
  readonly schemaRegistry?: KafkaSchemaRegistry;

  /**
   * A Kafka topic of the same cluster as the on-failure destination (`kafka://<topic>`), in place of
   * the dead-letter queue: exhausted batches' records themselves (not only their metadata) are
   * produced there. It must exist, and must not be one of `topics` (Lambda refuses recursion). With
   * MSK IAM auth the role may write to that topic only (`kafka-cluster:WriteData`); with SASL/SCRAM or
   * mTLS give the credentials' user a Kafka ACL to write it.
   *
   * @default - the dead-letter queue (SQS): exhausted batches' metadata go there
   */
  readonly onFailureTopic?: string;
}

/**
 * How one consumer reads from Amazon MSK ({@link IdempotentKafkaConsumer.addMskTrigger}).
 *
 * @example
 * ```ts
 * const trigger: MskTriggerProps = { clusterArn, retryAttempts: 5 };
 * ```
 */
export interface MskTriggerProps extends KafkaTriggerOptions {
  /**
   * ARN of the MSK cluster (provisioned or serverless):
   * `arn:aws:kafka:<region>:<account>:cluster/<name>/<uuid>`. A token is accepted; topic and
   * group ARNs are then derived at deploy time.
   */
  readonly clusterArn: string;

  /**
   * The cluster's subnets and security groups. The event source mapping creates its network
   * interfaces in the cluster's subnets with the cluster's security groups, and the execution role
   * may create and delete network interfaces only there.
   *
   * @default - network interfaces may be created in any subnet, with any security group, of this
   * account and region (the cluster's network is unknown at synth time); the construct warns
   */
  readonly clusterNetwork?: KafkaClusterNetwork;

  /**
   * How the pollers authenticate: `IAM` (the role's `kafka-cluster:*` grants on these topics and
   * groups), `SASL_SCRAM_512` or `MTLS` with a secret (the cluster's Kafka ACLs then authorize, and
   * the role gets no `kafka-cluster:*` action).
   *
   * @default { method: 'IAM' }
   */
  readonly authentication?: KafkaAuthentication;
}

/**
 * How one consumer reads from a self-managed Apache Kafka cluster (Confluent Cloud, Redpanda, your
 * own brokers) ({@link IdempotentKafkaConsumer.addSelfManagedKafkaTrigger}). Its events have
 * `eventSource: 'SelfManagedKafka'` and decode like MSK ones.
 *
 * @example
 * ```ts
 * const trigger: SelfManagedKafkaTriggerProps = {
 *   bootstrapServers: ['b-1.example.com:9096'],
 *   authentication: { method: 'SASL_SCRAM_512', secret },
 * };
 * ```
 */
export interface SelfManagedKafkaTriggerProps extends KafkaTriggerOptions {
  /** The brokers to bootstrap from, `host:port` each (the ESM's `SelfManagedEventSource`). Changing them replaces the mappings. */
  readonly bootstrapServers: readonly string[];

  /**
   * How the pollers authenticate: `SASL_SCRAM_256`, `SASL_SCRAM_512` or `MTLS`, with the secret
   * holding the credentials. The role may read exactly that secret.
   */
  readonly authentication: KafkaAuthentication;

  /**
   * The root CA certificate (PEM, `{"certificate": "..."}`) of brokers whose TLS certificates a
   * private CA signed. The role may read exactly that secret.
   *
   * @default - none: the brokers' certificates are publicly trusted
   */
  readonly serverRootCaSecret?: secretsmanager.ISecret;

  /**
   * Subnets and security groups from which the brokers are reachable (the ESM's `VPC_SUBNET` and
   * `VPC_SECURITY_GROUP`); the mapping's network interfaces go there, and the role may create and
   * delete network interfaces only there. The subnets need a route to Lambda, STS (and SQS or
   * Secrets Manager) APIs: a NAT gateway or interface endpoints.
   *
   * @default - none: the pollers reach the brokers over the internet, and the role has no EC2 action
   */
  readonly network?: KafkaClusterNetwork;
}

/**
 * What a Kafka trigger ({@link IdempotentKafkaConsumer.addMskTrigger},
 * {@link IdempotentKafkaConsumer.addSelfManagedKafkaTrigger}) created.
 *
 * @example
 * ```ts
 * const { consumerGroupIds } = consumer.addMskTrigger({ clusterArn });
 * ```
 */
export interface KafkaTrigger {
  /** One event source mapping per topic. */
  readonly eventSourceMappings: readonly lambda.EventSourceMapping[];
  /** The policy of the mappings (network interfaces, cluster, topics, groups, secrets, registry); each mapping waits for it. */
  readonly eventSourceMappingPolicy: iam.Policy;
  /** The consumer group id of each topic's mapping, by topic. */
  readonly consumerGroupIds: Readonly<Record<string, string>>;
  /** The alarm on the mappings' offset lag. */
  readonly offsetLagAlarm: cloudwatch.Alarm;
}

/**
 * Properties of an {@link IdempotentKafkaConsumer}.
 *
 * @example
 * ```ts
 * new IdempotentKafkaConsumer(this, manifest.id, { manifest, idempotencyTable, deadLetterQueue, tables: { ORDERS_TABLE_NAME: orders } });
 * ```
 */
export interface IdempotentKafkaConsumerProps extends ConsumerAlarmsOptions {
  /**
   * The consumer's manifest (`functions/<name>/manifest.ts`): its service name (`POWERTOOLS_SERVICE_NAME`,
   * the metrics' `service` dimension, the alarms', the consumer group ids' base), its topics (the
   * trigger's default) and its tables with the actions its handler sends to each.
   */
  readonly manifest: ConsumerManifest;

  /**
   * Path of the handler's entry file (TypeScript), bundled locally with esbuild.
   *
   * @default - `functions/<manifest.service>/handler.ts` in this repository
   */
  readonly entry?: string;

  /** The idempotency table; the function gets exactly the layer's actions on it. */
  readonly idempotencyTable: IIdempotencyTable;

  /** Queue for poison records (sent by the handler) and exhausted batches (sent by the ESM). */
  readonly deadLetterQueue: sqs.IQueue;

  /**
   * Bucket for dead letters too large for a message (`DeadLetterQueue.spillBucket`). Passing it
   * sets `DEAD_LETTER_SPILL_BUCKET` and grants `s3:PutObject` on its objects, together.
   *
   * @default - none: an oversized dead letter is cut to fit the message
   */
  readonly deadLetterSpillBucket?: s3.IBucket;

  /**
   * The consumer's own tables, keyed by the environment variable its manifest names for each:
   * passing a table sets that variable to its name and grants the function exactly the manifest's
   * actions on it (and the use of its customer-managed key), together. Every table of the manifest,
   * and only those.
   *
   * @default - none (for a manifest without tables)
   */
  readonly tables?: Readonly<Record<string, dynamodb.ITable>>;

  /**
   * Extra environment. Keys the construct sets itself, and the manifest's table variables, are rejected.
   *
   * @default - none
   */
  readonly environment?: Readonly<Record<string, string>>;

  /**
   * Whether the ESM has `ReportBatchItemFailures` and the handler answers with
   * `batchItemFailures` instead of throwing. Sets `KAFKA_PARTIAL_BATCH_RESPONSE` from the same
   * value so the two cannot disagree.
   *
   * @default true
   */
  readonly reportBatchItemFailures?: boolean;

  /**
   * What the layer does when DynamoDB is unavailable: `fail-closed` retries later,
   * `fail-open` processes without the guarantee (logged and metered).
   *
   * @default 'fail-closed'
   */
  readonly failureMode?: FailureMode;

  /**
   * Namespace of the layer's metrics (`POWERTOOLS_METRICS_NAMESPACE`).
   *
   * @default 'KafkaIdempotency'
   */
  readonly metricsNamespace?: string;

  /**
   * Lambda runtime; Node.js 22 or newer.
   *
   * @default lambda.Runtime.NODEJS_24_X
   */
  readonly runtime?: lambda.Runtime;

  /**
   * Memory in MB (128 to 10240).
   *
   * @default 512
   */
  readonly memorySize?: number;

  /**
   * Function timeout; at most 14 minutes for Kafka. The idempotency lease follows the
   * remaining time, so a longer timeout delays takeover after a crash.
   *
   * @default Duration.minutes(1)
   */
  readonly timeout?: Duration;

  /**
   * Concurrent executions reserved for the function (taken from the account's unreserved pool, and
   * also its ceiling). With a Kafka trigger the concurrency follows the pollers and the topics'
   * partitions (one batch in flight per partition), so a cap below that throttles the consumer.
   *
   * @default - none reserved: the function draws on the account's unreserved concurrency
   */
  readonly reservedConcurrentExecutions?: number;

  /**
   * AWS X-Ray tracing of the function. `ACTIVE` samples invocations and adds the X-Ray write actions
   * (which take no resource) to the role.
   *
   * @default - no tracing configuration (X-Ray off)
   */
  readonly tracing?: lambda.Tracing;

  /**
   * Customer-managed KMS key to encrypt the function's log group with. For a key defined in this app
   * the construct lets CloudWatch Logs of this account and region use it (a statement in its key
   * policy); an imported key's policy must allow that already.
   *
   * @default - CloudWatch Logs' own encryption at rest (service-managed keys)
   */
  readonly logEncryptionKey?: kms.IKey;

  /**
   * Retention of the function's log group.
   *
   * @default logs.RetentionDays.ONE_MONTH
   */
  readonly logRetention?: logs.RetentionDays;

  /**
   * What happens to the log group when it leaves the stack.
   *
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;

  /**
   * Whether stack traces name the TypeScript source: esbuild emits a linked source map
   * (`index.js.map`) and the function runs with `NODE_OPTIONS=--enable-source-maps`. It costs cold-start
   * time: with the flag Node reads and parses the bundle's whole source map when it loads the bundle
   * (megabytes of JSON for a minified bundle that includes the AWS SDK) and maps every frame of every
   * `Error.stack` it formats; the map also enlarges the package Lambda downloads at init. Off, the
   * bundle has neither map nor flag, and stack traces name minified positions of `index.js`.
   *
   * @default false
   */
  readonly enableSourceMaps?: boolean;

  /**
   * The escape hatch: any other `NodejsFunction` setting (handler name, bundling options,
   * ephemeral storage, ...), merged last over the construct's defaults.
   *
   * @default - the construct's defaults: handler `handler`, arm64, esbuild minified (source maps as
   * `enableSourceMaps` says) and the AWS SDK from the lockfile
   */
  readonly functionProps?: ConsumerFunctionProps;
}

/**
 * One idempotent Kafka consumer, built from its manifest: a Node.js Lambda function (arm64, bundled
 * locally by esbuild, minified, source maps on request), its log group, least-privilege IAM, and its
 * alarms ({@link ConsumerAlarms}: errors, throttles, dead-lettered records). {@link addMskTrigger}
 * (or {@link addSelfManagedKafkaTrigger}) adds the Kafka trigger (one event source mapping per topic, deliberate error handling, its own
 * scoped policy, an offset-lag alarm); without it the function is invoked directly (the LocalStack
 * variant).
 *
 * IAM comes in two inline policies on the function's role. The function's own policy holds what
 * the handler calls: log writes on its log group, the idempotency layer's actions, the manifest's
 * actions on the consumer's tables, and sends to the dead-letter queue. `EventSourceMappingPolicy`
 * (added with the trigger) holds what the event source mappings need, in place of the AWS-managed
 * `AWSLambdaMSKExecutionRole` that `ManagedKafkaEventSource` would attach.
 *
 * @example
 * ```ts
 * const consumer = new IdempotentKafkaConsumer(this, spellchecker.id, {
 *   manifest: spellchecker,
 *   idempotencyTable,
 *   deadLetterQueue: dlq.queue,
 *   tables: { SPELLCHECK_TABLE_NAME: results.table },
 * });
 * consumer.addMskTrigger({ clusterArn });
 * ```
 */
export class IdempotentKafkaConsumer extends Construct implements IAlarmedConsumer {
  /** The function. */
  public readonly function: nodejs.NodejsFunction;
  /** Its log group. */
  public readonly logGroup: logs.LogGroup;
  /** Its execution role. */
  public readonly role: iam.Role;
  /** The consumer's manifest. */
  public readonly manifest: ConsumerManifest;
  /** The consuming service name (`manifest.service`). */
  public readonly serviceName: string;
  /** Namespace of the layer's metrics. */
  public readonly metricsNamespace: string;
  /** Its alarms. */
  public readonly alarms: ConsumerAlarms;
  private readonly reportBatchItemFailures: boolean;
  private readonly deadLetterQueue: sqs.IQueue;
  private trigger: KafkaTrigger | undefined;

  constructor(scope: Construct, id: string, props: IdempotentKafkaConsumerProps) {
    super(scope, id);
    // Validate everything before creating anything (and before esbuild runs).
    validateManifest(props.manifest);
    validateProps(this, 'IdempotentKafkaConsumer', props, [...CONSUMER_RULES, ...CONSUMER_ALARMS_RULES]);

    this.manifest = props.manifest;
    this.serviceName = props.manifest.service;
    this.metricsNamespace = props.metricsNamespace ?? DEFAULT_METRICS_NAMESPACE;
    this.reportBatchItemFailures = props.reportBatchItemFailures ?? TRIGGER_DEFAULTS.reportBatchItemFailures;
    this.deadLetterQueue = props.deadLetterQueue;
    const tables = props.tables ?? {};

    this.logGroup = new logs.LogGroup(this, 'LogGroup', {
      retention: props.logRetention ?? logs.RetentionDays.ONE_MONTH,
      removalPolicy: props.removalPolicy ?? RemovalPolicy.RETAIN,
      ...(props.logEncryptionKey ? { encryptionKey: props.logEncryptionKey } : {}),
    });
    if (props.logEncryptionKey) this.letLogsUse(props.logEncryptionKey);

    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `Execution role of the ${this.serviceName} Kafka consumer`,
    });
    this.logGroup.grantWrite(this.role);

    const { bundling, ...functionProps } = props.functionProps ?? {};
    const enableSourceMaps = props.enableSourceMaps ?? false;
    const runtime = props.runtime ?? lambda.Runtime.NODEJS_24_X;
    this.function = new nodejs.NodejsFunction(this, 'Function', {
      entry: props.entry ?? path.join(REPO_ROOT, 'functions', this.serviceName, 'handler.ts'),
      handler: 'handler',
      description: `Idempotent Kafka consumer: ${this.serviceName}`,
      runtime,
      architecture: lambda.Architecture.ARM_64,
      memorySize: props.memorySize ?? TRIGGER_DEFAULTS.memorySize,
      timeout: props.timeout ?? Duration.seconds(TRIGGER_DEFAULTS.timeoutSeconds),
      role: this.role,
      logGroup: this.logGroup,
      ...(props.reservedConcurrentExecutions !== undefined
        ? { reservedConcurrentExecutions: props.reservedConcurrentExecutions }
        : {}),
      ...(props.tracing ? { tracing: props.tracing } : {}),
      ...functionProps,
      // One set of bundling options for the construct, the benchmark and local tools (infra/lib/bundling.ts).
      bundling: functionBundling(enableSourceMaps, esbuildTarget(runtime), bundling),
      environment: {
        ...props.environment,
        ...Object.fromEntries(Object.entries(tables).map(([name, table]) => [name, table.tableName])),
        [ENV.IDEMPOTENCY_TABLE_NAME]: props.idempotencyTable.tableName,
        [ENV.SERVICE_NAME]: this.serviceName,
        [ENV.METRICS_NAMESPACE]: this.metricsNamespace,
        [ENV.DEAD_LETTER_QUEUE_URL]: props.deadLetterQueue.queueUrl,
        ...(props.deadLetterSpillBucket
          ? { [ENV.DEAD_LETTER_SPILL_BUCKET]: props.deadLetterSpillBucket.bucketName }
          : {}),
        [ENV.PARTIAL_BATCH_RESPONSE]: String(this.reportBatchItemFailures),
        [ENV.FAILURE_MODE]: props.failureMode ?? 'fail-closed',
        ...(enableSourceMaps ? { NODE_OPTIONS: '--enable-source-maps' } : {}),
      },
    });

    props.idempotencyTable.grantIdempotency(this.function);
    for (const [name, table] of Object.entries(tables))
      this.grantTable(table, props.manifest.tables[name]?.actions ?? []);
    props.deadLetterQueue.grantSendMessages(this.function);
    if (props.deadLetterSpillBucket) this.grantSpill(props.deadLetterSpillBucket);

    // 'Default' keeps the alarms' logical ids as they were before the alarms had a construct of their own.
    this.alarms = new ConsumerAlarms(this, 'Default', { ...props, consumer: this });
    this.acknowledgeChoices(props);
  }

  /** The Kafka trigger, once {@link addMskTrigger} or {@link addSelfManagedKafkaTrigger} has added it. */
  public get kafkaTrigger(): KafkaTrigger | undefined {
    return this.trigger;
  }

  /**
   * Adds the Kafka trigger on Amazon MSK: one event source mapping per topic (`lambda.EventSourceMapping`
   * with the settings `ManagedKafkaEventSource` would pass, under the same construct ids, so deployed
   * mappings keep their logical ids), each joining `<consumerGroupId>.<topic>`, exhausted batches to
   * the dead-letter queue (or `onFailureTopic`); the scoped `EventSourceMappingPolicy` they need (each
   * mapping waits for it, since Lambda checks the role when it creates the mapping), and the
   * offset-lag alarm. One trigger per consumer.
   *
   * @example
   * ```ts
   * consumer.addMskTrigger({ clusterArn, clusterNetwork: { subnetIds, securityGroupIds }, batchSize: 200 });
   * ```
   */
  public addMskTrigger(props: MskTriggerProps): KafkaTrigger {
    const trigger = this.resolveTrigger('addMskTrigger', props);
    validateProps(this, 'addMskTrigger', trigger, [...KAFKA_TRIGGER_RULES, ...MSK_TRIGGER_RULES]);
    if (trigger.clusterNetwork === undefined) {
      Annotations.of(this).addWarningV2(
        CLUSTER_NETWORK_WARNING_ID,
        "clusterNetwork is not set: the event source mapping's role may create network interfaces in " +
          "any subnet and security group of this account and region. Pass the cluster's subnets and security " +
          'groups (for the app: -c clusterSubnetIds=... -c clusterSecurityGroupIds=...).',
      );
    }
    const authentication = trigger.authentication ?? { method: KafkaAuthMethod.IAM };
    return this.addKafkaTrigger(trigger, {
      grants: {
        kind: 'msk',
        clusterArn: trigger.clusterArn,
        authMethod: authentication.method,
        ...(trigger.clusterNetwork ? { clusterNetwork: trigger.clusterNetwork } : {}),
      },
      mappingId: (topic) => `KafkaEventSource:${Names.nodeUniqueId(this.function.node)}${topic}`,
      mapping: {
        eventSourceArn: trigger.clusterArn,
        sourceAccessConfigurations: sourceAccessConfigurations({ authentication }),
      },
      secrets: triggerSecrets({ ...trigger, authentication }),
    });
  }

  /**
   * Adds the Kafka trigger on a self-managed cluster (`SelfManagedEventSource`, as
   * `SelfManagedKafkaEventSource` would set it): one event source mapping per topic, authenticated
   * with a secret (SASL/SCRAM or mTLS), in the given subnets and security groups or over the
   * internet; otherwise as {@link addMskTrigger}. The role may read exactly the trigger's secrets,
   * and manage network interfaces only in its subnets; it gets no `kafka:` or `kafka-cluster:` action.
   *
   * @example
   * ```ts
   * consumer.addSelfManagedKafkaTrigger({
   *   bootstrapServers: ['b-1.kafka.internal:9096', 'b-2.kafka.internal:9096'],
   *   authentication: { method: 'SASL_SCRAM_512', secret },
   *   network: { subnetIds, securityGroupIds },
   * });
   * ```
   */
  public addSelfManagedKafkaTrigger(props: SelfManagedKafkaTriggerProps): KafkaTrigger {
    const trigger = this.resolveTrigger('addSelfManagedKafkaTrigger', props);
    validateProps(this, 'addSelfManagedKafkaTrigger', trigger, [
      ...KAFKA_TRIGGER_RULES,
      ...SELF_MANAGED_KAFKA_TRIGGER_RULES,
    ]);
    return this.addKafkaTrigger(trigger, {
      grants: { kind: 'self-managed', ...(trigger.network ? { network: trigger.network } : {}) },
      mappingId: (topic) => `SelfManagedKafkaEventSource:${topic}`,
      mapping: {
        kafkaBootstrapServers: [...trigger.bootstrapServers],
        sourceAccessConfigurations: sourceAccessConfigurations({
          authentication: trigger.authentication,
          ...(trigger.serverRootCaSecret ? { serverRootCaSecret: trigger.serverRootCaSecret } : {}),
          ...(trigger.network ? { selfManagedNetwork: trigger.network } : {}),
        }),
      },
      secrets: triggerSecrets(trigger),
    });
  }

  /** The trigger's props with the manifest's defaults filled in, once per consumer. */
  private resolveTrigger<T extends KafkaTriggerOptions>(
    subject: string,
    props: T,
  ): T & ResolvedKafkaTriggerProps {
    if (this.trigger) {
      throw new Error(
        `${this.node.path}: ${subject} was called already: one trigger per consumer, with all its topics`,
      );
    }
    return {
      ...props,
      topics: props.topics ?? this.manifest.topics,
      consumerGroupId: props.consumerGroupId ?? this.serviceName,
      codec: this.manifest.codec,
    };
  }

  /** What both triggers share: the mappings with their error handling, the policy, the lag alarm. */
  private addKafkaTrigger(
    trigger: ResolvedKafkaTriggerProps,
    source: {
      readonly grants: KafkaTriggerSource;
      readonly mappingId: (topic: string) => string;
      readonly mapping: Pick<
        lambda.EventSourceMappingOptions,
        'eventSourceArn' | 'kafkaBootstrapServers' | 'sourceAccessConfigurations'
      >;
      readonly secrets: readonly secretsmanager.ISecret[];
    },
  ): KafkaTrigger {
    const subscriptions = trigger.topics.map((topic) => ({
      topic,
      groupId: `${trigger.consumerGroupId}.${topic}`,
    }));
    const grants: KafkaTriggerGrants = {
      source: source.grants,
      subscriptions,
      secrets: source.secrets,
      ...(trigger.onFailureTopic !== undefined ? { onFailureTopic: trigger.onFailureTopic } : {}),
      ...(trigger.schemaRegistry?.type === 'glue'
        ? { glueRegistryArn: trigger.schemaRegistry.registryArn }
        : {}),
    };
    const policy = new iam.Policy(this, 'EventSourceMappingPolicy', {
      roles: [this.role],
      statements: kafkaTriggerStatements(this, grants),
    });
    acknowledgeKafkaTriggerPolicy(policy, grants);

    const onFailure =
      trigger.onFailureTopic !== undefined
        ? new KafkaDlq(trigger.onFailureTopic)
        : new SqsDlq(this.deadLetterQueue);
    const schemaRegistry =
      trigger.schemaRegistry &&
      schemaRegistryConfig(trigger.schemaRegistry, TRIGGER_DEFAULTS.schemaValidation);
    const eventSourceMappings = subscriptions.map(({ topic, groupId }) => {
      const mapping = this.function.addEventSourceMapping(source.mappingId(topic), {
        ...source.mapping,
        kafkaTopic: topic,
        kafkaConsumerGroupId: groupId,
        startingPosition:
          trigger.startingPosition ?? lambda.StartingPosition[TRIGGER_DEFAULTS.startingPosition],
        batchSize: trigger.batchSize ?? TRIGGER_DEFAULTS.batchSize,
        maxBatchingWindow: trigger.maxBatchingWindow,
        retryAttempts: trigger.retryAttempts ?? TRIGGER_DEFAULTS.retryAttempts,
        bisectBatchOnError: trigger.bisectBatchOnError ?? TRIGGER_DEFAULTS.bisectBatchOnError,
        maxRecordAge: trigger.maxRecordAge,
        reportBatchItemFailures: this.reportBatchItemFailures,
        onFailure,
        provisionedPollerConfig: trigger.provisionedPollerConfig ?? {
          minimumPollers: TRIGGER_DEFAULTS.minimumPollers,
          maximumPollers: TRIGGER_DEFAULTS.maximumPollers,
        },
        ...(trigger.filters ? { filters: trigger.filters.map((filter) => ({ ...filter })) } : {}),
        ...(schemaRegistry ? { schemaRegistryConfig: schemaRegistry } : {}),
      });
      mapping.node.addDependency(policy);
      return mapping;
    });

    this.trigger = {
      eventSourceMappings,
      eventSourceMappingPolicy: policy,
      consumerGroupIds: Object.fromEntries(subscriptions.map(({ topic, groupId }) => [topic, groupId])),
      offsetLagAlarm: this.alarms.addOffsetLagAlarm(trigger),
    };
    return this.trigger;
  }

  /**
   * One of the layer's metrics for this consumer (namespace `metricsNamespace`, dimension
   * `service` from the manifest), as a sum over five minutes unless overridden.
   *
   * @example
   * ```ts
   * consumer.metric(MetricName.DUPLICATE, { period: Duration.minutes(1) });
   * ```
   */
  public metric(metricName: string, props: cloudwatch.MetricOptions = {}): cloudwatch.Metric {
    return new cloudwatch.Metric({
      namespace: this.metricsNamespace,
      metricName,
      dimensionsMap: { service: this.serviceName },
      statistic: cloudwatch.Stats.SUM,
      period: Duration.minutes(5),
      ...props,
    });
  }

  /**
   * Records processed for the first time (the layer's `Processed`).
   *
   * @example
   * ```ts
   * new cloudwatch.GraphWidget({ left: [consumer.metricProcessed()] });
   * ```
   */
  public metricProcessed(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metric(MetricName.PROCESSED, props);
  }

  /**
   * Redeliveries answered from the idempotency record (the layer's `Duplicate`).
   *
   * @example
   * ```ts
   * consumer.metricDuplicate({ period: Duration.hours(1) });
   * ```
   */
  public metricDuplicate(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metric(MetricName.DUPLICATE, props);
  }

  /**
   * Records whose handler failed permanently (the layer's `Failed`).
   *
   * @example
   * ```ts
   * consumer.metricFailed().createAlarm(this, 'Failed', { threshold: 1, evaluationPeriods: 1 });
   * ```
   */
  public metricFailed(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metric(MetricName.FAILED, props);
  }

  /**
   * Claims released after a retryable failure, for a redelivery to take (the layer's `Released`).
   *
   * @example
   * ```ts
   * consumer.metricReleased({ period: Duration.minutes(1) });
   * ```
   */
  public metricReleased(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metric(MetricName.RELEASED, props);
  }

  /**
   * Expired leases taken over from a crashed or timed-out attempt (the layer's `Takeover`).
   *
   * @example
   * ```ts
   * consumer.metricTakeover({ period: Duration.hours(1) });
   * ```
   */
  public metricTakeover(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metric(MetricName.TAKEOVER, props);
  }

  /**
   * Records sent to the dead-letter queue by the handler (the layer's `DeadLettered`).
   *
   * @example
   * ```ts
   * consumer.metricDeadLettered({ period: Duration.minutes(1) });
   * ```
   */
  public metricDeadLettered(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metric(MetricName.DEAD_LETTERED, props);
  }

  /**
   * Dead letters that could not be sent, each failing its batch (the layer's `DeadLetterFailed`).
   *
   * @example
   * ```ts
   * consumer.metricDeadLetterFailed().createAlarm(this, 'DeadLetterFailed', { threshold: 1, evaluationPeriods: 1 });
   * ```
   */
  public metricDeadLetterFailed(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metric(MetricName.DEAD_LETTER_FAILED, props);
  }

  /**
   * Lambda's `OffsetLag` for this function's Kafka event source mappings (records between the
   * end of the topic and the last record the function processed), maximum over five minutes.
   *
   * @example
   * ```ts
   * new cloudwatch.GraphWidget({ left: [consumer.metricOffsetLag()] });
   * ```
   */
  public metricOffsetLag(props: cloudwatch.MetricOptions = {}): cloudwatch.Metric {
    return new cloudwatch.Metric({
      namespace: 'AWS/Lambda',
      metricName: 'OffsetLag',
      dimensionsMap: { FunctionName: this.function.functionName },
      statistic: cloudwatch.Stats.MAXIMUM,
      period: Duration.minutes(5),
      ...props,
    });
  }

  /** The manifest's actions on one of the consumer's tables, and its customer-managed key: decrypt to read, both ways to write. */
  private grantTable(table: dynamodb.ITable, actions: readonly TableAction[]): void {
    table.grant(this.function, ...actions);
    if (actions.every((action) => TABLE_ACTION_READS[action]))
      table.encryptionKey?.grantDecrypt(this.function);
    else table.encryptionKey?.grantEncryptDecrypt(this.function);
  }

  /** Only `s3:PutObject`, under the sink's prefix (CDK's `grantPut` adds tagging, retention, `Abort*`). */
  private grantSpill(spill: s3.IBucket): void {
    this.role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['s3:PutObject'],
        resources: [spill.arnForObjects('dead-letters/*')],
      }),
    );
    spill.encryptionKey?.grantEncrypt(this.function);
    const bucket = spill.node.defaultChild;
    if (bucket instanceof CfnElement) {
      Validations.of(this.role).acknowledge({
        id: `AwsSolutions-IAM5[Resource::<${Stack.of(this).getLogicalId(bucket)}.Arn>/dead-letters/*]`,
        reason:
          'The dead-letter sink writes one object per oversized dead letter, keyed by its service, idempotency key and ' +
          'coordinates (known only when the record fails), so PutObject is granted on the sink prefix dead-letters/*.',
      });
    }
  }

  /**
   * cdk-nag (Serverless, NIST 800-53 R5) findings that are a choice this construct leaves to its user,
   * or that do not apply to a function behind a Kafka event source mapping. Each is acknowledged only
   * when the option that would answer it is not set.
   */
  private acknowledgeChoices(props: IdempotentKafkaConsumerProps): void {
    Validations.of(this.function).acknowledge(
      { id: 'Serverless-LambdaDLQ', reason: ASYNC_DLQ_REASON },
      { id: 'NIST.800.53.R5-LambdaDLQ', reason: ASYNC_DLQ_REASON },
      {
        id: 'NIST.800.53.R5-LambdaInsideVPC',
        reason:
          "The function needs no VPC: its event source mappings reach the cluster through the cluster's own subnets " +
          "(the network interfaces are the mapping's, not the function's), and the handler calls only DynamoDB and SQS, " +
          'over TLS with IAM. Attaching it to a VPC would add network interfaces and VPC endpoints (or a NAT gateway) for nothing it can reach only there.',
      },
    );
    if (props.reservedConcurrentExecutions === undefined) {
      Validations.of(this.function).acknowledge({
        id: 'NIST.800.53.R5-LambdaConcurrency',
        reason:
          "A Kafka consumer's concurrency is bounded by its pollers and its topics' partitions (one batch in flight per partition); " +
          "reserving concurrency carves it out of the account's unreserved pool, a choice for the account's owner: set reservedConcurrentExecutions.",
      });
    }
    const tracing = props.tracing ?? lambda.Tracing.DISABLED;
    if (tracing !== lambda.Tracing.ACTIVE) {
      Validations.of(this.function).acknowledge({
        id: 'Serverless-LambdaTracing',
        reason:
          "X-Ray active tracing is off: it is billed per trace and the handlers emit no subsegments; the layer's metrics (processed, duplicate, " +
          "failed, released, takeover) and its structured logs carry each record's story. Set tracing: lambda.Tracing.ACTIVE to turn it on.",
      });
    }
    if (tracing !== lambda.Tracing.DISABLED) {
      Validations.of(this.role).acknowledge({
        id: 'AwsSolutions-IAM5[Resource::*]',
        reason:
          `tracing is ${tracing}: xray:PutTraceSegments and xray:PutTelemetryRecords, which Lambda adds for it, support no resource-level ` +
          'permissions, so IAM grants them only on "*" (write-only, to X-Ray).',
      });
    }
    if (props.logEncryptionKey === undefined) {
      Validations.of(this.logGroup).acknowledge({
        id: 'NIST.800.53.R5-CloudWatchLogGroupEncrypted',
        reason:
          'CloudWatch Logs encrypts log data at rest with service-managed keys already; a customer-managed key (logEncryptionKey) adds key-policy ' +
          'control and crypto-shredding at the price of a key and its policy, a choice the template leaves to its user.',
      });
    }
    Validations.of(this.role).acknowledge({
      id: 'NIST.800.53.R5-IAMNoInlinePolicy',
      reason: INLINE_POLICY_REASON,
    });
  }

  /** Lets CloudWatch Logs of this account and region use the log group's key (for a key defined in this app). */
  private letLogsUse(key: kms.IKey): void {
    const stack = Stack.of(this);
    key.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'CloudWatchLogsUse',
        principals: [new iam.ServicePrincipal(`logs.${stack.region}.amazonaws.com`)],
        actions: ['kms:Encrypt*', 'kms:Decrypt*', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:Describe*'],
        resources: ['*'],
        conditions: {
          ArnLike: {
            'kms:EncryptionContext:aws:logs:arn': stack.formatArn({
              service: 'logs',
              resource: 'log-group',
              resourceName: '*',
              arnFormat: ArnFormat.COLON_RESOURCE_NAME,
            }),
          },
        },
      }),
    );
  }
}

/** esbuild's target for a Node.js runtime (`nodejs24.x` → `node24`), as `NodejsFunction` derives its own. */
function esbuildTarget(runtime: lambda.Runtime): string {
  const major = /^nodejs(\d+)/.exec(runtime.name)?.[1];
  return major ? `node${major}` : FUNCTION_ESBUILD_TARGET;
}
