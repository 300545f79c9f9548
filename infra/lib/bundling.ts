/**
 * How every function of this repository is bundled: one set of esbuild options, read by the consumer
 * construct (`NodejsFunction`'s `bundling`), the benchmark's bundle sides and any local tool that
 * builds a function the way it is deployed. Plain values, no aws-cdk-lib import, so a tool can
 * spread it into esbuild's `build()` as it is.
 */
import * as path from 'node:path';
import type { BundlingOptions, ICommandHooks } from 'aws-cdk-lib/aws-lambda-nodejs';
import type { BuildOptions, Metafile } from 'esbuild';

/** The repository's root, where the second entry's source is. */
const REPO_ROOT = path.join(__dirname, '..', '..');

/**
 * The second file of every function's bundle: the SQS dead-letter sink with its SQS and S3
 * clients, which only the dead-letter path uses (about 150 KB that would otherwise be loaded at
 * every cold start). The handler's bundle keeps `require('./dead-letter-sqs')` external (`external`
 * of {@link FUNCTION_ESBUILD_OPTIONS}) and loads it beside `index.js` on its first dead letter.
 *
 * @example
 * ```ts
 * await build({ ...FUNCTION_ESBUILD_OPTIONS, entryPoints: [DEAD_LETTER_CHUNK.entry], outfile: `out/${DEAD_LETTER_CHUNK.file}` });
 * ```
 */
export const DEAD_LETTER_CHUNK = {
  /** Its source. */
  entry: path.join(REPO_ROOT, 'shared', 'dead-letter-sqs.ts'),
  /** How `shared/dead-letter.ts` requires it, kept external in the handler's bundle. */
  importPath: './dead-letter-sqs',
  /** Its file beside the handler's `index.js`. */
  file: 'dead-letter-sqs.js',
} as const;

/**
 * The esbuild target of a function bundle; the construct's default runtime (Node.js 24) matches it
 * (`NodejsFunction` derives its own target from the runtime).
 *
 * @example
 * ```ts
 * await build({ entryPoints: ['functions/spellchecker/handler.ts'], bundle: true, target: FUNCTION_ESBUILD_TARGET });
 * ```
 */
export const FUNCTION_ESBUILD_TARGET = 'node24';

/**
 * The esbuild build options of a deployed function, without entry point and output. `mainFields`
 * prefers a package's ES module build (`module`) over its CommonJS one (`main`): esbuild can then
 * drop what the handler does not import (the AWS SDK and Powertools ship both builds; about a
 * fifth of a bundle and of its cold `require` CPU, see tools/bench/README.md). The output stays
 * CommonJS, as `NodejsFunction` emits it. The SQS dead-letter sink stays out of it
 * ({@link DEAD_LETTER_CHUNK}, built as a second file). A linked source map is asked per function
 * (`enableSourceMaps`); when it is, `sourcesContent: false` keeps the sources out of it.
 *
 * @example
 * ```ts
 * await build({ ...FUNCTION_ESBUILD_OPTIONS, entryPoints: ['functions/spellchecker/handler.ts'], outfile: 'out/index.js' });
 * ```
 */
export const FUNCTION_ESBUILD_OPTIONS = {
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: FUNCTION_ESBUILD_TARGET,
  minify: true,
  mainFields: ['module', 'main'],
  sourcesContent: false,
  external: [DEAD_LETTER_CHUNK.importPath],
} as const;

/**
 * Builds a function as the construct does, with esbuild's API: `<outdir>/index.js` from `entry`
 * and {@link DEAD_LETTER_CHUNK} beside it, with {@link FUNCTION_ESBUILD_OPTIONS} and `overrides`
 * over them (to measure what one option changes). For local tools (the Kafka emulator's bundles,
 * the benchmark); esbuild is loaded only when called.
 *
 * @example
 * ```ts
 * const { outfile } = await buildFunction('functions/spellchecker/handler.ts', '.local/kafka/bundles/spellchecker');
 * ```
 */
export async function buildFunction(
  entry: string,
  outdir: string,
  overrides: BuildOptions = {},
): Promise<{ readonly outfile: string; readonly chunk: string; readonly metafile: Metafile }> {
  const { build } = await import('esbuild');
  const options: BuildOptions = {
    ...FUNCTION_ESBUILD_OPTIONS,
    mainFields: [...FUNCTION_ESBUILD_OPTIONS.mainFields],
    logLevel: 'warning',
    ...overrides,
    external: [...FUNCTION_ESBUILD_OPTIONS.external, ...(overrides.external ?? [])],
  };
  const outfile = path.join(outdir, 'index.js');
  const chunk = path.join(outdir, DEAD_LETTER_CHUNK.file);
  const [main] = await Promise.all([
    build({ ...options, entryPoints: [path.resolve(entry)], outfile, metafile: true }),
    build({ ...options, entryPoints: [DEAD_LETTER_CHUNK.entry], outfile: chunk }),
  ]);
  return { outfile, chunk, metafile: main.metafile };
}

/**
 * The construct's `NodejsFunction` bundling for source maps on or off, with a user's own options
 * over it key by key, except two that are joined rather than replaced: `externalModules` (the
 * user's beside {@link DEAD_LETTER_CHUNK}'s) and `commandHooks` (the user's `afterBundling` commands
 * after the one that builds the dead-letter chunk). The values are those of
 * {@link FUNCTION_ESBUILD_OPTIONS} under the names `NodejsFunction` gives them: local esbuild
 * (never Docker), the AWS SDK bundled at the lockfile's versions (the ones the layer is tested
 * with); the main bundle's target follows the function's runtime, the chunk's is `target`.
 *
 * @example
 * ```ts
 * new NodejsFunction(scope, 'Function', { entry, bundling: functionBundling(false, 'node24', { externalModules: ['sharp'] }) });
 * ```
 */
export function functionBundling(
  sourceMap: boolean,
  target: string = FUNCTION_ESBUILD_TARGET,
  user: BundlingOptions = {},
): BundlingOptions {
  const chunk = deadLetterChunkCommand(sourceMap, target);
  const hooks = user.commandHooks;
  const commandHooks: ICommandHooks = {
    beforeBundling: (input, output) => hooks?.beforeBundling(input, output) ?? [],
    beforeInstall: (input, output) => hooks?.beforeInstall(input, output) ?? [],
    afterBundling: (input, output) => [chunk(output), ...(hooks?.afterBundling(input, output) ?? [])],
  };
  return {
    forceDockerBundling: false,
    minify: FUNCTION_ESBUILD_OPTIONS.minify,
    mainFields: [...FUNCTION_ESBUILD_OPTIONS.mainFields],
    sourceMap,
    ...(sourceMap ? { sourcesContent: FUNCTION_ESBUILD_OPTIONS.sourcesContent } : {}),
    bundleAwsSDK: true,
    ...user,
    externalModules: [...FUNCTION_ESBUILD_OPTIONS.external, ...(user.externalModules ?? [])],
    commandHooks,
  };
}

/**
 * The shell command that builds {@link DEAD_LETTER_CHUNK} into a bundle's output folder with the
 * esbuild binary of this repository's `node_modules`, the options of {@link FUNCTION_ESBUILD_OPTIONS}.
 */
function deadLetterChunkCommand(sourceMap: boolean, target: string): (outputDir: string) => string {
  const esbuild = path.join(path.dirname(require.resolve('esbuild/package.json')), 'bin', 'esbuild');
  return (outputDir) =>
    [
      esbuild,
      DEAD_LETTER_CHUNK.entry,
      '--bundle',
      `--platform=${FUNCTION_ESBUILD_OPTIONS.platform}`,
      `--format=${FUNCTION_ESBUILD_OPTIONS.format}`,
      `--target=${target}`,
      '--minify',
      `--main-fields=${FUNCTION_ESBUILD_OPTIONS.mainFields.join(',')}`,
      ...(sourceMap ? ['--sourcemap', '--sources-content=false'] : []),
      '--log-level=warning',
      `--outfile=${path.join(outputDir, DEAD_LETTER_CHUNK.file)}`,
    ]
      .map((arg) => `'${arg.replaceAll("'", "'\\''")}'`)
      .join(' ');
}
