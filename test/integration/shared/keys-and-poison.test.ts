import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import {
  type CustomKeyFunction,
  decodeEvent,
  type EventEnvelope,
  InvalidRecordError,
  type KeyStrategy,
  MetricName,
  PayloadMismatchError,
  type PermanentFailure,
  RecordStatus,
  sha256Hex,
} from '../../../shared/internal';
import { clients, freshIdempotencyTable } from '../../helpers/dynamo';
import {
  bytesOf,
  decoded,
  envelope,
  expectOutcome,
  ManualClock,
  must,
  mustReadRecord,
  readRecord,
  testLayer,
} from '../../helpers/layer';

let raw: DynamoDBClient;
let doc: DynamoDBDocumentClient;
let tableName: string;

beforeAll(async () => {
  ({ raw, doc } = clients());
  tableName = await freshIdempotencyTable(raw, 'keys');
});

afterAll(() => {
  raw.destroy();
});

function layer(keyStrategy?: KeyStrategy, keyPrefix?: string) {
  return testLayer({
    tableName,
    client: doc,
    clock: new ManualClock(),
    ...(keyStrategy ? { keyStrategy } : {}),
    ...(keyPrefix ? { keyPrefix } : {}),
  });
}

/** Runs an event and returns the outcome and how many times the handler ran. */
function counting() {
  let calls = 0;
  const handler = async (e: EventEnvelope) => {
    calls += 1;
    return { seen: e.event_id };
  };
  return { handler, calls: () => calls };
}

describe('key strategies', () => {
  test('content (default): a producer retry with a new event_id is the same event', async () => {
    const { idem } = layer();
    const original = envelope({ event_id: 'evt-content-1', data: { order: 'content-1', total: 3 } });
    const retried = envelope({ event_id: 'evt-content-2', data: { total: 3, order: 'content-1' } });
    const otherType = envelope({
      event_id: 'evt-content-3',
      event_type: 'test.other.v1',
      data: { order: 'content-1', total: 3 },
    });
    const keyA = idem.keyFor(decoded(original));
    expect(keyA.id).toMatch(/^idem:v1:svc:test\.thing\.happened\.v1:[0-9a-f]{64}$/);
    expect(idem.keyFor(decoded(retried)).id).toBe(keyA.id);
    expect(idem.keyFor(decoded(otherType)).id).not.toBe(keyA.id);

    const { handler, calls } = counting();
    expectOutcome(await idem.run(decoded(original), handler), 'processed');
    const dup = expectOutcome(await idem.run(decoded(retried), handler), 'duplicate');
    expect(dup.result).toEqual({ seen: 'evt-content-1' });
    expectOutcome(await idem.run(decoded(otherType), handler), 'processed');
    expect(calls()).toBe(2);
  });

  test("envelope: the envelope's idempotency_key, else its event_id", async () => {
    const { idem } = layer('envelope');
    const keyed = envelope({ event_id: 'evt-env-1', idempotency_key: 'order-env-1', data: { n: 1 } });
    const keyedRetry = envelope({ event_id: 'evt-env-2', idempotency_key: 'order-env-1', data: { n: 1 } });
    const unkeyedA = envelope({ event_id: 'evt-env-3', data: { n: 1 } });
    const unkeyedB = envelope({ event_id: 'evt-env-4', data: { n: 1 } });
    expect(idem.keyFor(decoded(keyed)).id).toBe(idem.keyFor(decoded(keyedRetry)).id);
    expect(idem.keyFor(decoded(keyed)).id).toBe(
      `idem:v1:svc:test.thing.happened.v1:${sha256Hex('order-env-1')}`,
    );
    expect(idem.keyFor(decoded(unkeyedA)).id).toBe(
      `idem:v1:svc:test.thing.happened.v1:${sha256Hex('evt-env-3')}`,
    );

    const { handler, calls } = counting();
    expectOutcome(await idem.run(decoded(keyed), handler), 'processed');
    expectOutcome(await idem.run(decoded(keyedRetry), handler), 'duplicate');
    // Same data, distinct event ids, no idempotency_key: two events under this strategy.
    expectOutcome(await idem.run(decoded(unkeyedA), handler), 'processed');
    expectOutcome(await idem.run(decoded(unkeyedB), handler), 'processed');
    expect(calls()).toBe(3);
  });

  test('coordinates: only a redelivery of the same topic-partition-offset is a duplicate', async () => {
    const { idem } = layer('coordinates');
    const event = envelope({ event_id: 'evt-coord', data: { n: 'coord' } });
    const at = (offset: number) => decoded(event, { topic: 'orders', partition: 3, offset });
    expect(idem.keyFor(at(7)).id).toBe(`idem:v1:svc:test.thing.happened.v1:${sha256Hex('orders-3-7')}`);
    const { handler, calls } = counting();
    expectOutcome(await idem.run(at(7), handler), 'processed');
    expectOutcome(await idem.run(at(7), handler), 'duplicate');
    expectOutcome(await idem.run(at(8), handler), 'processed');
    expect(calls()).toBe(2);
    expect(() => idem.keyFor(decoded(event))).toThrow(TypeError);
    await expect(idem.run(decoded(event), handler)).rejects.toThrow(
      /coordinates.*topic, partition and offset/,
    );
  });

  test('custom function: the identity the function returns, namespaced and hashed', async () => {
    const seen: unknown[] = [];
    const byOrder: CustomKeyFunction = (e, coordinates) => {
      seen.push(coordinates);
      return `order:${String(e.data.order_id)}`;
    };
    const { idem } = layer(byOrder);
    const a = envelope({ event_id: 'evt-custom-1', data: { order_id: 'custom-1', amount: 1 } });
    const b = envelope({ event_id: 'evt-custom-2', data: { order_id: 'custom-1', amount: 1 } });
    const c = envelope({ event_id: 'evt-custom-3', data: { order_id: 'custom-1', amount: 2 } });
    const coordinates = { topic: 't', partition: 0, offset: 1 };
    expect(idem.keyFor(decoded(a, coordinates)).id).toBe(
      `idem:v1:svc:test.thing.happened.v1:${sha256Hex('order:custom-1')}`,
    );
    expect(seen).toEqual([coordinates]);

    const { handler, calls } = counting();
    expectOutcome(await idem.run(decoded(a), handler), 'processed');
    expectOutcome(await idem.run(decoded(b), handler), 'duplicate');
    // Same custom identity, different payload: the function's identity is too coarse for it.
    const mismatch = expectOutcome(await idem.run(decoded(c), handler), 'failed');
    expect(mismatch.error).toBeInstanceOf(PayloadMismatchError);
    expect(calls()).toBe(1);
  });

  test.each([
    ['an empty string', () => ''],
    ['a number', () => 42 as unknown as string],
    ['undefined', () => undefined as unknown as string],
  ])('a custom function returning %s is a TypeError naming the event, before any write', async (_label, fn) => {
    const { idem } = layer(fn);
    const event = envelope({ event_id: 'evt-bad-custom', data: { n: 'bad-custom' } });
    expect(() => idem.keyFor(decoded(event))).toThrow(TypeError);
    let calls = 0;
    await expect(
      idem.run(decoded(event), async () => {
        calls += 1;
        return 1;
      }),
    ).rejects.toThrow(/custom keyStrategy returned .* for event evt-bad-custom/);
    expect(calls).toBe(0);
  });

  test('a new key prefix starts every key afresh', async () => {
    const event = envelope({ event_id: 'evt-prefix', data: { n: 'prefix' } });
    const v1 = layer();
    const v2 = layer(undefined, 'idem:v2');
    expect(v2.idem.keyFor(decoded(event)).id).toMatch(/^idem:v2:svc:/);
    const { handler, calls } = counting();
    expectOutcome(await v1.idem.run(decoded(event), handler), 'processed');
    expectOutcome(await v2.idem.run(decoded(event), handler), 'processed');
    expect(calls()).toBe(2);
  });
});

describe('poison records', () => {
  const poisons: [string, Buffer][] = [
    ['not UTF-8', Buffer.from([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x7d])],
    ['not JSON', Buffer.from('{"event_id": "evt-poison", oops', 'utf8')],
    [
      'an envelope without data',
      bytesOf({
        event_id: 'evt-no-data',
        event_type: 'test.thing.happened.v1',
        event_timestamp: '2025-01-01T00:00:00Z',
        source_service: 'producer',
      }),
    ],
  ];

  test.each(
    poisons,
  )('%s: keyed by its raw bytes, failed with InvalidRecordError, dead-lettered once', async (_label, bytes) => {
    const { idem, metrics } = layer();
    const dead: PermanentFailure[] = [];
    const deadLetter = async (f: PermanentFailure) => {
      dead.push(f);
    };
    let calls = 0;
    const handler = async () => {
      calls += 1;
      return 'never';
    };
    const coordinates = { topic: 'orders', partition: 0, offset: 41 };

    const first = expectOutcome(
      await idem.run(decodeEvent(bytes, coordinates), handler, { deadLetter }),
      'failed',
    );
    expect(first.key.id).toBe(`idem:v1:svc:invalid:${sha256Hex(bytes)}`);
    expect(first.error).toBeInstanceOf(InvalidRecordError);
    expect(String((first.error as Error).message)).toContain('orders-0@41');
    expect(dead).toHaveLength(1);
    const sent = must(dead[0], 'a dead-lettered record');
    expect(sent.error).toBe(first.error);
    expect(sent.decoded.ok).toBe(false);
    expect(Buffer.from(sent.decoded.raw).equals(bytes)).toBe(true);
    const record = await mustReadRecord(doc, tableName, first.key.id);
    expect(record.status).toBe(RecordStatus.FAILED);
    expect(record.error?.name).toBe('InvalidRecordError');
    expect(record.event_type).toBe('invalid');
    expect(record.offset).toBe(41);

    // The same bytes again, even at another offset: a duplicate, not a second dead letter.
    const again = expectOutcome(
      await idem.run(decodeEvent(bytes, { ...coordinates, offset: 42 }), handler, { deadLetter }),
      'duplicate',
    );
    expect(again.previousStatus).toBe('failed');
    expect(dead).toHaveLength(1);
    expect(calls).toBe(0);
    expect(metrics.count(MetricName.DEAD_LETTERED)).toBe(1);
    expect(metrics.count(MetricName.DUPLICATE)).toBe(1);
  });

  test('a poison record whose dead-letter send fails is released and dead-lettered on the redelivery', async () => {
    const { idem } = layer();
    const bytes = Buffer.from('definitely not json: dlq-retry', 'utf8');
    const outcome = expectOutcome(
      await idem.run(decodeEvent(bytes), async () => 'never', {
        deadLetter: async () => {
          throw new Error('queue down');
        },
      }),
      'retry',
    );
    expect(await readRecord(doc, tableName, outcome.key.id)).toBeUndefined();
    const dead: PermanentFailure[] = [];
    expectOutcome(
      await idem.run(decodeEvent(bytes), async () => 'never', {
        deadLetter: async (f) => {
          dead.push(f);
        },
      }),
      'failed',
    );
    expect(dead).toHaveLength(1);
  });
});
