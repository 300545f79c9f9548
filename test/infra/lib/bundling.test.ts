import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ICommandHooks } from 'aws-cdk-lib/aws-lambda-nodejs';
import { DEAD_LETTER_CHUNK, FUNCTION_ESBUILD_OPTIONS, functionBundling } from '../../../infra/lib/bundling';

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
