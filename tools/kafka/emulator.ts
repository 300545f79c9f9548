/**
 * The event source mapping emulator: one per consumer and topic, reading the real local broker as
 * a member of the mapping's consumer group and invoking the function's esbuild bundle in worker
 * processes (`lambda-worker.ts`), one batch in flight per partition, partitions concurrently. The
 * rules (batching, the response, retries, bisect, discards) are `esm-rules.ts`; this module does
 * the I/O: the group reader, the workers and their timeout, the commits, the on-failure
 * destination.
 */
import { type ChildProcess, fork } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { appendFile, mkdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { TRIGGER_DEFAULTS } from '../../infra/lib/trigger-defaults';
import type { ConsumerManifest } from '../../shared/internal';
import { type ConsumedRecord, type GroupReader, openGroupReader } from './client';
import {
  type InvocationOutcome,
  type MappingOverrides,
  type MappingSettings,
  mappingSettings,
  nextBatch,
  type PlannedRange,
  payloadBytes,
  type SettlePlan,
  settle,
  takePlanned,
} from './esm-rules';

/** One invocation as the emulator reports it. */
export interface BatchLine {
  readonly service: string;
  readonly topic: string;
  readonly partition: number;
  readonly from: number;
  /** Last offset of the batch (inclusive). */
  readonly to: number;
  readonly attempt: number;
  readonly outcome: SettlePlan['outcome'];
  readonly reason?: string | undefined;
  /** The `batch processed` counts the function logged (processed, duplicate, ...), when it did. */
  readonly counts: Readonly<Record<string, number>>;
  /** The group's committed offset of the partition after this batch. */
  readonly committed: number;
  readonly durationMs: number;
}

/** Options of {@link EventSourceMappingEmulator}. */
export interface EmulatorOptions {
  readonly bootstrapServers: string;
  readonly manifest: Pick<ConsumerManifest, 'service' | 'topics'>;
  readonly topic: string;
  /** Path of the function's bundle (`index.js`); needed unless {@link EmulatorOptions.invoke} is given. */
  readonly bundle?: string;
  /** The function's environment (`functionEnv`). */
  readonly env?: Readonly<Record<string, string>>;
  /**
   * Invokes the function in place of the emulator's bundle workers (the chaos run's worker pool,
   * which injects its faults and enforces the timeout itself). Gets the event as the ESM builds it.
   */
  readonly invoke?: (batch: InvokeRequest) => Promise<InvocationOutcome>;
  /** Settings over `TRIGGER_DEFAULTS`. */
  readonly settings?: MappingOverrides;
  /** On-failure destination: `file://` (JSON Lines) or an SQS queue URL. */
  readonly onFailure: string;
  /** SQS endpoint for an SQS destination (LocalStack). */
  readonly sqsEndpoint?: string;
  /** Receives each batch. */
  readonly onBatch?: (line: BatchLine) => void;
  /** Receives the function's log lines. */
  readonly onFunctionLog?: (line: string) => void;
  /** Called before each invocation with the worker's process (tests kill it here). */
  readonly beforeInvoke?: (
    batch: { readonly partition: number; readonly from: number; readonly to: number },
    worker: ChildProcess,
  ) => void;
  /** `eventSourceArn` of the events. @default {@link LOCAL_CLUSTER_ARN} */
  readonly eventSourceArn?: string;
  /** Memory size reported in the context. @default TRIGGER_DEFAULTS.memorySize */
  readonly memoryMb?: number;
}

/** One invocation handed to {@link EmulatorOptions.invoke}. */
export interface InvokeRequest {
  readonly partition: number;
  /** Offsets `[from, to)`. */
  readonly from: number;
  readonly to: number;
  /** 1 on a first try. */
  readonly attempt: number;
  readonly records: readonly ConsumedRecord[];
  /** The event as the ESM builds it. */
  readonly event: unknown;
}

interface Buffered extends ConsumedRecord {
  readonly receivedAt: number;
  readonly bytes: number;
}

interface PartitionState {
  readonly partition: number;
  buffer: Buffered[];
  /** Next offset to deliver (the group's committed offset once commits land). */
  position: number | undefined;
  /** Offset the reader is expected to give next (records below are re-reads, dropped). */
  nextExpected: number | undefined;
  queue: PlannedRange[];
  inFlight: boolean;
  readyAt: number;
  committed: number;
  timer?: NodeJS.Timeout | undefined;
}

interface Worker {
  readonly process: ChildProcess;
  busy: boolean;
}

/**
 * The MSK cluster ARN the local events carry.
 *
 * @example
 * ```ts
 * event.eventSourceArn === LOCAL_CLUSTER_ARN;
 * ```
 */
export const LOCAL_CLUSTER_ARN =
  'arn:aws:kafka:us-east-1:000000000000:cluster/local-kafka/00000000-0000-0000-0000-000000000000-1';

const NOT_COUNTS = new Set(['records', 'duration_ms', 'batch_item_failures', 'sampling_rate']);

const WORKER = join(__dirname, 'lambda-worker.ts');

/**
 * One event source mapping on the local broker.
 *
 * @example
 * ```ts
 * const esm = new EventSourceMappingEmulator({ bootstrapServers, manifest, topic, bundle, env, onFailure: 'file:///tmp/dlq.jsonl' });
 * await esm.start();
 * await esm.drain(); // every record produced so far committed
 * await esm.stop();
 * ```
 */
export class EventSourceMappingEmulator {
  readonly settings: MappingSettings;
  private readonly options: EmulatorOptions;
  private reader: GroupReader | undefined;
  private readonly partitions = new Map<number, PartitionState>();
  private readonly workers: Worker[] = [];
  private stopped = false;
  private invocations = 0;
  private sqs: SQSClient | undefined;
  /** Records delivered to the function, over all invocations (retries included). */
  delivered = 0;
  /** Records committed past. */
  committedRecords = 0;
  /** Records sent to the on-failure destination. */
  discarded = 0;

  constructor(options: EmulatorOptions) {
    this.options = options;
    this.settings = mappingSettings(options.manifest, options.topic, options.settings);
    if (!options.invoke && options.bundle === undefined) {
      throw new TypeError('EventSourceMappingEmulator needs a bundle (or an invoke function).');
    }
  }

  /** Joins the group and starts delivering. */
  async start(): Promise<void> {
    await this.openReader();
  }

  private async openReader(): Promise<void> {
    const s = this.settings;
    this.reader = await openGroupReader({
      bootstrapServers: this.options.bootstrapServers,
      groupId: s.groupId,
      topic: s.topic,
      startingPosition:
        s.startingPosition === 'AT_TIMESTAMP'
          ? { kind: 'AT_TIMESTAMP', timestampMs: s.startingPositionTimestampMs ?? 0 }
          : { kind: s.startingPosition },
      onRecord: (record) => this.accept(record),
      onError: (error) => void this.reopen(error),
    });
  }

  /** The stream failed for good: read again from the group's committed offsets. */
  private async reopen(error: Error): Promise<void> {
    if (this.stopped) return;
    this.options.onFunctionLog?.(
      `[esm ${this.settings.groupId}] reader failed (${error.message}); reopening`,
    );
    const old = this.reader;
    this.reader = undefined;
    await old?.close();
    while (!this.stopped) {
      try {
        await this.openReader();
        return;
      } catch {
        await new Promise((r) => setTimeout(r, 500));
      }
    }
  }

  private state(partition: number): PartitionState {
    let p = this.partitions.get(partition);
    if (!p) {
      p = {
        partition,
        buffer: [],
        position: undefined,
        nextExpected: undefined,
        queue: [],
        inFlight: false,
        readyAt: 0,
        committed: -1,
      };
      this.partitions.set(partition, p);
    }
    return p;
  }

  private accept(record: ConsumedRecord): void {
    const p = this.state(record.partition);
    // A re-read after a reconnect gives records the buffer holds or delivered already.
    if (p.nextExpected !== undefined && record.offset < p.nextExpected) return;
    if (p.position === undefined) p.position = record.offset;
    p.nextExpected = record.offset + 1;
    p.buffer.push({ ...record, receivedAt: Date.now(), bytes: payloadBytes(record) });
    this.pump(p);
  }

  private pump(p: PartitionState): void {
    if (this.stopped || p.inFlight) return;
    const now = Date.now();
    if (p.readyAt > now) {
      this.wake(p, p.readyAt);
      return;
    }
    const head = p.queue[0];
    const decision = nextBatch(p.buffer, this.settings, now, head ? head.to - head.from : undefined);
    if (decision.kind === 'idle') return;
    if (decision.kind === 'wait') {
      this.wake(p, decision.untilMs);
      return;
    }
    const first = p.buffer[0];
    if (!first) return;
    const records = p.buffer.slice(0, decision.count);
    const last = records[records.length - 1] ?? first;
    const { range, queue } = takePlanned(p.queue, first.offset, last.offset + 1);
    p.queue = queue;
    p.inFlight = true;
    void this.deliver(p, range, records);
  }

  private wake(p: PartitionState, at: number): void {
    if (p.timer) return;
    p.timer = setTimeout(
      () => {
        p.timer = undefined;
        this.pump(p);
      },
      Math.max(1, at - Date.now()),
    );
  }

  private async deliver(p: PartitionState, range: PlannedRange, records: readonly Buffered[]): Promise<void> {
    const started = Date.now();
    const outcome = await this.invoke(p.partition, range, records);
    this.delivered += records.length;
    const oldest = Math.min(...records.map((r) => r.timestamp));
    const plan = settle({ ...range, partition: p.partition }, p.queue, outcome.outcome, this.settings, {
      now: Date.now(),
      oldestTimestamp: oldest,
    });
    if (plan.discard) {
      const discarded = records.filter(
        (r) => r.offset >= (plan.discard?.from ?? 0) && r.offset < (plan.discard?.to ?? 0),
      );
      await this.sendToDestination(
        p.partition,
        discarded,
        plan.discard.condition,
        plan.discard.attempts,
        outcome.outcome,
      );
      this.discarded += discarded.length;
    }
    const commitTo = plan.discard ? plan.discard.to : plan.commit;
    if (commitTo !== undefined) await this.commit(p, commitTo);
    p.queue = [...plan.queue];
    p.readyAt = Date.now() + plan.delayMs;
    p.inFlight = false;
    this.options.onBatch?.({
      service: this.settings.service,
      topic: this.settings.topic,
      partition: p.partition,
      from: range.from,
      to: range.to - 1,
      attempt: range.attempts + 1,
      outcome: plan.outcome,
      reason: plan.reason,
      counts: outcome.counts,
      committed: p.committed,
      durationMs: Date.now() - started,
    });
    this.pump(p);
  }

  private async commit(p: PartitionState, offset: number): Promise<void> {
    const before = p.buffer.length;
    p.buffer = p.buffer.filter((r) => r.offset >= offset);
    this.committedRecords += before - p.buffer.length;
    p.position = offset;
    // The broker may be down: the commit waits for it (the client retries the connection).
    for (;;) {
      try {
        if (!this.reader) throw new Error('no reader');
        await this.reader.commit(p.partition, offset);
        p.committed = offset;
        return;
      } catch {
        if (this.stopped) return;
        await new Promise((r) => setTimeout(r, 250));
      }
    }
  }

  private event(records: readonly Buffered[]): unknown {
    const group = `${this.settings.topic}-${records[0]?.partition ?? 0}`;
    // As an MSK mapping (the deployed kind) builds it: the cluster's ARN and its brokers.
    return {
      eventSource: 'aws:kafka',
      eventSourceArn: this.options.eventSourceArn ?? LOCAL_CLUSTER_ARN,
      bootstrapServers: this.options.bootstrapServers,
      records: {
        [group]: records.map((r) => ({
          topic: r.topic,
          partition: r.partition,
          offset: r.offset,
          timestamp: r.timestamp,
          timestampType: 'CREATE_TIME',
          ...(r.key !== null ? { key: r.key.toString('base64') } : {}),
          value: r.value === null ? null : r.value.toString('base64'),
          headers: r.headers.map(([name, value]) => ({ [name]: [...value] })),
        })),
      },
    };
  }

  private worker(): Worker {
    const idle = this.workers.find(
      (w) => !w.busy && w.process.exitCode === null && w.process.signalCode === null,
    );
    if (idle) return idle;
    const child = fork(WORKER, [this.options.bundle ?? ''], {
      env: { ...this.options.env },
      execArgv: ['--no-warnings'],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    const worker: Worker = { process: child, busy: false };
    // A pipe error of a killed worker is its exit's business (the invocation fails as crashed).
    child.on('error', () => undefined);
    this.workers.push(worker);
    child.once('exit', () => {
      const i = this.workers.indexOf(worker);
      if (i >= 0) this.workers.splice(i, 1);
    });
    return worker;
  }

  private invoke(
    partition: number,
    range: PlannedRange,
    records: readonly Buffered[],
  ): Promise<{ outcome: InvocationOutcome; counts: Record<string, number> }> {
    if (this.options.invoke) {
      const request: InvokeRequest = {
        partition,
        from: range.from,
        to: range.to,
        attempt: range.attempts + 1,
        records,
        event: this.event(records),
      };
      return this.options.invoke(request).then((outcome) => ({ outcome, counts: {} }));
    }
    const worker = this.worker();
    worker.busy = true;
    const id = ++this.invocations;
    const timeoutMs = this.settings.timeoutMs;
    const child = worker.process;
    return new Promise((resolve) => {
      let done = false;
      const finish = (outcome: InvocationOutcome, logs: readonly string[] = []): void => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        child.off('message', onMessage);
        child.off('exit', onExit);
        worker.busy = false;
        const counts: Record<string, number> = {};
        for (const line of logs) {
          this.options.onFunctionLog?.(line);
          const parsed = parseLine(line);
          if (parsed?.action === 'batch') {
            // Every outcome count of the line (processed, duplicate, in-progress-elsewhere, ...).
            for (const [key, n] of Object.entries(parsed)) {
              if (typeof n === 'number' && !NOT_COUNTS.has(key)) counts[key] = n;
            }
          }
        }
        resolve({ outcome, counts });
      };
      const onMessage = (message: {
        id?: number;
        ok?: boolean;
        response?: unknown;
        error?: { message: string };
        logs?: string[];
      }): void => {
        if (message.id !== id) return;
        finish(
          message.ok
            ? { kind: 'returned', response: message.response }
            : { kind: 'error', reason: 'threw', message: message.error?.message ?? 'error' },
          message.logs ?? [],
        );
      };
      const onExit = (code: number | null, signal: string | null): void =>
        finish({ kind: 'error', reason: 'crashed', message: `worker exited (${signal ?? code})` });
      // Lambda's timeout: the execution environment is stopped and the batch fails.
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        finish({ kind: 'error', reason: 'timeout', message: `Task timed out after ${timeoutMs} ms` });
      }, timeoutMs);
      child.on('message', onMessage);
      child.once('exit', onExit);
      this.options.beforeInvoke?.({ partition, from: range.from, to: range.to }, child);
      if (child.exitCode !== null || child.signalCode !== null || !child.connected) {
        finish({ kind: 'error', reason: 'crashed', message: 'worker not running' });
        return;
      }
      // A worker that died meanwhile fails the send (EPIPE): the batch failed as a crash.
      child.send(
        {
          id,
          event: this.event(records),
          deadline: Date.now() + timeoutMs,
          requestId: randomUUID(),
          functionName: this.settings.service,
          memoryMb: this.options.memoryMb ?? TRIGGER_DEFAULTS.memorySize,
        },
        (error) => {
          if (error)
            finish({ kind: 'error', reason: 'crashed', message: `worker unreachable (${error.message})` });
        },
      );
    });
  }

  /** The on-failure destination's metadata document, as the ESM sends it to SQS or SNS. */
  private async sendToDestination(
    partition: number,
    records: readonly Buffered[],
    condition: string,
    attempts: number,
    outcome: InvocationOutcome,
  ): Promise<void> {
    const first = records[0];
    const last = records[records.length - 1];
    if (!first || !last) return;
    const document = {
      requestContext: {
        requestId: randomUUID(),
        functionArn: `arn:aws:lambda:us-east-1:000000000000:function:${this.settings.service}`,
        condition,
        approximateInvokeCount: attempts,
      },
      responseContext: {
        statusCode: 200,
        executedVersion: '$LATEST',
        functionError: outcome.kind === 'error' ? 'Unhandled' : 'PartialBatchFailure',
      },
      version: '1.0',
      timestamp: new Date().toISOString(),
      KafkaBatchInfo: {
        batchSize: records.length,
        topic: this.settings.topic,
        bootstrapServers: this.options.bootstrapServers,
        payloadSize: records.reduce((sum, r) => sum + r.bytes, 0),
        recordsInfo: {
          [`${this.settings.topic}-${partition}`]: {
            firstRecordOffset: String(first.offset),
            lastRecordOffset: String(last.offset),
            firstRecordTimestamp: new Date(first.timestamp).toISOString(),
            lastRecordTimestamp: new Date(last.timestamp).toISOString(),
          },
        },
      },
    };
    const body = JSON.stringify(document);
    const url = this.options.onFailure;
    if (url.startsWith('file://')) {
      const path = fileURLToPath(url);
      await mkdir(dirname(path), { recursive: true });
      await appendFile(path, `${body}\n`, 'utf8');
      return;
    }
    this.sqs ??= new SQSClient({
      ...(this.options.sqsEndpoint ? { endpoint: this.options.sqsEndpoint } : {}),
    });
    await this.sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: body }));
  }

  /** The committed offset of each partition seen so far (-1 before the first commit). */
  committedOffsets(): Map<number, number> {
    return new Map([...this.partitions.values()].map((p) => [p.partition, p.committed]));
  }

  /** Resolves when nothing is buffered or in flight (checked every 50 ms) or `timeoutMs` passed. */
  async drain(timeoutMs = 60_000): Promise<boolean> {
    const until = Date.now() + timeoutMs;
    while (Date.now() < until) {
      const busy = [...this.partitions.values()].some(
        (p) => p.inFlight || p.buffer.length > 0 || p.queue.length > 0,
      );
      if (!busy) return true;
      await new Promise((r) => setTimeout(r, 50));
    }
    return false;
  }

  /**
   * Resolves `true` once every partition given has committed at least its offset (the end
   * offsets of what was produced), `false` after `timeoutMs`.
   */
  async waitCommitted(ends: ReadonlyMap<number, number>, timeoutMs = 60_000): Promise<boolean> {
    const until = Date.now() + timeoutMs;
    while (Date.now() < until) {
      if ([...ends].every(([partition, end]) => (this.partitions.get(partition)?.committed ?? -1) >= end))
        return true;
      await new Promise((r) => setTimeout(r, 50));
    }
    return false;
  }

  /** Leaves the group and stops the workers. */
  async stop(): Promise<void> {
    this.stopped = true;
    for (const p of this.partitions.values()) if (p.timer) clearTimeout(p.timer);
    await this.reader?.close();
    for (const w of this.workers) w.process.kill('SIGKILL');
    this.sqs?.destroy();
  }
}

function parseLine(line: string): Record<string, unknown> | undefined {
  if (!line.startsWith('{')) return undefined;
  try {
    const value: unknown = JSON.parse(line);
    return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}
