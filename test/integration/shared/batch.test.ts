import type { MSKEvent } from 'aws-lambda';
import { envelope, mskEvent, type RecordSpec } from '../../../scripts/lib/msk-events';
import {
  BatchRetryError,
  type Clock,
  createKafkaHandler,
  type DeadLetterEntry,
  type DeadLetterSink,
  Idempotency,
  MetricName,
  RetryableError,
} from '../../../shared/internal';
import { countRequests } from '../../../tools/testing/sdk-middleware';
import { clients, freshIdempotencyTable } from '../../helpers/dynamo';
import { RecordingLogger, RecordingMetrics } from '../../helpers/recorders';

const TYPE = 'test.thing.happened.v1';
const TOPIC = 'things';

class MemoryDeadLetters implements DeadLetterSink {
  readonly entries: DeadLetterEntry[] = [];
  async send(entry: DeadLetterEntry): Promise<void> {
    this.entries.push(entry);
  }
}

function records(count: number, partition = 0, from = 0): RecordSpec[] {
  return Array.from({ length: count }, (_, i) => ({
    topic: TOPIC,
    partition,
    offset: from + i,
    value: envelope({ event_type: TYPE, data: { n: from + i, partition } }),
  }));
}

async function setup(
  options: { partialBatchResponse?: boolean; failOnce?: Set<number>; clock?: Clock } = {},
) {
  const { raw, doc } = clients();
  const tableName = await freshIdempotencyTable(raw);
  const metrics = new RecordingMetrics();
  const logger = new RecordingLogger();
  const idem = new Idempotency({
    service: 'batch-test',
    tableName,
    client: doc,
    logger,
    metrics,
    ...(options.clock ? { clock: options.clock } : {}),
  });
  const calls = new Map<string, number>();
  const failOnce = new Set(options.failOnce ?? []);
  const deadLetters = new MemoryDeadLetters();
  const handler = createKafkaHandler({
    idempotency: idem,
    deadLetter: deadLetters,
    partialBatchResponse: options.partialBatchResponse ?? true,
    routes: {
      [TYPE]: async (env) => {
        const id = `${String(env.data.partition)}:${String(env.data.n)}`;
        calls.set(id, (calls.get(id) ?? 0) + 1);
        if (failOnce.delete(Number(env.data.n))) throw new RetryableError(`dependency down for ${id}`);
        return { seen: id };
      },
    },
  });
  const counter = countRequests(doc);
  return { handler, calls, counter, deadLetters, metrics, logger, idem };
}

describe('Kafka batch processor', () => {
  test('a fresh batch of 100 is processed once; its redelivery costs one BatchGetItem and runs nothing', async () => {
    // GIVEN a fresh table and a batch of 100 records on one partition
    const { handler, calls, counter } = await setup();
    const event = mskEvent(records(100));

    // WHEN it is delivered, then delivered again
    const first = await handler.process(event);
    const freshRequests = Object.fromEntries(counter.byOperation);
    counter.reset();
    const second = await handler.process(event);

    // THEN the first run processed all, the second skipped all from the pre-check alone
    expect(first.counts.processed).toBe(100);
    expect(second.counts.duplicate).toBe(100);
    expect([...calls.values()].every((n) => n === 1)).toBe(true);
    expect(calls.size).toBe(100);
    expect(freshRequests).toEqual({ BatchGetItem: 1, UpdateItem: 200 });
    expect(Object.fromEntries(counter.byOperation)).toEqual({ BatchGetItem: 1 });
    expect(second.records[0]?.result).toEqual({ seen: '0:0' });
  });

  test('a failure at record 60 reports that offset; the redelivery skips 0-58 and processes 59-99 once', async () => {
    const { handler, calls } = await setup({ failOnce: new Set([59]) });
    const event = mskEvent(records(100));

    const first = await handler(event);
    expect(first).toEqual({
      batchItemFailures: [{ itemIdentifier: { partition: `${TOPIC}-0`, offset: 59 } }],
    });

    const report = await handler.process(event);
    expect(report.records.slice(0, 59).every((r) => r.status === 'duplicate')).toBe(true);
    expect(report.records.slice(59).every((r) => r.status === 'processed')).toBe(true);
    // every record's handler ran once, except the failed one (twice); 60-99 were never run before
    for (let n = 0; n < 100; n++) expect(calls.get(`0:${n}`)).toBe(n === 59 ? 2 : 1);
  });

  test('without partial batch response a retryable failure throws so the whole batch is retried', async () => {
    const { handler } = await setup({ partialBatchResponse: false, failOnce: new Set([3]) });
    const event = mskEvent(records(10));
    await expect(handler(event)).rejects.toBeInstanceOf(BatchRetryError);
    await expect(handler(event)).resolves.toBeUndefined();
  });

  test('a duplicate inside one batch, on another partition with a new event_id, runs once', async () => {
    const { handler, calls } = await setup();
    const data = { n: 7, partition: 0 };
    const event: MSKEvent = mskEvent([
      { topic: TOPIC, partition: 0, offset: 0, value: envelope({ event_type: TYPE, data }) },
      { topic: TOPIC, partition: 1, offset: 0, value: envelope({ event_type: TYPE, data }) },
      { topic: TOPIC, partition: 0, offset: 1, value: envelope({ event_type: TYPE, data }) },
    ]);
    const report = await handler.process(event);
    expect(report.counts.processed).toBe(1);
    expect(report.counts.duplicate).toBe(2);
    expect(calls.get('0:7')).toBe(1);
    expect(report.records.filter((r) => r.inBatchDuplicate)).toHaveLength(2);
  });

  test('poison records are dead-lettered and the rest of their partition completes', async () => {
    const failedAt = Date.UTC(2031, 4, 6, 7, 8, 9);
    const { handler, deadLetters } = await setup({ clock: { now: () => failedAt } });
    const good = records(3);
    const event = mskEvent([
      good[0] as RecordSpec,
      { topic: TOPIC, partition: 0, offset: 1, rawBase64: '%%%not-base64%%%' },
      { topic: TOPIC, partition: 0, offset: 2, value: Buffer.from([0xff, 0xfe, 0x00]) },
      { topic: TOPIC, partition: 0, offset: 3, value: 'not json' },
      { topic: TOPIC, partition: 0, offset: 4, value: { event_id: 'x', event_type: TYPE } },
      { topic: TOPIC, partition: 0, offset: 5, value: envelope({ event_type: 'unknown.type.v1', data: {} }) },
      { ...(good[1] as RecordSpec), offset: 6 },
    ]);
    const report = await handler.process(event);
    expect(report.records.map((r) => r.status)).toEqual([
      'processed',
      'failed',
      'failed',
      'failed',
      'failed',
      'failed',
      'processed',
    ]);
    expect(report.batchItemFailures).toEqual([]);
    expect(deadLetters.entries.map((e) => e.coordinates?.offset)).toEqual([1, 2, 3, 4, 5]);
    expect(deadLetters.entries.map((e) => e.error.name)).toEqual(Array(5).fill('InvalidRecordError'));
    expect(deadLetters.entries[4]?.error.message).toMatch(/Unknown event type unknown\.type\.v1/);
    // stamped by the layer's clock (the injected one), not the system's
    expect(deadLetters.entries.map((e) => e.failed_at)).toEqual(Array(5).fill('2031-05-06T07:08:09.000Z'));

    // a redelivery does not dead-letter them again
    const again = await handler.process(event);
    expect(again.counts.duplicate).toBe(7);
    expect(deadLetters.entries).toHaveLength(5);
  });

  test('every record settles once: one outcome line whose action is its status, and one outcome metric', async () => {
    // GIVEN a partition that stops at a retryable failure (offset 3), with a copy of offset 1 after
    // it, and a second partition with an in-batch copy of its first record
    const { handler, logger, metrics } = await setup({ failOnce: new Set([3]) });
    const copy = envelope({ event_type: TYPE, data: { n: 100, partition: 1 } });
    const event = mskEvent([
      ...records(6),
      {
        topic: TOPIC,
        partition: 0,
        offset: 6,
        value: envelope({ event_type: TYPE, data: { n: 1, partition: 0 } }),
      },
      { topic: TOPIC, partition: 1, offset: 0, value: copy },
      { topic: TOPIC, partition: 1, offset: 1, value: copy },
    ]);

    // WHEN it is processed
    const report = await handler.process(event);

    // THEN each record has exactly one outcome line, at its coordinates, naming its status
    expect(report.records.map((r) => `${r.partition}@${r.offset}:${r.status}`)).toEqual([
      '0@0:processed',
      '0@1:processed',
      '0@2:processed',
      '0@3:retry',
      '0@4:skipped',
      '0@5:skipped',
      '0@6:skipped',
      '1@0:processed',
      '1@1:duplicate',
    ]);
    // (a report counts every status, so its keys are the outcome actions)
    const outcomes = new Set(Object.keys(report.counts));
    const lines = logger.entries.filter((e) => outcomes.has(String(e.fields.action)));
    expect(
      lines
        .map((e) => `${String(e.fields.partition)}@${String(e.fields.offset)}:${String(e.fields.action)}`)
        .sort(),
    ).toEqual(report.records.map((r) => `${r.partition}@${r.offset}:${r.status}`).sort());
    expect(
      [MetricName.PROCESSED, MetricName.DUPLICATE, MetricName.RETRYABLE].map((m) => metrics.count(m)),
    ).toEqual([4, 1, 1]);
    // released: the failed record's claim, and those taken ahead for 4 and 5 (6, a copy, claims nothing)
    expect(metrics.count(MetricName.RELEASED)).toBe(3);
  });
});
