/**
 * A pool of long-lived worker processes (Lambda execution environments) that receive deliveries
 * over IPC, one at a time each. A worker that dies (killed at a kill point, by its timeout, or by
 * a crash) is replaced by a fresh process; its delivery is reported as died, so that the event
 * source mapping delivers it again, to whichever worker is idle next.
 */
import { type ChildProcess, fork } from 'node:child_process';
import { readFileSync } from 'node:fs';
import type { BlackBoxEntry, Job, WorkerMessage } from './protocol';

/** What became of a delivery handed to the pool. */
export type PoolOutcome =
  | {
      readonly kind: 'done';
      readonly pid: number;
      readonly message: Extract<WorkerMessage, { type: 'done' }>;
    }
  | {
      readonly kind: 'died';
      readonly pid: number;
      /** `killed`: the worker killed itself at a kill point (or its timeout) and left a black box; `lost`: it died otherwise. */
      readonly reason: 'killed' | 'lost';
      readonly signal: string | null;
      readonly code: number | null;
      readonly blackBox: BlackBoxEntry | undefined;
      /** The end of the worker's stderr, for a death without a black box. */
      readonly stderr: string;
    };

/** Options of {@link WorkerPool}. */
export interface WorkerPoolOptions {
  readonly size: number;
  /** The worker's entry file. */
  readonly workerFile: string;
  /** Node options of the workers (`['--import', 'tsx']` to run TypeScript directly). */
  readonly execArgv: readonly string[];
  /** Environment of the `index`-th worker's `generation`-th process. */
  readonly envFor: (index: number, generation: number) => NodeJS.ProcessEnv;
  /** The black box a worker writes before killing itself, by its pid. */
  readonly blackBoxPath: (pid: number) => string;
  /** How long past a delivery's deadline the driver waits before it kills a hung worker itself. */
  readonly hardKillAfterMs: number;
  /** Working directory of the workers (where `tsx` resolves). */
  readonly cwd: string;
}

interface Slot {
  readonly index: number;
  generation: number;
  child: ChildProcess | undefined;
  pid: number;
  ready: boolean;
  job: { job: Job; resolve: (outcome: PoolOutcome) => void; timer: NodeJS.Timeout } | undefined;
  stderr: string;
}

/**
 * The worker pool.
 *
 * @example
 * ```ts
 * const pool = new WorkerPool({ size: 4, workerFile, execArgv: [], envFor, blackBoxPath: (pid) => `.local/bb/${pid}.json`, hardKillAfterMs: 2000, cwd });
 * await pool.start();
 * const outcome = await pool.run(job); // when pool.idle > 0
 * await pool.close();
 * ```
 */
export class WorkerPool {
  /** Spawn-to-ready durations (ms) of every process started. */
  readonly startupMs: number[] = [];
  /** Processes started (initial and replacements). */
  spawns = 0;
  private readonly slots: Slot[];
  private closing = false;
  private readyWaiters: (() => void)[] = [];

  constructor(private readonly options: WorkerPoolOptions) {
    this.slots = Array.from({ length: options.size }, (_, index) => ({
      index,
      generation: 0,
      child: undefined,
      pid: 0,
      ready: false,
      job: undefined,
      stderr: '',
    }));
  }

  /** Starts every worker and waits until all are ready. */
  async start(): Promise<void> {
    await Promise.all(this.slots.map((slot) => this.spawn(slot)));
  }

  /** Workers ready and without a delivery. */
  get idle(): number {
    return this.slots.filter((s) => s.ready && !s.job).length;
  }

  /** Resolves when a worker becomes ready or idle (or after `ms`). */
  waitForChange(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, ms);
      this.readyWaiters.push(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  /** Hands a delivery to an idle worker; resolves with its response or its death. */
  run(job: Job): Promise<PoolOutcome> {
    const slot = this.slots.find((s) => s.ready && !s.job);
    const child = slot?.child;
    if (!slot || !child) throw new Error('WorkerPool.run needs an idle worker; check pool.idle first.');
    return new Promise<PoolOutcome>((resolve) => {
      const wait = Math.max(0, job.deadline - Date.now()) + this.options.hardKillAfterMs;
      const timer = setTimeout(() => child.kill('SIGKILL'), wait);
      slot.job = { job, resolve, timer };
      child.send({ type: 'job', job });
    });
  }

  /** Stops every worker. */
  async close(): Promise<void> {
    this.closing = true;
    await Promise.all(
      this.slots.map(
        (slot) =>
          new Promise<void>((resolve) => {
            const child = slot.child;
            if (!child || child.exitCode !== null || child.signalCode !== null) return resolve();
            child.once('exit', () => resolve());
            child.kill('SIGKILL');
          }),
      ),
    );
  }

  private notify(): void {
    const waiters = this.readyWaiters;
    this.readyWaiters = [];
    for (const w of waiters) w();
  }

  private spawn(slot: Slot): Promise<void> {
    slot.generation += 1;
    slot.ready = false;
    slot.stderr = '';
    this.spawns += 1;
    const startedAt = performance.now();
    const child = fork(this.options.workerFile, [], {
      cwd: this.options.cwd,
      execArgv: [...this.options.execArgv],
      env: this.options.envFor(slot.index, slot.generation),
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
      serialization: 'advanced',
    });
    slot.child = child;
    slot.pid = child.pid ?? 0;
    child.stderr?.on('data', (chunk: Buffer) => {
      slot.stderr = (slot.stderr + chunk.toString()).slice(-4000);
    });
    return new Promise<void>((resolve) => {
      child.on('message', (message: WorkerMessage) => {
        if (message.type === 'ready') {
          this.startupMs.push(Math.round(performance.now() - startedAt));
          slot.ready = true;
          resolve();
          this.notify();
          return;
        }
        const current = slot.job;
        if (message.type === 'done' && current && current.job.deliveryId === message.deliveryId) {
          clearTimeout(current.timer);
          slot.job = undefined;
          current.resolve({ kind: 'done', pid: slot.pid, message });
          this.notify();
        }
      });
      child.once('exit', (code, signal) => {
        const current = slot.job;
        slot.job = undefined;
        slot.ready = false;
        if (current) {
          clearTimeout(current.timer);
          const blackBox = this.blackBoxOf(slot.pid, current.job.deliveryId);
          current.resolve({
            kind: 'died',
            pid: slot.pid,
            reason: blackBox ? 'killed' : 'lost',
            signal,
            code,
            blackBox,
            stderr: slot.stderr,
          });
        }
        resolve();
        if (!this.closing) void this.spawn(slot);
        this.notify();
      });
    });
  }

  private blackBoxOf(pid: number, deliveryId: string): BlackBoxEntry | undefined {
    let text: string;
    try {
      text = readFileSync(this.options.blackBoxPath(pid), 'utf8');
    } catch {
      return undefined;
    }
    const entry = JSON.parse(text.trim()) as BlackBoxEntry;
    return entry.deliveryId === deliveryId ? entry : undefined;
  }
}
