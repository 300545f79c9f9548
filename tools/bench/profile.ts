import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { bundleWorker } from './bundles';
import { round } from './stats';

/**
 * Where the CPU time of decode + key goes: the top functions by self time of a `node --cpu-prof`
 * run, and the same time by area (the layer, each package, Node itself, the garbage collector).
 *
 * @example
 * ```ts
 * const { top }: CpuProfileSummary = profileKeyCpu({ durationMs: 2000 });
 * ```
 */
export interface CpuProfileSummary {
  readonly valueBytes: number;
  readonly durationMs: number;
  /** Calls of decode + key in the profiled run (with the profiler's own overhead). */
  readonly calls: number;
  readonly usPerCallProfiled: number;
  readonly top: readonly {
    readonly function: string;
    readonly where: string;
    readonly selfPercent: number;
  }[];
  readonly byArea: readonly { readonly area: string; readonly selfPercent: number }[];
}

interface ProfileNode {
  readonly id: number;
  readonly callFrame: { readonly functionName: string; readonly url: string; readonly lineNumber: number };
  readonly hitCount?: number;
}

/**
 * Profiles decode + key of the 1 KB sample value (`sampleValue`) in a child process under
 * `node --cpu-prof` (the loop bundled unminified, so names are the source's) and summarizes the
 * profile by self time.
 *
 * @example
 * ```ts
 * for (const f of profileKeyCpu().top) console.log(f.selfPercent, f.function, f.where);
 * ```
 */
export async function profileKeyCpu(
  options: { readonly durationMs?: number; readonly valueBytes?: number } = {},
): Promise<CpuProfileSummary> {
  const durationMs = options.durationMs ?? 2000;
  const valueBytes = options.valueBytes ?? 1024;
  const dir = mkdtempSync(join(tmpdir(), 'bench-profile-'));
  try {
    const script = join(dir, 'profile-worker.js');
    await bundleWorker(resolve(__dirname, 'profile-worker.ts'), script, { keepNames: true });
    const child = spawnSync(
      process.execPath,
      ['--cpu-prof', `--cpu-prof-dir=${dir}`, script, String(durationMs), String(valueBytes)],
      { encoding: 'utf8' },
    );
    if (child.status !== 0)
      throw new Error(`profile worker exited ${child.status}: ${child.stderr.slice(0, 2000)}`);
    const { calls } = JSON.parse(child.stdout.trim()) as { calls: number };
    const file = readdirSync(dir).find((f) => f.endsWith('.cpuprofile'));
    if (!file) throw new Error('profile worker wrote no .cpuprofile');
    const profile = JSON.parse(readFileSync(join(dir, file), 'utf8')) as { nodes: ProfileNode[] };
    return {
      valueBytes,
      durationMs,
      calls,
      usPerCallProfiled: round((durationMs * 1000) / calls, 2),
      ...summarize(profile.nodes),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function summarize(nodes: readonly ProfileNode[]): Pick<CpuProfileSummary, 'top' | 'byArea'> {
  const total = nodes.reduce((sum, node) => sum + (node.hitCount ?? 0), 0) || 1;
  const byFunction = new Map<string, { function: string; where: string; hits: number }>();
  const byArea = new Map<string, number>();
  for (const node of nodes) {
    const hits = node.hitCount ?? 0;
    if (hits === 0) continue;
    const { functionName, url, lineNumber } = node.callFrame;
    const where = url === '' ? '(native)' : `${shorten(url)}:${lineNumber + 1}`;
    const name = functionName || '(anonymous)';
    const key = `${name}@${where}`;
    const entry = byFunction.get(key) ?? { function: name, where, hits: 0 };
    entry.hits += hits;
    byFunction.set(key, entry);
    const area = areaOf(functionName, url);
    byArea.set(area, (byArea.get(area) ?? 0) + hits);
  }
  const pct = (hits: number) => round((hits / total) * 100, 1);
  return {
    top: [...byFunction.values()]
      .sort((a, b) => b.hits - a.hits)
      .slice(0, 15)
      .map((f) => ({ function: f.function, where: f.where, selfPercent: pct(f.hits) })),
    byArea: [...byArea].sort((a, b) => b[1] - a[1]).map(([area, hits]) => ({ area, selfPercent: pct(hits) })),
  };
}

function shorten(url: string): string {
  return url.replace(/^file:\/\//, '').replace(/^.*\/bench-profile-[^/]+\//, '');
}

/**
 * The area of a profile node: the bundled worker's code is one file, so the area comes from the
 * function name for the layer (`shared/`) and from the URL for Node's own modules.
 */
function areaOf(functionName: string, url: string): string {
  if (functionName === '(garbage collector)') return 'garbage collector';
  if (functionName === '(program)' || functionName === '(idle)') return 'V8 (program, idle)';
  if (url.startsWith('node:')) return 'Node.js internals';
  if (url === '') return 'native (JSON, crypto, Buffer)';
  return 'JavaScript of the bundle (layer, zod, canonicalize)';
}
