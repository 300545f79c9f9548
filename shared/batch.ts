import type { MSKEvent } from 'aws-lambda';
import type { z } from 'zod';
import type { DeadLetterEntry, DeadLetterSink } from './dead-letter';
import { type DecodedEvent, describeIssues, type EventEnvelope } from './envelope';
import { clip, DeadLetterUnavailableError, describe, IdempotencyError, InvalidRecordError } from './errors';
import type {
  ClaimStep,
  EventHandler,
  Idempotency,
  LambdaContextLike,
  Outcome,
  PermanentFailure,
  RunOptions,
} from './idempotency';
import { type BatchRecord, DEFAULT_INPUT_LIMITS, decodeMskEvent, type InputLimits } from './kafka';
import type { IdempotencyKey } from './keys';
import { MetricName } from './observability';
import { DEFAULTS, integerOption } from './options';
import type { IdempotencyRecord } from './store';

/** The Kafka partial batch response: the first failed offset of each affected partition. */
export interface KafkaBatchResponse {
  readonly batchItemFailures: {
    readonly itemIdentifier: { readonly partition: string; readonly offset: number };
  }[];
}

/** What happened to one record of a batch. `skipped`: not attempted, its partition stopped earlier. */
export type RecordStatusInBatch = Outcome<unknown>['status'] | 'skipped';

/** Per-record line of a {@link BatchReport}. */
export interface RecordReport {
  readonly topic: string;
  readonly partition: number;
  readonly offset: number;
  readonly status: RecordStatusInBatch;
  readonly idempotencyKey: string;
  readonly eventType: string | undefined;
  readonly eventId: string | undefined;
  /** `true` when this record repeated an earlier record of the same batch. */
  readonly inBatchDuplicate: boolean;
  /** `Name: message` of the error, for failed and retryable records. */
  readonly error: string | undefined;
  /** The handler's result (processed) or the cached result (duplicate). */
  readonly result: unknown;
}

/** What one invocation did, record by record. */
export interface BatchReport {
  readonly records: readonly RecordReport[];
  readonly counts: Readonly<Record<RecordStatusInBatch, number>>;
  readonly batchItemFailures: KafkaBatchResponse['batchItemFailures'];
  /**
   * Set when a poison record could not be dead-lettered (after the sink's own retries): the
   * handler then throws, partial batch response or not, so the failure is loud and bounded by the
   * event source mapping's retry policy instead of a silent per-record loop.
   */
  readonly deadLetterFailure: DeadLetterUnavailableError | undefined;
  readonly durationMs: number;
}

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
}

/** An MSK Lambda handler built by {@link createKafkaHandler}. */
export interface KafkaHandler {
  /** The Lambda entry point. */
  (event: MSKEvent, context?: LambdaContextLike): Promise<KafkaBatchResponse | undefined>;
  /** Processes a batch and reports every record's outcome; never throws for a record's failure. */
  process(event: MSKEvent, context?: LambdaContextLike): Promise<BatchReport>;
}

/**
 * Thrown by the handler (without partial batch response) when some record must be retried, so that
 * the event source mapping delivers the batch again. Completed records are skipped on the retry.
 */
export class BatchRetryError extends IdempotencyError {
  readonly report: BatchReport;

  constructor(report: BatchReport) {
    const retry = report.records.filter((r) => r.status === 'retry' || r.status === 'in-progress-elsewhere');
    const first = retry[0];
    const why = report.deadLetterFailure
      ? `a poison record could not be dead-lettered (${report.deadLetterFailure.message}), so the whole batch fails; `
      : '';
    super(
      `${why}${retry.length} of ${report.records.length} records must be retried (first: ${first ? `${first.topic}-${first.partition}@${first.offset}: ${first.error ?? first.status}` : 'none'}); the batch will be delivered again and completed records skipped.`,
      true,
      report.deadLetterFailure ? { cause: report.deadLetterFailure } : {},
    );
    this.name = 'BatchRetryError';
    this.report = report;
  }
}

/**
 * Validates an envelope's `data` with a schema; a violation is a permanent {@link InvalidRecordError}
 * naming the event and the fields at fault.
 *
 * @example
 * ```ts
 * const data = parseData(SpellcheckRequested, envelope); // typed
 * ```
 */
export function parseData<S extends z.ZodType>(schema: S, envelope: EventEnvelope): z.infer<S> {
  const parsed = schema.safeParse(envelope.data);
  if (parsed.success) return parsed.data;
  throw new InvalidRecordError(
    `Event ${clip(envelope.event_id)} (${envelope.event_type}) has invalid data: ${describeIssues(parsed.error)}. Fix the producer; the record was dead-lettered.`,
  );
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
 * export const handler = createKafkaHandler({
 *   idempotency: new Idempotency({ service: 'spellchecker', tableName }),
 *   routes: { 'huleedu.essay.spellcheck.requested.v1': async (envelope) => check(envelope.data) },
 *   deadLetter: deadLetterSinkFor(dlqUrl),
 *   partialBatchResponse: true,
 * });
 * ```
 */
export function createKafkaHandler(options: KafkaHandlerOptions): KafkaHandler {
  const idem = options.idempotency;
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
  const limits: InputLimits = { ...DEFAULT_INPUT_LIMITS };
  for (const [name, value] of Object.entries(options.limits ?? {})) {
    if (!Object.hasOwn(DEFAULT_INPUT_LIMITS, name)) {
      throw new TypeError(
        `Option limits.${name} is not a limit; use ${Object.keys(DEFAULT_INPUT_LIMITS).join(', ')}.`,
      );
    }
    (limits as unknown as Record<string, number>)[name] = integerOption(`limits.${name}`, value, { min: 1 });
  }
  // A Map, never a property lookup: the event type is the record's content (`constructor`, say).
  const routes = new Map(Object.entries(options.routes));
  const knownTypes = [...routes.keys()];
  if (knownTypes.length === 0)
    throw new TypeError('Option routes must map at least one event type to a handler.');

  const route: EventHandler<unknown> = async (envelope, info) => {
    const handler = routes.get(envelope.event_type);
    if (!handler) {
      throw new InvalidRecordError(
        `Unknown event type ${envelope.event_type} for service ${idem.service} (event ${clip(envelope.event_id)}); this consumer handles ${knownTypes.join(', ')}. Route the topic elsewhere or add a handler.`,
      );
    }
    return handler(envelope, info);
  };

  const process = async (event: MSKEvent, context?: LambdaContextLike): Promise<BatchReport> => {
    const started = Date.now();
    try {
      const partitions = decodeMskEvent(event, limits);
      const batch = new BatchRun(idem, route, options.deadLetter, context, claimConcurrency);
      await batch.prepare(partitions);
      const order = [...partitions.keys()];
      await forEachLimited(order, partitionConcurrency, (key) => batch.runPartition(key));
      const report = await batch.finish(Date.now() - started);
      if (report.deadLetterFailure) {
        idem.logger.error('dead-letter sink unavailable; failing the whole batch so that it is retried', {
          action: 'batch-failed',
          error: describe(report.deadLetterFailure),
        });
      }
      idem.logger.info('batch processed', {
        action: 'batch',
        records: report.records.length,
        ...report.counts,
        batch_item_failures: report.batchItemFailures.length,
        duration_ms: report.durationMs,
      });
      return report;
    } finally {
      idem.publishMetrics();
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

interface Item {
  readonly record: BatchRecord;
  /** The decoded value; poison too when the key could not be computed from it. */
  readonly decoded: DecodedEvent;
  readonly key: IdempotencyKey;
  /** The first record of the batch with the same key, when this one repeats it. */
  readonly leader: Item | undefined;
  known: IdempotencyRecord | null | undefined;
  /** Settles with this record's durable outcome; followers wait on their leader's. */
  readonly final: Deferred<Outcome<unknown> | 'skipped'>;
  report: RecordReport | undefined;
}

interface Deferred<T> {
  readonly promise: Promise<T>;
  resolve(value: T | Promise<T>): void;
}

function deferred<T>(): Deferred<T> {
  let resolve: (value: T | Promise<T>) => void = () => {};
  const promise = new Promise<T>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

class BatchRun {
  private readonly partitions = new Map<string, Item[]>();
  private readonly pending: Promise<void>[] = [];
  /** The first dead-letter send that failed in this invocation, if any. */
  private deadLetterFailure: DeadLetterUnavailableError | undefined;

  constructor(
    private readonly idem: Idempotency,
    private readonly route: EventHandler<unknown>,
    private readonly deadLetter: DeadLetterSink,
    private readonly context: LambdaContextLike | undefined,
    private readonly claimConcurrency: number,
  ) {}

  async prepare(partitions: Map<string, BatchRecord[]>): Promise<void> {
    const leaders = new Map<string, Item>();
    for (const [partitionKey, records] of partitions) {
      const items: Item[] = records.map((record) => {
        const { decoded, key } = this.keyOf(record);
        const leader = leaders.get(key.id);
        const item: Item = {
          record,
          decoded,
          key,
          leader,
          known: undefined,
          final: deferred(),
          report: undefined,
        };
        if (!leader) leaders.set(key.id, item);
        return item;
      });
      this.partitions.set(partitionKey, items);
    }
    try {
      const found = await this.idem.store.getMany([...leaders.keys()]);
      for (const item of leaders.values()) item.known = found.get(item.key.id) ?? null;
    } catch (error) {
      // The pre-check is an optimisation: each claim still decides, and reports an outage itself.
      this.idem.logger.warn('batch pre-check failed; claiming record by record', {
        action: 'precheck-failed',
        error: describe(error),
      });
    }
  }

  async runPartition(partitionKey: string): Promise<void> {
    const items = this.partitions.get(partitionKey) ?? [];
    const claims = new Map<Item, Promise<ClaimStep>>();
    const limit = limiter(this.claimConcurrency);
    for (const item of items) {
      if (item.leader) continue;
      claims.set(
        item,
        limit(() => this.idem.claimStep(item.decoded, this.runOptions(item))),
      );
    }

    let stopped = false;
    for (const item of items) {
      if (stopped) {
        item.report = this.reportOf(item, 'skipped', undefined, undefined);
        item.final.resolve('skipped');
        continue;
      }
      const outcome = item.leader ? await this.follow(item, item.leader) : await this.lead(item, claims);
      if (outcome === 'retry') stopped = true;
    }

    // Release the claims taken ahead for records this invocation did not reach.
    await Promise.all(
      items
        .filter((item) => !item.leader && item.report?.status === 'skipped')
        .map(async (item) => {
          const step = await claims.get(item);
          if (step) await this.idem.abandon(step);
        }),
    );
  }

  async finish(durationMs: number): Promise<BatchReport> {
    await Promise.all(this.pending);
    const records: RecordReport[] = [];
    const counts: Record<RecordStatusInBatch, number> = {
      processed: 0,
      duplicate: 0,
      'in-progress-elsewhere': 0,
      failed: 0,
      retry: 0,
      skipped: 0,
    };
    const batchItemFailures: KafkaBatchResponse['batchItemFailures'] = [];
    for (const [partitionKey, items] of this.partitions) {
      let firstFailed: number | undefined;
      for (const item of items) {
        const report = item.report ?? this.reportOf(item, 'skipped', undefined, undefined);
        records.push(report);
        counts[report.status] += 1;
        const mustRetry =
          report.status === 'retry' ||
          report.status === 'in-progress-elsewhere' ||
          report.status === 'skipped';
        if (mustRetry && (firstFailed === undefined || report.offset < firstFailed))
          firstFailed = report.offset;
      }
      if (firstFailed !== undefined) {
        batchItemFailures.push({ itemIdentifier: { partition: partitionKey, offset: firstFailed } });
      }
    }
    return { records, counts, batchItemFailures, deadLetterFailure: this.deadLetterFailure, durationMs };
  }

  /** Runs a leader record; returns `retry` when its partition must stop. */
  private async lead(item: Item, claims: Map<Item, Promise<ClaimStep>>): Promise<'retry' | 'continue'> {
    const claim = claims.get(item);
    if (!claim) throw new Error('invariant: a leader record has a claim step');
    const step = await claim;
    if (step.kind === 'outcome') {
      item.final.resolve(step.outcome);
      item.report = this.reportOfOutcome(item, step.outcome);
      return mustStop(step.outcome) ? 'retry' : 'continue';
    }
    const { settled, pending } = await this.idem.execute(step, this.route, this.runOptions(item));
    item.final.resolve(settled);
    if (pending) {
      // A two-phase completion overlaps the next handler; it is awaited before the batch returns.
      this.pending.push(
        settled.then((outcome) => {
          item.report = this.reportOfOutcome(item, outcome);
        }),
      );
      return 'continue';
    }
    const outcome = await settled;
    item.report = this.reportOfOutcome(item, outcome);
    return mustStop(outcome) ? 'retry' : 'continue';
  }

  /** A record that repeats an earlier one of the batch takes that one's outcome. */
  private async follow(item: Item, leader: Item): Promise<'retry' | 'continue'> {
    // The leader is earlier in the batch's order, so its partition has reached it or stopped before it.
    const outcome = await leader.final.promise;
    if (outcome === 'skipped' || mustStop(outcome)) {
      const error =
        outcome === 'skipped' ? 'an earlier copy in this batch was not processed' : describeOutcome(outcome);
      item.report = this.reportOf(item, 'retry', error, undefined);
      item.final.resolve('skipped');
      return 'retry';
    }
    if (item.key.payloadHash !== leader.key.payloadHash) {
      // Same key, other payload: let the layer judge it against the stored record.
      const own = await this.idem.run(item.decoded, this.route, {
        ...this.runOptions(item),
        known: undefined,
      });
      item.report = this.reportOfOutcome(item, own);
      item.final.resolve(own);
      return mustStop(own) ? 'retry' : 'continue';
    }
    const result =
      outcome.status === 'processed' || outcome.status === 'duplicate' ? outcome.result : undefined;
    this.idem.metrics.addMetric(MetricName.DUPLICATE, 'Count', 1);
    item.report = this.reportOf(item, 'duplicate', undefined, result);
    item.final.resolve(outcome);
    return 'continue';
  }

  private runOptions(item: Item): RunOptions {
    return {
      key: item.key,
      ...(item.known !== undefined ? { known: item.known } : {}),
      ...(this.context ? { lambdaContext: this.context } : {}),
      deadLetter: (failure) => this.deadLetter.send(this.deadLetterEntry(item, failure)),
    };
  }

  private keyOf(record: BatchRecord): { decoded: DecodedEvent; key: IdempotencyKey } {
    try {
      return { decoded: record.decoded, key: this.idem.keyFor(record.decoded) };
    } catch (error) {
      // A custom key function that throws makes the record poison, keyed by its raw bytes.
      const decoded: DecodedEvent = {
        ok: false,
        raw: record.decoded.raw,
        eventType: record.decoded.ok ? record.decoded.envelope.event_type : undefined,
        coordinates: record.coordinates,
        error: new InvalidRecordError(`Cannot compute the idempotency key: ${describe(error)}`, {
          cause: error,
        }),
      };
      return { decoded, key: this.idem.keyFor(decoded) };
    }
  }

  private deadLetterEntry(item: Item, failure: PermanentFailure): DeadLetterEntry {
    const envelope = item.decoded.ok ? item.decoded.envelope : undefined;
    const error = failure.error;
    return {
      service: this.idem.service,
      idempotency_key: failure.key.id,
      event_type: envelope?.event_type ?? (item.decoded.ok ? undefined : item.decoded.eventType),
      event_id: envelope?.event_id,
      correlation_id: envelope?.correlation_id,
      coordinates: item.record.coordinates,
      error: {
        name: error instanceof Error ? error.name : 'Error',
        message: error instanceof Error ? error.message : String(error),
      },
      record: item.record.received,
      failed_at: new Date(this.idem.clock.now()).toISOString(),
    };
  }

  private reportOfOutcome(item: Item, outcome: Outcome<unknown>): RecordReport {
    if (outcome.status === 'retry' && outcome.error instanceof DeadLetterUnavailableError) {
      this.deadLetterFailure ??= outcome.error;
    }
    const error = 'error' in outcome ? describe(outcome.error) : undefined;
    const result =
      outcome.status === 'processed' || outcome.status === 'duplicate' ? outcome.result : undefined;
    return this.reportOf(item, outcome.status, error, result);
  }

  private reportOf(
    item: Item,
    status: RecordStatusInBatch,
    error: string | undefined,
    result: unknown,
  ): RecordReport {
    const decoded = item.decoded;
    return {
      topic: item.record.coordinates.topic,
      partition: item.record.coordinates.partition,
      offset: item.record.coordinates.offset,
      status,
      idempotencyKey: item.key.id,
      eventType: decoded.ok ? decoded.envelope.event_type : decoded.eventType,
      eventId: decoded.ok ? decoded.envelope.event_id : undefined,
      inBatchDuplicate: item.leader !== undefined,
      error,
      result,
    };
  }
}

function mustStop(outcome: Outcome<unknown>): boolean {
  return outcome.status === 'retry' || outcome.status === 'in-progress-elsewhere';
}

function describeOutcome(outcome: Outcome<unknown>): string {
  return 'error' in outcome ? describe(outcome.error) : outcome.status;
}

function limiter(concurrency: number): <T>(task: () => Promise<T>) => Promise<T> {
  let active = 0;
  const queue: (() => void)[] = [];
  const next = () => {
    active -= 1;
    queue.shift()?.();
  };
  return (task) =>
    new Promise((resolve, reject) => {
      const start = () => {
        active += 1;
        task().then(resolve, reject).finally(next);
      };
      if (active < concurrency) start();
      else queue.push(start);
    });
}

async function forEachLimited<T>(
  items: readonly T[],
  concurrency: number,
  fn: (item: T) => Promise<void>,
): Promise<void> {
  const limit = limiter(concurrency);
  await Promise.all(items.map((item) => limit(() => fn(item))));
}
