import { CfnOutput, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import type * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type { Construct } from 'constructs';
import { MANIFESTS } from '../../functions/manifests';
import type { ConsumerManifest } from '../../shared/internal';
import { ConsumerDashboard } from '../constructs/consumer-dashboard';
import { ConsumerTable } from '../constructs/consumer-table';
import { DeadLetterQueue } from '../constructs/dead-letter-queue';
import { IdempotencyTable } from '../constructs/idempotency-table';
import { DEFAULT_METRICS_NAMESPACE, IdempotentKafkaConsumer } from '../constructs/idempotent-kafka-consumer';
import type { KafkaAuthentication, KafkaAuthMethod, KafkaClusterNetwork } from '../lib/kafka-source';
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
   * The brokers of a self-managed Kafka cluster to consume from (`host:port` each), in place of
   * `clusterArn`; `kafkaAuthentication` is then required.
   *
   * @default - none: MSK (`clusterArn`), or no trigger
   */
  readonly bootstrapServers?: readonly string[];

  /**
   * The cluster's subnets and security groups: the event source mappings' network interfaces may be
   * created and deleted there only (for a self-managed cluster: where its brokers are reachable from).
   *
   * @default - MSK: anywhere in this account and region (see `MskTriggerProps.clusterNetwork`);
   * self-managed: none, the brokers are reached over the internet
   */
  readonly clusterNetwork?: KafkaClusterNetwork;

  /**
   * How the pollers authenticate, with the secrets as ARNs (imported into this stack).
   *
   * @default - IAM for MSK; required for a self-managed cluster
   */
  readonly kafkaAuthentication?: KafkaAuthenticationArns;

  /**
   * A Kafka topic of the same cluster as every mapping's on-failure destination, in place of the
   * dead-letter queue (see `KafkaTriggerOptions.onFailureTopic`).
   *
   * @default - the dead-letter queue
   */
  readonly onFailureTopic?: string;

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

    if (props.clusterArn && props.bootstrapServers) {
      throw new TypeError(
        `${this.node.path}: clusterArn and bootstrapServers are mutually exclusive: pick one cluster`,
      );
    }
    const auth = props.kafkaAuthentication && importKafkaAuthentication(this, props.kafkaAuthentication);

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
      const onFailure = props.onFailureTopic !== undefined ? { onFailureTopic: props.onFailureTopic } : {};
      if (props.clusterArn) {
        consumer.addMskTrigger({
          clusterArn: props.clusterArn,
          ...(props.clusterNetwork ? { clusterNetwork: props.clusterNetwork } : {}),
          ...(auth ? { authentication: auth.authentication } : {}),
          ...onFailure,
        });
      } else if (props.bootstrapServers) {
        if (!auth) {
          throw new TypeError(
            `${this.node.path}: bootstrapServers needs kafkaAuthentication (SASL_SCRAM_256, SASL_SCRAM_512 or MTLS, with the secret's ARN)`,
          );
        }
        consumer.addSelfManagedKafkaTrigger({
          bootstrapServers: props.bootstrapServers,
          authentication: auth.authentication,
          ...(auth.serverRootCaSecret ? { serverRootCaSecret: auth.serverRootCaSecret } : {}),
          ...(props.clusterNetwork ? { network: props.clusterNetwork } : {}),
          ...onFailure,
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

/**
 * A Kafka trigger's authentication by ARNs, as the app's context gives it.
 *
 * @example
 * ```ts
 * const auth: KafkaAuthenticationArns = { method: 'SASL_SCRAM_512', secretArn: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:kafka-AbCdEf' };
 * ```
 */
export interface KafkaAuthenticationArns {
  /** How the pollers authenticate. */
  readonly method: KafkaAuthMethod;
  /**
   * Complete ARN of the secret with the credentials (with its 6-character suffix).
   *
   * @default - none; required for every method but IAM
   */
  readonly secretArn?: string;
  /**
   * ARN of the customer-managed KMS key the secrets are encrypted with (granted `kms:Decrypt` through Secrets Manager).
   *
   * @default - none: the secrets use the AWS-managed key `aws/secretsmanager`
   */
  readonly secretKeyArn?: string;
  /**
   * Complete ARN of the secret with a self-managed cluster's private root CA certificate.
   *
   * @default - none: the brokers' certificates are publicly trusted
   */
  readonly rootCaSecretArn?: string;
}

/** Imports the trigger's secrets (by complete ARN: no lookup, so synth stays offline). */
function importKafkaAuthentication(
  scope: Construct,
  arns: KafkaAuthenticationArns,
): { authentication: KafkaAuthentication; serverRootCaSecret?: secretsmanager.ISecret } {
  const encryptionKey = arns.secretKeyArn
    ? kms.Key.fromKeyArn(scope, 'KafkaSecretKey', arns.secretKeyArn)
    : undefined;
  const secret = (id: string, secretCompleteArn: string) =>
    secretsmanager.Secret.fromSecretAttributes(scope, id, {
      secretCompleteArn,
      ...(encryptionKey ? { encryptionKey } : {}),
    });
  return {
    authentication: {
      method: arns.method,
      ...(arns.secretArn ? { secret: secret('KafkaSecret', arns.secretArn) } : {}),
    },
    ...(arns.rootCaSecretArn
      ? { serverRootCaSecret: secret('KafkaRootCaSecret', arns.rootCaSecretArn) }
      : {}),
  };
}
