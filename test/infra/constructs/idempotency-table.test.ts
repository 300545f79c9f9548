import { RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { IdempotencyTable } from '../../../infra/constructs/idempotency-table';
import { IDEMPOTENCY_TABLE_ACTIONS, IDEMPOTENCY_TABLE_SCHEMA } from '../../../shared/internal';
import { acknowledgments, appWithoutBundling, nagFindings, resourcesFor, roleStatements } from '../support';

describe('IdempotencyTable', () => {
  describe('with defaults', () => {
    let table: IdempotencyTable;
    let template: Template;
    beforeAll(() => {
      // GIVEN
      const stack = new Stack(appWithoutBundling(), 'Test');
      // WHEN
      table = new IdempotencyTable(stack, 'Idempotency');
      const role = new iam.Role(stack, 'Consumer', {
        assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      });
      table.grantIdempotency(role);
      template = Template.fromStack(stack);
    });

    test('keys on the shared partition key and expires by the shared TTL attribute', () => {
      template.hasResourceProperties('AWS::DynamoDB::Table', {
        KeySchema: [{ AttributeName: IDEMPOTENCY_TABLE_SCHEMA.partitionKey, KeyType: 'HASH' }],
        AttributeDefinitions: [{ AttributeName: IDEMPOTENCY_TABLE_SCHEMA.partitionKey, AttributeType: 'S' }],
        TimeToLiveSpecification: { AttributeName: IDEMPOTENCY_TABLE_SCHEMA.ttlAttribute, Enabled: true },
      });
    });

    test('bills on demand, with point-in-time recovery and AWS-managed KMS encryption', () => {
      template.hasResourceProperties('AWS::DynamoDB::Table', {
        BillingMode: 'PAY_PER_REQUEST',
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        // SSEEnabled without a key = KMS with the AWS-managed key aws/dynamodb (not the AWS-owned default).
        SSESpecification: { SSEEnabled: true, KMSMasterKeyId: Match.absent() },
      });
    });

    test('is retained and deletion-protected, with no physical name', () => {
      template.hasResource('AWS::DynamoDB::Table', {
        DeletionPolicy: 'Retain',
        UpdateReplacePolicy: 'Retain',
        Properties: Match.objectLike({ DeletionProtectionEnabled: true, TableName: Match.absent() }),
      });
    });

    test('grantIdempotency grants exactly the shared actions, on the table ARN only', () => {
      const statements = roleStatements(template, 'Consumer');
      expect(statements).toEqual([
        {
          effect: 'Allow',
          actions: [...IDEMPOTENCY_TABLE_ACTIONS].sort(),
          resources: [{ 'Fn::GetAtt': [expect.stringMatching(/^IdempotencyTable/), 'Arn'] }],
        },
      ]);
      expect(resourcesFor(statements, 'dynamodb:Scan')).toEqual([]);
    });

    test('has no unacknowledged cdk-nag finding (AwsSolutions, Serverless, NIST 800-53 R5)', () => {
      expect(nagFindings(table)).toEqual([]);
    });

    test('leaves an AWS Backup plan to its user, point-in-time recovery being on', () => {
      expect(acknowledgments(table)).toEqual([
        expect.objectContaining({
          id: expect.stringContaining('NIST.800.53.R5-DynamoDBInBackupPlan'),
          reason: expect.stringMatching(/Point-in-time recovery is on/),
        }),
      ]);
    });
  });

  test('a dev stack can destroy it and drops deletion protection', () => {
    // GIVEN
    const stack = new Stack(appWithoutBundling(), 'Dev');
    // WHEN
    new IdempotencyTable(stack, 'Idempotency', { removalPolicy: RemovalPolicy.DESTROY });
    // THEN
    Template.fromStack(stack).hasResource('AWS::DynamoDB::Table', {
      DeletionPolicy: 'Delete',
      Properties: Match.objectLike({ DeletionProtectionEnabled: false }),
    });
  });

  test('with a customer-managed key, encrypts with it and grants the key to the grantee', () => {
    // GIVEN
    const stack = new Stack(appWithoutBundling(), 'Cmk');
    const key = new kms.Key(stack, 'Key', { enableKeyRotation: true });
    const role = new iam.Role(stack, 'Consumer', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
    });
    // WHEN
    new IdempotencyTable(stack, 'Idempotency', { encryptionKey: key }).grantIdempotency(role);
    // THEN
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      SSESpecification: {
        SSEEnabled: true,
        SSEType: 'KMS',
        KMSMasterKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^Key'), 'Arn'] },
      },
    });
    expect(resourcesFor(roleStatements(template, 'Consumer'), 'kms:Decrypt')).toEqual([
      { 'Fn::GetAtt': [expect.stringMatching(/^Key/), 'Arn'] },
    ]);
  });
});
