/**
 * `npm run preflight -- -c clusterArn=...`: the deploy checklist, checked. Synthesizes the app with
 * the context given (offline, cdk-nag included), runs cfn-lint on its templates, checks that every
 * asset was built, and prints what `cdk deploy` will create and the IAM it grants. Non-zero exit on
 * any error.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { DEAD_LETTER_CHUNK } from '../infra/lib/bundling';
import { cfnLint, installCfnLint, synthVariant } from './lib/cfn-lint';
import { formatTable, runMain, UsageError, usageErrors } from './lib/cli';
import { LOCAL_DIR, REPO_ROOT } from './lib/local';
import { summarize, type Template } from './lib/preflight';

/**
 * The `--help` text of `npm run preflight`.
 *
 * @example
 * ```ts
 * process.stdout.write(PREFLIGHT_USAGE);
 * ```
 */
export const PREFLIGHT_USAGE = `Usage: npm run preflight -- [-c key=value ...]

Before cdk deploy, with the same -c context you will deploy with (clusterArn=..., demo=true, ...):
  1. cdk synth (offline; cdk-nag's AwsSolutions checks fail it on an error) into .local/preflight/out/
  2. cfn-lint on every template (pinned, installed into .local/cfn-lint/venv on first use)
  3. the asset build: each function's bundle present, with its size
  4. what the deploy creates: resources by type, the functions (runtime, memory, timeout), the
     event source mappings (topics and settings), and the IAM each role is granted
Exit code 1 when any step finds an error; 2 for a usage error.

Example:
  npm run preflight -- -c clusterArn=arn:aws:kafka:eu-north-1:123456789012:cluster/demo/abc
`;

/**
 * Runs `npm run preflight`; returns the exit code.
 *
 * @example
 * ```ts
 * process.exitCode = await runPreflight(['-c', 'demo=true']);
 * ```
 */
export async function runPreflight(argv: readonly string[]): Promise<number> {
  const { values } = usageErrors(() =>
    parseArgs({
      args: [...argv],
      strict: true,
      options: {
        context: { type: 'string', short: 'c', multiple: true },
        help: { type: 'boolean', short: 'h' },
      },
    }),
  );
  if (values.help) {
    process.stdout.write(PREFLIGHT_USAGE);
    return 0;
  }
  const context = values.context ?? [];
  for (const pair of context) {
    if (!/^[A-Za-z][\w:-]*=./.test(pair))
      throw new UsageError(`-c takes key=value, got ${JSON.stringify(pair)}.`);
  }
  const print = (text: string) => process.stdout.write(text);
  const out = join(LOCAL_DIR, 'preflight', 'out');
  let errors = 0;

  print(`1. cdk synth${context.map((c) => ` -c ${c}`).join('')} (cdk-nag included)\n`);
  let templates: string[];
  try {
    templates = await synthVariant({ name: 'preflight', context }, out);
  } catch (error) {
    print(`   FAIL ${(error as Error).message}\n`);
    return 1;
  }
  print(
    `   ok: ${templates.map((t) => t.replace(`${out}/`, '')).join(', ')} in ${out.replace(`${REPO_ROOT}/`, '')}\n`,
  );

  print('2. cfn-lint\n');
  const findings = await cfnLint(
    installCfnLint((line) => print(`   ${line}\n`)),
    templates,
  );
  const blocking = findings.filter((f) => f.level !== 'Informational');
  errors += blocking.length;
  print(blocking.length === 0 ? '   ok: no errors, no unreviewed warnings (.cfnlintrc)\n' : '');
  for (const f of findings) print(`   ${f.level} ${f.rule} ${f.path}: ${f.message}\n`);

  print('3. assets\n');
  const assets = assetRows(out);
  errors += assets.filter((a) => a.problem !== undefined).length;
  print(
    `${formatTable<AssetRow>(
      [
        { header: 'asset', cell: (a) => a.name },
        { header: 'files', cell: (a) => a.files },
        { header: 'KiB', cell: (a) => a.kib, right: true },
        { header: 'status', cell: (a) => a.problem ?? 'ok' },
      ],
      assets,
    )
      .split('\n')
      .map((line) => `   ${line}`)
      .join('\n')}\n`,
  );

  print('4. what the deploy creates\n\n');
  for (const file of templates) {
    const template = JSON.parse(readFileSync(file, 'utf8')) as Template;
    print(`${summarize(file.replace(`${out}/`, '').replace(/\.template\.json$/, ''), template)}\n`);
  }
  print(
    errors === 0
      ? 'Preflight passed: cdk deploy with the same -c context.\n'
      : `Preflight FAILED: ${errors} problem${errors === 1 ? '' : 's'} above.\n`,
  );
  return errors === 0 ? 0 : 1;
}

interface AssetRow {
  readonly name: string;
  readonly files: string;
  readonly kib: string;
  readonly problem: string | undefined;
}

/** Whether a bundle requires the dead-letter chunk that its folder lacks. */
function requiresMissingChunk(index: string, entries: readonly string[]): boolean {
  if (entries.includes(DEAD_LETTER_CHUNK.file)) return false;
  return readFileSync(index, 'utf8').includes(`require("${DEAD_LETTER_CHUNK.importPath}")`);
}

/**
 * Every file asset of every stack, with what its folder holds.
 *
 * @internal exported for its test
 */
export function assetRows(out: string): AssetRow[] {
  const rows: AssetRow[] = [];
  for (const manifest of readdirSync(out).filter((name) => name.endsWith('.assets.json'))) {
    const files = (
      JSON.parse(readFileSync(join(out, manifest), 'utf8')) as {
        files?: Record<string, { displayName?: string; source?: { path?: string } }>;
      }
    ).files;
    for (const [hash, asset] of Object.entries(files ?? {})) {
      const path = asset.source?.path;
      if (!path || path.endsWith('.template.json')) continue;
      const dir = join(out, path);
      const name = asset.displayName ?? hash.slice(0, 12);
      if (!existsSync(dir)) {
        rows.push({ name, files: '-', kib: '-', problem: 'missing: the bundle was not built' });
        continue;
      }
      const entries = statSync(dir).isDirectory() ? readdirSync(dir) : [path];
      const bytes = entries.reduce(
        (sum, entry) => sum + statSync(statSync(dir).isDirectory() ? join(dir, entry) : dir).size,
        0,
      );
      const problem = !statSync(dir).isDirectory()
        ? undefined
        : !entries.includes('index.js')
          ? 'no index.js in the bundle'
          : requiresMissingChunk(join(dir, 'index.js'), entries)
            ? `index.js requires ${DEAD_LETTER_CHUNK.file}, which is not beside it: its dead letters would fail (infra/lib/bundling.ts builds it)`
            : undefined;
      rows.push({ name, files: entries.join(' '), kib: String(Math.round(bytes / 1024)), problem });
    }
  }
  return rows;
}

if (require.main === module)
  runMain(() => runPreflight(process.argv.slice(2)), 'npm run preflight -- --help');
