import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { Construct } from 'constructs';
import { MetricName } from '../../shared/internal';
import type { DeadLetterQueue } from './dead-letter-queue';
import type { IdempotentKafkaConsumer } from './idempotent-kafka-consumer';

/**
 * The layer's outcome counters shown per consumer, in this order.
 *
 * @example
 * ```ts
 * const widgets = DASHBOARD_LAYER_METRICS.map((name) => consumer.metric(name));
 * ```
 */
export const DASHBOARD_LAYER_METRICS = [
  MetricName.PROCESSED,
  MetricName.DUPLICATE,
  MetricName.FAILED,
  MetricName.RELEASED,
  MetricName.TAKEOVER,
] as const;

/**
 * Something with DynamoDB throttle metrics (the idempotency table, a consumer table).
 *
 * @example
 * ```ts
 * const sources: IThrottleMetricSource[] = [idempotencyTable, essayTable];
 * ```
 */
export interface IThrottleMetricSource {
  /** Read and write throttle events. */
  metricThrottleEvents(props?: cloudwatch.MetricOptions): cloudwatch.IMetric[];
}

/**
 * Properties of a {@link ConsumerDashboard}.
 *
 * @example
 * ```ts
 * const props: ConsumerDashboardProps = { consumers: [spellchecker], tables: [idempotency], deadLetterQueue: dlq };
 * ```
 */
export interface ConsumerDashboardProps {
  /** The consumers to show, one row each. */
  readonly consumers: readonly IdempotentKafkaConsumer[];

  /** Tables whose throttle events to show (the idempotency table, the consumer tables). */
  readonly tables: readonly IThrottleMetricSource[];

  /** The shared dead-letter queue. */
  readonly deadLetterQueue: DeadLetterQueue;

  /**
   * Period of every graph.
   *
   * @default Duration.minutes(1)
   */
  readonly period?: Duration;
}

/**
 * A CloudWatch dashboard (no physical name) for the consumers: per consumer the layer's
 * Processed, Duplicate, Failed, Released and Takeover counters (namespace of the consumer,
 * dimension `service`), Lambda errors and throttles, and offset lag when Kafka-triggered; then
 * DynamoDB throttles of every table and the dead-letter queue's depth.
 *
 * @example
 * ```ts
 * new ConsumerDashboard(this, 'Dashboard', { consumers, tables: [idempotency, essays], deadLetterQueue: dlq });
 * ```
 */
export class ConsumerDashboard extends Construct {
  /** The dashboard. */
  public readonly dashboard: cloudwatch.Dashboard;

  constructor(scope: Construct, id: string, props: ConsumerDashboardProps) {
    super(scope, id);
    const period = props.period ?? Duration.minutes(1);
    this.dashboard = new cloudwatch.Dashboard(this, 'Dashboard', { defaultInterval: Duration.hours(3) });

    for (const consumer of props.consumers) {
      const row: cloudwatch.IWidget[] = [
        new cloudwatch.GraphWidget({
          title: `${consumer.serviceName}: idempotency outcomes`,
          left: DASHBOARD_LAYER_METRICS.map((name) => consumer.metric(name, { period, label: name })),
          width: 12,
        }),
        new cloudwatch.GraphWidget({
          title: `${consumer.serviceName}: Lambda errors and throttles`,
          left: [
            consumer.function.metricErrors({ period, statistic: cloudwatch.Stats.SUM }),
            consumer.function.metricThrottles({ period, statistic: cloudwatch.Stats.SUM }),
          ],
          width: 6,
        }),
      ];
      if (consumer.kafkaTrigger !== undefined) {
        row.push(
          new cloudwatch.GraphWidget({
            title: `${consumer.serviceName}: offset lag`,
            left: [consumer.metricOffsetLag({ period })],
            width: 6,
          }),
        );
      }
      this.dashboard.addWidgets(...row);
    }

    this.dashboard.addWidgets(
      new cloudwatch.GraphWidget({
        title: 'DynamoDB throttle events',
        left: props.tables.flatMap((table) => table.metricThrottleEvents({ period })),
        width: 12,
      }),
      new cloudwatch.GraphWidget({
        title: 'Dead-letter queue depth',
        left: [props.deadLetterQueue.metricDepth({ period })],
        width: 12,
      }),
    );
  }
}
