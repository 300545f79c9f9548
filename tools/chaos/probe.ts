/**
 * The worker's instrument: one SDK middleware inside the retry loop of the consumer's DynamoDB
 * client that sees every HTTP attempt, says what it is (claim, effect, completion, ...), injects
 * the delivery's faults (throttling, lost responses, a store call failing after all retries, a slow
 * effect), kills the process at the delivery's kill point, and keeps the counters the driver
 * reports: requests, takeovers, claim-to-completion latencies, and the effects still waiting for
 * their completion (the two-phase window).
 */
import { writeFileSync } from 'node:fs';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { RecordStatus } from '../../shared/internal';
import {
  type BlackBoxEntry,
  type DeliveryStats,
  emptyStats,
  type FaultPlan,
  type Job,
  type KillPoint,
} from './protocol';
import { Random } from './random';
import { WindowBook } from './windows';

/** What one request is, from the chaos run's point of view. */
export type RequestKind =
  | 'precheck'
  | 'claim'
  | 'complete'
  | 'release'
  | 'fail'
  | 'effect'
  | 'effect+complete'
  | 'business-read'
  | 'business-write'
  | 'other';

/** Table names the probe tells apart. */
export interface ProbeTables {
  readonly idempotency: string;
  /** The consumers' own tables. */
  readonly business: readonly string[];
  readonly ledger: string;
}

/** A classified request. */
export interface RequestInfo {
  readonly kind: RequestKind;
  /** Idempotency key (claim, complete, release, fail, effect+complete). */
  readonly key?: string | undefined;
  /** `event_id` written by a claim. */
  readonly eventId?: string | undefined;
  /** `topic-partition@offset` written by a claim. */
  readonly coordinates?: string | undefined;
  /** Owner token written by a claim. */
  readonly owner?: string | undefined;
  /** Ledger execution id (a ledgered effect). */
  readonly execId?: string | undefined;
  /** Business id of a ledgered effect (the ledger item's partition key). */
  readonly businessId?: string | undefined;
  /** `ClientRequestToken` of a transaction. */
  readonly token?: string | undefined;
  /** A single-write commit: the transaction creates the record (no claim came first). */
  readonly singleWrite?: boolean | undefined;
}

type Marshalled = Record<string, unknown>;

/** A string or number attribute, marshalled (`{ S }`, `{ N }`) or native (the SDK hands back either). */
function str(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return String(value);
  if (typeof value !== 'object' || value === null) return undefined;
  const s = (value as { S?: unknown }).S;
  if (typeof s === 'string') return s;
  const n = (value as { N?: unknown }).N;
  return typeof n === 'string' ? n : undefined;
}

function record(value: unknown): Marshalled {
  return typeof value === 'object' && value !== null ? (value as Marshalled) : {};
}

function statusValues(values: Marshalled): Set<string> {
  const found = new Set<string>();
  for (const v of Object.values(values)) {
    const s = str(v);
    if (s !== undefined) found.add(s);
  }
  return found;
}

/**
 * Says what a low-level DynamoDB request is: a claim (a conditional update of the idempotency table
 * writing `processing`), a completion (writing `completed`), a release (a delete), a failure mark,
 * the batch pre-check, a ledgered effect (a transaction writing a ledger item), an effect committed
 * with its completion (a transaction that also updates the idempotency table), or a business read
 * or write. Judged from the request itself (table, operation, status values), not from the layer's
 * code, so that a change of expression names does not blind the run.
 *
 * @example
 * ```ts
 * classifyRequest('DeleteItem', { TableName: 'idem', Key: { id: { S: 'k' } } }, tables); // { kind: 'release', key: 'k' }
 * ```
 */
export function classifyRequest(operation: string, input: Marshalled, tables: ProbeTables): RequestInfo {
  const table = typeof input.TableName === 'string' ? input.TableName : undefined;
  if (operation === 'BatchGetItem') return { kind: 'precheck' };
  if (operation === 'TransactWriteItems') {
    const items = Array.isArray(input.TransactItems) ? input.TransactItems : [];
    const token = typeof input.ClientRequestToken === 'string' ? input.ClientRequestToken : undefined;
    let key: string | undefined;
    let execId: string | undefined;
    let businessId: string | undefined;
    let created: RequestInfo | undefined;
    for (const item of items) {
      for (const action of Object.values(record(item))) {
        const a = record(action);
        if (a.TableName === tables.idempotency) {
          key = str(record(a.Key).id);
          // Single-write mode: the record is created here, with the claim's context values.
          const values = record(a.ExpressionAttributeValues);
          if (values[':a_status'] !== undefined) created = claimContext(key, values);
        }
        if (a.TableName === tables.ledger) {
          const ledgerItem = record(a.Item);
          execId = str(ledgerItem.sk);
          businessId = str(ledgerItem.pk);
        }
      }
    }
    if (created !== undefined) return { ...created, kind: 'effect+complete', token, singleWrite: true };
    if (key !== undefined) return { kind: 'effect+complete', key, token };
    if (execId !== undefined) return { kind: 'effect', execId, businessId, token };
    return { kind: 'business-write', token };
  }
  if (table === tables.idempotency) {
    const key = str(record(input.Key).id);
    if (operation === 'DeleteItem') return { kind: 'release', key };
    if (operation === 'GetItem') return { kind: 'other', key };
    if (operation === 'UpdateItem' || operation === 'PutItem') {
      const values = record(input.ExpressionAttributeValues);
      const statuses = statusValues(values);
      if (statuses.has(RecordStatus.COMPLETED)) return { kind: 'complete', key };
      if (statuses.has(RecordStatus.FAILED)) return { kind: 'fail', key };
      return claimContext(key, values);
    }
    return { kind: 'other', key };
  }
  if (table !== undefined && tables.business.includes(table)) {
    if (operation === 'GetItem' || operation === 'Query' || operation === 'BatchGetItem') {
      return { kind: 'business-read' };
    }
    return { kind: 'business-write' };
  }
  return { kind: 'other' };
}

/**
 * The probe's count of single-write commits (transactions that created their record), among the
 * layer's metrics of a delivery: the chaos verdict checks the mode ran.
 */
export const SINGLE_WRITE_COMMITS = 'SingleWriteCommit';

/** A claim (or a single-write commit), with the event id, coordinates and owner it writes. */
function claimContext(key: string | undefined, values: Marshalled): RequestInfo {
  const topic = str(values[':a_topic']);
  const partition = str(values[':a_partition']);
  const offset = str(values[':a_offset']);
  const coordinates =
    topic !== undefined && partition !== undefined && offset !== undefined
      ? `${topic}-${partition}@${offset}`
      : undefined;
  return {
    kind: 'claim',
    key,
    eventId: str(values[':a_event_id']),
    coordinates,
    owner: str(values[':a_owner']),
  };
}

/** Options of {@link Probe}. */
export interface ProbeOptions {
  readonly tables: ProbeTables;
  /** File the worker writes its last words to before it kills itself. */
  readonly blackBoxPath: string;
  /** The worker's clock offset (ms); 0 for none. */
  readonly clockOffsetMs: number;
}

/**
 * Per-worker instrument; {@link Probe.begin} arms it for a delivery, {@link Probe.end} collects the
 * delivery's counters.
 *
 * @example
 * ```ts
 * const probe = new Probe({ tables, blackBoxPath, clockOffsetMs: 0 });
 * probe.attach(documentClient);
 * probe.begin(job);
 * await handler(job.event, context);
 * const stats = probe.end();
 * ```
 */
export class Probe {
  private stats: DeliveryStats = emptyStats();
  private job: Job | undefined;
  private faults: FaultPlan | undefined;
  private rng = new Random(1);
  private readonly byEventId = new Map<string, number>();
  private readonly byCoordinates = new Map<string, number>();
  private readonly byBusinessId = new Map<string, number>();
  private readonly byKey = new Map<string, number>();
  /** Owner token of this delivery's claim on each logical event. */
  private readonly ownerOf = new Map<number, string>();
  private readonly claimStarted = new Map<string, number>();
  private readonly windows = new WindowBook();
  private readonly seenExec = new Set<string>();
  private readonly seenTokens = new Set<string>();
  private readonly counts = new Map<string, number>();
  private stormLeft = 0;
  private slowPending = false;

  constructor(private readonly options: ProbeOptions) {}

  /** Arms the probe for one delivery. */
  begin(job: Job): void {
    this.stats = emptyStats();
    this.stats.clockOffsetMs = this.options.clockOffsetMs;
    this.job = job;
    this.faults = job.faults;
    this.rng = new Random(job.faults.seed);
    for (const map of [this.byEventId, this.byCoordinates, this.byBusinessId, this.byKey]) map.clear();
    this.ownerOf.clear();
    this.claimStarted.clear();
    this.windows.clear();
    this.seenExec.clear();
    this.seenTokens.clear();
    this.counts.clear();
    for (const r of job.records) {
      if (r.eventId !== undefined) this.byEventId.set(r.eventId, r.logicalId);
      this.byCoordinates.set(r.coordinates, r.logicalId);
      if (r.businessId !== undefined) this.byBusinessId.set(r.businessId, r.logicalId);
    }
    this.stormLeft = job.faults.storm?.attempts ?? 0;
    this.slowPending = job.faults.slowEffectMs !== undefined;
  }

  /** The delivery's counters, with the effects still waiting for their completion. */
  end(): DeliveryStats {
    this.stats.openWindows = this.windows.open();
    const stats = this.stats;
    this.job = undefined;
    return stats;
  }

  /** Counts a layer metric (the worker's metrics recorder forwards here). */
  metric(name: string, value: number): void {
    const m = this.stats.metrics;
    m[name] = (m[name] ?? 0) + value;
  }

  /** The fake Lambda's timeout: the worker dies as Lambda would kill it, leaving its black box. */
  timeout(): never {
    return this.die('timeout');
  }

  /** A kill point outside the SDK: fires when the delivery's plan names it. */
  checkpoint(point: KillPoint): void {
    this.maybeKill(point);
  }

  /** Adds the middleware to the client the consumer is given (inside the SDK's retry loop). */
  attach(client: DynamoDBDocumentClient): void {
    // The SDK's middleware generics are not exported usefully; these are the parts used here.
    type Args = { input?: unknown };
    type Next = (args: Args) => Promise<unknown>;
    const askCapacity = (next: Next) => async (args: Args) => {
      const input = record(args.input);
      if (typeof input.ReturnConsumedCapacity !== 'string') input.ReturnConsumedCapacity = 'TOTAL';
      return next(args);
    };
    const probe = (next: Next, context: { commandName?: string }) => async (args: Args) => {
      const operation = String(context.commandName ?? '').replace(/Command$/, '');
      return this.attempt(operation, record(args.input), () => next(args));
    };
    client.middlewareStack.add(askCapacity as never, {
      step: 'initialize',
      name: 'chaosConsumedCapacity',
      override: true,
    });
    client.middlewareStack.addRelativeTo(probe as never, {
      relation: 'after',
      toMiddleware: 'retryMiddleware',
      name: 'chaosProbe',
      override: true,
    });
  }

  private async attempt<T>(operation: string, input: Marshalled, send: () => Promise<T>): Promise<T> {
    const info = classifyRequest(operation, input, this.options.tables);
    if (!this.job) return send();
    const s = this.stats;
    s.requests[info.kind] = (s.requests[info.kind] ?? 0) + 1;
    s.operations[operation] = (s.operations[operation] ?? 0) + 1;
    const effectLike = info.kind === 'effect' || info.kind === 'effect+complete';
    const completeLike = info.kind === 'complete' || info.kind === 'effect+complete';

    // A single-write commit is the claim too (the record is created there): its kill points apply.
    if (info.singleWrite) this.maybeKill('before-claim');
    if (info.kind === 'claim') {
      this.maybeKill('before-claim');
      if (info.key !== undefined && !this.claimStarted.has(info.key)) {
        this.claimStarted.set(info.key, performance.now());
      }
    }
    this.storm(info);
    if (effectLike && this.slowPending && this.faults?.slowEffectMs !== undefined) {
      this.slowPending = false;
      this.fault('slow');
      await new Promise((r) => setTimeout(r, this.faults?.slowEffectMs ?? 0));
    }
    const roll = this.rng.next();
    const throttleRate = this.faults?.throttleRate ?? 0;
    if (roll < throttleRate) {
      this.fault('throttle');
      throw throttled(operation);
    }
    const drop = roll < throttleRate + (this.faults?.dropRate ?? 0);

    // A single-write commit names its event as a claim does: learn its key before it is judged.
    if (info.singleWrite) this.learn(info);
    const logicalId = this.logicalOf(info);
    if (info.kind === 'effect' && logicalId !== undefined && info.execId !== undefined) {
      this.windows.effectSent(logicalId, info.execId, this.ownerOf.get(logicalId));
    }
    if (info.kind === 'complete' && logicalId !== undefined) this.windows.completionSent(logicalId);

    if (effectLike && this.due('mid-effect')) {
      // The request goes out; the worker dies before its answer can arrive.
      const pending = send();
      pending.catch(() => undefined);
      await new Promise((r) => setTimeout(r, this.rng.int(0, 3)));
      this.die('mid-effect');
    }

    let result: T;
    try {
      result = await send();
    } catch (error) {
      const failure = { wroteNothing: wroteNothing(error) };
      if (info.kind === 'effect' && logicalId !== undefined && info.execId !== undefined) {
        this.windows.effectFailed(logicalId, info.execId, failure);
      }
      if (info.kind === 'complete' && logicalId !== undefined)
        this.windows.completionFailed(logicalId, failure);
      throw error;
    }
    this.capacity(result);

    if (info.kind === 'claim') this.claimed(info, result);
    if (info.kind === 'effect' && logicalId !== undefined && info.execId !== undefined) {
      this.windows.effectWritten(logicalId, info.execId);
      if (!this.seenExec.has(info.execId)) {
        this.seenExec.add(info.execId);
        s.effects[String(logicalId)] = (s.effects[String(logicalId)] ?? 0) + 1;
      }
    }
    if (info.kind === 'effect+complete' && logicalId !== undefined) {
      const token = info.token ?? `${info.key}`;
      if (!this.seenTokens.has(token)) {
        this.seenTokens.add(token);
        s.transactions[String(logicalId)] = (s.transactions[String(logicalId)] ?? 0) + 1;
        if (info.singleWrite) this.metric(SINGLE_WRITE_COMMITS, 1);
      }
    }
    if (completeLike && info.key !== undefined) {
      if (logicalId !== undefined) this.windows.completionWritten(logicalId);
      const started = this.claimStarted.get(info.key);
      if (started !== undefined) {
        s.latenciesMs.push(Math.round((performance.now() - started) * 10) / 10);
        this.claimStarted.delete(info.key);
      }
    }
    if (info.kind === 'claim' || info.singleWrite) this.maybeKill('after-claim');
    if (info.kind === 'effect' || info.kind === 'effect+complete') this.maybeKill('after-effect');
    if (completeLike) this.maybeKill('after-complete');

    if (drop) {
      this.fault('drop-response');
      throw Object.assign(
        new Error(`response lost after the request was executed (injected on ${operation})`),
        {
          name: 'TimeoutError',
          $metadata: {},
        },
      );
    }
    return result;
  }

  private claimed(info: RequestInfo, result: unknown): void {
    this.learn(info);
    const previous = record(record(record(result).output).Attributes);
    if (str(previous.status) === RecordStatus.PROCESSING) {
      this.stats.takeovers += 1;
      if (this.options.clockOffsetMs !== 0) this.stats.skewedTakeovers += 1;
    }
  }

  /** Maps a claimed (or single-write) key to its logical event, from the event id or coordinates it writes. */
  private learn(info: RequestInfo): void {
    const logicalId =
      (info.eventId !== undefined ? this.byEventId.get(info.eventId) : undefined) ??
      (info.coordinates !== undefined ? this.byCoordinates.get(info.coordinates) : undefined);
    if (info.key !== undefined && logicalId !== undefined) {
      this.byKey.set(info.key, logicalId);
      if (info.owner !== undefined) this.ownerOf.set(logicalId, info.owner);
    }
  }

  private logicalOf(info: RequestInfo): number | undefined {
    if (info.businessId !== undefined) return this.byBusinessId.get(info.businessId);
    if (info.key !== undefined) return this.byKey.get(info.key);
    return undefined;
  }

  private storm(info: RequestInfo): void {
    const storm = this.faults?.storm;
    if (!storm || this.stormLeft <= 0) return;
    const matches =
      storm.target === info.kind ||
      (storm.target === 'effect' && info.kind === 'effect+complete') ||
      (storm.target === 'complete' && info.kind === 'effect+complete');
    if (!matches) return;
    this.stormLeft -= 1;
    if (this.stormLeft === 0) this.fault(`storm:${storm.target}`);
    throw storm.fault === 'throttle' ? throttled(info.kind) : outage(info.kind);
  }

  private fault(kind: string): void {
    this.stats.faults[kind] = (this.stats.faults[kind] ?? 0) + 1;
  }

  private capacity(result: unknown): void {
    const consumed = record(record(result).output).ConsumedCapacity;
    const list = Array.isArray(consumed) ? consumed : consumed ? [consumed] : [];
    for (const c of list) {
      const units = Number(record(c).CapacityUnits ?? 0);
      if (Number.isFinite(units)) this.stats.capacityUnits += units;
    }
  }

  private due(point: KillPoint): boolean {
    const kill = this.faults?.kill;
    if (!kill || kill.point !== point) return false;
    const n = (this.counts.get(point) ?? 0) + 1;
    this.counts.set(point, n);
    return n === kill.nth;
  }

  private maybeKill(point: KillPoint): void {
    if (this.due(point)) this.die(point);
  }

  private die(point: KillPoint | 'timeout'): never {
    const job = this.job;
    if (job) {
      this.stats.openWindows = this.windows.open();
      const entry: BlackBoxEntry = { deliveryId: job.deliveryId, pid: process.pid, point, stats: this.stats };
      writeFileSync(this.options.blackBoxPath, `${JSON.stringify(entry)}\n`);
    }
    process.kill(process.pid, 'SIGKILL');
    throw new Error('unreachable: the worker was killed');
  }
}

function throttled(what: string): Error {
  return Object.assign(new Error(`Rate of requests exceeds the allowed throughput (injected on ${what})`), {
    name: 'ProvisionedThroughputExceededException',
    $fault: 'client',
    $metadata: { httpStatusCode: 400 },
  });
}

function outage(what: string): Error {
  return Object.assign(new Error(`connect ECONNREFUSED (injected outage on ${what})`), {
    name: 'Error',
    code: 'ECONNREFUSED',
    $metadata: {},
  });
}

/**
 * `true` for an error that proves this attempt wrote nothing: it never reached the engine (connection
 * refused, throttling injected before sending) or the engine refused it (throttled, condition
 * failed, transaction cancelled). A reset connection or a lost response proves nothing.
 */
function wroteNothing(error: unknown): boolean {
  const e = record(error);
  const code = typeof e.code === 'string' ? e.code : undefined;
  const name = typeof e.name === 'string' ? e.name : undefined;
  return (
    code === 'ECONNREFUSED' ||
    name === 'ProvisionedThroughputExceededException' ||
    name === 'TransactionCanceledException' ||
    name === 'ConditionalCheckFailedException'
  );
}
