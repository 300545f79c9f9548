import { readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { type Bar, barChart, htmlPage, lineChart, type Section, type Series } from '../report/svg';
import type { BenchReport } from './bench';
import type { BenchRun, Measurement } from './measure';
import { SIDE_DEFINITIONS, SIDES, type SideName } from './sides';
import { SCENARIOS, type Scenario } from './workload';

const SCENARIO_NAMES: Readonly<Record<Scenario, string>> = {
  fresh: 'fresh batch',
  redelivered: 'redelivered (all done)',
  'after-failure': 'redelivery after fail @60%',
  'in-batch-duplicates': '20% in-batch duplicates',
};

/**
 * The charts' view of a report: the parts of {@link BenchReport} they read (so a trimmed JSON, as
 * committed beside the README's chart, still renders).
 *
 * @example
 * ```ts
 * const input: ChartInput = JSON.parse(readFileSync('tools/bench/charts/fresh-batch.json', 'utf8'));
 * ```
 */
export type ChartInput = Pick<BenchReport, 'run' | 'targets' | 'scale' | 'hotKey' | 'bundles' | 'command'> &
  Partial<Pick<BenchReport, 'generatedAt' | 'machine'>>;

/**
 * Bars of one batch size × partition count: each side's wall time as a ratio to the floor, one
 * group per scenario, the note giving the ratio to Powertools as well.
 *
 * @example
 * ```ts
 * const svg = ratioChart(run, 100, 1);
 * ```
 */
export function ratioChart(run: BenchRun, size: number, partitions: number): string {
  const bars: Bar[] = [];
  for (const scenario of SCENARIOS) {
    for (const side of SIDES) {
      const m = run.measurements.find(
        (x) => x.scenario === scenario && x.side === side && x.size === size && x.partitions === partitions,
      );
      if (!m) continue;
      const ratio = side === 'floor' ? 1 : m.ratioVsFloor;
      if (ratio === null) continue;
      const vsPowertools =
        m.ratioVsBaseline === null ? '' : `, ${m.ratioVsBaseline.toFixed(1)}x faster than Powertools`;
      bars.push({
        group: SCENARIO_NAMES[scenario],
        label: SIDE_DEFINITIONS[side].short,
        value: ratio,
        note: `${ratio.toFixed(2)}x floor (${m.wallMsMedian.toFixed(0)} ms${vsPowertools})`,
      });
    }
  }
  const delay = run.simulatedDelayMs > 0 ? `, simulated ${run.simulatedDelayMs} ms/request` : '';
  return barChart({
    title: `Wall time / floor (no idempotency): batch of ${size}, ${partitions} partition${partitions === 1 ? '' : 's'}${delay}`,
    bars,
    unit: 'x',
    reference: 1,
    log: true,
    width: 860,
  });
}

function groups(run: BenchRun): { size: number; partitions: number }[] {
  const seen = new Map<string, { size: number; partitions: number }>();
  for (const m of run.measurements)
    seen.set(`${m.size}/${m.partitions}`, { size: m.size, partitions: m.partitions });
  return [...seen.values()];
}

/**
 * Milliseconds per record of a fresh batch by batch size, one line per side and partition count
 * (the main run's sizes and the scale rows).
 *
 * @example
 * ```ts
 * const svg = latencyChart(report);
 * ```
 */
export function latencyChart(report: ChartInput): string {
  const series = new Map<string, Series['points'][number][]>();
  const add = (name: string, x: number, y: number) => {
    if (!series.has(name)) series.set(name, []);
    series.get(name)?.push({ x, y });
  };
  const delay = report.run.simulatedDelayMs;
  for (const m of report.run.measurements.filter((x: Measurement) => x.scenario === 'fresh')) {
    add(`${SIDE_DEFINITIONS[m.side].short}, ${m.partitions}p`, m.size, m.msPerRecord);
  }
  for (const row of report.scale ?? []) {
    if (row.valueBytes !== 1024 || row.heapLimitMb !== undefined || row.simulatedDelayMs !== delay) continue;
    add(`${SIDE_DEFINITIONS[row.side].short}, ${row.partitions}p`, row.size, row.freshMsPerRecord);
  }
  return lineChart({
    title: `Fresh batch, ms per record by batch size${delay > 0 ? ` (simulated ${delay} ms per request)` : ' (no simulated delay)'}`,
    xLabel: 'records in the batch (log scale)',
    yLabel: 'ms per record',
    logX: true,
    series: [...series].map(([name, points]) => ({ name, points })),
  });
}

/**
 * Peak resident memory of the handler process by batch size (the scale rows), one line per side
 * and partition count, with the 256 MB a function could be given.
 *
 * @example
 * ```ts
 * const svg = memoryChart(report.scale ?? []);
 * ```
 */
export function memoryChart(rows: NonNullable<ChartInput['scale']>): string {
  const series = new Map<string, { x: number; y: number }[]>();
  for (const row of rows) {
    if (row.valueBytes !== 1024) continue;
    const name = `${SIDE_DEFINITIONS[row.side].short}, ${row.partitions}p${row.heapLimitMb ? `, heap ${row.heapLimitMb} MB` : ''}`;
    if (!series.has(name)) series.set(name, []);
    series.get(name)?.push({ x: row.size, y: row.peakRssMb });
  }
  return lineChart({
    title: 'Peak resident memory of the handler process, 1 KB records',
    xLabel: 'records in the batch (log scale)',
    yLabel: 'peak RSS (MB)',
    logX: true,
    limit: { y: 256, label: '256 MB' },
    series: [...series].map(([name, points]) => ({ name, points })),
  });
}

/**
 * Bundle size and cold module init of every bundle side, as bars.
 *
 * @example
 * ```ts
 * const svg = bundleChart(report.bundles ?? []);
 * ```
 */
export function bundleChart(bundles: NonNullable<ChartInput['bundles']>): string {
  const bars: Bar[] = [];
  for (const b of bundles) {
    bars.push({ group: 'bundle, minified (KB)', label: b.name, value: b.bytes / 1024 });
  }
  for (const b of bundles) {
    bars.push({
      group: 'cold module init: CPU ms of require() in a fresh node',
      label: b.name,
      value: b.requireCpuMs,
    });
  }
  for (const b of bundles) {
    bars.push({
      group: 'the same with NODE_OPTIONS=--enable-source-maps',
      label: b.name,
      value: b.requireCpuSourceMapsMs,
    });
  }
  return barChart({ title: 'Bundles and cold module init', bars, width: 860 });
}

/**
 * The chart the README embeds: the fresh and redelivered batch at the targets' setting (batch of
 * 100, simulated 5 ms), on one partition, from the target pass or the main run.
 *
 * @example
 * ```ts
 * writeFileSync('tools/bench/charts/fresh-batch.svg', readmeChart(report));
 * ```
 */
export function readmeChart(report: ChartInput): string {
  const run = report.targets.run ?? report.run;
  const first = groups(run).find((g) => g.size === 100) ?? groups(run)[0];
  if (!first) throw new Error('bench charts: the run has no measurement to chart.');
  return ratioChart(run, first.size, first.partitions);
}

/**
 * The HTML report of a run: every chart, inline SVG, no script.
 *
 * @example
 * ```ts
 * writeFileSync('bench-results/latest.html', benchHtml(report));
 * ```
 */
export function benchHtml(report: ChartInput): string {
  const sections: Section[] = [];
  const runs: { name: string; run: BenchRun }[] = [{ name: 'Main run', run: report.run }];
  if (report.targets.run) runs.push({ name: 'Target pass', run: report.targets.run });
  for (const { name, run } of runs) {
    for (const g of groups(run)) {
      sections.push({
        heading: `${name}: batch of ${g.size}, ${g.partitions} partition(s)`,
        svg: ratioChart(run, g.size, g.partitions),
      });
    }
  }
  sections.push({ heading: 'Latency per record', svg: latencyChart(report) });
  if (report.scale && report.scale.length > 0) {
    sections.push({
      heading: 'Memory by batch size',
      svg: memoryChart(report.scale),
      notes: [
        'Each row ran in its own node process (the handler bundled with esbuild); peak RSS is its VmHWM.',
      ],
    });
  }
  if (report.bundles && report.bundles.length > 0) {
    sections.push({ heading: 'Bundles', svg: bundleChart(report.bundles) });
  }
  if (report.targets.checks.length > 0) {
    sections.push({
      heading: 'Targets',
      notes: report.targets.checks.map(
        (c) => `[${c.met === null ? 'n/a' : c.met ? 'MET' : 'NOT MET'}] ${c.name}: ${c.detail}`,
      ),
    });
  }
  const intro = [
    `Command: ${report.command}`,
    ...(report.machine
      ? [
          `Machine: ${report.machine.cores} cores (${report.machine.cpuModel}), Node ${report.machine.node}, ${report.machine.dynamoDbLocal}.`,
        ]
      : []),
    ...(report.generatedAt ? [`Generated ${report.generatedAt}.`] : []),
  ];
  return htmlPage('Benchmark: the idempotency layer against Powertools and the floor', sections, intro);
}

/** Sides in a report, for callers that list them. */
export function sidesOf(run: BenchRun): SideName[] {
  return SIDES.filter((side) => run.measurements.some((m) => m.side === side));
}

/**
 * `npm run bench:charts -- <report.json> [--readme <svg>]`: writes the HTML report beside the JSON
 * (`.html`), and with `--readme` the README's chart.
 *
 * @example
 * ```sh
 * npm run bench:charts -- tools/bench/charts/fresh-batch.json --readme tools/bench/charts/fresh-batch.svg
 * ```
 */
function main(argv: readonly string[]): void {
  const [input, flag, svgPath] = argv;
  if (input === undefined || (flag !== undefined && (flag !== '--readme' || svgPath === undefined))) {
    throw new Error('Usage: npm run bench:charts -- <report.json> [--readme <chart.svg>]');
  }
  const report = JSON.parse(readFileSync(resolve(input), 'utf8')) as ChartInput;
  const html = resolve(input.replace(/\.json$/, '') + '.html');
  writeFileSync(html, benchHtml(report));
  process.stdout.write(`HTML report: ${html}\n`);
  if (svgPath !== undefined) {
    writeFileSync(resolve(svgPath), readmeChart(report));
    process.stdout.write(`README chart: ${resolve(svgPath)}\n`);
  }
}

if (require.main === module) main(process.argv.slice(2));
