import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { SpellcheckEventType } from '../../../../functions/spellchecker/events';
import { envelope, mskEvent, type RecordSpec } from '../../../../scripts/lib/msk-events';
import { ENV, MetricName, RecordStatus } from '../../../../shared/internal';
import {
  clockAhead,
  countEffects,
  createSpellchecker,
  idempotencyRecords,
  MemoryDeadLetters,
  type SpellcheckerConfig,
  scanAll,
  stringAttribute,
  testConsumerConfig,
} from '../../../helpers/consumers';
import { runCrashingConsumer } from '../../../helpers/crash';
import { clients, freshConsumerTable, freshIdempotencyTable } from '../../../helpers/dynamo';
import { RecordingLogger, RecordingMetrics } from '../../../helpers/recorders';

const TOPIC = 'huleedu.essay.spellcheck.requested.v1';
const REQUESTS = 20;
const CRASH_AT = 8;

let raw: DynamoDBClient;
let doc: DynamoDBDocumentClient;
let dir: string;

beforeAll(async () => {
  ({ raw, doc } = clients());
  dir = await mkdtemp(join(tmpdir(), 'spellcheck-crash-'));
});

afterAll(async () => {
  raw.destroy();
  await rm(dir, { recursive: true, force: true });
});

describe('spellchecker: a worker killed between its effect and its completion (two-phase)', () => {
  test('the redelivery after the lease runs the effect of the unfinished records again; the idempotent PutItem leaves the stored results right', async () => {
    // GIVEN a batch of 20 requests
    const config: SpellcheckerConfig = {
      ...testConsumerConfig(await freshIdempotencyTable(raw, 'spell-crash-idem')),
      spellcheckTableName: await freshConsumerTable(raw, 'spell-crash'),
    };
    const specs: RecordSpec[] = Array.from({ length: REQUESTS }, (_, i) => ({
      topic: TOPIC,
      partition: 0,
      offset: i,
      value: envelope({
        event_type: SpellcheckEventType.REQUESTED,
        data: { essay_id: `essay-${i + 1}`, text: `Essay ${i + 1}: teh goverment decided to recieve it.` },
      }),
    }));
    const event = mskEvent(specs);

    // WHEN a worker process runs the real handler and is killed right after the 8th PutItem returned
    const crash = await runCrashingConsumer({
      consumer: 'spellchecker',
      crashAt: `after:PutItem:${CRASH_AT}`,
      event,
      dir,
      env: {
        [ENV.IDEMPOTENCY_TABLE_NAME]: config.idempotencyTableName,
        SPELLCHECK_TABLE_NAME: config.spellcheckTableName,
      },
    });
    expect(crash).toMatchObject({ signal: 'SIGKILL', code: null });

    // THEN 8 results are stored, but essay 8's record (and perhaps essay 7's, whose completion was in
    // flight) is still `processing`: the effect is done, the completion is not
    const storedBefore = new Map(
      (await scanAll(doc, config.spellcheckTableName)).map((item) => [String(item.essay_id), item]),
    );
    expect([...storedBefore.keys()].sort()).toEqual(
      Array.from({ length: CRASH_AT }, (_, i) => `essay-${i + 1}`).sort(),
    );
    const records = await idempotencyRecords(doc, config.idempotencyTableName);
    const completedEvents = new Set(
      records.filter((r) => r.status === RecordStatus.COMPLETED).map((r) => r.event_id),
    );
    const eventIdOf = (i: number) => String((specs[i]?.value as { event_id: string }).event_id);
    const completed = specs.map((_, i) => completedEvents.has(eventIdOf(i)));
    expect(completed[CRASH_AT - 1]).toBe(false);
    expect(completed.slice(CRASH_AT).some(Boolean)).toBe(false);
    const completedCount = completed.filter(Boolean).length;

    // WHEN the batch is delivered again after the 50 ms lease (a clock past lease and skew)
    const metrics = new RecordingMetrics();
    const redeliveryClient = clients().doc;
    const effects = countEffects(redeliveryClient, 'PutItem', (input) =>
      stringAttribute(input, 'Item', 'essay_id'),
    );
    const handler = createSpellchecker(config, {
      client: redeliveryClient,
      clock: clockAhead(5_000),
      logger: new RecordingLogger(),
      metrics,
      deadLetter: new MemoryDeadLetters(),
    });
    const report = await handler.process(event);

    // THEN the completed records are skipped; every other record runs its effect once more, so essay 8
    // was checked and written twice in all (the documented two-phase window, bounded by the lease)
    expect(report.counts).toMatchObject({ duplicate: completedCount, processed: REQUESTS - completedCount });
    expect(metrics.count(MetricName.TAKEOVER)).toBeGreaterThan(0);
    expect(effects.get(`essay-${CRASH_AT}`)).toBe(1);
    for (let i = 0; i < REQUESTS; i++) {
      expect(effects.get(`essay-${i + 1}`)).toBe(completed[i] ? undefined : 1);
    }
    // AND the second write stored the same result: only when it was checked moved
    const after = new Map(
      (await scanAll(doc, config.spellcheckTableName)).map((item) => [String(item.essay_id), item]),
    );
    expect(after.size).toBe(REQUESTS);
    const before8 = storedBefore.get(`essay-${CRASH_AT}`);
    const after8 = after.get(`essay-${CRASH_AT}`);
    expect(after8?.corrections).toEqual(before8?.corrections);
    expect(after8?.error_count).toBe(3);
    expect(String(after8?.checked_at) > String(before8?.checked_at)).toBe(true);
    const final = await idempotencyRecords(doc, config.idempotencyTableName);
    expect(final.filter((r) => r.status !== RecordStatus.COMPLETED)).toEqual([]);
  });
});
