import { randomUUID } from 'node:crypto';
import { IdempotencyConfig, makeIdempotent } from '@aws-lambda-powertools/idempotency';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { envelope as mskEnvelope, mskEvent } from '../../../scripts/lib/msk-events';
import {
  createKafkaHandler,
  IDEMPOTENCY_TABLE_ACTIONS,
  type IdempotencyKey,
  IdempotencyStore,
  LeaseLostError,
  PermanentError,
  RetryableError,
  type TransactionalWrite,
  withWrites,
} from '../../../shared/internal';
import { FencedDynamoDBPersistenceLayer } from '../../../shared/powertools';
import { MemoryDeadLetters } from '../../helpers/consumers';
import { clients, freshConsumerTable, freshIdempotencyTable } from '../../helpers/dynamo';
import { recordTableActions, type TableActionRecorder } from '../../helpers/iam-actions';
import { ManualClock, testLayer } from '../../helpers/layer';

const LEASE_MS = 30_000;
const SKEW_MS = 1_000;
const TTL_SECONDS = 3_600;
const CONTEXT = { service: 'svc' };

let raw: DynamoDBClient;
let doc: DynamoDBDocumentClient;
let recorder: TableActionRecorder;
let tableName: string;
let businessTable: string;

beforeAll(async () => {
  ({ raw, doc } = clients());
  tableName = await freshIdempotencyTable(raw, 'actions');
  businessTable = await freshConsumerTable(raw, 'actions-business');
  // Only requests the layer sends from here on: the tables exist already.
  recorder = recordTableActions(doc);
});

afterAll(() => {
  recorder.remove();
  raw.destroy();
});

function key(label: string): IdempotencyKey {
  return {
    id: `idem:v1:svc:test.thing.v1:${label}-${randomUUID()}`,
    payloadHash: label,
    eventType: 'test.thing.v1',
  };
}

function effect(label: string): TransactionalWrite {
  return { Put: { TableName: businessTable, Item: { pk: `EFFECT#${label}`, sk: 'META' } } };
}

/** A store on the shared (recorded) client with a clock the test moves. */
function store(clock: ManualClock): IdempotencyStore {
  return new IdempotencyStore({ tableName, client: doc, clock, clockSkewMs: SKEW_MS });
}

async function claimed(s: IdempotencyStore, k: IdempotencyKey) {
  const result = await s.claim(k, { leaseMs: LEASE_MS, ttlSeconds: TTL_SECONDS, context: CONTEXT });
  if (result.kind !== 'claimed')
    throw new Error(`expected to claim ${k.id}, found a ${result.record.status} record`);
  return result.claim;
}

/** Runs `promise`, expecting it to reject with an instance of `type`. */
async function rejects(
  promise: Promise<unknown>,
  type: abstract new (...args: never[]) => Error,
): Promise<void> {
  await expect(promise).rejects.toBeInstanceOf(type);
}

describe("the idempotency layer's DynamoDB actions", () => {
  beforeAll(async () => {
    // GIVEN the store, driven through every state change it makes, the failed conditions included
    const clock = new ManualClock();
    const s = store(clock);

    const completed = key('complete');
    await s.complete(await claimed(s, completed), { ok: true });
    const duplicate = await s.claim(completed, {
      leaseMs: LEASE_MS,
      ttlSeconds: TTL_SECONDS,
      context: CONTEXT,
    });
    expect(duplicate.kind).toBe('exists');

    await s.completeWithWrites(await claimed(s, key('transaction')), { ok: true }, [effect('tx')]);
    await s.commitWrites([effect('fail-open')]);
    await s.release(await claimed(s, key('release')));
    await s.fail(await claimed(s, key('fail')), new PermanentError('schema violation'));

    // a takeover: the first attempt's lease ends, a second claims, the first can no longer finish
    const contested = key('takeover');
    const stale = await claimed(s, contested);
    clock.advance(LEASE_MS + SKEW_MS + 1);
    const fresh = await claimed(s, contested);
    expect(fresh.takeover).toBe(true);
    await rejects(s.complete(stale, { late: true }), LeaseLostError);
    await rejects(s.completeWithWrites(stale, { late: true }, [effect('late')]), LeaseLostError);
    await rejects(s.release(stale), LeaseLostError);
    await rejects(s.fail(stale, new PermanentError('late')), LeaseLostError);

    expect(await s.get(completed.id)).toMatchObject({ status: 'completed' });
    const found = await s.getMany([completed.id, contested.id, key('absent').id]);
    expect([...found.keys()].sort()).toEqual([completed.id, contested.id].sort());

    // WHEN the layer runs batches through the Kafka handler (pre-check, claims, duplicates, a
    // transactional completion, a retryable release and a permanent failure)
    const { idem } = testLayer({ tableName, client: doc });
    let attempts = 0;
    const handler = createKafkaHandler({
      idempotency: idem,
      deadLetter: new MemoryDeadLetters(),
      partialBatchResponse: true,
      routes: {
        'test.plain.v1': async (env) => ({ seen: env.event_id }),
        'test.tx.v1': async (env) => withWrites({ seen: env.event_id }, [effect(env.event_id)]),
        'test.flaky.v1': async () => {
          attempts += 1;
          if (attempts === 1) throw new RetryableError('dependency down');
          return { ok: true };
        },
        'test.poison.v1': async () => {
          throw new PermanentError('cannot be processed');
        },
      },
    });
    const event = mskEvent(
      ['test.plain.v1', 'test.tx.v1', 'test.flaky.v1', 'test.poison.v1'].map((type, offset) => ({
        topic: 'things',
        partition: 0,
        offset,
        value: mskEnvelope({ event_type: type, data: { offset } }),
      })),
    );
    await handler.process(event);
    await handler.process(event);

    // AND the Powertools persistence layer runs a function twice and is read back
    const layer = new FencedDynamoDBPersistenceLayer({ tableName, client: doc, fallbackLeaseMs: LEASE_MS });
    const config = new IdempotencyConfig({ eventKeyJmesPath: 'orderId' });
    const charge = makeIdempotent(async (order: { orderId: string }) => ({ charged: order.orderId }), {
      persistenceStore: layer,
      config,
    });
    const order = { orderId: `order-${randomUUID()}` };
    await charge(order);
    await charge(order);
    layer.configure({ config });
    await layer.getRecord(order);
    const released = { orderId: `order-${randomUUID()}` };
    await layer.saveInProgress(released);
    await layer.deleteRecord(released);
  });

  test('are exactly IDEMPOTENCY_TABLE_ACTIONS: the list the construct grants is derived from the requests', () => {
    // THEN
    expect(recorder.unmapped).toEqual([]);
    expect(recorder.actionsOn(tableName)).toEqual([...IDEMPOTENCY_TABLE_ACTIONS].sort());
  });

  test('exercised every request kind the store sends', () => {
    expect([...recorder.operations.keys()].sort()).toEqual([
      'BatchGetItem',
      'DeleteItem',
      'GetItem',
      'TransactWriteItems',
      'UpdateItem',
    ]);
  });

  test('touch no table but the idempotency table and the business writes handed to it', () => {
    expect(recorder.tables()).toEqual([tableName, businessTable].sort());
    // Business writes are the caller's: only the action of the write it handed over.
    expect(recorder.actionsOn(businessTable)).toEqual(['dynamodb:PutItem']);
  });
});
