import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { TRIGGER_DEFAULTS } from '../../infra/lib/trigger-defaults';
import { LOCAL_AWS } from '../testing/dynamodb-local';
import { ensureConsumerTable, ensureIdempotencyTable } from '../testing/tables';
import { bundleWorker } from './bundles';
import type { ScaleChildResult, ScaleDelivery, ScaleJob } from './scale-worker';
import { createSide, type SideName } from './sides';
import { round } from './stats';
import { buildWorkload } from './workload';

/**
 * One row of the scale table: one side, one batch, in its own child process.
 *
 * @example
 * ```ts
 * const worst = rows.reduce((a: ScaleRow, b) => (b.peakRssMb > a.peakRssMb ? b : a));
 * ```
 */
export interface ScaleRow {
  readonly label: string;
  readonly side: SideName;
  readonly size: number;
  readonly partitions: number;
  readonly valueBytes: number;
  /** The event as Lambda sends it (JSON bytes); over 6 MB the event source could not send it. */
  readonly eventBytes: number;
  readonly simulatedDelayMs: number;
  readonly fresh: ScaleDelivery;
  readonly redelivered: ScaleDelivery;
  readonly freshMsPerRecord: number;
  readonly rssAtStartMb: number;
  readonly peakRssMb: number;
  /** `--max-old-space-size` of the child, when capped. */
  readonly heapLimitMb: number | undefined;
  /** Why the child failed (e.g. out of memory under a capped heap); its figures are then 0. */
  readonly error?: string;
}

/**
 * The hot-key row: `workers` handlers (each with its own client, as separate Lambda instances)
 * deliver a batch with the same single record at the same time.
 *
 * @example
 * ```ts
 * const { handlerCalls }: HotKeyRow = await measureHotKey({ endpoint, workers: 16 });
 * ```
 */
export interface HotKeyRow {
  readonly workers: number;
  /** Wall time until every worker returned. */
  readonly wallMs: number;
  /** Handler runs over all workers (effectively-once: 1). */
  readonly handlerCalls: number;
  /** Workers that left the record for a redelivery (in progress elsewhere). */
  readonly retried: number;
  /** Workers that found it already done. */
  readonly duplicates: number;
  /** Requests over all workers, by operation. */
  readonly requests: Readonly<Record<string, number>>;
}

/**
 * One cell of the scale matrix.
 *
 * @example
 * ```ts
 * const cell: ScaleCell = { side: 'two-phase', size: 10_000, partitions: 10, valueBytes: 1024 };
 * ```
 */
export interface ScaleCell {
  readonly side: SideName;
  readonly size: number;
  readonly partitions: number;
  readonly valueBytes: number;
  readonly label?: string;
  /**
   * Runs the child with `--max-old-space-size` (MB), to check that the batch completes within a
   * function's memory rather than in a heap that grows because the machine has room.
   */
  readonly heapLimitMb?: number;
}

/**
 * Value size of the "6 MB payload" row: 1,000 records of 4,500 bytes make an event of about 6 MB
 * once base64-encoded, the event source mapping's invocation payload limit.
 *
 * @example
 * ```ts
 * SIX_MB_CELL.valueBytes; // 4500
 * ```
 */
export const SIX_MB_CELL = { size: 1000, partitions: 10, valueBytes: 4500 } as const;

/**
 * `--max-old-space-size` of the capped row: what a 256 MB function leaves the V8 heap, about 200 MB
 * once the runtime, code and buffers outside the heap have their share.
 *
 * @example
 * ```ts
 * cells.push({ side: 'two-phase', size: 10_000, partitions: 10, valueBytes: 1024, heapLimitMb: HEAP_LIMIT_256_MB });
 * ```
 */
export const HEAP_LIMIT_256_MB = 200;

/**
 * The default scale matrix: batches of 1,000 and 10,000 records of 1 KB on 1, 10 and 100
 * partitions, on the floor and the two-phase side (Powertools too at 1,000 on one partition), and
 * the 6 MB payload.
 *
 * @example
 * ```ts
 * const rows = await measureScale({ endpoint, cells: scaleCells({ quick: true }) });
 * ```
 */
export function scaleCells(options: { readonly quick?: boolean } = {}): ScaleCell[] {
  const sizes = options.quick ? [1000] : [1000, 10_000];
  const partitions = options.quick ? [1, 10] : [1, 10, 100];
  const cells: ScaleCell[] = [];
  for (const size of sizes) {
    for (const p of partitions) {
      for (const side of ['floor', 'two-phase'] as const)
        cells.push({ side, size, partitions: p, valueBytes: 1024 });
    }
  }
  cells.push({ side: 'baseline', size: 1000, partitions: 1, valueBytes: 1024 });
  for (const side of ['floor', 'two-phase'] as const) {
    cells.push({ side, ...SIX_MB_CELL, label: '6 MB payload' });
  }
  // The memory target: 10,000 x 1 KB in a 256 MB function, the heap capped accordingly.
  const capped = options.quick ? 1000 : 10_000;
  cells.push({
    side: 'two-phase',
    size: capped,
    partitions: 10,
    valueBytes: 1024,
    heapLimitMb: HEAP_LIMIT_256_MB,
    label: `${capped.toLocaleString('en-US')} x 1024 B, heap capped`,
  });
  return cells;
}

/**
 * Options of {@link measureScale}.
 *
 * @example
 * ```ts
 * const options: ScaleOptions = { endpoint, cells: scaleCells(), delayMs: 0 };
 * ```
 */
export interface ScaleOptions {
  readonly endpoint: string;
  readonly cells: readonly ScaleCell[];
  /** @default 0 */
  readonly delayMs?: number;
  readonly onRow?: (row: ScaleRow) => void;
}

/**
 * Runs every cell in its own child process (the worker bundled with esbuild, run by plain `node`,
 * so the peak RSS is the handler's and not a TypeScript loader's), fresh then redelivered, each
 * on fresh tables.
 *
 * @example
 * ```ts
 * for (const row of await measureScale({ endpoint, cells: scaleCells() })) console.log(row.label, row.peakRssMb);
 * ```
 */
export async function measureScale(options: ScaleOptions): Promise<ScaleRow[]> {
  const dir = mkdtempSync(join(tmpdir(), 'bench-scale-'));
  const admin = new DynamoDBClient({ ...LOCAL_AWS, endpoint: options.endpoint });
  try {
    const worker = join(dir, 'scale-worker.js');
    await bundleWorker(resolve(__dirname, 'scale-worker.ts'), worker);
    const runId = randomUUID().slice(0, 8);
    const rows: ScaleRow[] = [];
    for (const [index, cell] of options.cells.entries()) {
      const tableName = `bench-scale-${runId}-${index}`;
      const consumerTableName = `bench-scale-effects-${runId}-${index}`;
      await ensureIdempotencyTable(admin, tableName);
      await ensureConsumerTable(admin, consumerTableName);
      const job: ScaleJob = {
        endpoint: options.endpoint,
        tableName,
        consumerTableName,
        side: cell.side,
        size: cell.size,
        partitions: cell.partitions,
        valueBytes: cell.valueBytes,
        delayMs: options.delayMs ?? 0,
        nonce: `${runId}-${index}`,
      };
      let result: ScaleChildResult;
      let error: string | undefined;
      try {
        result = await runChild(worker, job, cell.heapLimitMb);
      } catch (failure) {
        // A capped heap may run out: that is a figure, not a crash of the bench.
        if (cell.heapLimitMb === undefined) throw failure;
        error = failure instanceof Error ? failure.message.slice(0, 300) : String(failure);
        const none: ScaleDelivery = {
          wallMs: 0,
          requests: {},
          maxInFlight: {},
          largestBatch: {},
          handlerCalls: 0,
          duplicates: 0,
        };
        result = { eventBytes: 0, fresh: none, redelivered: none, rssAtStartMb: 0, peakRssMb: 0 };
      }
      const row: ScaleRow = {
        label: cell.label ?? `${cell.size.toLocaleString('en-US')} x ${cell.valueBytes} B`,
        side: cell.side,
        size: cell.size,
        partitions: cell.partitions,
        valueBytes: cell.valueBytes,
        eventBytes: result.eventBytes,
        simulatedDelayMs: options.delayMs ?? 0,
        fresh: { ...result.fresh, wallMs: round(result.fresh.wallMs, 1) },
        redelivered: { ...result.redelivered, wallMs: round(result.redelivered.wallMs, 1) },
        freshMsPerRecord: round(result.fresh.wallMs / cell.size, 4),
        rssAtStartMb: round(result.rssAtStartMb, 1),
        peakRssMb: round(result.peakRssMb, 1),
        heapLimitMb: cell.heapLimitMb,
        ...(error === undefined ? {} : { error }),
      };
      rows.push(row);
      options.onRow?.(row);
    }
    return rows;
  } finally {
    admin.destroy();
    rmSync(dir, { recursive: true, force: true });
  }
}

function runChild(worker: string, job: ScaleJob, heapLimitMb: number | undefined): Promise<ScaleChildResult> {
  const flags = heapLimitMb === undefined ? [] : [`--max-old-space-size=${heapLimitMb}`];
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [...flags, worker, JSON.stringify(job)], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, AWS_REGION: LOCAL_AWS.region },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString('utf8');
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString('utf8');
    });
    child.on('error', reject);
    child.on('close', (code) => {
      const last = stdout.trim().split('\n').pop() ?? '';
      if (code !== 0 || !last.startsWith('{')) {
        reject(
          new Error(
            `scale worker (${job.side}, ${job.size} records) exited ${code}: ${stderr.slice(0, 2000)}`,
          ),
        );
        return;
      }
      resolvePromise(JSON.parse(last) as ScaleChildResult);
    });
  });
}

/**
 * The hot-key row: `workers` two-phase handlers, each on its own client (separate Lambda
 * instances), deliver the same one-record batch at the same moment.
 *
 * @example
 * ```ts
 * const row = await measureHotKey({ endpoint, workers: 16 });
 * row.handlerCalls; // 1
 * ```
 */
export async function measureHotKey(options: {
  readonly endpoint: string;
  readonly workers: number;
  readonly delayMs?: number;
}): Promise<HotKeyRow> {
  const admin = new DynamoDBClient({ ...LOCAL_AWS, endpoint: options.endpoint });
  const runId = randomUUID().slice(0, 8);
  const tableName = `bench-hotkey-${runId}`;
  const consumerTableName = `bench-hotkey-effects-${runId}`;
  const sides = [];
  try {
    await ensureIdempotencyTable(admin, tableName);
    await ensureConsumerTable(admin, consumerTableName);
    for (let i = 0; i < options.workers; i++) {
      sides.push(
        createSide('two-phase', {
          endpoint: options.endpoint,
          tableName,
          consumerTableName,
          delayMs: options.delayMs ?? 0,
        }),
      );
    }
    const { event } = buildWorkload({ scenario: 'fresh', size: 1, partitions: 1, nonce: `hot-${runId}` });
    const started = performance.now();
    const outcomes = await Promise.all(sides.map((side) => side.deliver(event, { allowRetries: true })));
    const wallMs = performance.now() - started;
    const requests: Record<string, number> = {};
    for (const side of sides) {
      for (const [op, count] of side.requests.byOperation) requests[op] = (requests[op] ?? 0) + count;
    }
    return {
      workers: options.workers,
      wallMs: round(wallMs, 1),
      handlerCalls: outcomes.reduce((a, o) => a + o.handlerCalls, 0),
      retried: outcomes.reduce((a, o) => a + (o.retried ?? 0), 0),
      duplicates: outcomes.reduce((a, o) => a + o.duplicates, 0),
      requests,
    };
  } finally {
    for (const side of sides) side.close();
    admin.destroy();
  }
}

/**
 * The event source mapping's invocation payload limit (bytes), for the notes beside the rows.
 *
 * @example
 * ```ts
 * row.eventBytes > MAX_PAYLOAD_BYTES; // the event source could not send this batch
 * ```
 */
export const MAX_PAYLOAD_BYTES = TRIGGER_DEFAULTS.maxPayloadBytes;
