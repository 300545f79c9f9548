import { CfnOutput, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import type * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type { Construct } from 'constructs';
import { ConsumerDashboard } from '../constructs/consumer-dashboard';
import { ConsumerTable } from '../constructs/consumer-table';
import { DeadLetterQueue } from '../constructs/dead-letter-queue';
import { IdempotencyTable } from '../constructs/idempotency-table';
import {
  DEFAULT_METRICS_NAMESPACE,
  IdempotentKafkaConsumer,
  type KafkaClusterNetwork,
} from '../constructs/idempotent-kafka-consumer';
import { type ConsumerDefinition, SAMPLE_CONSUMERS } from '../sample-consumers';
import { functionNameOutputKey, STACK_OUTPUTS } from '../stack-outputs';

/**
 * Properties of an {@link EffectivelyOnceStack}.
 *
 * @example
 * ```ts
 * new EffectivelyOnceStack(app, STACK_NAMES.main, { clusterArn, removalPolicy: RemovalPolicy.DESTROY });
 * ```
 */
export interface EffectivelyOnceStackProps extends StackProps {
  /**
   * ARN of the MSK cluster the consumers read from (IAM access control).
   *
   * @default - no Kafka trigger: the functions are invoked directly (the LocalStack variant)
   */
  readonly clusterArn?: string;

  /**
   * The cluster's subnets and security groups: the event source mappings' network interfaces may be
   * created and deleted there only.
   *
   * @default - anywhere in this account and region (see `KafkaTriggerProps.clusterNetwork`)
   */
  readonly clusterNetwork?: KafkaClusterNetwork;

  /**
   * Action of every alarm (the consumers' and the dead-letter queue's), for example an `SnsAction`.
   *
   * @default - no action: the alarms show on the dashboard and in the console
   */
  readonly alarmAction?: cloudwatch.IAlarmAction;

  /**
   * Removal policy of every stateful resource (tables, queue, log groups). RETAIN also turns on
   * the tables' deletion protection.
   *
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;

  /**
   * The consumers to deploy.
   *
   * @default SAMPLE_CONSUMERS
   */
  readonly consumers?: readonly ConsumerDefinition[];

  /**
   * Namespace of the idempotency layer's metrics.
   *
   * @default 'KafkaIdempotency'
   */
  readonly metricsNamespace?: string;
}

/**
 * The whole template in one stack: the idempotency table, the dead-letter queue, one
 * {@link IdempotentKafkaConsumer} (with its own table) per consumer, and a dashboard. Its
 * outputs (table name, queue URL, function names) are what the LocalStack scripts read.
 *
 * @example
 * ```ts
 * new EffectivelyOnceStack(app, STACK_NAMES.main, { clusterArn });
 * ```
 */
export class EffectivelyOnceStack extends Stack {
  /** The idempotency table. */
  public readonly idempotencyTable: IdempotencyTable;
  /** The shared dead-letter queue. */
  public readonly deadLetterQueue: DeadLetterQueue;
  /** The consumers, by name. */
  public readonly consumers: ReadonlyMap<string, IdempotentKafkaConsumer>;
  /** The consumers' own tables, by consumer name. */
  public readonly consumerTables: ReadonlyMap<string, ConsumerTable>;
  /** The dashboard. */
  public readonly dashboard: ConsumerDashboard;

  constructor(scope: Construct, id: string, props: EffectivelyOnceStackProps = {}) {
    super(scope, id, props);
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;
    const metricsNamespace = props.metricsNamespace ?? DEFAULT_METRICS_NAMESPACE;

    this.idempotencyTable = new IdempotencyTable(this, 'Idempotency', { removalPolicy });
    const alarmAction = props.alarmAction ? { alarmAction: props.alarmAction } : {};
    this.deadLetterQueue = new DeadLetterQueue(this, 'DeadLetterQueue', {
      removalPolicy,
      spillBucket: true,
      ...alarmAction,
    });
    const spill = this.deadLetterQueue.spillBucket;

    const consumers = new Map<string, IdempotentKafkaConsumer>();
    const tables = new Map<string, ConsumerTable>();
    for (const definition of props.consumers ?? SAMPLE_CONSUMERS) {
      const table = new ConsumerTable(this, `${definition.id}Table`, { removalPolicy });
      const consumer = new IdempotentKafkaConsumer(this, definition.id, {
        entry: definition.entry,
        serviceName: definition.name,
        metricsNamespace,
        idempotencyTable: this.idempotencyTable,
        deadLetterQueue: this.deadLetterQueue.queue,
        ...(spill ? { deadLetterSpillBucket: spill } : {}),
        tables: [{ table: table.table, actions: definition.tableActions }],
        environment: { [definition.tableEnvironmentVariable]: table.table.tableName },
        removalPolicy,
        ...alarmAction,
        ...(props.clusterArn
          ? {
              kafka: {
                clusterArn: props.clusterArn,
                topics: definition.topics,
                consumerGroupId: definition.name,
                ...(props.clusterNetwork ? { clusterNetwork: props.clusterNetwork } : {}),
              },
            }
          : {}),
      });
      consumers.set(definition.name, consumer);
      tables.set(definition.name, table);
      new CfnOutput(this, functionNameOutputKey(definition.name), {
        description: `Function of the ${definition.name} consumer`,
        value: consumer.function.functionName,
      });
    }
    this.consumers = consumers;
    this.consumerTables = tables;

    this.dashboard = new ConsumerDashboard(this, 'Dashboard', {
      consumers: [...consumers.values()],
      tables: [this.idempotencyTable, ...tables.values()],
      deadLetterQueue: this.deadLetterQueue,
    });

    new CfnOutput(this, STACK_OUTPUTS.idempotencyTableName, { value: this.idempotencyTable.tableName });
    new CfnOutput(this, STACK_OUTPUTS.deadLetterQueueUrl, { value: this.deadLetterQueue.queue.queueUrl });
    new CfnOutput(this, STACK_OUTPUTS.dashboardName, { value: this.dashboard.dashboard.dashboardName });
  }
}
