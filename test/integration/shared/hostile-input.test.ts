import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { MSKEvent, MSKRecord } from 'aws-lambda';
import { z } from 'zod';
import { SpellcheckEventType } from '../../../functions/spellchecker/events';
import { envelope, mskEvent, mskRecord, type RecordSpec } from '../../../scripts/lib/msk-events';
import {
  BatchRetryError,
  DEAD_LETTER_MAX_BYTES,
  DeadLetterUnavailableError,
  deadLetterBody,
  decodeEvent,
  Idempotency,
  MetricName,
  parseData,
  RecordStatus,
} from '../../../shared/internal';
import {
  createSpellchecker,
  idempotencyRecords,
  MemoryDeadLetters,
  type SpellcheckerConfig,
  testConsumerConfig,
} from '../../helpers/consumers';
import { clients, freshConsumerTable, freshIdempotencyTable } from '../../helpers/dynamo';
import { ManualClock, mustReadRecord } from '../../helpers/layer';
import { RecordingLogger, RecordingMetrics } from '../../helpers/recorders';

/**
 * Hostile records through the real spellchecker handler on DynamoDB Local: every name of
 * `Object.prototype` as event type, header name and data key; identifiers and headers past their
 * bounds; records that are not records; values that quote secrets into error text. Each record
 * must end processed or dead-lettered on its own, never take another record's code path, never
 * fail its batch.
 */

const TOPIC = 'huleedu.essay.spellcheck.requested.v1';
/** Every own and inherited name a plain object answers to, and `__proto__` itself. */
const PROTOTYPE_NAMES = [...new Set([...Object.getOwnPropertyNames(Object.prototype), '__proto__'])];

let raw: DynamoDBClient;
let doc: DynamoDBDocumentClient;
let config: SpellcheckerConfig;
let idempotencyTable: string;

beforeAll(async () => {
  ({ raw, doc } = clients());
  idempotencyTable = await freshIdempotencyTable(raw, 'hostile-idem');
  config = {
    ...testConsumerConfig(idempotencyTable),
    spellcheckTableName: await freshConsumerTable(raw, 'hostile-spell'),
  };
});

afterAll(() => {
  raw.destroy();
});

function spellchecker() {
  const deadLetters = new MemoryDeadLetters();
  const logger = new RecordingLogger();
  const metrics = new RecordingMetrics();
  const handler = createSpellchecker(config, { client: doc, deadLetter: deadLetters, logger, metrics });
  return { handler, deadLetters, logger, metrics };
}

let essay = 0;
/** A valid spellcheck request, unique per call (the content key differs). */
function request(overrides: Record<string, unknown> = {}, data: Record<string, unknown> = {}) {
  essay += 1;
  return {
    ...envelope({
      event_type: SpellcheckEventType.REQUESTED,
      data: { essay_id: `hostile-${essay}`, text: 'Teh cat sat.', ...data },
    }),
    ...overrides,
  };
}

/** An MSK event whose JSON is written by hand, so that own `__proto__` keys survive as JSON.parse keeps them. */
function eventFromJson(json: string): MSKEvent {
  return JSON.parse(json) as MSKEvent;
}

function valueJson(text: string): string {
  return Buffer.from(text, 'utf8').toString('base64');
}

describe('names of Object.prototype in record content', () => {
  test.each(
    PROTOTYPE_NAMES,
  )('event type %s is an unknown type: dead-lettered, recorded failed', async (name) => {
    // GIVEN a record whose event_type names a member of Object.prototype
    const { handler, deadLetters } = spellchecker();
    const value = request({ event_type: name });
    // WHEN the real handler processes it
    const report = await handler.process(mskEvent([{ topic: TOPIC, partition: 0, offset: 1, value }]));
    // THEN it is a permanent failure of its own: dead-lettered, never run by Object's own method
    expect(report.records.map((r) => r.status)).toEqual(['failed']);
    expect(report.batchItemFailures).toEqual([]);
    expect(deadLetters.entries).toHaveLength(1);
    expect(deadLetters.entries[0]?.error.message).toMatch(/Unknown event type/);
    const record = await mustReadRecord(doc, idempotencyTable, report.records[0]?.idempotencyKey ?? '');
    expect(record.status).toBe(RecordStatus.FAILED);
    expect(typeof record.expiration).toBe('number');
    expect(record.result).toBeUndefined();
  });

  test.each(PROTOTYPE_NAMES)('a header named %s is only a header: the record is processed', async (name) => {
    // GIVEN a valid request with a header of that name, written as JSON so `__proto__` stays a key
    const { handler, deadLetters } = spellchecker();
    const record = mskRecord({ topic: TOPIC, partition: 0, offset: 4, value: request() });
    const json = JSON.stringify({ ...record, headers: [] }).replace(
      '"headers":[]',
      `"headers":[{"trace":[49]},{${JSON.stringify(name)}:[104,105]}]`,
    );
    const event = eventFromJson(`{"eventSource":"aws:kafka","records":{"${TOPIC}-0":[${json}]}}`);
    // WHEN processed; THEN the batch does not throw and the record is processed
    const report = await handler.process(event);
    expect(report.records.map((r) => r.status)).toEqual(['processed']);
    expect(deadLetters.entries).toEqual([]);
  });

  test.each(PROTOTYPE_NAMES)('a data key %s is only data: the record is processed', async (name) => {
    // GIVEN a valid request whose data carries an extra key of that name (JSON text keeps `__proto__`)
    const { handler, deadLetters } = spellchecker();
    const base = request();
    const text = JSON.stringify(base).replace('"data":{', `"data":{${JSON.stringify(name)}:{"admin":true},`);
    const event = eventFromJson(
      `{"eventSource":"aws:kafka","records":{"${TOPIC}-0":[${JSON.stringify({
        ...mskRecord({ topic: TOPIC, partition: 0, offset: 2, value: {} }),
        value: valueJson(text),
      })}]}}`,
    );
    // WHEN processed; THEN it is processed, not poison
    const report = await handler.process(event);
    expect(report.records.map((r) => [r.status, r.error])).toEqual([['processed', undefined]]);
    expect(deadLetters.entries).toEqual([]);
  });

  test('a "__proto__" key in data is part of the content key, and pollutes nothing', () => {
    const base = request();
    const withProto = JSON.stringify(base).replace('"data":{', '"data":{"__proto__":{"admin":true},');
    const a = decodeEvent(Buffer.from(withProto));
    const b = decodeEvent(Buffer.from(JSON.stringify(base)));
    if (!a.ok || !b.ok) throw new Error('both must decode');
    const idem = new Idempotency({ service: 'svc', tableName: 't' });
    expect(idem.keyFor(a).id).not.toBe(idem.keyFor(b).id);
    expect((a.envelope.data as { admin?: unknown }).admin).toBeUndefined();
    expect(Object.getPrototypeOf(a.envelope.data)).toBe(Object.prototype);
  });

  test('a top-level "__proto__" key cannot lend the envelope fields it lacks', () => {
    // GIVEN an envelope without correlation_id whose "__proto__" key carries one
    const base = request();
    delete (base as { correlation_id?: string }).correlation_id;
    const text = JSON.stringify(base).replace('{', '{"__proto__":{"correlation_id":"injected"},');
    const decoded = decodeEvent(Buffer.from(text));
    if (!decoded.ok) throw decoded.error;
    expect(decoded.envelope.correlation_id).toBeUndefined();
  });

  test.each(PROTOTYPE_NAMES)('TTL lookup for event type %s uses the default TTL', async (name) => {
    // GIVEN a layer with a per-type TTL for another type and a default of 600 s
    const clock = new ManualClock();
    const idem = new Idempotency({
      service: 'ttl',
      tableName: idempotencyTable,
      client: doc,
      clock,
      defaultTtlSeconds: 600,
      eventTypeTtlSeconds: { 'other.type.v1': 60 },
      logger: new RecordingLogger(),
      metrics: new RecordingMetrics(),
    });
    expect(idem.ttlFor(name)).toBe(600);
    // WHEN an event of that type is processed; THEN its record expires after the default TTL
    const decoded = decodeEvent(Buffer.from(JSON.stringify(request({ event_type: name }))));
    const outcome = await idem.run(decoded, async () => ({ ok: true }));
    expect(outcome.status).toBe('processed');
    const record = await mustReadRecord(doc, idempotencyTable, outcome.key.id);
    expect(record.expiration).toBe(Math.floor(clock.now() / 1000) + 600);
  });
});

describe('bounds on what a record controls', () => {
  const cases: [string, RecordSpec | (() => MSKRecord), RegExp][] = [
    ['an event_id of 500 KB', spec(request({ event_id: 'e'.repeat(500_000) })), /event_id/],
    ['a correlation_id of 500 KB', spec(request({ correlation_id: 'c'.repeat(500_000) })), /correlation_id/],
    ['an event type of 300 characters', spec(request({ event_type: `t${'.x'.repeat(150)}` })), /event_type/],
    ['an event type with a colon', spec(request({ event_type: 'a:b' })), /event_type/],
    ['an event type with a newline', spec(request({ event_type: 'a\nb' })), /event_type/],
    ['an event_id with a control character', spec(request({ event_id: 'id\u0000x' })), /event_id/],
    [
      '1,000 headers',
      spec(request(), Object.fromEntries(Array.from({ length: 1000 }, (_, i) => [`h${i}`, 'v']))),
      /headers/,
    ],
    ['a header of 100 KB', spec(request(), { big: 'x'.repeat(100_000) }), /headers/],
    ['a key of 100 KB', { ...spec(request()), key: 'k'.repeat(100_000) }, /key/],
  ];

  function spec(value: unknown, headers?: Record<string, string>): RecordSpec {
    return { topic: TOPIC, partition: 0, offset: 3, value, ...(headers ? { headers } : {}) };
  }

  test.each(cases)('%s makes the record poison, naming the field', async (_label, input, why) => {
    // GIVEN the hostile record between two valid ones
    const { handler, deadLetters } = spellchecker();
    const hostile = typeof input === 'function' ? input() : mskRecord(input);
    const event = mskEvent([
      { topic: TOPIC, partition: 0, offset: 2, value: request() },
      { topic: TOPIC, partition: 0, offset: 4, value: request() },
    ]);
    event.records[`${TOPIC}-0`]?.splice(1, 0, hostile);
    // WHEN processed
    const report = await handler.process(event);
    // THEN it alone is dead-lettered, with a reason that names the field, and the partition moves on
    expect(report.records.map((r) => r.status)).toEqual(['processed', 'failed', 'processed']);
    expect(report.batchItemFailures).toEqual([]);
    expect(deadLetters.entries).toHaveLength(1);
    const reason = deadLetters.entries[0]?.error.message ?? '';
    expect(reason).toMatch(why);
    expect(reason.length).toBeLessThan(1000);
    expect(reason).not.toMatch(/eeeeeeeeee|cccccccccc|kkkkkkkkkk|xxxxxxxxxx/);
  });

  test('a claim DynamoDB rejects for its size is permanent, in fail-open mode too: dead-lettered, handler not run', async () => {
    // GIVEN a decoded event built by hand past the decoder's bounds (an item over 400 KB)
    const deadLetters: string[] = [];
    for (const failureMode of ['fail-closed', 'fail-open'] as const) {
      const idem = new Idempotency({
        service: 'oversize',
        tableName: idempotencyTable,
        client: doc,
        failureMode,
        logger: new RecordingLogger(),
        metrics: new RecordingMetrics(),
      });
      const valid = decodeEvent(Buffer.from(JSON.stringify(request())));
      if (!valid.ok) throw valid.error;
      const huge = { ...valid, envelope: { ...valid.envelope, event_id: 'e'.repeat(450_000) } };
      let ran = 0;
      // WHEN run
      const outcome = await idem.run(
        huge,
        async () => {
          ran += 1;
          return 'ran';
        },
        {
          deadLetter: async (failure) => {
            deadLetters.push(String(failure.error));
          },
        },
      );
      // THEN the outcome is failed (not retry), the handler never ran
      expect([failureMode, outcome.status, ran]).toEqual([failureMode, 'failed', 0]);
    }
    expect(deadLetters).toHaveLength(2);
    expect(deadLetters[0]).toMatch(/rejected/);
  });
});

describe('records that are not records', () => {
  const where = `#0 of ${TOPIC.replace(/\./g, '\\.')}-0`;
  const at = `${TOPIC.replace(/\./g, '\\.')}-0@5`;
  test.each([
    [
      'no offset',
      (r: MSKRecord) => ({ ...r, offset: undefined }),
      `not an MSK record.*${where}|${where}.*not an MSK record`,
    ],
    [
      'a string offset',
      (r: MSKRecord) => ({ ...r, offset: '7' }),
      `${where} is not an MSK record \\(offset: `,
    ],
    [
      'headers that are not a list',
      (r: MSKRecord) => ({ ...r, headers: { a: [1] } }),
      `headers at ${at} are not a list`,
    ],
    [
      'a header byte of 300',
      (r: MSKRecord) => ({ ...r, headers: [{ a: [300] }] }),
      `headers at ${at} #0 is not a list of bytes`,
    ],
    [
      'a header that is a string',
      (r: MSKRecord) => ({ ...r, headers: ['x'] }),
      `headers at ${at} #0 is not a`,
    ],
    ['null', () => null, `${where} is not an MSK record`],
    ['a number', () => 42, `${where} is not an MSK record`],
  ])('a record with %s is dead-lettered alone; the batch does not throw', async (_label, mutate, why) => {
    // GIVEN a broken record beside a valid one in the same partition
    const { handler, deadLetters } = spellchecker();
    const broken = mutate(mskRecord({ topic: TOPIC, partition: 0, offset: 5, value: request() }));
    const event = mskEvent([{ topic: TOPIC, partition: 0, offset: 6, value: request() }]);
    (event.records[`${TOPIC}-0`] as unknown[]).unshift(broken);
    // WHEN processed
    const report = await handler.process(event);
    // THEN the valid record is processed, the broken one dead-lettered with its position
    const statuses = report.records.map((r) => r.status).sort();
    expect(statuses).toEqual(['failed', 'processed']);
    expect(deadLetters.entries).toHaveLength(1);
    expect(deadLetters.entries[0]?.error.message).toMatch(new RegExp(why));
  });

  test('an event that is not a Kafka event at all still fails as a whole, saying what it expected', async () => {
    const { handler } = spellchecker();
    await expect(handler.process({ Records: [] } as unknown as MSKEvent)).rejects.toThrow(/not an MSK event/);
  });
});

describe('no record content in error text', () => {
  test('a value that is not JSON is named by position, never quoted', async () => {
    // GIVEN a value that begins with a secret
    const { handler, deadLetters, logger } = spellchecker();
    const report = await handler.process(
      mskEvent([{ topic: TOPIC, partition: 0, offset: 9, value: 'password=hunter2 and more' }]),
    );
    // THEN the dead letter, the record's error and the logs say "not JSON" without the value
    expect(report.records[0]?.status).toBe('failed');
    const message = deadLetters.entries[0]?.error.message ?? '';
    expect(message).toMatch(/not JSON/);
    const record = await mustReadRecord(doc, idempotencyTable, report.records[0]?.idempotencyKey ?? '');
    const everything = JSON.stringify([message, record.error, report, logger.entries]);
    expect(everything).not.toContain('hunter2');
    expect(everything).not.toContain('password');
  });
});

describe('dead letters that cannot be sent', () => {
  test('a sink that keeps failing fails the batch loudly, once; the record is released, not lost', async () => {
    // GIVEN a dead-letter sink that is down, and a poison record between valid ones
    const logger = new RecordingLogger();
    const metrics = new RecordingMetrics();
    let sends = 0;
    const handler = createSpellchecker(config, {
      client: doc,
      logger,
      metrics,
      deadLetter: {
        send: async () => {
          sends += 1;
          throw new Error('SQS unavailable');
        },
      },
    });
    const event = mskEvent([
      { topic: TOPIC, partition: 0, offset: 1, value: request() },
      { topic: TOPIC, partition: 0, offset: 2, value: 'not json' },
      { topic: TOPIC, partition: 0, offset: 3, value: request() },
      { topic: TOPIC, partition: 1, offset: 1, value: request() },
    ]);
    // WHEN the Lambda entry point runs (partial batch responses on)
    const error = await handler(event).then(
      () => undefined,
      (e: unknown) => e,
    );
    // THEN it throws (the whole batch is retried by the event source mapping, within its retry
    // policy), caused by the dead-letter failure, after the other partition and the records before it
    expect(error).toBeInstanceOf(BatchRetryError);
    expect((error as BatchRetryError).cause).toBeInstanceOf(DeadLetterUnavailableError);
    expect((error as BatchRetryError).message).toMatch(/could not be dead-lettered/);
    expect((error as BatchRetryError).report.records.map((r) => r.status)).toEqual([
      'processed',
      'retry',
      'skipped',
      'processed',
    ]);
    expect(sends).toBe(1);
    expect(metrics.count(MetricName.DEAD_LETTER_FAILED)).toBe(1);
    expect(
      logger.entries.filter((e) => e.level === 'error' && e.fields.action === 'dead-letter-failed'),
    ).toHaveLength(1);
    // and the poison record holds nothing: its next delivery dead-letters it
    const records = await idempotencyRecords(doc, idempotencyTable);
    expect(records.filter((r) => r.status === RecordStatus.PROCESSING && r.id.includes(':invalid:'))).toEqual(
      [],
    );
  });
});

describe('what the review found', () => {
  test('a table with another key schema is a misconfiguration: retried, never dead-lettered', async () => {
    // GIVEN the idempotency table name pointing at a consumer table (keys pk/sk, not id)
    const wrong = await freshConsumerTable(raw, 'not-idempotency');
    const deadLetters = new MemoryDeadLetters();
    const handler = createSpellchecker(
      { ...config, idempotencyTableName: wrong },
      { client: doc, deadLetter: deadLetters },
    );
    // WHEN a valid record is processed; THEN it is left to retry, and nothing is dead-lettered
    const report = await handler.process(
      mskEvent([{ topic: TOPIC, partition: 0, offset: 1, value: request() }]),
    );
    expect(report.records.map((r) => r.status)).toEqual(['retry']);
    expect(deadLetters.entries).toEqual([]);
  });

  test('unknown keys a strict data schema refuses are counted, never listed', () => {
    const strict = z.strictObject({ id: z.string() });
    const value = request({}, {});
    const decoded = decodeEvent(
      Buffer.from(JSON.stringify({ ...value, data: { id: 'a', sk_live_SECRET: 1 } })),
    );
    if (!decoded.ok) throw decoded.error;
    expect(() => parseData(strict, decoded.envelope)).toThrow(/1 unrecognized key/);
    expect(() => parseData(strict, decoded.envelope)).not.toThrow(/sk_live_SECRET/);
  });

  test('a partition key of 1 MB and an entry nested 200,000 deep fail only themselves, and their dead letters fit', async () => {
    const { handler, deadLetters } = spellchecker();
    let deep: unknown = 0;
    for (let i = 0; i < 200_000; i += 1) deep = [deep];
    const event = mskEvent([{ topic: TOPIC, partition: 0, offset: 1, value: request() }]);
    (event.records as Record<string, unknown[]>)[`${'k'.repeat(1_000_000)}-0`] = [
      { not: 'a record', at: Date.now() },
    ];
    (event.records as Record<string, unknown[]>)[`${TOPIC}-3`] = [deep];
    const report = await handler.process(event);
    expect(report.records.map((r) => r.status).sort()).toEqual(['failed', 'failed', 'processed']);
    for (const entry of deadLetters.entries) {
      expect(Buffer.byteLength(deadLetterBody(entry))).toBeLessThanOrEqual(DEAD_LETTER_MAX_BYTES);
      expect(entry.error.message.length).toBeLessThan(1000);
    }
  });
});
