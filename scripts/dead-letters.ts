/**
 * `npm run dead-letters -- list|show|redrive`: the dead letters of the local file or of an SQS
 * queue (AWS, LocalStack), and their redrive to the consumer's handler, a deployed function or the
 * record's topic, after a fenced reset of the record's `failed` idempotency state.
 */
import { parseArgs } from 'node:util';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { ENV } from '../shared/internal';
import { choiceFlag, formatTable, intFlag, runMain, shortKey, UsageError, usageErrors } from './lib/cli';
import {
  type DeadLetter,
  findLetter,
  type LetterFilter,
  matches,
  recordBytes,
  timeFlag,
} from './lib/dead-letters/letters';
import {
  planRedrive,
  type RedriveResult,
  type RedriveStep,
  readRecord,
  redriveLetter,
} from './lib/dead-letters/redrive';
import { type DeadLetterSource, FileSource, SqsSource } from './lib/dead-letters/sources';
import {
  handlerTarget,
  lambdaTarget,
  produceTarget,
  type RedeliveryTarget,
} from './lib/dead-letters/targets';
import { DEAD_LETTER_FILE, LOCAL_TABLES, openDynamo, REPO_ROOT } from './lib/local';

/**
 * The `--help` text of `npm run dead-letters`.
 *
 * @example
 * ```ts
 * process.stdout.write(DEAD_LETTERS_USAGE);
 * ```
 */
export const DEAD_LETTERS_USAGE = `Usage: npm run dead-letters -- <list | show <id> | redrive [<id>]> [options]

Dead letters are the records a consumer gave up on (poison: malformed, invalid, a permanent
handler error), each with its error; its idempotency record is marked failed, so a redelivery is
skipped as a duplicate. After fixing the producer or the consumer, redrive them:
  1. reset the failed idempotency record, fenced: only a failed record whose owner token and
     error are the dead letter's (never one completed, claimed or failed again since);
  2. redeliver the record, rebuilt as the event source mapping delivers it;
  3. remove the dead letter, only once the redelivery succeeded.
Interrupted at any step, a rerun picks up where it stopped: a record completed meanwhile is not
redelivered again, only its dead letter removed.

Commands:
  list                       the dead letters (id, consumer, event type, error, failed at)
  show <id>                  one dead letter: its record decoded, its error, its idempotency record
  redrive <id>               redrive one (an id or its first 4+ characters)
  redrive --all              redrive every dead letter that passes the filters (at least one
                             filter, or --all, is required)

Source (default: the local file ${DEAD_LETTER_FILE.replace(`${REPO_ROOT}/`, '')}):
  --file <path>              a JSON Lines file written by FileDeadLetterSink
  --queue-url <url>          an SQS queue (dead letters spilled to S3 are read through their pointer)
  --endpoint <url>           AWS endpoint for SQS, S3, DynamoDB and Lambda (LocalStack: http://127.0.0.1:4566)
  --region <region>          AWS region                                        [AWS_REGION]
  --spill-bucket <name>      S3 bucket where --target handler spills a new dead letter too large
                             for a message (the stack's spill bucket)
  --visibility-timeout <s>   SQS: seconds a read dead letter stays hidden from other readers [300]

Filters (list, redrive):
  --consumer <name>  --event-type <type>  --error <ErrorClass>
  --since <time>  --until <time>       ISO time or a duration ago (30m, 2h, 7d)

Idempotency store:
  --table <name>             [${ENV.IDEMPOTENCY_TABLE_NAME}, else ${LOCAL_TABLES.idempotency}]
  --dynamodb-endpoint <url>  [${ENV.DYNAMODB_ENDPOINT}, else --endpoint; with the file source and
                             neither, the file-backed DynamoDB Local under .local/dynamodb/;
                             with SQS and neither, AWS]

Redrive target (default: handler):
  --target handler           the consumer's own handler, run here (functions/<consumer>/handler.ts)
                             against the store above; a record that fails again is dead-lettered
                             to the same source
  --target lambda --function-name <name>
                             a deployed function (AWS, or LocalStack with --endpoint), invoked
                             through the Lambda API; the selection must be of one consumer
  --target produce --bootstrap-servers <host:port,...>
                             the record's topic (key, value and headers produced again); only for
                             consumers keyed by content or envelope: a new offset is a new key
                             under the coordinates strategy
  --dry-run                  print what each redrive would do, write nothing
  --json                     print JSON (list, show, redrive)
  -h, --help

Exit code: 0; 1 when a redrive kept or skipped a dead letter (the reason is printed); 2 for a usage error.

Examples:
  npm run dead-letters -- list --consumer spellchecker --since 2h
  npm run dead-letters -- show 3f1c9a2b
  npm run dead-letters -- redrive --all --consumer spellchecker --dry-run
  npm run dead-letters -- redrive 3f1c9a2b --queue-url http://127.0.0.1:4566/000000000000/dlq --endpoint http://127.0.0.1:4566
`;

/** The parsed command line of `npm run dead-letters`. */
export interface DeadLettersOptions {
  readonly command: 'list' | 'show' | 'redrive';
  readonly id: string | undefined;
  readonly all: boolean;
  readonly filter: LetterFilter;
  readonly file: string;
  readonly queueUrl: string | undefined;
  readonly endpoint: string | undefined;
  readonly region: string | undefined;
  readonly visibilityTimeout: number;
  readonly spillBucket: string | undefined;
  readonly table: string;
  readonly dynamodbEndpoint: string | undefined;
  readonly target: 'handler' | 'lambda' | 'produce';
  readonly functionName: string | undefined;
  readonly bootstrapServers: string | undefined;
  readonly dryRun: boolean;
  readonly json: boolean;
}

/** `--help`, or the options to run with. */
export type DeadLettersCommand =
  | { readonly help: true }
  | { readonly help: false; readonly options: DeadLettersOptions };

/**
 * Parses the command line of `npm run dead-letters`; throws a {@link UsageError} for a mistake.
 *
 * @example
 * ```ts
 * parseDeadLettersArgs(['redrive', '--all', '--consumer', 'spellchecker', '--dry-run']);
 * ```
 */
export function parseDeadLettersArgs(
  argv: readonly string[],
  env: NodeJS.ProcessEnv = process.env,
  now: number = Date.now(),
): DeadLettersCommand {
  const { values, positionals } = usageErrors(() => parse(argv));
  if (values.help) return { help: true };
  const [command, id, ...extra] = positionals;
  if (command === undefined) throw new UsageError('Give a command: list, show <id> or redrive [<id>].');
  const name = choiceFlag('command', command, ['list', 'show', 'redrive'] as const, 'list');
  if (extra.length > 0 || (name === 'list' && id !== undefined)) {
    throw new UsageError(`Unexpected argument ${JSON.stringify(extra[0] ?? id)}.`);
  }
  if (name === 'show' && id === undefined) throw new UsageError('show needs a dead-letter id (see list).');
  const filter: LetterFilter = {
    consumer: values.consumer,
    eventType: values['event-type'],
    errorName: values.error,
    since: timeFlag('--since', values.since, now),
    until: timeFlag('--until', values.until, now),
  };
  const filtered = Object.values(filter).some((v) => v !== undefined);
  if (name === 'redrive' && id === undefined && !values.all && !filtered) {
    throw new UsageError(
      'redrive needs a dead-letter id, a filter (--consumer, --event-type, ...) or --all.',
    );
  }
  if (name === 'redrive' && id !== undefined && values.all)
    throw new UsageError('Give an id or --all, not both.');
  for (const flag of ['endpoint', 'dynamodb-endpoint', 'queue-url'] as const) {
    const value = values[flag];
    if (value !== undefined && !/^https?:\/\/./.test(value)) {
      throw new UsageError(`--${flag} must be an http(s) URL, got ${JSON.stringify(value)}.`);
    }
  }
  if (values.file !== undefined && values['queue-url'] !== undefined) {
    throw new UsageError('Give --file or --queue-url, not both.');
  }
  const target = choiceFlag('--target', values.target, ['handler', 'lambda', 'produce'] as const, 'handler');
  if (target === 'lambda' && !values['function-name'])
    throw new UsageError('--target lambda needs --function-name.');
  if (target === 'produce' && !values['bootstrap-servers']) {
    throw new UsageError('--target produce needs --bootstrap-servers host:port[,host:port].');
  }
  const endpoint = values.endpoint;
  return {
    help: false,
    options: {
      command: name,
      id,
      all: values.all ?? false,
      filter,
      file: values.file ?? DEAD_LETTER_FILE,
      queueUrl: values['queue-url'],
      endpoint,
      region: values.region ?? env.AWS_REGION,
      visibilityTimeout: intFlag('--visibility-timeout', values['visibility-timeout'], {
        min: 30,
        max: 43_200,
        fallback: 300,
      }),
      spillBucket: values['spill-bucket'],
      table: values.table ?? env[ENV.IDEMPOTENCY_TABLE_NAME] ?? LOCAL_TABLES.idempotency,
      dynamodbEndpoint: values['dynamodb-endpoint'] ?? env[ENV.DYNAMODB_ENDPOINT] ?? endpoint,
      target,
      functionName: values['function-name'],
      bootstrapServers: values['bootstrap-servers'],
      dryRun: values['dry-run'] ?? false,
      json: values.json ?? false,
    },
  };
}

function parse(argv: readonly string[]) {
  return parseArgs({
    args: [...argv],
    allowPositionals: true,
    strict: true,
    options: {
      all: { type: 'boolean' },
      consumer: { type: 'string' },
      'event-type': { type: 'string' },
      error: { type: 'string' },
      since: { type: 'string' },
      until: { type: 'string' },
      file: { type: 'string' },
      'queue-url': { type: 'string' },
      endpoint: { type: 'string' },
      region: { type: 'string' },
      'visibility-timeout': { type: 'string' },
      'spill-bucket': { type: 'string' },
      table: { type: 'string' },
      'dynamodb-endpoint': { type: 'string' },
      target: { type: 'string' },
      'function-name': { type: 'string' },
      'bootstrap-servers': { type: 'string' },
      'dry-run': { type: 'boolean' },
      json: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
}

/** Hooks of {@link runDeadLetters}, for tests. */
export interface DeadLettersHooks {
  /** Called after each step of a redrive (a test kills the process there). */
  readonly onStep?: (step: RedriveStep, letter: DeadLetter) => void;
}

/**
 * Runs `npm run dead-letters`; returns the exit code.
 *
 * @example
 * ```ts
 * process.exitCode = await runDeadLetters(['list', '--consumer', 'spellchecker']);
 * ```
 */
export async function runDeadLetters(argv: readonly string[], hooks: DeadLettersHooks = {}): Promise<number> {
  const command = parseDeadLettersArgs(argv);
  const print = (text: string) => process.stdout.write(text);
  if (command.help) {
    print(DEAD_LETTERS_USAGE);
    return 0;
  }
  const { options } = command;
  const aws = {
    ...(options.endpoint ? { endpoint: options.endpoint } : {}),
    ...(options.region ? { region: options.region } : {}),
  };
  const sqs = options.queueUrl ? new SQSClient({ ...aws, maxAttempts: 4 }) : undefined;
  const s3 = options.queueUrl
    ? new S3Client({ ...aws, maxAttempts: 4, forcePathStyle: Boolean(options.endpoint) })
    : undefined;
  const source: DeadLetterSource =
    options.queueUrl && sqs && s3
      ? new SqsSource(options.queueUrl, { sqs, s3, visibilityTimeout: options.visibilityTimeout })
      : new FileSource(options.file);
  // list reads the source only: no store to open (nor a DynamoDB Local to start).
  const store = options.command === 'list' ? undefined : await openStore(options);
  try {
    const { letters, unreadable } = await source.read();
    for (const bad of unreadable)
      process.stderr.write(`Unreadable dead letter at ${bad.position}: ${bad.reason}\n`);
    if (options.command === 'show') {
      const letter = findLetter(letters, options.id ?? '');
      const record = await readRecord(required(store).doc, options.table, letter.entry.idempotency_key, {
        includeExpired: true,
      });
      print(
        options.json
          ? `${JSON.stringify({ ...letter, idempotency_record: record ?? null }, null, 2)}\n`
          : showLetter(letter, record, letters),
      );
      return 0;
    }
    const selected =
      options.id !== undefined
        ? [findLetter(letters, options.id)]
        : letters.filter((l) => matches(l, options.filter));
    if (options.command === 'list') {
      print(options.json ? `${JSON.stringify(selected.map(summary))}\n` : listLetters(selected, source));
      return 0;
    }
    const target = targetFor(options, selected, required(store).endpoint, source);
    const results: RedriveResult[] = [];
    for (const letter of selected) {
      const result = await redriveLetter(letter, {
        doc: required(store).doc,
        table: options.table,
        source,
        target,
        letters,
        dryRun: options.dryRun,
        onStep: hooks.onStep,
      });
      results.push(result);
      if (!options.json) print(`${result.id}  ${result.service}  ${result.outcome}: ${result.detail}\n`);
    }
    if (options.json) print(`${JSON.stringify(results)}\n`);
    else if (results.length === 0) print(`No dead letters to redrive in ${source.description}.\n`);
    return results.some((r) => r.outcome === 'kept' || r.outcome === 'skipped') ? 1 : 0;
  } finally {
    await source.close();
    await store?.close();
  }
}

function required<T>(value: T | undefined): T {
  if (value === undefined) throw new Error('The idempotency store was not opened.');
  return value;
}

/** The idempotency store's client: the endpoint given, the local engine for the file source, or AWS. */
async function openStore(options: DeadLettersOptions) {
  if (options.dynamodbEndpoint !== undefined || !options.queueUrl) {
    return openDynamo({ endpoint: options.dynamodbEndpoint });
  }
  const client = new DynamoDBClient({
    maxAttempts: 4,
    ...(options.region ? { region: options.region } : {}),
  });
  const doc = DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
  return {
    endpoint: undefined,
    doc,
    async close() {
      doc.destroy();
      client.destroy();
    },
  };
}

function targetFor(
  options: DeadLettersOptions,
  selected: readonly DeadLetter[],
  dynamodbEndpoint: string | undefined,
  source: DeadLetterSource,
): RedeliveryTarget {
  if (options.target === 'produce') return produceTarget(options.bootstrapServers ?? '');
  if (options.target === 'lambda') {
    const services = new Set(selected.map((letter) => letter.entry.service));
    if (services.size > 1) {
      throw new UsageError(
        `--function-name is one function, but the selection has dead letters of ${[...services].join(', ')}: add --consumer.`,
      );
    }
    return lambdaTarget(options.functionName ?? '', { endpoint: options.endpoint, region: options.region });
  }
  if (dynamodbEndpoint === undefined) {
    throw new UsageError(
      '--target handler runs the consumer here: give --dynamodb-endpoint (or --endpoint) for its tables.',
    );
  }
  return handlerTarget({
    endpoint: dynamodbEndpoint,
    idempotencyTable: options.table,
    deadLetterUrl: source.url,
    sqsEndpoint: options.endpoint,
    spillBucket: options.spillBucket,
  });
}

function summary(letter: DeadLetter) {
  const { entry } = letter;
  return {
    id: letter.id,
    consumer: entry.service,
    event_type: entry.event_type ?? null,
    error: entry.error.name,
    failed_at: entry.failed_at,
    coordinates: entry.coordinates ?? null,
    idempotency_key: entry.idempotency_key,
    redeliverable: letter.unredeliverable === undefined,
  };
}

function listLetters(letters: readonly DeadLetter[], source: DeadLetterSource): string {
  if (letters.length === 0) return `No dead letters in ${source.description}.\n`;
  const table = formatTable<DeadLetter>(
    [
      { header: 'id', cell: (l) => l.id },
      { header: 'consumer', cell: (l) => l.entry.service, max: 24 },
      { header: 'event type', cell: (l) => l.entry.event_type ?? '-', max: 44 },
      { header: 'error', cell: (l) => l.entry.error.name, max: 28 },
      {
        header: 'at',
        cell: (l) =>
          l.entry.coordinates
            ? `${l.entry.coordinates.topic}-${l.entry.coordinates.partition}@${l.entry.coordinates.offset}`
            : '-',
        max: 48,
      },
      { header: 'failed at', cell: (l) => l.entry.failed_at },
      { header: 'key', cell: (l) => shortKey(l.entry.idempotency_key) },
      { header: 'redrive', cell: (l) => (l.unredeliverable ? 'no' : 'yes') },
    ],
    letters,
  );
  return `${letters.length} dead letter${letters.length === 1 ? '' : 's'} in ${source.description}\n\n${table}\n`;
}

/** Longest decoded value `show` prints (characters). */
const SHOW_VALUE_CHARS = 16_384;

function showLetter(
  letter: DeadLetter,
  record: Awaited<ReturnType<typeof readRecord>>,
  letters: readonly DeadLetter[],
): string {
  const { entry } = letter;
  const lines = [
    `id           ${letter.id}${letter.spilled ? ` (body in s3://${letter.spilled.bucket}/${letter.spilled.key})` : ''}`,
    `consumer     ${entry.service}`,
    `event type   ${entry.event_type ?? '-'}`,
    `event id     ${entry.event_id ?? '-'}`,
    `correlation  ${entry.correlation_id ?? '-'}`,
    `failed at    ${entry.failed_at}`,
    `owner        ${entry.owner ?? '- (none recorded)'}`,
    `key          ${entry.idempotency_key}`,
    `error        ${entry.error.name}: ${entry.error.message}`,
  ];
  if (letter.record) {
    const r = letter.record;
    const bytes = recordBytes(r);
    lines.push(
      `record       ${r.topic}-${r.partition} offset ${r.offset}, timestamp ${new Date(r.timestamp).toISOString()} (${r.timestampType})`,
      `  key        ${bytes.key ? decoded(bytes.key) : '(none)'}`,
      `  headers    ${bytes.headers.size === 0 ? '(none)' : [...bytes.headers].map(([n, v]) => `${JSON.stringify(n)}=${decoded(v)}`).join(', ')}`,
      `  value      ${bytes.value ? decoded(bytes.value) : '(null: a tombstone)'}`,
    );
  } else {
    lines.push(`record       not redeliverable: ${letter.unredeliverable ?? ''}`);
  }
  lines.push(
    record
      ? `idempotency  ${record.status}, owner ${record.owner ?? '-'}, expires ${new Date(record.expiration * 1000).toISOString()}${
          (record as { error?: { name?: string } }).error?.name
            ? `, error ${(record as { error?: { name?: string } }).error?.name}`
            : ''
        }`
      : 'idempotency  no record (expired, or reset by a redrive)',
    `redrive      ${describePlan(planRedrive(letter, record && record.expiration >= Date.now() / 1000 ? record : undefined, letters))}`,
  );
  return `${lines.join('\n')}\n`;
}

function describePlan(plan: ReturnType<typeof planRedrive>): string {
  switch (plan.kind) {
    case 'reset-and-redeliver':
      return 'would reset the failed record (fenced), redeliver, remove the dead letter';
    case 'redeliver':
      return 'would redeliver (no live record to reset), remove the dead letter';
    default:
      return `would ${plan.kind === 'remove' ? 'only remove the dead letter' : 'skip'}: ${plan.reason}`;
  }
}

/** Bytes as text: JSON pretty-printed, UTF-8 quoted, anything else as base64; bounded. */
function decoded(bytes: Buffer): string {
  const text = bytes.toString('utf8');
  const valid = Buffer.from(text, 'utf8').equals(bytes);
  let shown: string;
  if (!valid) shown = `(${bytes.length} bytes, not UTF-8) base64 ${bytes.toString('base64')}`;
  else {
    try {
      shown = JSON.stringify(JSON.parse(text), null, 2).replace(/\n/g, '\n             ');
    } catch {
      shown = JSON.stringify(text);
    }
  }
  return shown.length > SHOW_VALUE_CHARS
    ? `${shown.slice(0, SHOW_VALUE_CHARS)}… (${bytes.length} bytes in all)`
    : shown;
}

if (require.main === module)
  runMain(() => runDeadLetters(process.argv.slice(2)), 'npm run dead-letters -- --help');
