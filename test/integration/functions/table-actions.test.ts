import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { MSKEvent } from 'aws-lambda';
import { MANIFESTS } from '../../../functions/manifests';
import { REPO_ROOT } from '../../../scripts/lib/local';
import {
  type BatchReport,
  type Consumer,
  type ConsumerManifest,
  IDEMPOTENCY_TABLE_ACTIONS,
} from '../../../shared/internal';
import { MemoryDeadLetters, testConsumerConfig, testEnv } from '../../helpers/consumers';
import { clients, freshConsumerTable, freshIdempotencyTable } from '../../helpers/dynamo';
import { recordTableActions, type TableActionRecorder } from '../../helpers/iam-actions';
import { RecordingLogger, RecordingMetrics } from '../../helpers/recorders';

const EVENTS_DIR = join(REPO_ROOT, 'events');

/**
 * How each sample consumer's real handler is built on test tables, and the order its sample events
 * are replayed in (the README's: a late registration after the early content, then the early content
 * again, so every path of the domain runs).
 */
const RUNS: Readonly<Record<string, { readonly events: readonly string[] }>> = {
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
  },
  spellchecker: {
    events: [
      'spellchecker-happy-path.json',
      'spellchecker-duplicate-in-batch.json',
      'spellchecker-multi-partition.json',
      'spellchecker-poison.json',
      'spellchecker-happy-path.json',
    ],
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

/** A consumer's sample events (`events/<service>-*.json`), in the order RUNS gives, else by name. */
function eventsOf(service: string): readonly string[] {
  return (
    RUNS[service]?.events ??
    readdirSync(EVENTS_DIR)
      .filter((f) => f.startsWith(`${service}-`) && f.endsWith('.json'))
      .sort()
  );
}

test('every consumer has sample events, and a run order here covers every one of them', () => {
  for (const manifest of MANIFESTS) {
    const files = readdirSync(EVENTS_DIR).filter(
      (f) => f.startsWith(`${manifest.service}-`) && f.endsWith('.json'),
    );
    expect(files.length).toBeGreaterThan(0);
    expect([...new Set(eventsOf(manifest.service))].sort()).toEqual(files.sort());
  }
  for (const service of Object.keys(RUNS)) expect(MANIFESTS.map((m) => m.service)).toContain(service);
});

describe.each(MANIFESTS.map((m) => [m.service, m] as const))('%s on its sample events', (name, manifest) => {
  const [tableVariable] = Object.keys(manifest.tables);
  let recorder: TableActionRecorder;
  let idempotencyTable: string;
  let ownTable: string;
  const reports: BatchReport[] = [];

  beforeAll(async () => {
    // GIVEN the consumer's real handler on fresh tables, its client recording every request
    idempotencyTable = await freshIdempotencyTable(raw, `${name}-idem`);
    ownTable = await freshConsumerTable(raw, name);
    const own = clients();
    recorder = recordTableActions(own.doc);
    const { consumer } = (await import(join(REPO_ROOT, 'functions', name, 'handler.ts'))) as {
      consumer: Consumer<ConsumerManifest>;
    };
    const handler = consumer.create({
      env: testEnv(testConsumerConfig(idempotencyTable), { [String(tableVariable)]: ownTable }),
      client: own.doc,
      deadLetter: new MemoryDeadLetters(),
      logger: new RecordingLogger(),
      metrics: new RecordingMetrics(),
    });
    // WHEN its sample events are delivered, in order
    for (const file of eventsOf(name)) reports.push(await handler.process(sampleEvent(file)));
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

  test('sends its own table exactly the actions its manifest declares (what its role is granted)', () => {
    expect(recorder.unmapped).toEqual([]);
    expect(recorder.actionsOn(ownTable)).toEqual(
      [...(manifest.tables[String(tableVariable)]?.actions ?? [])].sort(),
    );
  });

  test('sends the idempotency table only actions of IDEMPOTENCY_TABLE_ACTIONS, and touches no other table', () => {
    expect(IDEMPOTENCY_TABLE_ACTIONS).toEqual(expect.arrayContaining(recorder.actionsOn(idempotencyTable)));
    expect(recorder.tables()).toEqual([idempotencyTable, ownTable].sort());
  });
});
