import { parseArgs } from 'node:util';
import { UsageError, usageErrors } from '../../scripts/lib/cli';
import { SCENARIOS, type Scenario } from './workload';

/**
 * Options of `npm run bench`.
 *
 * @example
 * ```ts
 * const options: BenchOptions = parseBenchArgs(process.argv.slice(2));
 * ```
 */
export interface BenchOptions {
  /** Measured rounds per cell. @default 3 (quick: 2) */
  readonly rounds: number;
  /** Warm-up rounds per cell, at most 50 records each. @default 1 */
  readonly warmup: number;
  /** @default [10, 100, 500] (quick: [10, 100]) */
  readonly sizes: readonly number[];
  /** @default [1, 4] (quick: [1]) */
  readonly partitions: readonly number[];
  /** Simulated network delay per DynamoDB request (ms). @default 0 */
  readonly delayMs: number;
  /** @default every scenario */
  readonly scenarios: readonly Scenario[];
  /** Fewer sizes, partitions, rounds and iterations: a fast sanity run. */
  readonly quick: boolean;
  /** JSON output file. @default bench-results/latest.json */
  readonly out: string;
  /** Skip the extra 5 ms-delay pass that checks the targets when the run has another delay. */
  readonly skipTargets: boolean;
  /** Skip the CPU figures (decode + key, and the spellchecker domain per record). */
  readonly skipCpu: boolean;
  /** Skip the bundle figures. */
  readonly skipBundles: boolean;
  /** Skip the scale rows (1,000 and 10,000 records, 6 MB payload, hot key). */
  readonly skipScale: boolean;
  /** Skip the sample consumer's rows (the spellchecker on the floor, Powertools and ours). */
  readonly skipConsumers: boolean;
  readonly help: boolean;
}

/**
 * The usage text of `npm run bench -- --help`.
 *
 * @example
 * ```ts
 * if (options.help) process.stdout.write(USAGE);
 * ```
 */
export const USAGE = `Usage: npm run bench -- [options]

  --rounds N           measured rounds per cell (median reported)      default 3 (quick 2)
  --warmup N           unmeasured warm-up rounds per cell (<= 50 rec)   default 1
  --sizes A,B,...      batch sizes                                      default 10,100,500 (quick 10,100)
  --partitions A,B     partitions the batch is spread over              default 1,4 (quick 1)
  --delay-ms N         SIMULATED network delay per DynamoDB request     default 0
  --scenarios a,b      ${SCENARIOS.join(',')}
  --quick              fast sanity run (smaller matrix, fewer iterations)
  --out FILE           JSON results                                     default bench-results/latest.json
  --skip-targets       no extra 5 ms-delay pass to check the targets
  --skip-cpu           no CPU figures (decode + key, spellchecker domain)
  --skip-bundles       no bundle size / cold init figures
  --skip-consumers     no sample-consumer rows (spellchecker: floor, Powertools, ours)
  --skip-scale         no scale rows (1,000 / 10,000 records, 6 MB, hot key; quick: 1,000 only)
  --help
`;

/**
 * Parses the command line of `npm run bench`. Explicit options win over `--quick`. Invalid values
 * throw a {@link UsageError} naming the option and the value.
 *
 * @example
 * ```ts
 * const options = parseBenchArgs(['--sizes', '100', '--delay-ms', '5']);
 * ```
 */
export function parseBenchArgs(argv: readonly string[]): BenchOptions {
  const parsed: ReturnType<typeof parse> = usageErrors(() => parse(argv));
  const { values } = parsed;

  const quick = values.quick ?? false;
  const scenarios = values.scenarios === undefined ? [...SCENARIOS] : list('--scenarios', values.scenarios);
  const unknown = scenarios.filter((s) => !(SCENARIOS as readonly string[]).includes(s));
  if (unknown.length > 0) {
    throw new UsageError(`--scenarios: unknown ${unknown.join(', ')}; choose from ${SCENARIOS.join(', ')}.`);
  }
  return {
    rounds: integer('--rounds', values.rounds, quick ? 2 : 3, 1),
    warmup: integer('--warmup', values.warmup, 1, 0),
    sizes:
      values.sizes === undefined ? (quick ? [10, 100] : [10, 100, 500]) : integers('--sizes', values.sizes),
    partitions:
      values.partitions === undefined ? (quick ? [1] : [1, 4]) : integers('--partitions', values.partitions),
    delayMs: number('--delay-ms', values['delay-ms'], 0),
    scenarios: scenarios as Scenario[],
    quick,
    out: values.out ?? 'bench-results/latest.json',
    skipTargets: values['skip-targets'] ?? false,
    skipCpu: values['skip-cpu'] ?? false,
    skipBundles: values['skip-bundles'] ?? false,
    skipScale: values['skip-scale'] ?? false,
    skipConsumers: values['skip-consumers'] ?? false,
    help: values.help ?? false,
  };
}

function parse(argv: readonly string[]) {
  return parseArgs({
    args: [...argv],
    strict: true,
    allowPositionals: false,
    options: {
      rounds: { type: 'string' },
      warmup: { type: 'string' },
      sizes: { type: 'string' },
      partitions: { type: 'string' },
      'delay-ms': { type: 'string' },
      scenarios: { type: 'string' },
      quick: { type: 'boolean', default: false },
      out: { type: 'string' },
      'skip-targets': { type: 'boolean', default: false },
      'skip-cpu': { type: 'boolean', default: false },
      'skip-bundles': { type: 'boolean', default: false },
      'skip-scale': { type: 'boolean', default: false },
      'skip-consumers': { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
}

function list(option: string, value: string): string[] {
  const items = value
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
  if (items.length === 0)
    throw new UsageError(`${option} needs a comma-separated list, got ${JSON.stringify(value)}.`);
  return items;
}

function integers(option: string, value: string): number[] {
  return list(option, value).map((item) => {
    const n = Number(item);
    if (!Number.isInteger(n) || n < 1)
      throw new UsageError(`${option}: ${JSON.stringify(item)} is not an integer >= 1.`);
    return n;
  });
}

function integer(option: string, value: string | undefined, fallback: number, min: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min)
    throw new UsageError(`${option} must be an integer >= ${min}, got ${value}.`);
  return n;
}

function number(option: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0) throw new UsageError(`${option} must be a number >= 0, got ${value}.`);
  return n;
}
