/**
 * A chaos worker: one long-lived child process playing a Lambda execution environment. It builds
 * the consumers' real handlers once (cold start) on a DynamoDB client carrying the probe
 * middleware, then runs one delivery at a time as the driver sends them over IPC, with a fake
 * Lambda context whose remaining time counts down to the delivery's deadline. Started by the
 * driver with `child_process.fork` and tsx; not meant to be run by hand.
 */
import { appendFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ConsumerOptions } from '../../shared/internal';
import {
  type Clock,
  createDocumentClient,
  FileDeadLetterSink,
  type KafkaHandler,
  type LayerLogger,
  type LayerMetrics,
} from '../../shared/internal';
import { LOCAL_AWS } from '../testing/dynamodb-local';
import { CHAOS_CONSUMER_SPECS, CHAOS_TABLES, type ChaosConsumer, consumerEnv } from './consumers';
import { withLedger } from './ledger';
import { type ChaosConsumerName, SINGLE_WRITE_CONSUMERS } from './options';
import { Probe } from './probe';
import type { BatchItemFailure, DriverMessage, Job, WorkerMessage } from './protocol';

/** What the driver tells a worker at spawn time (environment variable `CHAOS_WORKER`). */
export interface WorkerSettings {
  readonly endpoint: string;
  /** Folder for dead letters, black boxes and logs. */
  readonly runDir: string;
  readonly leaseMarginMs: number;
  /** How long past its deadline a delivery may run before the worker kills itself (a Lambda timeout). */
  readonly timeoutGraceMs: number;
  /** Offset (ms) of this worker's clock; 0 for none. */
  readonly clockOffsetMs: number;
  readonly consumers: readonly ChaosConsumerName[];
  /** Run the consumers that have one in single-write mode (`SINGLE_WRITE_CONSUMERS`). */
  readonly singleWrite: boolean;
}

const started = performance.now();

function settings(): WorkerSettings {
  const raw = process.env.CHAOS_WORKER;
  if (raw === undefined)
    throw new Error('Environment variable CHAOS_WORKER is required (set by the chaos driver).');
  return JSON.parse(raw) as WorkerSettings;
}

function send(message: WorkerMessage): void {
  process.send?.(message);
}

class ProbeMetrics implements LayerMetrics {
  constructor(private readonly probe: Probe) {}
  addMetric(name: string, unit: 'Count' | 'Milliseconds', value: number): void {
    this.probe.metric(name, unit === 'Count' ? value : 1);
  }
  publishStoredMetrics(): void {}
}

/** Writes the layer's log lines (compact for `info`) to the worker's file, tagged with the delivery. */
class FileLogger implements LayerLogger {
  constructor(
    private readonly path: string,
    private readonly probe: Probe,
    private readonly delivery: () => string | undefined,
  ) {}
  debug(): void {}
  info(message: string, ...extra: Record<string, unknown>[]): void {
    const fields = Object.assign({}, ...extra) as Record<string, unknown>;
    const line = {
      t: Date.now(),
      d: this.delivery(),
      action: fields.action,
      idempotency_key: fields.idempotency_key,
      event_id: fields.event_id,
      ...(fields.action === 'batch' ? { message } : {}),
    };
    appendFileSync(this.path, `${JSON.stringify(line)}\n`);
  }
  warn(message: string, ...extra: Record<string, unknown>[]): void {
    this.write('warn', message, extra);
  }
  error(message: string, ...extra: Record<string, unknown>[]): void {
    this.write('error', message, extra);
  }
  private write(level: string, message: string, extra: Record<string, unknown>[]): void {
    const fields = Object.assign({}, ...extra) as Record<string, unknown>;
    this.probe.metric(`log:${String(fields.action ?? level)}`, 1);
    appendFileSync(
      this.path,
      `${JSON.stringify({ t: Date.now(), d: this.delivery(), level, message, ...fields })}\n`,
    );
  }
}

function main(): void {
  const s = settings();
  const pid = process.pid;
  const probe = new Probe({
    tables: {
      idempotency: CHAOS_TABLES.idempotency,
      business: s.consumers.map((name) => CHAOS_CONSUMER_SPECS[name].table),
      ledger: CHAOS_TABLES.ledger,
    },
    blackBoxPath: join(s.runDir, 'black-boxes', `${pid}.json`),
    clockOffsetMs: s.clockOffsetMs,
  });
  let current: Job | undefined;
  const base = createDocumentClient({ ...LOCAL_AWS, endpoint: s.endpoint });
  probe.attach(base);
  const clock: Clock = { now: () => Date.now() + s.clockOffsetMs };
  const logger = new FileLogger(
    join(s.runDir, 'logs', `worker-${pid}.log`),
    probe,
    () => current?.deliveryId,
  );
  const metrics = new ProbeMetrics(probe);

  const build = (consumer: ChaosConsumer): KafkaHandler => {
    const client =
      consumer.mode === 'two-phase'
        ? withLedger(base, {
            businessTable: consumer.table,
            ledgerTable: CHAOS_TABLES.ledger,
            identify: (item) => (typeof item.essay_id === 'string' ? item.essay_id : undefined),
            context: () => ({ delivery_id: current?.deliveryId ?? 'none', pid }),
            onUnledgered: () => probe.metric('unledgered-effect', 1),
          })
        : base;
    const deadLetterPath = join(s.runDir, 'dead-letters', `${consumer.name}-${pid}.jsonl`);
    const deps: Omit<ConsumerOptions, 'env'> = {
      client,
      clock,
      logger,
      metrics,
      deadLetter: new FileDeadLetterSink(deadLetterPath),
    };
    return consumer.create(
      consumerEnv(consumer, { endpoint: s.endpoint, deadLetterPath, leaseMarginMs: s.leaseMarginMs }),
      deps,
      s.singleWrite && SINGLE_WRITE_CONSUMERS.includes(consumer.name),
    );
  };
  const handlers = new Map<ChaosConsumerName, KafkaHandler>();
  for (const name of s.consumers) handlers.set(name, build(CHAOS_CONSUMER_SPECS[name]));

  const run = async (job: Job): Promise<void> => {
    const handler = handlers.get(job.consumer);
    if (!handler) throw new Error(`This worker has no handler for ${job.consumer}.`);
    current = job;
    probe.begin(job);
    const context = { getRemainingTimeInMillis: () => Math.max(0, job.deadline - Date.now()) };
    // Lambda kills the environment at its timeout; the worker does the same to itself.
    const timeout = setTimeout(
      () => probe.timeout(),
      Math.max(0, job.deadline - Date.now()) + s.timeoutGraceMs,
    );
    let outcome:
      | { kind: 'returned'; batchItemFailures: BatchItemFailure[] }
      | { kind: 'threw'; error: string };
    try {
      const response = await handler(job.event, context);
      outcome = { kind: 'returned', batchItemFailures: response?.batchItemFailures ?? [] };
    } catch (error) {
      outcome = {
        kind: 'threw',
        error: error instanceof Error ? `${error.name}: ${error.message}` : String(error),
      };
    }
    clearTimeout(timeout);
    probe.checkpoint('before-return');
    const stats = probe.end();
    current = undefined;
    send({ type: 'done', deliveryId: job.deliveryId, outcome, stats });
  };

  process.on('message', (message: DriverMessage) => {
    if (message.type === 'exit') {
      process.exit(0);
    }
    if (message.type === 'job') {
      run(message.job).catch((error: unknown) => {
        process.stderr.write(
          `chaos worker ${pid}: ${error instanceof Error ? error.stack : String(error)}\n`,
        );
        process.exit(70);
      });
    }
  });
  process.on('disconnect', () => process.exit(0));
  send({ type: 'ready', pid, startupMs: Math.round(performance.now() - started) });
}

main();
