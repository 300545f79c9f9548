import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import { type BuildOptions, build, type Metafile } from 'esbuild';
import { MANIFESTS } from '../../functions/manifests';
import { buildFunction, DEAD_LETTER_CHUNK, FUNCTION_ESBUILD_TARGET } from '../../infra/lib/bundling';
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
  /** Modules left out of the bundle (`bundling.externalModules`), for optional dependencies not installed. */
  readonly external?: readonly string[];
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
 * The bundle sides: every consumer of this repository, then the anchor they are measured against,
 * a minimal Powertools idempotent Kafka handler (`tools/bench/anchors/powertools-minimal.ts`).
 *
 * @example
 * ```ts
 * await measureBundles({ entries: BUNDLE_ENTRIES });
 * ```
 */
export const BUNDLE_ENTRIES: readonly BundleEntry[] = [
  ...FUNCTION_ENTRIES,
  // `avro-js` is an optional peer of @aws-lambda-powertools/kafka for its Avro deserializer, which a
  // JSON consumer does not use; a Powertools user marks it external the same way.
  { name: 'powertools-minimal', entry: 'tools/bench/anchors/powertools-minimal.ts', external: ['avro-js'] },
];

/**
 * Over the construct's options (`buildFunction` of `infra/lib/bundling.ts`): a linked `.map` file,
 * as Lambda gets it when `enableSourceMaps` is on (its cost is reported beside).
 */
const MEASURED_BUILD = { sourcemap: true, logLevel: 'silent' } as const satisfies BuildOptions;

/**
 * Bundles one of the bench's child-process scripts (a scale row's worker, the profiled loop) for a
 * plain `node` run: a fresh process without a TypeScript loader, as a Lambda runs its bundle.
 *
 * @example
 * ```ts
 * await bundleWorker(resolve(__dirname, 'scale-worker.ts'), join(dir, 'scale-worker.js'));
 * ```
 */
export async function bundleWorker(entry: string, outfile: string, extra: BuildOptions = {}): Promise<void> {
  await build({
    entryPoints: [entry],
    outfile,
    bundle: true,
    platform: 'node',
    target: FUNCTION_ESBUILD_TARGET,
    logLevel: 'silent',
    ...extra,
  });
}

/**
 * One package's share of a bundle (bytes in the minified output, from esbuild's metafile).
 *
 * @example
 * ```ts
 * const [largest]: PackageShare[] = figures.packages;
 * ```
 */
export interface PackageShare {
  /** npm package name, or the repository folder (`shared`, `functions`, `tools`). */
  readonly name: string;
  readonly bytes: number;
}

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
  /** Minified bundle (`index.js`), without source map: what a cold start loads. */
  readonly bytes: number;
  /**
   * The dead-letter chunk beside it (`DEAD_LETTER_CHUNK`: the SQS sink with the SQS and S3
   * clients), loaded on a container's first dead letter, not at its cold start; 0 when the bundle
   * does not use it (the Powertools anchor).
   */
  readonly deadLetterChunkBytes: number;
  readonly gzipBytes: number;
  /** Median wall time of `node -e "require(bundle)"` minus the median of a bare `node -e ""`. */
  readonly coldInitMs: number;
  /** Median of the bare `node -e ""` that was subtracted. */
  readonly bareNodeMs: number;
  /** Median time of the `require()` call alone, measured inside the child process. */
  readonly requireMs: number;
  /** The same cold init with `NODE_OPTIONS=--enable-source-maps` (as the construct sets it today). */
  readonly coldInitSourceMapsMs: number;
  /** The `require()` call alone with source maps enabled. */
  readonly requireSourceMapsMs: number;
  /**
   * CPU time of the `require()` call (median): the figure least moved by other processes on a
   * shared machine, so the one to compare bundles by.
   */
  readonly requireCpuMs: number;
  readonly requireCpuSourceMapsMs: number;
  /** Size of the linked source map (bytes). */
  readonly sourceMapBytes: number;
  /** Packages by bytes in the output, largest first (at most 12, the rest summed as `(others)`). */
  readonly packages: readonly PackageShare[];
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
  /** @default {@link BUNDLE_ENTRIES} */
  readonly entries?: readonly BundleEntry[];
  /**
   * Child processes per figure (the median is reported).
   * @default 7
   */
  readonly runs?: number;
  /** @default the current working directory */
  readonly root?: string;
  /** esbuild options over the construct's, to measure what one option changes. */
  readonly esbuild?: BuildOptions;
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
 * Bundles each function (and the Powertools anchor) as the CDK app does
 * (the construct's) into a temporary folder, then reports its size, what is in it
 * by package, and its cold module-init time: a fresh `node -e "require('<bundle>')"` per run,
 * median, minus a bare `node -e ""`, without and with `--enable-source-maps`.
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
    const entries = options.entries ?? BUNDLE_ENTRIES;
    const built = [];
    for (const { name, entry, external } of entries) {
      const source = resolve(root, entry);
      const { outfile, chunk, metafile } = await buildFunction(source, join(dir, name), {
        ...MEASURED_BUILD,
        ...options.esbuild,
        external: [...(external ?? []), ...(options.esbuild?.external ?? [])],
      });
      built.push({ name, entry, source, outfile, chunk, metafile });
    }
    // Interleaved: each repetition loads every bundle once, so a burst of load elsewhere on the
    // machine falls on all of them alike.
    const times = new Map(
      built.map((b) => [
        b.name,
        {
          cold: [] as number[],
          coldMaps: [] as number[],
          inside: [] as number[],
          insideMaps: [] as number[],
          cpu: [] as number[],
          cpuMaps: [] as number[],
        },
      ]),
    );
    for (let i = 0; i < runs; i++) {
      for (const b of built) {
        const env = functionEnvironment(b.name);
        const withMaps = { ...env, NODE_OPTIONS: '--enable-source-maps' };
        const t = times.get(b.name);
        if (!t) continue;
        t.cold.push(timeNode(['-e', `require(${JSON.stringify(b.outfile)})`], env));
        t.coldMaps.push(timeNode(['-e', `require(${JSON.stringify(b.outfile)})`], withMaps));
        const inside = requireTime(b.outfile, env);
        const insideMaps = requireTime(b.outfile, withMaps);
        t.inside.push(inside.wall);
        t.insideMaps.push(insideMaps.wall);
        t.cpu.push(inside.cpu);
        t.cpuMaps.push(insideMaps.cpu);
      }
    }
    for (const { name, entry, source, outfile, chunk, metafile } of built) {
      const t = times.get(name);
      if (!t) continue;
      figures.push({
        name,
        entry,
        bytes: statSync(outfile).size,
        deadLetterChunkBytes: usesDeadLetterChunk(metafile) ? statSync(chunk).size : 0,
        gzipBytes: gzipSync(readFileSync(outfile)).length,
        coldInitMs: Math.max(0, median(t.cold) - bare),
        bareNodeMs: bare,
        requireMs: median(t.inside),
        coldInitSourceMapsMs: Math.max(0, median(t.coldMaps) - bare),
        requireSourceMapsMs: median(t.insideMaps),
        requireCpuMs: median(t.cpu),
        requireCpuSourceMapsMs: median(t.cpuMaps),
        sourceMapBytes: statSync(`${outfile}.map`).size,
        packages: packageShares(metafile, root),
        runs,
        placeholder: /Placeholder until/.test(readFileSync(source, 'utf8')),
      });
    }
    return figures;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Bytes of a bundle's output by npm package (or repository folder), largest first, from an esbuild
 * metafile: the twelve largest, the rest summed as `(others)`.
 *
 * @example
 * ```ts
 * const { metafile } = await buildFunction('functions/spellchecker/handler.ts', 'out');
 * packageShares(metafile, process.cwd()); // [{ name: '@aws-sdk/client-dynamodb', bytes: 120000 }, ...]
 * ```
 */
export function packageShares(metafile: Metafile, root: string): PackageShare[] {
  const totals = new Map<string, number>();
  for (const output of Object.values(metafile.outputs)) {
    for (const [path, { bytesInOutput }] of Object.entries(output.inputs)) {
      const name = packageOf(relative(root, resolve(root, path)));
      totals.set(name, (totals.get(name) ?? 0) + bytesInOutput);
    }
  }
  const sorted = [...totals].map(([name, bytes]) => ({ name, bytes })).sort((a, b) => b.bytes - a.bytes);
  const top = sorted.slice(0, 12);
  const rest = sorted.slice(12).reduce((sum, p) => sum + p.bytes, 0);
  return rest > 0 ? [...top, { name: '(others)', bytes: rest }] : top;
}

/** Whether a bundle requires the dead-letter chunk (an external import of its path). */
function usesDeadLetterChunk(metafile: Metafile): boolean {
  return Object.values(metafile.outputs).some((output) =>
    output.imports.some((i) => i.external && i.path === DEAD_LETTER_CHUNK.importPath),
  );
}

function packageOf(path: string): string {
  const parts = path.split(/[\\/]/);
  const at = parts.lastIndexOf('node_modules');
  if (at >= 0) {
    const first = parts[at + 1] ?? '?';
    return first.startsWith('@') ? `${first}/${parts[at + 2] ?? '?'}` : first;
  }
  return parts[0] ?? path;
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

/** Wall and CPU time (ms) of the `require()` of a bundle, measured inside a fresh process. */
function requireTime(bundle: string, env: Record<string, string>): { wall: number; cpu: number } {
  const script = `const t=process.hrtime.bigint(),c=process.cpuUsage();require(${JSON.stringify(bundle)});const u=process.cpuUsage(c);process.stdout.write(JSON.stringify([Number(process.hrtime.bigint()-t)/1e6,(u.user+u.system)/1e3]))`;
  const child = spawnSync(process.execPath, ['-e', script], { env, encoding: 'utf8' });
  if (child.status !== 0) {
    throw new Error(`require(${bundle}) exited with ${child.status}: ${child.stderr.slice(0, 2000)}`);
  }
  const [wall, cpu] = JSON.parse(child.stdout) as [number, number];
  return { wall, cpu };
}
