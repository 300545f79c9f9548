/**
 * The child process of a scale row (`tools/bench/scale.ts` bundles and runs it with plain `node`,
 * one process per row, so its peak resident memory is the handler's own, as in a Lambda
 * container): builds the batch, delivers it fresh then again, and prints one JSON line with the
 * figures, the most requests in flight by operation, the largest `BatchGetItem`, and the peak RSS.
 */
import { readFileSync } from 'node:fs';
import { inFlightTracker } from '../testing/sdk-middleware';
import { createSide, layerRequestKind, type SideName } from './sides';
import { buildWorkload } from './workload';

/**
 * What the parent asks of one child (argv[2], JSON).
 *
 * @example
 * ```ts
 * const job: ScaleJob = { endpoint, tableName, consumerTableName, side: 'two-phase', size: 10_000, partitions: 10, valueBytes: 1024, delayMs: 0, nonce: 'r1' };
 * ```
 */
export interface ScaleJob {
  readonly endpoint: string;
  readonly tableName: string;
  readonly consumerTableName: string;
  readonly side: SideName;
  readonly size: number;
  readonly partitions: number;
  readonly valueBytes: number;
  readonly delayMs: number;
  readonly nonce: string;
}

/**
 * Figures of one delivery in a child.
 *
 * @example
 * ```ts
 * const { wallMs, maxInFlight }: ScaleDelivery = result.fresh;
 * ```
 */
export interface ScaleDelivery {
  readonly wallMs: number;
  readonly requests: Readonly<Record<string, number>>;
  /** The most requests in flight at once, by operation, and all together (`total`). */
  readonly maxInFlight: Readonly<Record<string, number>>;
  /** The most items one batch request carried, by operation (`BatchGetItem` keys, ...). */
  readonly largestBatch: Readonly<Record<string, number>>;
  readonly handlerCalls: number;
  readonly duplicates: number;
}

/**
 * What a child prints (its last stdout line).
 *
 * @example
 * ```ts
 * const result = JSON.parse(lastLine) as ScaleChildResult;
 * ```
 */
export interface ScaleChildResult {
  /** Bytes of the event as Lambda would send it (JSON). */
  readonly eventBytes: number;
  readonly fresh: ScaleDelivery;
  readonly redelivered: ScaleDelivery;
  /** Resident memory after loading the code, before the batch (MB). */
  readonly rssAtStartMb: number;
  /** Peak resident memory of the process (MB): `VmHWM` of `/proc/self/status`, else `maxRSS`. */
  readonly peakRssMb: number;
}

function peakRssMb(): number {
  try {
    const match = /VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'));
    if (match?.[1]) return Number(match[1]) / 1024;
  } catch {
    // not Linux: fall back to the portable figure
  }
  return process.resourceUsage().maxRSS / 1024;
}

async function main(): Promise<void> {
  const job = JSON.parse(process.argv[2] ?? '{}') as ScaleJob;
  const rssAtStartMb = process.memoryUsage().rss / 1024 / 1024;
  const inFlight = inFlightTracker(layerRequestKind);
  const side = createSide(job.side, {
    endpoint: job.endpoint,
    tableName: job.tableName,
    consumerTableName: job.consumerTableName,
    delayMs: job.delayMs,
    inFlight,
  });
  side.requests.reset();
  const { event } = buildWorkload({
    scenario: 'fresh',
    size: job.size,
    partitions: job.partitions,
    nonce: job.nonce,
    valueBytes: job.valueBytes,
  });
  // As Lambda hands it over: the event arrives as JSON and is parsed into the handler's memory.
  const json = JSON.stringify(event);
  const eventBytes = Buffer.byteLength(json);
  const parsed = JSON.parse(json) as typeof event;
  const deliver = async (): Promise<ScaleDelivery> => {
    side.requests.reset();
    inFlight.reset();
    const started = performance.now();
    const outcome = await side.deliver(parsed);
    const wallMs = performance.now() - started;
    if (outcome.failed) throw new Error(`scale: a delivery of ${job.side} failed.`);
    return {
      wallMs,
      requests: Object.fromEntries(side.requests.byOperation),
      maxInFlight: { ...Object.fromEntries(inFlight.max), total: inFlight.maxTotal },
      largestBatch: Object.fromEntries(inFlight.largestBatch),
      handlerCalls: outcome.handlerCalls,
      duplicates: outcome.duplicates,
    };
  };
  const fresh = await deliver();
  const redelivered = await deliver();
  side.close();
  const result: ScaleChildResult = {
    eventBytes,
    fresh,
    redelivered,
    rssAtStartMb,
    peakRssMb: peakRssMb(),
  };
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
