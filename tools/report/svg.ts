/**
 * Plain SVG charts and the HTML page that holds them, for the benchmark's and the chaos run's
 * reports. Written by hand on purpose: two chart shapes (horizontal bars, lines over a numeric
 * axis) are all the reports need, a charting library would be a dependency of the repository for
 * them, and the output must be byte-for-byte reproducible from the JSON (the README embeds one
 * chart, and a test regenerates it). Pure functions: no clock, no randomness, fixed decimals.
 */

/**
 * One bar of a {@link barChart}: bars with the same `group` are drawn together under its label.
 *
 * @example
 * ```ts
 * const bar: Bar = { group: 'fresh batch', label: 'ours 2-phase', value: 1.08, note: '1.08x floor' };
 * ```
 */
export interface Bar {
  readonly group: string;
  readonly label: string;
  readonly value: number;
  /** Text after the bar (defaults to the value). */
  readonly note?: string;
}

/**
 * Options of {@link barChart}.
 *
 * @example
 * ```ts
 * const options: BarChartOptions = { title: 'Wall time / floor', bars, unit: 'x', reference: 1 };
 * ```
 */
export interface BarChartOptions {
  readonly title: string;
  readonly bars: readonly Bar[];
  /** Appended to values in the default notes and axis ticks. */
  readonly unit?: string;
  /** A vertical dashed line at this value (e.g. 1 for a ratio). */
  readonly reference?: number;
  /** Chart width in pixels. @default 760 */
  readonly width?: number;
  /** A log scale for the value axis (values must be > 0). @default false */
  readonly log?: boolean;
}

/**
 * One line of a {@link lineChart}.
 *
 * @example
 * ```ts
 * const series: Series = { name: 'ours 2-phase', points: [{ x: 100, y: 4.5 }, { x: 1000, y: 3.9 }] };
 * ```
 */
export interface Series {
  readonly name: string;
  readonly points: readonly { readonly x: number; readonly y: number }[];
}

/**
 * Options of {@link lineChart}.
 *
 * @example
 * ```ts
 * const options: LineChartOptions = { title: 'ms per record', xLabel: 'batch size', yLabel: 'ms', series, logX: true };
 * ```
 */
export interface LineChartOptions {
  readonly title: string;
  readonly xLabel: string;
  readonly yLabel: string;
  readonly series: readonly Series[];
  /** A log scale for x. @default false */
  readonly logX?: boolean;
  /** A horizontal dashed line at this y (e.g. a memory limit), with its label. */
  readonly limit?: { readonly y: number; readonly label: string };
  /** @default 760 */
  readonly width?: number;
}

/** Colours of the series and bar labels, in order (colour-blind safe, Okabe-Ito). */
const PALETTE = ['#0072B2', '#E69F00', '#009E73', '#CC79A7', '#56B4E9', '#D55E00', '#F0E442', '#000000'];

/**
 * Escapes text for SVG and HTML content and attribute values.
 *
 * @example
 * ```ts
 * escapeXml('a < b & "c"'); // 'a &lt; b &amp; &quot;c&quot;'
 * ```
 */
export function escapeXml(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

/** A number for an SVG attribute: at most 1 decimal, no trailing zeros. */
function n(value: number): string {
  const rounded = Math.round(value * 10) / 10;
  return Object.is(rounded, -0) ? '0' : String(rounded);
}

/** A number for a label: 3 significant digits, thousands without exponent. */
function label(value: number): string {
  if (value === 0) return '0';
  const abs = Math.abs(value);
  if (abs >= 1000) return Math.round(value).toLocaleString('en-US');
  if (abs >= 100) return value.toFixed(0);
  if (abs >= 10) return value.toFixed(1);
  if (abs >= 1) return value.toFixed(2);
  return value.toPrecision(2);
}

/** Round ticks covering [0, max] (or decades of a log axis). */
function ticks(min: number, max: number, log: boolean): number[] {
  if (log) {
    const out: number[] = [];
    for (let e = Math.floor(Math.log10(min)); e <= Math.ceil(Math.log10(max)); e++) out.push(10 ** e);
    return out;
  }
  const span = max - min || 1;
  const step0 = 10 ** Math.floor(Math.log10(span / 4));
  const step = [1, 2, 5, 10].map((m) => m * step0).find((s) => span / s <= 6) ?? step0 * 10;
  const out: number[] = [];
  for (let t = Math.floor(min / step) * step; t <= max + step * 0.5; t += step)
    out.push(Math.round(t / step) * step);
  return out;
}

function scale(domain: [number, number], range: [number, number], log: boolean): (v: number) => number {
  const f = log ? (v: number) => Math.log10(v) : (v: number) => v;
  const [d0, d1] = [f(domain[0]), f(domain[1])];
  return (v) => range[0] + ((f(v) - d0) / (d1 - d0 || 1)) * (range[1] - range[0]);
}

/**
 * A horizontal bar chart, grouped: each group's bars one under the other, the group's name above
 * them; every bar is a `<rect class="bar">` with a `<title>` (hover text) and its note after it.
 *
 * @example
 * ```ts
 * const svg = barChart({ title: 'Wall time / floor', unit: 'x', reference: 1, bars: [{ group: 'fresh', label: 'ours', value: 1.1 }] });
 * ```
 */
export function barChart(options: BarChartOptions): string {
  const width = options.width ?? 760;
  const unit = options.unit ?? '';
  const log = options.log ?? false;
  const labels = [...new Set(options.bars.map((b) => b.label))];
  const colour = (l: string) => PALETTE[labels.indexOf(l) % PALETTE.length] ?? '#000000';
  const groups = [...new Set(options.bars.map((b) => b.group))];
  const barHeight = 16;
  const gap = 4;
  const left = 150;
  const right = 250;
  const top = 34;
  let y = top;
  const values = options.bars.map((b) => b.value).concat(options.reference ?? []);
  const positive = values.filter((v) => v > 0);
  const max = Math.max(...values, 0) || 1;
  const min = log ? Math.min(...positive, max) : 0;
  const axisTicks = ticks(min, max, log);
  const maxTick = axisTicks[axisTicks.length - 1] ?? max;
  const minTick = log ? (axisTicks[0] ?? min) : 0;
  const x = scale([minTick, maxTick], [left, width - right], log);
  const body: string[] = [];
  for (const group of groups) {
    body.push(`<text class="group" x="8" y="${n(y + 12)}">${escapeXml(group)}</text>`);
    y += 18;
    for (const bar of options.bars.filter((b) => b.group === group)) {
      const value = log ? Math.max(bar.value, minTick) : bar.value;
      const w = Math.max(1, x(value) - left);
      const note = bar.note ?? `${label(bar.value)}${unit}`;
      body.push(
        `<text class="label" x="${left - 6}" y="${n(y + 12)}" text-anchor="end">${escapeXml(bar.label)}</text>`,
        `<rect class="bar" x="${left}" y="${n(y)}" width="${n(w)}" height="${barHeight}" fill="${colour(bar.label)}"><title>${escapeXml(`${group}, ${bar.label}: ${note}`)}</title></rect>`,
        `<text class="note" x="${n(left + w + 4)}" y="${n(y + 12)}">${escapeXml(note)}</text>`,
      );
      y += barHeight + gap;
    }
    y += 8;
  }
  const height = y + 24;
  const axis = axisTicks.map(
    (t) =>
      `<line class="tick" x1="${n(x(t))}" x2="${n(x(t))}" y1="${top}" y2="${n(y)}"/><text class="axis" x="${n(x(t))}" y="${n(y + 14)}" text-anchor="middle">${escapeXml(`${label(t)}${unit}`)}</text>`,
  );
  const reference =
    options.reference === undefined
      ? ''
      : `<line class="reference" x1="${n(x(options.reference))}" x2="${n(x(options.reference))}" y1="${top}" y2="${n(y)}"/>`;
  return svgDocument(width, height, options.title, [...axis, reference, ...body]);
}

/**
 * A line chart over a numeric x axis (optionally logarithmic), every series a `<path class="line">`
 * with a `<circle class="point">` per point and a legend.
 *
 * @example
 * ```ts
 * const svg = lineChart({ title: 'ms per record', xLabel: 'batch size', yLabel: 'ms', logX: true, series: [{ name: 'ours', points: [{ x: 100, y: 4 }, { x: 1000, y: 3 }] }] });
 * ```
 */
export function lineChart(options: LineChartOptions): string {
  const width = options.width ?? 760;
  const height = 340;
  const [left, right, top, bottom] = [70, 190, 34, 50];
  const points = options.series.flatMap((s) => s.points);
  const logX = options.logX ?? false;
  const xs = points.map((p) => p.x);
  const ys = points.map((p) => p.y).concat(options.limit ? [options.limit.y] : []);
  const xTicks = ticks(Math.min(...xs, logX ? 1 : 0), Math.max(...xs, 1), logX);
  const yTicks = ticks(0, Math.max(...ys, 0) || 1, false);
  const x = scale([xTicks[0] ?? 0, xTicks[xTicks.length - 1] ?? 1], [left, width - right], logX);
  const y = scale([0, yTicks[yTicks.length - 1] ?? 1], [height - bottom, top], false);
  const parts: string[] = [];
  for (const t of yTicks) {
    parts.push(
      `<line class="tick" x1="${left}" x2="${width - right}" y1="${n(y(t))}" y2="${n(y(t))}"/><text class="axis" x="${left - 6}" y="${n(y(t) + 4)}" text-anchor="end">${escapeXml(label(t))}</text>`,
    );
  }
  for (const t of xTicks) {
    parts.push(
      `<text class="axis" x="${n(x(t))}" y="${height - bottom + 16}" text-anchor="middle">${escapeXml(label(t))}</text>`,
    );
  }
  parts.push(
    `<text class="axis-title" x="${n((left + width - right) / 2)}" y="${height - 12}" text-anchor="middle">${escapeXml(options.xLabel)}</text>`,
    `<text class="axis-title" x="14" y="${n((top + height - bottom) / 2)}" transform="rotate(-90 14 ${n((top + height - bottom) / 2)})" text-anchor="middle">${escapeXml(options.yLabel)}</text>`,
  );
  if (options.limit) {
    parts.push(
      `<line class="reference" x1="${left}" x2="${width - right}" y1="${n(y(options.limit.y))}" y2="${n(y(options.limit.y))}"/><text class="note" x="${width - right + 4}" y="${n(y(options.limit.y) + 4)}">${escapeXml(options.limit.label)}</text>`,
    );
  }
  options.series.forEach((series, i) => {
    const colour = PALETTE[i % PALETTE.length] ?? '#000000';
    const sorted = [...series.points].sort((a, b) => a.x - b.x);
    if (sorted.length > 0) {
      const d = sorted.map((p, j) => `${j === 0 ? 'M' : 'L'}${n(x(p.x))},${n(y(p.y))}`).join(' ');
      parts.push(`<path class="line" d="${d}" fill="none" stroke="${colour}" stroke-width="2"/>`);
    }
    for (const p of sorted) {
      parts.push(
        `<circle class="point" cx="${n(x(p.x))}" cy="${n(y(p.y))}" r="3.5" fill="${colour}"><title>${escapeXml(`${series.name}: ${label(p.x)} → ${label(p.y)}`)}</title></circle>`,
      );
    }
    const ly = top + 6 + i * 18;
    parts.push(
      `<rect class="legend" x="${width - right + 14}" y="${ly}" width="12" height="12" fill="${colour}"/><text class="label" x="${width - right + 32}" y="${ly + 10}">${escapeXml(series.name)}</text>`,
    );
  });
  return svgDocument(width, height, options.title, parts);
}

function svgDocument(width: number, height: number, title: string, parts: readonly string[]): string {
  const style =
    'text{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;font-size:12px;fill:#222}' +
    '.title{font-size:14px;font-weight:600}.group{font-weight:600}.axis,.note{fill:#555;font-size:11px}' +
    '.tick{stroke:#ddd}.reference{stroke:#333;stroke-dasharray:4 3}';
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${n(height)}" viewBox="0 0 ${width} ${n(height)}" role="img" aria-label="${escapeXml(title)}">`,
    `<style>${style}</style>`,
    `<rect width="100%" height="100%" fill="#fff"/>`,
    `<text class="title" x="8" y="20">${escapeXml(title)}</text>`,
    ...parts.filter((p) => p.length > 0),
    '</svg>',
    '',
  ].join('\n');
}

/**
 * One section of an {@link htmlPage}: a heading, a chart (an SVG string from this module) or
 * none, and paragraphs of plain text.
 *
 * @example
 * ```ts
 * const section: Section = { heading: 'Fresh batch', svg: barChart(options), notes: ['Simulated 5 ms per request.'] };
 * ```
 */
export interface Section {
  readonly heading: string;
  readonly svg?: string;
  readonly notes?: readonly string[];
}

/**
 * A self-contained HTML page (no script, no external resource) with the charts inline.
 *
 * @example
 * ```ts
 * writeFileSync('report.html', htmlPage('Benchmark', [{ heading: 'Fresh', svg }]));
 * ```
 */
export function htmlPage(title: string, sections: readonly Section[], intro: readonly string[] = []): string {
  const body = sections.map((s) =>
    [
      `<section>`,
      `<h2>${escapeXml(s.heading)}</h2>`,
      ...(s.notes ?? []).map((p) => `<p>${escapeXml(p)}</p>`),
      s.svg ? `<figure>${s.svg}</figure>` : '',
      `</section>`,
    ]
      .filter((line) => line.length > 0)
      .join('\n'),
  );
  return [
    '<!doctype html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    `<title>${escapeXml(title)}</title>`,
    '<style>body{font-family:system-ui,sans-serif;max-width:900px;margin:2em auto;padding:0 1em;color:#222}figure{margin:1em 0}p{color:#444}</style>',
    '</head>',
    '<body>',
    `<h1>${escapeXml(title)}</h1>`,
    ...intro.map((p) => `<p>${escapeXml(p)}</p>`),
    ...body,
    '</body>',
    '</html>',
    '',
  ].join('\n');
}
