/**
 * The consumers' Lambda bundles, built as `cdk deploy` builds them: with the esbuild options the
 * consumer construct gives `NodejsFunction` (`buildFunction` of `infra/lib/bundling.ts`, the one
 * place both read), run from the project root, output `index.js` and the dead-letter chunk beside it.
 * No source map, as the construct's default (`enableSourceMaps: false`); the broker test that runs
 * the synthesized asset checks the deployed bundle works too.
 */
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { buildFunction } from '../../infra/lib/bundling';

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
  const { outfile } = await buildFunction(join(ROOT, 'functions', service, 'handler.ts'), dir, {
    absWorkingDir: ROOT,
  });
  return outfile;
}
