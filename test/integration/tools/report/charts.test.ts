import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { type BrowserContext, chromium } from 'playwright-core';
import { benchHtml, type ChartInput } from '../../../../tools/bench/charts';
import { chaosHtml } from '../../../../tools/chaos/charts';
import type { ChaosReport } from '../../../../tools/chaos/report';
import { healthy } from '../../../helpers/chaos-figures';

/** Debian's chromium package (`.ci/run` installs it). */
const CHROMIUM = '/usr/bin/chromium';
const FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** A chaos report as `npm run chaos` writes it (the shape is checked by the compiler). */
function chaosReport(): ChaosReport {
  const consumer = (name: string, mode: 'two-phase' | 'transactional', duplicates: number) =>
    healthy({
      consumer: name,
      mode,
      duplicateEffects: duplicates,
      duplicateEffectsExplained: duplicates > 0 ? { 'kill:after-effect': duplicates - 1, timeout: 1 } : {},
      kills: { 'before-claim': 3, 'after-effect': 4, timeout: 1 },
      faults: { throttle: 20, 'drop-response': 15 },
      latencyMs: { count: 1000, p50: 120, p99: 2400, max: 9000 },
    });
  return {
    options: {} as ChaosReport['options'],
    startedAt: '2026-12-02T00:00:00.000Z',
    durationMs: 120_000,
    workers: { spawns: 40, startupMsP50: 300, startupMsMax: 900 },
    engine: { restarts: 1, downMs: [1500] },
    figures: {
      consumers: [consumer('spellchecker', 'two-phase', 7), consumer('essay-lifecycle', 'transactional', 0)],
      engineRestarts: 1,
      skewedDeliveries: 5,
      skewedTakeovers: 1,
      anomalies: [],
    },
    checks: [{ name: 'no lost event', ok: true, detail: '0 of 2000' }],
    ok: true,
  };
}

describe('HTML reports render in headless Chromium', () => {
  let dir: string;
  let context: BrowserContext;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'report-charts-'));
    context = await chromium.launchPersistentContext(join(dir, 'profile'), {
      executablePath: CHROMIUM,
      headless: true,
      args: FLAGS,
    });
  });

  afterAll(async () => {
    await context?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  async function render(html: string, name: string) {
    const file = join(dir, name);
    writeFileSync(file, html);
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('console', (message) => {
      if (message.type() === 'error') errors.push(message.text());
    });
    page.on('pageerror', (error) => errors.push(error.message));
    await page.goto(`file://${file}`);
    // A string, evaluated in the page: the repository compiles without the DOM's types.
    const figures = (await page.evaluate(`(() => {
      const visible = (selector) =>
        [...document.querySelectorAll(selector)].filter((e) => {
          const box = e.getBBox();
          return box.width > 0 && box.height > 0;
        }).length;
      return {
        svgs: document.querySelectorAll('svg').length,
        bars: visible('svg rect.bar'),
        lines: visible('svg path.line'),
        points: document.querySelectorAll('svg circle.point').length,
      };
    })()`)) as { svgs: number; bars: number; lines: number; points: number };
    await page.close();
    return { figures, errors };
  }

  test('the benchmark report (from the JSON committed beside the README chart) draws its bars and lines without a console error', async () => {
    // GIVEN the committed run; WHEN its HTML is loaded in Chromium
    const report = JSON.parse(
      readFileSync(resolve(__dirname, '../../../../tools/bench/charts/fresh-batch.json'), 'utf8'),
    ) as ChartInput;
    const { figures, errors } = await render(benchHtml(report), 'bench.html');
    // THEN every chart rendered: ratio bars for every measurement that has a floor, lines per side
    const withRatio = [...report.run.measurements, ...(report.targets.run?.measurements ?? [])].filter(
      (m) => m.side === 'floor' || m.ratioVsFloor !== null,
    ).length;
    expect(errors).toEqual([]);
    expect(figures.svgs).toBeGreaterThanOrEqual(2);
    expect(figures.bars).toBeGreaterThanOrEqual(withRatio);
    expect(figures.lines).toBeGreaterThan(0);
    expect(figures.points).toBeGreaterThan(0);
  });

  test('the chaos report draws latency and duplicate-by-cause bars without a console error', async () => {
    const { figures, errors } = await render(chaosHtml(chaosReport()), 'chaos.html');
    expect(errors).toEqual([]);
    expect(figures.svgs).toBe(4);
    // 2 consumers x 3 percentiles, 3 + 1 duplicate bars, 6 kill bars, 4 fault bars
    expect(figures.bars).toBe(6 + 4 + 6 + 4);
  });
});
