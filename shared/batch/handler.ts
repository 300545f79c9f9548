import type { MSKEvent } from 'aws-lambda';
import type { RecordCodec } from '../codecs/codec';
import type { DeadLetterSink } from '../dead-letter';
import { BatchRetryError, clip, InvalidRecordError } from '../errors';
import type { EventHandler } from '../event-handler';
import type { Idempotency, LambdaContextLike } from '../idempotency';
import { DEFAULT_INPUT_LIMITS, decodeMskEvent, type InputLimits } from '../kafka';
import { lifecycleOf } from '../lifecycle';
import { DEFAULTS, integerOption } from '../options';
import { forEachLimited } from './limit';
import { BatchRun } from './partition-run';
import type { BatchReport, KafkaBatchResponse } from './report';

/** Options of {@link createKafkaHandler}. */
export interface KafkaHandlerOptions {
  /** The idempotency layer (service, table, TTLs, failure mode). */
  readonly idempotency: Idempotency;
  /**
   * One handler per event type, matched exactly. A record of any other type is permanent: it is
   * recorded `failed` and dead-lettered.
   */
  readonly routes: Readonly<Record<string, EventHandler<unknown>>>;
  /** Where poison records go, with their error and coordinates. */
  readonly deadLetter: DeadLetterSink;
  /**
   * `true` when the event source mapping has `ReportBatchItemFailures`: retryable failures are
   * reported per partition. `false`: the handler throws so that the whole batch is retried.
   * @default false
   */
  readonly partialBatchResponse?: boolean;
  /**
   * Partitions processed at the same time (records of one partition always run in offset order).
   * @default 4 (`DEFAULTS.partitionConcurrency`)
   */
  readonly partitionConcurrency?: number;
  /**
   * Claims in flight at once within one partition, taken ahead of the handlers.
   * @default 16 (`DEFAULTS.claimConcurrency`)
   */
  readonly claimConcurrency?: number;
  /**
   * Bounds on what a record sizes itself (value, key, headers); a record past one is poison.
   * @default DEFAULT_INPUT_LIMITS (value 1 MiB, key 16 KiB, 64 headers of 32 KiB in all)
   */
  readonly limits?: Partial<InputLimits>;
  /**
   * How record values are decoded (`shared/codecs`): the house envelope, CloudEvents, JSON, Avro,
   * Protobuf. Tombstones (no value) are routed as `tombstone` whatever the codec.
   * @default the envelope codec
   */
  readonly codec?: RecordCodec;
}

/** An MSK Lambda handler built by {@link createKafkaHandler}. */
export interface KafkaHandler {
  /** The Lambda entry point. */
  (event: MSKEvent, context?: LambdaContextLike): Promise<KafkaBatchResponse | undefined>;
  /** Processes a batch and reports every record's outcome; never throws for a record's failure. */
  process(event: MSKEvent, context?: LambdaContextLike): Promise<BatchReport>;
}

/**
 * Turns per-event handlers into an MSK Lambda handler with effectively-once processing:
 * - decodes every record once (key computed before any handler runs);
 * - reads the idempotency records of the whole batch first (one `BatchGetItem` per 100 keys), so a
 *   redelivered batch of finished records costs about one round trip;
 * - handles records of one partition in offset order, partitions concurrently, claims taken ahead
 *   and two-phase completions overlapped with the next handler, all durable before it returns;
 * - duplicates (across or inside the batch) are skipped; a retryable failure releases what this
 *   attempt holds and stops its partition; a permanent one is dead-lettered and recorded `failed`,
 *   and its partition moves on.
 *
 * @example
 * ```ts
 * declare const deadLetter: KafkaHandlerOptions['deadLetter']; // an SQS or file sink
 * const handler = createKafkaHandler({
 *   idempotency: new Idempotency({ service: 'spellchecker', tableName: 'idempotency' }),
 *   routes: { 'huleedu.essay.spellcheck.requested.v1': async (envelope) => ({ seen: envelope.event_id }) },
 *   deadLetter,
 *   partialBatchResponse: true,
 * });
 * ```
 */
export function createKafkaHandler(options: KafkaHandlerOptions): KafkaHandler {
  const lifecycle = lifecycleOf(options.idempotency);
  const partialBatchResponse = options.partialBatchResponse ?? false;
  const partitionConcurrency = integerOption(
    'partitionConcurrency',
    options.partitionConcurrency ?? DEFAULTS.partitionConcurrency,
    { min: 1 },
  );
  const claimConcurrency = integerOption(
    'claimConcurrency',
    options.claimConcurrency ?? DEFAULTS.claimConcurrency,
    {
      min: 1,
    },
  );
  const limits = inputLimits(options.limits ?? {});
  const route = router(options.routes, lifecycle.service);

  const process = async (event: MSKEvent, context?: LambdaContextLike): Promise<BatchReport> => {
    const started = Date.now();
    try {
      const partitions = decodeMskEvent(event, limits, options.codec);
      const batch = new BatchRun(lifecycle, route, options.deadLetter, context, claimConcurrency);
      await batch.prepare(partitions);
      await forEachLimited([...partitions.keys()], partitionConcurrency, (key) => batch.runPartition(key));
      const report = await batch.finish(Date.now() - started);
      lifecycle.settleBatch(report);
      return report;
    } finally {
      lifecycle.publishMetrics();
    }
  };

  const handler = async (
    event: MSKEvent,
    context?: LambdaContextLike,
  ): Promise<KafkaBatchResponse | undefined> => {
    const report = await process(event, context);
    if (report.deadLetterFailure) throw new BatchRetryError(report);
    if (partialBatchResponse) return { batchItemFailures: report.batchItemFailures };
    if (report.batchItemFailures.length > 0) throw new BatchRetryError(report);
    return undefined;
  };
  return Object.assign(handler, { process });
}

/** The input limits: the defaults, with the ones given (each an integer >= 1). */
function inputLimits(given: Partial<InputLimits>): InputLimits {
  const limits: InputLimits = { ...DEFAULT_INPUT_LIMITS };
  for (const [name, value] of Object.entries(given)) {
    if (!Object.hasOwn(DEFAULT_INPUT_LIMITS, name)) {
      throw new TypeError(
        `Option limits.${name} is not a limit; use ${Object.keys(DEFAULT_INPUT_LIMITS).join(', ')}.`,
      );
    }
    (limits as unknown as Record<string, number>)[name] = integerOption(`limits.${name}`, value, { min: 1 });
  }
  return limits;
}

/** One handler for every route: a record of a type without a route is permanent. */
function router(
  routes: Readonly<Record<string, EventHandler<unknown>>>,
  service: string,
): EventHandler<unknown> {
  // A Map, never a property lookup: the event type is the record's content (`constructor`, say).
  const byType = new Map(Object.entries(routes));
  const knownTypes = [...byType.keys()];
  if (knownTypes.length === 0)
    throw new TypeError('Option routes must map at least one event type to a handler.');
  return async (envelope, info) => {
    const handler = byType.get(envelope.event_type);
    if (!handler) {
      throw new InvalidRecordError(
        `Unknown event type ${envelope.event_type} for service ${service} (event ${clip(envelope.event_id)}); this consumer handles ${knownTypes.join(', ')}. Route the topic elsewhere or add a handler.`,
      );
    }
    return handler(envelope, info);
  };
}
