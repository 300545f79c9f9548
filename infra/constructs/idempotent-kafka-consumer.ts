import { Duration, RemovalPolicy, Token, Validations } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import {
  ManagedKafkaEventSource,
  type ProvisionedPollerConfig,
  SqsDlq,
} from 'aws-cdk-lib/aws-lambda-event-sources';
import * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
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

/** Lambda's limit on the timeout of a function behind a Kafka event source mapping. */
const MAX_KAFKA_TIMEOUT = Duration.minutes(14);

/** Kafka topic names: 1-249 of letters, digits, `.`, `_` and `-`. */
const TOPIC_PATTERN = /^[a-zA-Z0-9._-]+$/;

/** Lambda's pattern for Kafka consumer group ids (1-200 characters). */
const CONSUMER_GROUP_PATTERN = /^[a-zA-Z0-9\-/*:_+=.@]+$/;

/** The oldest Node.js major version this template's handlers support on Lambda. */
const MIN_NODE_MAJOR = 22;

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
   * The consumer's own tables: read/write data access (which covers the writes inside
   * `TransactWriteItems`; IAM authorizes each item's action).
   *
   * @default - none
   */
  readonly tables?: readonly dynamodb.ITable[];

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
 * deliberate error handling, least-privilege IAM (the idempotency layer's actions, the
 * consumer's tables, the dead-letter queue, the MSK data plane of its topics and groups) and
 * alarms on errors, throttles, dead-lettered records and offset lag.
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
    });

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
        [ENV.PARTIAL_BATCH_RESPONSE]: String(reportBatchItemFailures),
        [ENV.FAILURE_MODE]: props.failureMode ?? 'fail-closed',
        NODE_OPTIONS: '--enable-source-maps',
      },
    });

    props.idempotencyTable.grantIdempotency(this.function);
    for (const table of props.tables ?? []) table.grantReadWriteData(this.function);
    props.deadLetterQueue.grantSendMessages(this.function);

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
    if (props.kafka) {
      const kafka = props.kafka;
      const subscriptions = kafka.topics.map((topic) => ({
        topic,
        groupId: `${kafka.consumerGroupId}.${topic}`,
      }));
      for (const { topic, groupId } of subscriptions) groups[topic] = groupId;
      this.addKafkaTrigger(kafka, subscriptions, reportBatchItemFailures, props.deadLetterQueue);
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
    if (props.alarmAction) for (const alarm of alarms) alarm.addAlarmAction(props.alarmAction);
    this.alarms = alarms;
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

  private addKafkaTrigger(
    kafka: KafkaTriggerProps,
    subscriptions: readonly { readonly topic: string; readonly groupId: string }[],
    reportBatchItemFailures: boolean,
    deadLetterQueue: sqs.IQueue,
  ): void {
    const onFailure = new SqsDlq(deadLetterQueue);
    for (const { topic, groupId } of subscriptions) {
      this.function.addEventSource(
        new ManagedKafkaEventSource({
          clusterArn: kafka.clusterArn,
          topic,
          consumerGroupId: groupId,
          startingPosition: kafka.startingPosition ?? lambda.StartingPosition.TRIM_HORIZON,
          batchSize: kafka.batchSize ?? 100,
          maxBatchingWindow: kafka.maxBatchingWindow,
          retryAttempts: kafka.retryAttempts ?? 10,
          bisectBatchOnError: kafka.bisectBatchOnError ?? true,
          maxRecordAge: kafka.maxRecordAge,
          reportBatchItemFailures,
          onFailure,
          provisionedPollerConfig: kafka.provisionedPollerConfig ?? { minimumPollers: 1, maximumPollers: 2 },
        }),
      );
    }

    // MSK data plane (IAM access control), scoped to this cluster, these topics and these groups.
    this.role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'KafkaClusterConnect',
        actions: ['kafka-cluster:Connect', 'kafka-cluster:DescribeClusterDynamicConfiguration'],
        resources: [kafka.clusterArn],
      }),
    );
    this.role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'KafkaTopicsRead',
        actions: ['kafka-cluster:DescribeTopic', 'kafka-cluster:ReadData'],
        resources: subscriptions.map(({ topic }) => kafkaResourceArn(kafka.clusterArn, 'topic', topic)),
      }),
    );
    this.role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'KafkaConsumerGroups',
        actions: ['kafka-cluster:DescribeGroup', 'kafka-cluster:AlterGroup'],
        resources: subscriptions.map(({ groupId }) => kafkaResourceArn(kafka.clusterArn, 'group', groupId)),
      }),
    );

    // cdk-nag (AwsSolutions) finding, acknowledged where its cause is.
    Validations.of(this.role).acknowledge({
      id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaMSKExecutionRole]',
      reason:
        'ManagedKafkaEventSource attaches AWSLambdaMSKExecutionRole: the event source mapping needs it to ' +
        "manage network interfaces in the cluster's VPC and to describe the cluster (kafka:DescribeClusterV2). " +
        "Data-plane access (this consumer's topics and groups only) is granted by separate statements.",
    });
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
    if (props.kafka) this.validateKafka(props.kafka);
  }

  private validateKafka(kafka: KafkaTriggerProps): void {
    try {
      assertClusterArn(kafka.clusterArn);
    } catch (error) {
      fail(this, (error as Error).message);
    }
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
