/**
 * `npm run records -- [options]`: lists the idempotency records of the local store (or of any
 * endpoint), and releases a record stuck in `processing` on request, fenced.
 */
import { parseArgs } from 'node:util';
import { ENV, optionalEnv, RecordStatus } from '../shared/internal';
import { choiceFlag, intFlag, runMain, UsageError, usageErrors } from './lib/cli';
import { LOCAL_DB_PATH, LOCAL_TABLES, openDynamo, REPO_ROOT } from './lib/local';
import { formatRecords, listRecords, matchKey, releaseRecord } from './lib/records';

/**
 * The `--help` text of `npm run records`.
 *
 * @example
 * ```ts
 * process.stdout.write(RECORDS_USAGE);
 * ```
 */
export const RECORDS_USAGE = `Usage: npm run records -- [options]

Lists the idempotency records (key, state, owner, lease, expiry, attempts, event type, error):
one per logical event, processing while a worker holds it, completed or failed once done.

Where: --endpoint, else ${ENV.DYNAMODB_ENDPOINT}, else the file-backed DynamoDB Local under
.local/dynamodb/ (the one npm run invoke uses), started for the listing.

Options:
  --status processing|completed|failed   only records in that state
  --json                                 print the records as a JSON array (full keys)
  --table <name>                         idempotency table   [${ENV.IDEMPOTENCY_TABLE_NAME}, else ${LOCAL_TABLES.idempotency}]
  --endpoint <url>                       DynamoDB endpoint
  --release <key>                        release (delete) a record stuck in processing so that
                                         the next delivery claims it afresh: the full key, or the
                                         shortened one the listing shows. Only when it is
                                         processing and its lease has ended (1 s skew margin);
                                         the delete is conditional on the owner, status and
                                         lease read, so it never removes a record another
                                         worker has since taken over or completed
  --force                                with --release: skip the lease check (the worker is
                                         known dead); still conditional on owner and status
  --skew-ms <n>                          clock-skew margin of the lease check           [1000]
  -h, --help                             show this help

Exit code: 0, or 1 when --release did not release (the reason is printed).

Examples:
  npm run records
  npm run records -- --status processing
  npm run records -- --release spellchecker:3f1c9a2b4d5e
`;

/** The parsed command line of `npm run records`. */
export interface RecordsCliOptions {
  readonly status: RecordStatus | undefined;
  readonly json: boolean;
  readonly table: string | undefined;
  readonly endpoint: string | undefined;
  readonly release: string | undefined;
  readonly force: boolean;
  readonly skewMs: number;
}

/** `--help`, or the options to run with. */
export type RecordsCommand =
  | { readonly help: true }
  | { readonly help: false; readonly options: RecordsCliOptions };

/**
 * Parses the command line of `npm run records`; throws a {@link UsageError} for an unknown flag, a
 * bad status, `--force` without `--release`, or a bad endpoint.
 *
 * @example
 * ```ts
 * parseRecordsArgs(['--status', 'processing', '--json']);
 * ```
 */
export function parseRecordsArgs(argv: readonly string[]): RecordsCommand {
  const values: ReturnType<typeof parse>['values'] = usageErrors(() => parse(argv).values);
  if (values.help) return { help: true };
  if (values.force && values.release === undefined)
    throw new UsageError('--force only applies to --release <key>.');
  if (values.release !== undefined && values.release.trim() === '')
    throw new UsageError('--release needs a key.');
  if (values.endpoint !== undefined && !/^https?:\/\/./.test(values.endpoint)) {
    throw new UsageError(`--endpoint must be an http(s) URL, got ${JSON.stringify(values.endpoint)}.`);
  }
  const statuses = Object.values(RecordStatus);
  return {
    help: false,
    options: {
      status:
        values.status === undefined
          ? undefined
          : choiceFlag('--status', values.status, statuses, 'processing'),
      json: values.json ?? false,
      table: values.table,
      endpoint: values.endpoint,
      release: values.release?.trim(),
      force: values.force ?? false,
      skewMs: intFlag('--skew-ms', values['skew-ms'], { min: 0, max: 600_000, fallback: 1000 }),
    },
  };
}

function parse(argv: readonly string[]) {
  return parseArgs({
    args: [...argv],
    allowPositionals: false,
    strict: true,
    options: {
      status: { type: 'string' },
      json: { type: 'boolean' },
      table: { type: 'string' },
      endpoint: { type: 'string' },
      release: { type: 'string' },
      force: { type: 'boolean' },
      'skew-ms': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
}

/**
 * Runs `npm run records`; returns the exit code.
 *
 * @example
 * ```ts
 * process.exitCode = await runRecords(['--status', 'processing']);
 * ```
 */
export async function runRecords(argv: readonly string[]): Promise<number> {
  const command = parseRecordsArgs(argv);
  const print = (text: string) => process.stdout.write(text);
  if (command.help) {
    print(RECORDS_USAGE);
    return 0;
  }
  const { options } = command;
  const table = options.table ?? optionalEnv(ENV.IDEMPOTENCY_TABLE_NAME) ?? LOCAL_TABLES.idempotency;
  const ddb = await openDynamo({ endpoint: options.endpoint ?? optionalEnv(ENV.DYNAMODB_ENDPOINT) });
  try {
    const where = ddb.embedded
      ? `DynamoDB Local (file-backed, ${LOCAL_DB_PATH.replace(`${REPO_ROOT}/`, '')})`
      : ddb.endpoint;
    if (options.release !== undefined) {
      const all = await listRecords(ddb.doc, table);
      const match = matchKey(all, options.release);
      if (match.kind !== 'one') {
        const reason =
          match.kind === 'none'
            ? `No record matches ${JSON.stringify(options.release)} in ${table} at ${where}.`
            : `${JSON.stringify(options.release)} matches ${match.ids.length} records; give more of the key:\n  ${match.ids.slice(0, 10).join('\n  ')}${match.ids.length > 10 ? `\n  … and ${match.ids.length - 10} more` : ''}`;
        print(
          options.json
            ? `${JSON.stringify({ released: false, key: options.release, reason })}\n`
            : `${reason}\n`,
        );
        return 1;
      }
      const result = await releaseRecord(ddb.doc, table, match.id, {
        force: options.force,
        clockSkewMs: options.skewMs,
      });
      print(
        options.json
          ? `${JSON.stringify({ released: result.released, key: result.key, reason: result.reason })}\n`
          : `${result.reason}\n`,
      );
      return result.released ? 0 : 1;
    }
    const records = await listRecords(ddb.doc, table, { status: options.status });
    if (options.json) {
      print(`${JSON.stringify(records, null, 2)}\n`);
      return 0;
    }
    const filter = options.status ? ` with status ${options.status}` : '';
    if (records.length === 0) {
      print(`No records${filter} in ${table} at ${where}.\n`);
      return 0;
    }
    print(`${records.length} record${records.length === 1 ? '' : 's'}${filter} in ${table} at ${where}\n\n`);
    print(`${formatRecords(records)}\n`);
    return 0;
  } finally {
    await ddb.close();
  }
}

if (require.main === module) runMain(() => runRecords(process.argv.slice(2)), 'npm run records -- --help');
