/**
 * `npm run invoke -- <function> <event-file>`: runs a consumer's real handler module in-process
 * against DynamoDB Local and reports what happened to every record.
 */
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import type { MSKEvent } from 'aws-lambda';
import { type BatchReport, ENV, optionalEnv } from '../shared/internal';
import { intFlag, reserveStdout, runMain, UsageError, usageErrors } from './lib/cli';
import {
  brokenSummary,
  fakeLambdaContext,
  formatReport,
  type InvokeSummary,
  summarize,
} from './lib/invoke-report';
import {
  ensureLocalTables,
  functionEnv,
  handlerPath,
  importHandler,
  LOCAL_DB_PATH,
  LOCAL_TABLES,
  type LocalDynamo,
  listFunctions,
  openDynamo,
  REPO_ROOT,
} from './lib/local';

/**
 * The `--help` text of `npm run invoke`.
 *
 * @example
 * ```ts
 * process.stdout.write(INVOKE_USAGE);
 * ```
 */
export const INVOKE_USAGE = `Usage: npm run invoke -- <function> <event-file|-> [options]

Runs functions/<function>/handler.ts (the real handler, built from its own loadConfig()) in this
process on an MSK event file, against DynamoDB Local, and prints what happened to each record.
The last line of stdout is one JSON object:
  {"function","records","processed","duplicates","failed","retryable","skipped","batchItemFailures","error"}
(error: what the Lambda entry point threw, else null). Function logs go to stderr.

DynamoDB: with ${ENV.DYNAMODB_ENDPOINT} set (or --endpoint), that endpoint; otherwise a file-backed
DynamoDB Local under .local/dynamodb/, started for the run and stopped after it. State survives
between runs: invoking the same event twice shows duplicates the second time.
Tables (created if missing): ${LOCAL_TABLES.idempotency}, ${LOCAL_TABLES.essays}, ${LOCAL_TABLES.spellchecks}
(${ENV.IDEMPOTENCY_TABLE_NAME}, ${'ESSAY_TABLE_NAME'}, ${'SPELLCHECK_TABLE_NAME'} override them).
Dead letters: appended to .local/dead-letters.jsonl (${ENV.DEAD_LETTER_QUEUE_URL} overrides it).

Options:
  --no-partial-batch-response  run as an event source mapping without ReportBatchItemFailures:
                               a record to retry makes the handler throw (whole batch retried)
  --timeout-ms <n>             the function timeout the fake Lambda context counts down   [60000]
  --endpoint <url>             DynamoDB endpoint (same as ${ENV.DYNAMODB_ENDPOINT})
  --verbose                    function logs at INFO (on stderr)                [WARN and above]
  --metrics                    emit Powertools metrics (EMF, on stderr)                  [off]
  -h, --help                   show this help

Examples:
  npm run invoke -- spellchecker events/spellchecker-happy-path.json
  npm run invoke -- essay-lifecycle events/essay-lifecycle-poison.json --verbose
`;

/** The parsed command line of `npm run invoke`. */
export interface InvokeCliOptions {
  readonly functionName: string;
  /** Path of the event file, or `-` for stdin. */
  readonly eventFile: string;
  readonly partialBatchResponse: boolean;
  readonly timeoutMs: number;
  readonly endpoint: string | undefined;
  readonly verbose: boolean;
  readonly metrics: boolean;
}

/** `--help`, or the options to run with. */
export type InvokeCommand =
  | { readonly help: true }
  | { readonly help: false; readonly options: InvokeCliOptions };

/**
 * Parses the command line of `npm run invoke`; throws a {@link UsageError} for a missing or extra
 * argument, an unknown flag or a bad number. Whether the function exists is checked when it runs.
 *
 * @example
 * ```ts
 * parseInvokeArgs(['spellchecker', 'events/spellchecker-happy-path.json', '--verbose']);
 * ```
 */
export function parseInvokeArgs(argv: readonly string[]): InvokeCommand {
  const parsed: ReturnType<typeof parse> = usageErrors(() => parse(argv));
  const { values, positionals } = parsed;
  if (values.help) return { help: true };
  const [functionName, eventFile, ...extra] = positionals;
  if (functionName === undefined || eventFile === undefined) {
    throw new UsageError('Give a function and an event file: npm run invoke -- <function> <event-file>.');
  }
  if (extra.length > 0) throw new UsageError(`Unexpected argument(s): ${extra.join(' ')}.`);
  if (values.endpoint !== undefined && !/^https?:\/\/./.test(values.endpoint)) {
    throw new UsageError(`--endpoint must be an http(s) URL, got ${JSON.stringify(values.endpoint)}.`);
  }
  return {
    help: false,
    options: {
      functionName,
      eventFile,
      partialBatchResponse: !values['no-partial-batch-response'],
      timeoutMs: intFlag('--timeout-ms', values['timeout-ms'], { min: 1000, max: 900_000, fallback: 60_000 }),
      endpoint: values.endpoint,
      verbose: values.verbose ?? false,
      metrics: values.metrics ?? false,
    },
  };
}

function parse(argv: readonly string[]) {
  return parseArgs({
    args: [...argv],
    allowPositionals: true,
    strict: true,
    options: {
      'no-partial-batch-response': { type: 'boolean' },
      'timeout-ms': { type: 'string' },
      endpoint: { type: 'string' },
      verbose: { type: 'boolean', short: 'v' },
      metrics: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
}

/**
 * Reads an MSK event from a file (or stdin for `-`), checking only that it has the MSK shape
 * (`records` keyed by `"<topic>-<partition>"`); the handler validates the rest.
 *
 * @example
 * ```ts
 * const event = await readEventFile('events/spellchecker-happy-path.json');
 * ```
 */
export async function readEventFile(path: string): Promise<MSKEvent> {
  let text: string;
  try {
    text = path === '-' ? await readStdin() : await readFile(path, 'utf8');
  } catch (error) {
    throw new UsageError(
      `Cannot read the event file ${path}: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new UsageError(
      `The event file ${path} is not JSON (${error instanceof Error ? error.message : String(error)}); build one with npm run events.`,
    );
  }
  const records =
    typeof json === 'object' && json !== null ? (json as { records?: unknown }).records : undefined;
  if (typeof records !== 'object' || records === null || Array.isArray(records)) {
    throw new UsageError(
      `The event file ${path} is not an MSK event: expected {"records": {"<topic>-<partition>": [...]}}; build one with npm run events.`,
    );
  }
  return json as MSKEvent;
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk));
  return Buffer.concat(chunks).toString('utf8');
}

async function countLines(path: string | undefined): Promise<number | undefined> {
  if (path === undefined) return undefined;
  try {
    const text = await readFile(path, 'utf8');
    return text.split('\n').filter((line) => line.trim() !== '').length;
  } catch {
    return 0;
  }
}

function deadLetterPath(url: string): string | undefined {
  if (url.startsWith('file://')) return fileURLToPath(url);
  if (url.startsWith('/') || url.startsWith('.')) return url;
  return undefined;
}

/**
 * Runs `npm run invoke`: returns the exit code (0 when the invocation ran, whatever its records
 * did; 1 when it broke: DynamoDB unreachable, config error, not a Kafka handler).
 *
 * @example
 * ```ts
 * process.exitCode = await runInvoke(['spellchecker', 'events/spellchecker-happy-path.json']);
 * ```
 */
export async function runInvoke(argv: readonly string[]): Promise<number> {
  const command = parseInvokeArgs(argv);
  const print = reserveStdout();
  if (command.help) {
    print(INVOKE_USAGE);
    return 0;
  }
  const { options } = command;
  if (handlerPath(options.functionName) === undefined) {
    throw new UsageError(
      `No function ${JSON.stringify(options.functionName)}; functions: ${listFunctions().join(', ') || '(none)'}.`,
    );
  }
  const event = await readEventFile(options.eventFile);

  const callerEnv = { ...process.env };
  const endpoint = options.endpoint ?? optionalEnv(ENV.DYNAMODB_ENDPOINT, callerEnv);
  const tables = {
    idempotency: optionalEnv(ENV.IDEMPOTENCY_TABLE_NAME, callerEnv) ?? LOCAL_TABLES.idempotency,
    essays: optionalEnv('ESSAY_TABLE_NAME', callerEnv) ?? LOCAL_TABLES.essays,
    spellchecks: optionalEnv('SPELLCHECK_TABLE_NAME', callerEnv) ?? LOCAL_TABLES.spellchecks,
  };
  const deadLetterOverride = optionalEnv(ENV.DEAD_LETTER_QUEUE_URL, callerEnv);
  const env = functionEnv({
    functionName: options.functionName,
    endpoint: endpoint ?? 'http://127.0.0.1:0',
    idempotencyTable: tables.idempotency,
    essayTable: tables.essays,
    spellcheckTable: tables.spellchecks,
    ...(deadLetterOverride ? { deadLetterUrl: deadLetterOverride } : {}),
    partialBatchResponse: options.partialBatchResponse,
    logLevel: options.verbose ? 'INFO' : 'WARN',
    metrics: options.metrics,
  });
  const deadLetterFile = deadLetterPath(env[ENV.DEAD_LETTER_QUEUE_URL] ?? '');

  let ddb: LocalDynamo;
  try {
    ddb = await openDynamo({ endpoint });
  } catch (error) {
    return broken(print, options.functionName, error);
  }
  try {
    process.stderr.write(
      ddb.embedded
        ? `DynamoDB Local (file-backed, ${LOCAL_DB_PATH.replace(`${REPO_ROOT}/`, '')}) on ${ddb.endpoint}\n`
        : `DynamoDB at ${ddb.endpoint}\n`,
    );
    await ensureLocalTables(ddb.client, tables);
    Object.assign(process.env, env, { [ENV.DYNAMODB_ENDPOINT]: ddb.endpoint });
    const deadLettersBefore = await countLines(deadLetterFile);
    const handler = await importHandler(options.functionName);
    const started = Date.now();
    const report = await handler.process(event, fakeLambdaContext(options.functionName, options.timeoutMs));
    const durationMs = Date.now() - started;
    const deadLettersAfter = await countLines(deadLetterFile);
    const summary = summarize(options.functionName, report, options.partialBatchResponse);
    print(
      describeInvocation({
        options,
        report,
        summary,
        durationMs,
        deadLetters:
          deadLetterFile !== undefined && deadLettersBefore !== undefined && deadLettersAfter !== undefined
            ? { file: deadLetterFile, added: deadLettersAfter - deadLettersBefore }
            : undefined,
      }),
    );
    print(`${JSON.stringify(summary)}\n`);
    return 0;
  } catch (error) {
    return broken(print, options.functionName, error);
  } finally {
    await ddb.close();
  }
}

/** Reports an invocation that broke: the reason on stderr, the summary line on stdout; exit 1. */
function broken(print: (text: string) => void, functionName: string, error: unknown): number {
  const summary = brokenSummary(functionName, error);
  process.stderr.write(`error: the invocation broke: ${summary.error}\n`);
  print(`${JSON.stringify(summary)}\n`);
  return 1;
}

/** The human part of the output: the per-record table, the counts and the Lambda response. */
function describeInvocation(input: {
  readonly options: InvokeCliOptions;
  readonly report: BatchReport;
  readonly summary: InvokeSummary;
  readonly durationMs: number;
  readonly deadLetters: { readonly file: string; readonly added: number } | undefined;
}): string {
  const { options, report, summary } = input;
  const topics = [...new Set(report.records.map((r) => r.topic))].join(', ');
  const lines = [
    '',
    `${options.functionName} · ${options.eventFile} · topic ${topics || '(none)'}`,
    '',
    formatReport(report),
    '',
    `${summary.records} record${summary.records === 1 ? '' : 's'} in ${input.durationMs} ms: ${summary.processed} processed, ${summary.duplicates} duplicate, ${summary.failed} failed, ${summary.retryable} to retry, ${summary.skipped} skipped.`,
  ];
  if (input.deadLetters && input.deadLetters.added > 0) {
    lines.push(
      `${input.deadLetters.added} dead-lettered to ${input.deadLetters.file.replace(`${REPO_ROOT}/`, '')}`,
    );
  }
  lines.push(
    options.partialBatchResponse
      ? `Lambda response: ${JSON.stringify({ batchItemFailures: summary.batchItemFailures })}`
      : summary.error
        ? `Lambda threw (the whole batch will be delivered again): ${summary.error}`
        : 'Lambda returned normally: the batch is done.',
  );
  if (summary.retryable > 0) {
    lines.push(
      'Records to retry were released: a redelivery (invoke the same event again) processes them and skips the completed ones.',
    );
  }
  return `${lines.join('\n')}\n`;
}

if (require.main === module) runMain(() => runInvoke(process.argv.slice(2)), 'npm run invoke -- --help');
