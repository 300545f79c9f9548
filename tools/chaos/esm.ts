/**
 * The event source mapping as the chaos driver plays it, without any I/O: which offsets go into
 * the next delivery, and where each partition resumes after the delivery returns, throws, or its
 * worker dies. Lambda's Kafka ESM semantics (DESIGN.md §2):
 * - within a partition, records go out in offset order and one delivery at a time;
 * - partitions run concurrently; one delivery may carry several partitions;
 * - an error (or a dead worker) delivers the same offsets again;
 * - with `ReportBatchItemFailures`, each partition resumes from the first failed offset reported.
 */

/** Offsets `[from, to)` of one partition in a delivery. */
export interface Slice {
  readonly partition: number;
  readonly from: number;
  readonly to: number;
}

/** One invocation the mapping wants to make. */
export interface DeliveryPlan {
  readonly id: number;
  readonly topic: string;
  readonly slices: readonly Slice[];
  /** 1 on a first try; n when a partition of this delivery failed n - 1 times in a row. */
  readonly attempt: number;
}

/** What came back from an invocation, as the event source mapping sees it. */
export type DeliveryResult =
  | {
      readonly kind: 'returned';
      /** The partial batch response's failures (ignored without `ReportBatchItemFailures`). */
      readonly batchItemFailures: readonly {
        readonly itemIdentifier: { readonly partition: string; readonly offset: number };
      }[];
    }
  | { readonly kind: 'threw' }
  | { readonly kind: 'died' };

/** What settling a delivery did. */
export interface SettleOutcome {
  /** Records committed by this delivery. */
  readonly committed: number;
  /** Slices that will be delivered again, from their first uncommitted offset. */
  readonly retried: readonly Slice[];
  /** Responses the mapping could not honour as they were (they are logged, and judged by the audit). */
  readonly anomalies: readonly string[];
}

/** Options of {@link EventSourceMapping}. */
export interface EventSourceMappingOptions {
  readonly topic: string;
  /** Records in each partition, indexed by partition number. */
  readonly partitionLengths: readonly number[];
  /** Most records in one delivery. */
  readonly batchSize: number;
  /** Most partitions in one delivery. */
  readonly partitionsPerBatch: number;
  /** `ReportBatchItemFailures` on the mapping. */
  readonly partialBatchResponse: boolean;
  /**
   * Wait before a partition is delivered again after `failures` failures in a row.
   * @default 100 ms doubling, at most 1000 ms
   */
  readonly backoffMs?: (failures: number) => number;
  /**
   * Failures in a row after which a partition is abandoned (its remaining records are lost).
   * @default 2000
   */
  readonly maxFailures?: number;
}

interface PartitionState {
  readonly partition: number;
  readonly length: number;
  committed: number;
  inFlight: boolean;
  failures: number;
  readyAt: number;
  abandoned: boolean;
}

/**
 * The offset bookkeeping of one topic's event source mapping.
 *
 * @example
 * ```ts
 * const esm = new EventSourceMapping({ topic: 't', partitionLengths: [30, 30], batchSize: 10, partitionsPerBatch: 2, partialBatchResponse: true });
 * const plan = esm.next(Date.now());
 * if (plan) esm.settle(plan, { kind: 'returned', batchItemFailures: [] }, Date.now());
 * ```
 */
export class EventSourceMapping {
  readonly topic: string;
  private readonly partitions: PartitionState[];
  private readonly options: EventSourceMappingOptions;
  private readonly inFlight = new Map<number, DeliveryPlan>();
  private nextId = 1;
  private cursor = 0;

  constructor(options: EventSourceMappingOptions) {
    for (const [name, value] of [
      ['batchSize', options.batchSize],
      ['partitionsPerBatch', options.partitionsPerBatch],
    ] as const) {
      if (!Number.isInteger(value) || value < 1) {
        throw new TypeError(`Option ${name} must be an integer >= 1, got ${value}.`);
      }
    }
    this.topic = options.topic;
    this.options = options;
    this.partitions = options.partitionLengths.map((length, partition) => ({
      partition,
      length,
      committed: 0,
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

  /** Deliveries in flight. */
  get deliveriesInFlight(): number {
    return this.inFlight.size;
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
   * The next delivery: up to `partitionsPerBatch` idle partitions with records and no backoff
   * pending (taken round-robin), each contributing its next offsets in order. Marks them in flight.
   */
  next(now: number): DeliveryPlan | undefined {
    const ready: PartitionState[] = [];
    const count = this.partitions.length;
    for (let i = 0; i < count && ready.length < this.options.partitionsPerBatch; i++) {
      const p = this.partitions[(this.cursor + i) % count];
      if (!p || p.inFlight || p.abandoned || p.committed >= p.length || p.readyAt > now) continue;
      ready.push(p);
    }
    if (ready.length === 0) return undefined;
    this.cursor = ((ready[ready.length - 1]?.partition ?? 0) + 1) % count;
    const perSlice = Math.max(1, Math.ceil(this.options.batchSize / ready.length));
    let budget = this.options.batchSize;
    const slices: Slice[] = [];
    for (const p of ready) {
      const take = Math.min(perSlice, budget, p.length - p.committed);
      if (take <= 0) continue;
      slices.push({ partition: p.partition, from: p.committed, to: p.committed + take });
      budget -= take;
      p.inFlight = true;
    }
    const attempt = 1 + Math.max(...ready.map((p) => p.failures));
    const plan: DeliveryPlan = { id: this.nextId++, topic: this.topic, slices, attempt };
    this.inFlight.set(plan.id, plan);
    return plan;
  }

  /** Applies an invocation's result: advances, or schedules the offsets to be delivered again. */
  settle(plan: DeliveryPlan, result: DeliveryResult, now: number): SettleOutcome {
    if (!this.inFlight.delete(plan.id)) {
      throw new Error(`Delivery ${plan.id} of ${this.topic} is not in flight (settled twice?).`);
    }
    const anomalies: string[] = [];
    const resumeAt = new Map<number, number>();
    if (result.kind === 'returned') {
      const failures = result.batchItemFailures;
      if (!this.options.partialBatchResponse) {
        if (failures.length > 0) {
          anomalies.push(
            `delivery ${plan.id}: the handler returned ${failures.length} batchItemFailures but the mapping has no ReportBatchItemFailures; ignored, as Lambda does`,
          );
        }
      } else {
        for (const failure of failures) {
          const partition = this.partitionOf(failure.itemIdentifier.partition);
          const slice = plan.slices.find((s) => s.partition === partition);
          const offset = failure.itemIdentifier.offset;
          if (!slice || !Number.isInteger(offset) || offset < slice.from || offset >= slice.to) {
            anomalies.push(
              `delivery ${plan.id}: batchItemFailure ${failure.itemIdentifier.partition}@${offset} is not an offset of this delivery; the whole delivery is retried`,
            );
            for (const s of plan.slices) resumeAt.set(s.partition, s.from);
            break;
          }
          resumeAt.set(partition, Math.min(resumeAt.get(partition) ?? offset, offset));
        }
      }
    } else {
      for (const s of plan.slices) resumeAt.set(s.partition, s.from);
    }

    let committed = 0;
    const retried: Slice[] = [];
    for (const slice of plan.slices) {
      const p = this.state(slice.partition);
      p.inFlight = false;
      const resume = resumeAt.get(slice.partition);
      if (resume === undefined) {
        committed += slice.to - p.committed;
        p.committed = slice.to;
        p.failures = 0;
        p.readyAt = now;
        continue;
      }
      committed += resume - p.committed;
      const progressed = resume > p.committed;
      p.committed = resume;
      p.failures = progressed ? 1 : p.failures + 1;
      p.readyAt = now + this.backoff(p.failures);
      if (p.failures >= (this.options.maxFailures ?? 2000)) p.abandoned = true;
      retried.push({ partition: slice.partition, from: resume, to: slice.to });
    }
    return { committed, retried, anomalies };
  }

  private backoff(failures: number): number {
    return this.options.backoffMs
      ? this.options.backoffMs(failures)
      : Math.min(1000, 100 * 2 ** Math.max(0, failures - 1));
  }

  private partitionOf(name: string): number {
    const prefix = `${this.topic}-`;
    if (!name.startsWith(prefix)) return -1;
    const n = Number(name.slice(prefix.length));
    return Number.isInteger(n) ? n : -1;
  }

  private state(partition: number): PartitionState {
    const p = this.partitions[partition];
    if (!p) throw new RangeError(`Partition ${partition} does not exist on ${this.topic}.`);
    return p;
  }
}
