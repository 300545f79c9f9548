import { randomUUID } from 'node:crypto';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import fc from 'fast-check';
import { batchKey } from '../../../../functions/essay-lifecycle/domain';
import { EssayEventType } from '../../../../functions/essay-lifecycle/events';
import { envelope, mskEvent, type RecordSpec } from '../../../../scripts/lib/msk-events';
import { type KafkaHandler, RecordStatus } from '../../../../shared/internal';
import {
  createEssayLifecycle,
  type EssayLifecycleConfig,
  idempotencyRecords,
  MemoryDeadLetters,
  testConsumerConfig,
} from '../../../helpers/consumers';
import { clients, freshConsumerTable, freshIdempotencyTable } from '../../../helpers/dynamo';
import { RecordingLogger, RecordingMetrics } from '../../../helpers/recorders';

const REGISTRATIONS = 'huleedu.essay.batch.registered.v1';
const CONTENTS = 'huleedu.essay.content.provisioned.v1';
const CONTENT_PARTITIONS = 3;
const MAX_ROUNDS = 100;

let raw: DynamoDBClient;
let doc: DynamoDBDocumentClient;
let workerClients: DynamoDBDocumentClient[];
let config: EssayLifecycleConfig;

beforeAll(async () => {
  ({ raw, doc } = clients());
  workerClients = [clients().doc, clients().doc];
  config = {
    ...testConsumerConfig(await freshIdempotencyTable(raw, 'essay-prop-idem')),
    essayTableName: await freshConsumerTable(raw, 'essay-prop'),
  };
});

afterAll(() => {
  raw.destroy();
});

/** A small deterministic PRNG (mulberry32), so that a failing schedule replays from its seed. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Scenario {
  /** Essays in the batch. */
  readonly essays: number;
  /** Essays whose content a producer sends again with a new event_id. */
  readonly retries: readonly number[];
  /** Essays for which another event provisions other content (a conflict: exactly one may count). */
  readonly conflicts: readonly number[];
  /** Copies of the registration (the producer retried it). */
  readonly registrations: number;
  /** Partition of each content event, and a sort key for its place in the partition. */
  readonly placement: readonly (readonly [number, number])[];
  /** Seed of the delivery schedule. */
  readonly seed: number;
}

const scenarios: fc.Arbitrary<Scenario> = fc
  .record({
    essays: fc.integer({ min: 2, max: 6 }),
    retries: fc.array(fc.nat(5), { maxLength: 3 }),
    conflicts: fc.uniqueArray(fc.nat(5), { maxLength: 2 }),
    registrations: fc.integer({ min: 1, max: 2 }),
    placement: fc.array(fc.tuple(fc.nat(CONTENT_PARTITIONS - 1), fc.nat(1000)), {
      minLength: 11,
      maxLength: 11,
    }),
    seed: fc.integer(),
  })
  .map((s) => ({
    ...s,
    retries: s.retries.map((i) => i % s.essays),
    conflicts: [...new Set(s.conflicts.map((i) => i % s.essays))],
  }));

/** The records of each partition, in offset order, as the producers wrote them. */
function partitionsOf(scenario: Scenario, batchId: string): RecordSpec[][] {
  const ids = Array.from({ length: scenario.essays }, (_, i) => `e${i}`);
  const registration = () =>
    envelope({ event_type: EssayEventType.BATCH_REGISTERED, data: { batch_id: batchId, essay_ids: ids } });
  const content = (i: number, storage: string) =>
    envelope({
      event_type: EssayEventType.CONTENT_PROVISIONED,
      data: { batch_id: batchId, essay_id: `e${i}`, text_storage_id: storage },
    });
  const contents = [
    ...ids.map((_, i) => content(i, `store-${i}`)),
    ...scenario.retries.map((i) => content(i, `store-${i}`)),
    ...scenario.conflicts.map((i) => content(i, `other-${i}`)),
  ];
  const buckets: { sortKey: number; value: Record<string, unknown> }[][] = Array.from(
    { length: CONTENT_PARTITIONS },
    () => [],
  );
  contents.forEach((value, i) => {
    const [partition, sortKey] = scenario.placement[i] ?? [0, i];
    buckets[partition]?.push({ sortKey, value });
  });
  const contentPartitions = buckets.map((bucket, partition) =>
    bucket
      .sort((a, b) => a.sortKey - b.sortKey)
      .map((entry, offset) => ({ topic: CONTENTS, partition, offset, value: entry.value })),
  );
  const registrations = Array.from({ length: scenario.registrations }, (_, offset) => ({
    topic: REGISTRATIONS,
    partition: 0,
    offset,
    value: registration(),
  }));
  return [registrations, ...contentPartitions].filter((p) => p.length > 0);
}

/**
 * Delivers every partition until its committed offset reaches its end, as the event source mapping
 * would under stress: random partitions per round, random batch sizes, two workers invoked
 * concurrently, commits lost (the same records delivered again), rewinds to older offsets, and each
 * partition resumed from the first failed offset that the partial batch response reported.
 */
async function drain(
  partitions: RecordSpec[][],
  workers: readonly KafkaHandler[],
  seed: number,
): Promise<number> {
  const rand = random(seed);
  const committed = partitions.map(() => 0);
  let rounds = 0;
  while (committed.some((offset, i) => offset < (partitions[i]?.length ?? 0))) {
    rounds += 1;
    if (rounds > MAX_ROUNDS)
      throw new Error(`not drained after ${MAX_ROUNDS} rounds: ${committed.join(',')}`);
    const pending = partitions
      .map((_, i) => i)
      .filter((i) => (committed[i] ?? 0) < (partitions[i]?.length ?? 0));
    const chosen = pending.filter(() => rand() < 0.6);
    if (chosen.length === 0) chosen.push(pending[Math.floor(rand() * pending.length)] ?? 0);
    const invocations: { partitions: number[]; records: RecordSpec[] }[] = [
      { partitions: [], records: [] },
      { partitions: [], records: [] },
    ];
    for (const p of chosen) {
      const records = partitions[p] ?? [];
      const start =
        rand() < 0.2 ? Math.max(0, (committed[p] ?? 0) - 1 - Math.floor(rand() * 3)) : (committed[p] ?? 0);
      const end = Math.min(records.length, start + 1 + Math.floor(rand() * (records.length - start)));
      const invocation = invocations[rand() < 0.5 ? 0 : 1];
      invocation?.partitions.push(p);
      invocation?.records.push(...records.slice(start, end));
    }
    const runs = invocations.map(async (invocation, w) => {
      if (invocation.records.length === 0) return;
      const worker = workers[w] ?? workers[0];
      const response = await worker?.(mskEvent(invocation.records));
      for (const p of invocation.partitions) {
        const records = partitions[p] ?? [];
        const first = records[0];
        const key = `${first?.topic}-${first?.partition}`;
        const failure = response?.batchItemFailures.find((f) => f.itemIdentifier.partition === key);
        const delivered = invocation.records.filter((r) => `${r.topic}-${r.partition}` === key);
        const last = delivered[delivered.length - 1]?.offset ?? -1;
        if (failure) committed[p] = failure.itemIdentifier.offset;
        else if (rand() >= 0.15) committed[p] = Math.max(committed[p] ?? 0, last + 1);
      }
    });
    await Promise.all(runs);
  }
  return rounds;
}

async function readiness(batchId: string) {
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
  return {
    readyCount: batch.Item?.ready_count,
    storage: (essays.Items ?? []).map((item) => ({
      essay: String(item.essay_id),
      store: String(item.text_storage_id),
    })),
  };
}

describe('essay-lifecycle: ready_count under arbitrary redelivery', () => {
  test('is exact for any schedule of redeliveries, producer retries with new event_ids, conflicts and concurrent workers', async () => {
    await fc.assert(
      fc.asyncProperty(scenarios, async (scenario) => {
        // GIVEN a batch, its registration(s) and contents spread over partitions, and two workers
        const batchId = `b-${randomUUID()}`;
        const deadLetters = new MemoryDeadLetters();
        const workers = workerClients.map((client) =>
          createEssayLifecycle(config, {
            client,
            deadLetter: deadLetters,
            logger: new RecordingLogger(),
            metrics: new RecordingMetrics(),
          }),
        );

        // WHEN every partition is delivered until drained, under a random schedule
        await drain(partitionsOf(scenario, batchId), workers, scenario.seed);

        // THEN every essay counts exactly once, with the content of the event that won
        const { readyCount, storage } = await readiness(batchId);
        expect(readyCount).toBe(scenario.essays);
        expect(storage).toHaveLength(scenario.essays);
        for (const { essay, store } of storage) {
          const i = Number(essay.slice(1));
          const allowed = scenario.conflicts.includes(i) ? [`store-${i}`, `other-${i}`] : [`store-${i}`];
          expect(allowed).toContain(store);
        }
        // AND each conflict dead-lettered exactly one event (the loser), nothing else was
        expect(deadLetters.entries).toHaveLength(scenario.conflicts.length);
        // AND nothing is left processing
        const stuck = (await idempotencyRecords(doc, config.idempotencyTableName)).filter(
          (r) => r.status === RecordStatus.PROCESSING,
        );
        expect(stuck).toEqual([]);
      }),
      { numRuns: 10 },
    );
  });
});
