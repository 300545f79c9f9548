import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ICommandHooks } from 'aws-cdk-lib/aws-lambda-nodejs';
import { OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import {
  buildFunction,
  DEAD_LETTER_CHUNK,
  FUNCTION_ESBUILD_OPTIONS,
  functionBundling,
} from '../../../infra/lib/bundling';

const USER_HOOKS: ICommandHooks = {
  beforeBundling: () => ['echo before'],
  beforeInstall: () => [],
  afterBundling: (_input, output) => [`echo after ${output}`],
};

describe('functionBundling', () => {
  it('keeps the dead-letter chunk external beside the user’s external modules', () => {
    const bundling = functionBundling(false, 'node24', { externalModules: ['sharp'] });
    expect(bundling.externalModules).toEqual([DEAD_LETTER_CHUNK.importPath, 'sharp']);
    expect(FUNCTION_ESBUILD_OPTIONS.external).toEqual([DEAD_LETTER_CHUNK.importPath]);
  });

  it('builds the chunk first, then runs the user’s own afterBundling commands', () => {
    const hooks = functionBundling(false, 'node24', { commandHooks: USER_HOOKS }).commandHooks;
    const after = hooks?.afterBundling('/in', '/out') ?? [];
    expect(after).toHaveLength(2);
    expect(after[0]).toContain(`'--outfile=/out/${DEAD_LETTER_CHUNK.file}'`);
    expect(after[1]).toBe('echo after /out');
    expect(hooks?.beforeBundling('/in', '/out')).toEqual(['echo before']);
  });

  it('lets the user override any other option, key by key', () => {
    const bundling = functionBundling(true, 'node24', { minify: false });
    expect(bundling).toMatchObject({ minify: false, sourceMap: true, bundleAwsSDK: true });
  });

  it('refuses an ES module bundle and Docker bundling, which would leave dead letters without their sink', () => {
    expect(() => functionBundling(false, 'node24', { format: OutputFormat.ESM })).toThrow(
      /the consumer's bundle is CommonJS, because it loads its dead-letter sink/,
    );
    expect(() => functionBundling(false, 'node24', { format: OutputFormat.CJS })).not.toThrow();
    expect(() => functionBundling(false, 'node24', { forceDockerBundling: true })).toThrow(
      /built by the host's esbuild/,
    );
  });

  it('with bundleAwsSDK false, leaves the SDK out of the bundle and of the chunk', () => {
    const bundling = functionBundling(false, 'node24', { bundleAwsSDK: false });
    expect(bundling.externalModules).toEqual([DEAD_LETTER_CHUNK.importPath, '@aws-sdk/*']);
    expect(bundling.commandHooks?.afterBundling('/in', '/out')[0]).toContain("'--external:@aws-sdk/*'");
  });

  it('its chunk command builds the same file as buildFunction', async () => {
    const out = mkdtempSync(join(tmpdir(), 'chunk-same-'));
    try {
      const [command] =
        functionBundling(false, 'node24').commandHooks?.afterBundling('/in', join(out, 'hook')) ?? [];
      expect(spawnSync('sh', ['-c', command ?? 'false'], { encoding: 'utf8' }).status).toBe(0);
      const { chunk } = await buildFunction(DEAD_LETTER_CHUNK.entry, join(out, 'api'), {
        logLevel: 'silent',
      });
      expect(readFileSync(join(out, 'hook', DEAD_LETTER_CHUNK.file)).equals(readFileSync(chunk))).toBe(true);
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  }, 60_000);

  it('its chunk command builds a loadable SQS sink with the bundle’s options', () => {
    const out = mkdtempSync(join(tmpdir(), 'chunk-'));
    try {
      const [command] = functionBundling(true, 'node22').commandHooks?.afterBundling('/in', out) ?? [];
      const built = spawnSync('sh', ['-c', command ?? 'false'], { encoding: 'utf8' });
      expect(built.stderr).toBe('');
      expect(built.status).toBe(0);
      const chunk = join(out, DEAD_LETTER_CHUNK.file);
      expect(existsSync(`${chunk}.map`)).toBe(true); // source maps on, as asked
      expect(readFileSync(chunk, 'utf8')).toContain('AmazonSQS');
      const loaded = spawnSync(
        process.execPath,
        ['-e', `process.stdout.write(typeof require(${JSON.stringify(chunk)}).sqsDeadLetterSink)`],
        { encoding: 'utf8' },
      );
      expect(loaded.stdout).toBe('function');
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });
});
