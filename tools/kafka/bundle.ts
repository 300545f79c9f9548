/**
 * The consumers' Lambda bundles, built as `cdk deploy` builds them: with the esbuild options the
 * consumer construct gives `NodejsFunction` ({@link FUNCTION_ESBUILD_OPTIONS} of
 * `infra/lib/bundling.ts`, the one place both read), run from the project root, output `index.js`.
 * No source map, as the construct's default (`enableSourceMaps: false`); the broker test that runs
 * the synthesized asset checks the deployed bundle works too.
 */
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { build } from 'esbuild';
import { FUNCTION_ESBUILD_OPTIONS } from '../../infra/lib/bundling';

const ROOT = resolve(__dirname, '..', '..');

/**
 * Bundles `functions/<service>/handler.ts` into `<outDir>/<service>/index.js` and returns the
 * bundle's path.
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
    ...FUNCTION_ESBUILD_OPTIONS,
    mainFields: [...FUNCTION_ESBUILD_OPTIONS.mainFields],
    entryPoints: [join(ROOT, 'functions', service, 'handler.ts')],
    outfile,
    absWorkingDir: ROOT,
    logLevel: 'warning',
  });
  return outfile;
}
