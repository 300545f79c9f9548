import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { benchHtml, type ChartInput, readmeChart } from '../../../../tools/bench/charts';
import { barChart, escapeXml, lineChart } from '../../../../tools/report/svg';

const CHARTS = resolve(__dirname, '../../../../tools/bench/charts');

describe('bench charts', () => {
  test('regenerating the README chart from the committed JSON gives the committed SVG, byte for byte', () => {
    // GIVEN the run committed beside the chart; WHEN the chart is drawn again
    const report = JSON.parse(readFileSync(resolve(CHARTS, 'fresh-batch.json'), 'utf8')) as ChartInput;
    // THEN it is the file the README embeds (run `npm run bench:charts -- tools/bench/charts/fresh-batch.json --readme tools/bench/charts/fresh-batch.svg` after a new run)
    expect(readmeChart(report)).toBe(readFileSync(resolve(CHARTS, 'fresh-batch.svg'), 'utf8'));
  });

  test('the HTML report names every side and scenario of the run and has one chart per batch size and partition count', () => {
    const report = JSON.parse(readFileSync(resolve(CHARTS, 'fresh-batch.json'), 'utf8')) as ChartInput;
    const html = benchHtml(report);
    const cells = new Set(report.run.measurements.map((m) => `${m.size}/${m.partitions}`));
    expect(html.match(/<h2>Main run: batch of/g)).toHaveLength(cells.size);
    for (const side of ['floor', 'Powertools', 'ours 2-phase']) expect(html).toContain(`>${side}</text>`);
    expect(html).not.toMatch(/NaN|undefined|Infinity/);
  });
});

describe('plain SVG charts', () => {
  test('a bar per value, widths in proportion on a linear axis, text escaped', () => {
    const svg = barChart({
      title: 'a <b> & "c"',
      bars: [
        { group: 'g', label: 'x', value: 1 },
        { group: 'g', label: 'y<', value: 3 },
      ],
    });
    const widths = [...svg.matchAll(/<rect class="bar"[^>]* width="([\d.]+)"/g)].map((m) => Number(m[1]));
    expect(widths).toHaveLength(2);
    expect((widths[1] ?? 0) / (widths[0] ?? 1)).toBeCloseTo(3, 1);
    expect(svg).toContain('a &lt;b&gt; &amp; &quot;c&quot;');
    expect(svg).toContain('>y&lt;</text>');
    expect(escapeXml("'")).toBe('&#39;');
  });

  test('a line per series through its points in x order, and the same output for the same input', () => {
    const options = {
      title: 't',
      xLabel: 'x',
      yLabel: 'y',
      logX: true,
      series: [
        {
          name: 's',
          points: [
            { x: 1000, y: 2 },
            { x: 10, y: 1 },
            { x: 100, y: 4 },
          ],
        },
      ],
    };
    const svg = lineChart(options);
    const d = /<path class="line" d="([^"]+)"/.exec(svg)?.[1] ?? '';
    const xs = [...d.matchAll(/[ML]([\d.]+),/g)].map((m) => Number(m[1]));
    expect(xs).toHaveLength(3);
    expect(xs).toEqual([...xs].sort((a, b) => a - b));
    // on a log axis 10 -> 100 and 100 -> 1000 are the same distance
    expect((xs[1] ?? 0) - (xs[0] ?? 0)).toBeCloseTo((xs[2] ?? 0) - (xs[1] ?? 0), 0);
    expect(lineChart(options)).toBe(svg);
  });
});
