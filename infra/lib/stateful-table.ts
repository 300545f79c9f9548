import { RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as kms from 'aws-cdk-lib/aws-kms';

/** The choices a stateful table of this template leaves to its user. */
export interface StatefulTableOptions {
  /** @default RemovalPolicy.RETAIN */
  readonly removalPolicy?: RemovalPolicy;
  /** @default - true when `removalPolicy` is RETAIN, false otherwise (dev stacks) */
  readonly deletionProtection?: boolean;
  /** @default - the AWS-managed key `aws/dynamodb` */
  readonly encryptionKey?: kms.IKey;
}

/**
 * The settings every table of the template shares (the idempotency table and the consumers'):
 * on-demand billing, point-in-time recovery, KMS encryption at rest (the AWS-managed key unless one
 * is given), deletion protection and `RETAIN` by default, no physical name.
 *
 * @example
 * ```ts
 * new dynamodb.Table(this, 'Table', { partitionKey, ...statefulTableProps(props) });
 * ```
 */
export function statefulTableProps(options: StatefulTableOptions): Omit<dynamodb.TableProps, 'partitionKey'> {
  const removalPolicy = options.removalPolicy ?? RemovalPolicy.RETAIN;
  return {
    billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
    pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
    ...(options.encryptionKey
      ? { encryption: dynamodb.TableEncryption.CUSTOMER_MANAGED, encryptionKey: options.encryptionKey }
      : { encryption: dynamodb.TableEncryption.AWS_MANAGED }),
    deletionProtection: options.deletionProtection ?? removalPolicy === RemovalPolicy.RETAIN,
    removalPolicy,
  };
}

/**
 * Acknowledges NIST.800.53.R5-DynamoDBInBackupPlan on a table made with {@link statefulTableProps}.
 *
 * @example
 * ```ts
 * acknowledgeBackupPlan(this.table);
 * ```
 */
export function acknowledgeBackupPlan(table: dynamodb.Table): void {
  Validations.of(table).acknowledge({
    id: 'NIST.800.53.R5-DynamoDBInBackupPlan',
    reason:
      'Point-in-time recovery is on (continuous backups for 35 days, restorable to any second), and the table is retained ' +
      'and deletion-protected by default; an AWS Backup plan (vaults, retention rules, cross-account copies) is an organization-level choice ' +
      'the template leaves to its user.',
  });
}
