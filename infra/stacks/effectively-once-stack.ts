import { CfnOutput, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import type * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type { Construct } from 'constructs';
import { MANIFESTS } from '../../functions/manifests';
import type { ConsumerManifest } from '../../shared/internal';
import { ConsumerDashboard } from '../constructs/consumer-dashboard';
import { ConsumerTable } from '../constructs/consumer-table';
import { DeadLetterQueue } from '../constructs/dead-letter-queue';
import { IdempotencyTable } from '../constructs/idempotency-table';
import { DEFAULT_METRICS_NAMESPACE, IdempotentKafkaConsumer } from '../constructs/idempotent-kafka-consumer';
import type { KafkaClusterNetwork } from '../lib/msk-trigger-policy';
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
   * @default - anywhere in this account and region (see `MskTriggerProps.clusterNetwork`)
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
   * The consumers to deploy, by their manifests.
   *
   * @default MANIFESTS (`functions/manifests.ts`)
   */
  readonly manifests?: readonly ConsumerManifest[];

  /**
   * Namespace of the idempotency layer's metrics.
   *
   * @default 'KafkaIdempotency'
   */
  readonly metricsNamespace?: string;
}

/**
 * The whole template in one stack: the idempotency table, the dead-letter queue, one
 * {@link IdempotentKafkaConsumer} per manifest with a `ConsumerTable` for each table its manifest
 * names (and its Kafka trigger when there is a cluster), and a dashboard. Its outputs (table name,
 * queue URL, function names) are what the LocalStack scripts read.
 *
 * Construct ids come from the manifest's `id` and never change once deployed: the consumer is
 * `<id>`, its first table `<id>Table`, any further table `<id><Variable>Table` (`AUDIT_TABLE_NAME`
 * gives `<id>AuditTable`). Add tables at the end of a manifest's `tables`: reordering them would
 * rename, and so replace, the first.
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
  /** The consumers, by service name. */
  public readonly consumers: ReadonlyMap<string, IdempotentKafkaConsumer>;
  /** The consumers' own tables, by service name, then by the environment variable that carries each name. */
  public readonly consumerTables: ReadonlyMap<string, Readonly<Record<string, ConsumerTable>>>;
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
    const tables = new Map<string, Readonly<Record<string, ConsumerTable>>>();
    for (const manifest of props.manifests ?? MANIFESTS) {
      const own = Object.fromEntries(
        Object.keys(manifest.tables).map((variable, index) => [
          variable,
          new ConsumerTable(this, tableId(manifest.id, variable, index), { removalPolicy }),
        ]),
      );
      const consumer = new IdempotentKafkaConsumer(this, manifest.id, {
        manifest,
        metricsNamespace,
        idempotencyTable: this.idempotencyTable,
        deadLetterQueue: this.deadLetterQueue.queue,
        ...(spill ? { deadLetterSpillBucket: spill } : {}),
        tables: Object.fromEntries(Object.entries(own).map(([variable, table]) => [variable, table.table])),
        removalPolicy,
        ...alarmAction,
      });
      if (props.clusterArn) {
        consumer.addMskTrigger({
          clusterArn: props.clusterArn,
          ...(props.clusterNetwork ? { clusterNetwork: props.clusterNetwork } : {}),
        });
      }
      consumers.set(manifest.service, consumer);
      tables.set(manifest.service, own);
      new CfnOutput(this, functionNameOutputKey(manifest.service), {
        description: `Function of the ${manifest.service} consumer`,
        value: consumer.function.functionName,
      });
    }
    this.consumers = consumers;
    this.consumerTables = tables;

    this.dashboard = new ConsumerDashboard(this, 'Dashboard', {
      consumers: [...consumers.values()],
      tables: [this.idempotencyTable, ...[...tables.values()].flatMap((own) => Object.values(own))],
      deadLetterQueue: this.deadLetterQueue,
    });

    new CfnOutput(this, STACK_OUTPUTS.idempotencyTableName, { value: this.idempotencyTable.tableName });
    new CfnOutput(this, STACK_OUTPUTS.deadLetterQueueUrl, { value: this.deadLetterQueue.queue.queueUrl });
    new CfnOutput(this, STACK_OUTPUTS.dashboardName, { value: this.dashboard.dashboard.dashboardName });
  }
}

/**
 * Construct id of a consumer's table: `<id>Table` for the manifest's first (the id the tables had
 * before manifests, kept so deployed tables are not replaced), `<id><Variable>Table` for the others,
 * from the variable without its `_TABLE_NAME` (`AUDIT_TABLE_NAME` gives `AuditTable`).
 */
function tableId(consumerId: string, variable: string, index: number): string {
  if (index === 0) return `${consumerId}Table`;
  const stem = variable
    .replace(/_TABLE(_NAME)?$/, '')
    .split('_')
    .filter((part) => part.length > 0)
    .map((part) => part.charAt(0) + part.slice(1).toLowerCase())
    .join('');
  return `${consumerId}${stem}Table`;
}
