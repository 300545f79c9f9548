/**
 * `npm run bench`: this project's Kafka batch processor against the baseline users pick today
 * (Powertools `makeIdempotent` per record), side by side on one in-memory DynamoDB Local, plus the
 * per-record CPU cost of keying, the spellchecker domain's time per record on worst-case inputs, and
 * each function's bundle size and cold module-init time.
 *
 * Tables go to stdout, progress to stderr, everything to `bench-results/latest.json` (or `--out`).
 * Run `npm run bench -- --help` for the options.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { DEFAULT_MAX_WORK, MAX_WORD_LENGTH } from '../../functions/spellchecker/speller';
import { reserveStdout, runMain } from '../../scripts/lib/cli';
import { FUNCTION_ESBUILD_TARGET } from '../../scripts/lib/local';
import { DEFAULTS } from '../../shared/internal';
import { startDynamoDbLocal } from '../testing/dynamodb-local';
import { type BundleFigures, measureBundles } from './bundles';
import { benchHtml } from './charts';
import { type CodecCpuFigures, measureCodecCpu } from './codec-cpu';
import { type ConsumerSideRow, measureConsumerSides } from './consumers';
import { type KeyCpuFigures, measureKeyCpu } from './cpu';
import { machineInfo } from './machine';
import { type BenchProgress, type BenchRun, runBenchmark } from './measure';
import { type BenchOptions, parseBenchArgs, USAGE } from './options';
import { type CpuProfileSummary, profileKeyCpu } from './profile';
import {
  evaluateTargets,
  legend,
  renderBundles,
  renderConsumerSides,
  renderCpu,
  renderHotKey,
  renderProfile,
  renderRunTables,
  renderScale,
  renderSpellcheckCpu,
  renderTargets,
  TARGET_DELAY_MS,
  TARGET_SIZE,
  type TargetCheck,
} from './report';
import {
  type HotKeyRow,
  MAX_PAYLOAD_BYTES,
  measureHotKey,
  measureScale,
  type ScaleRow,
  scaleCells,
} from './scale';
import { POWERTOOLS_KEY_JMESPATH, SIDES } from './sides';
import { measureSpellcheckCpu, type SpellcheckCpuFigures } from './spellcheck-cpu';
import { round } from './stats';
import { DUPLICATE_SHARE, FAILURE_AT } from './workload';

/**
 * Everything one `npm run bench` wrote to its JSON file.
 *
 * @example
 * ```ts
 * const report = JSON.parse(readFileSync('bench-results/latest.json', 'utf8')) as BenchReport;
 * ```
 */
export interface BenchReport {
  readonly generatedAt: string;
  readonly command: string;
  readonly machine: ReturnType<typeof machineInfo>;
  readonly options: BenchOptions;
  readonly notes: readonly string[];
  readonly run: BenchRun;
  readonly targets: {
    /** `main run` when the run itself had the targets' delay, else the extra pass (or `skipped`). */
    readonly source: 'main run' | 'target pass' | 'skipped';
    readonly run: BenchRun | undefined;
    readonly checks: readonly TargetCheck[];
  };
  readonly cpu: readonly KeyCpuFigures[] | undefined;
  /** Decode + key per record for each record codec (1 KB payload). */
  readonly codecCpu?: readonly CodecCpuFigures[] | undefined;
  /** The spellchecker domain per record on worst-case inputs (with the CPU figures). */
  readonly spellcheck: readonly SpellcheckCpuFigures[] | undefined;
  readonly bundles: readonly BundleFigures[] | undefined;
  /** Batches of 1,000 and 10,000 records and a 6 MB payload, each in its own process. */
  readonly scale: readonly ScaleRow[] | undefined;
  readonly hotKey: HotKeyRow | undefined;
  /** The spellchecker's own handler on the floor, Powertools and ours (batch 100). */
  readonly consumers: readonly ConsumerSideRow[] | undefined;
  /** CPU profile of decode + key (top functions by self time). */
  readonly profile: CpuProfileSummary | undefined;
  readonly durationSeconds: number;
}

const NOTES: readonly string[] = [
  `Baseline: @aws-lambda-powertools/idempotency makeIdempotent + DynamoDBPersistenceLayer on its own table (key id, TTL expiration), one record at a time in offset order, partition after partition; eventKeyJmesPath ${JSON.stringify(POWERTOOLS_KEY_JMESPATH)} (data + event_type, like our content key); Lambda context registered with config.registerLambdaContext.`,
  `Floor: the same handler (decode the value, one PutItem of its effect) with no idempotency at all, records of a partition in offset order, ${DEFAULTS.partitionConcurrency} partitions at once; every side's wall time is also given as a ratio to it.`,
  "Every side runs the same handler: one PutItem of the record's effect into a consumer table (the transactional side commits it with the completion instead).",
  `Ours: createKafkaHandler + Idempotency (content key, defaults: ${DEFAULTS.partitionConcurrency} partitions and ${DEFAULTS.claimConcurrency} claims in flight at once, the pre-check's BatchGetItem ${DEFAULTS.precheckConcurrency} at once), partialBatchResponse false; logger and metrics are no-ops on our side (the baseline logs nothing).`,
  'Same records for every side in a round; fresh keys every round; each side has its own client, table and counters. "redelivered" is the fresh batch delivered a second time.',
  `"after-failure": the first delivery fails (retryable error) at the record at ${FAILURE_AT * 100}% of the batch in the order a sequential consumer walks it; the baseline stops there as a Lambda that throws would, ours stops only that partition. The whole batch is then delivered again and that delivery is measured.`,
  `"in-batch-duplicates": ${DUPLICATE_SHARE * 100}% of the records repeat an earlier record's data with a new event_id, possibly on another partition.`,
  'Requests are HTTP attempts counted inside the SDK retry loop. Capacity units are what DynamoDB Local reported with ReturnConsumedCapacity TOTAL on successful requests; a write rejected by its condition is billed >= 1 WCU on AWS but its error carries no capacity, so it is counted separately (cond.fail).',
  'A simulated delay is a fixed sleep per request attempt inside the SDK (injectFaults delay), not a measured network.',
];

/** Concurrent workers of the hot-key row. */
const HOT_KEY_WORKERS = 16;

async function main(): Promise<number> {
  const options = parseBenchArgs(process.argv.slice(2));
  const print = reserveStdout();
  if (options.help) {
    print(USAGE);
    return 0;
  }
  const started = performance.now();
  const log = (message: string) =>
    process.stderr.write(
      `[bench ${((performance.now() - started) / 1000).toFixed(0).padStart(4)}s] ${message}\n`,
    );
  const machine = machineInfo();
  log(
    `${machine.cores} cores, Node ${machine.node}, ${machine.dynamoDbLocal}; sizes ${options.sizes.join(',')}, partitions ${options.partitions.join(',')}, ${options.rounds} rounds + ${options.warmup} warm-up, delay ${options.delayMs > 0 ? `${options.delayMs} ms SIMULATED` : 'none'}`,
  );

  log('starting DynamoDB Local (in memory)');
  const engine = await startDynamoDbLocal();
  let run: BenchRun;
  let targetRun: BenchRun | undefined;
  let targetSource: BenchReport['targets']['source'] = 'skipped';
  let scale: ScaleRow[] | undefined;
  let hotKey: HotKeyRow | undefined;
  let consumers: ConsumerSideRow[] | undefined;
  try {
    log('warming up the engine (one unmeasured fresh + redelivered round of 100 records per side)');
    await runBenchmark({
      endpoint: engine.endpoint,
      sizes: [100],
      partitions: [1],
      scenarios: ['fresh', 'redelivered'],
      rounds: 1,
      warmup: 0,
      delayMs: 0,
    });

    const progress = (prefix: string) => (p: BenchProgress) => {
      const summary = p.measurements
        .filter((m) => m.side !== 'baseline' && m.side !== 'floor')
        .map(
          (m) => `${m.scenario} ${m.side} ${m.ratioVsFloor ?? '-'}x floor, PT ${m.ratioVsBaseline ?? '-'}x`,
        )
        .join(', ');
      log(`${prefix}${p.done}/${p.total} batch ${p.size} x ${p.partitions} partition(s) done: ${summary}`);
    };
    log(`measuring ${SIDES.join(', ')}`);
    run = await runBenchmark({
      endpoint: engine.endpoint,
      sizes: options.sizes,
      partitions: options.partitions,
      scenarios: options.scenarios,
      rounds: options.rounds,
      warmup: options.warmup,
      delayMs: options.delayMs,
      enginePid: engine.process.pid,
      onProgress: progress(''),
    });

    const targetsInRun =
      options.delayMs === TARGET_DELAY_MS &&
      options.sizes.includes(TARGET_SIZE) &&
      options.scenarios.includes('fresh') &&
      options.scenarios.includes('redelivered');
    if (targetsInRun) {
      targetSource = 'main run';
    } else if (!options.skipTargets) {
      // One partition: the processor's least parallel case (the baseline is sequential either way).
      const partitions = [options.partitions[0] ?? 1];
      log(
        `target pass: batch ${TARGET_SIZE}, ${partitions[0]} partition(s), SIMULATED delay ${TARGET_DELAY_MS} ms, fresh + redelivered`,
      );
      targetRun = await runBenchmark({
        endpoint: engine.endpoint,
        sizes: [TARGET_SIZE],
        partitions,
        scenarios: ['fresh', 'redelivered'],
        sides: ['floor', 'baseline', 'two-phase'],
        rounds: options.rounds,
        warmup: options.warmup,
        delayMs: TARGET_DELAY_MS,
        enginePid: engine.process.pid,
        onProgress: progress('target pass '),
      });
      targetSource = 'target pass';
    }
    if (!options.skipConsumers) {
      consumers = [];
      for (const partitions of options.partitions) {
        log(
          `sample consumer: spellchecker, batch ${TARGET_SIZE}, ${partitions} partition(s), floor / Powertools / ours`,
        );
        consumers.push(
          ...(await measureConsumerSides({
            endpoint: engine.endpoint,
            size: TARGET_SIZE,
            partitions,
            delayMs: options.delayMs,
            rounds: options.rounds,
          })),
        );
      }
    }
    if (!options.skipScale) {
      const cells = scaleCells({ quick: options.quick });
      // No simulated delay: the rows are about memory, requests and in-flight bounds at size, and a
      // sequential 10,000-record floor at 5 ms a request would take minutes per row.
      log(`scale: ${cells.length} rows, each in its own node process (no simulated delay)`);
      scale = await measureScale({
        endpoint: engine.endpoint,
        cells,
        onRow: (row) =>
          log(
            `scale: ${row.label}, ${row.partitions} partition(s), ${row.side}: fresh ${row.fresh.wallMs} ms, peak RSS ${row.peakRssMb} MB`,
          ),
      });
      hotKey = await measureHotKey({
        endpoint: engine.endpoint,
        workers: HOT_KEY_WORKERS,
        delayMs: options.delayMs,
      });
      log(`hot key: ${hotKey.workers} workers, ${hotKey.handlerCalls} handler run(s), ${hotKey.wallMs} ms`);
    }
  } finally {
    await engine.stop();
  }
  const checks =
    targetSource === 'main run' ? evaluateTargets(run) : targetRun ? evaluateTargets(targetRun) : [];

  let cpu: KeyCpuFigures[] | undefined;
  let codecCpu: CodecCpuFigures[] | undefined;
  let spellcheck: SpellcheckCpuFigures[] | undefined;
  let profile: CpuProfileSummary | undefined;
  if (!options.skipCpu) {
    log('CPU: decodeEvent + computeKey for 1 KB and 64 KB values');
    cpu = measureKeyCpu({ budgetMs: options.quick ? 300 : 800 });
    log('CPU: each record codec, decode + computeKey, 1 KB payload');
    codecCpu = measureCodecCpu({ budgetMs: options.quick ? 300 : 800 });
    log('CPU: the spellchecker domain per record on worst-case inputs');
    spellcheck = measureSpellcheckCpu({ budgetMs: options.quick ? 100 : 250 });
    log('CPU: profile of decode + key (node --cpu-prof)');
    profile = await profileKeyCpu({ durationMs: options.quick ? 1000 : 3000 });
  }
  let bundles: BundleFigures[] | undefined;
  if (!options.skipBundles) {
    log(`bundles: esbuild (${FUNCTION_ESBUILD_TARGET}, minify) and cold module init`);
    bundles = await measureBundles({ runs: options.quick ? 3 : 7 });
  }

  const report: BenchReport = {
    generatedAt: new Date().toISOString(),
    command: ['npm run bench', ...(process.argv.length > 2 ? ['--', ...process.argv.slice(2)] : [])].join(
      ' ',
    ),
    machine,
    options,
    notes: NOTES,
    run,
    targets: { source: targetSource, run: targetRun, checks },
    cpu,
    codecCpu,
    spellcheck,
    bundles,
    scale,
    hotKey,
    consumers,
    profile,
    durationSeconds: round((performance.now() - started) / 1000, 1),
  };
  const out = resolve(options.out);
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, `${JSON.stringify(report, null, 2)}\n`);
  const html = out.replace(/\.json$/, '') + '.html';
  writeFileSync(html, benchHtml(report));

  print(`\n${renderRunTables(run)}\n${legend()}\n\n`);
  if (targetRun)
    print(`Target pass (SIMULATED delay ${TARGET_DELAY_MS} ms):\n\n${renderRunTables(targetRun)}\n`);
  print(
    `Targets (batch ${TARGET_SIZE}, SIMULATED delay ${TARGET_DELAY_MS} ms, two-phase, the bench's handler with its PutItem; from the ${targetSource}):\n`,
  );
  print(checks.length > 0 ? renderTargets(checks) : '  skipped (--skip-targets)\n');
  if (cpu) print(`\nPer-record CPU, decode + canonical JSON + SHA-256 (single thread):\n${renderCpu(cpu)}\n`);
  if (codecCpu) {
    const lines = codecCpu.map(
      (f) =>
        `  ${f.codec.padEnd(24)} ${String(f.valueBytes).padStart(5)} B  ${f.usPerRecord.toFixed(1).padStart(7)} µs/record (best window ${f.best.toFixed(1)})`,
    );
    print(`\nPer-record CPU by record codec, decode + content key, ~1 KB payload:\n${lines.join('\n')}\n`);
  }
  if (profile)
    print(
      `\nCPU profile of decode + key (${profile.valueBytes} B value, ${profile.durationMs} ms under --cpu-prof, ${profile.usPerCallProfiled} µs per call with the profiler):\n${renderProfile(profile)}\n`,
    );
  if (spellcheck) {
    print(
      `\nSpellchecker domain per record: decodeEvent + schema + check, single thread, warm speller (words over ${MAX_WORD_LENGTH} letters not checked, work budget ${DEFAULT_MAX_WORK} units per text):\n${renderSpellcheckCpu(spellcheck)}\n`,
    );
  }
  if (bundles) {
    print(
      `\nBundles (esbuild ${machine.esbuild}: bundle, platform node, target ${FUNCTION_ESBUILD_TARGET}, minify, cjs, SDK included; cold init = median of ${bundles[0]?.runs ?? 0} fresh \`node -e "require(bundle)"\` minus a bare \`node -e ""\` of ${round(bundles[0]?.bareNodeMs ?? 0, 1)} ms, on Node ${machine.node}):\n${renderBundles(bundles)}\n`,
    );
  }
  if (scale) {
    print(
      `\nScale rows (each in its own node process; no simulated delay; the event source sends at most ${MAX_PAYLOAD_BYTES} bytes per invocation):\n${renderScale(scale)}\n`,
    );
  }
  if (hotKey) print(`\nHot key: ${renderHotKey(hotKey)}\n`);
  if (consumers) {
    print(
      `\nSample consumer, the spellchecker's own handler (decode, schema, spellcheck of ~1,000 characters, its PutItem), delay ${options.delayMs} ms:\n${renderConsumerSides(consumers)}\n`,
    );
  }
  print(
    `\nMachine: ${machine.cores} cores (${machine.cpuModel}), ${machine.memoryGiB} GiB, Node ${machine.node}, ${machine.dynamoDbLocal}. Took ${report.durationSeconds} s. JSON: ${options.out}, HTML: ${html}\n`,
  );
  const violations = [...run.measurements, ...(targetRun?.measurements ?? [])].filter(
    (m) => m.violations.length > 0,
  );
  if (violations.length > 0) {
    log(`${violations.length} measurement(s) broke effectively-once expectations; see the tables.`);
    return 1;
  }
  return 0;
}

if (require.main === module) runMain(main, 'npm run bench -- --help');
