/**
 * `npm run local:dynamodb`: keeps a DynamoDB Local running (file-backed under `.local/dynamodb/`,
 * port 8000 by default) with the local tables, for the AWS CLI, NoSQL Workbench, or a series of
 * `DYNAMODB_ENDPOINT=http://localhost:8000 npm run invoke ...` without a start-up each time.
 */
import { parseArgs } from 'node:util';
import { ENV } from '../shared/internal';
import { intFlag, runMain, usageErrors } from './lib/cli';
import { ensureLocalTables, LOCAL_TABLES, openDynamo } from './lib/local';

/**
 * The `--help` text of `npm run local:dynamodb`.
 *
 * @example
 * ```ts
 * process.stdout.write(LOCAL_DYNAMODB_USAGE);
 * ```
 */
export const LOCAL_DYNAMODB_USAGE = `Usage: npm run local:dynamodb -- [--port 8000] [--in-memory]

Runs DynamoDB Local in the foreground (Ctrl-C stops it) with the local tables created:
file-backed under .local/dynamodb/ (the same state npm run invoke uses), or in memory.
Then, in another shell:
  export ${ENV.DYNAMODB_ENDPOINT}=http://localhost:8000
  npm run invoke -- spellchecker events/spellchecker-happy-path.json
  AWS_ACCESS_KEY_ID=local AWS_SECRET_ACCESS_KEY=local AWS_DEFAULT_REGION=us-east-1 \\
    aws dynamodb scan --table-name ${LOCAL_TABLES.idempotency} --endpoint-url http://localhost:8000
`;

/**
 * Runs the engine until SIGINT or SIGTERM; returns the exit code.
 *
 * @example
 * ```ts
 * process.exitCode = await runLocalDynamo(['--port', '8001']);
 * ```
 */
export async function runLocalDynamo(argv: readonly string[]): Promise<number> {
  const values = usageErrors(
    () =>
      parseArgs({
        args: [...argv],
        strict: true,
        options: {
          port: { type: 'string' },
          'in-memory': { type: 'boolean' },
          help: { type: 'boolean', short: 'h' },
        },
      }).values,
  );
  if (values.help) {
    process.stdout.write(LOCAL_DYNAMODB_USAGE);
    return 0;
  }
  const port = intFlag('--port', values.port, { min: 1, max: 65_535, fallback: 8000 });
  const ddb = await openDynamo({ port, inMemory: values['in-memory'] ?? false });
  await ensureLocalTables(ddb.client);
  process.stdout.write(
    `DynamoDB Local (${values['in-memory'] ? 'in memory' : 'file-backed, .local/dynamodb'}) on ${ddb.endpoint}, tables ${Object.values(LOCAL_TABLES).join(', ')}.\n` +
      `Use it with: export ${ENV.DYNAMODB_ENDPOINT}=http://localhost:${port}   (Ctrl-C to stop)\n`,
  );
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await ddb.close();
  process.stdout.write('DynamoDB Local stopped.\n');
  return 0;
}

if (require.main === module)
  runMain(() => runLocalDynamo(process.argv.slice(2)), 'npm run local:dynamodb -- --help');
