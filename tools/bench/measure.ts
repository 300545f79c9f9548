import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { LOCAL_AWS } from '../testing/dynamodb-local';
import { ensureConsumerTable, ensureIdempotencyTable } from '../testing/tables';
import { createSide, type DeliveryOutcome, SIDES, type Side, type SideName } from './sides';
import { median, round } from './stats';
import { buildWorkload, SCENARIOS, type Scenario, type Workload } from './workload';

/**
 * Write operations, for the "writes per record" figure.
 *
 * @example
 * ```ts
 * const writes = WRITE_OPERATIONS.reduce((n, op) => n + (requests[op] ?? 0), 0);
 * ```
 */
export const WRITE_OPERATIONS: readonly string[] = [
  'PutItem',
  'UpdateItem',
  'DeleteItem',
  'BatchWriteItem',
  'TransactWriteItems',
];

/**
 * Largest batch of a warm-up round (the engine itself is warmed up before the measured run).
 *
 * @example
 * ```ts
 * const warmUpSize = Math.min(size, WARMUP_MAX_RECORDS);
 * ```
 */
export const WARMUP_MAX_RECORDS = 50;

/**
 * What {@link runBenchmark} measures.
 *
 * @example
 * ```ts
 * const config: BenchConfig = { endpoint, sizes: [100], partitions: [1], scenarios: ['fresh'], rounds: 3, warmup: 1, delayMs: 5 };
 * ```
 */
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
  /** Unmeasured rounds per cell before the measured ones (at most {@link WARMUP_MAX_RECORDS} records each). */
  readonly warmup: number;
  /** Simulated network delay per DynamoDB request attempt (ms); 0 for none. */
  readonly delayMs: number;
  /**
   * Process id of the engine (DynamoDB Local's JVM), to report its CPU time per delivery from
   * `/proc` (Linux). Without it, only this process's CPU time is reported.
   */
  readonly enginePid?: number | undefined;
  /** Called after each group (size × partitions, every scenario) with what it measured. */
  readonly onProgress?: (progress: BenchProgress) => void;
}

/**
 * Progress of a run, reported after each group (one batch size × partition count, every scenario).
 *
 * @example
 * ```ts
 * onProgress: (p: BenchProgress) => console.error(`${p.done}/${p.total}`),
 * ```
 */
export interface BenchProgress {
  readonly done: number;
  readonly total: number;
  readonly size: number;
  readonly partitions: number;
  readonly measurements: readonly Measurement[];
}

/**
 * Figures of one measured delivery.
 *
 * @example
 * ```ts
 * const walls = measurement.rounds.map((r: RoundFigures) => r.wallMs);
 * ```
 */
export interface RoundFigures {
  readonly wallMs: number;
  /** Requests (HTTP attempts) by operation. */
  readonly requests: Readonly<Record<string, number>>;
  readonly readCapacityUnits: number;
  readonly writeCapacityUnits: number;
  readonly conditionalCheckFailures: number;
  readonly handlerCalls: number;
  readonly duplicates: number;
  /** CPU time of this process (handler, layer, SDK) during the delivery. */
  readonly benchCpuMs: number;
  /** CPU time of the engine during the delivery (10 ms resolution), `null` when unknown. */
  readonly engineCpuMs: number | null;
}

/**
 * One side in one cell: the medians over the measured rounds, and the rounds themselves.
 *
 * @example
 * ```ts
 * const ours = run.measurements.find((m: Measurement) => m.side === 'two-phase' && m.scenario === 'redelivered');
 * ```
 */
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
  /** Median CPU time of this process during the delivery (handler, layer, SDK). */
  readonly benchCpuMs: number;
  /** Median CPU time of the engine during the delivery, `null` when unknown. */
  readonly engineCpuMs: number | null;
  /** Baseline median wall time / this side's (for the non-baseline sides). */
  readonly ratioVsBaseline: number | null;
  /** This side's median wall time / the floor's (the cost of idempotency; `null` without a floor). */
  readonly ratioVsFloor: number | null;
  /** Broken expectations about the effect count (empty when effectively-once held). */
  readonly violations: readonly string[];
  readonly rounds: readonly RoundFigures[];
}

/**
 * The result of {@link runBenchmark}.
 *
 * @example
 * ```ts
 * const run: BenchRun = await runBenchmark(config);
 * ```
 */
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
 * every round (so rounds are independent). `redelivered` measures the second delivery of the
 * `fresh` batch. Returns the medians and the raw rounds, and checks that each event's handler ran
 * exactly once (`violations` otherwise).
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

    const groups: { size: number; partitions: number }[] = [];
    for (const partitions of config.partitions) {
      for (const size of config.sizes) if (partitions <= size) groups.push({ size, partitions });
    }
    const scenarios = SCENARIOS.filter((s) => config.scenarios.includes(s));
    const cpu = cpuProbe(config.enginePid);
    const measurements: Measurement[] = [];
    let capacityReported = false;
    for (const [index, group] of groups.entries()) {
      const key = (scenario: Scenario, side: SideName) => `${scenario}/${side}`;
      const figures = new Map<string, RoundFigures[]>();
      const violations = new Map<string, Set<string>>();
      for (let round = 0; round < config.warmup + config.rounds; round++) {
        const warmingUp = round < config.warmup;
        // A warm-up round warms code paths and connections, not data: it needs no more than 50 records.
        const size = warmingUp
          ? Math.max(group.partitions, Math.min(group.size, WARMUP_MAX_RECORDS))
          : group.size;
        for (const sequence of sequencesOf(scenarios)) {
          const workload = buildWorkload({
            scenario: sequence.workload,
            size,
            partitions: group.partitions,
            nonce: `${runId}-${index}-${round}-${sequence.workload}`,
          });
          // Rotate which side goes first, so no side always meets a colder or busier engine.
          const order = sides.map((_, i) => sides[(i + round) % sides.length]).filter((s) => s !== undefined);
          for (const side of order) {
            for (const result of await runSequence(side, sequence, workload, cpu)) {
              capacityReported ||= side.capacity.reported;
              const k = key(result.scenario, side.name);
              if (!violations.has(k)) violations.set(k, new Set());
              for (const problem of result.problems) violations.get(k)?.add(problem);
              if (warmingUp) continue;
              if (!figures.has(k)) figures.set(k, []);
              figures.get(k)?.push(result.figures);
            }
          }
        }
      }
      const groupMeasurements: Measurement[] = [];
      for (const scenario of scenarios) {
        const wallOf = (side: SideName) => {
          const rounds = figures.get(key(scenario, side));
          return rounds?.length ? median(rounds.map((f) => f.wallMs)) : null;
        };
        const baselineWall = wallOf('baseline');
        const floorWall = wallOf('floor');
        for (const side of sides) {
          groupMeasurements.push(
            summarize(
              { scenario, ...group },
              side.name,
              config.delayMs,
              figures.get(key(scenario, side.name)) ?? [],
              { baseline: baselineWall, floor: floorWall },
              capacityReported,
              [...(violations.get(key(scenario, side.name)) ?? [])],
            ),
          );
        }
      }
      measurements.push(...groupMeasurements);
      config.onProgress?.({
        done: index + 1,
        total: groups.length,
        size: group.size,
        partitions: group.partitions,
        measurements: groupMeasurements,
      });
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

/**
 * Deliveries of one workload: `fresh` then `redelivered` share one batch (the redelivery is the
 * fresh batch delivered again), the other scenarios have their own.
 */
interface Sequence {
  readonly workload: Scenario;
  readonly measure: readonly Scenario[];
}

function sequencesOf(scenarios: readonly Scenario[]): Sequence[] {
  const sequences: Sequence[] = [];
  const pair = scenarios.filter((s) => s === 'fresh' || s === 'redelivered');
  if (pair.length > 0) sequences.push({ workload: 'fresh', measure: pair });
  for (const s of scenarios)
    if (s !== 'fresh' && s !== 'redelivered') sequences.push({ workload: s, measure: [s] });
  return sequences;
}

interface SequenceResult {
  readonly scenario: Scenario;
  readonly figures: RoundFigures;
  readonly problems: string[];
}

async function runSequence(
  side: Side,
  sequence: Sequence,
  workload: Workload,
  cpu: CpuProbe,
): Promise<SequenceResult[]> {
  const results: SequenceResult[] = [];
  if (side.name === 'floor') return runFloorSequence(side, sequence, workload, cpu);
  if (sequence.workload === 'fresh') {
    const fresh = await measureDelivery(side, workload, cpu);
    const freshProblems =
      fresh.outcome.handlerCalls === workload.distinct
        ? []
        : [callsProblem(fresh.outcome.handlerCalls, workload.distinct)];
    if (sequence.measure.includes('fresh'))
      results.push({ scenario: 'fresh', figures: fresh.figures, problems: freshProblems });
    if (sequence.measure.includes('redelivered')) {
      const again = await measureDelivery(side, workload, cpu);
      const problems = again.outcome.handlerCalls === 0 ? [] : [callsProblem(again.outcome.handlerCalls, 0)];
      results.push({ scenario: 'redelivered', figures: again.figures, problems });
    }
    return results;
  }
  if (sequence.workload === 'after-failure') {
    const first = await side.deliver(workload.event, { failOn: workload.failOn });
    const second = await measureDelivery(side, workload, cpu);
    const problems: string[] = [];
    if (!first.failed) problems.push('the first delivery did not fail');
    // Every event's handler ran once over both deliveries, plus once for the attempt that failed.
    const calls = first.handlerCalls + second.outcome.handlerCalls;
    if (calls !== workload.distinct + 1) problems.push(callsProblem(calls, workload.distinct + 1));
    return [{ scenario: 'after-failure', figures: second.figures, problems }];
  }
  const only = await measureDelivery(side, workload, cpu);
  const problems =
    only.outcome.handlerCalls === workload.distinct
      ? []
      : [callsProblem(only.outcome.handlerCalls, workload.distinct)];
  return [{ scenario: sequence.workload, figures: only.figures, problems }];
}

/** The floor has no idempotency: every delivery runs the handler for every record, by design. */
async function runFloorSequence(
  side: Side,
  sequence: Sequence,
  workload: Workload,
  cpu: CpuProbe,
): Promise<SequenceResult[]> {
  if (sequence.workload === 'after-failure') {
    const first = await side.deliver(workload.event, { failOn: workload.failOn });
    if (!first.failed) throw new Error("bench: the floor's first delivery did not fail.");
  }
  const results: SequenceResult[] = [];
  for (const scenario of sequence.measure) {
    const { figures, outcome } = await measureDelivery(side, workload, cpu);
    const problems =
      outcome.handlerCalls === workload.size ? [] : [callsProblem(outcome.handlerCalls, workload.size)];
    results.push({ scenario, figures, problems });
  }
  return results;
}

function callsProblem(calls: number, expected: number): string {
  return `handler ran ${calls} times, ${expected} expected`;
}

async function measureDelivery(
  side: Side,
  workload: Workload,
  cpu: CpuProbe,
): Promise<{ figures: RoundFigures; outcome: DeliveryOutcome }> {
  side.requests.reset();
  side.capacity.reset();
  const stop = cpu.start();
  const started = performance.now();
  const outcome = await side.deliver(workload.event);
  const wallMs = performance.now() - started;
  const used = stop();
  if (outcome.failed) throw new Error(`bench: a delivery of ${side.name} failed unexpectedly.`);
  return {
    outcome,
    figures: {
      wallMs,
      requests: Object.fromEntries(side.requests.byOperation),
      readCapacityUnits: side.capacity.readCapacityUnits,
      writeCapacityUnits: side.capacity.writeCapacityUnits,
      conditionalCheckFailures: side.capacity.conditionalCheckFailures,
      handlerCalls: outcome.handlerCalls,
      duplicates: outcome.duplicates,
      benchCpuMs: used.benchMs,
      engineCpuMs: used.engineMs,
    },
  };
}

function summarize(
  cell: { scenario: Scenario; size: number; partitions: number },
  side: SideName,
  delayMs: number,
  rounds: readonly RoundFigures[],
  walls: { readonly baseline: number | null; readonly floor: number | null },
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
    benchCpuMs: round(
      med((f) => f.benchCpuMs),
      1,
    ),
    engineCpuMs: rounds.some((f) => f.engineCpuMs === null)
      ? null
      : round(
          med((f) => f.engineCpuMs ?? 0),
          1,
        ),
    ratioVsBaseline:
      side !== 'baseline' && walls.baseline !== null && wallMsMedian > 0
        ? round(walls.baseline / wallMsMedian, 2)
        : null,
    ratioVsFloor:
      side !== 'floor' && walls.floor !== null && walls.floor > 0
        ? round(wallMsMedian / walls.floor, 2)
        : null,
    violations,
    rounds: rounds.map((f) => ({ ...f, wallMs: round(f.wallMs, 3), benchCpuMs: round(f.benchCpuMs, 1) })),
  };
}

/** Measures CPU time between `start()` and the function it returns. */
interface CpuProbe {
  start(): () => { benchMs: number; engineMs: number | null };
}

function cpuProbe(enginePid: number | undefined): CpuProbe {
  const engineMs = (): number | null => {
    if (enginePid === undefined) return null;
    try {
      // Fields after the command name: utime and stime are the 12th and 13th (clock ticks, 100/s).
      const fields = readFileSync(`/proc/${enginePid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
      const ticks = Number(fields[11]) + Number(fields[12]);
      return Number.isFinite(ticks) ? ticks * 10 : null;
    } catch {
      return null;
    }
  };
  return {
    start() {
      const bench = process.cpuUsage();
      const engine = engineMs();
      return () => {
        const used = process.cpuUsage(bench);
        const engineNow = engineMs();
        return {
          benchMs: (used.user + used.system) / 1000,
          engineMs: engine === null || engineNow === null ? null : engineNow - engine,
        };
      };
    },
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
