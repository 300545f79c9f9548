import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { integerRule, type ValidationRule, validateProps } from '../lib/validate';

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

  /**
   * Also create an S3 bucket for dead letters too large for an SQS message (the extended-client
   * pattern: the whole entry in S3, a pointer in the message). Without it an oversized dead letter
   * keeps its coordinates, digest and the head of its value, and the rest is read back from the topic.
   *
   * @default false
   */
  readonly spillBucket?: boolean;
}

/** What CDK does not check of the props (it has no alarm-threshold rule). */
const DEAD_LETTER_QUEUE_RULES: readonly ValidationRule<DeadLetterQueueProps>[] = [
  integerRule('depthAlarmThreshold', (p) => p.depthAlarmThreshold, 1, Number.MAX_SAFE_INTEGER),
];

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
  /**
   * Whole dead letters too large for a message, when `spillBucket` is set: S3-managed encryption,
   * TLS only, no public access, objects expire with the queue's retention (14 days).
   */
  public readonly spillBucket: s3.Bucket | undefined;

  constructor(scope: Construct, id: string, props: DeadLetterQueueProps = {}) {
    super(scope, id);
    validateProps(this, 'DeadLetterQueue', props, DEAD_LETTER_QUEUE_RULES);
    const threshold = props.depthAlarmThreshold ?? 1;

    this.queue = new sqs.Queue(this, 'Queue', {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
      // The dead-letter bodies are sized for SQS's largest message (1 MiB); pinned, not left to
      // a default that was 256 KiB for queues created before 2025.
      maxMessageSizeBytes: 1_048_576,
      removalPolicy: props.removalPolicy ?? RemovalPolicy.RETAIN,
    });
    const dlqReason =
      "This queue is the dead-letter queue (of the handlers' poison path and of the event source " +
      "mappings' onFailure); a DLQ of a DLQ would only move the same records again.";
    Validations.of(this.queue).acknowledge(
      { id: 'AwsSolutions-SQS3', reason: dlqReason },
      { id: 'Serverless-SQSRedrivePolicy', reason: dlqReason },
    );

    if (props.spillBucket) {
      this.spillBucket = new s3.Bucket(this, 'SpillBucket', {
        encryption: s3.BucketEncryption.S3_MANAGED,
        enforceSSL: true,
        blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
        objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
        lifecycleRules: [{ expiration: Duration.days(14) }],
        removalPolicy: props.removalPolicy ?? RemovalPolicy.RETAIN,
      });
      const reason =
        'Holds only dead letters too large for an SQS message, written by the consumers and read by an ' +
        "operator; the queue's own access is in CloudTrail. Server access logs would need a second bucket " +
        'per stack for little gain; turn them on where an audit asks for them.';
      Validations.of(this.spillBucket).acknowledge(
        { id: 'AwsSolutions-S1', reason },
        { id: 'NIST.800.53.R5-S3BucketLoggingEnabled', reason },
        {
          id: 'NIST.800.53.R5-S3BucketReplicationEnabled',
          reason:
            'Dead letters are kept 14 days for a redrive; cross-region replication is the organisation’s choice.',
        },
        {
          id: 'NIST.800.53.R5-S3BucketVersioningEnabled',
          reason:
            'Each object is written once per dead letter (a retried send rewrites the same bytes) and expires in 14 days.',
        },
        {
          id: 'NIST.800.53.R5-S3DefaultEncryptionKMS',
          reason:
            'S3-managed encryption, as the queue uses SQS-managed keys: no key policy for the senders to satisfy.',
        },
      );
    } else {
      this.spillBucket = undefined;
    }

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
