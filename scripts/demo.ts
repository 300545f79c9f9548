/**
 * `npm start`: a guided run of the three consumers' real Lambda handlers on an embedded DynamoDB Local
 * (in memory, no cloud account). Each step delivers a batch the way Lambda's Kafka event source
 * does, shows what happened to every record, and checks it; the run ends with the idempotency
 * records left behind and exits non-zero if any claim of the demo does not hold.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import type { MSKEvent } from 'aws-lambda';
import {
  FEEDBACK_SCHEMA_V1,
  FEEDBACK_SCHEMA_V2,
  FeedbackEventType,
} from '../functions/essay-feedback/events';
import {
  type BatchReport,
  CONSUMER_TABLE_SCHEMA,
  type EventEnvelope,
  type IdempotencyRecord,
  type KafkaBatchResponse,
  type KafkaHandler,
  type RecordReport,
  type RecordStatusInBatch,
} from '../shared/internal';
import { type DynamoProxy, startDynamoProxy } from '../tools/testing/dynamo-proxy';
import { type Column, formatTable, reserveStdout, runMain, shortKey, usageErrors } from './lib/cli';
import { encoderFor } from './lib/encoders';
import { type MalformedKind, malformedValue } from './lib/event-builder';
import { fakeLambdaContext, summarize } from './lib/invoke-report';
import {
  EVENT_TYPES,
  ensureLocalTables,
  functionEnv,
  importHandler,
  LOCAL_TABLES,
  localTableName,
  openDynamo,
} from './lib/local';
import { envelope, mskEvent, type RecordSpec } from './lib/msk-events';
import { listRecords } from './lib/records';

type Consumer = 'essay-lifecycle' | 'spellchecker' | 'essay-feedback';

const FEEDBACK_TABLE = localTableName('FEEDBACK_TABLE_NAME');
const T_FEEDBACK = FeedbackEventType.SUBMITTED;

/** A record of a demo batch, with the words that say what it is. */
interface DemoRecord {
  readonly spec: RecordSpec;
  readonly label: string;
}

/** One check of a claim the demo makes. */
interface Check {
  readonly ok: boolean;
  readonly text: string;
}

/** What one step delivers and expects. */
interface Step {
  readonly title: string;
  readonly short: string;
  readonly consumer: Consumer;
  readonly explain: string;
  readonly records: readonly DemoRecord[];
  readonly expect: Partial<Record<RecordStatusInBatch, number>>;
  readonly expectFailures?: KafkaBatchResponse['batchItemFailures'];
  readonly before?: () => void;
  readonly after?: () => void;
  readonly checks?: (outcome: StepOutcome) => Promise<Check[]>;
  /** Extra lines shown after the checks. */
  readonly show?: () => Promise<string[]>;
}

/** What a step produced. */
interface StepOutcome {
  readonly report: BatchReport;
  readonly requests: number;
  readonly deadLetters: number;
}

const BATCH_ID = 'B-7';
const ESSAYS = ['E-1', 'E-2', 'E-3'];
const TEXTS: Readonly<Record<string, string>> = {
  'E-1': 'I recieve teh letter every morning.',
  'E-2': 'The essay is about rivers and thier banks.',
  'E-3': 'Teh river flows to the sea.',
  'E-4': 'We beleive the results are correct.',
  'E-5': 'Their arguement was convincing.',
  'E-6': 'I will recieve the grade tomorrow.',
  'E-7': 'The experiment was a sucess.',
  'E-8': 'She wrote a long paragraf about history.',
  'E-9': 'The teacher said teh essay was good.',
  'E-10': 'It was the begining of the story.',
};

const T_REGISTERED = EVENT_TYPES.batchRegistered;
const T_PROVISIONED = EVENT_TYPES.contentProvisioned;
const T_SPELLCHECK = EVENT_TYPES.spellcheckRequested;

function at(
  topic: string,
  partition: number,
  offset: number,
  value: RecordSpec['value'],
  key: string,
): RecordSpec {
  return { topic, partition, offset, value, key };
}

function spellcheckEnvelope(essayId: string): EventEnvelope {
  return envelope({
    event_type: T_SPELLCHECK,
    source_service: 'essay-service',
    data: { essay_id: essayId, text: TEXTS[essayId] ?? 'Teh end.', language: 'en' },
  });
}

function spell(
  partition: number,
  offset: number,
  essayId: string,
  env = spellcheckEnvelope(essayId),
): DemoRecord {
  return { spec: at(T_SPELLCHECK, partition, offset, env, essayId), label: `check ${essayId}` };
}

function poison(partition: number, offset: number, kind: MalformedKind, base: EventEnvelope): DemoRecord {
  const built = malformedValue(kind, { eventType: base.event_type, data: base.data });
  return {
    spec: { topic: T_SPELLCHECK, partition, offset, key: `poison-${kind}`, ...built.value },
    label: `poison: ${kind}`,
  };
}

/** The scenario: the batches delivered, in order, and what each must do. */
function scenario(ctx: {
  readonly proxy: DynamoProxy;
  readonly deadLetterFile: string;
  readonly readyCount: () => Promise<{ ready: number; total: number } | undefined>;
  readonly feedbackOf: (essayId: string) => Promise<Record<string, unknown> | undefined>;
}): Step[] {
  // Avro in the Confluent wire format, encoded with avsc under schema id 2 (v2) or 1 (v1).
  const v2 = encoderFor('avro-confluent', { schema: JSON.stringify(FEEDBACK_SCHEMA_V2), schemaId: '2' });
  const v1 = encoderFor('avro-confluent', { schema: JSON.stringify(FEEDBACK_SCHEMA_V1), schemaId: '1' });
  const feedback = (essayId: string, score: number, comment: string | null) =>
    envelope({ event_type: T_FEEDBACK, data: { essay_id: essayId, reviewer: 'T-7', score, comment } });
  const feedbackRecord = (
    offset: number,
    env: EventEnvelope,
    writer: typeof v1,
    label: string,
  ): DemoRecord => ({
    spec: {
      topic: T_FEEDBACK,
      partition: 0,
      offset,
      key: String(env.data.essay_id),
      value: writer(env).value,
    },
    label,
  });
  const feedbackBatch: DemoRecord[] = [
    feedbackRecord(0, feedback('E-1', 4, 'Clear thesis.'), v2, 'feedback on E-1 (Avro, schema v2)'),
    feedbackRecord(1, feedback('E-2', 2, null), v2, 'feedback on E-2 (Avro, schema v2)'),
    feedbackRecord(2, feedback('E-2', 2, null), v1, 'E-2 again, written under schema v1'),
    {
      spec: { topic: T_FEEDBACK, partition: 0, offset: 3, key: 'E-3', value: { essay_id: 'E-3' } },
      label: 'poison: JSON on an Avro topic',
    },
    {
      spec: { topic: T_FEEDBACK, partition: 0, offset: 4, key: 'E-2', tombstone: true },
      label: 'tombstone: E-2 withdrawn',
    },
  ];
  const registered = envelope({
    event_type: T_REGISTERED,
    source_service: 'batch-service',
    data: { batch_id: BATCH_ID, essay_ids: ESSAYS, course_code: 'ENG5' },
  });
  const content = ESSAYS.map((essayId) =>
    envelope({
      event_type: T_PROVISIONED,
      source_service: 'content-service',
      data: {
        batch_id: BATCH_ID,
        essay_id: essayId,
        text_storage_id: `s3://essays/${BATCH_ID}/${essayId}.txt`,
      },
    }),
  );
  const contentRecords: DemoRecord[] = content.map((env, i) => ({
    spec: at(T_PROVISIONED, i === 1 ? 1 : 0, i === 2 ? 1 : 0, env, String(env.data.essay_id)),
    label: `content of ${String(env.data.essay_id)} is ready`,
  }));
  const e1 = spellcheckEnvelope('E-1');
  const e2 = spellcheckEnvelope('E-2');
  const e2Retry: EventEnvelope = {
    ...e2,
    event_id: crypto.randomUUID(),
    event_timestamp: new Date().toISOString(),
  };
  const failing = [spell(0, 3, 'E-5'), spell(0, 4, 'E-6'), spell(0, 5, 'E-7'), spell(0, 6, 'E-8')];
  const e9 = spellcheckEnvelope('E-9');
  const poisonBatch = [
    spell(0, 7, 'E-9', e9),
    ...(['bad-base64', 'non-utf8', 'non-json', 'missing-data', 'unknown-type'] as const).map((kind, i) =>
      poison(0, 8 + i, kind, e9),
    ),
    spell(0, 13, 'E-10'),
  ];
  const readyIs = async (expected: number): Promise<Check[]> => {
    const count = await ctx.readyCount();
    return [
      {
        ok: count?.ready === expected && count.total === ESSAYS.length,
        text: `batch ${BATCH_ID} in the essay table: ${count ? `${count.ready} of ${count.total}` : 'missing'} essays ready (expected ${expected} of ${ESSAYS.length})`,
      },
    ];
  };
  const effects = (outcome: StepOutcome, table: string) =>
    ctx.proxy.requests
      .slice(-outcome.requests)
      .filter(
        (r) =>
          (r.operation === 'PutItem' || r.operation === 'TransactWriteItems') &&
          r.status === 200 &&
          r.tables.includes(table),
      ).length;
  const spellEffects =
    (expected: number) =>
    async (outcome: StepOutcome): Promise<Check[]> => {
      const written = effects(outcome, LOCAL_TABLES.spellchecks);
      return [
        {
          ok: written === expected,
          text: `spellcheck results written to ${LOCAL_TABLES.spellchecks}: ${written} (expected ${expected}, one per processed request)`,
        },
      ];
    };

  return [
    {
      title: 'A new batch of essays is registered',
      short: 'batch registered',
      consumer: 'essay-lifecycle',
      explain:
        'The essay-lifecycle consumer claims the event in the idempotency table (status processing), runs its\n' +
        'handler, and commits the batch item and the `completed` mark in one DynamoDB transaction.',
      records: [
        {
          spec: at(T_REGISTERED, 0, 0, registered, BATCH_ID),
          label: `batch ${BATCH_ID} with ${ESSAYS.length} essays`,
        },
      ],
      expect: { processed: 1 },
      checks: () => readyIs(0),
    },
    {
      title: 'The content of the three essays arrives, on two partitions',
      short: 'content ready (2 partitions)',
      consumer: 'essay-lifecycle',
      explain:
        'Partitions are processed concurrently, each in offset order. Each record marks an essay ready and\n' +
        "increments the batch's ready count, in the same transaction as its completion.",
      records: contentRecords,
      expect: { processed: 3 },
      checks: () => readyIs(3),
    },
    {
      title: 'The same batch is delivered again',
      short: 'same batch redelivered',
      consumer: 'essay-lifecycle',
      explain:
        "Kafka's event source delivers at least once: a timeout or crash before the offsets are committed\n" +
        'replays the batch. One BatchGetItem finds all three records completed; no handler runs, and the\n' +
        'ready count stays at 3 instead of becoming 6.',
      records: contentRecords,
      expect: { duplicate: 3 },
      checks: async (outcome) => [
        ...(await readyIs(3)),
        {
          ok: outcome.requests === 1,
          text: `DynamoDB requests for the whole redelivered batch: ${outcome.requests} (expected 1 BatchGetItem)`,
        },
      ],
    },
    {
      title: 'Spellcheck requests, one of them written twice by the producer',
      short: 'duplicate inside one batch',
      consumer: 'spellchecker',
      explain:
        "A producer retry without Kafka's idempotent producer writes the same bytes twice: E-1 is at offsets\n" +
        '0 and 2. The second copy waits for the first one and takes its outcome, so E-1 is checked once.',
      records: [
        spell(0, 0, 'E-1', e1),
        spell(0, 1, 'E-2', e2),
        { spec: at(T_SPELLCHECK, 0, 2, e1, 'E-1'), label: 'check E-1 (same record again)' },
        spell(1, 0, 'E-3'),
      ],
      expect: { processed: 3, duplicate: 1 },
      checks: spellEffects(3),
    },
    {
      title: 'A producer re-publishes E-2 with a new event_id, in a later batch',
      short: 'producer retry, new event_id',
      consumer: 'spellchecker',
      explain:
        'An application-level retry mints a new event_id, and it lands on another partition. The key is\n' +
        'the SHA-256 of the event type and its canonical data, not the event_id, so it is still the same\n' +
        'event: a duplicate, answered with the cached result.',
      records: [
        { spec: at(T_SPELLCHECK, 1, 1, e2Retry, 'E-2'), label: 'check E-2 (re-published, new event_id)' },
        spell(1, 2, 'E-4'),
      ],
      expect: { duplicate: 1, processed: 1 },
      checks: spellEffects(1),
    },
    {
      title: 'DynamoDB fails for one record in the middle of a batch',
      short: 'mid-batch failure',
      consumer: 'spellchecker',
      explain:
        "The demo's proxy in front of DynamoDB Local answers 503 to every write of E-6's result. The SDK\n" +
        'retries, then gives up: a retryable error. E-6 is released (its claim deleted), the rest of the\n' +
        'partition waits so that offsets stay in order, and the handler returns the first offset to redeliver.',
      records: failing,
      before: () =>
        ctx.proxy.failWhen(
          (r) =>
            r.operation === 'PutItem' &&
            r.tables.includes(LOCAL_TABLES.spellchecks) &&
            r.body.includes('"ESSAY#E-6"'),
        ),
      after: () => ctx.proxy.failWhen(undefined),
      expect: { processed: 1, retry: 1, skipped: 2 },
      expectFailures: [{ itemIdentifier: { partition: `${T_SPELLCHECK}-0`, offset: 4 } }],
      checks: spellEffects(1),
    },
    {
      title: 'DynamoDB is back and the batch is delivered again',
      short: 'redelivery after failure',
      consumer: 'spellchecker',
      explain:
        'With ReportBatchItemFailures the source resumes at offset 4; without it (the default) the whole\n' +
        'batch comes again, as here. E-5 was completed before the failure, so it is skipped; E-6, E-7 and\n' +
        'E-8 are processed now.',
      records: failing,
      expect: { duplicate: 1, processed: 3 },
      checks: spellEffects(3),
    },
    {
      title: 'Poison records between two valid ones',
      short: 'poison records',
      consumer: 'spellchecker',
      explain:
        'Records that can never succeed (not base64, not UTF-8, not JSON, no data, a type nobody handles) are\n' +
        'recorded `failed` and sent to the dead-letter queue with their error, and the partition moves on:\n' +
        'E-10, behind them, is processed in the same invocation.',
      records: poisonBatch,
      expect: { processed: 2, failed: 5 },
      checks: async (outcome) => [
        ...(await spellEffects(2)(outcome)),
        { ok: outcome.deadLetters === 5, text: `dead letters written: ${outcome.deadLetters} (expected 5)` },
      ],
      show: async () => {
        const lines = (await readFile(ctx.deadLetterFile, 'utf8')).split('\n').filter((l) => l.trim() !== '');
        const last = lines.at(-1);
        if (last === undefined) return [];
        const entry = JSON.parse(last) as Record<string, unknown>;
        return [
          `Each dead letter (one JSON line each) holds: ${Object.keys(entry).join(', ')}.`,
          'The record is kept exactly as received (base64), so it can be inspected, fixed and replayed.',
        ];
      },
    },
    {
      title: 'The poison batch is delivered again',
      short: 'poison batch redelivered',
      consumer: 'spellchecker',
      explain:
        'A `failed` record is remembered like a completed one: the redelivery is all duplicates, and nothing\n' +
        'is dead-lettered twice.',
      records: poisonBatch,
      expect: { duplicate: 7 },
      checks: async (outcome) => [
        ...(await spellEffects(0)(outcome)),
        { ok: outcome.deadLetters === 0, text: `new dead letters: ${outcome.deadLetters} (expected 0)` },
      ],
    },
    {
      title: 'Avro feedback under two schema versions, poison and a tombstone',
      short: 'avro, schema versions',
      consumer: 'essay-feedback',
      explain:
        'The third consumer reads Avro in the Confluent wire format (its manifest: codec avro, wire confluent).\n' +
        'Each record is resolved to the reader schema (v2), so E-2 written again under v1 is the same event: a\n' +
        'duplicate. JSON on the Avro topic is poison (wrong magic byte), and a tombstone (no value) is routed\n' +
        'to its own handler, which deletes the feedback of its key.',
      records: feedbackBatch,
      expect: { processed: 3, duplicate: 1, failed: 1 },
      checks: async (outcome) => {
        const [first, second] = [await ctx.feedbackOf('E-1'), await ctx.feedbackOf('E-2')];
        return [
          {
            ok: first?.score === 4 && second === undefined,
            text: `feedback in ${FEEDBACK_TABLE}: E-1 ${first ? `score ${String(first.score)}` : 'missing'}, E-2 ${second ? 'still there' : 'deleted'} (expected E-1 score 4, E-2 deleted)`,
          },
          {
            ok: outcome.deadLetters === 1,
            text: `dead letters written: ${outcome.deadLetters} (expected 1)`,
          },
        ];
      },
    },
  ];
}

function resultText(result: unknown): string {
  if (typeof result !== 'object' || result === null) return '';
  const r = result as {
    corrections?: unknown;
    error_count?: unknown;
    outcome?: unknown;
    essay_count?: unknown;
  };
  if (Array.isArray(r.corrections)) {
    const fixes = r.corrections
      .map((c: { word?: unknown; suggestion?: unknown }) => `${String(c.word)}→${String(c.suggestion)}`)
      .join(', ');
    return `${String(r.error_count)} misspelling${r.error_count === 1 ? '' : 's'}${fixes ? `: ${fixes}` : ''}`;
  }
  if (r.outcome === 'registered' || r.outcome === 'already-registered') {
    return `${String(r.outcome)} (${String(r.essay_count)} essays)`;
  }
  if (typeof r.outcome === 'string') return r.outcome;
  return '';
}

/** An error without its class name and the record's coordinates, which the table already shows. */
function conciseError(error: string): string {
  return withoutCoordinates(error.replace(/^[A-Za-z]+: /, ''));
}

function withoutCoordinates(message: string): string {
  return message.replace(/ at \S+-\d+@\d+/g, '');
}

function detail(record: RecordReport): string {
  if (record.error) return conciseError(record.error);
  const text = resultText(record.result);
  if (record.status === 'duplicate') return text ? `cached result: ${text}` : 'cached result';
  return text;
}

function statusText(record: RecordReport): string {
  if (record.status === 'duplicate' && record.inBatchDuplicate) return 'duplicate (in batch)';
  if (record.status === 'failed') return 'failed → DLQ';
  return record.status;
}

async function countLines(path: string): Promise<number> {
  try {
    return (await readFile(path, 'utf8')).split('\n').filter((l) => l.trim() !== '').length;
  } catch {
    return 0;
  }
}

function countsText(counts: Readonly<Record<RecordStatusInBatch, number>>): string {
  return (Object.entries(counts) as [RecordStatusInBatch, number][])
    .filter(([, n]) => n > 0)
    .map(([status, n]) => `${n} ${status}`)
    .join(', ');
}

/**
 * The `--help` text of `npm start`.
 *
 * @example
 * ```ts
 * process.stdout.write(DEMO_USAGE);
 * ```
 */
export const DEMO_USAGE = `Usage: npm start [-- --verbose]

Runs a scripted scenario through the three consumers' real Lambda handlers on an in-memory DynamoDB
Local started for the run (Java 17+, no cloud account): a fresh batch, its redelivery, duplicates
inside a batch and from a producer retry, a DynamoDB failure mid-batch and its redelivery, poison
records. Every step checks its own claims; the exit code is 1 if any does not hold.

  --verbose   show the functions' logs (INFO, JSON, on stderr)
`;

/**
 * Runs the demo; returns 0 when every check held, 1 otherwise.
 *
 * @example
 * ```ts
 * process.exitCode = await runDemo([]);
 * ```
 */
export async function runDemo(argv: readonly string[]): Promise<number> {
  const values = usageErrors(
    () =>
      parseArgs({
        args: [...argv],
        strict: true,
        options: { verbose: { type: 'boolean', short: 'v' }, help: { type: 'boolean', short: 'h' } },
      }).values,
  );
  const print = reserveStdout();
  const line = (text = '') => print(`${text}\n`);
  if (values.help) {
    print(DEMO_USAGE);
    return 0;
  }
  const started = Date.now();

  line('Effectively-once Kafka consumers on AWS Lambda: a guided run');
  line('='.repeat(61));
  line('Kafka delivers every record at least once: batches are replayed after a timeout, producers retry.');
  line('Each consumer here runs under one idempotency layer: before a handler runs, its event is claimed in');
  line('a DynamoDB table with a conditional write (status `processing`), then marked `completed` (with the');
  line('result) or `failed`. A record already completed or failed is a duplicate: skipped, never run twice.');
  line();
  line('Three consumers run their real Lambda handlers (functions/*/handler.ts) in this process:');
  line('  essay-lifecycle  registers batches of essays and counts the essays whose content is ready');
  line('  spellchecker     checks the spelling of an essay and stores the corrections');
  line("  essay-feedback   stores teachers' feedback, Avro over the Confluent wire format");
  line('Each step below delivers one batch the way the MSK event source does and checks the outcome.');
  line();

  const scratch = await mkdtemp(join(tmpdir(), 'kafka-demo-'));
  const deadLetterFile = join(scratch, 'dead-letters.jsonl');
  process.stderr.write('Starting DynamoDB Local (in memory)…\n');
  const ddb = await openDynamo({ inMemory: true });
  const proxy = await startDynamoProxy(ddb.endpoint);
  const checks: Check[] = [];
  const rows: {
    step: number;
    consumer: Consumer;
    short: string;
    counts: Readonly<Record<RecordStatusInBatch, number>>;
    records: number;
    requests: number;
    ok: boolean;
  }[] = [];
  try {
    await ensureLocalTables(ddb.client);
    const common = {
      endpoint: proxy.endpoint,
      deadLetterUrl: pathToFileURL(deadLetterFile).href,
      partialBatchResponse: true,
      logLevel: values.verbose ? 'INFO' : 'SILENT',
    };
    const handlers: Record<Consumer, KafkaHandler> = {
      'essay-lifecycle': await (async () => {
        Object.assign(process.env, functionEnv({ functionName: 'essay-lifecycle', ...common }));
        return importHandler('essay-lifecycle');
      })(),
      spellchecker: await (async () => {
        Object.assign(process.env, functionEnv({ functionName: 'spellchecker', ...common }));
        return importHandler('spellchecker');
      })(),
      'essay-feedback': await (async () => {
        Object.assign(process.env, functionEnv({ functionName: 'essay-feedback', ...common }));
        return importHandler('essay-feedback');
      })(),
    };
    line(
      `DynamoDB Local: in memory, on ${ddb.endpoint} (the functions reach it through a fault-injecting proxy);`,
    );
    line(`tables ${Object.values(LOCAL_TABLES).join(', ')}; dead letters go to ${deadLetterFile}.`);

    const readyCount = async () => {
      const { Item } = await ddb.doc.send(
        new GetCommand({
          TableName: LOCAL_TABLES.essays,
          Key: {
            [CONSUMER_TABLE_SCHEMA.partitionKey]: `BATCH#${BATCH_ID}`,
            [CONSUMER_TABLE_SCHEMA.sortKey]: 'META',
          },
          ConsistentRead: true,
        }),
      );
      if (!Item) return undefined;
      return { ready: Number(Item.ready_count), total: Number(Item.essay_count) };
    };
    const feedbackOf = async (essayId: string) => {
      const { Item } = await ddb.doc.send(
        new GetCommand({
          TableName: FEEDBACK_TABLE,
          Key: {
            [CONSUMER_TABLE_SCHEMA.partitionKey]: `ESSAY#${essayId}`,
            [CONSUMER_TABLE_SCHEMA.sortKey]: 'FEEDBACK',
          },
          ConsistentRead: true,
        }),
      );
      return Item;
    };
    const steps = scenario({ proxy, deadLetterFile, readyCount, feedbackOf });
    const processedKeys = new Map<string, number>();

    for (const [index, step] of steps.entries()) {
      const n = index + 1;
      line();
      line(`Step ${n} of ${steps.length} · ${step.consumer} · ${step.title}`);
      line(
        '-'.repeat(Math.min(110, `Step ${n} of ${steps.length} · ${step.consumer} · ${step.title}`.length)),
      );
      line(step.explain);
      line();
      const event: MSKEvent = mskEvent(step.records.map((r) => r.spec));
      const labels = new Map(step.records.map((r) => [`${r.spec.partition}@${r.spec.offset}`, r.label]));
      const requestsBefore = proxy.requests.length;
      const deadLettersBefore = await countLines(deadLetterFile);
      step.before?.();
      let report: BatchReport;
      try {
        report = await handlers[step.consumer].process(event, fakeLambdaContext(step.consumer, 60_000));
      } finally {
        step.after?.();
      }
      const outcome: StepOutcome = {
        report,
        requests: proxy.requests.length - requestsBefore,
        deadLetters: (await countLines(deadLetterFile)) - deadLettersBefore,
      };
      for (const r of report.records) {
        if (r.status === 'processed')
          processedKeys.set(r.idempotencyKey, (processedKeys.get(r.idempotencyKey) ?? 0) + 1);
      }

      const columns: Column<RecordReport>[] = [
        { header: 'partition', cell: (r) => String(r.partition), right: true },
        { header: 'offset', cell: (r) => String(r.offset), right: true },
        { header: 'record', cell: (r) => labels.get(`${r.partition}@${r.offset}`) ?? '' },
        { header: 'status', cell: statusText },
        { header: 'detail', cell: detail, max: 66 },
      ];
      line(
        formatTable(columns, report.records)
          .split('\n')
          .map((l) => `  ${l}`)
          .join('\n'),
      );
      line();

      const summary = summarize(step.consumer, report, true);
      const stepChecks: Check[] = [];
      const expected: Record<RecordStatusInBatch, number> = {
        processed: 0,
        duplicate: 0,
        failed: 0,
        retry: 0,
        'in-progress-elsewhere': 0,
        skipped: 0,
        ...step.expect,
      };
      const countsOk = (Object.keys(expected) as RecordStatusInBatch[]).every(
        (s) => report.counts[s] === expected[s],
      );
      stepChecks.push({
        ok: countsOk,
        text: countsOk
          ? `${countsText(report.counts)}, as expected`
          : `got ${countsText(report.counts)}; expected ${countsText(expected)}`,
      });
      const expectedFailures = step.expectFailures ?? [];
      const response = JSON.stringify({ batchItemFailures: summary.batchItemFailures });
      stepChecks.push({
        ok: JSON.stringify(summary.batchItemFailures) === JSON.stringify(expectedFailures),
        text: `Lambda response: ${response}${expectedFailures.length > 0 ? ' (redeliver from there)' : ''}`,
      });
      stepChecks.push(...((await step.checks?.(outcome)) ?? []));
      for (const check of stepChecks) line(`  ${check.ok ? '✓' : '✗'} ${check.text}`);
      for (const extra of (await step.show?.()) ?? []) line(`  ${extra}`);
      checks.push(...stepChecks);
      rows.push({
        step: n,
        consumer: step.consumer,
        short: step.short,
        counts: report.counts,
        records: report.records.length,
        requests: outcome.requests,
        ok: stepChecks.every((c) => c.ok),
      });
    }

    // Claims about the whole run.
    const twice = [...processedKeys].filter(([, count]) => count > 1);
    const records = await listRecords(ddb.doc, LOCAL_TABLES.idempotency);
    const byStatus = (status: string) => records.filter((r) => r.status === status).length;
    const finalChecks: Check[] = [
      {
        ok: twice.length === 0,
        text:
          twice.length === 0
            ? `no event was processed twice (${processedKeys.size} events processed once each)`
            : `processed more than once: ${twice.map(([k, c]) => `${shortKey(k)} ×${c}`).join(', ')}`,
      },
      {
        ok: byStatus('processing') === 0,
        text: `records stuck in processing: ${byStatus('processing')} (expected 0)`,
      },
      {
        ok: byStatus('completed') === processedKeys.size && byStatus('failed') === 6,
        text: `${byStatus('completed')} completed records (one per processed event) and ${byStatus('failed')} failed (the 6 poison records)`,
      },
    ];
    checks.push(...finalChecks);

    line();
    line('Summary');
    line('-------');
    const summaryColumns: Column<(typeof rows)[number]>[] = [
      { header: 'step', cell: (r) => String(r.step), right: true },
      { header: 'consumer', cell: (r) => r.consumer },
      { header: 'what', cell: (r) => r.short },
      { header: 'records', cell: (r) => String(r.records), right: true },
      { header: 'processed', cell: (r) => String(r.counts.processed), right: true },
      { header: 'duplicate', cell: (r) => String(r.counts.duplicate), right: true },
      { header: 'failed', cell: (r) => String(r.counts.failed), right: true },
      {
        header: 'retry',
        cell: (r) => String(r.counts.retry + r.counts['in-progress-elsewhere']),
        right: true,
      },
      { header: 'skipped', cell: (r) => String(r.counts.skipped), right: true },
      { header: 'DynamoDB calls', cell: (r) => String(r.requests), right: true },
      { header: 'checks', cell: (r) => (r.ok ? '✓' : '✗') },
    ];
    line(formatTable(summaryColumns, rows));
    line();
    line('The idempotency table at the end: one record per logical event');
    line('---------------------------------------------------------------');
    line(
      'Keys are <prefix>:<consumer>:<event type>:<SHA-256 of the event>, shown here as <consumer>:<hash…>;',
    );
    line('undecodable records are keyed by the hash of their raw bytes under the type `invalid`.');
    line();
    const recordColumns: Column<IdempotencyRecord>[] = [
      { header: 'key', cell: (r) => shortKey(r.id) },
      { header: 'status', cell: (r) => r.status },
      { header: 'attempts', cell: (r) => String(r.attempts), right: true },
      { header: 'event type', cell: (r) => r.event_type },
      {
        header: 'cached result / error',
        cell: (r) => (r.error ? withoutCoordinates(r.error.message) : resultText(parseResult(r.result))),
        max: 60,
      },
    ];
    line(formatTable(recordColumns, records));
    line();
    for (const check of finalChecks) line(`${check.ok ? '✓' : '✗'} ${check.text}`);
    line();
    const failed = checks.filter((c) => !c.ok);
    const seconds = ((Date.now() - started) / 1000).toFixed(1);
    if (failed.length === 0) {
      line(`All ${checks.length} checks passed in ${seconds} s.`);
      line(
        'Next: npm run events -- --help · npm run invoke -- --help · npm run records -- --help (README: Running locally)',
      );
      return 0;
    }
    line(`${failed.length} of ${checks.length} checks FAILED:`);
    for (const check of failed) line(`  ✗ ${check.text}`);
    return 1;
  } finally {
    await proxy.close();
    await ddb.close();
    await rm(scratch, { recursive: true, force: true });
  }
}

function parseResult(result: string | undefined): unknown {
  if (result === undefined) return undefined;
  try {
    return JSON.parse(result);
  } catch {
    return undefined;
  }
}

if (require.main === module) runMain(() => runDemo(process.argv.slice(2)), 'npm start -- --help');
