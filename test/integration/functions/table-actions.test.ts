import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { MSKEvent } from 'aws-lambda';
import type { ConsumerDeps } from '../../../functions/common/runtime';
import { createHandler as createEssayLifecycleHandler } from '../../../functions/essay-lifecycle/consumer';
import { createHandler as createSpellcheckerHandler } from '../../../functions/spellchecker/consumer';
import { SAMPLE_CONSUMERS } from '../../../infra/sample-consumers';
import { REPO_ROOT } from '../../../scripts/lib/local';
import { type BatchReport, IDEMPOTENCY_TABLE_ACTIONS, type KafkaHandler } from '../../../shared';
import { MemoryDeadLetters, testConsumerConfig } from '../../helpers/consumers';
import { clients, freshConsumerTable, freshIdempotencyTable } from '../../helpers/dynamo';
import { recordTableActions, type TableActionRecorder } from '../../helpers/iam-actions';
import { RecordingLogger, RecordingMetrics } from '../../helpers/recorders';

const EVENTS_DIR = join(REPO_ROOT, 'events');

/**
 * How each sample consumer's real handler is built on test tables, and the order its sample events
 * are replayed in (the README's: a late registration after the early content, then the early content
 * again, so every path of the domain runs).
 */
const RUNS: Readonly<
  Record<
    string,
    {
      readonly events: readonly string[];
      readonly handler: (idempotencyTable: string, ownTable: string, deps: ConsumerDeps) => KafkaHandler;
    }
  >
> = {
  'essay-lifecycle': {
    events: [
      'essay-lifecycle-batch-registered.json',
      'essay-lifecycle-content-provisioned.json',
      'essay-lifecycle-content-early.json',
      'essay-lifecycle-batch-registered-late.json',
      'essay-lifecycle-content-early.json',
      'essay-lifecycle-invalid-data.json',
      'essay-lifecycle-poison.json',
      'essay-lifecycle-content-provisioned.json',
    ],
    handler: (idempotencyTable, essayTableName, deps) =>
      createEssayLifecycleHandler({ ...testConsumerConfig(idempotencyTable), essayTableName }, deps),
  },
  spellchecker: {
    events: [
      'spellchecker-happy-path.json',
      'spellchecker-duplicate-in-batch.json',
      'spellchecker-multi-partition.json',
      'spellchecker-poison.json',
      'spellchecker-happy-path.json',
    ],
    handler: (idempotencyTable, spellcheckTableName, deps) =>
      createSpellcheckerHandler({ ...testConsumerConfig(idempotencyTable), spellcheckTableName }, deps),
  },
};

function sampleEvent(file: string): MSKEvent {
  return JSON.parse(readFileSync(join(EVENTS_DIR, file), 'utf8')) as MSKEvent;
}

let raw: DynamoDBClient;

beforeAll(() => {
  ({ raw } = clients());
});

afterAll(() => {
  raw.destroy();
});

test('every sample consumer has a run here, and every one of its sample events is in it', () => {
  expect(Object.keys(RUNS).sort()).toEqual(SAMPLE_CONSUMERS.map((c) => c.name).sort());
  for (const consumer of SAMPLE_CONSUMERS) {
    const files = readdirSync(EVENTS_DIR).filter(
      (f) => f.startsWith(`${consumer.name}-`) && f.endsWith('.json'),
    );
    expect([...new Set(RUNS[consumer.name]?.events)].sort()).toEqual(files.sort());
  }
});

describe.each(
  SAMPLE_CONSUMERS.map((c) => [c.name, c] as const),
)('%s on its sample events', (name, consumer) => {
  let recorder: TableActionRecorder;
  let idempotencyTable: string;
  let ownTable: string;
  const reports: BatchReport[] = [];

  beforeAll(async () => {
    // GIVEN the consumer's real handler on fresh tables, its client recording every request
    const run = RUNS[name];
    if (run === undefined) throw new Error(`no run for consumer ${name}`);
    idempotencyTable = await freshIdempotencyTable(raw, `${name}-idem`);
    ownTable = await freshConsumerTable(raw, name);
    const own = clients();
    recorder = recordTableActions(own.doc);
    const handler = run.handler(idempotencyTable, ownTable, {
      client: own.doc,
      deadLetter: new MemoryDeadLetters(),
      logger: new RecordingLogger(),
      metrics: new RecordingMetrics(),
    });
    // WHEN its sample events are delivered, in order
    for (const file of run.events) reports.push(await handler.process(sampleEvent(file)));
  });

  afterAll(() => {
    recorder.remove();
  });

  test('the handler really ran: records were processed, duplicates skipped, poison failed', () => {
    const total = (status: string) => reports.reduce((n, r) => n + (r.counts[status as never] ?? 0), 0);
    expect(total('processed')).toBeGreaterThan(0);
    expect(total('duplicate')).toBeGreaterThan(0);
    expect(total('failed')).toBeGreaterThan(0);
  });

  test('sends its own table exactly the actions its definition declares (what its role is granted)', () => {
    expect(recorder.unmapped).toEqual([]);
    expect(recorder.actionsOn(ownTable)).toEqual([...consumer.tableActions].sort());
  });

  test('sends the idempotency table only actions of IDEMPOTENCY_TABLE_ACTIONS, and touches no other table', () => {
    expect(IDEMPOTENCY_TABLE_ACTIONS).toEqual(expect.arrayContaining(recorder.actionsOn(idempotencyTable)));
    expect(recorder.tables()).toEqual([idempotencyTable, ownTable].sort());
  });
});
