import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { MSKEvent } from 'aws-lambda';
import { batchKey } from '../../../../functions/essay-lifecycle/domain';
import { EssayEventType } from '../../../../functions/essay-lifecycle/events';
import { envelope, mskEvent, type RecordSpec } from '../../../../scripts/lib/msk-events';
import { ENV, MetricName, RecordStatus } from '../../../../shared/internal';
import {
  clockAhead,
  createEssayLifecycle,
  type EssayLifecycleConfig,
  idempotencyRecords,
  MemoryDeadLetters,
  testConsumerConfig,
} from '../../../helpers/consumers';
import { runCrashingConsumer } from '../../../helpers/crash';
import { clients, freshConsumerTable, freshIdempotencyTable } from '../../../helpers/dynamo';
import { RecordingLogger, RecordingMetrics } from '../../../helpers/recorders';

const CONTENTS = 'huleedu.essay.content.provisioned.v1';
const ESSAYS = 20;

let raw: DynamoDBClient;
let doc: DynamoDBDocumentClient;
let dir: string;

beforeAll(async () => {
  ({ raw, doc } = clients());
  dir = await mkdtemp(join(tmpdir(), 'essay-crash-'));
});

afterAll(async () => {
  raw.destroy();
  await rm(dir, { recursive: true, force: true });
});

function content(batchId: string, essayId: string): Record<string, unknown> {
  return envelope({
    event_type: EssayEventType.CONTENT_PROVISIONED,
    data: { batch_id: batchId, essay_id: essayId, text_storage_id: `store-${essayId}` },
  });
}

/** The registration of a batch of essays. */
function registration(batchId: string, essays: readonly string[]): MSKEvent {
  return mskEvent([
    {
      topic: 'huleedu.essay.batch.registered.v1',
      partition: 0,
      offset: 0,
      value: envelope({
        event_type: EssayEventType.BATCH_REGISTERED,
        data: { batch_id: batchId, essay_ids: essays },
      }),
    },
  ]);
}

/** A batch of the essays' contents, with three producer retries (essay-2, essay-8, essay-9) at its end. */
function contents(batchId: string, essays: readonly string[]): MSKEvent {
  const specs: RecordSpec[] = essays.map((essayId, i) => ({
    topic: CONTENTS,
    partition: 0,
    offset: i,
    value: content(batchId, essayId),
  }));
  for (const [i, essayId] of ['essay-2', 'essay-8', 'essay-9'].entries()) {
    specs.push({ topic: CONTENTS, partition: 0, offset: ESSAYS + i, value: content(batchId, essayId) });
  }
  return mskEvent(specs);
}

async function readiness(config: EssayLifecycleConfig, batchId: string) {
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
  return { readyCount: batch.Item?.ready_count, essayItems: essays.Count ?? 0 };
}

describe('essay-lifecycle: a worker killed between its business write and its completion', () => {
  test.each([
    ['right after the response of the 8th TransactWriteItems arrived', 'after:TransactWriteItems:8', 8],
    ['right before the 8th TransactWriteItems was sent', 'before:TransactWriteItems:8', 7],
  ])('killed %s, the redelivery after the lease counts every essay exactly once', async (_, crashAt, committed) => {
    // GIVEN a registered batch of 20 essays, and a batch of their contents with three producer retries
    const config: EssayLifecycleConfig = {
      ...testConsumerConfig(await freshIdempotencyTable(raw, 'essay-crash-idem')),
      essayTableName: await freshConsumerTable(raw, 'essay-crash'),
    };
    const batchId = `b-${randomUUID()}`;
    const essays = Array.from({ length: ESSAYS }, (_, i) => `essay-${i + 1}`);
    const parent = (clock?: { now(): number }) => {
      const metrics = new RecordingMetrics();
      const deadLetters = new MemoryDeadLetters();
      const handler = createEssayLifecycle(config, {
        client: doc,
        logger: new RecordingLogger(),
        metrics,
        deadLetter: deadLetters,
        ...(clock ? { clock } : {}),
      });
      return { handler, metrics, deadLetters };
    };
    await parent().handler.process(registration(batchId, essays));
    const event = contents(batchId, essays);

    // WHEN a worker process runs the real handler on it and is killed at the 8th transaction
    const crash = await runCrashingConsumer({
      consumer: 'essay-lifecycle',
      crashAt,
      event,
      dir,
      env: {
        [ENV.IDEMPOTENCY_TABLE_NAME]: config.idempotencyTableName,
        ESSAY_TABLE_NAME: config.essayTableName,
      },
    });

    // THEN it died by SIGKILL with exactly the transactions before the crash point committed, and the
    // records it had claimed ahead left `processing`
    expect(crash).toMatchObject({ signal: 'SIGKILL', code: null });
    expect(await readiness(config, batchId)).toEqual({ readyCount: committed, essayItems: committed });
    const afterCrash = await idempotencyRecords(doc, config.idempotencyTableName);
    const contentRecords = afterCrash.filter((r) => r.event_type === EssayEventType.CONTENT_PROVISIONED);
    expect(contentRecords.filter((r) => r.status === RecordStatus.COMPLETED)).toHaveLength(committed);
    const stuck = contentRecords.filter((r) => r.status === RecordStatus.PROCESSING).length;
    expect(stuck).toBeGreaterThan(0);

    // WHEN the event source mapping delivers the batch again, after the 50 ms lease and the skew margin
    const redelivery = parent(clockAhead(5_000));
    const report = await redelivery.handler.process(event);

    // THEN every essay is counted exactly once, the retries are duplicates, and nothing is left processing
    expect(report.counts).toMatchObject({
      processed: ESSAYS - committed,
      duplicate: committed + 3,
      failed: 0,
    });
    // each record the crash left `processing` is taken over once, and no other
    expect(redelivery.metrics.count(MetricName.TAKEOVER)).toBe(stuck);
    expect(await readiness(config, batchId)).toEqual({ readyCount: ESSAYS, essayItems: ESSAYS });
    const final = await idempotencyRecords(doc, config.idempotencyTableName);
    expect(final.filter((r) => r.status !== RecordStatus.COMPLETED)).toEqual([]);
    expect(final).toHaveLength(ESSAYS + 1);
    expect(redelivery.deadLetters.entries).toEqual([]);
  });
});

describe('essay-lifecycle in single-write mode: a worker killed before or after a commit', () => {
  test.each([
    ['right before the 8th TransactWriteItems was sent', 'before:TransactWriteItems:8', 7],
    ['right after the response of the 8th TransactWriteItems arrived', 'after:TransactWriteItems:8', 8],
  ])('killed %s, nothing but the commits is left, and the redelivery (no lease to wait for) counts every essay once', async (_, crashAt, committed) => {
    // GIVEN a registered batch of 20 essays, and a batch of their contents with three producer retries
    const config: EssayLifecycleConfig = {
      ...testConsumerConfig(await freshIdempotencyTable(raw, 'essay-sw-crash-idem')),
      essayTableName: await freshConsumerTable(raw, 'essay-sw-crash'),
    };
    const batchId = `b-${randomUUID()}`;
    const essays = Array.from({ length: ESSAYS }, (_, i) => `essay-${i + 1}`);
    const parent = () => {
      const metrics = new RecordingMetrics();
      const handler = createEssayLifecycle(
        config,
        { client: doc, logger: new RecordingLogger(), metrics, deadLetter: new MemoryDeadLetters() },
        'transactional-single-write',
      );
      return { handler, metrics };
    };
    await parent().handler.process(registration(batchId, essays));
    const event = contents(batchId, essays);

    // WHEN a worker process runs the real handler in single-write mode and is killed at the 8th commit
    const crash = await runCrashingConsumer({
      consumer: 'essay-lifecycle',
      mode: 'transactional-single-write',
      crashAt,
      event,
      dir,
      env: {
        [ENV.IDEMPOTENCY_TABLE_NAME]: config.idempotencyTableName,
        ESSAY_TABLE_NAME: config.essayTableName,
      },
    });

    // THEN exactly the commits before the crash point are there, each record completed with its
    // effect, and no record is left `processing` (none is ever written)
    expect(crash).toMatchObject({ signal: 'SIGKILL', code: null });
    expect(await readiness(config, batchId)).toEqual({ readyCount: committed, essayItems: committed });
    const afterCrash = await idempotencyRecords(doc, config.idempotencyTableName);
    const contentRecords = afterCrash.filter((r) => r.event_type === EssayEventType.CONTENT_PROVISIONED);
    expect(contentRecords).toHaveLength(committed);
    expect(contentRecords.every((r) => r.status === RecordStatus.COMPLETED)).toBe(true);

    // WHEN the batch comes again at once (the same clock: nothing to take over)
    const redelivery = parent();
    const report = await redelivery.handler.process(event);

    // THEN every essay is counted exactly once, without a takeover
    expect(report.counts).toMatchObject({
      processed: ESSAYS - committed,
      duplicate: committed + 3,
      failed: 0,
    });
    expect(redelivery.metrics.count(MetricName.TAKEOVER)).toBe(0);
    expect(await readiness(config, batchId)).toEqual({ readyCount: ESSAYS, essayItems: ESSAYS });
    const final = await idempotencyRecords(doc, config.idempotencyTableName);
    expect(final.filter((r) => r.status !== RecordStatus.COMPLETED)).toEqual([]);
    expect(final).toHaveLength(ESSAYS + 1);
  });
});
