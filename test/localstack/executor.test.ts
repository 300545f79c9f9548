/**
 * The Lambda executor plugin's own tests (Python, pytest from the LocalStack venv), against the
 * real RIE, Node.js 24 and aws-lambda-ric that `npm run localstack:install` put in `.local/`.
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { DEFAULT_VENV_DIR, EXECUTOR_DIR, lambdaHostEnv } from '../../localstack/host';

const run = promisify(execFile);

test('pytest passes the executor plugin tests', async () => {
  const outcome = await run(
    join(DEFAULT_VENV_DIR, 'bin', 'python'),
    ['-m', 'pytest', '-q', '-p', 'no:cacheprovider', join(EXECUTOR_DIR, 'tests')],
    { cwd: EXECUTOR_DIR, env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ...lambdaHostEnv() } },
  ).catch((error: { stdout?: string; stderr?: string; code?: number }) => error);
  const output = `${outcome.stdout ?? ''}${outcome.stderr ?? ''}`;
  expect({ code: 'code' in outcome ? outcome.code : 0, output }).toEqual({
    code: 0,
    output: expect.any(String),
  });
  // Every test ran: none was skipped or deselected.
  expect(output).toMatch(/^(\d+) passed in /m);
  expect(Number(/^(\d+) passed/m.exec(output)?.[1])).toBeGreaterThanOrEqual(15);
  expect(output).not.toMatch(/skipped|deselected|failed|error/);
}, 120_000);
