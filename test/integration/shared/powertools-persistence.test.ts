import { randomUUID } from 'node:crypto';
import type { JSONValue } from '@aws-lambda-powertools/commons/types';
import {
  IdempotencyAlreadyInProgressError,
  IdempotencyConfig,
  IdempotencyItemAlreadyExistsError,
  IdempotencyPersistenceLayerError,
  IdempotencyValidationError,
  makeIdempotent,
} from '@aws-lambda-powertools/idempotency';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { Context } from 'aws-lambda';
import {
  IDEMPOTENCY_TABLE_SCHEMA,
  LeaseLostError,
  PermanentError,
  RecordStatus,
  StoreUnavailableError,
} from '../../../shared/internal';
import {
  FencedDynamoDBPersistenceLayer,
  type FencedDynamoDBPersistenceLayerOptions,
} from '../../../shared/powertools';
import { injectFaults } from '../../../tools/testing/sdk-middleware';
import { clients, freshIdempotencyTable } from '../../helpers/dynamo';
import { deferred, ManualClock, must, readRecord } from '../../helpers/layer';

const LEASE_MS = 30_000;
const SKEW_MS = 1_000;

type Order = { orderId: string; amount: number };

let raw: DynamoDBClient;
let doc: DynamoDBDocumentClient;
let tableName: string;
const extraClients: DynamoDBClient[] = [];

beforeAll(async () => {
  ({ raw, doc } = clients());
  tableName = await freshIdempotencyTable(raw, 'powertools');
});

afterAll(() => {
  raw.destroy();
  for (const client of extraClients) client.destroy();
});

/** The layer under test, plus access to the key Powertools derives for a payload. */
class ProbedLayer extends FencedDynamoDBPersistenceLayer {
  keyOf(data: JSONValue): string {
    return this.getHashedIdempotencyKey(data);
  }
}

function layer(options: Partial<FencedDynamoDBPersistenceLayerOptions> = {}): ProbedLayer {
  return new ProbedLayer({
    tableName,
    client: doc,
    fallbackLeaseMs: LEASE_MS,
    clockSkewMs: SKEW_MS,
    ...options,
  });
}

/** A layer on its own client, for fault injection or for a second worker. */
function layerWithOwnClient(options: Partial<FencedDynamoDBPersistenceLayerOptions> = {}): {
  store: ProbedLayer;
  raw: DynamoDBClient;
} {
  const own = clients();
  extraClients.push(own.raw);
  return { store: layer({ client: own.raw, ...options }), raw: own.raw };
}

function config(options: { payloadValidationJmesPath?: string } = {}): IdempotencyConfig {
  return new IdempotencyConfig({ eventKeyJmesPath: 'orderId', ...options });
}

/** A layer configured the way `makeIdempotent` configures it, for driving its methods directly. */
function configured(store: ProbedLayer): ProbedLayer {
  store.configure({ config: config() });
  return store;
}

function order(amount = 42): Order {
  return { orderId: `order-${randomUUID()}`, amount };
}

async function stored(id: string) {
  return readRecord(doc, tableName, id);
}

async function mustStored(id: string) {
  return must(await stored(id), `a record for ${id}`);
}

/** The error a `makeIdempotent` call rejected with, for assertions on its cause. */
async function rejectionOf(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof Error) return error;
    throw new Error(`rejected with a non-Error: ${String(error)}`);
  }
  throw new Error('expected a rejection, but the call resolved');
}

function lambdaContext(remainingMs: number): Context {
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName: 'fn',
    functionVersion: '$LATEST',
    invokedFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:fn',
    memoryLimitInMB: '128',
    awsRequestId: randomUUID(),
    logGroupName: '/aws/lambda/fn',
    logStreamName: 'stream',
    getRemainingTimeInMillis: () => remainingMs,
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

describe('FencedDynamoDBPersistenceLayer through makeIdempotent', () => {
  test('the first call runs the function; a repeat returns the cached result without running it', async () => {
    const store = layer();
    let runs = 0;
    const charge = makeIdempotent(
      async (event: Order) => {
        runs += 1;
        return { charged: event.orderId, amount: event.amount, run: runs };
      },
      { persistenceStore: store, config: config() },
    );
    const event = order();

    const first = await charge(event);
    const second = await charge({ ...event });

    expect(first).toEqual({ charged: event.orderId, amount: 42, run: 1 });
    expect(second).toEqual(first);
    expect(runs).toBe(1);
    const record = await mustStored(store.keyOf(event));
    expect(record).toMatchObject({ status: RecordStatus.COMPLETED, result: JSON.stringify(first) });
    expect(record.owner).toMatch(/^[0-9a-f-]{36}$/);
    expect(record.lease_expires_at).toBeUndefined();
    expect(Math.abs(record.expiration - (Math.floor(Date.now() / 1000) + 3600))).toBeLessThanOrEqual(5);
  });

  test('without a Lambda context a processing lease of fallbackLeaseMs is written', async () => {
    const clock = new ManualClock();
    const store = layer({ clock });
    let leaseSeen: number | undefined;
    const work = makeIdempotent(
      async (event: Order) => {
        leaseSeen = (await mustStored(store.keyOf(event))).lease_expires_at;
        return 'done';
      },
      { persistenceStore: store, config: config() },
    );

    await work(order());

    const lease = must(leaseSeen, 'a lease on the processing record');
    expect(lease).toBeGreaterThan(clock.now() + LEASE_MS - 1_000);
    expect(lease).toBeLessThanOrEqual(clock.now() + LEASE_MS);
  });

  test("with a Lambda context the processing lease is the function's remaining time", async () => {
    const clock = new ManualClock();
    const store = layer({ clock });
    let leaseSeen: number | undefined;
    const handler = makeIdempotent(
      async (event: Order, _context: Context) => {
        leaseSeen = (await mustStored(store.keyOf(event))).lease_expires_at;
        return 'done';
      },
      { persistenceStore: store, config: config() },
    );

    await handler(order(), lambdaContext(5_000));

    const lease = must(leaseSeen, 'a lease on the processing record');
    expect(lease).toBeGreaterThan(clock.now() + 4_000);
    expect(lease).toBeLessThanOrEqual(clock.now() + 5_000);
  });

  test('a crashed claim blocks its key only until the fallback lease (plus skew) is over', async () => {
    const clock = new ManualClock();
    const crashed = configured(layer({ clock }));
    const event = order();
    await crashed.saveInProgress(event); // the worker dies here: no completion, no release
    let runs = 0;
    const retry = makeIdempotent(
      async (_event: Order) => {
        runs += 1;
        return 'recovered';
      },
      { persistenceStore: layer({ clock }), config: config() },
    );

    await expect(retry({ ...event })).rejects.toBeInstanceOf(IdempotencyAlreadyInProgressError);
    clock.advance(LEASE_MS + SKEW_MS / 2);
    await expect(retry({ ...event })).rejects.toBeInstanceOf(IdempotencyAlreadyInProgressError);
    clock.advance(SKEW_MS);
    await expect(retry({ ...event })).resolves.toBe('recovered');
    expect(runs).toBe(1);
    expect((await mustStored(crashed.keyOf(event))).attempts).toBe(2);
  });

  test('a claim committed but whose response was lost is recognised as ours: the function runs once', async () => {
    const { store, raw: faulty } = layerWithOwnClient();
    const faults = injectFaults(faulty, (a) => (a.seq === 1 ? 'drop-response' : undefined));
    let runs = 0;
    const work = makeIdempotent(
      async (_event: Order) => {
        runs += 1;
        return { ok: true };
      },
      { persistenceStore: store, config: config() },
    );
    const event = order();

    await expect(work(event)).resolves.toEqual({ ok: true });

    faults.remove();
    expect(faults.attempts).toEqual([
      { operation: 'UpdateItem', fault: 'drop-response' }, // the claim, committed then lost
      { operation: 'UpdateItem', fault: undefined }, // its SDK retry: condition fails on our own token
      { operation: 'UpdateItem', fault: undefined }, // the completion
    ]);
    expect(runs).toBe(1);
    expect(await mustStored(store.keyOf(event))).toMatchObject({
      status: RecordStatus.COMPLETED,
      attempts: 1,
    });
  });

  test('a completion committed but whose response was lost succeeds on its SDK retry', async () => {
    const { store, raw: faulty } = layerWithOwnClient();
    const faults = injectFaults(faulty, (a) => (a.seq === 2 ? 'drop-response' : undefined));
    let runs = 0;
    const work = makeIdempotent(
      async (_event: Order) => {
        runs += 1;
        return 'paid';
      },
      { persistenceStore: store, config: config() },
    );
    const event = order();

    await expect(work(event)).resolves.toBe('paid');
    await expect(work({ ...event })).resolves.toBe('paid');

    faults.remove();
    expect(faults.attempts.slice(0, 3).map((a) => a.fault)).toEqual([undefined, 'drop-response', undefined]);
    expect(runs).toBe(1);
  });

  test('a function that throws releases its record, so a retry runs it again', async () => {
    const store = layer();
    let runs = 0;
    const work = makeIdempotent(
      async (_event: Order) => {
        runs += 1;
        if (runs === 1) throw new Error('dependency down');
        return 'second time lucky';
      },
      { persistenceStore: store, config: config() },
    );
    const event = order();

    await expect(work(event)).rejects.toThrow('dependency down');
    expect(await stored(store.keyOf(event))).toBeUndefined();
    await expect(work({ ...event })).resolves.toBe('second time lucky');
    expect(runs).toBe(2);
  });

  test('a release whose response was lost counts as done when its retry finds the record gone', async () => {
    const { store, raw: faulty } = layerWithOwnClient();
    const faults = injectFaults(faulty, (a) =>
      a.operation === 'DeleteItem' && a.seq === 2 ? 'drop-response' : undefined,
    );
    const work = makeIdempotent(
      async (_event: Order) => {
        throw new Error('handler failed');
      },
      { persistenceStore: store, config: config() },
    );
    const event = order();

    await expect(work(event)).rejects.toThrow('handler failed');

    faults.remove();
    expect(faults.attempts.map((a) => `${a.operation}:${a.fault ?? 'ok'}`)).toEqual([
      'UpdateItem:ok',
      'DeleteItem:drop-response',
      'DeleteItem:ok',
    ]);
    expect(await stored(store.keyOf(event))).toBeUndefined();
  });

  test('a stale worker completing after a takeover is refused while the new owner works, and its result stands', async () => {
    const clock = new ManualClock();
    const staleStore = layer({ clock });
    const { store: freshStore } = layerWithOwnClient({ clock });
    const staleEntered = deferred();
    const staleRelease = deferred();
    const stale = makeIdempotent(
      async (_event: Order) => {
        staleEntered.resolve();
        await staleRelease.promise;
        return { by: 'stale' };
      },
      { persistenceStore: staleStore, config: config() },
    );
    const freshEntered = deferred();
    const freshRelease = deferred();
    let freshRuns = 0;
    const fresh = makeIdempotent(
      async (_event: Order) => {
        freshRuns += 1;
        freshEntered.resolve();
        await freshRelease.promise;
        return { by: 'fresh' };
      },
      { persistenceStore: freshStore, config: config() },
    );
    const event = order();

    const staleCall = stale(event);
    await staleEntered.promise;
    const key = staleStore.keyOf(event);
    clock.advance(LEASE_MS + SKEW_MS + 1);
    const freshCall = fresh({ ...event });
    await freshEntered.promise;
    const afterTakeover = await mustStored(key);
    staleRelease.resolve();
    const error = await rejectionOf(staleCall);

    expect(error).toBeInstanceOf(IdempotencyPersistenceLayerError);
    expect(error.cause).toBeInstanceOf(LeaseLostError);
    expect((error.cause as LeaseLostError).currentOwner).toBe(afterTakeover.owner);
    expect(await mustStored(key)).toEqual(afterTakeover);
    expect(afterTakeover).toMatchObject({ status: RecordStatus.PROCESSING, attempts: 2 });
    freshRelease.resolve();
    await expect(freshCall).resolves.toEqual({ by: 'fresh' });
    expect(await mustStored(key)).toMatchObject({
      status: RecordStatus.COMPLETED,
      owner: afterTakeover.owner,
      result: '{"by":"fresh"}',
    });
    await expect(fresh({ ...event })).resolves.toEqual({ by: 'fresh' });
    expect(freshRuns).toBe(1);
  });

  test('a stale worker whose function throws after a takeover does not delete the new record', async () => {
    const clock = new ManualClock();
    const staleStore = layer({ clock });
    const { store: freshStore } = layerWithOwnClient({ clock });
    const entered = deferred();
    const release = deferred();
    const stale = makeIdempotent(
      async (_event: Order) => {
        entered.resolve();
        await release.promise;
        throw new Error('stale worker failed');
      },
      { persistenceStore: staleStore, config: config() },
    );
    const fresh = makeIdempotent(async (_event: Order) => 'fresh result', {
      persistenceStore: freshStore,
      config: config(),
    });
    const event = order();

    const staleCall = stale(event);
    await entered.promise;
    clock.advance(LEASE_MS + SKEW_MS + 1);
    await expect(fresh({ ...event })).resolves.toBe('fresh result');
    release.resolve();
    const error = await rejectionOf(staleCall);

    expect(error).toBeInstanceOf(IdempotencyPersistenceLayerError);
    expect(error.cause).toBeInstanceOf(LeaseLostError);
    expect(await mustStored(freshStore.keyOf(event))).toMatchObject({
      status: RecordStatus.COMPLETED,
      result: '"fresh result"',
    });
  });

  test('one instance serves concurrent invocations: each key completes with its own owner token', async () => {
    const store = layer();
    const work = makeIdempotent(
      async (event: Order) => {
        await new Promise((r) => setTimeout(r, 20 + (event.amount % 5) * 10));
        return event.amount;
      },
      { persistenceStore: store, config: config() },
    );
    const events = Array.from({ length: 20 }, (_, i) => order(i));

    const results = await Promise.all(events.map((e) => work(e)));

    expect(results).toEqual(events.map((e) => e.amount));
    const records = await Promise.all(events.map((e) => mustStored(store.keyOf(e))));
    expect(records.map((r) => r.status)).toEqual(events.map(() => RecordStatus.COMPLETED));
    expect(new Set(records.map((r) => r.owner)).size).toBe(events.length);
  });

  test('concurrent invocations of one key on one instance: one runs, the other is told it is in progress', async () => {
    const store = layer();
    const entered = deferred();
    const release = deferred();
    let runs = 0;
    const work = makeIdempotent(
      async (_event: Order) => {
        runs += 1;
        entered.resolve();
        await release.promise;
        return 'once';
      },
      { persistenceStore: store, config: config() },
    );
    const event = order();

    const first = work(event);
    await entered.promise;
    const error = await rejectionOf(work({ ...event }));
    release.resolve();

    await expect(first).resolves.toBe('once');
    expect(error).toBeInstanceOf(IdempotencyAlreadyInProgressError);
    expect(runs).toBe(1);
  });

  test('a function that mutates its input completes the record it claimed', async () => {
    const store = layer();
    let runs = 0;
    const work = makeIdempotent(
      async (event: Order) => {
        runs += 1;
        event.orderId = `${event.orderId}-mutated`;
        return 'handled';
      },
      { persistenceStore: store, config: config() },
    );
    const event = order();
    const original = { ...event };

    await expect(work(event)).resolves.toBe('handled');

    expect(await mustStored(store.keyOf(original))).toMatchObject({ status: RecordStatus.COMPLETED });
    expect(await stored(store.keyOf({ ...event }))).toBeUndefined();
    await expect(work({ ...original })).resolves.toBe('handled');
    expect(runs).toBe(1);
  });

  test.each([
    {
      name: 'a Date and a nested undefined (which marshall rejects)',
      result: { at: new Date(0), nested: { gone: undefined, kept: 1 } },
      omitted: undefined,
      cached: { at: '1970-01-01T00:00:00.000Z', nested: { kept: 1 } },
    },
    { name: 'a BigInt (not JSON)', result: { big: 10n }, omitted: 'not-serializable', cached: undefined },
    {
      name: 'a result over maxResultBytes',
      result: 'x'.repeat(2_000),
      omitted: 'too-large',
      cached: undefined,
    },
  ])('a result with $name still completes the record', async ({ result, omitted, cached }) => {
    const store = layer({ maxResultBytes: 1_024 });
    let runs = 0;
    const work = makeIdempotent(
      async (_event: Order) => {
        runs += 1;
        return result;
      },
      { persistenceStore: store, config: config() },
    );
    const event = order();

    await expect(work(event)).resolves.toBe(result);

    const record = await mustStored(store.keyOf(event));
    expect(record.status).toBe(RecordStatus.COMPLETED);
    expect(record.result_omitted).toBe(omitted);
    await expect(work({ ...event })).resolves.toEqual(cached);
    expect(runs).toBe(1);
  });

  test('payload validation: the same payload is a duplicate, a different payload under the same key is refused', async () => {
    const store = layer();
    let runs = 0;
    const work = makeIdempotent(
      async (event: Order) => {
        runs += 1;
        return event.amount;
      },
      { persistenceStore: store, config: config({ payloadValidationJmesPath: 'amount' }) },
    );
    const event = order(7);

    await expect(work(event)).resolves.toBe(7);
    await expect(work({ ...event })).resolves.toBe(7);
    await expect(work({ ...event, amount: 8 })).rejects.toBeInstanceOf(IdempotencyValidationError);

    expect(runs).toBe(1);
    expect((await mustStored(store.keyOf(event))).payload_hash).toEqual(expect.any(String));
  });

  test('a store outage at the claim fails closed: the function does not run', async () => {
    const { store, raw: faulty } = layerWithOwnClient();
    const faults = injectFaults(faulty, () => 'outage');
    let runs = 0;
    const work = makeIdempotent(
      async (_event: Order) => {
        runs += 1;
        return 'unprotected';
      },
      { persistenceStore: store, config: config() },
    );

    const error = await rejectionOf(work(order()));

    faults.remove();
    expect(error).toBeInstanceOf(IdempotencyPersistenceLayerError);
    expect(error.cause).toBeInstanceOf(StoreUnavailableError);
    expect(runs).toBe(0);
  });

  test('a record marked failed by another writer of the table is reported, not re-run', async () => {
    const store = configured(layer());
    const event = order();
    await doc.send(
      new PutCommand({
        TableName: tableName,
        Item: {
          [IDEMPOTENCY_TABLE_SCHEMA.partitionKey]: store.keyOf(event),
          [IDEMPOTENCY_TABLE_SCHEMA.ttlAttribute]: Math.floor(Date.now() / 1000) + 3600,
          status: RecordStatus.FAILED,
          owner: 'someone-else',
          error: { name: 'PermanentError', message: 'unknown customer' },
        },
      }),
    );
    let runs = 0;
    const work = makeIdempotent(
      async (_event: Order) => {
        runs += 1;
        return 'again';
      },
      { persistenceStore: store, config: config() },
    );

    const error = await rejectionOf(work(event));

    expect(error.cause).toBeInstanceOf(PermanentError);
    expect((error.cause as PermanentError).message).toMatch(/unknown customer/);
    expect(runs).toBe(0);
  });
});

describe('FencedDynamoDBPersistenceLayer fencing, driven through its public methods', () => {
  /** Worker A claims, its lease ends, worker B takes over. */
  async function takeover() {
    const clock = new ManualClock();
    const a = configured(layer({ clock }));
    const b = configured(layerWithOwnClient({ clock }).store);
    const event = order();
    const key = a.keyOf(event);
    await a.saveInProgress(event);
    const ownerA = (await mustStored(key)).owner;
    clock.advance(LEASE_MS + SKEW_MS / 2);
    await expect(b.saveInProgress({ ...event })).rejects.toBeInstanceOf(IdempotencyItemAlreadyExistsError);
    clock.advance(SKEW_MS);
    await b.saveInProgress({ ...event });
    const afterTakeover = await mustStored(key);
    expect(afterTakeover.owner).not.toBe(ownerA);
    expect(afterTakeover.status).toBe(RecordStatus.PROCESSING);
    return { a, b, event, key, afterTakeover };
  }

  test('a stale completion is refused with LeaseLostError and the new owner completes', async () => {
    const { a, b, event, key, afterTakeover } = await takeover();

    const error = await rejectionOf(a.saveSuccess(event, { by: 'a' }));

    expect(error).toBeInstanceOf(LeaseLostError);
    expect((error as LeaseLostError).currentOwner).toBe(afterTakeover.owner);
    expect(await mustStored(key)).toEqual(afterTakeover);
    await b.saveSuccess({ ...event }, { by: 'b' });
    expect(await mustStored(key)).toMatchObject({
      status: RecordStatus.COMPLETED,
      owner: afterTakeover.owner,
      result: '{"by":"b"}',
    });
  });

  test("a stale release is refused with LeaseLostError and does not delete the new owner's record", async () => {
    const { a, b, event, key, afterTakeover } = await takeover();

    const error = await rejectionOf(a.deleteRecord(event));

    expect(error).toBeInstanceOf(LeaseLostError);
    expect(await mustStored(key)).toEqual(afterTakeover);
    await b.deleteRecord({ ...event });
    expect(await stored(key)).toBeUndefined();
  });

  test('completion or release without a claim held by this instance is refused without writing', async () => {
    const owner = configured(layer());
    const other = configured(layer());
    const event = order();
    await owner.saveInProgress(event);
    const before = await mustStored(owner.keyOf(event));

    await expect(other.saveSuccess({ ...event }, 'not mine')).rejects.toBeInstanceOf(LeaseLostError);
    await expect(other.deleteRecord({ ...event })).rejects.toBeInstanceOf(LeaseLostError);

    expect(await mustStored(owner.keyOf(event))).toEqual(before);
  });
});

describe('FencedDynamoDBPersistenceLayer options', () => {
  test.each([
    [{ tableName: '' }, /Option tableName must be a non-empty string, got ""/],
    [{ tableName: 't', fallbackLeaseMs: 0 }, /Option fallbackLeaseMs must be an integer >= 1, got 0/],
    [{ tableName: 't', clockSkewMs: -1 }, /Option clockSkewMs must be an integer >= 0, got -1/],
    [
      { tableName: 't', maxResultBytes: 400_000 },
      /Option maxResultBytes must be an integer from 0 to 350000/,
    ],
  ])('fails if %o', (options, message) => {
    expect(() => new FencedDynamoDBPersistenceLayer({ client: doc, ...options })).toThrow(message);
  });
});
