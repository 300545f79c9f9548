import {
  Annotations,
  ArnFormat,
  CfnElement,
  Duration,
  Names,
  RemovalPolicy,
  Stack,
  Token,
  Validations,
} from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { type ProvisionedPollerConfig, SqsDlq } from 'aws-cdk-lib/aws-lambda-event-sources';
import * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { ENV, type FailureMode, MetricName } from '../../shared';
import { assertClusterArn, kafkaResourceArn } from '../lib/kafka-arns';
import { checkDurationRange, checkIntegerRange, checkPattern, fail } from '../lib/validate';
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

/** Lambda's limit on the timeout of a function behind a Kafka event source mapping. */
const MAX_KAFKA_TIMEOUT = Duration.minutes(14);

/** Kafka topic names: 1-249 of letters, digits, `.`, `_` and `-`. */
const TOPIC_PATTERN = /^[a-zA-Z0-9._-]+$/;

/** Lambda's pattern for Kafka consumer group ids (1-200 characters). */
const CONSUMER_GROUP_PATTERN = /^[a-zA-Z0-9\-/*:_+=.@]+$/;

/** The oldest Node.js major version this template's handlers support on Lambda. */
const MIN_NODE_MAJOR = 22;

/**
 * Actions the event source mapping needs that support no resource-level permissions (no resource
 * type in the Service Authorization Reference): IAM grants them only on `*`.
 */
const UNSCOPABLE_ACTIONS = [
  'ec2:DescribeNetworkInterfaces',
  'ec2:DescribeVpcs',
  'ec2:DescribeSubnets',
  'ec2:DescribeSecurityGroups',
  'kafka:GetBootstrapBrokers',
] as const;

const ASYNC_DLQ_REASON =
  'The function is invoked synchronously by its Kafka event source mappings, whose exhausted batches go to the on-failure destination ' +
  '(the shared dead-letter queue), and the handler dead-letters poison records itself; a function DLQ serves asynchronous invocations only, which this function does not receive.';

const NO_ALARM_ACTION_REASON =
  "No alarmAction was given: the alarm shows on the dashboard and in the console only. Where alarms page someone is the team's choice; " +
  'pass alarmAction (for example an SnsAction on its topic) to route them.';

/** EC2 ids as the EC2 API returns them. */
const SUBNET_ID_PATTERN = /^subnet-[0-9a-f]{8,17}$/;
const SECURITY_GROUP_ID_PATTERN = /^sg-[0-9a-f]{8,17}$/;

/**
 * The DynamoDB data actions a consumer can be granted on its own tables. The items of a
 * `TransactWriteItems` (and `TransactGetItems`) are authorized one by one, each with the action of
 * the single-item operation it stands for (`Update` needs `dynamodb:UpdateItem`, `ConditionCheck`
 * needs `dynamodb:ConditionCheckItem`, ...): a transaction needs no action of its own.
 *
 * @example
 * ```ts
 * const actions: DynamoDbDataAction[] = ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'];
 * ```
 */
export const DYNAMODB_DATA_ACTIONS = [
  'dynamodb:GetItem',
  'dynamodb:BatchGetItem',
  'dynamodb:Query',
  'dynamodb:Scan',
  'dynamodb:ConditionCheckItem',
  'dynamodb:PutItem',
  'dynamodb:UpdateItem',
  'dynamodb:DeleteItem',
  'dynamodb:BatchWriteItem',
] as const;

/** One of {@link DYNAMODB_DATA_ACTIONS}. */
export type DynamoDbDataAction = (typeof DYNAMODB_DATA_ACTIONS)[number];

/** The actions of {@link DYNAMODB_DATA_ACTIONS} that only read (a customer-managed key is then only decrypted). */
const READ_ACTIONS: ReadonlySet<string> = new Set([
  'dynamodb:GetItem',
  'dynamodb:BatchGetItem',
  'dynamodb:Query',
  'dynamodb:Scan',
  'dynamodb:ConditionCheckItem',
]);

/**
 * A consumer's own table and the DynamoDB actions its handler calls on it: the role gets those and
 * no others.
 *
 * @example
 * ```ts
 * const access: ConsumerTableAccess = { table: essays.table, actions: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'] };
 * ```
 */
export interface ConsumerTableAccess {
  /** The table. */
  readonly table: dynamodb.ITable;
  /**
   * The actions the handler calls on it, each item of a `TransactWriteItems` counted as its own
   * action (IAM authorizes a transaction item by item). The use of the table's customer-managed
   * key, if any, is granted with them.
   */
  readonly actions: readonly DynamoDbDataAction[];
}

/**
 * The network of an MSK cluster: the subnets and security groups of its VPC configuration (for MSK
 * Serverless, its `VpcConfigs`; for a provisioned cluster, its broker subnets and security groups).
 * The event source mapping creates its network interfaces there, with exactly these.
 *
 * @example
 * ```ts
 * const network: KafkaClusterNetwork = { subnetIds: ['subnet-0a1b2c3d4e5f60718'], securityGroupIds: ['sg-0123456789abcdef0'] };
 * ```
 */
export interface KafkaClusterNetwork {
  /** The cluster's subnets. At least one. */
  readonly subnetIds: readonly string[];
  /** The cluster's security groups. At least one. */
  readonly securityGroupIds: readonly string[];
}

/**
 * How one consumer reads from Amazon MSK: one event source mapping (ESM) per topic, all with
 * the same deliberately chosen error handling. The error-handling controls (`retryAttempts`,
 * `bisectBatchOnError`, `maxRecordAge`, `reportBatchItemFailures`, `onFailure`) exist for Kafka
 * ESMs only in provisioned poller mode, so every ESM gets a `provisionedPollerConfig`.
 *
 * @example
 * ```ts
 * const kafka: KafkaTriggerProps = { clusterArn, topics: ['orders.created.v1'], consumerGroupId: 'orders', retryAttempts: 5 };
 * ```
 */
export interface KafkaTriggerProps {
  /**
   * ARN of the MSK cluster (provisioned or serverless) with IAM access control:
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

  /** Topics to consume; one event source mapping each. At least one. */
  readonly topics: readonly string[];

  /**
   * Fixed consumer group id. Lambda requires a group id unique among all Kafka event sources,
   * and an ESM reads one topic, so the ESM of `topic` joins the group `<consumerGroupId>.<topic>`.
   * Never change it once deployed: a new group starts again from `startingPosition`.
   */
  readonly consumerGroupId: string;

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
   * After the last one the batch's metadata goes to the dead-letter queue and the partition
   * moves on. Lambda caps unlimited retries at 10 when an on-failure destination is set.
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
   * (60 s to 7 days).
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
   * `OffsetLag` (records behind the end of the topic, maximum over 5 minutes) at or above which
   * the lag alarm fires when sustained for 15 minutes.
   *
   * @default 1000
   */
  readonly offsetLagAlarmThreshold?: number;
}

/**
 * Properties of an {@link IdempotentKafkaConsumer}.
 *
 * @example
 * ```ts
 * new IdempotentKafkaConsumer(this, 'Orders', { entry, serviceName: 'orders', idempotencyTable, deadLetterQueue, kafka });
 * ```
 */
export interface IdempotentKafkaConsumerProps {
  /** Path of the handler's entry file (TypeScript), bundled locally with esbuild. */
  readonly entry: string;

  /**
   * Exported name of the handler function in `entry`.
   *
   * @default 'handler'
   */
  readonly handler?: string;

  /** The consuming service: `POWERTOOLS_SERVICE_NAME`, the idempotency keys' namespace. */
  readonly serviceName: string;

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
   * The MSK trigger.
   *
   * @default - no trigger: the function is invoked directly (the LocalStack variant)
   */
  readonly kafka?: KafkaTriggerProps;

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
   * Extra environment, typically the consumer's own table names. Keys the construct sets
   * itself are rejected.
   *
   * @default - none
   */
  readonly environment?: Readonly<Record<string, string>>;

  /**
   * The consumer's own tables, each with the actions its handler calls on it: the role gets exactly
   * those (and the use of a table's customer-managed key).
   *
   * @default - none
   */
  readonly tables?: readonly ConsumerTableAccess[];

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
   * Function errors (sum over 5 minutes) at or above which the errors alarm fires. With partial
   * batch responses a retryable record failure is not a function error; a thrown error or a
   * timeout is.
   *
   * @default 1
   */
  readonly errorsAlarmThreshold?: number;

  /**
   * Throttled invocations (sum over 5 minutes) at or above which the throttles alarm fires.
   *
   * @default 1
   */
  readonly throttlesAlarmThreshold?: number;

  /**
   * Records this consumer sent to the dead-letter queue (the layer's `DeadLettered` metric, sum
   * over 5 minutes) at or above which its alarm fires. The queue's own depth alarm lives on
   * the shared `DeadLetterQueue`.
   *
   * @default 1
   */
  readonly deadLetteredAlarmThreshold?: number;

  /**
   * Action to run when one of the consumer's alarms changes to ALARM.
   *
   * @default - no action
   */
  readonly alarmAction?: cloudwatch.IAlarmAction;
}

/** Environment keys the construct owns; `props.environment` may not override them. */
const RESERVED_ENVIRONMENT = [
  ENV.IDEMPOTENCY_TABLE_NAME,
  ENV.SERVICE_NAME,
  ENV.METRICS_NAMESPACE,
  ENV.DEAD_LETTER_QUEUE_URL,
  ENV.PARTIAL_BATCH_RESPONSE,
  ENV.FAILURE_MODE,
  'NODE_OPTIONS',
] as const;

/**
 * One idempotent Kafka consumer: a Node.js Lambda function (arm64, bundled locally by esbuild,
 * minified, with source maps), its log group, one MSK event source mapping per topic with
 * deliberate error handling, least-privilege IAM and alarms on errors, throttles, dead-lettered
 * records and offset lag.
 *
 * IAM comes in two inline policies on the function's role. The function's own policy holds what
 * the handler calls: log writes on its log group, the idempotency layer's actions, the declared
 * actions on the consumer's tables, and sends to the dead-letter queue. `EventSourceMappingPolicy`
 * holds what the event source mappings need, in place of the AWS-managed `AWSLambdaMSKExecutionRole`
 * that `ManagedKafkaEventSource` would attach: network interfaces in the cluster's subnets,
 * `kafka:DescribeClusterV2` on the cluster, the describe actions IAM cannot scope to a resource (in
 * this region only), and the MSK data plane of its own topics and groups.
 *
 * @example
 * ```ts
 * new IdempotentKafkaConsumer(this, 'Spellchecker', {
 *   entry: path.join(__dirname, '../functions/spellchecker/handler.ts'),
 *   serviceName: 'spellchecker',
 *   idempotencyTable,
 *   deadLetterQueue: dlq.queue,
 *   kafka: { clusterArn, topics: ['huleedu.essay.spellcheck.requested.v1'], consumerGroupId: 'spellchecker' },
 * });
 * ```
 */
export class IdempotentKafkaConsumer extends Construct {
  /** The function. */
  public readonly function: nodejs.NodejsFunction;
  /** Its log group. */
  public readonly logGroup: logs.LogGroup;
  /** Its execution role. */
  public readonly role: iam.Role;
  /** The consuming service name. */
  public readonly serviceName: string;
  /** Namespace of the layer's metrics. */
  public readonly metricsNamespace: string;
  /** The consumer group id of each topic's event source mapping, by topic. */
  public readonly consumerGroupIds: Readonly<Record<string, string>>;
  /** All alarms of this consumer. */
  public readonly alarms: readonly cloudwatch.Alarm[];
  /** The policy of the event source mappings (network interfaces, cluster, topics, groups), with a Kafka trigger. */
  public readonly eventSourceMappingPolicy: iam.Policy | undefined;

  constructor(scope: Construct, id: string, props: IdempotentKafkaConsumerProps) {
    super(scope, id);
    // Validate everything before creating anything (and before esbuild runs).
    this.validate(props);

    const reportBatchItemFailures = props.reportBatchItemFailures ?? true;
    this.serviceName = props.serviceName;
    this.metricsNamespace = props.metricsNamespace ?? DEFAULT_METRICS_NAMESPACE;
    const runtime = props.runtime ?? lambda.Runtime.NODEJS_24_X;

    this.logGroup = new logs.LogGroup(this, 'LogGroup', {
      retention: props.logRetention ?? logs.RetentionDays.ONE_MONTH,
      removalPolicy: props.removalPolicy ?? RemovalPolicy.RETAIN,
      ...(props.logEncryptionKey ? { encryptionKey: props.logEncryptionKey } : {}),
    });
    if (props.logEncryptionKey) this.letLogsUse(props.logEncryptionKey);

    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `Execution role of the ${props.serviceName} Kafka consumer`,
    });
    this.logGroup.grantWrite(this.role);

    this.function = new nodejs.NodejsFunction(this, 'Function', {
      entry: props.entry,
      handler: props.handler ?? 'handler',
      description: `Idempotent Kafka consumer: ${props.serviceName}`,
      runtime,
      architecture: lambda.Architecture.ARM_64,
      memorySize: props.memorySize ?? 512,
      timeout: props.timeout ?? Duration.minutes(1),
      role: this.role,
      logGroup: this.logGroup,
      ...(props.reservedConcurrentExecutions !== undefined
        ? { reservedConcurrentExecutions: props.reservedConcurrentExecutions }
        : {}),
      ...(props.tracing ? { tracing: props.tracing } : {}),
      bundling: {
        forceDockerBundling: false,
        minify: true,
        sourceMap: true,
        sourcesContent: false,
        // Ship the SDK versions from the lockfile, the ones the layer is tested with.
        bundleAwsSDK: true,
      },
      environment: {
        ...props.environment,
        [ENV.IDEMPOTENCY_TABLE_NAME]: props.idempotencyTable.tableName,
        [ENV.SERVICE_NAME]: props.serviceName,
        [ENV.METRICS_NAMESPACE]: this.metricsNamespace,
        [ENV.DEAD_LETTER_QUEUE_URL]: props.deadLetterQueue.queueUrl,
        ...(props.deadLetterSpillBucket
          ? { [ENV.DEAD_LETTER_SPILL_BUCKET]: props.deadLetterSpillBucket.bucketName }
          : {}),
        [ENV.PARTIAL_BATCH_RESPONSE]: String(reportBatchItemFailures),
        [ENV.FAILURE_MODE]: props.failureMode ?? 'fail-closed',
        NODE_OPTIONS: '--enable-source-maps',
      },
    });

    props.idempotencyTable.grantIdempotency(this.function);
    for (const { table, actions } of props.tables ?? []) {
      table.grant(this.function, ...actions);
      if (actions.every((action) => READ_ACTIONS.has(action)))
        table.encryptionKey?.grantDecrypt(this.function);
      else table.encryptionKey?.grantEncryptDecrypt(this.function);
    }
    props.deadLetterQueue.grantSendMessages(this.function);
    const spill = props.deadLetterSpillBucket;
    if (spill) {
      // Only PutObject, under the sink's prefix (CDK's grantPut adds tagging, retention, Abort*).
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

    const alarms = [
      this.alarm('ErrorsAlarm', {
        description:
          'The function threw or timed out: its batch is retried, then bisected, then dead-lettered.',
        metric: this.function.metricErrors({ statistic: cloudwatch.Stats.SUM, period: Duration.minutes(5) }),
        threshold: props.errorsAlarmThreshold ?? 1,
      }),
      this.alarm('ThrottlesAlarm', {
        description: 'Invocations are throttled: the consumer falls behind. Check concurrency limits.',
        metric: this.function.metricThrottles({
          statistic: cloudwatch.Stats.SUM,
          period: Duration.minutes(5),
        }),
        threshold: props.throttlesAlarmThreshold ?? 1,
      }),
      this.alarm('DeadLetteredAlarm', {
        description: 'The consumer sent poison records to the dead-letter queue.',
        metric: this.metric(MetricName.DEAD_LETTERED),
        threshold: props.deadLetteredAlarmThreshold ?? 1,
      }),
    ];

    const groups: Record<string, string> = {};
    let eventSourceMappingPolicy: iam.Policy | undefined;
    if (props.kafka) {
      const kafka = props.kafka;
      const subscriptions = kafka.topics.map((topic) => ({
        topic,
        groupId: `${kafka.consumerGroupId}.${topic}`,
      }));
      for (const { topic, groupId } of subscriptions) groups[topic] = groupId;
      eventSourceMappingPolicy = this.addKafkaTrigger(
        kafka,
        subscriptions,
        reportBatchItemFailures,
        props.deadLetterQueue,
      );
      alarms.push(
        this.alarm('OffsetLagAlarm', {
          description: 'The consumer is behind its topics and not catching up.',
          metric: this.metricOffsetLag(),
          threshold: kafka.offsetLagAlarmThreshold ?? 1000,
          evaluationPeriods: 3,
        }),
      );
    }
    this.consumerGroupIds = groups;
    this.eventSourceMappingPolicy = eventSourceMappingPolicy;
    if (props.alarmAction) for (const alarm of alarms) alarm.addAlarmAction(props.alarmAction);
    this.alarms = alarms;
    this.acknowledgeChoices(props);
  }

  /**
   * One of the layer's metrics for this consumer (namespace `metricsNamespace`, dimension
   * `service`), as a sum over five minutes unless overridden.
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

  /**
   * One event source mapping per topic, added with `lambda.EventSourceMapping` (the settings
   * `ManagedKafkaEventSource` would pass, under the same construct id, so deployed mappings keep
   * their logical ids), and the policy they need: `ManagedKafkaEventSource` would attach the
   * AWS-managed `AWSLambdaMSKExecutionRole` (log writes anywhere, network interfaces and cluster
   * description on `*`) and `kafka:ListScramSecrets`, which IAM auth does not use.
   */
  private addKafkaTrigger(
    kafka: KafkaTriggerProps,
    subscriptions: readonly { readonly topic: string; readonly groupId: string }[],
    reportBatchItemFailures: boolean,
    deadLetterQueue: sqs.IQueue,
  ): iam.Policy {
    const policy = new iam.Policy(this, 'EventSourceMappingPolicy', {
      roles: [this.role],
      statements: [
        ...this.networkInterfaceStatements(kafka.clusterNetwork),
        new iam.PolicyStatement({
          sid: 'DescribeCluster',
          actions: ['kafka:DescribeClusterV2'],
          resources: [kafka.clusterArn],
        }),
        new iam.PolicyStatement({
          sid: 'ActionsWithoutResourceLevelPermissions',
          actions: [...UNSCOPABLE_ACTIONS],
          resources: ['*'],
          conditions: { StringEquals: { 'aws:RequestedRegion': Stack.of(this).region } },
        }),
        // MSK data plane (IAM access control), scoped to this cluster, these topics and these groups.
        new iam.PolicyStatement({
          sid: 'KafkaClusterConnect',
          actions: ['kafka-cluster:Connect', 'kafka-cluster:DescribeClusterDynamicConfiguration'],
          resources: [kafka.clusterArn],
        }),
        new iam.PolicyStatement({
          sid: 'KafkaTopicsRead',
          actions: ['kafka-cluster:DescribeTopic', 'kafka-cluster:ReadData'],
          resources: subscriptions.map(({ topic }) => kafkaResourceArn(kafka.clusterArn, 'topic', topic)),
        }),
        new iam.PolicyStatement({
          sid: 'KafkaConsumerGroups',
          actions: ['kafka-cluster:DescribeGroup', 'kafka-cluster:AlterGroup'],
          resources: subscriptions.map(({ groupId }) => kafkaResourceArn(kafka.clusterArn, 'group', groupId)),
        }),
      ],
    });
    this.acknowledgeWildcards(policy, kafka.clusterNetwork);

    const onFailure = new SqsDlq(deadLetterQueue);
    for (const { topic, groupId } of subscriptions) {
      const mapping = this.function.addEventSourceMapping(
        `KafkaEventSource:${Names.nodeUniqueId(this.function.node)}${topic}`,
        {
          eventSourceArn: kafka.clusterArn,
          kafkaTopic: topic,
          kafkaConsumerGroupId: groupId,
          startingPosition: kafka.startingPosition ?? lambda.StartingPosition.TRIM_HORIZON,
          batchSize: kafka.batchSize ?? 100,
          maxBatchingWindow: kafka.maxBatchingWindow,
          retryAttempts: kafka.retryAttempts ?? 10,
          bisectBatchOnError: kafka.bisectBatchOnError ?? true,
          maxRecordAge: kafka.maxRecordAge,
          reportBatchItemFailures,
          onFailure,
          provisionedPollerConfig: kafka.provisionedPollerConfig ?? { minimumPollers: 1, maximumPollers: 2 },
        },
      );
      // Lambda checks the execution role's permissions when it creates the mapping.
      mapping.node.addDependency(policy);
    }
    return policy;
  }

  /**
   * Network interfaces of the event source mapping. `ec2:CreateNetworkInterface` authorizes the
   * subnet (required), the security groups and the new interface, so naming the cluster's subnets
   * and groups confines creation to them; the interface's own id is not known before EC2 creates
   * it. `ec2:DeleteNetworkInterface` authorizes the interface only, so it is conditioned on the
   * interface's subnet (`ec2:Subnet`).
   */
  private networkInterfaceStatements(network: KafkaClusterNetwork | undefined): iam.PolicyStatement[] {
    const stack = Stack.of(this);
    const ec2Arn = (resource: string, resourceName: string) =>
      stack.formatArn({ service: 'ec2', resource, resourceName });
    const networkInterfaces = ec2Arn('network-interface', '*');
    if (network === undefined) {
      Annotations.of(this).addWarningV2(
        CLUSTER_NETWORK_WARNING_ID,
        "kafka.clusterNetwork is not set: the event source mapping's role may create network interfaces in " +
          "any subnet and security group of this account and region. Pass the cluster's subnets and security " +
          'groups (for the app: -c clusterSubnetIds=... -c clusterSecurityGroupIds=...).',
      );
      return [
        new iam.PolicyStatement({
          sid: 'CreateNetworkInterfacesInAccount',
          actions: ['ec2:CreateNetworkInterface'],
          resources: [ec2Arn('subnet', '*'), ec2Arn('security-group', '*'), networkInterfaces],
        }),
        new iam.PolicyStatement({
          sid: 'DeleteNetworkInterfacesInAccount',
          actions: ['ec2:DeleteNetworkInterface'],
          resources: [networkInterfaces],
        }),
      ];
    }
    const subnets = network.subnetIds.map((id) => ec2Arn('subnet', id));
    return [
      new iam.PolicyStatement({
        sid: 'CreateNetworkInterfacesInClusterSubnets',
        actions: ['ec2:CreateNetworkInterface'],
        resources: [
          ...subnets,
          ...network.securityGroupIds.map((id) => ec2Arn('security-group', id)),
          networkInterfaces,
        ],
      }),
      new iam.PolicyStatement({
        sid: 'DeleteNetworkInterfacesInClusterSubnets',
        actions: ['ec2:DeleteNetworkInterface'],
        resources: [networkInterfaces],
        conditions: { ArnEquals: { 'ec2:Subnet': subnets } },
      }),
    ];
  }

  /** cdk-nag (AwsSolutions-IAM5) findings of the mappings' policy: each wildcard IAM leaves no way around. */
  private acknowledgeWildcards(policy: iam.Policy, network: KafkaClusterNetwork | undefined): void {
    const ec2 = 'arn:<AWS::Partition>:ec2:<AWS::Region>:<AWS::AccountId>';
    Validations.of(policy).acknowledge(
      {
        id: 'AwsSolutions-IAM5[Resource::*]',
        reason:
          `${UNSCOPABLE_ACTIONS.join(', ').replace(/, (?=[^,]*$)/, ' and ')} support no resource-level permissions ` +
          '(the Service Authorization Reference lists no resource type for them), so IAM grants them only on "*". ' +
          "They are read-only, limited to this region (aws:RequestedRegion), and the event source mapping needs them to find the cluster's network and brokers.",
      },
      {
        id: `AwsSolutions-IAM5[Resource::${ec2}:network-interface/*]`,
        reason:
          "EC2 assigns a network interface's id when it creates it, so the interfaces of the event source mapping cannot be named in advance. " +
          (network
            ? "Creation is confined by the cluster's subnet and security-group ARNs in the same statement (both are authorized with the interface); deletion by the ec2:Subnet condition."
            : 'Without kafka.clusterNetwork, creation and deletion are confined to this account and region only.'),
      },
    );
    if (network) return;
    for (const resource of ['subnet', 'security-group']) {
      Validations.of(policy).acknowledge({
        id: `AwsSolutions-IAM5[Resource::${ec2}:${resource}/*]`,
        reason:
          `kafka.clusterNetwork is not set, so the cluster's ${resource === 'subnet' ? 'subnets' : 'security groups'} are unknown at synth time ` +
          "and ec2:CreateNetworkInterface is confined to this account and region only (the construct warns). Pass the cluster's " +
          'subnets and security groups to confine it to them.',
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
      {
        id: 'Serverless-LambdaDLQ',
        reason: ASYNC_DLQ_REASON,
      },
      {
        id: 'NIST.800.53.R5-LambdaDLQ',
        reason: ASYNC_DLQ_REASON,
      },
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
    if (props.alarmAction === undefined) {
      for (const alarm of this.alarms)
        Validations.of(alarm).acknowledge({
          id: 'NIST.800.53.R5-CloudWatchAlarmAction',
          reason: NO_ALARM_ACTION_REASON,
        });
    }
    for (const policyHolder of [this.role, this.eventSourceMappingPolicy]) {
      if (policyHolder === undefined) continue;
      Validations.of(policyHolder).acknowledge({
        id: 'NIST.800.53.R5-IAMNoInlinePolicy',
        reason:
          "The role's policies are inline on purpose: each holds only this consumer's grants (its tables, its cluster's network, its topics and groups) " +
          'and lives and dies with the role, whereas a customer-managed policy could be attached to other identities and outlive the consumer.',
      });
    }
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

  private alarm(
    id: string,
    options: {
      description: string;
      metric: cloudwatch.IMetric;
      threshold: number;
      evaluationPeriods?: number;
    },
  ): cloudwatch.Alarm {
    return new cloudwatch.Alarm(this, id, {
      alarmDescription: `${this.serviceName}: ${options.description}`,
      metric: options.metric,
      threshold: options.threshold,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: options.evaluationPeriods ?? 1,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
  }

  private validate(props: IdempotentKafkaConsumerProps): void {
    if (!Token.isUnresolved(props.serviceName) && props.serviceName.trim() === '') {
      fail(this, 'serviceName must not be empty');
    }
    checkIntegerRange(this, 'memorySize', props.memorySize, 128, 10_240);
    checkDurationRange(this, 'timeout', props.timeout, Duration.seconds(1), MAX_KAFKA_TIMEOUT);
    const runtime = props.runtime;
    if (runtime) {
      const major = /^nodejs(\d+)\.x$/.exec(runtime.name)?.[1];
      if (major === undefined || Number(major) < MIN_NODE_MAJOR) {
        fail(this, `runtime must be Node.js ${MIN_NODE_MAJOR} or newer, got ${runtime.name}`);
      }
    }
    for (const [key, threshold] of [
      ['errorsAlarmThreshold', props.errorsAlarmThreshold],
      ['throttlesAlarmThreshold', props.throttlesAlarmThreshold],
      ['deadLetteredAlarmThreshold', props.deadLetteredAlarmThreshold],
    ] as const) {
      checkIntegerRange(this, key, threshold, 1, Number.MAX_SAFE_INTEGER);
    }
    for (const key of Object.keys(props.environment ?? {})) {
      if ((RESERVED_ENVIRONMENT as readonly string[]).includes(key)) {
        fail(this, `environment must not set ${key}: the construct sets it from its props`);
      }
    }
    checkIntegerRange(
      this,
      'reservedConcurrentExecutions',
      props.reservedConcurrentExecutions,
      1,
      Number.MAX_SAFE_INTEGER,
    );
    (props.tables ?? []).forEach(({ actions }, index) => {
      const name = `tables[${index}].actions`;
      if (actions.length === 0) fail(this, `${name} must name at least one DynamoDB action, got []`);
      for (const action of actions) {
        if (!(DYNAMODB_DATA_ACTIONS as readonly string[]).includes(action)) {
          fail(
            this,
            `${name} may contain only DynamoDB data actions (${DYNAMODB_DATA_ACTIONS.join(', ')}), got "${action}"`,
          );
        }
      }
    });
    if (props.kafka) this.validateKafka(props.kafka);
  }

  private validateClusterNetwork(network: KafkaClusterNetwork): void {
    for (const [key, ids, what, pattern, shape] of [
      ['subnetIds', network.subnetIds, 'subnet', SUBNET_ID_PATTERN, 'subnet-<hex>'],
      ['securityGroupIds', network.securityGroupIds, 'security group', SECURITY_GROUP_ID_PATTERN, 'sg-<hex>'],
    ] as const) {
      const name = `kafka.clusterNetwork.${key}`;
      if (!Token.isUnresolved(ids) && ids.length === 0)
        fail(this, `${name} must name at least one ${what}, got []`);
      for (const id of ids) {
        if (!Token.isUnresolved(id) && !pattern.test(id))
          fail(this, `${name}[] must look like ${shape}, got "${id}"`);
      }
    }
  }

  private validateKafka(kafka: KafkaTriggerProps): void {
    try {
      assertClusterArn(kafka.clusterArn);
    } catch (error) {
      fail(this, (error as Error).message);
    }
    if (kafka.clusterNetwork) this.validateClusterNetwork(kafka.clusterNetwork);
    const groupChars = 'letters, digits and - / * : _ + = . @';
    checkPattern(
      this,
      'kafka.consumerGroupId',
      kafka.consumerGroupId,
      CONSUMER_GROUP_PATTERN,
      1,
      200,
      groupChars,
    );
    if (kafka.topics.length === 0) fail(this, 'kafka.topics must name at least one topic, got []');
    const seen = new Set<string>();
    for (const topic of kafka.topics) {
      checkPattern(this, 'kafka.topics[]', topic, TOPIC_PATTERN, 1, 249, 'letters, digits, ".", "_" and "-"');
      if (seen.has(topic)) fail(this, `kafka.topics must not repeat a topic, got "${topic}" twice`);
      seen.add(topic);
      // Each ESM joins <consumerGroupId>.<topic>; Lambda caps group ids at 200 characters.
      checkPattern(
        this,
        `the consumer group id of topic "${topic}"`,
        `${kafka.consumerGroupId}.${topic}`,
        CONSUMER_GROUP_PATTERN,
        1,
        200,
        groupChars,
      );
    }
    checkIntegerRange(this, 'kafka.batchSize', kafka.batchSize, 1, 10_000);
    const window = kafka.maxBatchingWindow;
    if (window && !window.isUnresolved()) {
      checkDurationRange(this, 'kafka.maxBatchingWindow', window, Duration.seconds(0), Duration.seconds(300));
      if (window.toMilliseconds() % 1000 !== 0) {
        fail(
          this,
          `kafka.maxBatchingWindow must be a whole number of seconds, got ${window.toHumanString()}`,
        );
      }
    }
    const retries = kafka.retryAttempts;
    if (retries !== undefined && !Token.isUnresolved(retries) && retries !== -1) {
      if (!Number.isInteger(retries) || retries < 0 || retries > 10_000) {
        fail(
          this,
          `kafka.retryAttempts must be -1 (unlimited) or an integer between 0 and 10000, got ${retries}`,
        );
      }
    }
    const age = kafka.maxRecordAge;
    checkDurationRange(this, 'kafka.maxRecordAge', age, Duration.seconds(60), Duration.days(7));
    if (age && !age.isUnresolved() && age.toMilliseconds() % 1000 !== 0) {
      fail(this, `kafka.maxRecordAge must be a whole number of seconds, got ${age.toHumanString()}`);
    }
    const pollers = kafka.provisionedPollerConfig;
    if (pollers) {
      checkIntegerRange(this, 'kafka.provisionedPollerConfig.minimumPollers', pollers.minimumPollers, 1, 200);
      checkIntegerRange(
        this,
        'kafka.provisionedPollerConfig.maximumPollers',
        pollers.maximumPollers,
        1,
        2000,
      );
      const { minimumPollers: min, maximumPollers: max } = pollers;
      if (min !== undefined && max !== undefined && !Token.isUnresolved(min) && !Token.isUnresolved(max)) {
        if (min > max) {
          fail(
            this,
            `kafka.provisionedPollerConfig.minimumPollers (${min}) must not exceed maximumPollers (${max})`,
          );
        }
      }
    }
    checkIntegerRange(
      this,
      'kafka.offsetLagAlarmThreshold',
      kafka.offsetLagAlarmThreshold,
      1,
      Number.MAX_SAFE_INTEGER,
    );
  }
}
