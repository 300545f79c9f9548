import type { BundleFigures } from './bundles';
import type { ConsumerSideRow } from './consumers';
import type { KeyCpuFigures } from './cpu';
import type { BenchRun, Measurement } from './measure';
import type { CpuProfileSummary } from './profile';
import type { HotKeyRow, ScaleRow } from './scale';
import { SIDE_DEFINITIONS, SIDE_LABELS, type SideName } from './sides';
import type { SpellcheckCpuFigures } from './spellcheck-cpu';
import type { Scenario } from './workload';

/** Short names of operations in tables. */
const OP_ABBREVIATIONS: Readonly<Record<string, string>> = {
  BatchGetItem: 'BGet',
  GetItem: 'Get',
  PutItem: 'Put',
  UpdateItem: 'Upd',
  DeleteItem: 'Del',
  TransactWriteItems: 'TxW',
  BatchWriteItem: 'BWr',
};

const SCENARIO_LABELS: Readonly<Record<Scenario, string>> = {
  fresh: 'fresh batch',
  redelivered: 'redelivered (all done)',
  'after-failure': 'redelivery after fail @60%',
  'in-batch-duplicates': '20% in-batch duplicates',
};

const sideShort = (side: SideName): string => SIDE_DEFINITIONS[side].short;

/**
 * One target of the issue, evaluated on a run.
 *
 * @example
 * ```ts
 * const unmet = evaluateTargets(run).filter((t: TargetCheck) => t.met === false);
 * ```
 */
export interface TargetCheck {
  readonly name: string;
  /** `null` when the run cannot tell (wrong delay, size or scenario missing). */
  readonly met: boolean | null;
  readonly detail: string;
}

/**
 * Simulated delay (ms) under which the targets are defined.
 *
 * @example
 * ```ts
 * await runBenchmark({ ...config, sizes: [TARGET_SIZE], delayMs: TARGET_DELAY_MS });
 * ```
 */
export const TARGET_DELAY_MS = 5;

/**
 * Batch size at which the targets are defined.
 *
 * @example
 * ```ts
 * await runBenchmark({ ...config, sizes: [TARGET_SIZE], delayMs: TARGET_DELAY_MS });
 * ```
 */
export const TARGET_SIZE = 100;

/**
 * The targets of issue 13 at batch 100 with 5 ms simulated delay (two-phase side, the bench's
 * handler with its one `PutItem`).
 *
 * @example
 * ```ts
 * TARGETS.freshVsFloor; // 1.15
 * ```
 */
export const TARGETS = {
  /** Redelivered batch: Powertools wall / ours, at least. */
  redeliveredVsPowertools: 25,
  /** Requests per 100 records of a redelivered batch, at most. */
  redeliveredRequestsPer100: 1,
  /** Fresh batch: Powertools wall / ours, at least. */
  freshVsPowertools: 3,
  /** Fresh batch: ours wall / the floor's, at most. */
  freshVsFloor: 1.15,
  /** Fresh batch: writes of the layer per record (beyond the handler's own), at most. */
  freshLayerWritesPerRecord: 2,
  /** Single-write side, fresh batch: Powertools wall / ours, at least. */
  singleWriteVsPowertools: 2,
  /** Single-write side, fresh batch: write requests per record (the handler's effect included), at most. */
  singleWriteWritesPerRecord: 1,
  /** Local cache on, redelivered batch to the same warm side: requests, at most. */
  cachedRedeliveredRequests: 0,
} as const;

/**
 * Evaluates the {@link TARGETS} (batch of 100, 5 ms simulated delay, two-phase) for each partition
 * count of the run:
 * - redelivered batch at least 25x faster than Powertools with at most 1 request per 100 records;
 * - fresh batch at least 3x faster than Powertools, within 1.15x of the floor, with at most 2
 *   writes per record besides the handler's own;
 * - single-write side: fresh batch at least 2x faster than Powertools with 1 write per record;
 * - local cache on: a redelivered batch with no request at all.
 *
 * @example
 * ```ts
 * for (const t of evaluateTargets(run)) console.log(t.met ? 'MET' : 'NOT MET', t.name, t.detail);
 * ```
 */
export function evaluateTargets(run: BenchRun): TargetCheck[] {
  const checks: TargetCheck[] = [];
  if (run.simulatedDelayMs !== TARGET_DELAY_MS) {
    return [
      {
        name: 'targets',
        met: null,
        detail: `not evaluated: defined with a simulated delay of ${TARGET_DELAY_MS} ms, this run has ${run.simulatedDelayMs} ms`,
      },
    ];
  }
  const partitionCounts = [...new Set(run.measurements.map((m) => m.partitions))].sort((a, b) => a - b);
  for (const partitions of partitionCounts) {
    const find = (scenario: Scenario, side: SideName) =>
      run.measurements.find(
        (m) =>
          m.scenario === scenario && m.side === side && m.size === TARGET_SIZE && m.partitions === partitions,
      );
    const where = `batch ${TARGET_SIZE}, ${partitions} partition${partitions === 1 ? '' : 's'}`;
    const redelivered = find('redelivered', 'two-phase');
    if (redelivered?.ratioVsBaseline != null) {
      const perHundred = (redelivered.requestsTotal / redelivered.size) * 100;
      checks.push({
        name: `redelivered >= ${TARGETS.redeliveredVsPowertools}x Powertools, <= ${TARGETS.redeliveredRequestsPer100} request per 100 records (${where})`,
        met:
          redelivered.ratioVsBaseline >= TARGETS.redeliveredVsPowertools &&
          perHundred <= TARGETS.redeliveredRequestsPer100,
        detail: `${redelivered.ratioVsBaseline}x Powertools; ${fmt(perHundred, 2)} requests per 100 records`,
      });
    } else {
      checks.push({ name: `redelivered (${where})`, met: null, detail: 'not measured in this run' });
    }
    const fresh = find('fresh', 'two-phase');
    const floor = find('fresh', 'floor');
    if (fresh?.ratioVsBaseline != null) {
      const layerWrites = fresh.writesPerRecord - (floor?.writesPerRecord ?? 1);
      checks.push({
        name: `fresh >= ${TARGETS.freshVsPowertools}x Powertools, <= ${TARGETS.freshLayerWritesPerRecord} layer writes per record (${where})`,
        met:
          fresh.ratioVsBaseline >= TARGETS.freshVsPowertools &&
          layerWrites <= TARGETS.freshLayerWritesPerRecord,
        detail: `${fresh.ratioVsBaseline}x Powertools; ${fmt(layerWrites, 2)} layer writes per record (+ the handler's ${fmt(floor?.writesPerRecord ?? 1, 2)})`,
      });
    } else {
      checks.push({ name: `fresh vs Powertools (${where})`, met: null, detail: 'not measured in this run' });
    }
    if (fresh?.ratioVsFloor != null) {
      checks.push({
        name: `fresh <= ${TARGETS.freshVsFloor}x the floor (${where})`,
        met: fresh.ratioVsFloor <= TARGETS.freshVsFloor,
        detail: `${fresh.ratioVsFloor}x the floor (${fmt(fresh.wallMsMedian, 1)} ms against ${fmt(floor?.wallMsMedian ?? 0, 1)} ms)`,
      });
    } else {
      checks.push({ name: `fresh vs floor (${where})`, met: null, detail: 'not measured in this run' });
    }
    const single = find('fresh', 'single-write');
    if (single?.ratioVsBaseline != null) {
      checks.push({
        name: `single-write fresh >= ${TARGETS.singleWriteVsPowertools}x Powertools, ${TARGETS.singleWriteWritesPerRecord} write per record (${where})`,
        met:
          single.ratioVsBaseline >= TARGETS.singleWriteVsPowertools &&
          single.writesPerRecord <= TARGETS.singleWriteWritesPerRecord,
        detail: `${single.ratioVsBaseline}x Powertools; ${fmt(single.writesPerRecord, 2)} writes per record`,
      });
    }
    const cached = find('redelivered', 'two-phase-cached');
    if (cached) {
      checks.push({
        name: `redelivered with the local cache on: ${TARGETS.cachedRedeliveredRequests} requests (${where})`,
        met: cached.requestsTotal <= TARGETS.cachedRedeliveredRequests,
        detail: `${cached.requestsTotal} requests, ${fmt(cached.wallMsMedian, 2)} ms${cached.ratioVsBaseline != null ? `; ${cached.ratioVsBaseline}x Powertools` : ''}`,
      });
    }
  }
  return checks;
}

/**
 * Renders the measurements of a run as plain-text tables, one per batch size and partition count.
 *
 * @example
 * ```ts
 * process.stdout.write(renderRunTables(run));
 * ```
 */
export function renderRunTables(run: BenchRun): string {
  const delay =
    run.simulatedDelayMs > 0
      ? `SIMULATED network delay ${run.simulatedDelayMs} ms per DynamoDB request`
      : 'no simulated delay (DynamoDB Local on loopback)';
  const out: string[] = [];
  for (const { size, partitions, rows } of groupsOf(run.measurements)) {
    out.push(
      `Batch of ${size} records, ${partitions} partition${partitions === 1 ? '' : 's'}: ${delay}; median of ${run.rounds} round${run.rounds === 1 ? '' : 's'} after ${run.warmup} warm-up`,
    );
    out.push(renderTable(rows, run.capacityReported));
    out.push('');
  }
  return out.join('\n');
}

/**
 * Renders the same tables as Markdown (for the README).
 *
 * @example
 * ```ts
 * const md = renderRunMarkdown(run, { sizes: [100] });
 * ```
 */
export function renderRunMarkdown(
  run: BenchRun,
  filter: { readonly sizes?: readonly number[] } = {},
): string {
  const out: string[] = [];
  for (const { size, partitions, rows } of groupsOf(run.measurements)) {
    if (filter.sizes && !filter.sizes.includes(size)) continue;
    const delay =
      run.simulatedDelayMs > 0
        ? `**simulated** delay ${run.simulatedDelayMs} ms per request`
        : 'no simulated delay';
    out.push(`Batch of ${size}, ${partitions} partition${partitions === 1 ? '' : 's'}, ${delay}:`, '');
    out.push(
      '| scenario | side | wall ms | ms/record | x floor | Powertools/side | requests | writes/rec | RCU | WCU | failed cond. writes | CPU ms bench/engine |',
    );
    out.push('|---|---|--:|--:|--:|--:|---|--:|--:|--:|--:|--:|');
    for (const m of rows) {
      out.push(
        `| ${SCENARIO_LABELS[m.scenario]} | ${sideShort(m.side)} | ${fmt(m.wallMsMedian, 1)} | ${fmt(m.msPerRecord, 3)} | ${floorRatioOf(m)} | ${ratioOf(m)} | ${requestsOf(m)} | ${fmt(m.writesPerRecord, 2)} | ${capacityOf(m.readCapacityUnits)} | ${capacityOf(m.writeCapacityUnits)} | ${m.conditionalCheckFailures} | ${cpuOf(m)} |`,
      );
    }
    out.push('');
  }
  return out.join('\n');
}

/**
 * Renders the targets as lines `MET` / `NOT MET` / `n/a`.
 *
 * @example
 * ```ts
 * process.stdout.write(renderTargets(evaluateTargets(run)));
 * ```
 */
export function renderTargets(checks: readonly TargetCheck[]): string {
  return `${checks
    .map((c) => `  [${c.met === null ? 'n/a' : c.met ? 'MET' : 'NOT MET'}] ${c.name}: ${c.detail}`)
    .join('\n')}\n`;
}

/**
 * Renders the per-record CPU figures of decode + canonical JSON + hash.
 *
 * @example
 * ```ts
 * process.stdout.write(renderCpu(await measureKeyCpu()));
 * ```
 */
export function renderCpu(figures: readonly KeyCpuFigures[]): string {
  const rows = figures.map((f) => [
    `${fmt(f.valueBytes / 1024, 0)} KB`,
    String(f.iterations),
    fmt(f.usPerRecord.decode, 1),
    fmt(f.usPerRecord.canonicalJson, 1),
    fmt(f.usPerRecord.hash, 1),
    fmt(f.usPerRecord.total, 1),
    fmt(f.usPerRecord.totalBest, 1),
  ]);
  return table(
    [
      'value',
      'iterations',
      'decodeEvent µs',
      'canonical JSON µs',
      'SHA-256 µs',
      'decode + computeKey µs/record (median of 7 windows)',
      'best window',
    ],
    rows,
    [false, true, true, true, true, true, true],
  );
}

/**
 * Renders the spellchecker domain's time per record on each input.
 *
 * @example
 * ```ts
 * process.stdout.write(renderSpellcheckCpu(measureSpellcheckCpu()));
 * ```
 */
export function renderSpellcheckCpu(figures: readonly SpellcheckCpuFigures[]): string {
  const rows = figures.map((f) => [
    f.input,
    `${fmt(f.valueBytes / 1024, 0)} KB`,
    f.outcome.refused
      ? 'refused by the schema (poison)'
      : `${f.outcome.error_count} errors, ${f.outcome.long_word_count} long, ${f.outcome.unchecked_count} unchecked`,
    String(f.iterations),
    fmt(f.msPerRecord, 2),
    fmt(f.msMax, 2),
  ]);
  return table(['input', 'value', 'outcome', 'records', 'ms/record (median)', 'slowest ms'], rows, [
    false,
    true,
    false,
    true,
    true,
    true,
  ]);
}

/**
 * Renders bundle sizes and cold module-init times (without and with `--enable-source-maps`), then
 * what is in each bundle by package.
 *
 * @example
 * ```ts
 * process.stdout.write(renderBundles(await measureBundles()));
 * ```
 */
export function renderBundles(figures: readonly BundleFigures[]): string {
  const rows = figures.map((f) => [
    f.name,
    `${fmt(f.bytes / 1024, 1)} KB`,
    `${fmt(f.gzipBytes / 1024, 1)} KB`,
    f.deadLetterChunkBytes > 0 ? `${fmt(f.deadLetterChunkBytes / 1024, 1)} KB` : '-',
    `${fmt(f.sourceMapBytes / 1024, 0)} KB`,
    fmt(f.coldInitMs, 1),
    fmt(f.coldInitSourceMapsMs, 1),
    fmt(f.requireMs, 1),
    fmt(f.requireSourceMapsMs, 1),
    fmt(f.requireCpuMs, 1),
    fmt(f.requireCpuSourceMapsMs, 1),
    f.placeholder ? 'PLACEHOLDER handler' : '',
  ]);
  const sizes = table(
    [
      'function',
      'bundle (minified)',
      'gzip',
      'dead-letter chunk (loaded on first dead letter)',
      'source map',
      'cold init ms',
      'with source maps',
      'require() ms',
      'require() with maps',
      'require() CPU ms',
      'CPU with maps',
      '',
    ],
    rows,
    [false, true, true, true, true, true, true, true, true, true, true, false],
  );
  const packages = figures.map(
    (f) => `${f.name}: ${f.packages.map((p) => `${p.name} ${fmt(p.bytes / 1024, 0)} KB`).join(', ')}`,
  );
  return `${sizes}\n\nIn each bundle (bytes in the minified output, esbuild metafile):\n${packages.join('\n')}`;
}

/**
 * Renders the scale rows.
 *
 * @example
 * ```ts
 * process.stdout.write(renderScale(rows));
 * ```
 */
export function renderScale(rows: readonly ScaleRow[]): string {
  const body = rows.map((r) => [
    r.label,
    String(r.partitions),
    sideShort(r.side),
    `${fmt(r.eventBytes / 1024 / 1024, 1)} MB`,
    fmt(r.fresh.wallMs, 0),
    fmt(r.freshMsPerRecord, 3),
    requestsText(r.fresh.requests),
    inFlightText(r.fresh.maxInFlight),
    String(r.fresh.largestBatch.BatchGetItem ?? '-'),
    fmt(r.redelivered.wallMs, 0),
    requestsText(r.redelivered.requests),
    fmt(r.peakRssMb, 0),
    `${r.heapLimitMb === undefined ? '' : `heap ${r.heapLimitMb} MB`}${r.error ? ` FAILED: ${r.error}` : ''}`,
  ]);
  return table(
    [
      'batch',
      'partitions',
      'side',
      'event',
      'fresh ms',
      'ms/rec',
      'fresh requests',
      'max in flight',
      'keys/BGet',
      'redelivered ms',
      'redelivered requests',
      'peak RSS MB',
      '',
    ],
    body,
    [false, true, false, true, true, true, false, false, true, true, false, true, false],
  );
}

/**
 * Renders the sample consumer's rows: its handler on the floor, Powertools and ours.
 *
 * @example
 * ```ts
 * process.stdout.write(renderConsumerSides(rows));
 * ```
 */
export function renderConsumerSides(rows: readonly ConsumerSideRow[]): string {
  const names = { floor: 'floor', baseline: 'Powertools', ours: 'ours (consumer.create)' } as const;
  return table(
    ['consumer', 'scenario', 'partitions', 'side', 'wall ms', 'x floor', 'PT/side', 'requests'],
    rows.map((r) => [
      r.consumer,
      r.scenario,
      String(r.partitions),
      names[r.side],
      fmt(r.wallMsMedian, 1),
      r.ratioVsFloor === null ? '-' : `${fmt(r.ratioVsFloor, 2)}x`,
      r.ratioVsBaseline === null ? '-' : `${fmt(r.ratioVsBaseline, 1)}x`,
      requestsText(r.requests),
    ]),
    [false, false, true, false, true, true, true, false],
  );
}

/**
 * Renders the hot-key row in one line.
 *
 * @example
 * ```ts
 * console.log(renderHotKey(row));
 * ```
 */
export function renderHotKey(row: HotKeyRow): string {
  return `${row.workers} workers delivered the same record at once: the handler ran ${row.handlerCalls} time(s), ${row.retried} left it for a redelivery (in progress elsewhere), ${row.duplicates} found it done; ${fmt(row.wallMs, 1)} ms; requests ${requestsText(row.requests)}`;
}

/**
 * Renders the CPU profile summary: the top functions by self time and the time by area.
 *
 * @example
 * ```ts
 * console.log(renderProfile(await profileKeyCpu()));
 * ```
 */
export function renderProfile(profile: CpuProfileSummary): string {
  const top = table(
    ['self %', 'function', 'where'],
    profile.top.map((f) => [fmt(f.selfPercent, 1), f.function, f.where]),
    [true, false, false],
  );
  const areas = profile.byArea.map((a) => `${a.area} ${fmt(a.selfPercent, 1)}%`).join(', ');
  return `${top}\nBy area: ${areas}`;
}

function requestsText(requests: Readonly<Record<string, number>>): string {
  return Object.entries(requests)
    .map(([op, n]) => `${OP_ABBREVIATIONS[op] ?? op} ${n}`)
    .join(', ');
}

function inFlightText(max: Readonly<Record<string, number>>): string {
  return Object.entries(max)
    .filter(([op]) => op !== 'total')
    .map(([op, n]) => `${OP_ABBREVIATIONS[op] ?? op} ${n}`)
    .join(', ');
}

function renderTable(rows: readonly Measurement[], capacityReported: boolean): string {
  const body = rows.map((m) => [
    SCENARIO_LABELS[m.scenario],
    sideShort(m.side),
    fmt(m.wallMsMedian, 1),
    fmt(m.msPerRecord, 3),
    floorRatioOf(m),
    ratioOf(m),
    requestsOf(m),
    fmt((m.requestsTotal / m.size) * 100, 1),
    fmt(m.writesPerRecord, 2),
    capacityReported ? capacityOf(m.readCapacityUnits) : 'not reported',
    capacityReported ? capacityOf(m.writeCapacityUnits) : 'not reported',
    String(m.conditionalCheckFailures),
    `${m.handlerCalls}/${m.duplicates}`,
    cpuOf(m),
    m.violations.length > 0 ? `VIOLATION: ${m.violations.join('; ')}` : '',
  ]);
  return table(
    [
      'scenario',
      'side',
      'wall ms',
      'ms/rec',
      'x floor',
      'PT/side',
      'requests',
      'req/100 rec',
      'writes/rec',
      'RCU',
      'WCU',
      'cond.fail',
      'ran/dup',
      'CPU ms bench/engine',
      '',
    ],
    body,
    [false, false, true, true, true, true, false, true, true, true, true, true, true, true, false],
  );
}

/**
 * The legend printed under the tables.
 *
 * @example
 * ```ts
 * console.log(legend());
 * ```
 */
export function legend(): string {
  return [
    'Sides:',
    ...Object.entries(SIDE_LABELS).map(([side, label]) => `  ${sideShort(side as SideName)}: ${label}`),
    'Columns: wall ms = median wall time of the measured delivery; ms/rec = wall / records; x floor = this',
    '  side / the floor (no idempotency); PT/side = Powertools wall / this side; requests = HTTP attempts by operation (BGet BatchGetItem, Put PutItem,',
    '  Upd UpdateItem, Del DeleteItem, TxW TransactWriteItems); RCU/WCU = capacity units the engine reported',
    '  (ReturnConsumedCapacity TOTAL) on successful requests; cond.fail = writes rejected by their condition',
    '  (billed >= 1 WCU each on AWS, but no error response reports capacity); ran/dup = handler runs / records',
    '  answered as already done; CPU ms bench/engine = CPU time of this process (handler, layer, SDK) and of',
    '  the DynamoDB Local JVM during the delivery (both on the same 2 cores). Every side runs the same',
    '  handler: one PutItem of its effect (committed with the completion on the tx side).',
  ].join('\n');
}

function groupsOf(measurements: readonly Measurement[]) {
  const groups: { size: number; partitions: number; rows: Measurement[] }[] = [];
  for (const m of measurements) {
    let group = groups.find((g) => g.size === m.size && g.partitions === m.partitions);
    if (!group) {
      group = { size: m.size, partitions: m.partitions, rows: [] };
      groups.push(group);
    }
    group.rows.push(m);
  }
  return groups;
}

function floorRatioOf(m: Measurement): string {
  return m.ratioVsFloor === null ? '-' : `${fmt(m.ratioVsFloor, 2)}x`;
}

function ratioOf(m: Measurement): string {
  return m.ratioVsBaseline === null ? '-' : `${fmt(m.ratioVsBaseline, 1)}x`;
}

function requestsOf(m: Measurement): string {
  return Object.entries(m.requests)
    .map(([op, n]) => `${OP_ABBREVIATIONS[op] ?? op} ${n}`)
    .join(', ');
}

function cpuOf(m: Measurement): string {
  return `${fmt(m.benchCpuMs, 0)}/${m.engineCpuMs === null ? '?' : fmt(m.engineCpuMs, 0)}`;
}

function capacityOf(units: number | null): string {
  return units === null ? 'not reported' : fmt(units, 1);
}

function fmt(value: number, decimals: number): string {
  return value.toFixed(decimals);
}

function table(
  headers: readonly string[],
  rows: readonly string[][],
  rightAlign: readonly boolean[],
): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, i) => {
        const width = widths[i] ?? 0;
        return rightAlign[i] ? cell.padStart(width) : cell.padEnd(width);
      })
      .join('  ')
      .trimEnd();
  return [line(headers), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}
