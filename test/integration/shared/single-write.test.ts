import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import {
  BusinessConditionFailedError,
  IdempotencyStore,
  InProgressElsewhereError,
  MetricName,
  PermanentError,
  type PermanentFailure,
  RecordStatus,
  StoreUnavailableError,
  type TransactionalWrite,
  withWrites,
} from '../../../shared/internal';
import {
  type AttemptInfo,
  countRequests,
  type Fault,
  injectFaults,
} from '../../../tools/testing/sdk-middleware';
import { type CounterTable, counterTable } from '../../helpers/counters';
import { clients, freshConsumerTable, freshIdempotencyTable } from '../../helpers/dynamo';
import {
  decoded,
  deferred,
  expectOutcome,
  ManualClock,
  must,
  mustReadRecord,
  readRecord,
  skewedClock,
  testLayer,
  uniqueEvent,
} from '../../helpers/layer';

/**
 * Single-write transactional mode against DynamoDB Local: no claim, the handler's writes and the
 * record's creation as `completed` in one `TransactWriteItems` under the claim's condition.
 */

const LEASE_MS = 30_000;
const SKEW_MS = 1_000;

let raw: DynamoDBClient;
let doc: DynamoDBDocumentClient;
let tableName: string;
let businessTable: string;
let counters: CounterTable;

beforeAll(async () => {
  ({ raw, doc } = clients());
  tableName = await freshIdempotencyTable(raw, 'sw');
  businessTable = await freshConsumerTable(raw, 'sw-business');
  counters = counterTable(doc, businessTable);
});

afterAll(() => {
  raw.destroy();
});

/** A single-write layer on its own client (with a request counter and optional faults). */
function singleWriteLayer(
  options: { clock?: ManualClock | { now(): number }; decide?: (a: AttemptInfo) => Fault | undefined } = {},
) {
  const own = clients();
  const requests = countRequests(own.doc);
  const faults = options.decide ? injectFaults(own.doc, options.decide) : undefined;
  const layer = testLayer({
    tableName,
    client: own.doc,
    singleWrite: true,
    fallbackLeaseMs: LEASE_MS,
    clockSkewMs: SKEW_MS,
    ...(options.clock ? { clock: options.clock } : {}),
  });
  return { ...layer, client: own.doc, requests, faults, close: () => own.raw.destroy() };
}

describe('single-write mode', () => {
  test('a fresh event is one TransactWriteItems: effect and completed record together, no processing record ever', async () => {
    const t = singleWriteLayer();
    try {
      const event = uniqueEvent('sw-happy');
      const seen: string[] = [];
      const outcome = expectOutcome(
        await t.idem.run(decoded(event), async () => {
          // No claim came first: nothing is stored while the handler runs.
          seen.push((await readRecord(doc, tableName, t.idem.keyFor(decoded(event)).id))?.status ?? 'absent');
          return withWrites({ counted: true }, [counters.increment('sw-happy')]);
        }),
        'processed',
      );
      expect(seen).toEqual(['absent']);
      expect(Object.fromEntries(t.requests.byOperation)).toEqual({ TransactWriteItems: 1 });
      expect(await counters.value('sw-happy')).toBe(1);
      const record = await mustReadRecord(doc, tableName, outcome.key.id);
      expect(record.status).toBe(RecordStatus.COMPLETED);
      expect(JSON.parse(record.result ?? 'null')).toEqual({ counted: true });
      expect(record.lease_expires_at).toBeUndefined();
      expect(record.payload_hash).toBe(outcome.key.payloadHash);
      expect(record.event_id).toBe('evt-sw-happy');
      expect(record.attempts).toBe(1);
      expect(t.metrics.count(MetricName.PROCESSED)).toBe(1);

      // The redelivery: the handler runs again (single-write never claims), its commit is refused
      // on the idempotency item, and the refusal itself carries the cached result: no read.
      t.requests.reset();
      let ran = 0;
      const again = expectOutcome(
        await t.idem.run(decoded(event), async () => {
          ran += 1;
          return withWrites({ counted: 'again' }, [counters.increment('sw-happy')]);
        }),
        'duplicate',
      );
      expect(ran).toBe(1);
      expect(again.result).toEqual({ counted: true });
      expect(Object.fromEntries(t.requests.byOperation)).toEqual({ TransactWriteItems: 1 });
      expect(await counters.value('sw-happy')).toBe(1);
    } finally {
      t.close();
    }
  });

  test('a handler without writes commits the completed record alone, in one UpdateItem', async () => {
    const t = singleWriteLayer();
    try {
      const outcome = expectOutcome(
        await t.idem.run(decoded(uniqueEvent('sw-nowrites')), async () => ({ nothing: 'to write' })),
        'processed',
      );
      expect(Object.fromEntries(t.requests.byOperation)).toEqual({ UpdateItem: 1 });
      expect((await mustReadRecord(doc, tableName, outcome.key.id)).status).toBe(RecordStatus.COMPLETED);
      const dup = expectOutcome(
        await t.idem.run(decoded(uniqueEvent('sw-nowrites')), async () => ({ nothing: 'again' })),
        'duplicate',
      );
      expect(dup.result).toEqual({ nothing: 'to write' });
    } finally {
      t.close();
    }
  });
});

describe('single-write: N concurrent workers on one key', () => {
  test('10 racing handlers all run, exactly one commits its effect, the others are duplicates with its result', async () => {
    const workers = Array.from({ length: 10 }, () => singleWriteLayer());
    try {
      const event = uniqueEvent('sw-race');
      // Every handler has read and planned before any commits: the worst race single-write allows.
      let started = 0;
      const allStarted = deferred();
      const outcomes = await Promise.all(
        workers.map(({ idem }, i) =>
          idem.run(decoded(event), async () => {
            started += 1;
            if (started === workers.length) allStarted.resolve();
            await allStarted.promise;
            return withWrites({ winner: i }, [counters.increment('sw-race')]);
          }),
        ),
      );
      expect(started).toBe(workers.length);
      expect(await counters.value('sw-race')).toBe(1);
      const winners = outcomes.filter((o) => o.status === 'processed');
      expect(winners).toHaveLength(1);
      const winner = expectOutcome(must(winners[0], 'a winner'), 'processed');
      const others = outcomes.filter((o) => o !== winner);
      // A loser whose transaction met the winner's in flight (TransactionConflict) reads the
      // record once; any that still found nothing is retried, never run twice.
      for (const other of others) expect(['duplicate', 'retry']).toContain(other.status);
      const duplicates = others.filter((o) => o.status === 'duplicate');
      expect(duplicates.length).toBeGreaterThan(0);
      for (const d of duplicates) expect(expectOutcome(d, 'duplicate').result).toEqual(winner.result);
      const record = await mustReadRecord(doc, tableName, winner.key.id);
      expect(record.status).toBe(RecordStatus.COMPLETED);
      expect(JSON.parse(record.result ?? 'null')).toEqual(winner.result);
      // Each worker: one transaction, and at most one read.
      for (const w of workers) {
        expect(w.requests.byOperation.get('TransactWriteItems')).toBe(1);
        expect(w.requests.byOperation.get('GetItem') ?? 0).toBeLessThanOrEqual(1);
      }
      // The retried ones, redelivered, are duplicates.
      for (const [i, o] of outcomes.entries()) {
        if (o.status !== 'retry') continue;
        const redelivered = await must(workers[i], 'a worker').idem.run(decoded(event), async () =>
          withWrites({ late: i }, [counters.increment('sw-race')]),
        );
        expect(expectOutcome(redelivered, 'duplicate').result).toEqual(winner.result);
      }
      expect(await counters.value('sw-race')).toBe(1);
    } finally {
      for (const w of workers) w.close();
    }
  });
});

describe('single-write: lost responses', () => {
  test('the transaction committed but its response was lost: the SDK retry with the same ClientRequestToken succeeds, not a duplicate of itself', async () => {
    let dropped = false;
    const tokens: unknown[] = [];
    const t = singleWriteLayer({
      decide: (a) => {
        if (a.operation !== 'TransactWriteItems') return undefined;
        tokens.push(a.input.ClientRequestToken);
        if (dropped) return undefined;
        dropped = true;
        return 'drop-response';
      },
    });
    try {
      const outcome = expectOutcome(
        await t.idem.run(decoded(uniqueEvent('sw-lost')), async () =>
          withWrites({ ok: 'lost' }, [counters.increment('sw-lost')]),
        ),
        'processed',
      );
      expect(must(t.faults, 'faults').attempts.map((a) => a.fault)).toEqual(['drop-response', undefined]);
      expect(tokens).toHaveLength(2);
      expect(typeof tokens[0]).toBe('string');
      expect(tokens[1]).toBe(tokens[0]);
      expect(await counters.value('sw-lost')).toBe(1);
      const record = await mustReadRecord(doc, tableName, outcome.key.id);
      expect(record.status).toBe(RecordStatus.COMPLETED);
      expect(record.owner).toBe(tokens[0]);
      expect(t.metrics.count(MetricName.DUPLICATE)).toBe(0);
    } finally {
      t.close();
    }
  });

  test('a commit without writes whose response was lost finds its own record on the retry: processed', async () => {
    let dropped = false;
    const t = singleWriteLayer({
      decide: (a) => {
        if (a.operation !== 'UpdateItem' || dropped) return undefined;
        dropped = true;
        return 'drop-response';
      },
    });
    try {
      const outcome = expectOutcome(
        await t.idem.run(decoded(uniqueEvent('sw-lost-plain')), async () => ({ plain: true })),
        'processed',
      );
      expect(must(t.faults, 'faults').attempts.map((a) => a.fault)).toEqual(['drop-response', undefined]);
      expect((await mustReadRecord(doc, tableName, outcome.key.id)).status).toBe(RecordStatus.COMPLETED);
    } finally {
      t.close();
    }
  });
});

describe('single-write: cancellation reasons', () => {
  test("a business write's own condition: BusinessConditionFailedError, permanent, dead-lettered once, recorded failed, nothing else written", async () => {
    const t = singleWriteLayer();
    try {
      const pk = 'ACCOUNT#sw-closed';
      await doc.send(new PutCommand({ TableName: businessTable, Item: { pk, sk: 'META', closed: true } }));
      const dead: PermanentFailure[] = [];
      const outcome = expectOutcome(
        await t.idem.run(
          decoded(uniqueEvent('sw-business')),
          async () =>
            withWrites('debited', [
              counters.increment('sw-business-side'),
              {
                Update: {
                  TableName: businessTable,
                  Key: { pk, sk: 'META' },
                  UpdateExpression: 'SET balance = :zero',
                  ConditionExpression: 'attribute_not_exists(closed)',
                  ExpressionAttributeValues: { ':zero': 0 },
                },
              },
            ]),
          { deadLetter: async (f) => void dead.push(f) },
        ),
        'failed',
      );
      expect(outcome.error).toBeInstanceOf(BusinessConditionFailedError);
      expect((outcome.error as BusinessConditionFailedError).writeIndex).toBe(1);
      expect(dead).toHaveLength(1);
      expect(await counters.value('sw-business-side')).toBeUndefined();
      const record = await mustReadRecord(doc, tableName, outcome.key.id);
      expect(record.status).toBe(RecordStatus.FAILED);
      expect(record.error?.name).toBe('BusinessConditionFailedError');
      // One transaction, then the failed record in one UpdateItem.
      expect(Object.fromEntries(t.requests.byOperation)).toEqual({ TransactWriteItems: 1, UpdateItem: 1 });
      // A redelivery is a duplicate of the failure, not a second dead letter.
      const again = expectOutcome(
        await t.idem.run(decoded(uniqueEvent('sw-business')), async () => withWrites('x', []), {
          deadLetter: async (f) => void dead.push(f),
        }),
        'duplicate',
      );
      expect(again.previousStatus).toBe(RecordStatus.FAILED);
      expect(dead).toHaveLength(1);
    } finally {
      t.close();
    }
  });

  test('the idempotency item and a business item both refuse: the duplicate wins (the business refusal is the effect already done)', async () => {
    const t = singleWriteLayer();
    try {
      const event = uniqueEvent('sw-both');
      const invoice = (n: number): TransactionalWrite => ({
        Put: {
          TableName: businessTable,
          Item: { pk: 'INVOICE#sw-both', sk: 'META', n },
          ConditionExpression: 'attribute_not_exists(pk)',
        },
      });
      expectOutcome(
        await t.idem.run(decoded(event), async () => withWrites({ n: 1 }, [invoice(1)])),
        'processed',
      );
      const dup = expectOutcome(
        await t.idem.run(decoded(event), async () => withWrites({ n: 2 }, [invoice(2)])),
        'duplicate',
      );
      expect(dup.result).toEqual({ n: 1 });
      expect(t.metrics.count(MetricName.FAILED)).toBe(0);
    } finally {
      t.close();
    }
  });

  test('throttling that outlasts the SDK retries is retryable: nothing written, no record, the redelivery commits once', async () => {
    const t = singleWriteLayer({
      decide: (a) => (a.operation === 'TransactWriteItems' ? 'throttle' : undefined),
    });
    const event = uniqueEvent('sw-throttle');
    try {
      const outcome = expectOutcome(
        await t.idem.run(decoded(event), async () => withWrites('r', [counters.increment('sw-throttle')])),
        'retry',
      );
      expect(outcome.error).toBeInstanceOf(StoreUnavailableError);
      expect((outcome.error as StoreUnavailableError).operation).toBe('commit');
      expect(must(t.faults, 'faults').attempts.length).toBeGreaterThan(1);
      expect(await counters.value('sw-throttle')).toBeUndefined();
      expect(await readRecord(doc, tableName, outcome.key.id)).toBeUndefined();
      expect(t.metrics.count(MetricName.RELEASED)).toBe(0);
    } finally {
      t.close();
    }
    const healthy = singleWriteLayer();
    try {
      expectOutcome(
        await healthy.idem.run(decoded(event), async () =>
          withWrites('r', [counters.increment('sw-throttle')]),
        ),
        'processed',
      );
      expect(await counters.value('sw-throttle')).toBe(1);
    } finally {
      healthy.close();
    }
  });

  test('TransactionConflict on a business item is retryable, with no read; on the idempotency item it is read once', async () => {
    // The cancellation DynamoDB sends when another transaction holds an item, answered by an SDK
    // middleware (the request is not sent); the rest of the store runs against the engine.
    const onBusiness = answering(['TransactionConflict', 'None']);
    try {
      const layer = testLayer({ tableName, client: onBusiness.doc, singleWrite: true });
      const outcome = expectOutcome(
        await layer.idem.run(decoded(uniqueEvent('sw-conflict-business')), async () =>
          withWrites('r', [counters.increment('sw-conflict')]),
        ),
        'retry',
      );
      expect(outcome.error).toBeInstanceOf(StoreUnavailableError);
      expect(onBusiness.requests.byOperation.get('GetItem') ?? 0).toBe(0);
      expect(await readRecord(doc, tableName, outcome.key.id)).toBeUndefined();
    } finally {
      onBusiness.close();
    }

    const key = { id: `idem:v1:svc:t.v1:sw-conflict-${Date.now()}`, payloadHash: 'h', eventType: 't.v1' };
    const onMark = answering(['None', 'TransactionConflict']);
    try {
      const store = new IdempotencyStore({ tableName, client: onMark.doc });
      const commit = () =>
        store.commit(key, { ttlSeconds: 60 }, { status: 'completed', result: 'mine' }, [
          counters.increment('sw-conflict'),
        ]);
      // Nothing stored: the one read finds nothing, so the commit is retried.
      await expect(commit()).rejects.toBeInstanceOf(StoreUnavailableError);
      expect(onMark.requests.byOperation.get('GetItem')).toBe(1);
      // The winner's record stored: the one read finds it, a duplicate with its result.
      await new IdempotencyStore({ tableName, client: doc }).commit(
        key,
        { ttlSeconds: 60 },
        { status: 'completed', result: { winner: true } },
      );
      const found = await commit();
      expect(found.kind).toBe('exists');
      expect(found.kind === 'exists' ? JSON.parse(found.record.result ?? 'null') : undefined).toEqual({
        winner: true,
      });
      expect(onMark.requests.byOperation.get('GetItem')).toBe(2);
    } finally {
      onMark.close();
    }
    expect(await counters.value('sw-conflict')).toBeUndefined();
  });
});

describe('single-write: crash before commit', () => {
  test('a handler that dies before its commit leaves nothing behind; the redelivery processes it at once', async () => {
    const t = singleWriteLayer();
    try {
      const event = uniqueEvent('sw-crash');
      // The worker "dies" in the handler: its run never finishes.
      const dying = deferred();
      const abandoned = t.idem.run(decoded(event), async () => {
        dying.resolve();
        await new Promise(() => undefined);
        return withWrites('never', [counters.increment('sw-crash')]);
      });
      void abandoned;
      await dying.promise;
      const key = t.idem.keyFor(decoded(event));
      expect(await readRecord(doc, tableName, key.id)).toBeUndefined();
      expect(await counters.value('sw-crash')).toBeUndefined();
      // No lease to wait for: the next delivery commits straight away.
      const next = singleWriteLayer();
      try {
        expectOutcome(
          await next.idem.run(decoded(event), async () =>
            withWrites('done', [counters.increment('sw-crash')]),
          ),
          'processed',
        );
        expect(await counters.value('sw-crash')).toBe(1);
      } finally {
        next.close();
      }
    } finally {
      t.close();
    }
  });
});

describe('single-write: TTL expiry and clock skew', () => {
  test('an expired completed record (still present) is overwritten by the redelivery, which runs the effect again', async () => {
    const clock = new ManualClock();
    const t = singleWriteLayer({ clock });
    try {
      const event = uniqueEvent('sw-ttl');
      const first = expectOutcome(
        await t.idem.run(decoded(event), async () =>
          withWrites({ round: 1 }, [counters.increment('sw-ttl')]),
        ),
        'processed',
      );
      clock.advance(86_400 * 1000 + 2_000);
      expect(await readRecord(doc, tableName, first.key.id)).toBeDefined();
      const second = expectOutcome(
        await t.idem.run(decoded(event), async () =>
          withWrites({ round: 2 }, [counters.increment('sw-ttl')]),
        ),
        'processed',
      );
      expect(second.result).toEqual({ round: 2 });
      expect(await counters.value('sw-ttl')).toBe(2);
      const record = await mustReadRecord(doc, tableName, first.key.id);
      expect(JSON.parse(record.result ?? 'null')).toEqual({ round: 2 });
      expect(record.attempts).toBe(2);
    } finally {
      t.close();
    }
  });

  test("a two-phase worker's live processing record stops a single-write commit (in-progress-elsewhere), even from a clock ahead by less than the skew; past lease and skew it commits", async () => {
    const clock = new ManualClock();
    const claimer = testLayer({
      tableName,
      client: doc,
      clock,
      fallbackLeaseMs: LEASE_MS,
      clockSkewMs: SKEW_MS,
    });
    const event = uniqueEvent('sw-skew');
    const holding = deferred();
    const release = deferred();
    const held = claimer.idem.run(decoded(event), async () => {
      holding.resolve();
      await release.promise;
      return 'claimer';
    });
    await holding.promise;
    // Ahead by the lease, but within the skew margin: the lease is not over for the condition.
    const ahead = singleWriteLayer({ clock: skewedClock(clock, LEASE_MS + SKEW_MS / 2) });
    try {
      const refused = expectOutcome(
        await ahead.idem.run(decoded(event), async () =>
          withWrites('ahead', [counters.increment('sw-skew')]),
        ),
        'in-progress-elsewhere',
      );
      expect(refused.error).toBeInstanceOf(InProgressElsewhereError);
      expect(await counters.value('sw-skew')).toBeUndefined();
    } finally {
      ahead.close();
    }
    // Past lease plus skew: the single-write commit takes the record over, and the stale claimer's
    // completion is refused by its fencing.
    const late = singleWriteLayer({ clock: skewedClock(clock, LEASE_MS + SKEW_MS + 1) });
    try {
      expectOutcome(
        await late.idem.run(decoded(event), async () => withWrites('late', [counters.increment('sw-skew')])),
        'processed',
      );
    } finally {
      late.close();
    }
    release.resolve();
    expectOutcome(await held, 'retry');
    expect(claimer.metrics.count(MetricName.LEASE_LOST)).toBe(1);
    expect(await counters.value('sw-skew')).toBe(1);
    const record = await mustReadRecord(doc, tableName, claimer.idem.keyFor(decoded(event)).id);
    expect(record.status).toBe(RecordStatus.COMPLETED);
    expect(JSON.parse(record.result ?? 'null')).toBe('late');
  });
});

describe('single-write: limits', () => {
  test('more writes than a transaction carries is permanent and writes nothing but the failed record', async () => {
    const t = singleWriteLayer();
    try {
      const writes = Array.from({ length: 100 }, (_, i) => counters.increment(`sw-many-${i}`));
      const outcome = expectOutcome(
        await t.idem.run(decoded(uniqueEvent('sw-many')), async () => withWrites('x', writes)),
        'failed',
      );
      expect(outcome.error).toBeInstanceOf(PermanentError);
      expect(await counters.value('sw-many-0')).toBeUndefined();
      expect((await mustReadRecord(doc, tableName, outcome.key.id)).status).toBe(RecordStatus.FAILED);
    } finally {
      t.close();
    }
  });
});

/**
 * A client whose TransactWriteItems are answered with a `TransactionCanceledException` carrying
 * `codes` (as the SDK raises it, before the request is sent), with a request counter.
 */
function answering(codes: readonly string[]) {
  const own = clients({ maxAttempts: 1 });
  const requests = countRequests(own.doc);
  own.doc.middlewareStack.add(
    (next, context) => async (args) => {
      if (context.commandName === 'TransactWriteItemsCommand') {
        throw Object.assign(new Error(`Transaction cancelled [${codes.join(', ')}]`), {
          name: 'TransactionCanceledException',
          $fault: 'client',
          $metadata: { httpStatusCode: 400 },
          CancellationReasons: codes.map((Code) => ({ Code, Message: Code })),
        });
      }
      return next(args);
    },
    { step: 'initialize', name: `cancel-${Math.random().toString(36).slice(2)}` },
  );
  return { doc: own.doc, requests, close: () => own.raw.destroy() };
}
