import { randomUUID } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { LOCAL_AWS } from '../lib/dynamodb-local';
import { ensureConsumerTable, ensureIdempotencyTable } from '../lib/tables';
import { createSide, type DeliveryOutcome, SIDES, type Side, type SideName } from './sides';
import { median, round } from './stats';
import { buildWorkload, SCENARIOS, type Scenario, type Workload } from './workload';

/** Write operations, for the "writes per record" figure. */
export const WRITE_OPERATIONS: readonly string[] = [
  'PutItem',
  'UpdateItem',
  'DeleteItem',
  'BatchWriteItem',
  'TransactWriteItems',
];

/** What {@link runBenchmark} measures. */
export interface BenchConfig {
  /** DynamoDB endpoint (DynamoDB Local). */
  readonly endpoint: string;
  /** Batch sizes. */
  readonly sizes: readonly number[];
  /** Partition counts the batch is spread over. */
  readonly partitions: readonly number[];
  readonly scenarios: readonly Scenario[];
  /** @default every side */
  readonly sides?: readonly SideName[];
  /** Measured rounds per cell (the median is reported). */
  readonly rounds: number;
  /** Unmeasured rounds per cell before the measured ones. */
  readonly warmup: number;
  /** Simulated network delay per DynamoDB request attempt (ms); 0 for none. */
  readonly delayMs: number;
  /** Called after each cell (scenario × size × partitions) with what it measured. */
  readonly onProgress?: (progress: BenchProgress) => void;
}

/** Progress of a run, reported after each cell. */
export interface BenchProgress {
  readonly done: number;
  readonly total: number;
  readonly measurements: readonly Measurement[];
}

/** Figures of one measured delivery. */
export interface RoundFigures {
  readonly wallMs: number;
  /** Requests (HTTP attempts) by operation. */
  readonly requests: Readonly<Record<string, number>>;
  readonly readCapacityUnits: number;
  readonly writeCapacityUnits: number;
  readonly conditionalCheckFailures: number;
  readonly handlerCalls: number;
  readonly duplicates: number;
}

/** One side in one cell: the medians over the measured rounds, and the rounds themselves. */
export interface Measurement {
  readonly scenario: Scenario;
  readonly size: number;
  readonly partitions: number;
  readonly side: SideName;
  /** Simulated delay per request attempt (ms), 0 when none. Simulated, not measured. */
  readonly simulatedDelayMs: number;
  readonly wallMsMedian: number;
  /** Median wall time divided by the batch size. */
  readonly msPerRecord: number;
  /** Median requests by operation. */
  readonly requests: Readonly<Record<string, number>>;
  readonly requestsTotal: number;
  /** Median write requests (PutItem, UpdateItem, DeleteItem, BatchWriteItem, TransactWriteItems). */
  readonly writes: number;
  readonly writesPerRecord: number;
  /** Median capacity units reported by the engine, `null` when it reported none. */
  readonly readCapacityUnits: number | null;
  readonly writeCapacityUnits: number | null;
  /** Writes rejected by their condition (billed on AWS, not reported by any engine). */
  readonly conditionalCheckFailures: number;
  /** Handler invocations in the measured delivery (median). */
  readonly handlerCalls: number;
  /** Records answered as already done (median). */
  readonly duplicates: number;
  /** Baseline median wall time / this side's (for the non-baseline sides). */
  readonly ratioVsBaseline: number | null;
  /** Broken expectations about the effect count (empty when effectively-once held). */
  readonly violations: readonly string[];
  readonly rounds: readonly RoundFigures[];
}

/** The result of {@link runBenchmark}. */
export interface BenchRun {
  readonly simulatedDelayMs: number;
  readonly rounds: number;
  readonly warmup: number;
  /** `false` when the engine returned no `ConsumedCapacity` at all. */
  readonly capacityReported: boolean;
  readonly measurements: readonly Measurement[];
}

/**
 * The bench's core: runs every cell (scenario × size × partitions) against the endpoint, each
 * side on its own client and table, the sides in rotating order within a round, fresh keys in
 * every round. Returns the medians and the raw rounds.
 *
 * @example
 * ```ts
 * const run = await runBenchmark({ endpoint, sizes: [10], partitions: [1], scenarios: ['redelivered'], rounds: 1, warmup: 0, delayMs: 0 });
 * run.measurements.find((m) => m.side === 'two-phase')?.requests; // { BatchGetItem: 1 }
 * ```
 */
export async function runBenchmark(config: BenchConfig): Promise<BenchRun> {
  validate(config);
  const sideNames = config.sides ?? SIDES;
  const runId = randomUUID().slice(0, 8);
  const admin = new DynamoDBClient({ ...LOCAL_AWS, endpoint: config.endpoint });
  const consumerTableName = `bench-effects-${runId}`;
  const sides: Side[] = [];
  try {
    await ensureConsumerTable(admin, consumerTableName);
    for (const name of sideNames) {
      const tableName = `bench-${name}-${runId}`;
      await ensureIdempotencyTable(admin, tableName);
      sides.push(
        createSide(name, {
          endpoint: config.endpoint,
          tableName,
          consumerTableName,
          delayMs: config.delayMs,
        }),
      );
    }

    const cells: { scenario: Scenario; size: number; partitions: number }[] = [];
    for (const partitions of config.partitions) {
      for (const size of config.sizes) {
        if (partitions > size) continue;
        for (const scenario of config.scenarios) cells.push({ scenario, size, partitions });
      }
    }
    const measurements: Measurement[] = [];
    let capacityReported = false;
    for (const [index, cell] of cells.entries()) {
      const figures = new Map<SideName, RoundFigures[]>(sides.map((s) => [s.name, []]));
      const violations = new Map<SideName, Set<string>>(sides.map((s) => [s.name, new Set()]));
      for (let round = 0; round < config.warmup + config.rounds; round++) {
        const workload = buildWorkload({ ...cell, nonce: `${runId}-${index}-${round}` });
        // Rotate which side goes first, so no side always meets a colder or busier engine.
        const order = sides.map((_, i) => sides[(i + round) % sides.length]).filter((s) => s !== undefined);
        for (const side of order) {
          const { figures: measured, problems } = await measureRound(side, cell.scenario, workload);
          capacityReported ||= side.capacity.reported;
          for (const problem of problems) violations.get(side.name)?.add(problem);
          if (round >= config.warmup) figures.get(side.name)?.push(measured);
        }
      }
      const baselineFigures = figures.get('baseline');
      const baselineWall = baselineFigures?.length ? median(baselineFigures.map((f) => f.wallMs)) : null;
      const cellMeasurements = sides.map((side) =>
        summarize(
          cell,
          side.name,
          config.delayMs,
          figures.get(side.name) ?? [],
          baselineWall,
          capacityReported,
          [...(violations.get(side.name) ?? [])],
        ),
      );
      measurements.push(...cellMeasurements);
      config.onProgress?.({ done: index + 1, total: cells.length, measurements: cellMeasurements });
    }
    return {
      simulatedDelayMs: config.delayMs,
      rounds: config.rounds,
      warmup: config.warmup,
      capacityReported,
      measurements,
    };
  } finally {
    for (const side of sides) side.close();
    admin.destroy();
  }
}

async function measureRound(
  side: Side,
  scenario: Scenario,
  workload: Workload,
): Promise<{ figures: RoundFigures; problems: string[] }> {
  const problems: string[] = [];
  let before: DeliveryOutcome | undefined;
  if (scenario === 'redelivered') {
    before = await side.deliver(workload.event);
  } else if (scenario === 'after-failure') {
    before = await side.deliver(workload.event, { failOn: workload.failOn });
    if (!before.failed) problems.push('the first delivery did not fail');
  }
  side.requests.reset();
  side.capacity.reset();
  const started = performance.now();
  const outcome = await side.deliver(workload.event);
  const wallMs = performance.now() - started;
  if (outcome.failed) problems.push('the measured delivery failed');

  // Effectively-once: every distinct event's handler ran once over both deliveries, plus one
  // for the attempt that failed.
  const calls = outcome.handlerCalls + (before?.handlerCalls ?? 0);
  const expected = workload.distinct + (scenario === 'after-failure' ? 1 : 0);
  if (calls !== expected) problems.push(`handler ran ${calls} times for ${expected} expected`);

  return {
    figures: {
      wallMs,
      requests: Object.fromEntries(side.requests.byOperation),
      readCapacityUnits: side.capacity.readCapacityUnits,
      writeCapacityUnits: side.capacity.writeCapacityUnits,
      conditionalCheckFailures: side.capacity.conditionalCheckFailures,
      handlerCalls: outcome.handlerCalls,
      duplicates: outcome.duplicates,
    },
    problems,
  };
}

function summarize(
  cell: { scenario: Scenario; size: number; partitions: number },
  side: SideName,
  delayMs: number,
  rounds: readonly RoundFigures[],
  baselineWall: number | null,
  capacityReported: boolean,
  violations: string[],
): Measurement {
  const med = (pick: (f: RoundFigures) => number) => (rounds.length ? median(rounds.map(pick)) : 0);
  const operations = [...new Set(rounds.flatMap((f) => Object.keys(f.requests)))].sort();
  const requests: Record<string, number> = {};
  for (const op of operations) requests[op] = med((f) => f.requests[op] ?? 0);
  const requestsTotal = Object.values(requests).reduce((a, b) => a + b, 0);
  const writes = med((f) => WRITE_OPERATIONS.reduce((n, op) => n + (f.requests[op] ?? 0), 0));
  const wallMsMedian = med((f) => f.wallMs);
  return {
    ...cell,
    side,
    simulatedDelayMs: delayMs,
    wallMsMedian: round(wallMsMedian, 3),
    msPerRecord: round(wallMsMedian / cell.size, 4),
    requests,
    requestsTotal,
    writes,
    writesPerRecord: round(writes / cell.size, 3),
    readCapacityUnits: capacityReported
      ? round(
          med((f) => f.readCapacityUnits),
          2,
        )
      : null,
    writeCapacityUnits: capacityReported
      ? round(
          med((f) => f.writeCapacityUnits),
          2,
        )
      : null,
    conditionalCheckFailures: med((f) => f.conditionalCheckFailures),
    handlerCalls: med((f) => f.handlerCalls),
    duplicates: med((f) => f.duplicates),
    ratioVsBaseline:
      side !== 'baseline' && baselineWall !== null && wallMsMedian > 0
        ? round(baselineWall / wallMsMedian, 2)
        : null,
    violations,
    rounds: rounds.map((f) => ({ ...f, wallMs: round(f.wallMs, 3) })),
  };
}

function validate(config: BenchConfig): void {
  const positiveInts = (name: string, values: readonly number[]) => {
    if (values.length === 0 || values.some((v) => !Number.isInteger(v) || v < 1)) {
      throw new TypeError(
        `${name} must be a non-empty list of integers >= 1, got ${JSON.stringify(values)}.`,
      );
    }
  };
  positiveInts('sizes', config.sizes);
  positiveInts('partitions', config.partitions);
  if (!Number.isInteger(config.rounds) || config.rounds < 1) {
    throw new TypeError(`rounds must be an integer >= 1, got ${config.rounds}.`);
  }
  if (!Number.isInteger(config.warmup) || config.warmup < 0) {
    throw new TypeError(`warmup must be an integer >= 0, got ${config.warmup}.`);
  }
  if (!Number.isFinite(config.delayMs) || config.delayMs < 0) {
    throw new TypeError(`delayMs must be a number >= 0, got ${config.delayMs}.`);
  }
  const unknown = config.scenarios.filter((s) => !SCENARIOS.includes(s));
  if (config.scenarios.length === 0 || unknown.length > 0) {
    throw new TypeError(
      `scenarios must be some of ${SCENARIOS.join(', ')}, got ${JSON.stringify(config.scenarios)}.`,
    );
  }
}
