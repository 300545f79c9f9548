import { Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as sns from 'aws-cdk-lib/aws-sns';
import { DeadLetterQueue } from '../../../infra/constructs/dead-letter-queue';
import { acknowledgments, appWithoutBundling, nagFindings } from '../support';

describe('DeadLetterQueue', () => {
  let stack: Stack;
  let template: Template;
  beforeAll(() => {
    // GIVEN
    stack = new Stack(appWithoutBundling(), 'Test');
    // WHEN
    new DeadLetterQueue(stack, 'DeadLetterQueue');
    template = Template.fromStack(stack);
  });

  test('is encrypted with SQS-managed keys, keeps messages 14 days and is retained', () => {
    template.hasResource('AWS::SQS::Queue', {
      DeletionPolicy: 'Retain',
      Properties: Match.objectLike({
        SqsManagedSseEnabled: true,
        MessageRetentionPeriod: 14 * 24 * 3600,
        MaximumMessageSize: 1_048_576,
        QueueName: Match.absent(),
      }),
    });
  });

  test('refuses requests without TLS', () => {
    template.hasResourceProperties('AWS::SQS::QueuePolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Effect: 'Deny',
            Action: 'sqs:*',
            Condition: { Bool: { 'aws:SecureTransport': 'false' } },
          }),
        ]),
      },
    });
  });

  test('alarms on the first visible message', () => {
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'AWS/SQS',
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Dimensions: [
        {
          Name: 'QueueName',
          Value: { 'Fn::GetAtt': [Match.stringLikeRegexp('^DeadLetterQueue'), 'QueueName'] },
        },
      ],
      Statistic: 'Maximum',
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      Threshold: 1,
      TreatMissingData: 'notBreaching',
    });
  });

  test('has no unacknowledged cdk-nag finding (AwsSolutions, Serverless, NIST 800-53 R5), and says why', () => {
    expect(nagFindings(stack)).toEqual([]);
    const ids = (rule: string) => acknowledgments(stack).filter((a) => a.id.includes(rule));
    for (const rule of ['AwsSolutions-SQS3', 'Serverless-SQSRedrivePolicy']) {
      expect(ids(rule)).toEqual([
        expect.objectContaining({ reason: expect.stringMatching(/a DLQ of a DLQ/) }),
      ]);
    }
    expect(ids('NIST.800.53.R5-CloudWatchAlarmAction')).toEqual([
      expect.objectContaining({ reason: expect.stringMatching(/pass alarmAction/) }),
    ]);
  });

  test('with an alarm action, routes the depth alarm to it and acknowledges nothing about alarm actions', () => {
    // GIVEN
    const other = new Stack(appWithoutBundling(), 'Action');
    const topic = new sns.Topic(other, 'Alarms', { enforceSSL: true });
    // WHEN
    const dlq = new DeadLetterQueue(other, 'DeadLetterQueue', { alarmAction: new SnsAction(topic) });
    // THEN
    Template.fromStack(other).hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmActions: [{ Ref: Match.stringLikeRegexp('^Alarms') }],
    });
    expect(nagFindings(dlq)).toEqual([]);
    expect(acknowledgments(dlq).filter((a) => a.id.includes('CloudWatchAlarmAction'))).toEqual([]);
  });

  test('takes its alarm threshold from the prop', () => {
    // GIVEN
    const other = new Stack(appWithoutBundling(), 'Threshold');
    // WHEN
    new DeadLetterQueue(other, 'DeadLetterQueue', { depthAlarmThreshold: 25 });
    // THEN
    Template.fromStack(other).hasResourceProperties('AWS::CloudWatch::Alarm', { Threshold: 25 });
  });

  test('fails if depthAlarmThreshold is below 1', () => {
    const other = new Stack(appWithoutBundling(), 'Invalid');
    expect(() => new DeadLetterQueue(other, 'DeadLetterQueue', { depthAlarmThreshold: 0 })).toThrow(
      /depthAlarmThreshold must be an integer between 1 and \d+, got 0/,
    );
  });

  test('makes no spill bucket unless asked', () => {
    template.resourceCountIs('AWS::S3::Bucket', 0);
    expect(
      new DeadLetterQueue(new Stack(appWithoutBundling(), 'NoSpill'), 'Dlq').spillBucket,
    ).toBeUndefined();
  });

  test('with spillBucket, makes an encrypted, private, TLS-only bucket whose objects expire with the queue', () => {
    // GIVEN / WHEN
    const other = new Stack(appWithoutBundling(), 'Spill');
    const dlq = new DeadLetterQueue(other, 'DeadLetterQueue', { spillBucket: true });
    const spill = Template.fromStack(other);
    // THEN
    spill.hasResource('AWS::S3::Bucket', {
      DeletionPolicy: 'Retain',
      Properties: Match.objectLike({
        BucketName: Match.absent(),
        BucketEncryption: {
          ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
        },
        PublicAccessBlockConfiguration: {
          BlockPublicAcls: true,
          BlockPublicPolicy: true,
          IgnorePublicAcls: true,
          RestrictPublicBuckets: true,
        },
        LifecycleConfiguration: { Rules: [{ ExpirationInDays: 14, Status: 'Enabled' }] },
      }),
    });
    spill.hasResourceProperties('AWS::S3::BucketPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Effect: 'Deny',
            Action: 's3:*',
            Condition: { Bool: { 'aws:SecureTransport': 'false' } },
          }),
        ]),
      },
    });
    expect(dlq.spillBucket).toBeDefined();
    expect(nagFindings(dlq)).toEqual([]);
  });
});
