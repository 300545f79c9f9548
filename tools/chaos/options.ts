import { parseArgs } from 'node:util';

/** The consumers a chaos run can drive. */
export const CHAOS_CONSUMERS = ['spellchecker', 'essay-lifecycle'] as const;

/** One of {@link CHAOS_CONSUMERS}. */
export type ChaosConsumerName = (typeof CHAOS_CONSUMERS)[number];

/**
 * The consumers also run in single-write mode (`transactional-single-write`): by the workers of odd
 * slots, beside the claim-first workers of even slots on the same records (a rolling mode change).
 */
export const SINGLE_WRITE_CONSUMERS: readonly ChaosConsumerName[] = ['essay-lifecycle'];

/** Everything a chaos run is configured with. Every field has a flag; see {@link CHAOS_USAGE}. */
export interface ChaosOptions {
  /** Logical events produced, split evenly between the consumers. @default 2000 */
  readonly events: number;
  /** Worker processes (Lambda execution environments). @default 4 */
  readonly workers: number;
  /** Most records in one delivery (the event source mapping's `BatchSize`). @default 10 */
  readonly batchSize: number;
  /** Partitions of each consumer's topic. @default 4 */
  readonly partitions: number;
  /** Share of logical events a producer sends twice (same `data`, new `event_id`). @default 0.1 */
  readonly duplicateRate: number;
  /** Share of deliveries whose worker is killed (SIGKILL) at a chosen step. @default 0.05 */
  readonly killRate: number;
  /** Share of DynamoDB attempts answered with a throttling error. @default 0.02 */
  readonly throttleRate: number;
  /** Share of DynamoDB attempts executed whose response is then lost. @default 0.01 */
  readonly dropRate: number;
  /** Share of deliveries where one store call fails after all SDK retries. @default 0.03 */
  readonly stormRate: number;
  /** Share of deliveries with a handler slowed past the Lambda timeout. @default 0.01 */
  readonly slowRate: number;
  /**
   * Outages: the network to DynamoDB Local is cut, the engine stopped (SIGTERM) and restarted on the
   * same port and files, then the network restored. @default 1
   */
  readonly outages: number;
  /** How long the engine stays stopped before it is restarted (ms; its startup adds seconds). @default 1500 */
  readonly outageMs: number;
  /** The fake Lambda timeout (ms): `getRemainingTimeInMillis` counts down from it. @default 4000 */
  readonly timeoutMs: number;
  /** `IDEMPOTENCY_LEASE_MARGIN_MS` of the consumers. @default 250 */
  readonly leaseMarginMs: number;
  /** Largest clock offset (ms) injected into a skewed worker; must stay below the 1000 ms skew margin. @default 400 */
  readonly skewMs: number;
  /** Poison records per consumer (not JSON, invalid data, unknown event type). @default 6 */
  readonly poison: number;
  /** Seed of the plan (events, duplicates, kills, faults). @default 1 */
  readonly seed: number;
  /** Where the JSON report is written. @default '.local/chaos/report.json' */
  readonly json: string;
  /** Keep the engine's files and the worker logs after the run. @default false */
  readonly keep: boolean;
  /**
   * Where the records come from: `memory` (the in-memory record source, no broker) or `kafka` (the
   * local Apache Kafka broker read by the event source mapping emulator). @default 'memory'
   */
  readonly broker: 'memory' | 'kafka';
  /** With `--broker kafka`: broker restarts (SIGTERM, started again on its port and log dir). @default 2 */
  readonly brokerRestarts: number;
  /** The consumers to drive. @default both */
  readonly consumers: readonly ChaosConsumerName[];
}

/** The usage text printed by `--help`. */
export const CHAOS_USAGE = `Usage: npm run chaos -- [options]

  --events <n>               logical events produced, split between the consumers (2000)
  --workers <n>              worker processes (4)
  --batch-size <n>           most records per delivery (10)
  --partitions <n>           partitions per topic (4)
  --duplicate-rate <p>       share of events a producer sends twice, new event_id (0.1)
  --kill-rate <p>            share of deliveries whose worker is SIGKILLed at a chosen step (0.05)
  --throttle-rate <p>        share of DynamoDB attempts throttled (0.02)
  --drop-rate <p>            share of DynamoDB attempts whose response is lost (0.01)
  --storm-rate <p>           share of deliveries where one store call fails after SDK retries (0.03)
  --slow-rate <p>            share of deliveries slowed past the Lambda timeout (0.01)
  --outages <n>              outages: network cut, DynamoDB Local stopped and restarted (1)
  --outage-ms <ms>           how long the engine stays down before restarting (1500)
  --timeout-ms <ms>          fake Lambda timeout; the worker is killed when it passes (4000)
  --lease-margin-ms <ms>     IDEMPOTENCY_LEASE_MARGIN_MS (250)
  --skew-ms <ms>             largest clock offset of a skewed worker, < 1000 (400)
  --poison <n>               poison records per consumer (6)
  --broker <memory|kafka>    records in memory, or on the local Kafka broker via the emulator (memory)
  --broker-restarts <n>      with --broker kafka: broker stopped and started on its log dir (2)
  --consumers <list>         spellchecker,essay-lifecycle (both)
  --seed <n>                 seed of the plan (1)
  --json <path>              JSON report path (.local/chaos/report.json)
  --keep                     keep the engine files and worker logs
  --help                     this text`;

/** `--help` was given. */
export class HelpRequested extends Error {
  constructor() {
    super(CHAOS_USAGE);
    this.name = 'HelpRequested';
  }
}

/**
 * Parses the command line of `npm run chaos` (with `node:util` `parseArgs`). Invalid values throw a
 * `TypeError` naming the flag, the value and the allowed range.
 *
 * @example
 * ```ts
 * const options = parseChaosArgs(['--events', '100000', '--seed', '7']);
 * ```
 */
export function parseChaosArgs(argv: readonly string[]): ChaosOptions {
  const { values } = parseArgs({
    args: [...argv],
    strict: true,
    allowPositionals: false,
    options: {
      events: { type: 'string' },
      workers: { type: 'string' },
      'batch-size': { type: 'string' },
      partitions: { type: 'string' },
      'duplicate-rate': { type: 'string' },
      'kill-rate': { type: 'string' },
      'throttle-rate': { type: 'string' },
      'drop-rate': { type: 'string' },
      'storm-rate': { type: 'string' },
      'slow-rate': { type: 'string' },
      outages: { type: 'string' },
      'outage-ms': { type: 'string' },
      'timeout-ms': { type: 'string' },
      'lease-margin-ms': { type: 'string' },
      'skew-ms': { type: 'string' },
      poison: { type: 'string' },
      consumers: { type: 'string' },
      broker: { type: 'string' },
      'broker-restarts': { type: 'string' },
      seed: { type: 'string' },
      json: { type: 'string' },
      keep: { type: 'boolean' },
      help: { type: 'boolean' },
    },
  });
  if (values.help) throw new HelpRequested();
  const consumers = (values.consumers ?? CHAOS_CONSUMERS.join(','))
    .split(',')
    .map((c) => c.trim())
    .filter((c) => c.length > 0);
  const chosen: ChaosConsumerName[] = [];
  for (const name of consumers) {
    const match = CHAOS_CONSUMERS.find((c) => c === name);
    if (!match) {
      throw new TypeError(
        `--consumers must list ${CHAOS_CONSUMERS.join(', ')}, got ${JSON.stringify(name)}.`,
      );
    }
    if (!chosen.includes(match)) chosen.push(match);
  }
  const broker = values.broker ?? 'memory';
  if (broker !== 'memory' && broker !== 'kafka') {
    throw new TypeError(`--broker must be memory or kafka, got ${JSON.stringify(broker)}.`);
  }
  if (chosen.length === 0) throw new TypeError('--consumers must name at least one consumer.');
  return {
    events: integer('--events', values.events, 2000, 1, 10_000_000),
    workers: integer('--workers', values.workers, 4, 1, 64),
    batchSize: integer('--batch-size', values['batch-size'], 10, 1, 10_000),
    partitions: integer('--partitions', values.partitions, 4, 1, 256),
    duplicateRate: rate('--duplicate-rate', values['duplicate-rate'], 0.1),
    killRate: rate('--kill-rate', values['kill-rate'], 0.05),
    throttleRate: rate('--throttle-rate', values['throttle-rate'], 0.02, 0.5),
    dropRate: rate('--drop-rate', values['drop-rate'], 0.01, 0.5),
    stormRate: rate('--storm-rate', values['storm-rate'], 0.03),
    slowRate: rate('--slow-rate', values['slow-rate'], 0.01),
    outages: integer('--outages', values.outages, 1, 0, 100),
    outageMs: integer('--outage-ms', values['outage-ms'], 1500, 0, 600_000),
    timeoutMs: integer('--timeout-ms', values['timeout-ms'], 4000, 500, 900_000),
    leaseMarginMs: integer('--lease-margin-ms', values['lease-margin-ms'], 250, 0, 900_000),
    skewMs: integer('--skew-ms', values['skew-ms'], 400, 0, 999),
    poison: integer('--poison', values.poison, 6, 0, 10_000),
    seed: integer('--seed', values.seed, 1, 0, 2 ** 32 - 1),
    json: values.json ?? '.local/chaos/report.json',
    keep: values.keep ?? false,
    broker,
    brokerRestarts: integer('--broker-restarts', values['broker-restarts'], 2, 0, 100),
    consumers: chosen,
  };
}

function integer(flag: string, raw: string | undefined, fallback: number, min: number, max: number): number {
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new TypeError(`${flag} must be an integer from ${min} to ${max}, got ${JSON.stringify(raw)}.`);
  }
  return value;
}

function rate(flag: string, raw: string | undefined, fallback: number, max = 1): number {
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value < 0 || value > max) {
    throw new TypeError(`${flag} must be a number from 0 to ${max}, got ${JSON.stringify(raw)}.`);
  }
  return value;
}
