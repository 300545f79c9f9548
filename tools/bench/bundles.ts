import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';
import { MANIFESTS } from '../../functions/manifests';
import { FUNCTION_ESBUILD_TARGET } from '../../scripts/lib/local';
import { ENV } from '../../shared/internal';
import { median } from './stats';

/**
 * A Lambda entry point to bundle.
 *
 * @example
 * ```ts
 * const entry: BundleEntry = { name: 'spellchecker', entry: 'functions/spellchecker/handler.ts' };
 * ```
 */
export interface BundleEntry {
  /** Function name for the report. */
  readonly name: string;
  /** Path of the handler file (relative to the repository root or absolute). */
  readonly entry: string;
}

/**
 * The consumers of this repository.
 *
 * @example
 * ```ts
 * await measureBundles({ entries: FUNCTION_ENTRIES.filter((e) => e.name === 'spellchecker') });
 * ```
 */
export const FUNCTION_ENTRIES: readonly BundleEntry[] = MANIFESTS.map((manifest) => ({
  name: manifest.service,
  entry: `functions/${manifest.service}/handler.ts`,
}));

/**
 * Size and cold module-init time of one bundled function.
 *
 * @example
 * ```ts
 * const [first]: BundleFigures[] = await measureBundles(); console.log(first?.bytes, first?.coldInitMs);
 * ```
 */
export interface BundleFigures {
  readonly name: string;
  readonly entry: string;
  /** Minified bundle, without source map. */
  readonly bytes: number;
  readonly gzipBytes: number;
  /** Median wall time of `node -e "require(bundle)"` minus the median of a bare `node -e ""`. */
  readonly coldInitMs: number;
  /** Median of the bare `node -e ""` that was subtracted. */
  readonly bareNodeMs: number;
  /** Median time of the `require()` call alone, measured inside the child process. */
  readonly requireMs: number;
  readonly runs: number;
  /** `true` when the handler file is still the placeholder (the figures then mean little). */
  readonly placeholder: boolean;
}

/**
 * Options of {@link measureBundles}.
 *
 * @example
 * ```ts
 * const options: BundleOptions = { runs: 3 };
 * ```
 */
export interface BundleOptions {
  /** @default {@link FUNCTION_ENTRIES} */
  readonly entries?: readonly BundleEntry[];
  /**
   * Child processes per figure (the median is reported).
   * @default 7
   */
  readonly runs?: number;
  /** @default the current working directory */
  readonly root?: string;
}

/**
 * Environment a deployed function gets from the CDK construct (dummy values), plus what Lambda sets.
 * Nothing is contacted at module init; the values only have to pass the config checks.
 *
 * @example
 * ```ts
 * spawnSync(process.execPath, ['-e', `require('${bundle}')`], { env: functionEnvironment('spellchecker') });
 * ```
 */
export function functionEnvironment(name: string): Record<string, string> {
  return {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    AWS_REGION: 'us-east-1',
    AWS_DEFAULT_REGION: 'us-east-1',
    AWS_LAMBDA_FUNCTION_NAME: name,
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '512',
    [ENV.IDEMPOTENCY_TABLE_NAME]: 'bench-idempotency',
    [ENV.SERVICE_NAME]: name,
    [ENV.METRICS_NAMESPACE]: 'KafkaIdempotency',
    [ENV.DEAD_LETTER_QUEUE_URL]: 'https://sqs.us-east-1.amazonaws.com/123456789012/bench-dlq',
    [ENV.PARTIAL_BATCH_RESPONSE]: 'true',
    [ENV.FAILURE_MODE]: 'fail-closed',
    ...Object.fromEntries(
      MANIFESTS.flatMap((manifest) => Object.keys(manifest.tables)).map((name) => [
        name,
        `bench-${name.toLowerCase()}`,
      ]),
    ),
  };
}

/**
 * Bundles each function as the CDK app does (esbuild: bundle, platform node, target node24,
 * minify, CommonJS, SDK included) into a temporary folder, then reports its size and its cold
 * module-init time: a fresh `node -e "require('<bundle>')"` per run, median, minus a bare
 * `node -e ""`.
 *
 * @example
 * ```ts
 * for (const f of await measureBundles({ runs: 5 })) console.log(f.name, f.bytes, f.coldInitMs);
 * ```
 */
export async function measureBundles(options: BundleOptions = {}): Promise<BundleFigures[]> {
  const root = options.root ?? process.cwd();
  const runs = options.runs ?? 7;
  const dir = mkdtempSync(join(tmpdir(), 'bench-bundles-'));
  try {
    const bare = median(
      Array.from({ length: runs }, () => timeNode(['-e', ''], functionEnvironment('bare'))),
    );
    const figures: BundleFigures[] = [];
    for (const { name, entry } of options.entries ?? FUNCTION_ENTRIES) {
      const source = resolve(root, entry);
      const outfile = join(dir, `${name}.js`);
      await build({
        entryPoints: [source],
        outfile,
        bundle: true,
        platform: 'node',
        target: FUNCTION_ESBUILD_TARGET,
        format: 'cjs',
        mainFields: ['module', 'main'],
        minify: true,
        logLevel: 'silent',
      });
      const env = functionEnvironment(name);
      const cold = Array.from({ length: runs }, () =>
        timeNode(['-e', `require(${JSON.stringify(outfile)})`], env),
      );
      const inside = Array.from({ length: runs }, () => requireTime(outfile, env));
      figures.push({
        name,
        entry,
        bytes: statSync(outfile).size,
        gzipBytes: gzipSync(readFileSync(outfile)).length,
        coldInitMs: Math.max(0, median(cold) - bare),
        bareNodeMs: bare,
        requireMs: median(inside),
        runs,
        placeholder: /Placeholder until/.test(readFileSync(source, 'utf8')),
      });
    }
    return figures;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function timeNode(args: readonly string[], env: Record<string, string>): number {
  const started = performance.now();
  const child = spawnSync(process.execPath, [...args], { env, encoding: 'utf8' });
  const elapsed = performance.now() - started;
  if (child.status !== 0) {
    throw new Error(`node ${args.join(' ')} exited with ${child.status}: ${child.stderr.slice(0, 2000)}`);
  }
  return elapsed;
}

function requireTime(bundle: string, env: Record<string, string>): number {
  const script = `const t=process.hrtime.bigint();require(${JSON.stringify(bundle)});process.stdout.write(String(Number(process.hrtime.bigint()-t)/1e6))`;
  const child = spawnSync(process.execPath, ['-e', script], { env, encoding: 'utf8' });
  if (child.status !== 0) {
    throw new Error(`require(${bundle}) exited with ${child.status}: ${child.stderr.slice(0, 2000)}`);
  }
  return Number(child.stdout);
}
