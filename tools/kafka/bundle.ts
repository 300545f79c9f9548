/**
 * The consumers' Lambda bundles, built as `cdk deploy` builds them: the esbuild options the
 * consumer construct passes to `NodejsFunction` (`infra/constructs/idempotent-kafka-consumer.ts`:
 * `minify`, `sourceMap`, `sourcesContent: false`, `bundleAwsSDK: true`, runtime Node.js 24), in
 * the form `NodejsFunction` hands them to esbuild (`--bundle --target=node24 --platform=node
 * --minify --sourcemap --sources-content=false`, no externals, output `index.js`, run from the
 * project root). Until the construct imports {@link FUNCTION_BUNDLE_OPTIONS} itself, keep the two
 * equal by hand; the broker test that runs the synthesized asset checks the deployed bundle works.
 */
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { type BuildOptions, build } from 'esbuild';
import { FUNCTION_ESBUILD_TARGET } from '../../scripts/lib/local';

const ROOT = resolve(__dirname, '..', '..');

/**
 * The esbuild options `NodejsFunction` derives from the construct's bundling props (entry and
 * output aside).
 *
 * @example
 * ```ts
 * await build({ ...FUNCTION_BUNDLE_OPTIONS, entryPoints: ['functions/spellchecker/handler.ts'], outfile: 'out/index.js' });
 * ```
 */
export const FUNCTION_BUNDLE_OPTIONS = {
  bundle: true,
  target: FUNCTION_ESBUILD_TARGET,
  platform: 'node',
  minify: true,
  sourcemap: true,
  sourcesContent: false,
  external: [],
} as const satisfies BuildOptions;

/**
 * Bundles `functions/<service>/handler.ts` into `<outDir>/<service>/index.js` (with its source
 * map) and returns the bundle's path.
 *
 * @example
 * ```ts
 * const bundle = await bundleFunction('spellchecker', '.local/kafka/bundles');
 * ```
 */
export async function bundleFunction(service: string, outDir: string): Promise<string> {
  if (!/^[a-z0-9][a-z0-9-]*$/.test(service))
    throw new TypeError(`Not a function name: ${JSON.stringify(service)}.`);
  const dir = resolve(outDir, service);
  mkdirSync(dir, { recursive: true });
  const outfile = join(dir, 'index.js');
  await build({
    ...FUNCTION_BUNDLE_OPTIONS,
    external: [...FUNCTION_BUNDLE_OPTIONS.external],
    entryPoints: [join(ROOT, 'functions', service, 'handler.ts')],
    outfile,
    absWorkingDir: ROOT,
    logLevel: 'warning',
  });
  return outfile;
}
