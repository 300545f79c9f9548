import { execFile, execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO_ROOT } from '../../../scripts/lib/local';
import { testEndpoint } from '../../helpers/dynamo';
import { lastJsonLine } from './run-script';

/**
 * The five-minute path, proven: in a copy of the repository, `npm run new:consumer -- orders`
 * writes a consumer, and with no other edit the copy type-checks, lints, synthesizes (a function,
 * table and grants for it), invokes it on its sample event, and passes the new consumer's tests
 * (its domain test, and the table-actions test that replays every consumer's sample events through
 * its real handler). The whole `npm test` is not run inside a test; CI runs it on the real tree.
 */

let copy: string;

function run(
  command: string,
  args: readonly string[],
  env: Record<string, string> = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      command,
      args,
      { cwd: copy, env: { ...process.env, ...env }, timeout: 240_000, maxBuffer: 32 * 1024 * 1024 },
      (error, stdout, stderr) => {
        resolve({ code: error ? (typeof error.code === 'number' ? error.code : -1) : 0, stdout, stderr });
      },
    );
  });
}

const bin = (name: string) => join(REPO_ROOT, 'node_modules', '.bin', name);

beforeAll(() => {
  // GIVEN a copy of the repository's files as git sees them (tracked and new, not ignored)
  copy = mkdtempSync(join(tmpdir(), 'scaffold-'));
  const files = execFileSync('git', ['ls-files', '--cached', '--others', '--exclude-standard', '-z'], {
    cwd: REPO_ROOT,
    encoding: 'utf8',
  })
    .split('\0')
    .filter((file) => file && existsSync(join(REPO_ROOT, file)));
  for (const file of files) cpSync(join(REPO_ROOT, file), join(copy, file), { recursive: true });
  symlinkSync(join(REPO_ROOT, 'node_modules'), join(copy, 'node_modules'));
});

afterAll(() => {
  rmSync(copy, { recursive: true, force: true });
});

test('new:consumer writes a consumer that checks, synthesizes, runs and passes its tests with no other edit', async () => {
  // WHEN the scaffold runs
  const scaffold = await run(bin('tsx'), ['scripts/new-consumer.ts', 'orders']);
  expect([scaffold.code, scaffold.stderr]).toEqual([0, '']);
  for (const file of [
    'functions/orders/manifest.ts',
    'functions/orders/handler.ts',
    'functions/orders/domain.ts',
    'test/unit/functions/orders/domain.test.ts',
    'events/orders-sample.json',
  ]) {
    expect(existsSync(join(copy, file))).toBe(true);
  }
  const list = readFileSync(join(copy, 'functions/manifests.ts'), 'utf8');
  expect(list).toContain("import orders from './orders/manifest';");
  expect(list).toMatch(
    /MANIFESTS: readonly ConsumerManifest\[\] = \[essayLifecycle, spellchecker, essayFeedback, orders\];/,
  );

  // THEN it type-checks and lints as written
  const typecheck = await run(bin('tsc'), ['--noEmit']);
  expect([typecheck.code, typecheck.stdout]).toEqual([0, '']);
  const lint = await run(bin('biome'), [
    'check',
    'functions',
    'test/unit/functions/orders',
    'events/orders-sample.json',
  ]);
  expect([lint.code, lint.stderr.match(/Found \d+ errors?/)?.[0]]).toEqual([0, undefined]);

  // it synthesizes: a function for it, its table variable set, exactly its table actions granted
  const out = join(copy, 'cdk.out.test');
  const synth = await run(bin('cdk'), ['synth', '--quiet', '-o', out]);
  expect([synth.code, synth.stderr.split('\n').filter((l) => /error/i.test(l))]).toEqual([0, []]);
  const template = JSON.parse(readFileSync(join(out, 'KafkaEffectivelyOnce.template.json'), 'utf8')) as {
    Resources: Record<string, { Type: string; Properties?: Record<string, unknown> }>;
  };
  const functions = Object.values(template.Resources).filter((r) => r.Type === 'AWS::Lambda::Function');
  const orders = functions.find(
    (f) =>
      (f.Properties?.Environment as { Variables?: Record<string, unknown> } | undefined)?.Variables
        ?.POWERTOOLS_SERVICE_NAME === 'orders',
  );
  expect(orders).toBeDefined();
  expect(Object.keys((orders?.Properties?.Environment as { Variables: object }).Variables)).toContain(
    'ORDERS_TABLE_NAME',
  );

  // it runs on its sample event: processed, then a duplicate, and the invalid record dead-lettered
  const invoke = await run(bin('tsx'), ['scripts/invoke.ts', 'orders', 'events/orders-sample.json'], {
    DYNAMODB_ENDPOINT: testEndpoint(),
  });
  expect(invoke.code).toBe(0);
  expect(lastJsonLine(invoke.stdout)).toMatchObject({
    function: 'orders',
    records: 3,
    processed: 1,
    duplicates: 1,
    failed: 1,
    error: null,
  });

  // and its tests pass: its domain test, and every consumer's sample events through its real handler
  const tests = await run(bin('jest'), [
    '--verbose',
    'test/unit/functions/orders',
    'test/integration/functions/table-actions.test.ts',
  ]);
  expect([tests.code, tests.stderr.match(/Tests:.*$/m)?.[0]]).toEqual([0, expect.stringMatching(/passed/)]);
  expect(tests.stderr).toMatch(/orders on its sample events/);
}, 600_000);
