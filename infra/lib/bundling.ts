/**
 * How every function of this repository is bundled: one set of esbuild options, read by the consumer
 * construct (`NodejsFunction`'s `bundling`), the benchmark's bundle sides and any local tool that
 * builds a function the way it is deployed: `index.js` and the dead-letter chunk beside it
 * ({@link DEAD_LETTER_CHUNK}). The options are plain values a tool can spread into esbuild's
 * `build()`; aws-cdk-lib and esbuild are imported for their types only (esbuild's API is loaded
 * when {@link buildFunction} runs), so the construct pays nothing for them at synth.
 */
import * as path from 'node:path';
import type { BundlingOptions, ICommandHooks } from 'aws-cdk-lib/aws-lambda-nodejs';
import type { BuildOptions, Metafile } from 'esbuild';

/** The repository's root, where the second entry's source is. */
const REPO_ROOT = path.join(__dirname, '..', '..');

/**
 * The second file of every function's bundle: the SQS dead-letter sink with its SQS and S3
 * clients, which only the dead-letter path uses (about 165 KB of `index.js` that would otherwise be
 * loaded at every cold start). The handler's bundle keeps `require('./dead-letter-sqs')` external
 * (`external` of {@link FUNCTION_ESBUILD_OPTIONS}) and loads it beside `index.js` on its first dead
 * letter; {@link buildFunction} and {@link functionBundling} build it.
 *
 * @example
 * ```ts
 * const chunkPath = `.local/kafka/bundles/spellchecker/${DEAD_LETTER_CHUNK.file}`;
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
 * A build of `index.js` alone with these options lacks the chunk: build with {@link buildFunction}.
 *
 * @example
 * ```ts
 * const external = [...FUNCTION_ESBUILD_OPTIONS.external]; // ['./dead-letter-sqs']
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
 * over it key by key (except `format`, which must stay CommonJS, and `forceDockerBundling`, which
 * must stay off: both throw), and two that are joined rather than replaced: `externalModules` (the
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
  if (user.format !== undefined && String(user.format) !== FUNCTION_ESBUILD_OPTIONS.format) {
    throw new TypeError(
      `bundling.format ${JSON.stringify(user.format)}: the consumer's bundle is CommonJS, because it loads its dead-letter sink (dead-letter-sqs.js) with require() on the first dead letter; leave format unset.`,
    );
  }
  if (user.forceDockerBundling) {
    throw new TypeError(
      "bundling.forceDockerBundling: the consumer's dead-letter chunk is built by the host's esbuild (infra/lib/bundling.ts); leave it unset, esbuild from node_modules bundles locally.",
    );
  }
  // With the SDK left to the runtime, CDK's default external (@aws-sdk/*) must survive the
  // externalModules this sets, and the chunk must leave the SDK out the same way.
  const sdkExternal = user.bundleAwsSDK === false ? ['@aws-sdk/*'] : [];
  const chunk = deadLetterChunkCommand(sourceMap, target, sdkExternal);
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
    externalModules: [...FUNCTION_ESBUILD_OPTIONS.external, ...sdkExternal, ...(user.externalModules ?? [])],
    commandHooks,
  };
}

/**
 * The shell command that builds {@link DEAD_LETTER_CHUNK} into a bundle's output folder with the
 * esbuild binary of this repository's `node_modules`: the options of {@link FUNCTION_ESBUILD_OPTIONS}
 * as esbuild's flags, the same build as {@link buildFunction}'s (a test compares the two).
 */
function deadLetterChunkCommand(
  sourceMap: boolean,
  target: string,
  external: readonly string[],
): (outputDir: string) => string {
  const esbuild = path.join(path.dirname(require.resolve('esbuild/package.json')), 'bin', 'esbuild');
  const o = FUNCTION_ESBUILD_OPTIONS;
  return (outputDir) =>
    [
      esbuild,
      DEAD_LETTER_CHUNK.entry,
      ...(o.bundle ? ['--bundle'] : []),
      `--platform=${o.platform}`,
      `--format=${o.format}`,
      `--target=${target}`,
      ...(o.minify ? ['--minify'] : []),
      `--main-fields=${o.mainFields.join(',')}`,
      ...[...o.external, ...external].map((module) => `--external:${module}`),
      ...(sourceMap ? ['--sourcemap', `--sources-content=${o.sourcesContent}`] : []),
      '--log-level=warning',
      `--outfile=${path.join(outputDir, DEAD_LETTER_CHUNK.file)}`,
    ]
      .map((arg) => `'${arg.replaceAll("'", "'\\''")}'`)
      .join(' ');
}
