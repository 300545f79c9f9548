import { Duration, Validations } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import { validateProps } from '../lib/validate';
import { CONSUMER_ALARMS_RULES, OFFSET_LAG_THRESHOLD_RULE } from '../lib/validate-consumer-props';

/**
 * What the alarms of a consumer watch. An `IdempotentKafkaConsumer` is one.
 *
 * @example
 * ```ts
 * const watched: IAlarmedConsumer = consumer;
 * ```
 */
export interface IAlarmedConsumer {
  /** The consuming service (the alarms' descriptions start with it). */
  readonly serviceName: string;
  /** The function (its errors and throttles). */
  readonly function: lambda.IFunction;
  /** The layer's `DeadLettered` count for this service. */
  metricDeadLettered(props?: cloudwatch.MetricOptions): cloudwatch.IMetric;
  /** Lambda's `OffsetLag` of the function's Kafka event source mappings. */
  metricOffsetLag(props?: cloudwatch.MetricOptions): cloudwatch.IMetric;
}

/**
 * The thresholds and action of a consumer's alarms; `IdempotentKafkaConsumerProps` takes them flat.
 *
 * @example
 * ```ts
 * const options: ConsumerAlarmsOptions = { errorsAlarmThreshold: 5, alarmAction: new SnsAction(topic) };
 * ```
 */
export interface ConsumerAlarmsOptions {
  /**
   * Function errors (sum over 5 minutes) at or above which the errors alarm fires. With partial
   * batch responses a retryable record failure is not a function error; a thrown error or a
   * timeout is.
   *
   * @default 1
   */
  readonly errorsAlarmThreshold?: number;

  /**
   * Throttled invocations (sum over 5 minutes) at or above which the throttles alarm fires.
   *
   * @default 1
   */
  readonly throttlesAlarmThreshold?: number;

  /**
   * Records this consumer sent to the dead-letter queue (the layer's `DeadLettered` metric, sum
   * over 5 minutes) at or above which its alarm fires. The queue's own depth alarm lives on
   * the shared `DeadLetterQueue`.
   *
   * @default 1
   */
  readonly deadLetteredAlarmThreshold?: number;

  /**
   * Action to run when one of the alarms changes to ALARM.
   *
   * @default - no action: the alarms show on the dashboard and in the console only
   */
  readonly alarmAction?: cloudwatch.IAlarmAction;
}

/**
 * Properties of {@link ConsumerAlarms}.
 *
 * @example
 * ```ts
 * const props: ConsumerAlarmsProps = { consumer, deadLetteredAlarmThreshold: 1 };
 * ```
 */
export interface ConsumerAlarmsProps extends ConsumerAlarmsOptions {
  /** The consumer to watch. */
  readonly consumer: IAlarmedConsumer;
}

/**
 * Properties of {@link ConsumerAlarms.addOffsetLagAlarm}.
 *
 * @example
 * ```ts
 * alarms.addOffsetLagAlarm({ offsetLagAlarmThreshold: 5000 });
 * ```
 */
export interface OffsetLagAlarmProps {
  /**
   * `OffsetLag` (records behind the end of the topic, maximum over 5 minutes) at or above which the
   * alarm fires when sustained for 15 minutes.
   *
   * @default 1000
   */
  readonly offsetLagAlarmThreshold?: number;
}

const NO_ALARM_ACTION_REASON =
  "No alarmAction was given: the alarm shows on the dashboard and in the console only. Where alarms page someone is the team's choice; " +
  'pass alarmAction (for example an SnsAction on its topic) to route them.';

/**
 * The alarms of one consumer: function errors, throttles and dead-lettered records, and, once it
 * has a Kafka trigger, offset lag. Each fires at or above its threshold, treats missing data as not
 * breaching, and runs `alarmAction` when one is given.
 *
 * @example
 * ```ts
 * const alarms = new ConsumerAlarms(this, 'Alarms', { consumer, alarmAction: new SnsAction(topic) });
 * alarms.addOffsetLagAlarm();
 * ```
 */
export class ConsumerAlarms extends Construct {
  /** Function errors (a throw or a timeout). */
  public readonly errors: cloudwatch.Alarm;
  /** Throttled invocations. */
  public readonly throttles: cloudwatch.Alarm;
  /** Records the consumer dead-lettered (the layer's `DeadLettered`). */
  public readonly deadLettered: cloudwatch.Alarm;
  private readonly consumer: IAlarmedConsumer;
  private readonly alarmAction: cloudwatch.IAlarmAction | undefined;
  private offsetLagAlarm: cloudwatch.Alarm | undefined;

  constructor(scope: Construct, id: string, props: ConsumerAlarmsProps) {
    super(scope, id);
    validateProps(this, 'ConsumerAlarms', props, CONSUMER_ALARMS_RULES);
    this.consumer = props.consumer;
    this.alarmAction = props.alarmAction;
    const fn = props.consumer.function;
    const sum = { statistic: cloudwatch.Stats.SUM, period: Duration.minutes(5) };
    this.errors = this.alarm('ErrorsAlarm', {
      description:
        'The function threw or timed out: its batch is retried, then bisected, then dead-lettered.',
      metric: fn.metricErrors(sum),
      threshold: props.errorsAlarmThreshold ?? 1,
    });
    this.throttles = this.alarm('ThrottlesAlarm', {
      description: 'Invocations are throttled: the consumer falls behind. Check concurrency limits.',
      metric: fn.metricThrottles(sum),
      threshold: props.throttlesAlarmThreshold ?? 1,
    });
    this.deadLettered = this.alarm('DeadLetteredAlarm', {
      description: 'The consumer sent poison records to the dead-letter queue.',
      metric: props.consumer.metricDeadLettered(),
      threshold: props.deadLetteredAlarmThreshold ?? 1,
    });
  }

  /** The offset-lag alarm, once {@link addOffsetLagAlarm} has added it. */
  public get offsetLag(): cloudwatch.Alarm | undefined {
    return this.offsetLagAlarm;
  }

  /** Every alarm of the consumer. */
  public get all(): readonly cloudwatch.Alarm[] {
    return [
      this.errors,
      this.throttles,
      this.deadLettered,
      ...(this.offsetLagAlarm ? [this.offsetLagAlarm] : []),
    ];
  }

  /**
   * Adds the alarm on the consumer's `OffsetLag` (the consumer is behind its topics and not catching
   * up): maximum over 5 minutes, three periods in a row. `addMskTrigger` calls it.
   *
   * @example
   * ```ts
   * consumer.alarms.addOffsetLagAlarm({ offsetLagAlarmThreshold: 5000 });
   * ```
   */
  public addOffsetLagAlarm(props: OffsetLagAlarmProps = {}): cloudwatch.Alarm {
    if (this.offsetLagAlarm) {
      throw new Error(`${this.node.path}: the offset-lag alarm exists already (one per consumer)`);
    }
    validateProps(this, 'ConsumerAlarms.addOffsetLagAlarm', props, [OFFSET_LAG_THRESHOLD_RULE]);
    this.offsetLagAlarm = this.alarm('OffsetLagAlarm', {
      description: 'The consumer is behind its topics and not catching up.',
      metric: this.consumer.metricOffsetLag(),
      threshold: props.offsetLagAlarmThreshold ?? 1000,
      evaluationPeriods: 3,
    });
    return this.offsetLagAlarm;
  }

  private alarm(
    id: string,
    options: {
      description: string;
      metric: cloudwatch.IMetric;
      threshold: number;
      evaluationPeriods?: number;
    },
  ): cloudwatch.Alarm {
    const alarm = new cloudwatch.Alarm(this, id, {
      alarmDescription: `${this.consumer.serviceName}: ${options.description}`,
      metric: options.metric,
      threshold: options.threshold,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: options.evaluationPeriods ?? 1,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    if (this.alarmAction) alarm.addAlarmAction(this.alarmAction);
    else
      Validations.of(alarm).acknowledge({
        id: 'NIST.800.53.R5-CloudWatchAlarmAction',
        reason: NO_ALARM_ACTION_REASON,
      });
    return alarm;
  }
}
