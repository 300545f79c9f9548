/**
 * `npm run localstack:host`: LocalStack on this machine without Docker. Installs it when needed
 * (`npm run localstack:install`), starts it on 127.0.0.1:4566 (or `--port`), prints the endpoint
 * and the environment to use, and runs until Ctrl-C.
 */
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { intFlag, runMain, UsageError, usageErrors } from '../../scripts/lib/cli';
import { installLocalStack } from './install';
import { STACK_SERVICES } from './lambda-host';
import { LOCALSTACK_DIR, shownPath } from './paths';
import { LOCALSTACK_AWS, logTail, startLocalStack } from './server';

/**
 * The `--help` text of `npm run localstack:host`.
 *
 * @example
 * ```ts
 * process.stdout.write(LOCALSTACK_HOST_USAGE);
 * ```
 */
export const LOCALSTACK_HOST_USAGE = `Usage: npm run localstack:host -- [--port 4566] [--services s3,sqs | --stack] [--lazy]

Runs LocalStack in the foreground on 127.0.0.1 without Docker (Ctrl-C stops it), from the venv
npm run localstack:install makes (done first when needed; needs Python >= 3.13).
  --port      port on 127.0.0.1 (default 4566)
  --services  LocalStack services to start, comma-separated (default s3,sqs)
  --stack     the services npm run localstack:deploy needs (${STACK_SERVICES.join(',')}),
              Lambda functions run as host processes (what npm run localstack:up starts)
  --lazy      report ready before the services are loaded (each loads on its first request)
State is in memory; the log and temporary files go to .local/localstack/port-<port>/.
`;

/**
 * Runs LocalStack until SIGINT or SIGTERM, or until it exits by itself; returns the exit code.
 *
 * @example
 * ```ts
 * process.exitCode = await runLocalStackHost(['--port', '4567']);
 * ```
 */
export async function runLocalStackHost(argv: readonly string[]): Promise<number> {
  const values = usageErrors(
    () =>
      parseArgs({
        args: [...argv],
        strict: true,
        options: {
          port: { type: 'string' },
          services: { type: 'string' },
          stack: { type: 'boolean' },
          lazy: { type: 'boolean' },
          help: { type: 'boolean', short: 'h' },
        },
      }).values,
  );
  if (values.help) {
    process.stdout.write(LOCALSTACK_HOST_USAGE);
    return 0;
  }
  const port = intFlag('--port', values.port, { min: 1, max: 65_535, fallback: 4566 });
  if (values.stack && values.services !== undefined) {
    throw new UsageError('--stack and --services are exclusive: --stack names the services itself.');
  }
  const services = (values.stack ? STACK_SERVICES.join(',') : (values.services ?? 's3,sqs'))
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');

  await installLocalStack();
  const started = Date.now();
  let localstack: Awaited<ReturnType<typeof startLocalStack>>;
  try {
    localstack = await startLocalStack({
      port,
      services,
      eager: !values.lazy,
      dataDir: join(LOCALSTACK_DIR, `port-${port}`),
    });
  } catch (error) {
    if (error instanceof TypeError) throw new UsageError(`--services: ${error.message}`, { cause: error });
    throw error;
  }
  const { endpoint } = localstack;
  const { accessKeyId, secretAccessKey } = LOCALSTACK_AWS.credentials;
  process.stdout.write(
    `LocalStack (host mode) on ${endpoint}: ${localstack.services.join(', ')}, ready in ` +
      `${((Date.now() - started) / 1000).toFixed(1)} s (pid ${localstack.pid}, log ${shownPath(localstack.logFile)}).\n` +
      'Use it from another shell:\n' +
      `  export AWS_ENDPOINT_URL=${endpoint}\n` +
      `  export AWS_ACCESS_KEY_ID=${accessKeyId} AWS_SECRET_ACCESS_KEY=${secretAccessKey}\n` +
      `  export AWS_REGION=${LOCALSTACK_AWS.region} AWS_DEFAULT_REGION=${LOCALSTACK_AWS.region}\n` +
      `  export TEST_LOCALSTACK_ENDPOINT=${endpoint}   # npm run test:localstack then uses this one\n` +
      'S3 clients need path-style addressing (SDK: forcePathStyle: true): <bucket>.127.0.0.1 does not resolve.\n' +
      'Ctrl-C stops it.\n',
  );

  // `on`, not `once`: a terminal's Ctrl-C reaches this process twice (directly, and relayed by
  // tsx), and tsx exits at once on a signal that no listener is left to handle.
  const outcome = await new Promise<'signal' | 'exited'>((resolve) => {
    process.on('SIGINT', () => resolve('signal'));
    process.on('SIGTERM', () => resolve('signal'));
    void localstack.exited.then(() => resolve('exited'));
  });
  if (outcome === 'exited') {
    const status = await localstack.exited;
    process.stderr.write(
      `LocalStack exited by itself (${status.signal ?? `code ${status.code}`}). Last lines of its log:\n${logTail(localstack.logFile)}\n`,
    );
    await localstack.stop();
    return 1;
  }
  process.stdout.write('Stopping LocalStack...\n');
  await localstack.stop();
  process.stdout.write('LocalStack stopped.\n');
  return 0;
}

if (require.main === module)
  runMain(() => runLocalStackHost(process.argv.slice(2)), 'npm run localstack:host -- --help');
