import type { RemovalPolicy } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import { CONSUMER_TABLE_SCHEMA } from '../../shared/internal';
import { acknowledgeBackupPlan, statefulTableProps } from '../lib/stateful-table';

/**
 * Properties of a {@link ConsumerTable}.
 *
 * @example
 * ```ts
 * new ConsumerTable(this, 'EssayTable', { removalPolicy: RemovalPolicy.DESTROY });
 * ```
 */
export interface ConsumerTableProps {
  /**
   * What happens to the table when it leaves the stack. It holds the consumer's business state.
   *
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;

  /**
   * Whether DynamoDB refuses `DeleteTable` on this table.
   *
   * @default - true when `removalPolicy` is RETAIN, false otherwise (dev stacks)
   */
  readonly deletionProtection?: boolean;

  /**
   * Customer-managed KMS key to encrypt the table with.
   *
   * @default - the AWS-managed key `aws/dynamodb`
   */
  readonly encryptionKey?: kms.IKey;
}

/**
 * A consumer's own single-table-design table: `pk` + `sk` strings from `CONSUMER_TABLE_SCHEMA`,
 * on-demand billing, point-in-time recovery, encryption at rest, deletion protection and
 * `RETAIN` by default, and no physical name. Transactional consumers write it in the same
 * `TransactWriteItems` as the idempotency record's completion.
 *
 * @example
 * ```ts
 * const essays = new ConsumerTable(this, 'EssayTable');
 * new IdempotentKafkaConsumer(this, 'EssayLifecycle', { …,
 *   tables: [{ table: essays.table, actions: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'] }],
 *   environment: { ['ESSAY_TABLE_NAME']: essays.table.tableName } });
 * ```
 */
export class ConsumerTable extends Construct {
  /** The underlying table. */
  public readonly table: dynamodb.Table;

  constructor(scope: Construct, id: string, props: ConsumerTableProps = {}) {
    super(scope, id);
    this.table = new dynamodb.Table(this, 'Table', {
      partitionKey: { name: CONSUMER_TABLE_SCHEMA.partitionKey, type: dynamodb.AttributeType.STRING },
      sortKey: { name: CONSUMER_TABLE_SCHEMA.sortKey, type: dynamodb.AttributeType.STRING },
      ...statefulTableProps(props),
    });
    acknowledgeBackupPlan(this.table);
  }

  /**
   * Read and write throttle events of the table (sum per period).
   *
   * @example
   * ```ts
   * new cloudwatch.GraphWidget({ left: essays.metricThrottleEvents() });
   * ```
   */
  public metricThrottleEvents(props: cloudwatch.MetricOptions = {}): cloudwatch.IMetric[] {
    return ['ReadThrottleEvents', 'WriteThrottleEvents'].map((name) =>
      this.table.metric(name, {
        statistic: cloudwatch.Stats.SUM,
        label: `${this.node.id} ${name}`,
        ...props,
      }),
    );
  }
}
