import type { DeadLetterEntry, DeadLetterSink } from '../dead-letter';
import type { DecodedEvent } from '../envelope';
import { type DeadLetterUnavailableError, describe, InvalidRecordError } from '../errors';
import type { EventHandler } from '../event-handler';
import type { LambdaContextLike, PermanentFailure, RunOptions } from '../idempotency';
import type { BatchRecord } from '../kafka';
import type { IdempotencyKey } from '../keys';
import type { ClaimStep, Lifecycle } from '../lifecycle';
import type { Outcome } from '../outcome';
import type { IdempotencyRecord } from '../store';
import { limiter } from './limit';
import {
  type BatchReport,
  buildReport,
  deadLetterFailureOf,
  describeOutcome,
  mustStop,
  outcomeReport,
  type RecordReport,
  type ReportedRecord,
  recordReport,
  resultOf,
} from './report';

/** One record of the batch on its way. */
interface Item extends ReportedRecord {
  /** The first record of the batch with the same key, when this one repeats it. */
  readonly leader: Item | undefined;
  /** The pre-check's record: a record, `null` when known absent, `undefined` when not read. */
  known: IdempotencyRecord | null | undefined;
  /** Settles with this record's durable outcome; followers wait on their leader's. */
  readonly final: Deferred<Outcome<unknown> | 'skipped'>;
  report: RecordReport | undefined;
}

/** Whether a partition goes on after a record, or stops there (the rest come again). */
type Next = 'next' | 'stop';

/**
 * One invocation's batch, run partition by partition through the lifecycle: records of a partition
 * in offset order with their claims taken ahead, a repeated key following its first record, a
 * retryable failure stopping its partition; two-phase completions overlap the next handler and are
 * all durable before {@link finish} reports.
 *
 * @internal
 */
export class BatchRun {
  private readonly partitions = new Map<string, Item[]>();
  private readonly pending: Promise<void>[] = [];
  /** The first dead-letter send that failed in this invocation, if any. */
  private deadLetterFailure: DeadLetterUnavailableError | undefined;

  constructor(
    private readonly lifecycle: Lifecycle,
    private readonly route: EventHandler<unknown>,
    private readonly deadLetter: DeadLetterSink,
    private readonly context: LambdaContextLike | undefined,
    private readonly claimConcurrency: number,
  ) {}

  /** Keys every record once, finds the repeated keys, and reads the leaders' records in one go. */
  async prepare(partitions: ReadonlyMap<string, readonly BatchRecord[]>): Promise<void> {
    const leaders = new Map<string, Item>();
    for (const [partitionKey, records] of partitions) {
      const items: Item[] = records.map((record) => {
        const { decoded, key } = this.keyOf(record);
        const leader = leaders.get(key.id);
        const item: Item = {
          record,
          decoded,
          key,
          inBatchDuplicate: leader !== undefined,
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
    const found = await this.lifecycle.precheck([...leaders.keys()]);
    if (found) for (const item of leaders.values()) item.known = found.get(item.key.id) ?? null;
  }

  /** Runs one partition's records in offset order, stopping at the first that must come again. */
  async runPartition(partitionKey: string): Promise<void> {
    const items = this.partitions.get(partitionKey) ?? [];
    const claims = new Map<Item, Promise<ClaimStep>>();
    const limit = limiter(this.claimConcurrency);
    for (const item of items) {
      if (item.leader) continue;
      claims.set(
        item,
        limit(() => this.lifecycle.claim(item.decoded, this.runOptions(item))),
      );
    }

    let stopped = false;
    for (const item of items) {
      if (stopped) {
        item.report = recordReport(item, 'skipped', undefined, undefined);
        item.final.resolve('skipped');
        continue;
      }
      const next = item.leader ? await this.follow(item, item.leader) : await this.lead(item, claims);
      if (next === 'stop') stopped = true;
    }

    // Settle the records this invocation did not reach, releasing the claims taken ahead for them.
    await Promise.all(
      items
        .filter((item) => item.report?.status === 'skipped')
        .map(async (item) => {
          const step = await claims.get(item);
          if (step) await this.lifecycle.abandon(step);
          else this.lifecycle.settleCopy(item.decoded, item.key, { status: 'skipped' });
        }),
    );
  }

  /** The report, once every completion in flight is durable. */
  async finish(durationMs: number): Promise<BatchReport> {
    await Promise.all(this.pending);
    const lines = new Map<string, RecordReport[]>();
    for (const [partitionKey, items] of this.partitions) {
      lines.set(
        partitionKey,
        items.map((item) => item.report ?? recordReport(item, 'skipped', undefined, undefined)),
      );
    }
    return buildReport(lines, this.deadLetterFailure, durationMs);
  }

  /** Runs a leader record: its claim, taken ahead, then its handler. */
  private async lead(item: Item, claims: Map<Item, Promise<ClaimStep>>): Promise<Next> {
    const claim = claims.get(item);
    if (!claim) throw new Error('invariant: a leader record has a claim step');
    const { settled, pending } = await this.lifecycle.execute(await claim, this.route, this.runOptions(item));
    item.final.resolve(settled);
    if (pending) {
      // A two-phase completion overlaps the next handler; it is awaited before the batch returns.
      this.pending.push(
        settled.then((outcome) => {
          item.report = this.reportOf(item, outcome);
        }),
      );
      return 'next';
    }
    const outcome = await settled;
    item.report = this.reportOf(item, outcome);
    return mustStop(outcome) ? 'stop' : 'next';
  }

  /** A record that repeats an earlier one of the batch takes that one's outcome. */
  private async follow(item: Item, leader: Item): Promise<Next> {
    // The leader is earlier in the batch's order, so its partition has reached it or stopped before it.
    const outcome = await leader.final.promise;
    if (outcome === 'skipped' || mustStop(outcome)) {
      const reason =
        outcome === 'skipped' ? 'an earlier copy in this batch was not processed' : describeOutcome(outcome);
      this.lifecycle.settleCopy(item.decoded, item.key, { status: 'retry', reason });
      item.report = recordReport(item, 'retry', reason, undefined);
      item.final.resolve('skipped');
      return 'stop';
    }
    if (item.key.payloadHash !== leader.key.payloadHash) {
      // Same key, other payload: let the layer judge it against the stored record.
      const own = await this.lifecycle.run(item.decoded, this.route, {
        ...this.runOptions(item),
        known: undefined,
      });
      item.report = this.reportOf(item, own);
      item.final.resolve(own);
      return mustStop(own) ? 'stop' : 'next';
    }
    this.lifecycle.settleCopy(item.decoded, item.key, { status: 'duplicate' });
    item.report = recordReport(item, 'duplicate', undefined, resultOf(outcome));
    item.final.resolve(outcome);
    return 'next';
  }

  private runOptions(item: Item): RunOptions {
    return {
      key: item.key,
      ...(item.known !== undefined ? { known: item.known } : {}),
      ...(this.context ? { lambdaContext: this.context } : {}),
      deadLetter: (failure) => this.deadLetter.send(deadLetterEntry(this.lifecycle.service, item, failure)),
    };
  }

  /** The record's key, computed once; a custom key function that throws makes the record poison. */
  private keyOf(record: BatchRecord): { decoded: DecodedEvent; key: IdempotencyKey } {
    try {
      return { decoded: record.decoded, key: this.lifecycle.keyFor(record.decoded) };
    } catch (error) {
      // Poison keyed by its raw bytes.
      const decoded: DecodedEvent = {
        ok: false,
        raw: record.decoded.raw,
        eventType: record.decoded.ok ? record.decoded.envelope.event_type : undefined,
        coordinates: record.coordinates,
        error: new InvalidRecordError(`Cannot compute the idempotency key: ${describe(error)}`, {
          cause: error,
        }),
      };
      return { decoded, key: this.lifecycle.keyFor(decoded) };
    }
  }

  private reportOf(item: Item, outcome: Outcome<unknown>): RecordReport {
    this.deadLetterFailure ??= deadLetterFailureOf(outcome);
    return outcomeReport(item, outcome);
  }
}

/** The dead letter of a record: who failed it, why, and the record as received. */
function deadLetterEntry(service: string, item: Item, failure: PermanentFailure): DeadLetterEntry {
  const { decoded, record } = item;
  const envelope = decoded.ok ? decoded.envelope : undefined;
  const error = failure.error;
  return {
    service,
    idempotency_key: failure.key.id,
    event_type: envelope?.event_type ?? (decoded.ok ? undefined : decoded.eventType),
    event_id: envelope?.event_id,
    correlation_id: envelope?.correlation_id,
    coordinates: record.coordinates,
    error: {
      name: error instanceof Error ? error.name : 'Error',
      message: error instanceof Error ? error.message : String(error),
    },
    record: record.received,
    failed_at: new Date(failure.failedAt).toISOString(),
    ...(failure.owner !== undefined ? { owner: failure.owner } : {}),
  };
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
