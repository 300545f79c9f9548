/**
 * Small helpers shared by the command-line scripts: usage errors, flag parsing, aligned tables and
 * human-readable times. No dependencies beyond Node.
 */

/**
 * A mistake in the command line (unknown flag, bad value). The scripts print its message with a
 * hint to run `--help`, and exit with code 2.
 *
 * @example
 * ```ts
 * throw new UsageError('--partitions must be an integer from 1 to 1000, got "0".');
 * ```
 */
export class UsageError extends Error {
  constructor(message: string, options?: { readonly cause?: unknown }) {
    super(message, options);
    this.name = 'UsageError';
  }
}

/**
 * Runs a `node:util` `parseArgs` call and turns its `TypeError` (an unknown flag, a missing value)
 * into a {@link UsageError}, which {@link runMain} prints with the command's usage hint.
 *
 * @example
 * ```ts
 * const { values } = usageErrors(() => parseArgs({ args: [...argv], options: { port: { type: 'string' } } }));
 * ```
 */
export function usageErrors<T>(parse: () => T): T {
  try {
    return parse();
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error), { cause: error });
  }
}

/**
 * Parses an integer flag value within a range; throws a {@link UsageError} naming the flag, the
 * value given and the range allowed.
 *
 * @example
 * ```ts
 * const partitions = intFlag('--partitions', values.partitions, { min: 1, max: 1000, fallback: 1 });
 * ```
 */
export function intFlag(
  flag: string,
  value: string | undefined,
  range: { readonly min: number; readonly max: number; readonly fallback: number },
): number {
  if (value === undefined) return range.fallback;
  const trimmed = value.trim();
  const parsed = /^-?\d+$/.test(trimmed) ? Number(trimmed) : Number.NaN;
  if (!Number.isSafeInteger(parsed) || parsed < range.min || parsed > range.max) {
    throw new UsageError(
      `${flag} must be an integer from ${range.min} to ${range.max}, got ${JSON.stringify(value)}.`,
    );
  }
  return parsed;
}

/**
 * Checks that a flag value is one of a fixed set; throws a {@link UsageError} listing the choices.
 *
 * @example
 * ```ts
 * const spread = choiceFlag('--spread', values.spread, ['round-robin', 'key'] as const, 'round-robin');
 * ```
 */
export function choiceFlag<T extends string>(
  flag: string,
  value: string | undefined,
  choices: readonly T[],
  fallback: T,
): T {
  if (value === undefined) return fallback;
  const match = choices.find((c) => c === value);
  if (match === undefined) {
    throw new UsageError(`${flag} must be one of ${choices.join(', ')}, got ${JSON.stringify(value)}.`);
  }
  return match;
}

/** One column of {@link formatTable}. */
export interface Column<Row> {
  /** Heading text. */
  readonly header: string;
  /** The cell text of a row. */
  readonly cell: (row: Row) => string;
  /** Right-align (numbers). @default false */
  readonly right?: boolean;
  /** Longest cell, in characters; longer cells are cut with `…`. @default no limit */
  readonly max?: number;
}

/**
 * Renders rows as an aligned plain-text table with a heading line and a rule under it.
 *
 * @example
 * ```ts
 * formatTable([{ header: 'offset', cell: (r) => String(r.offset), right: true }], [{ offset: 5 }]);
 * // 'offset\n------\n     5'
 * ```
 */
export function formatTable<Row>(columns: readonly Column<Row>[], rows: readonly Row[]): string {
  const cells = rows.map((row) => columns.map((c) => clip(oneLine(c.cell(row)), c.max)));
  const widths = columns.map((c, i) => Math.max(c.header.length, ...cells.map((r) => (r[i] ?? '').length)));
  const render = (values: readonly string[]) =>
    values
      .map((v, i) => {
        const width = widths[i] ?? 0;
        return columns[i]?.right ? v.padStart(width) : v.padEnd(width);
      })
      .join('  ')
      .trimEnd();
  return [
    render(columns.map((c) => c.header)),
    render(widths.map((w) => '-'.repeat(w))),
    ...cells.map(render),
  ].join('\n');
}

/**
 * Cuts a string to at most `max` characters, ending it with `…` when cut.
 *
 * @example
 * ```ts
 * clip('abcdef', 4); // 'abc…'
 * ```
 */
export function clip(text: string, max: number | undefined): string {
  if (max === undefined || text.length <= max) return text;
  return `${text.slice(0, Math.max(0, max - 1))}…`;
}

function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, ' ');
}

/**
 * Shortens an idempotency key (`<prefix>:<service>:<event_type>:<hash>`) to `<service>:<hash…>`,
 * which is what a person needs to tell records apart (`npm run records -- --release` accepts it).
 *
 * @example
 * ```ts
 * shortKey('idem:v1:spellchecker:huleedu.essay.spellcheck.requested.v1:3f1c9a2b4d5e6f70…'); // 'spellchecker:3f1c9a2b4d5e'
 * ```
 */
export function shortKey(id: string, hashChars = 12): string {
  const parts = id.split(':');
  const hash = parts.at(-1) ?? id;
  if (parts.length < 5) return clip(id, hashChars + 20);
  const service = parts[2] ?? '';
  const invalid = parts[3] === 'invalid' ? 'invalid:' : '';
  return `${service}:${invalid}${hash.slice(0, hashChars)}`;
}

/**
 * A duration in ms as a short human string: `850ms`, `12s`, `3m05s`, `2h10m`, `3d4h`.
 *
 * @example
 * ```ts
 * humanDuration(185_000); // '3m05s'
 * ```
 */
export function humanDuration(ms: number): string {
  const abs = Math.abs(ms);
  if (abs < 1000) return `${Math.round(abs)}ms`;
  const s = Math.floor(abs / 1000);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m${String(s % 60).padStart(2, '0')}s`;
  const h = Math.floor(m / 60);
  if (h < 48) return `${h}h${String(m % 60).padStart(2, '0')}m`;
  return `${Math.floor(h / 24)}d${h % 24}h`;
}

/**
 * A moment relative to now: `in 55s` or `3m05s ago`.
 *
 * @example
 * ```ts
 * relativeTime(Date.now() + 55_000); // 'in 55s'
 * ```
 */
export function relativeTime(epochMs: number, now: number = Date.now()): string {
  const delta = epochMs - now;
  return delta >= 0 ? `in ${humanDuration(delta)}` : `${humanDuration(delta)} ago`;
}

/**
 * Runs a script's `main`, mapping failures to exit codes: a {@link UsageError} prints its message
 * and a `--help` hint (exit 2); any other error prints its message (exit 1). Sets
 * `process.exitCode` rather than calling `process.exit`, so that pending output is flushed.
 *
 * @example
 * ```ts
 * if (require.main === module) runMain(main, 'npm run events -- --help');
 * ```
 */
export function runMain(main: () => Promise<number>, helpCommand: string): void {
  main().then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      if (error instanceof UsageError) {
        process.stderr.write(`error: ${error.message}\nRun \`${helpCommand}\` for usage.\n`);
        process.exitCode = 2;
        return;
      }
      process.stderr.write(`error: ${error instanceof Error ? error.message : String(error)}\n`);
      if (process.env.DEBUG && error instanceof Error && error.stack)
        process.stderr.write(`${error.stack}\n`);
      process.exitCode = 1;
    },
  );
}

/**
 * Reserves stdout for this script's own output: from now on anything else that writes to
 * `process.stdout` (Powertools' JSON logs and EMF metrics, stray `console.log`) goes to stderr, and
 * the function returned is the only way left to write to stdout. That keeps a report's last line
 * machine-readable however chatty the code under test is.
 *
 * @example
 * ```ts
 * const print = reserveStdout();
 * console.log('this goes to stderr');
 * print('{"ok":true}\n');
 * ```
 */
export function reserveStdout(): (text: string) => void {
  const write = process.stdout.write.bind(process.stdout);
  process.stdout.write = process.stderr.write.bind(process.stderr);
  return (text) => {
    write(text);
  };
}
