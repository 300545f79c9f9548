import { randomUUID } from 'node:crypto';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { batchKey } from '../../../../functions/essay-lifecycle/domain';
import { EssayEventType } from '../../../../functions/essay-lifecycle/events';
import { envelope, mskEvent, type RecordSpec } from '../../../../scripts/lib/msk-events';
import { type Clock, MetricName, RecordStatus } from '../../../../shared/internal';
import { countRequests, type Fault, injectFaults } from '../../../../tools/testing/sdk-middleware';
import {
  clockAhead,
  contextUntil,
  createEssayLifecycle,
  type EssayLifecycleConfig,
  holdRequests,
  idempotencyRecords,
  MemoryDeadLetters,
  testConsumerConfig,
} from '../../../helpers/consumers';
import { clients, freshConsumerTable, freshIdempotencyTable } from '../../../helpers/dynamo';
import { RecordingLogger, RecordingMetrics } from '../../../helpers/recorders';

const REGISTRATIONS = 'huleedu.essay.batch.registered.v1';
const CONTENTS = 'huleedu.essay.content.provisioned.v1';

let raw: DynamoDBClient;
let doc: DynamoDBDocumentClient;
let config: EssayLifecycleConfig;

beforeAll(async () => {
  ({ raw, doc } = clients());
  config = {
    ...testConsumerConfig(await freshIdempotencyTable(raw, 'essay-idem')),
    essayTableName: await freshConsumerTable(raw, 'essays'),
  };
});

afterAll(() => {
  raw.destroy();
});

/** A registration event (fresh event_id each time it is built). */
function registration(batchId: string, essayIds: readonly string[]): Record<string, unknown> {
  return envelope({
    event_type: EssayEventType.BATCH_REGISTERED,
    data: { batch_id: batchId, essay_ids: [...essayIds], course_code: 'ENG5' },
  });
}

/** A content provisioning event (fresh event_id each time it is built). */
function content(batchId: string, essayId: string, storageId = `store-${essayId}`): Record<string, unknown> {
  return envelope({
    event_type: EssayEventType.CONTENT_PROVISIONED,
    data: { batch_id: batchId, essay_id: essayId, text_storage_id: storageId },
  });
}

function essayIds(count: number): string[] {
  return Array.from({ length: count }, (_, i) => `essay-${i + 1}`);
}

/** A handler on its own client (so middleware stays local to the test). */
function consumer(
  options: {
    fault?: (operation: string, input: Record<string, unknown>) => Fault | undefined;
    leaseMarginMs?: number;
    clock?: Clock;
  } = {},
) {
  const own = clients();
  const fault = options.fault;
  if (fault) injectFaults(own.doc, (attempt) => fault(attempt.operation, attempt.input));
  const deadLetters = new MemoryDeadLetters();
  const metrics = new RecordingMetrics();
  const handler = createEssayLifecycle(
    { ...config, ...(options.leaseMarginMs !== undefined ? { leaseMarginMs: options.leaseMarginMs } : {}) },
    {
      client: own.doc,
      deadLetter: deadLetters,
      logger: new RecordingLogger(),
      metrics,
      ...(options.clock ? { clock: options.clock } : {}),
    },
  );
  return { handler, deadLetters, metrics, client: own.doc };
}

async function registerBatch(batchId: string, essays: readonly string[]): Promise<void> {
  const { handler } = consumer();
  const report = await handler.process(
    mskEvent([{ topic: REGISTRATIONS, partition: 0, offset: 0, value: registration(batchId, essays) }]),
  );
  expect(report.counts.processed).toBe(1);
}

/** The batch's `ready_count` and the number of its essay items (they must always agree). */
async function readiness(batchId: string): Promise<{ readyCount: number | undefined; essayItems: number }> {
  const batch = await doc.send(
    new GetCommand({ TableName: config.essayTableName, Key: batchKey(batchId), ConsistentRead: true }),
  );
  const essays = await doc.send(
    new QueryCommand({
      TableName: config.essayTableName,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :essay)',
      ExpressionAttributeValues: { ':pk': `BATCH#${batchId}`, ':essay': 'ESSAY#' },
      ConsistentRead: true,
    }),
  );
  const count = batch.Item?.ready_count;
  return { readyCount: typeof count === 'number' ? count : undefined, essayItems: essays.Count ?? 0 };
}

async function stuckRecords(): Promise<unknown[]> {
  return (await idempotencyRecords(doc, config.idempotencyTableName)).filter(
    (r) => r.status === RecordStatus.PROCESSING,
  );
}

function contentRecords(batchId: string, essays: readonly string[], partition = 0, from = 0): RecordSpec[] {
  return essays.map((essayId, i) => ({
    topic: CONTENTS,
    partition,
    offset: from + i,
    value: content(batchId, essayId),
  }));
}

describe('essay-lifecycle consumer', () => {
  test('a fresh batch of 100 contents counts each essay once; its redelivery costs one BatchGetItem', async () => {
    // GIVEN a registered batch of 100 essays, and their 100 content events over 4 partitions (the
    // request counts do not depend on the split)
    const batchId = `b-${randomUUID()}`;
    const essays = essayIds(100);
    await registerBatch(batchId, essays);
    const { handler, client } = consumer();
    const counter = countRequests(client);
    const event = mskEvent(
      contentRecords(batchId, essays).map((spec, i) => ({
        ...spec,
        partition: i % 4,
        offset: Math.floor(i / 4),
      })),
    );

    // WHEN the batch is delivered, then delivered again
    const first = await handler.process(event);
    const fresh = Object.fromEntries(counter.byOperation);
    counter.reset();
    const second = await handler.process(event);
    const redelivered = Object.fromEntries(counter.byOperation);

    // THEN each essay was counted once, in one transaction each, and the redelivery wrote nothing
    expect(first.counts.processed).toBe(100);
    expect(second.counts.duplicate).toBe(100);
    expect(fresh).toEqual({ BatchGetItem: 1, UpdateItem: 100, GetItem: 200, TransactWriteItems: 100 });
    expect(redelivered).toEqual({ BatchGetItem: 1 });
    expect(await readiness(batchId)).toEqual({ readyCount: 100, essayItems: 100 });
    expect(second.records.map((r) => r.result)).toContainEqual({
      batch_id: batchId,
      essay_id: 'essay-8',
      outcome: 'marked-ready',
    });
  });

  test('duplicates inside one batch (new event_ids, same and other partitions) count once', async () => {
    const batchId = `b-${randomUUID()}`;
    const { handler } = consumer();
    const report = await handler.process(
      mskEvent([
        { topic: REGISTRATIONS, partition: 0, offset: 0, value: registration(batchId, ['e1', 'e2']) },
        { topic: REGISTRATIONS, partition: 0, offset: 1, value: registration(batchId, ['e1', 'e2']) },
      ]),
    );
    expect(report.counts).toMatchObject({ processed: 1, duplicate: 1 });

    const contents = await handler.process(
      mskEvent([
        { topic: CONTENTS, partition: 0, offset: 0, value: content(batchId, 'e1') },
        { topic: CONTENTS, partition: 1, offset: 0, value: content(batchId, 'e1') },
        { topic: CONTENTS, partition: 0, offset: 1, value: content(batchId, 'e2') },
        { topic: CONTENTS, partition: 0, offset: 2, value: content(batchId, 'e1') },
      ]),
    );
    expect(contents.counts).toMatchObject({ processed: 2, duplicate: 2 });
    expect(await readiness(batchId)).toEqual({ readyCount: 2, essayItems: 2 });
  });

  test('a duplicate across batches is skipped with its cached result', async () => {
    const batchId = `b-${randomUUID()}`;
    await registerBatch(batchId, ['e1']);
    const { handler } = consumer();
    const first = await handler.process(
      mskEvent([{ topic: CONTENTS, partition: 0, offset: 0, value: content(batchId, 'e1') }]),
    );
    const second = await handler.process(
      mskEvent([{ topic: CONTENTS, partition: 2, offset: 5, value: content(batchId, 'e1') }]),
    );
    expect(first.records[0]?.status).toBe('processed');
    expect(second.records[0]?.status).toBe('duplicate');
    expect(second.records[0]?.result).toEqual({ batch_id: batchId, essay_id: 'e1', outcome: 'marked-ready' });
    expect(await readiness(batchId)).toEqual({ readyCount: 1, essayItems: 1 });
  });

  test('content before its registration is retried; out-of-order redeliveries across partitions count once', async () => {
    // GIVEN contents on partitions 1 and 2 (one a producer retry of the other) and the registration on 0
    const batchId = `b-${randomUUID()}`;
    const { handler, deadLetters } = consumer();
    const p1 = [
      { topic: CONTENTS, partition: 1, offset: 40, value: content(batchId, 'e1') },
      { topic: CONTENTS, partition: 1, offset: 41, value: content(batchId, 'e2') },
    ];
    const p2 = [{ topic: CONTENTS, partition: 2, offset: 7, value: content(batchId, 'e2') }];
    const reg = [
      { topic: REGISTRATIONS, partition: 0, offset: 3, value: registration(batchId, ['e1', 'e2', 'e3']) },
    ];

    // WHEN the contents arrive first: retried from the first offset, nothing counted
    const early = await handler(mskEvent([...p1, ...p2]));
    expect(early?.batchItemFailures).toEqual([
      { itemIdentifier: { partition: `${CONTENTS}-1`, offset: 40 } },
      { itemIdentifier: { partition: `${CONTENTS}-2`, offset: 7 } },
    ]);
    expect(await readiness(batchId)).toEqual({ readyCount: undefined, essayItems: 0 });

    // AND then the registration, then partition 2, then everything again in reverse order
    await handler.process(mskEvent(reg));
    const p2Report = await handler.process(mskEvent(p2));
    const p1Report = await handler.process(mskEvent(p1));
    const again = await handler.process(mskEvent([...p2, ...p1, ...reg].reverse()));

    // THEN e1 and e2 are counted once each (e2's copy on partition 1 is a duplicate)
    expect(p2Report.records.map((r) => r.status)).toEqual(['processed']);
    expect(p1Report.records.map((r) => r.status)).toEqual(['processed', 'duplicate']);
    expect(again.counts).toMatchObject({ duplicate: 4 });
    expect(await readiness(batchId)).toEqual({ readyCount: 2, essayItems: 2 });
    expect(deadLetters.entries).toEqual([]);
  });

  test('business rules: an essay outside the batch, other content for a ready essay and a reused batch id are dead-lettered; the same fact after its record expired is a no-op', async () => {
    const batchId = `b-${randomUUID()}`;
    await registerBatch(batchId, ['e1', 'e2']);
    const { handler, deadLetters } = consumer();
    const report = await handler.process(
      mskEvent([
        { topic: CONTENTS, partition: 0, offset: 0, value: content(batchId, 'e1', 'store-a') },
        { topic: CONTENTS, partition: 0, offset: 1, value: content(batchId, 'e9') },
        { topic: CONTENTS, partition: 0, offset: 2, value: content(batchId, 'e1', 'store-b') },
        { topic: REGISTRATIONS, partition: 0, offset: 0, value: registration(batchId, ['e1', 'e2', 'e3']) },
      ]),
    );
    expect(report.records.map((r) => r.status)).toEqual(['processed', 'failed', 'failed', 'failed']);
    expect(deadLetters.entries.map((e) => e.error.name)).toEqual([
      'PermanentError',
      'PermanentError',
      'PermanentError',
    ]);
    // (the two topics' partitions run concurrently, so the dead letters come in either order)
    const messages = deadLetters.entries.map((e) => e.error.message).sort();
    expect(messages[0]).toMatch(/^Batch b-.* is already registered/);
    expect(messages[1]).toMatch(/^Essay e1 of batch b-.* is already ready with content store-a/);
    expect(messages[2]).toMatch(/^Essay e9 is not part of batch/);
    expect(await readiness(batchId)).toEqual({ readyCount: 1, essayItems: 1 });

    // WHEN the first content event is redelivered 13 hours later, after its idempotency record expired
    const later = consumer({ clock: clockAhead(13 * 3600 * 1000) });
    const replay = await later.handler.process(
      mskEvent([{ topic: CONTENTS, partition: 0, offset: 0, value: content(batchId, 'e1', 'store-a') }]),
    );

    // THEN it is processed again, but as a no-op: the business state, not the record, keeps the count
    expect(replay.records[0]?.status).toBe('processed');
    expect(replay.records[0]?.result).toEqual({
      batch_id: batchId,
      essay_id: 'e1',
      outcome: 'already-ready',
    });
    expect(await readiness(batchId)).toEqual({ readyCount: 1, essayItems: 1 });
  });

  test('two different contents for one essay racing on two workers: the transaction lets exactly one count', async () => {
    // GIVEN worker A has read the batch and is about to commit content store-a for e1
    const batchId = `b-${randomUUID()}`;
    await registerBatch(batchId, ['e1']);
    const a = consumer();
    const hold = holdRequests(a.client, (operation) => operation === 'TransactWriteItems');
    const aRun = a.handler.process(
      mskEvent([{ topic: CONTENTS, partition: 0, offset: 0, value: content(batchId, 'e1', 'store-a') }]),
    );
    await hold.reached;

    // WHEN worker B commits other content store-b for e1 first, then A's transaction goes out
    const b = consumer();
    const bReport = await b.handler.process(
      mskEvent([{ topic: CONTENTS, partition: 1, offset: 0, value: content(batchId, 'e1', 'store-b') }]),
    );
    hold.release();
    const aReport = await aRun;

    // THEN B counted e1; A's transaction failed its business condition and was dead-lettered
    expect(bReport.records[0]?.status).toBe('processed');
    expect(aReport.records[0]?.status).toBe('failed');
    expect(a.deadLetters.entries[0]?.error.name).toBe('BusinessConditionFailedError');
    expect(await readiness(batchId)).toEqual({ readyCount: 1, essayItems: 1 });
  });

  test('transactional: a lost transaction response is retried with the same token; an outage writes nothing and is retried', async () => {
    const batchId = `b-${randomUUID()}`;
    await registerBatch(batchId, ['e1', 'e2']);
    // GIVEN the first attempt of e1's transaction commits but its response is lost, and every attempt
    // of e2's transaction fails before reaching the engine
    let outage = true;
    let dropped = false;
    const { handler } = consumer({
      fault: (operation, input) => {
        if (operation !== 'TransactWriteItems') return undefined;
        const essays = JSON.stringify(input);
        if (essays.includes('ESSAY#e1') && !dropped) {
          dropped = true;
          return 'drop-response';
        }
        return outage && essays.includes('ESSAY#e2') ? 'outage' : undefined;
      },
    });
    const event = mskEvent(contentRecords(batchId, ['e1', 'e2']));

    // WHEN the batch is delivered, then (the outage over) delivered again
    const first = await handler.process(event);
    outage = false;
    const second = await handler.process(event);

    // THEN e1 committed exactly once despite the SDK's retry, e2 once on the redelivery
    expect(first.records.map((r) => r.status)).toEqual(['processed', 'retry']);
    expect(second.records.map((r) => r.status)).toEqual(['duplicate', 'processed']);
    expect(await readiness(batchId)).toEqual({ readyCount: 2, essayItems: 2 });
    expect(await stuckRecords()).toEqual([]);
  });

  test('every poison record is dead-lettered while the rest of its partition is processed', async () => {
    const batchId = `b-${randomUUID()}`;
    const { handler, deadLetters } = consumer();
    const base = { topic: CONTENTS, partition: 0 };
    const noData = { ...content(batchId, 'e1') };
    delete noData.data;
    const report = await handler(
      mskEvent([
        { topic: REGISTRATIONS, partition: 0, offset: 0, value: registration(batchId, ['e1', 'e2']) },
        { ...base, offset: 0, rawBase64: 'not base64!' },
        { ...base, offset: 1, value: Buffer.from([0xc3, 0x28]) },
        { ...base, offset: 2, value: '<xml/>' },
        { ...base, offset: 3, value: noData },
        { ...base, offset: 4, value: { ...content(batchId, 'e1'), blob: 'x'.repeat(1_048_577) } },
        {
          ...base,
          offset: 5,
          value: envelope({ event_type: 'huleedu.essay.deleted.v1', data: { essay_id: 'e1' } }),
        },
        {
          ...base,
          offset: 6,
          value: envelope({ event_type: CONTENTS, data: { batch_id: batchId, essay_id: 'e1' } }),
        },
        {
          ...base,
          offset: 7,
          value: envelope({ event_type: REGISTRATIONS, data: { batch_id: batchId, essay_ids: ['x', 'x'] } }),
        },
      ]),
    );
    // the contents may run before the registration (another partition): deliver again until drained
    const redelivery = await handler.process(
      mskEvent([
        { ...base, offset: 8, value: content(batchId, 'e1') },
        { ...base, offset: 9, value: content(batchId, 'e2') },
      ]),
    );

    expect(report).toEqual({ batchItemFailures: [] });
    expect(redelivery.counts.processed).toBe(2);
    expect(deadLetters.entries.map((e) => e.coordinates?.offset)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(new Set(deadLetters.entries.map((e) => e.error.name))).toEqual(new Set(['InvalidRecordError']));
    expect(deadLetters.entries[5]?.error.message).toMatch(
      /Unknown event type huleedu\.essay\.deleted\.v1 for service essay-lifecycle/,
    );
    expect(deadLetters.entries[6]?.error.message).toMatch(/text_storage_id: /);
    expect(deadLetters.entries[7]?.error.message).toMatch(/essay_ids\.1: duplicate essay id "x"/);
    expect(await readiness(batchId)).toEqual({ readyCount: 2, essayItems: 2 });
  });

  test('a Lambda that times out mid-batch is taken over after its lease; waking up later, its commit is refused', async () => {
    // GIVEN an invocation with 300 ms left (lease margin 0) frozen at the transaction of essay 5
    const batchId = `b-${randomUUID()}`;
    const essays = essayIds(12);
    await registerBatch(batchId, essays);
    const stale = consumer({ leaseMarginMs: 0 });
    const hold = holdRequests(
      stale.client,
      (operation, input) =>
        operation === 'TransactWriteItems' && JSON.stringify(input).includes('"ESSAY#essay-5"'),
    );
    const event = mskEvent(contentRecords(batchId, essays));
    const staleRun = stale.handler.process(event, contextUntil(Date.now() + 300));
    await hold.reached;

    // WHEN the batch is delivered again after the lease (a clock past lease + skew)
    const fresh = consumer({ clock: clockAhead(5_000) });
    const report = await fresh.handler.process(event, contextUntil(Date.now() + 60_000));

    // THEN essays 1-4 (committed before the freeze) are duplicates; 5-12 are taken over and counted once
    expect(report.records.slice(0, 4).every((r) => r.status === 'duplicate')).toBe(true);
    expect(report.records.slice(4).every((r) => r.status === 'processed')).toBe(true);
    expect(fresh.metrics.count(MetricName.TAKEOVER)).toBeGreaterThanOrEqual(1);
    expect(await readiness(batchId)).toEqual({ readyCount: 12, essayItems: 12 });

    // AND when the stale invocation wakes up, its transaction fails the owner condition: nothing is written
    hold.release();
    const staleReport = await staleRun;
    expect(staleReport.records.map((r) => r.status)).toEqual([
      ...Array(4).fill('processed'),
      'retry',
      ...Array(7).fill('skipped'),
    ]);
    expect(staleReport.records[4]?.error).toMatch(/LeaseLostError/);
    expect(stale.metrics.count(MetricName.LEASE_LOST)).toBeGreaterThanOrEqual(1);
    expect(await readiness(batchId)).toEqual({ readyCount: 12, essayItems: 12 });
    expect(await stuckRecords()).toEqual([]);
  });
});
