import { Duration, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import {
  ConsumerAlarms,
  type ConsumerAlarmsOptions,
  type IAlarmedConsumer,
} from '../../../infra/constructs/consumer-alarms';
import { acknowledgments, appWithoutBundling } from '../support';

/** A consumer reduced to what its alarms watch: a function and the two metrics. */
function watched(stack: Stack): IAlarmedConsumer {
  const fn = new lambda.Function(stack, 'Function', {
    runtime: lambda.Runtime.NODEJS_24_X,
    handler: 'index.handler',
    code: lambda.Code.fromInline('exports.handler = async () => {};'),
  });
  const metric = (namespace: string, metricName: string, dimensionsMap: Record<string, string>) =>
    new cloudwatch.Metric({
      namespace,
      metricName,
      dimensionsMap,
      period: Duration.minutes(5),
      statistic: 'Sum',
    });
  return {
    serviceName: 'orders',
    function: fn,
    metricDeadLettered: () => metric('Shop', 'DeadLettered', { service: 'orders' }),
    metricOffsetLag: () => metric('AWS/Lambda', 'OffsetLag', { FunctionName: fn.functionName }),
  };
}

function build(options: ConsumerAlarmsOptions = {}): { stack: Stack; alarms: ConsumerAlarms } {
  const stack = new Stack(appWithoutBundling(), 'Test');
  const alarms = new ConsumerAlarms(stack, 'Alarms', { consumer: watched(stack), ...options });
  return { stack, alarms };
}

describe('ConsumerAlarms', () => {
  test('alarms on errors, throttles and dead-lettered records, at or above 1, missing data not breaching', () => {
    // GIVEN / WHEN
    const { stack, alarms } = build();
    // THEN
    const template = Template.fromStack(stack);
    for (const [namespace, metricName] of [
      ['AWS/Lambda', 'Errors'],
      ['AWS/Lambda', 'Throttles'],
      ['Shop', 'DeadLettered'],
    ]) {
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        Namespace: namespace,
        MetricName: metricName,
        Statistic: 'Sum',
        Period: 300,
        Threshold: 1,
        EvaluationPeriods: 1,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
        TreatMissingData: 'notBreaching',
        AlarmDescription: Match.stringLikeRegexp('^orders: '),
      });
    }
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'DeadLettered',
      Dimensions: [{ Name: 'service', Value: 'orders' }],
    });
    expect(alarms.all).toEqual([alarms.errors, alarms.throttles, alarms.deadLettered]);
    expect(alarms.offsetLag).toBeUndefined();
  });

  test('takes its thresholds from the props', () => {
    // GIVEN / WHEN
    const { stack } = build({
      errorsAlarmThreshold: 3,
      throttlesAlarmThreshold: 4,
      deadLetteredAlarmThreshold: 5,
    });
    // THEN
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: 'Errors', Threshold: 3 });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: 'Throttles', Threshold: 4 });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: 'DeadLettered', Threshold: 5 });
  });

  test('addOffsetLagAlarm adds the lag alarm: maximum over 5 minutes, three periods in a row', () => {
    // GIVEN
    const { stack, alarms } = build();
    // WHEN
    const lag = alarms.addOffsetLagAlarm({ offsetLagAlarmThreshold: 250 });
    // THEN
    Template.fromStack(stack).hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'AWS/Lambda',
      MetricName: 'OffsetLag',
      Threshold: 250,
      EvaluationPeriods: 3,
      AlarmDescription: 'orders: The consumer is behind its topics and not catching up.',
    });
    expect(alarms.offsetLag).toBe(lag);
    expect(alarms.all).toContain(lag);
    expect(() => alarms.addOffsetLagAlarm()).toThrow(/Test\/Alarms: the offset-lag alarm exists already/);
  });

  test('with an alarm action, routes every alarm to it, the lag alarm added later too, and acknowledges none', () => {
    // GIVEN
    const stack = new Stack(appWithoutBundling(), 'Action');
    const topic = new sns.Topic(stack, 'Topic', { enforceSSL: true });
    // WHEN
    const alarms = new ConsumerAlarms(stack, 'Alarms', {
      consumer: watched(stack),
      alarmAction: new SnsAction(topic),
    });
    alarms.addOffsetLagAlarm();
    // THEN
    const found = Object.values(Template.fromStack(stack).findResources('AWS::CloudWatch::Alarm'));
    expect(found).toHaveLength(4);
    for (const alarm of found) {
      expect(alarm.Properties.AlarmActions).toEqual([{ Ref: expect.stringMatching(/^Topic/) }]);
    }
    expect(acknowledgments(alarms).filter((a) => a.id.includes('CloudWatchAlarmAction'))).toEqual([]);
  });

  test('without an alarm action, acknowledges the NIST finding on each alarm, saying how to route it', () => {
    // GIVEN / WHEN
    const { alarms } = build();
    alarms.addOffsetLagAlarm();
    // THEN
    const acks = acknowledgments(alarms).filter((a) => a.id.endsWith('NIST.800.53.R5-CloudWatchAlarmAction'));
    expect(acks.map((a) => a.path).sort()).toEqual([
      'Test/Alarms/DeadLetteredAlarm',
      'Test/Alarms/ErrorsAlarm',
      'Test/Alarms/OffsetLagAlarm',
      'Test/Alarms/ThrottlesAlarm',
    ]);
    for (const ack of acks) expect(ack.reason).toMatch(/pass alarmAction/);
  });

  test("with the id 'Default', its alarms keep the logical ids they had as direct children of the consumer", () => {
    // GIVEN the alarms as they were (children of the consumer) and as they are (in ConsumerAlarms 'Default')
    const before = new Stack(appWithoutBundling(), 'Before');
    const beforeConsumer = new Construct(before, 'Orders');
    const consumer = watched(before);
    for (const id of ['ErrorsAlarm', 'ThrottlesAlarm', 'DeadLetteredAlarm', 'OffsetLagAlarm']) {
      new cloudwatch.Alarm(beforeConsumer, id, {
        metric: consumer.metricDeadLettered(),
        threshold: 1,
        evaluationPeriods: 1,
      });
    }
    const after = new Stack(appWithoutBundling(), 'After');
    // WHEN
    new ConsumerAlarms(new Construct(after, 'Orders'), 'Default', {
      consumer: watched(after),
    }).addOffsetLagAlarm();
    // THEN
    const ids = (stack: Stack) =>
      Object.keys(Template.fromStack(stack).findResources('AWS::CloudWatch::Alarm')).sort();
    expect(ids(after)).toEqual(ids(before));
    expect(ids(after)).toHaveLength(4);
  });

  test('fails if a threshold is not an integer of at least 1, naming it and the value', () => {
    expect(() => build({ throttlesAlarmThreshold: 0 })).toThrow(
      /Test\/Alarms: invalid props of ConsumerAlarms:\n- throttlesAlarmThreshold must be an integer between 1 and \d+, got 0/,
    );
    expect(() => build({ deadLetteredAlarmThreshold: 1.5 })).toThrow(
      /deadLetteredAlarmThreshold .* got 1\.5/,
    );
    const { alarms } = build();
    expect(() => alarms.addOffsetLagAlarm({ offsetLagAlarmThreshold: 0 })).toThrow(
      /offsetLagAlarmThreshold must be an integer between 1 and \d+, got 0/,
    );
  });
});
