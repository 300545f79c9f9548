import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { envelope, mskEvent, type RecordSpec } from '../../../scripts/lib/msk-events';
import {
  createKafkaHandler,
  type DeadLetterEntry,
  type DeadLetterSink,
  Idempotency,
  type IdempotencyOptions,
  RecordStatus,
  type TransactionalWrite,
  withWrites,
} from '../../../shared/internal';
import { countRequests } from '../../../tools/testing/sdk-middleware';
import { clients, freshConsumerTable, freshIdempotencyTable } from '../../helpers/dynamo';
import { ManualClock } from '../../helpers/layer';
import { RecordingLogger, RecordingMetrics } from '../../helpers/recorders';

/**
 * What a batch costs in DynamoDB requests, per mode, fresh and redelivered, with the local cache
 * off and on: counted by an SDK middleware on the layer's client (every HTTP attempt), never timed.
 */

const TYPE = 'test.thing.happened.v1';
const TOPIC = 'things';
const N = 100;

class MemoryDeadLetters implements DeadLetterSink {
  readonly entries: DeadLetterEntry[] = [];
  async send(entry: DeadLetterEntry): Promise<void> {
    this.entries.push(entry);
  }
}

function records(count: number, label: string, partition = 0): RecordSpec[] {
  return Array.from({ length: count }, (_, i) => ({
    topic: TOPIC,
    partition,
    offset: i,
    value: envelope({ event_type: TYPE, data: { n: i, label } }),
  }));
}

type Mode = 'two-phase' | 'transactional' | 'single-write';

async function setup(mode: Mode, options: Partial<IdempotencyOptions> = {}) {
  const { raw, doc } = clients();
  const tableName = await freshIdempotencyTable(raw, `rc-${mode}`);
  const businessTable = await freshConsumerTable(raw, `rc-${mode}-business`);
  const calls = new Map<number, number>();
  const results: unknown[] = [];
  const idem = new Idempotency({
    service: 'counts',
    tableName,
    client: doc,
    logger: new RecordingLogger(),
    metrics: new RecordingMetrics(),
    singleWrite: mode === 'single-write',
    ...options,
  });
  const effect = (n: number): TransactionalWrite => ({
    Put: { TableName: businessTable, Item: { pk: `ITEM#${n}`, sk: 'META' } },
  });
  const handler = createKafkaHandler({
    idempotency: idem,
    deadLetter: new MemoryDeadLetters(),
    partialBatchResponse: true,
    routes: {
      [TYPE]: async (env) => {
        const n = Number(env.data.n);
        calls.set(n, (calls.get(n) ?? 0) + 1);
        const result = { n, tags: ['a'] };
        results.push(result);
        return mode === 'two-phase' ? result : withWrites(result, [effect(n)]);
      },
    },
  });
  const counter = countRequests(doc);
  return { handler, calls, counter, results, doc, raw, tableName };
}

/** Requests per record by operation, as a plain object (e.g. `{ TransactWriteItems: 1, BatchGetItem: 0.01 }`). */
function perRecord(counter: { byOperation: Map<string, number> }): Record<string, number> {
  return Object.fromEntries([...counter.byOperation].map(([op, n]) => [op, n / N]));
}

describe('requests per record, by mode', () => {
  // Figures quoted in the README and the report: fresh batch, then its redelivery to the same
  // container, with the local cache off (the default) and on.
  test.each([
    ['two-phase', { UpdateItem: 2, BatchGetItem: 0.01 }, { BatchGetItem: 0.01 }],
    ['transactional', { UpdateItem: 1, TransactWriteItems: 1, BatchGetItem: 0.01 }, { BatchGetItem: 0.01 }],
    ['single-write', { TransactWriteItems: 1, BatchGetItem: 0.01 }, { BatchGetItem: 0.01 }],
  ] as const)('%s: fresh %j, redelivered %j; with the local cache the redelivery costs 0 requests', async (mode, fresh, redelivered) => {
    for (const cache of [0, 1000]) {
      const t = await setup(mode, { localCacheMaxItems: cache });
      try {
        const event = mskEvent(records(N, `${mode}-${cache}`));
        const first = await t.handler.process(event);
        expect(first.counts.processed).toBe(N);
        expect(perRecord(t.counter)).toEqual(fresh);
        t.counter.reset();
        const again = await t.handler.process(event);
        expect(again.counts.duplicate).toBe(N);
        expect(again.records.map((r) => r.result)).toEqual(first.records.map((r) => r.result));
        expect(perRecord(t.counter)).toEqual(cache === 0 ? redelivered : {});
        expect([...t.calls.values()].every((n) => n === 1)).toBe(true);
      } finally {
        t.raw.destroy();
      }
    }
  });
});

describe('the local cache', () => {
  test('a redelivery to the same warm container costs 0 requests; another container (cold) reads once', async () => {
    const t = await setup('single-write', { localCacheMaxItems: 10 });
    try {
      const event = mskEvent(records(5, 'warm'));
      await t.handler.process(event);
      t.counter.reset();
      const again = await t.handler.process(event);
      expect(again.counts.duplicate).toBe(5);
      expect(t.counter.total()).toBe(0);

      const cold = new Idempotency({
        service: 'counts',
        tableName: t.tableName,
        client: t.doc,
        localCacheMaxItems: 10,
        singleWrite: true,
        logger: new RecordingLogger(),
        metrics: new RecordingMetrics(),
      });
      const coldHandler = createKafkaHandler({
        idempotency: cold,
        deadLetter: new MemoryDeadLetters(),
        routes: { [TYPE]: async () => 'never' },
      });
      const coldReport = await coldHandler.process(event);
      expect(coldReport.counts.duplicate).toBe(5);
      expect(Object.fromEntries(t.counter.byOperation)).toEqual({ BatchGetItem: 1 });
    } finally {
      t.raw.destroy();
    }
  });

  test('an entry past its expiration is not used: the redelivery reads the table (and processes the expired record again)', async () => {
    const clock = new ManualClock();
    const t = await setup('two-phase', { localCacheMaxItems: 10, clock, defaultTtlSeconds: 60 });
    try {
      const event = mskEvent(records(3, 'expiry'));
      await t.handler.process(event);
      clock.advance(59_000);
      t.counter.reset();
      expect((await t.handler.process(event)).counts.duplicate).toBe(3);
      expect(t.counter.total()).toBe(0);
      clock.advance(2_000 + 1_000);
      const late = await t.handler.process(event);
      expect(late.counts.processed).toBe(3);
      expect(t.counter.byOperation.get('BatchGetItem')).toBe(1);
      expect([...t.calls.values()]).toEqual([2, 2, 2]);
    } finally {
      t.raw.destroy();
    }
  });

  test('a record held in processing elsewhere is never cached: each redelivery asks the table again', async () => {
    const { raw, doc } = clients();
    try {
      const tableName = await freshIdempotencyTable(raw, 'rc-processing');
      const holder = new Idempotency({
        service: 'counts',
        tableName,
        client: doc,
        logger: new RecordingLogger(),
        metrics: new RecordingMetrics(),
      });
      const event = mskEvent(records(1, 'held'));
      // Another container holds the record: its handler never returns.
      let held: () => void = () => undefined;
      const holding = new Promise<void>((resolve) => {
        held = resolve;
      });
      const holderHandler = createKafkaHandler({
        idempotency: holder,
        deadLetter: new MemoryDeadLetters(),
        routes: {
          [TYPE]: async () => {
            held();
            await new Promise(() => undefined);
            return 'never';
          },
        },
      });
      void holderHandler.process(event);
      await holding;

      const { raw: raw2, doc: doc2 } = clients();
      try {
        const counter = countRequests(doc2);
        const cached = new Idempotency({
          service: 'counts',
          tableName,
          client: doc2,
          localCacheMaxItems: 10,
          logger: new RecordingLogger(),
          metrics: new RecordingMetrics(),
        });
        const handler = createKafkaHandler({
          idempotency: cached,
          deadLetter: new MemoryDeadLetters(),
          partialBatchResponse: true,
          routes: { [TYPE]: async () => 'other' },
        });
        for (let round = 1; round <= 2; round++) {
          const report = await handler.process(event);
          expect(report.counts['in-progress-elsewhere']).toBe(1);
          expect(counter.byOperation.get('BatchGetItem')).toBe(round);
          expect(counter.byOperation.get('UpdateItem')).toBe(round);
        }
      } finally {
        raw2.destroy();
      }
    } finally {
      raw.destroy();
    }
  });

  test('the bound holds: with room for 3, the oldest records are evicted and read again', async () => {
    const t = await setup('single-write', { localCacheMaxItems: 3 });
    try {
      const event = mskEvent(records(5, 'bound'));
      await t.handler.process(event);
      t.counter.reset();
      // The last three are in memory; the first two are read (one BatchGetItem) and then cached,
      // evicting two of the others.
      const again = await t.handler.process(event);
      expect(again.counts.duplicate).toBe(5);
      expect(Object.fromEntries(t.counter.byOperation)).toEqual({ BatchGetItem: 1 });
    } finally {
      t.raw.destroy();
    }
  });

  test('a cached result is a copy: a caller mutating a duplicate result or record does not change the next one', async () => {
    const t = await setup('single-write', { localCacheMaxItems: 10 });
    try {
      const event = mskEvent(records(1, 'copies'));
      const first = await t.handler.process(event);
      t.counter.reset();
      // The handler's own result object is not what the cache keeps.
      (t.results[0] as { tags: string[] }).tags.push('mutated-by-handler');
      const second = await t.handler.process(event);
      const result = second.records[0]?.result as { tags: string[] };
      expect(first.records[0]?.result).toBe(t.results[0]);
      expect(result).toEqual({ n: 0, tags: ['a'] });
      result.tags.push('mutated-by-caller');
      const third = await t.handler.process(event);
      expect(third.records[0]?.result).toEqual({ n: 0, tags: ['a'] });
      expect(t.counter.byOperation.get('BatchGetItem') ?? 0).toBe(0);
      // The stored record agrees with what the cache answers.
      const stored = await t.doc.send(
        new GetCommand({
          TableName: t.tableName,
          Key: { id: second.records[0]?.idempotencyKey },
          ConsistentRead: true,
        }),
      );
      expect(stored.Item?.status).toBe(RecordStatus.COMPLETED);
      expect(JSON.parse(String(stored.Item?.result))).toEqual({ n: 0, tags: ['a'] });
    } finally {
      t.raw.destroy();
    }
  });
});
