/**
 * The in-memory record source of the default chaos run: each topic's records sit in memory (no
 * broker), and the event source mapping's rules are the emulator's own (`tools/kafka/esm-rules.ts`:
 * the batcher, the response reader, the retry and bisect planner), so the chaos run and the local
 * emulator cannot drift. This module only keeps the offsets: one batch in flight per partition,
 * partitions concurrently (taken round-robin), each partition's committed offset and planned
 * ranges. `npm run chaos -- --broker kafka` reads the real broker through the emulator
 * (`tools/kafka/emulator.ts`) instead, with the same rules and {@link chaosMappingOverrides}.
 */
import {
  type InvocationOutcome,
  type MappingOverrides,
  type MappingSettings,
  mappingSettings,
  nextBatch,
  type PlannedRange,
  type SettlePlan,
  settle,
  takePlanned,
} from '../kafka/esm-rules';

/** One invocation the mapping wants to make: offsets `[from, to)` of one partition. */
export interface Delivery {
  readonly id: number;
  readonly topic: string;
  readonly partition: number;
  readonly from: number;
  readonly to: number;
  /** 1 on a first try; n when these records failed n - 1 times in a row. */
  readonly attempt: number;
  readonly range: PlannedRange;
}

/** What settling a delivery did. */
export interface SettleOutcome {
  readonly plan: SettlePlan;
  /** Responses the mapping could not honour as they were (logged, and judged by the audit). */
  readonly anomalies: readonly string[];
}

/** Options of {@link InMemoryMapping}. */
export interface InMemoryMappingOptions {
  readonly consumer: string;
  readonly topic: string;
  /** Records in each partition, indexed by partition number. */
  readonly partitionLengths: readonly number[];
  /** `payloadBytes` of a record, for the payload cap. @default 1024 */
  readonly recordBytes?: (partition: number, offset: number) => number;
  readonly batchSize: number;
  readonly reportBatchItemFailures: boolean;
  readonly timeoutMs: number;
  /**
   * Failures in a row after which a partition is abandoned (its remaining records are lost): the
   * chaos run's stall guard, not a rule of the mapping (the run retries without limit).
   * @default 2000
   */
  readonly maxFailures?: number;
}

interface PartitionState {
  readonly partition: number;
  readonly length: number;
  committed: number;
  queue: PlannedRange[];
  inFlight: boolean;
  failures: number;
  readyAt: number;
  abandoned: boolean;
}

/**
 * The chaos run's settings of a mapping: the construct's (`TRIGGER_DEFAULTS`, through
 * `mappingSettings`) with the run's batch size, timeout and partial batch response, no batching
 * window (every record is there from the start) and retries without limit (a chaos run may fail a
 * batch many times; nothing may be discarded).
 *
 * @example
 * ```ts
 * const s = chaosMappingSettings('spellchecker', 't', { batchSize: 10, reportBatchItemFailures: true, timeoutMs: 4000 });
 * s.retryAttempts; // -1
 * ```
 */
export function chaosMappingSettings(consumer: string, topic: string, o: ChaosMappingRun): MappingSettings {
  return mappingSettings({ service: consumer, topics: [topic] }, topic, chaosMappingOverrides(o));
}

/** What a chaos run sets of a mapping. */
export interface ChaosMappingRun {
  readonly batchSize: number;
  readonly reportBatchItemFailures: boolean;
  readonly timeoutMs: number;
}

/**
 * The overrides of {@link chaosMappingSettings}, for the emulator of `--broker kafka`.
 *
 * @example
 * ```ts
 * new EventSourceMappingEmulator({ ..., settings: chaosMappingOverrides({ batchSize: 10, reportBatchItemFailures: true, timeoutMs: 4000 }) });
 * ```
 */
export function chaosMappingOverrides(o: ChaosMappingRun): MappingOverrides {
  return {
    batchSize: o.batchSize,
    maxBatchingWindowMs: 0,
    retryAttempts: -1,
    maxRecordAgeSeconds: -1,
    reportBatchItemFailures: o.reportBatchItemFailures,
    timeoutMs: o.timeoutMs,
  };
}

/**
 * The offsets of one topic's mapping over records held in memory, with the emulator's rules.
 *
 * @example
 * ```ts
 * const esm = new InMemoryMapping({ consumer: 'c', topic: 't', partitionLengths: [30, 30], batchSize: 10, reportBatchItemFailures: true, timeoutMs: 4000 });
 * const d = esm.next(Date.now());
 * if (d) esm.settle(d, { kind: 'returned', response: { batchItemFailures: [] } }, Date.now(), Date.now());
 * ```
 */
export class InMemoryMapping {
  readonly topic: string;
  readonly settings: MappingSettings;
  private readonly partitions: PartitionState[];
  private readonly options: InMemoryMappingOptions;
  private readonly inFlight = new Map<number, Delivery>();
  private nextId = 1;
  private cursor = 0;

  constructor(options: InMemoryMappingOptions) {
    this.topic = options.topic;
    this.options = options;
    this.settings = chaosMappingSettings(options.consumer, options.topic, options);
    this.partitions = options.partitionLengths.map((length, partition) => ({
      partition,
      length,
      committed: 0,
      queue: [],
      inFlight: false,
      failures: 0,
      readyAt: 0,
      abandoned: false,
    }));
  }

  /** `true` when every partition is committed to its end (or abandoned) and nothing is in flight. */
  get done(): boolean {
    return this.inFlight.size === 0 && this.partitions.every((p) => p.abandoned || p.committed >= p.length);
  }

  /** Partitions given up after too many failures in a row. */
  get abandoned(): readonly number[] {
    return this.partitions.filter((p) => p.abandoned).map((p) => p.partition);
  }

  /** The committed offset (next offset to deliver) of a partition. */
  committed(partition: number): number {
    return this.state(partition).committed;
  }

  /** Records committed over all partitions. */
  get committedRecords(): number {
    return this.partitions.reduce((sum, p) => sum + Math.min(p.committed, p.length), 0);
  }

  /** Earliest time a waiting partition may be delivered again, if one is waiting on a backoff. */
  nextReadyAt(now: number): number | undefined {
    let earliest: number | undefined;
    for (const p of this.partitions) {
      if (p.inFlight || p.abandoned || p.committed >= p.length || p.readyAt <= now) continue;
      earliest = earliest === undefined ? p.readyAt : Math.min(earliest, p.readyAt);
    }
    return earliest;
  }

  /**
   * The next delivery: the next idle partition (round-robin) with records and no backoff pending,
   * its batch chosen by `nextBatch` (a planned range first: a retry or a bisected half).
   */
  next(now: number): Delivery | undefined {
    const count = this.partitions.length;
    for (let i = 0; i < count; i++) {
      const p = this.partitions[(this.cursor + i) % count];
      if (!p || p.inFlight || p.abandoned || p.committed >= p.length || p.readyAt > now) continue;
      const head = p.queue[0];
      const from = head ? head.from : p.committed;
      const limit = head ? head.to - head.from : undefined;
      const buffered = [];
      const end = Math.min(p.length, from + this.settings.batchSize);
      for (let offset = from; offset < end; offset++) {
        buffered.push({
          offset,
          bytes: this.options.recordBytes?.(p.partition, offset) ?? 1024,
          receivedAt: 0,
        });
      }
      const decision = nextBatch(buffered, this.settings, now, limit);
      if (decision.kind !== 'invoke') continue;
      const to = from + decision.count;
      const { range, queue } = takePlanned(p.queue, from, to);
      p.queue = queue;
      p.inFlight = true;
      this.cursor = (p.partition + 1) % count;
      const delivery: Delivery = {
        id: this.nextId++,
        topic: this.topic,
        partition: p.partition,
        from,
        to,
        attempt: p.failures + 1,
        range,
      };
      this.inFlight.set(delivery.id, delivery);
      return delivery;
    }
    return undefined;
  }

  /** Applies an invocation's outcome with the emulator's planner (`settle` of `esm-rules.ts`). */
  settle(
    delivery: Delivery,
    outcome: InvocationOutcome,
    now: number,
    oldestTimestamp: number,
  ): SettleOutcome {
    if (!this.inFlight.delete(delivery.id)) {
      throw new Error(`Delivery ${delivery.id} of ${this.topic} is not in flight (settled twice?).`);
    }
    const p = this.state(delivery.partition);
    const anomalies: string[] = [];
    if (outcome.kind === 'returned' && !this.settings.reportBatchItemFailures) {
      const failures = (outcome.response as { batchItemFailures?: unknown } | undefined)?.batchItemFailures;
      if (Array.isArray(failures) && failures.length > 0) {
        anomalies.push(
          `delivery ${delivery.id}: the handler returned ${failures.length} batchItemFailures but the mapping has no ReportBatchItemFailures; ignored, as Lambda does`,
        );
      }
    }
    const plan = settle({ ...delivery.range, partition: p.partition }, p.queue, outcome, this.settings, {
      now,
      oldestTimestamp,
    });
    if (plan.reason?.startsWith('invalid partial batch response')) {
      anomalies.push(`delivery ${delivery.id}: ${plan.reason}; the whole batch is retried`);
    }
    if (plan.discard) {
      // Retries are unlimited and records never age out in a chaos run: a discard is a defect.
      anomalies.push(
        `delivery ${delivery.id}: records ${plan.discard.from}..${plan.discard.to - 1} discarded (${plan.discard.condition})`,
      );
    }
    const commitTo = plan.discard ? plan.discard.to : plan.commit;
    const progressed = commitTo !== undefined && commitTo > p.committed;
    if (commitTo !== undefined) p.committed = Math.max(p.committed, commitTo);
    p.queue = [...plan.queue];
    p.inFlight = false;
    p.readyAt = now + plan.delayMs;
    if (plan.outcome === 'success' || plan.outcome === 'discarded') p.failures = 0;
    else p.failures = progressed ? 1 : p.failures + 1;
    if (p.failures >= (this.options.maxFailures ?? 2000)) p.abandoned = true;
    return { plan, anomalies };
  }

  private state(partition: number): PartitionState {
    const p = this.partitions[partition];
    if (!p) throw new RangeError(`Partition ${partition} does not exist on ${this.topic}.`);
    return p;
  }
}
