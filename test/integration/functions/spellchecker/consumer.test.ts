import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { MAX_CORRECTIONS, resultKey, type SpellcheckResult } from '../../../../functions/spellchecker/domain';
import { MAX_TEXT_LENGTH, SpellcheckEventType } from '../../../../functions/spellchecker/events';
import { WORDS_BY_FREQUENCY } from '../../../../functions/spellchecker/word-list';
import { envelope, mskEvent, type RecordSpec } from '../../../../scripts/lib/msk-events';
import {
  BatchRetryError,
  type DeadLetterEntry,
  FileDeadLetterSink,
  MetricName,
  RecordStatus,
} from '../../../../shared/internal';
import { countRequests, type Fault, injectFaults } from '../../../../tools/testing/sdk-middleware';
import {
  clockAhead,
  contextUntil,
  countEffects,
  createSpellchecker,
  holdRequests,
  idempotencyRecords,
  MemoryDeadLetters,
  type SpellcheckerConfig,
  scanAll,
  stringAttribute,
  testConsumerConfig,
  waitUntilCompleted,
} from '../../../helpers/consumers';
import { clients, freshConsumerTable, freshIdempotencyTable } from '../../../helpers/dynamo';
import { RecordingLogger, RecordingMetrics } from '../../../helpers/recorders';

const TOPIC = 'huleedu.essay.spellcheck.requested.v1';
const TEXT = 'Teh students beleive that the goverment should recieve more feedback.';

let raw: DynamoDBClient;
let doc: DynamoDBDocumentClient;
let config: SpellcheckerConfig;

beforeAll(async () => {
  ({ raw, doc } = clients());
  config = {
    ...testConsumerConfig(await freshIdempotencyTable(raw, 'spell-idem')),
    spellcheckTableName: await freshConsumerTable(raw, 'spellcheck'),
  };
});

afterAll(() => {
  raw.destroy();
});

/** A spellcheck request for an essay, with a fresh event_id each time it is built. */
function request(essayId: string, text = TEXT): Record<string, unknown> {
  return envelope({ event_type: SpellcheckEventType.REQUESTED, data: { essay_id: essayId, text } });
}

function records(prefix: string, count: number, partition = 0): RecordSpec[] {
  return Array.from({ length: count }, (_, i) => ({
    topic: TOPIC,
    partition,
    offset: i,
    value: request(`${prefix}-${i + 1}`),
  }));
}

/**
 * A handler on its own client, with the PutItems that reached the engine counted per essay: the
 * spellchecker's real effects. `fault` decides a fault per attempt (a faulted attempt is no effect).
 */
function consumer(
  options: {
    fault?: (operation: string, input: Record<string, unknown>) => Fault | undefined;
    partialBatchResponse?: boolean;
    leaseMarginMs?: number;
    clock?: { now(): number };
  } = {},
) {
  const own = clients();
  const fault = options.fault;
  if (fault) injectFaults(own.doc, (attempt) => fault(attempt.operation, attempt.input));
  const effects = countEffects(own.doc, 'PutItem', (input) =>
    stringAttribute(input, 'Item', 'pk')?.replace(/^ESSAY#/, ''),
  );
  const deadLetters = new MemoryDeadLetters();
  const metrics = new RecordingMetrics();
  const handler = createSpellchecker(
    {
      ...config,
      partialBatchResponse: options.partialBatchResponse ?? true,
      ...(options.leaseMarginMs !== undefined ? { leaseMarginMs: options.leaseMarginMs } : {}),
    },
    {
      client: own.doc,
      deadLetter: deadLetters,
      logger: new RecordingLogger(),
      metrics,
      ...(options.clock ? { clock: options.clock } : {}),
    },
  );
  return { handler, effects, deadLetters, metrics, client: own.doc };
}

async function storedResult(essayId: string, text = TEXT): Promise<Record<string, unknown> | undefined> {
  const response = await doc.send(
    new GetCommand({
      TableName: config.spellcheckTableName,
      Key: resultKey({ essay_id: essayId, text }),
      ConsistentRead: true,
    }),
  );
  return response.Item;
}

async function storedResultsOf(prefix: string): Promise<Record<string, unknown>[]> {
  const items = await scanAll(doc, config.spellcheckTableName);
  return items.filter((item) => String(item.essay_id).startsWith(`${prefix}-`));
}

const EXPECTED_CORRECTIONS = [
  { word: 'Teh', suggestion: 'The', offset: 0 },
  { word: 'beleive', suggestion: 'believe', offset: 13 },
  { word: 'goverment', suggestion: 'government', offset: 30 },
  { word: 'recieve', suggestion: 'receive', offset: 47 },
];

describe('spellchecker consumer', () => {
  test('a fresh batch of 100 requests is checked and stored once; its redelivery costs one BatchGetItem and returns the cached results', async () => {
    // GIVEN a batch of 100 requests over 4 partitions (the request counts do not depend on the split)
    const { handler, effects, client } = consumer();
    const counter = countRequests(client);
    const event = mskEvent(
      records('fresh', 100).map((spec, i) => ({ ...spec, partition: i % 4, offset: Math.floor(i / 4) })),
    );

    // WHEN it is delivered, then delivered again
    const first = await handler.process(event);
    const fresh = Object.fromEntries(counter.byOperation);
    counter.reset();
    const second = await handler.process(event);
    const redelivered = Object.fromEntries(counter.byOperation);

    // THEN every request was checked and stored once, and the redelivery only read the records
    expect(first.counts.processed).toBe(100);
    expect(second.counts.duplicate).toBe(100);
    expect(fresh).toEqual({ BatchGetItem: 1, UpdateItem: 200, PutItem: 100 });
    expect(redelivered).toEqual({ BatchGetItem: 1 });
    expect(effects.size).toBe(100);
    expect([...effects.values()].every((n) => n === 1)).toBe(true);
    const result = second.records.find((r) => (r.result as SpellcheckResult).essay_id === 'fresh-42')
      ?.result as SpellcheckResult;
    expect(result).toEqual({
      essay_id: 'fresh-42',
      error_count: 4,
      corrections: EXPECTED_CORRECTIONS,
      truncated: false,
      long_word_count: 0,
      unchecked_count: 0,
    });
    expect(second.records.map((r) => r.result)).toEqual(first.records.map((r) => r.result));
    expect(await storedResultsOf('fresh')).toHaveLength(100);
    expect(await storedResult('fresh-42')).toMatchObject({
      error_count: 4,
      corrections: EXPECTED_CORRECTIONS,
    });
  });

  test('a duplicate inside one batch (new event_id, same and other partition) is checked once', async () => {
    const { handler, effects } = consumer();
    const event = mskEvent([
      { topic: TOPIC, partition: 0, offset: 0, value: request('dup1-a') },
      { topic: TOPIC, partition: 1, offset: 0, value: request('dup1-a') },
      { topic: TOPIC, partition: 0, offset: 1, value: request('dup1-b') },
      { topic: TOPIC, partition: 0, offset: 2, value: request('dup1-a') },
    ]);
    const report = await handler.process(event);
    expect(report.counts).toMatchObject({ processed: 2, duplicate: 2 });
    expect(report.records.filter((r) => r.inBatchDuplicate)).toHaveLength(2);
    expect(Object.fromEntries(effects)).toEqual({ 'dup1-a': 1, 'dup1-b': 1 });
    for (const r of report.records.filter((r) => r.inBatchDuplicate)) {
      expect((r.result as SpellcheckResult).corrections).toEqual(EXPECTED_CORRECTIONS);
    }
  });

  test('a duplicate across batches gets the cached result without a second check', async () => {
    const { handler, effects } = consumer();
    const first = await handler.process(
      mskEvent([{ topic: TOPIC, partition: 0, offset: 0, value: request('dup2') }]),
    );
    const second = await handler.process(
      mskEvent([{ topic: TOPIC, partition: 3, offset: 9, value: request('dup2') }]),
    );
    expect(first.records[0]?.error).toBeUndefined();
    expect(first.records[0]?.status).toBe('processed');
    expect(second.records[0]?.status).toBe('duplicate');
    expect(second.records[0]?.result).toEqual(first.records[0]?.result);
    expect(effects.get('dup2')).toBe(1);
  });

  test('a retryable failure at record 60 of 100 retries the batch; 1-59 are skipped, 60-100 checked once', async () => {
    // GIVEN a store for results that refuses every attempt to write record 60 during the first delivery
    let failing = true;
    const { handler, effects } = consumer({
      partialBatchResponse: false,
      fault: (operation, input) =>
        failing && operation === 'PutItem' && stringAttribute(input, 'Item', 'pk') === 'ESSAY#r3-60'
          ? 'outage'
          : undefined,
    });
    const event = mskEvent(records('r3', 100));

    // WHEN the batch is delivered: the handler throws so the event source mapping retries it all
    const error = await handler(event).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BatchRetryError);
    const firstReport = (error as BatchRetryError).report;
    expect(firstReport.counts).toMatchObject({ processed: 59, retry: 1, skipped: 40 });
    expect(effects.size).toBe(59);

    // AND the dependency recovers and the whole batch is delivered again
    failing = false;
    const report = await handler.process(event);

    // THEN 1-59 are duplicates, 60-100 are processed, and every request was stored exactly once
    expect(report.records.slice(0, 59).every((r) => r.status === 'duplicate')).toBe(true);
    expect(report.records.slice(59).every((r) => r.status === 'processed')).toBe(true);
    expect(effects.size).toBe(100);
    for (let n = 1; n <= 100; n++) expect(effects.get(`r3-${n}`)).toBe(1);
    const stuck = (await idempotencyRecords(doc, config.idempotencyTableName)).filter(
      (r) => r.status === RecordStatus.PROCESSING,
    );
    expect(stuck).toEqual([]);
  });

  test('every poison record is dead-lettered (JSON Lines file) while the rest of its partition is checked', async () => {
    // GIVEN a partition with valid requests around every kind of malformed record
    const dir = await mkdtemp(join(tmpdir(), 'spellcheck-dlq-'));
    try {
      const path = join(dir, 'dead-letters.jsonl');
      const own = clients();
      const handler = createSpellchecker(config, {
        client: own.doc,
        deadLetter: new FileDeadLetterSink(path),
        logger: new RecordingLogger(),
        metrics: new RecordingMetrics(),
      });
      const base = { topic: TOPIC, partition: 0 };
      const withoutData = { ...request('poison-x') };
      delete withoutData.data;
      const specs: RecordSpec[] = [
        { ...base, offset: 0, value: request('poison-ok-1') },
        { ...base, offset: 1, rawBase64: '%%% not base64 %%%' },
        { ...base, offset: 2, value: Buffer.from([0x7b, 0xff, 0xfe, 0x7d]) },
        { ...base, offset: 3, value: '{"event_id": "evt", oops' },
        { ...base, offset: 4, value: withoutData },
        { ...base, offset: 5, value: { ...request('poison-big'), padding: 'x'.repeat(1_100_000) } },
        {
          ...base,
          offset: 6,
          value: envelope({ event_type: 'huleedu.essay.unknown.v1', data: { essay_id: 'x' } }),
        },
        {
          ...base,
          offset: 7,
          value: envelope({ event_type: TOPIC, data: { essay_id: 'poison-empty', text: '' } }),
        },
        {
          ...base,
          offset: 8,
          value: envelope({
            event_type: TOPIC,
            data: { essay_id: 'poison-sv', text: 'Hej', language: 'sv' },
          }),
        },
        { ...base, offset: 9, value: request('poison-ok-2') },
      ];
      const event = mskEvent(specs);

      // WHEN the batch is delivered
      const report = await handler(event);
      const processed = await handler.process(event);

      // THEN nothing is retried, the valid requests are checked, and each poison record is dead-lettered once
      expect(report).toEqual({ batchItemFailures: [] });
      const entries = (await readFile(path, 'utf8'))
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line) as DeadLetterEntry);
      expect(entries.map((e) => e.coordinates?.offset)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
      expect(entries.map((e) => e.error.name)).toEqual(Array(8).fill('InvalidRecordError'));
      const messages = entries.map((e) => e.error.message);
      expect(messages[0]).toMatch(/not valid base64/);
      expect(messages[1]).toMatch(/not valid UTF-8/);
      expect(messages[2]).toMatch(/not JSON/);
      expect(messages[3]).toMatch(/data: /);
      expect(messages[4]).toMatch(/over the limit of 1048576/);
      expect(messages[5]).toMatch(/Unknown event type huleedu\.essay\.unknown\.v1 for service spellchecker/);
      expect(messages[6]).toMatch(/invalid data: text: /);
      expect(messages[7]).toMatch(/invalid data: language: /);
      expect((entries[0]?.record as { value?: unknown } | undefined)?.value).toBe('%%% not base64 %%%');
      // the redelivery skips every record: the poison ones as failed, the valid ones as completed
      expect(processed.counts).toMatchObject({ duplicate: 10 });
      expect(await storedResult('poison-ok-1')).toBeDefined();
      expect(await storedResult('poison-ok-2')).toBeDefined();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  test('hostile texts: one token the length of the largest text, and the largest result, are checked at once, stored and cached whole', async () => {
    // GIVEN a text that is one 100,000-letter token (before the bound, its lookup ran for minutes), and
    // the text with the largest result: over MAX_CORRECTIONS misspellings of the longest word that
    // can have a suggestion, at five-digit offsets, with ids at their limit
    const { handler, effects } = consumer();
    const giant = 'x'.repeat(MAX_TEXT_LENGTH);
    const longest = WORDS_BY_FREQUENCY.reduce((a, b) => (b.length > a.length ? b : a));
    const tail = `${longest}qq `.repeat(MAX_CORRECTIONS + 50);
    const largest = 'the '.repeat((MAX_TEXT_LENGTH - tail.length) / 4 - 1) + tail;
    const ids = { essay_id: 'é'.repeat(128), batch_id: '€'.repeat(128) };
    const event = mskEvent([
      { topic: TOPIC, partition: 0, offset: 0, value: request('giant', giant) },
      {
        topic: TOPIC,
        partition: 0,
        offset: 1,
        value: envelope({ event_type: SpellcheckEventType.REQUESTED, data: { ...ids, text: largest } }),
      },
    ]);

    // WHEN the batch is delivered, then delivered again
    const first = await handler.process(event);
    const second = await handler.process(event);

    // THEN both are processed and stored once; the giant token is counted, not checked
    expect(first.records.map((r) => r.status)).toEqual(['processed', 'processed']);
    expect(first.records[0]?.result).toMatchObject({ error_count: 0, long_word_count: 1 });
    expect(await storedResult('giant', giant)).toMatchObject({
      long_word_count: 1,
      text_length: MAX_TEXT_LENGTH,
    });
    const stored = await storedResult(ids.essay_id, largest);
    expect(stored?.corrections).toHaveLength(MAX_CORRECTIONS);
    expect(stored).toMatchObject({ error_count: MAX_CORRECTIONS + 50, truncated: true });
    expect(effects.size).toBe(2);
    // AND the redelivery answers both from the idempotency records: the results were cached, not
    // omitted as too large
    expect(second.records.map((r) => r.status)).toEqual(['duplicate', 'duplicate']);
    expect(second.records.map((r) => r.result)).toEqual(first.records.map((r) => r.result));
    expect(second.records[1]?.result).toMatchObject({ corrections: expect.any(Array), truncated: true });
  });

  test('out-of-order redelivery across partitions still checks each request once', async () => {
    // GIVEN requests spread over two partitions, the same request on both (a producer retry)
    const { handler, effects } = consumer();
    const a = request('r20-a');
    const b = request('r20-b');
    const bRetry = request('r20-b');
    const c = request('r20-c');
    const p0 = [
      { topic: TOPIC, partition: 0, offset: 10, value: a },
      { topic: TOPIC, partition: 0, offset: 11, value: b },
    ];
    const p1 = [
      { topic: TOPIC, partition: 1, offset: 20, value: bRetry },
      { topic: TOPIC, partition: 1, offset: 21, value: c },
    ];

    // WHEN partition 1 is delivered first, then partition 0, then both again in reverse order
    await handler.process(mskEvent(p1));
    const p0Report = await handler.process(mskEvent(p0));
    const again = await handler.process(mskEvent([...p1, ...p0].reverse()));

    // THEN each request was checked once: b's second copy (on p0) was a duplicate
    expect(p0Report.records.map((r) => r.status)).toEqual(['processed', 'duplicate']);
    expect(again.counts).toMatchObject({ duplicate: 4 });
    expect(Object.fromEntries(effects)).toEqual({ 'r20-a': 1, 'r20-b': 1, 'r20-c': 1 });
  });

  test('a Lambda that times out mid-batch is abandoned; the redelivery takes over after the lease and checks the rest once', async () => {
    // GIVEN an invocation with 300 ms left (lease margin 0) that freezes at the write of record 5
    const stale = consumer({ leaseMarginMs: 0 });
    const hold = holdRequests(stale.client, (operation, input) => {
      const essay = operation === 'PutItem' ? stringAttribute(input, 'Item', 'pk') : undefined;
      return essay !== undefined && Number(essay.replace('ESSAY#r22-', '')) >= 5;
    });
    const specs = records('r22', 20);
    const event = mskEvent(specs);
    const abandoned = stale.handler.process(event, contextUntil(Date.now() + 300));
    await hold.reached;
    const sentBefore = specs.slice(0, 4).map((s) => String((s.value as { event_id: string }).event_id));
    await waitUntilCompleted(doc, config.idempotencyTableName, sentBefore);

    // WHEN the event source mapping delivers the batch again after the lease (clock past lease + skew)
    const fresh = consumer({ clock: clockAhead(5_000) });
    const report = await fresh.handler.process(event, contextUntil(Date.now() + 60_000));

    // THEN records 1-4 are duplicates, 5-20 are taken over from the abandoned claims and checked once
    expect(report.records.slice(0, 4).every((r) => r.status === 'duplicate')).toBe(true);
    expect(report.records.slice(4).every((r) => r.status === 'processed')).toBe(true);
    expect(fresh.metrics.count(MetricName.TAKEOVER)).toBeGreaterThanOrEqual(1);
    const effects = new Map([...stale.effects]);
    for (const [essay, n] of fresh.effects) effects.set(essay, (effects.get(essay) ?? 0) + n);
    for (let n = 1; n <= 20; n++) expect(effects.get(`r22-${n}`)).toBe(1);
    const stuck = (await idempotencyRecords(doc, config.idempotencyTableName)).filter(
      (r) => r.status === RecordStatus.PROCESSING,
    );
    expect(stuck).toEqual([]);
    // The abandoned invocation never resumes, as Lambda never resumes a timed-out one.
    void abandoned;
  });
});
