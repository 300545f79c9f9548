import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import {
  type Claim,
  IdempotencyStore,
  InProgressElsewhereError,
  LeaseLostError,
  MetricName,
  type Outcome,
  PermanentError,
  RecordStatus,
  RetryableError,
} from '../../../shared/internal';
import { clients, freshIdempotencyTable } from '../../helpers/dynamo';
import {
  decoded,
  deferred,
  expectOutcome,
  ManualClock,
  must,
  mustReadRecord,
  skewedClock,
  testLayer,
  uniqueEvent,
} from '../../helpers/layer';

const LEASE_MS = 30_000;
const SKEW_MS = 1_000;
const CONTEXT = { service: 'svc' };

let raw: DynamoDBClient;
let doc: DynamoDBDocumentClient;
let tableName: string;

beforeAll(async () => {
  ({ raw, doc } = clients());
  tableName = await freshIdempotencyTable(raw, 'leases');
});

afterAll(() => {
  raw.destroy();
});

/** Two workers on the same table with their own clients, sharing one clock unless told otherwise. */
function twoWorkers(clock: ManualClock, bOffsetMs = 0) {
  const b = clients();
  const a = testLayer({ tableName, client: doc, clock, fallbackLeaseMs: LEASE_MS, clockSkewMs: SKEW_MS });
  const bLayer = testLayer({
    tableName,
    client: b.doc,
    clock: skewedClock(clock, bOffsetMs),
    fallbackLeaseMs: LEASE_MS,
    clockSkewMs: SKEW_MS,
  });
  return { a, b: bLayer, close: () => b.raw.destroy() };
}

describe('crash after claim', () => {
  test('a redelivery waits while the lease and the skew margin last, then takes the record over', async () => {
    const clock = new ManualClock();
    const { a, b, close } = twoWorkers(clock);
    try {
      const event = uniqueEvent('row5');
      const key = a.idem.keyFor(decoded(event));
      // Worker A claims and crashes: nothing completes, releases or fails the record.
      const storeA = new IdempotencyStore({ tableName, client: doc, clock, clockSkewMs: SKEW_MS });
      const crashed = await storeA.claim(key, {
        leaseMs: LEASE_MS,
        ttlSeconds: 3_600,
        context: CONTEXT,
      });
      if (crashed.kind !== 'claimed') throw new Error('worker A could not claim a fresh key');
      const leaseEnd = crashed.claim.leaseExpiresAt;

      let calls = 0;
      const handler = async () => {
        calls += 1;
        return 'redone';
      };
      clock.advance(LEASE_MS - 1);
      const early = expectOutcome(await b.idem.run(decoded(event), handler), 'in-progress-elsewhere');
      expect(early.error).toBeInstanceOf(InProgressElsewhereError);
      expect(early.error.leaseExpiresAt).toBe(leaseEnd);

      // The lease is over but the skew margin is not.
      clock.advance(1 + SKEW_MS / 2);
      expectOutcome(await b.idem.run(decoded(event), handler), 'in-progress-elsewhere');
      clock.advance(SKEW_MS / 2);
      expectOutcome(await b.idem.run(decoded(event), handler), 'in-progress-elsewhere');
      expect(calls).toBe(0);
      expect((await mustReadRecord(doc, tableName, key.id)).owner).toBe(crashed.claim.owner);

      clock.advance(1);
      const taken = expectOutcome(await b.idem.run(decoded(event), handler), 'processed');
      expect(taken.takeover).toBe(true);
      expect(taken.result).toBe('redone');
      expect(calls).toBe(1);
      expect(b.metrics.count(MetricName.TAKEOVER)).toBe(1);
      expect(b.metrics.count(MetricName.IN_PROGRESS_ELSEWHERE)).toBe(3);
      const takeoverLog = must(b.logger.withAction('takeover')[0], 'a takeover log');
      expect(takeoverLog.fields.previous_owner).toBe(crashed.claim.owner);
      expect(takeoverLog.fields.idempotency_key).toBe(key.id);

      const record = await mustReadRecord(doc, tableName, key.id);
      expect(record.status).toBe(RecordStatus.COMPLETED);
      expect(record.owner).not.toBe(crashed.claim.owner);
      expect(record.attempts).toBe(2);

      // The crashed worker, were it to come back, can no longer finish the record.
      await expect(storeA.complete(crashed.claim, 'late')).rejects.toBeInstanceOf(LeaseLostError);
      expect((await mustReadRecord(doc, tableName, key.id)).result).toBe(JSON.stringify('redone'));
    } finally {
      close();
    }
  });
});

describe('the lease expires while a slow handler runs', () => {
  /**
   * Worker A's handler is slow: while it runs, the clock passes A's lease and the skew margin and
   * worker B takes the record over; B's handler is then held so its record stays `processing`.
   * Returns what A's handler should do next.
   */
  async function overtake(label: string, finishA: () => Promise<unknown>) {
    const clock = new ManualClock();
    const workers = twoWorkers(clock);
    const { a, b } = workers;
    const event = uniqueEvent(label);
    const key = a.idem.keyFor(decoded(event));
    const bStarted = deferred();
    const bGate = deferred();
    let bRun: Promise<Outcome<string>> | undefined;
    let aCalls = 0;
    const aOutcome = await a.idem.run(
      decoded(event),
      async () => {
        aCalls += 1;
        clock.advance(LEASE_MS + SKEW_MS + 1);
        bRun = b.idem.run(decoded(event), async () => {
          bStarted.resolve();
          await bGate.promise;
          return 'B';
        });
        await bStarted.promise;
        return finishA();
      },
      { deadLetter: async () => undefined },
    );
    const recordB = await mustReadRecord(doc, tableName, key.id);
    const bRunning = must(bRun, "B's run");
    return { ...workers, clock, event, key, aOutcome, aCalls, bGate, recordB, bRun: () => bRunning };
  }

  test("A's stale completion is refused (LeaseLostError, outcome retry) and B's record stays intact", async () => {
    const t = await overtake('row7-complete', async () => 'A');
    try {
      const outcome = expectOutcome(t.aOutcome, 'retry');
      expect(outcome.error).toBeInstanceOf(LeaseLostError);
      const lost = outcome.error as LeaseLostError;
      expect(lost.currentOwner).toBe(t.recordB.owner);
      expect(t.aCalls).toBe(1);
      expect(t.a.metrics.count(MetricName.LEASE_LOST)).toBe(1);
      expect(t.a.metrics.count(MetricName.PROCESSED)).toBe(0);
      expect(t.a.logger.withAction('lease-lost')).toHaveLength(1);
      expect(t.recordB.status).toBe(RecordStatus.PROCESSING);
      expect(t.recordB.result).toBeUndefined();
      expect(await mustReadRecord(doc, tableName, t.key.id)).toEqual(t.recordB);

      t.bGate.resolve();
      const bOutcome = expectOutcome(await t.bRun(), 'processed');
      expect(bOutcome.takeover).toBe(true);
      const final = await mustReadRecord(doc, tableName, t.key.id);
      expect(final.status).toBe(RecordStatus.COMPLETED);
      expect(final.owner).toBe(t.recordB.owner);
      expect(final.result).toBe(JSON.stringify('B'));
    } finally {
      t.close();
    }
  });

  test("A's release after a retryable error is refused and B's record stays intact", async () => {
    const t = await overtake('row13-release', async () => {
      throw new RetryableError('downstream timed out');
    });
    try {
      const outcome = expectOutcome(t.aOutcome, 'retry');
      expect(outcome.error).toBeInstanceOf(RetryableError);
      expect(t.a.metrics.count(MetricName.RELEASED)).toBe(0);
      expect(t.a.metrics.count(MetricName.LEASE_LOST)).toBe(1);
      const log = must(t.a.logger.withAction('release-failed')[0], 'a release-failed log');
      expect(String(log.fields.error)).toContain('LeaseLostError');
      expect(await mustReadRecord(doc, tableName, t.key.id)).toEqual(t.recordB);
      t.bGate.resolve();
      await t.bRun();
      expect((await mustReadRecord(doc, tableName, t.key.id)).status).toBe(RecordStatus.COMPLETED);
    } finally {
      t.close();
    }
  });

  test("A's fail after a permanent error is refused and B's record stays intact", async () => {
    const t = await overtake('row7-fail', async () => {
      throw new PermanentError('rejected by rule 7');
    });
    try {
      expectOutcome(t.aOutcome, 'failed');
      const log = must(t.a.logger.withAction('fail-mark-failed')[0], 'a fail-mark-failed log');
      expect(String(log.fields.error)).toContain('LeaseLostError');
      expect(await mustReadRecord(doc, tableName, t.key.id)).toEqual(t.recordB);
      t.bGate.resolve();
      await t.bRun();
      const final = await mustReadRecord(doc, tableName, t.key.id);
      expect(final.status).toBe(RecordStatus.COMPLETED);
      expect(final.owner).toBe(t.recordB.owner);
    } finally {
      t.close();
    }
  });

  test('store level: every write of the stale owner is refused, whether the new owner holds or finished the record', async () => {
    const clock = new ManualClock();
    const store = (client: DynamoDBDocumentClient) =>
      new IdempotencyStore({ tableName, client, clock, clockSkewMs: SKEW_MS });
    const b = clients();
    try {
      const storeA = store(doc);
      const storeB = store(b.doc);
      const key = testLayer({ tableName, client: doc }).idem.keyFor(decoded(uniqueEvent('store-fencing')));
      const request = { leaseMs: LEASE_MS, ttlSeconds: 3_600, context: CONTEXT };
      const a = await storeA.claim(key, request);
      if (a.kind !== 'claimed') throw new Error('A could not claim a fresh key');

      // Before the lease ends B is refused and sees A's record.
      const refused = await storeB.claim(key, request);
      expect(refused.kind).toBe('exists');

      clock.advance(LEASE_MS + SKEW_MS + 1);
      const bClaim = await storeB.claim(key, request);
      if (bClaim.kind !== 'claimed') throw new Error('B could not take over an expired lease');
      expect(bClaim.claim.takeover).toBe(true);
      expect(bClaim.claim.previousOwner).toBe(a.claim.owner);
      const held = await mustReadRecord(doc, tableName, key.id);
      expect(held.owner).toBe(bClaim.claim.owner);

      for (const attempt of [
        () => storeA.complete(a.claim, 'stale'),
        () => storeA.release(a.claim),
        () => storeA.fail(a.claim, new Error('stale')),
      ]) {
        const error = await attempt().then(
          () => undefined,
          (e: unknown) => e,
        );
        expect(error).toBeInstanceOf(LeaseLostError);
        expect((error as LeaseLostError).currentOwner).toBe(bClaim.claim.owner);
        expect(await mustReadRecord(doc, tableName, key.id)).toEqual(held);
      }

      await storeB.complete(bClaim.claim, 'fresh');
      const done = await mustReadRecord(doc, tableName, key.id);
      expect(done.status).toBe(RecordStatus.COMPLETED);
      for (const attempt of [
        () => storeA.complete(a.claim, 'stale'),
        () => storeA.release(a.claim),
        () => storeA.fail(a.claim, new Error('stale')),
      ]) {
        await expect(attempt()).rejects.toBeInstanceOf(LeaseLostError);
        expect(await mustReadRecord(doc, tableName, key.id)).toEqual(done);
      }
    } finally {
      b.raw.destroy();
    }
  });
});

describe('the release condition: owner = mine AND status = processing', () => {
  test.each([
    ['completed', (s: IdempotencyStore, c: Claim) => s.complete(c, 'done').then(() => undefined)],
    ['failed', (s: IdempotencyStore, c: Claim) => s.fail(c, new Error('bad'))],
  ])('a release never deletes a record its own claim already %s', async (status, finish) => {
    const clock = new ManualClock();
    const store = new IdempotencyStore({ tableName, client: doc, clock, clockSkewMs: SKEW_MS });
    const key = testLayer({ tableName, client: doc }).idem.keyFor(decoded(uniqueEvent(`release-${status}`)));
    const claimed = await store.claim(key, { leaseMs: LEASE_MS, ttlSeconds: 3_600, context: CONTEXT });
    if (claimed.kind !== 'claimed') throw new Error('could not claim a fresh key');
    await finish(store, claimed.claim);
    const finished = await mustReadRecord(doc, tableName, key.id);
    expect(finished.status).toBe(status);

    await expect(store.release(claimed.claim)).rejects.toBeInstanceOf(LeaseLostError);

    expect(await mustReadRecord(doc, tableName, key.id)).toEqual(finished);
  });
});

describe('release racing a takeover', () => {
  test("whichever lands first, the new owner's claim survives and the stale release never deletes it", async () => {
    const clock = new ManualClock();
    const b = clients();
    try {
      const storeA = new IdempotencyStore({ tableName, client: doc, clock, clockSkewMs: SKEW_MS });
      const storeB = new IdempotencyStore({ tableName, client: b.doc, clock, clockSkewMs: SKEW_MS });
      const request = { leaseMs: LEASE_MS, ttlSeconds: 3_600, context: CONTEXT };
      const seen = { releasedFirst: 0, tookOverFirst: 0 };
      for (let i = 0; i < 20; i++) {
        const key = testLayer({ tableName, client: doc }).idem.keyFor(decoded(uniqueEvent(`race-${i}`)));
        const a = await storeA.claim(key, request);
        if (a.kind !== 'claimed') throw new Error('A could not claim a fresh key');
        clock.advance(LEASE_MS + SKEW_MS + 1);
        const [released, bClaim] = await Promise.all([
          storeA.release(a.claim).then(
            () => 'released' as const,
            (e: unknown) => e,
          ),
          storeB.claim(key, request),
        ]);
        if (bClaim.kind !== 'claimed') throw new Error('B could not claim after the lease ended');
        if (released === 'released') {
          seen.releasedFirst += 1;
          expect(bClaim.claim.takeover).toBe(false);
        } else {
          seen.tookOverFirst += 1;
          expect(released).toBeInstanceOf(LeaseLostError);
          expect(bClaim.claim.takeover).toBe(true);
        }
        const record = await mustReadRecord(doc, tableName, key.id);
        expect(record.owner).toBe(bClaim.claim.owner);
        expect(record.status).toBe(RecordStatus.PROCESSING);
      }
      expect(seen.releasedFirst + seen.tookOverFirst).toBe(20);
    } finally {
      b.raw.destroy();
    }
  });
});

describe('clock skew between workers', () => {
  test('a worker whose clock runs ahead by less than the skew margin cannot take over a live lease', async () => {
    const clock = new ManualClock();
    const { a, b, close } = twoWorkers(clock, SKEW_MS - 100);
    try {
      const event = uniqueEvent('row19-within');
      const aStarted = deferred();
      const aGate = deferred();
      const aRun = a.idem.run(decoded(event), async () => {
        aStarted.resolve();
        await aGate.promise;
        return 'A';
      });
      await aStarted.promise;
      const record = await mustReadRecord(doc, tableName, a.idem.keyFor(decoded(event)).id);

      // By A's clock its lease ends exactly now; B's clock is 900 ms further on.
      clock.advance(LEASE_MS);
      expect(clock.now()).toBe(record.lease_expires_at);
      let bCalls = 0;
      const bOutcome = await b.idem.run(decoded(event), async () => {
        bCalls += 1;
        return 'B';
      });
      expectOutcome(bOutcome, 'in-progress-elsewhere');
      expect(bCalls).toBe(0);
      expect(b.metrics.count(MetricName.TAKEOVER)).toBe(0);

      aGate.resolve();
      const aOutcome = expectOutcome(await aRun, 'processed');
      expect(aOutcome.result).toBe('A');
      const final = await mustReadRecord(doc, tableName, aOutcome.key.id);
      expect(final.owner).toBe(record.owner);
      expect(final.status).toBe(RecordStatus.COMPLETED);
    } finally {
      close();
    }
  });

  test('a worker whose clock runs ahead by more than lease plus margin takes over at once, and the fencing still holds', async () => {
    const clock = new ManualClock();
    const { a, b, close } = twoWorkers(clock, LEASE_MS + SKEW_MS + 1);
    try {
      const event = uniqueEvent('row19-beyond');
      const aStarted = deferred();
      const aGate = deferred();
      const aRun = a.idem.run(decoded(event), async () => {
        aStarted.resolve();
        await aGate.promise;
        return 'A';
      });
      await aStarted.promise;
      const key = a.idem.keyFor(decoded(event));
      const aRecord = await mustReadRecord(doc, tableName, key.id);

      const bOutcome = expectOutcome(await b.idem.run(decoded(event), async () => 'B'), 'processed');
      expect(bOutcome.takeover).toBe(true);
      expect(b.metrics.count(MetricName.TAKEOVER)).toBe(1);

      aGate.resolve();
      const aOutcome = expectOutcome(await aRun, 'retry');
      expect(aOutcome.error).toBeInstanceOf(LeaseLostError);
      const final = await mustReadRecord(doc, tableName, key.id);
      expect(final.owner).not.toBe(aRecord.owner);
      expect(final.result).toBe(JSON.stringify('B'));
    } finally {
      close();
    }
  });
});
