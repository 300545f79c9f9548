import { Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { DeadLetterQueue } from '../../../infra/constructs/dead-letter-queue';
import { acknowledgments, appWithoutBundling, nagErrors } from '../support';

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

  test('has no unacknowledged cdk-nag errors, and says why SQS3 does not apply', () => {
    expect(nagErrors(stack)).toEqual([]);
    const sqs3 = acknowledgments(stack).filter((a) => a.id.includes('AwsSolutions-SQS3'));
    expect(sqs3).toEqual([expect.objectContaining({ reason: expect.stringMatching(/dead-letter queue/) })]);
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
});
