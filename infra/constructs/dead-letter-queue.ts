import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { checkIntegerRange } from '../lib/validate';

/**
 * Properties of a {@link DeadLetterQueue}.
 *
 * @example
 * ```ts
 * new DeadLetterQueue(this, 'DeadLetterQueue', { depthAlarmThreshold: 10, alarmAction: new SnsAction(topic) });
 * ```
 */
export interface DeadLetterQueueProps {
  /**
   * Number of visible messages at or above which the depth alarm fires. Every message is a
   * record that was not processed, so the default fires on the first.
   *
   * @default 1
   */
  readonly depthAlarmThreshold?: number;

  /**
   * Action to run when the depth alarm changes to ALARM (an SNS topic, for instance).
   *
   * @default - no action; the alarm shows in the console and on the dashboard
   */
  readonly alarmAction?: cloudwatch.IAlarmAction;

  /**
   * What happens to the queue (and the poison records in it) when it leaves the stack.
   *
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
}

/**
 * The SQS dead-letter queue of the consumers' poison path: the handlers send permanently failed
 * records here, and the event source mappings send the metadata of batches that exhausted their
 * retries here (`onFailure`). Encrypted with SQS-managed keys (SSE-SQS: no key policy for the
 * senders to satisfy), TLS enforced, messages kept 14 days (the SQS maximum), with an alarm on
 * `ApproximateNumberOfMessagesVisible`.
 *
 * @example
 * ```ts
 * const dlq = new DeadLetterQueue(this, 'DeadLetterQueue', { depthAlarmThreshold: 1 });
 * dlq.queue.grantSendMessages(fn);
 * ```
 */
export class DeadLetterQueue extends Construct {
  /** The queue. */
  public readonly queue: sqs.Queue;
  /** Fires when the queue holds at least `depthAlarmThreshold` visible messages. */
  public readonly depthAlarm: cloudwatch.Alarm;

  constructor(scope: Construct, id: string, props: DeadLetterQueueProps = {}) {
    super(scope, id);
    const threshold = props.depthAlarmThreshold ?? 1;
    checkIntegerRange(this, 'depthAlarmThreshold', threshold, 1, Number.MAX_SAFE_INTEGER);

    this.queue = new sqs.Queue(this, 'Queue', {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
      removalPolicy: props.removalPolicy ?? RemovalPolicy.RETAIN,
    });
    const dlqReason =
      "This queue is the dead-letter queue (of the handlers' poison path and of the event source " +
      "mappings' onFailure); a DLQ of a DLQ would only move the same records again.";
    Validations.of(this.queue).acknowledge(
      { id: 'AwsSolutions-SQS3', reason: dlqReason },
      { id: 'Serverless-SQSRedrivePolicy', reason: dlqReason },
    );

    this.depthAlarm = new cloudwatch.Alarm(this, 'DepthAlarm', {
      alarmDescription: 'Records are waiting in the dead-letter queue: inspect them, fix the cause, redrive.',
      metric: this.metricDepth(),
      threshold,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    if (props.alarmAction) {
      this.depthAlarm.addAlarmAction(props.alarmAction);
    } else {
      Validations.of(this.depthAlarm).acknowledge({
        id: 'NIST.800.53.R5-CloudWatchAlarmAction',
        reason:
          "No alarmAction was given: the alarm shows on the dashboard and in the console only. Where alarms page someone is the team's " +
          'choice; pass alarmAction (for example an SnsAction on its topic) to route it.',
      });
    }
  }

  /**
   * Maximum of `ApproximateNumberOfMessagesVisible` over five minutes.
   *
   * @example
   * ```ts
   * new cloudwatch.GraphWidget({ left: [dlq.metricDepth()] });
   * ```
   */
  public metricDepth(props: cloudwatch.MetricOptions = {}): cloudwatch.Metric {
    return this.queue.metricApproximateNumberOfMessagesVisible({
      statistic: cloudwatch.Stats.MAXIMUM,
      period: Duration.minutes(5),
      ...props,
    });
  }
}
