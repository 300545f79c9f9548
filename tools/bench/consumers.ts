import { randomUUID } from 'node:crypto';
import { IdempotencyConfig, makeIdempotent } from '@aws-lambda-powertools/idempotency';
import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { MSKEvent } from 'aws-lambda';
import { resultItem, spellcheck } from '../../functions/spellchecker/domain';
import { SpellcheckEventType, SpellcheckRequestedData } from '../../functions/spellchecker/events';
import { consumer as spellchecker } from '../../functions/spellchecker/handler';
import { Speller } from '../../functions/spellchecker/speller';
import { WORDS_BY_FREQUENCY } from '../../functions/spellchecker/word-list';
import { envelope, mskEvent, type RecordSpec } from '../../scripts/lib/msk-events';
import {
  type DeadLetterEntry,
  type DeadLetterSink,
  decodeEvent,
  ENV,
  type LayerLogger,
  type LayerMetrics,
  parseData,
} from '../../shared/internal';
import { LOCAL_AWS } from '../testing/dynamodb-local';
import { countRequests, injectFaults } from '../testing/sdk-middleware';
import { ensureConsumerTable, ensureIdempotencyTable } from '../testing/tables';
import { functionEnvironment } from './bundles';
import { benchContext, FLOOR_PARTITION_CONCURRENCY } from './sides';
import { median, round } from './stats';

/**
 * A sample consumer's handler measured three ways on the same records: its domain logic and its
 * own `PutItem` with no idempotency (`floor`), wrapped in Powertools `makeIdempotent`, and as this
 * repository deploys it (`ours`: `consumer.create`, the real handler).
 *
 * @example
 * ```ts
 * const rows: ConsumerSideRow[] = await measureConsumerSides({ endpoint, size: 100, partitions: 1, delayMs: 5, rounds: 3 });
 * ```
 */
export interface ConsumerSideRow {
  readonly consumer: 'spellchecker';
  readonly side: 'floor' | 'baseline' | 'ours';
  readonly scenario: 'fresh' | 'redelivered';
  readonly size: number;
  readonly partitions: number;
  readonly simulatedDelayMs: number;
  readonly wallMsMedian: number;
  readonly requests: Readonly<Record<string, number>>;
  /** This side / the floor. */
  readonly ratioVsFloor: number | null;
  /** Powertools / this side. */
  readonly ratioVsBaseline: number | null;
}

const silentLogger: LayerLogger = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
};
const noMetrics: LayerMetrics = { addMetric: () => undefined, publishStoredMetrics: () => undefined };

class MemoryDeadLetters implements DeadLetterSink {
  readonly entries: DeadLetterEntry[] = [];
  async send(entry: DeadLetterEntry): Promise<void> {
    this.entries.push(entry);
  }
}

/** An essay-like text of about `chars` characters from the dictionary, deterministic per seed. */
function essay(seed: number, chars: number): string {
  const words: string[] = [];
  let length = 0;
  for (let i = 0; length < chars; i++) {
    const word = WORDS_BY_FREQUENCY[(seed * 7919 + i * 104_729) % 2000] ?? 'word';
    // One word in 30 misspelled by a swap, so the speller has corrections to find.
    const spelled = i % 30 === 7 && word.length > 3 ? `${word[1]}${word[0]}${word.slice(2)}` : word;
    words.push(spelled);
    length += spelled.length + 1;
  }
  return `${words.join(' ')}.`;
}

function spellcheckBatch(size: number, partitions: number, nonce: string): MSKEvent {
  const specs: RecordSpec[] = [];
  const offsets = new Array<number>(partitions).fill(0);
  for (let i = 0; i < size; i++) {
    const partition = i % partitions;
    const offset = offsets[partition] ?? 0;
    offsets[partition] = offset + 1;
    specs.push({
      topic: SpellcheckEventType.REQUESTED,
      partition,
      offset,
      value: envelope({
        event_type: SpellcheckEventType.REQUESTED,
        data: { essay_id: `${nonce}-essay-${i}`, text: essay(i, 1000), language: 'en' },
      }),
    });
  }
  return mskEvent(specs.sort((a, b) => a.partition - b.partition || a.offset - b.offset));
}

/**
 * Measures the spellchecker's handler on the floor, Powertools and ours, fresh then redelivered,
 * `rounds` times (median), each side on its own client and tables.
 *
 * @example
 * ```ts
 * const rows = await measureConsumerSides({ endpoint, size: 100, partitions: 1, delayMs: 5, rounds: 3 });
 * ```
 */
export async function measureConsumerSides(options: {
  readonly endpoint: string;
  readonly size: number;
  readonly partitions: number;
  readonly delayMs: number;
  readonly rounds: number;
}): Promise<ConsumerSideRow[]> {
  const admin = new DynamoDBClient({ ...LOCAL_AWS, endpoint: options.endpoint });
  const runId = randomUUID().slice(0, 8);
  const speller = new Speller();
  const sides = ['floor', 'baseline', 'ours'] as const;
  const clients: DynamoDBClient[] = [];
  try {
    const built = [];
    for (const side of sides) {
      const tableName = `bench-consumer-${side}-${runId}`;
      const resultTable = `bench-spellcheck-${side}-${runId}`;
      await ensureIdempotencyTable(admin, tableName);
      await ensureConsumerTable(admin, resultTable);
      const client = new DynamoDBClient({ ...LOCAL_AWS, endpoint: options.endpoint, maxAttempts: 4 });
      clients.push(client);
      const requests = countRequests(client);
      if (options.delayMs > 0) injectFaults(client, () => `delay:${options.delayMs}`);
      const doc = DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
      built.push({ side, requests, deliver: deliveryOf(side, doc, tableName, resultTable, speller) });
    }
    const walls = new Map<string, number[]>();
    const counts = new Map<string, Record<string, number>>();
    for (let round = 0; round < options.rounds; round++) {
      const event = spellcheckBatch(options.size, options.partitions, `${runId}-${round}`);
      for (const { side, requests, deliver } of built) {
        for (const scenario of ['fresh', 'redelivered'] as const) {
          requests.reset();
          const started = performance.now();
          await deliver(event);
          const key = `${side}/${scenario}`;
          walls.set(key, [...(walls.get(key) ?? []), performance.now() - started]);
          counts.set(key, Object.fromEntries(requests.byOperation));
        }
      }
    }
    const rows: ConsumerSideRow[] = [];
    for (const scenario of ['fresh', 'redelivered'] as const) {
      const wall = (side: string) => median(walls.get(`${side}/${scenario}`) ?? [0]);
      for (const side of sides) {
        rows.push({
          consumer: 'spellchecker',
          side,
          scenario,
          size: options.size,
          partitions: options.partitions,
          simulatedDelayMs: options.delayMs,
          wallMsMedian: round(wall(side), 1),
          requests: counts.get(`${side}/${scenario}`) ?? {},
          ratioVsFloor: side === 'floor' ? null : round(wall(side) / wall('floor'), 2),
          ratioVsBaseline: side === 'baseline' ? null : round(wall('baseline') / wall(side), 2),
        });
      }
    }
    return rows;
  } finally {
    for (const client of clients) client.destroy();
    admin.destroy();
  }
}

function deliveryOf(
  side: 'floor' | 'baseline' | 'ours',
  doc: DynamoDBDocumentClient,
  tableName: string,
  resultTable: string,
  speller: Speller,
): (event: MSKEvent) => Promise<void> {
  // The handler's own work, as functions/spellchecker/handler.ts does it: validate, check, store.
  const handle = async (value: Buffer): Promise<void> => {
    const decoded = decodeEvent(value);
    if (!decoded.ok)
      throw new Error(`bench: a spellcheck record does not decode (${decoded.error.message}).`);
    const data = parseData(SpellcheckRequestedData, decoded.envelope);
    const result = spellcheck(data, speller);
    await doc.send(
      new PutCommand({
        TableName: resultTable,
        Item: resultItem(data, result, { eventId: decoded.envelope.event_id, now: Date.now() }),
      }),
    );
  };
  if (side === 'floor') {
    return async (event) => {
      const partitions = Object.values(event.records);
      let next = 0;
      const lane = async (): Promise<void> => {
        for (let index = next++; index < partitions.length; index = next++) {
          for (const record of partitions[index] ?? []) await handle(Buffer.from(record.value, 'base64'));
        }
      };
      await Promise.all(Array.from({ length: FLOOR_PARTITION_CONCURRENCY }, lane));
    };
  }
  if (side === 'baseline') {
    const persistenceStore = new DynamoDBPersistenceLayer({ tableName, awsSdkV3Client: doc });
    const config = new IdempotencyConfig({ eventKeyJmesPath: '{data: data, event_type: event_type}' });
    const processRecord = makeIdempotent(
      async (value: unknown, raw: Buffer) => {
        await handle(raw);
        return { ok: value !== undefined };
      },
      { persistenceStore, config, dataIndexArgument: 0 },
    );
    return async (event) => {
      config.registerLambdaContext(benchContext());
      for (const records of Object.values(event.records)) {
        for (const record of records) {
          const raw = Buffer.from(record.value, 'base64');
          await processRecord(JSON.parse(raw.toString('utf8')), raw);
        }
      }
    };
  }
  const env = {
    ...functionEnvironment('spellchecker'),
    [ENV.IDEMPOTENCY_TABLE_NAME]: tableName,
    SPELLCHECK_TABLE_NAME: resultTable,
    [ENV.PARTIAL_BATCH_RESPONSE]: 'false',
  };
  const deadLetters = new MemoryDeadLetters();
  const handler = spellchecker.create({
    env,
    client: doc,
    logger: silentLogger,
    metrics: noMetrics,
    deadLetter: deadLetters,
  });
  return async (event) => {
    const report = await handler.process(event, benchContext());
    if (report.counts.failed > 0 || report.batchItemFailures.length > 0 || deadLetters.entries.length > 0) {
      throw new Error('bench: the spellchecker failed records of a well-formed batch.');
    }
  };
}
