/**
 * How every function of this repository is bundled: one set of esbuild options, read by the consumer
 * construct (`NodejsFunction`'s `bundling`), the benchmark's bundle sides and any local tool that
 * builds a function the way it is deployed. Plain values, no aws-cdk-lib import, so a tool can
 * spread it into esbuild's `build()` as it is.
 */

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
 * CommonJS, as `NodejsFunction` emits it. A linked source map is asked per function
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
} as const;

/**
 * The construct's `NodejsFunction` bundling (`BundlingOptions` of aws-cdk-lib) for source maps on or
 * off: the values of {@link FUNCTION_ESBUILD_OPTIONS} under the names `NodejsFunction` gives them,
 * local esbuild (never Docker) and the AWS SDK bundled at the lockfile's versions, the ones the
 * layer is tested with. The target follows the function's runtime.
 *
 * @example
 * ```ts
 * new NodejsFunction(scope, 'Function', { entry, bundling: { ...functionBundling(false), ...userBundling } });
 * ```
 */
export function functionBundling(sourceMap: boolean): {
  readonly forceDockerBundling: false;
  readonly minify: boolean;
  readonly mainFields: string[];
  readonly sourceMap: boolean;
  readonly sourcesContent?: boolean;
  readonly bundleAwsSDK: true;
} {
  return {
    forceDockerBundling: false,
    minify: FUNCTION_ESBUILD_OPTIONS.minify,
    mainFields: [...FUNCTION_ESBUILD_OPTIONS.mainFields],
    sourceMap,
    ...(sourceMap ? { sourcesContent: FUNCTION_ESBUILD_OPTIONS.sourcesContent } : {}),
    bundleAwsSDK: true,
  };
}
