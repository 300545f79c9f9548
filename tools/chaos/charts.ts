/**
 * The chaos run's HTML report, drawn from the JSON `npm run chaos` writes (nothing else is read):
 * latency distribution per consumer, duplicate effects by cause, deaths by kill point, injected
 * faults by kind. `npm run chaos:charts -- [report.json]` writes `<report>.html` beside it.
 *
 * @example
 * ```sh
 * npm run chaos && npm run chaos:charts -- .local/chaos/report.json
 * ```
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { type Bar, barChart, htmlPage, type Section } from '../report/svg';
import type { ChaosReport } from './report';

/**
 * The HTML report of a chaos run.
 *
 * @example
 * ```ts
 * writeFileSync('report.html', chaosHtml(JSON.parse(readFileSync('report.json', 'utf8'))));
 * ```
 */
export function chaosHtml(report: ChaosReport): string {
  const consumers = report.figures.consumers;
  const latency: Bar[] = consumers.flatMap((c) =>
    (['p50', 'p99', 'max'] as const).flatMap((p) => {
      const value = c.latencyMs[p];
      return value === undefined
        ? []
        : [
            {
              group: `${c.consumer} (${c.mode}, ${c.latencyMs.count} events)`,
              label: p,
              value,
              note: `${value.toFixed(0)} ms`,
            },
          ];
    }),
  );
  const duplicates: Bar[] = consumers.flatMap((c) => {
    const group = `${c.consumer} (${c.mode}): ${c.duplicateEffects} duplicate effect(s)`;
    const causes = Object.entries(c.duplicateEffectsExplained).map(([cause, count]) => ({
      group,
      label: cause,
      value: count,
      note: `${count} explained`,
    }));
    return [
      ...causes,
      {
        group,
        label: 'unexplained',
        value: c.unexplainedDuplicateEffects,
        note: `${c.unexplainedDuplicateEffects} unexplained`,
      },
    ];
  });
  const counts = (pick: (c: (typeof consumers)[number]) => Readonly<Record<string, number>>): Bar[] =>
    consumers.flatMap((c) =>
      Object.entries(pick(c)).map(([label, count]) => ({
        group: c.consumer,
        label,
        value: count,
        note: String(count),
      })),
    );
  const kills = counts((c) => c.kills);
  const faults = counts((c) => c.faults);
  const sections: Section[] = [
    {
      heading: 'Latency from production to effect',
      svg: barChart({ title: 'Latency per event (ms): p50, p99, max', bars: latency, unit: ' ms' }),
    },
    {
      heading: 'Duplicate effects by cause',
      svg: barChart({
        title: 'Duplicate effects by the cause of the open window they fell in',
        bars: duplicates,
      }),
      notes: [
        'A two-phase consumer may repeat an effect whose completion was never written (a worker killed between effect and completion, a timeout, a failed completion); every such duplicate must fall in a known open window. Unexplained must be 0; a transactional consumer must have none at all.',
      ],
    },
    {
      heading: 'Workers killed, by kill point',
      svg: barChart({ title: 'Deaths by kill point', bars: kills }),
    },
    {
      heading: 'Faults injected, by kind',
      svg: barChart({ title: 'Faults injected by the workers', bars: faults }),
    },
    {
      heading: 'Verdict',
      notes: report.checks.map((c) => `[${c.ok ? 'OK' : 'FAIL'}] ${c.name}: ${c.detail}`),
    },
  ];
  return htmlPage(`Chaos run: ${report.ok ? 'passed' : 'FAILED'}`, sections, [
    `Started ${report.startedAt}, ${(report.durationMs / 1000).toFixed(0)} s; ${report.workers.spawns} worker processes; DynamoDB Local restarted ${report.engine.restarts} time(s).`,
  ]);
}

function main(argv: readonly string[]): void {
  const input = resolve(argv[0] ?? '.local/chaos/report.json');
  const report = JSON.parse(readFileSync(input, 'utf8')) as ChaosReport;
  const out = `${input.replace(/\.json$/, '')}.html`;
  writeFileSync(out, chaosHtml(report));
  process.stdout.write(`HTML report: ${out}\n`);
}

if (require.main === module) main(process.argv.slice(2));
