import type { RemovalPolicy } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import { IDEMPOTENCY_TABLE_ACTIONS, IDEMPOTENCY_TABLE_SCHEMA } from '../../shared/internal';
import { acknowledgeBackupPlan, statefulTableProps } from '../lib/stateful-table';

/**
 * What a consumer needs from the idempotency table: its name for the environment, and a grant
 * of exactly the actions the shared layer performs.
 *
 * @example
 * ```ts
 * function wire(table: IIdempotencyTable, fn: lambda.Function) { table.grantIdempotency(fn); }
 * ```
 */
export interface IIdempotencyTable {
  /** Name of the table (a token until deploy time). */
  readonly tableName: string;
  /** ARN of the table. */
  readonly tableArn: string;
  /** Grants exactly `IDEMPOTENCY_TABLE_ACTIONS` on the table (and the key's use, if customer-managed). */
  grantIdempotency(grantee: iam.IGrantable): iam.Grant;
}

/**
 * Properties of an {@link IdempotencyTable}.
 *
 * @example
 * ```ts
 * new IdempotencyTable(this, 'Idempotency', { removalPolicy: RemovalPolicy.DESTROY, encryptionKey: key });
 * ```
 */
export interface IdempotencyTableProps {
  /**
   * What happens to the table when it leaves the stack. The table holds the only record of what
   * was already processed: losing it makes every retained Kafka record look new again.
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
   * Customer-managed KMS key to encrypt the table with. Without one the table uses the AWS-managed
   * key `aws/dynamodb`: encryption at rest with key use visible in CloudTrail, no key policy to
   * maintain and no monthly key charge. Pass a key when you need control of the key policy,
   * cross-account access or crypto-shredding; the grant then includes the key.
   *
   * @default - the AWS-managed key `aws/dynamodb`
   */
  readonly encryptionKey?: kms.IKey;
}

/**
 * The DynamoDB table behind the shared idempotency layer: partition key and TTL attribute from
 * `IDEMPOTENCY_TABLE_SCHEMA`, on-demand billing, point-in-time recovery, encryption at rest,
 * deletion protection and `RETAIN` by default, and no physical name.
 *
 * @example
 * ```ts
 * const idempotency = new IdempotencyTable(this, 'Idempotency');
 * idempotency.grantIdempotency(fn);
 * fn.addEnvironment(ENV.IDEMPOTENCY_TABLE_NAME, idempotency.tableName);
 * ```
 */
export class IdempotencyTable extends Construct implements IIdempotencyTable {
  /** The underlying table. Prefer {@link grantIdempotency} over its broad `grant*` methods. */
  public readonly table: dynamodb.Table;
  /** Name of the table. */
  public readonly tableName: string;
  /** ARN of the table. */
  public readonly tableArn: string;

  constructor(scope: Construct, id: string, props: IdempotencyTableProps = {}) {
    super(scope, id);
    this.table = new dynamodb.Table(this, 'Table', {
      partitionKey: { name: IDEMPOTENCY_TABLE_SCHEMA.partitionKey, type: dynamodb.AttributeType.STRING },
      timeToLiveAttribute: IDEMPOTENCY_TABLE_SCHEMA.ttlAttribute,
      ...statefulTableProps(props),
    });
    acknowledgeBackupPlan(this.table);
    this.tableName = this.table.tableName;
    this.tableArn = this.table.tableArn;
  }

  /**
   * Grants exactly `IDEMPOTENCY_TABLE_ACTIONS` on this table's ARN, plus encrypt/decrypt on the
   * customer-managed key when there is one.
   *
   * @example
   * ```ts
   * idempotency.grantIdempotency(consumer.function);
   * ```
   */
  public grantIdempotency(grantee: iam.IGrantable): iam.Grant {
    const grant = iam.Grant.addToPrincipal({
      grantee,
      actions: [...IDEMPOTENCY_TABLE_ACTIONS],
      resourceArns: [this.tableArn],
    });
    this.table.encryptionKey?.grantEncryptDecrypt(grantee);
    return grant;
  }

  /**
   * Read and write throttle events of the table (sum per period), for dashboards and alarms.
   *
   * @example
   * ```ts
   * new cloudwatch.GraphWidget({ left: idempotency.metricThrottleEvents() });
   * ```
   */
  public metricThrottleEvents(props: cloudwatch.MetricOptions = {}): cloudwatch.IMetric[] {
    return ['ReadThrottleEvents', 'WriteThrottleEvents'].map((name) =>
      this.table.metric(name, { statistic: cloudwatch.Stats.SUM, label: `idempotency ${name}`, ...props }),
    );
  }
}
