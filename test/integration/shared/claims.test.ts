import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import {
  DeadLetterUnavailableError,
  decodeEvent,
  type EventEnvelope,
  IdempotencyStore,
  InProgressElsewhereError,
  MetricName,
  PayloadMismatchError,
  PermanentError,
  type PermanentFailure,
  RecordStatus,
  RetryableError,
} from '../../../shared/internal';
import { countRequests } from '../../../tools/testing/sdk-middleware';
import { clients, freshIdempotencyTable } from '../../helpers/dynamo';
import {
  bytesOf,
  decoded,
  deferred,
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
  tableName = await freshIdempotencyTable(raw, 'claims');
});

afterAll(() => {
  raw.destroy();
});

/** A distinct event per test, so tests sharing the table never meet on a key. */
function uniqueEvent(label: string, overrides: Partial<EventEnvelope> = {}): EventEnvelope {
  return envelope({ event_id: `evt-${label}`, data: { test: label, amount: 10 }, ...overrides });
}

describe('the same event twice in a row', () => {
  test('the second delivery is a duplicate carrying the cached result; the handler ran once', async () => {
    const clock = new ManualClock();
    const { idem, metrics, logger } = testLayer({ tableName, client: doc, clock });
    const event = uniqueEvent('row1');
    let calls = 0;
    const handler = async () => {
      calls += 1;
      return { invoice: `inv-${calls}` };
    };

    const first = expectOutcome(await idem.run(decoded(event), handler), 'processed');
    clock.advance(5_000);
    const second = expectOutcome(await idem.run(decoded(event), handler), 'duplicate');

    expect(first.result).toEqual({ invoice: 'inv-1' });
    expect(first.takeover).toBe(false);
    expect(second.result).toEqual({ invoice: 'inv-1' });
    expect(second.previousStatus).toBe('completed');
    expect(second.key.id).toBe(first.key.id);
    expect(calls).toBe(1);
    expect(metrics.count(MetricName.PROCESSED)).toBe(1);
    expect(metrics.count(MetricName.DUPLICATE)).toBe(1);
    expect(logger.withAction('duplicate')).toHaveLength(1);

    const record = await mustReadRecord(doc, tableName, first.key.id);
    expect(record.status).toBe(RecordStatus.COMPLETED);
    expect(record.lease_expires_at).toBeUndefined();
    expect(record.attempts).toBe(1);
    expect(record.event_id).toBe('evt-row1');
    expect(record.correlation_id).toBe('corr-1');
    expect(record.service).toBe('svc');
    expect(JSON.parse(record.result ?? 'null')).toEqual({ invoice: 'inv-1' });
  });

  test('a pre-read completed record (batch pre-check) short-cuts to duplicate without a write', async () => {
    const { idem } = testLayer({ tableName, client: doc });
    const event = uniqueEvent('row1-known');
    const first = expectOutcome(await idem.run(decoded(event), async () => 'done'), 'processed');
    const known = await new IdempotencyStore({ tableName, client: doc }).get(first.key.id);
    const counter = countRequests(doc);
    try {
      const again = expectOutcome(
        await idem.run(decoded(event), async () => 'again', { known: known ?? null }),
        'duplicate',
      );
      expect(again.result).toBe('done');
      expect(counter.total()).toBe(0);
    } finally {
      counter.remove();
    }
  });
});

describe('N concurrent workers on one key', () => {
  test('20 concurrent claims: exactly one winner, the others in-progress-elsewhere, the handler ran once', async () => {
    const workers = Array.from({ length: 20 }, () => clients());
    try {
      const event = uniqueEvent('row4');
      const layers = workers.map((w) => testLayer({ tableName, client: w.doc }));
      // The winner's handler is held until every other worker has an outcome, so the others meet a
      // live `processing` record rather than a finished one. The gate also opens if several
      // handlers start (the bug this test looks for), so a broken store fails instead of hanging.
      let started = 0;
      let finishedWithoutHandler = 0;
      const gate = deferred();
      const check = () => {
        if (started + finishedWithoutHandler === layers.length) gate.resolve();
      };
      const outcomes = await Promise.all(
        layers.map(async ({ idem }, i) => {
          let ranHandler = false;
          const outcome = await idem.run(decoded(event), async () => {
            ranHandler = true;
            started += 1;
            check();
            await gate.promise;
            return { winner: i };
          });
          if (!ranHandler) {
            finishedWithoutHandler += 1;
            check();
          }
          return outcome;
        }),
      );

      expect(started).toBe(1);
      const winners = outcomes.filter((o) => o.status === 'processed');
      const others = outcomes.filter((o) => o.status === 'in-progress-elsewhere');
      expect(winners).toHaveLength(1);
      expect(others).toHaveLength(19);
      for (const other of others) {
        const { error } = expectOutcome(other, 'in-progress-elsewhere');
        expect(error).toBeInstanceOf(InProgressElsewhereError);
        expect(error.retryable).toBe(true);
      }
      const totals = (name: string) => layers.reduce((sum, l) => sum + l.metrics.count(name), 0);
      expect(totals(MetricName.PROCESSED)).toBe(1);
      expect(totals(MetricName.IN_PROGRESS_ELSEWHERE)).toBe(19);
      expect(totals(MetricName.TAKEOVER)).toBe(0);

      const winner = expectOutcome(must(winners[0], 'a winner'), 'processed');
      const record = await mustReadRecord(doc, tableName, winner.key.id);
      expect(record.status).toBe(RecordStatus.COMPLETED);
      expect(record.attempts).toBe(1);
      expect(JSON.parse(record.result ?? 'null')).toEqual(winner.result);
    } finally {
      for (const w of workers) w.raw.destroy();
    }
  });
});

describe('leases', () => {
  test('the lease is the Lambda remaining time plus the margin, and a remaining time of 0 still gets the margin', async () => {
    const clock = new ManualClock();
    const { idem } = testLayer({ tableName, client: doc, clock, leaseMarginMs: 2_000 });
    const seen: number[] = [];
    const handler = async (_e: EventEnvelope, info: { leaseExpiresAt: number }) => {
      seen.push(info.leaseExpiresAt);
      const record = await mustReadRecord(doc, tableName, idem.keyFor(decoded(uniqueEvent('lease-ctx'))).id);
      return record.lease_expires_at;
    };
    const withTime = expectOutcome(
      await idem.run(decoded(uniqueEvent('lease-ctx')), handler, {
        lambdaContext: { getRemainingTimeInMillis: () => 5_000 },
      }),
      'processed',
    );
    expect(withTime.result).toBe(clock.now() + 7_000);
    expect(seen).toEqual([clock.now() + 7_000]);

    const zero = expectOutcome(
      await idem.run(
        decoded(uniqueEvent('lease-zero')),
        async () => {
          const id = idem.keyFor(decoded(uniqueEvent('lease-zero'))).id;
          return (await mustReadRecord(doc, tableName, id)).lease_expires_at;
        },
        { lambdaContext: { getRemainingTimeInMillis: () => 0 } },
      ),
      'processed',
    );
    expect(zero.result).toBe(clock.now() + 2_000);
  });

  test('without a Lambda context the fallback lease applies, never an unbounded one', async () => {
    const clock = new ManualClock();
    const { idem } = testLayer({ tableName, client: doc, clock, fallbackLeaseMs: 3_000 });
    const event = uniqueEvent('lease-fallback');
    const id = idem.keyFor(decoded(event)).id;
    const outcome = expectOutcome(
      await idem.run(decoded(event), async () => (await mustReadRecord(doc, tableName, id)).lease_expires_at),
      'processed',
    );
    expect(outcome.result).toBe(clock.now() + 3_000);
  });
});

describe('handler errors', () => {
  test('a retryable handler error releases the record; the redelivery processes it', async () => {
    const { idem, metrics, logger } = testLayer({ tableName, client: doc });
    const event = uniqueEvent('retryable');
    const first = expectOutcome(
      await idem.run(decoded(event), async () => {
        throw new RetryableError('content service unavailable (503)');
      }),
      'retry',
    );
    expect(first.error).toBeInstanceOf(RetryableError);
    expect(await readRecord(doc, tableName, first.key.id)).toBeUndefined();
    expect(metrics.count(MetricName.RELEASED)).toBe(1);
    expect(logger.withAction('retry')[0]?.fields.released).toBe(true);

    const second = expectOutcome(await idem.run(decoded(event), async () => 'ok'), 'processed');
    expect(second.result).toBe('ok');
  });

  test('a permanent handler error marks the record failed, dead-letters it once, and redeliveries are duplicates', async () => {
    const clock = new ManualClock();
    const { idem, metrics } = testLayer({ tableName, client: doc, clock });
    const event = uniqueEvent('permanent');
    const dead: PermanentFailure[] = [];
    const deadLetter = async (failure: PermanentFailure) => {
      dead.push(failure);
    };
    let calls = 0;
    const handler = async () => {
      calls += 1;
      throw new PermanentError('unknown customer c-404');
    };
    const first = expectOutcome(await idem.run(decoded(event), handler, { deadLetter }), 'failed');
    expect(first.error).toBeInstanceOf(PermanentError);
    const record = await mustReadRecord(doc, tableName, first.key.id);
    expect(record.status).toBe(RecordStatus.FAILED);
    expect(record.error).toEqual({ name: 'PermanentError', message: 'unknown customer c-404' });
    expect(record.lease_expires_at).toBeUndefined();

    clock.advance(1_000);
    const second = expectOutcome(await idem.run(decoded(event), handler, { deadLetter }), 'duplicate');
    expect(second.previousStatus).toBe('failed');
    expect(calls).toBe(1);
    expect(dead).toHaveLength(1);
    expect(dead[0]?.key.id).toBe(first.key.id);
    expect(metrics.count(MetricName.DEAD_LETTERED)).toBe(1);
    expect(metrics.count(MetricName.FAILED)).toBe(1);
  });

  test('a dead-letter callback that throws releases the record and asks for a retry; nothing is lost', async () => {
    const { idem, metrics, logger } = testLayer({ tableName, client: doc });
    const event = uniqueEvent('dlq-down');
    const outcome = expectOutcome(
      await idem.run(
        decoded(event),
        async () => {
          throw new PermanentError('schema violation');
        },
        {
          deadLetter: async () => {
            throw new Error('SQS unavailable');
          },
        },
      ),
      'retry',
    );
    expect(outcome.error).toBeInstanceOf(DeadLetterUnavailableError);
    expect((outcome.error as DeadLetterUnavailableError).cause).toEqual(new Error('SQS unavailable'));
    expect(metrics.count(MetricName.DEAD_LETTER_FAILED)).toBe(1);
    expect(await readRecord(doc, tableName, outcome.key.id)).toBeUndefined();
    expect(metrics.count(MetricName.RELEASED)).toBe(1);
    expect(metrics.count(MetricName.FAILED)).toBe(0);
    expect(logger.withAction('dead-letter-failed')).toHaveLength(1);

    const dead: PermanentFailure[] = [];
    const again = expectOutcome(
      await idem.run(
        decoded(event),
        async () => {
          throw new PermanentError('schema violation');
        },
        {
          deadLetter: async (f) => {
            dead.push(f);
          },
        },
      ),
      'failed',
    );
    expect(dead).toHaveLength(1);
    expect((await mustReadRecord(doc, tableName, again.key.id)).status).toBe(RecordStatus.FAILED);
  });
});

describe('results that cannot be cached still complete the record', () => {
  test.each([
    ['too-large', 'over maxResultBytes', () => 'x'.repeat(2_000)],
    ['not-serializable', 'a BigInt', () => ({ total: BigInt(10) })],
    ['not-serializable', 'a function', () => () => 1],
  ] as const)('%s: %s', async (reason, label, make) => {
    const clock = new ManualClock();
    const { idem, metrics, logger } = testLayer({ tableName, client: doc, clock, maxResultBytes: 1_000 });
    const event = uniqueEvent(`uncached-${label}`);
    const outcome = expectOutcome(await idem.run(decoded(event), async () => make()), 'processed');
    expect(outcome.resultOmitted).toBe(reason);
    expect(metrics.count(MetricName.RESULT_NOT_CACHED)).toBe(1);
    expect(logger.withAction('result-not-cached')[0]?.fields.reason).toBe(reason);

    const record = await mustReadRecord(doc, tableName, outcome.key.id);
    expect(record.status).toBe(RecordStatus.COMPLETED);
    expect(record.result).toBeUndefined();
    expect(record.result_omitted).toBe(reason);

    const again = expectOutcome(await idem.run(decoded(event), async () => 'never'), 'duplicate');
    expect(again.result).toBeUndefined();
  });

  test('a result over DynamoDB 400 KB item limit with the default cap completes without it', async () => {
    const { idem, metrics } = testLayer({ tableName, client: doc });
    const event = uniqueEvent('uncached-500kb');
    const outcome = expectOutcome(
      await idem.run(decoded(event), async () => ({ blob: 'y'.repeat(500_000) })),
      'processed',
    );
    expect(outcome.resultOmitted).toBe('too-large');
    expect(metrics.count(MetricName.RESULT_NOT_CACHED)).toBe(1);
    expect((await mustReadRecord(doc, tableName, outcome.key.id)).status).toBe(RecordStatus.COMPLETED);
  });
});

describe('same key, different payload', () => {
  test('the second payload fails with PayloadMismatchError, is dead-lettered, and the original record is untouched', async () => {
    const clock = new ManualClock();
    const { idem, metrics } = testLayer({ tableName, client: doc, clock, keyStrategy: 'envelope' });
    const original = uniqueEvent('row16-a', { idempotency_key: 'order-16', data: { amount: 10 } });
    const impostor = uniqueEvent('row16-b', { idempotency_key: 'order-16', data: { amount: 99 } });
    const dead: PermanentFailure[] = [];
    const deadLetter = async (f: PermanentFailure) => {
      dead.push(f);
    };
    const calls: unknown[] = [];
    const handler = async (e: EventEnvelope) => {
      calls.push(e.data);
      return { charged: e.data.amount };
    };

    const first = expectOutcome(await idem.run(decoded(original), handler, { deadLetter }), 'processed');
    const before = await mustReadRecord(doc, tableName, first.key.id);
    clock.advance(1_000);
    const second = expectOutcome(await idem.run(decoded(impostor), handler, { deadLetter }), 'failed');

    expect(second.key.id).toBe(first.key.id);
    expect(second.error).toBeInstanceOf(PayloadMismatchError);
    expect(String((second.error as Error).message)).toContain(first.key.id);
    expect(calls).toEqual([{ amount: 10 }]);
    expect(dead).toHaveLength(1);
    expect(dead[0]?.error).toBe(second.error);
    const deadEvent = must(dead[0], 'a dead-lettered event').decoded;
    expect(deadEvent.ok ? deadEvent.envelope.data : undefined).toEqual({ amount: 99 });
    expect(metrics.count(MetricName.FAILED)).toBe(1);
    expect(await mustReadRecord(doc, tableName, first.key.id)).toEqual(before);

    const redelivered = expectOutcome(
      await idem.run(decoded(original), handler, { deadLetter }),
      'duplicate',
    );
    expect(redelivered.result).toEqual({ charged: 10 });
  });

  test('a different payload meeting a live processing record is a mismatch too, and does not disturb the holder', async () => {
    const clock = new ManualClock();
    const { idem } = testLayer({ tableName, client: doc, clock, keyStrategy: 'envelope' });
    const original = uniqueEvent('row16-c', { idempotency_key: 'order-16c', data: { amount: 1 } });
    const impostor = uniqueEvent('row16-d', { idempotency_key: 'order-16c', data: { amount: 2 } });
    const holding = deferred();
    const release = deferred();
    const running = idem.run(decoded(original), async () => {
      holding.resolve();
      await release.promise;
      return 'first';
    });
    await holding.promise;
    const key = idem.keyFor(decoded(original));
    const before = await mustReadRecord(doc, tableName, key.id);
    const mismatch = expectOutcome(await idem.run(decoded(impostor), async () => 'second'), 'failed');
    expect(mismatch.error).toBeInstanceOf(PayloadMismatchError);
    expect(await mustReadRecord(doc, tableName, key.id)).toEqual(before);
    release.resolve();
    expect(expectOutcome(await running, 'processed').result).toBe('first');
  });
});

describe('the handler mutates its input', () => {
  test('the completion lands on the key computed before the handler ran; a redelivery of the original bytes is a duplicate', async () => {
    const clock = new ManualClock();
    const { idem } = testLayer({ tableName, client: doc, clock });
    const event = uniqueEvent('row17', { data: { items: ['a', 'b'], amount: 5 } });
    const bytes = bytesOf(event);
    const originalKey = idem.keyFor(decodeEvent(bytes));
    let calls = 0;
    const handler = async (e: EventEnvelope) => {
      calls += 1;
      e.data.amount = 500;
      e.data.added = true;
      delete e.data.items;
      e.event_type = 'mutated.type.v1';
      return 'ok';
    };

    const first = expectOutcome(await idem.run(decodeEvent(bytes), handler), 'processed');
    expect(first.key.id).toBe(originalKey.id);
    expect((await mustReadRecord(doc, tableName, originalKey.id)).status).toBe(RecordStatus.COMPLETED);
    const mutatedKey = idem.keyFor(
      decoded(envelope({ ...event, event_type: 'mutated.type.v1', data: { amount: 500, added: true } })),
    );
    expect(mutatedKey.id).not.toBe(originalKey.id);
    expect(await readRecord(doc, tableName, mutatedKey.id)).toBeUndefined();

    clock.advance(1_000);
    const again = expectOutcome(await idem.run(decodeEvent(bytes), handler), 'duplicate');
    expect(again.key.id).toBe(originalKey.id);
    expect(calls).toBe(1);
  });
});

describe('TTL expiry then redelivery', () => {
  test('an expired completed record (still present: TTL deletion is lazy) is reclaimed and processed again', async () => {
    const clock = new ManualClock();
    const { idem, metrics } = testLayer({ tableName, client: doc, clock, defaultTtlSeconds: 60 });
    const event = uniqueEvent('row18');
    let calls = 0;
    const handler = async () => {
      calls += 1;
      return calls;
    };
    const first = expectOutcome(await idem.run(decoded(event), handler), 'processed');
    const completed = await mustReadRecord(doc, tableName, first.key.id);
    expect(completed.expiration).toBe(Math.floor(clock.now() / 1000) + 60);

    clock.advance(59_000);
    expectOutcome(await idem.run(decoded(event), handler), 'duplicate');
    expect(calls).toBe(1);

    clock.advance(2_000 + 1_000);
    expect(clock.now() / 1000).toBeGreaterThan(completed.expiration + 1);
    expect(await readRecord(doc, tableName, first.key.id)).toBeDefined();
    expect(await new IdempotencyStore({ tableName, client: doc, clock }).get(first.key.id)).toBeUndefined();

    const second = expectOutcome(await idem.run(decoded(event), handler), 'processed');
    expect(second.result).toBe(2);
    expect(second.takeover).toBe(false);
    expect(metrics.count(MetricName.TAKEOVER)).toBe(0);
    const reclaimed = await mustReadRecord(doc, tableName, first.key.id);
    expect(reclaimed.status).toBe(RecordStatus.COMPLETED);
    expect(reclaimed.attempts).toBe(2);
    expect(reclaimed.expiration).toBe(Math.floor(clock.now() / 1000) + 60);
    expect(JSON.parse(reclaimed.result ?? 'null')).toBe(2);
  });

  test('an expired failed record is reclaimed too, and the per-type TTL is honoured', async () => {
    const clock = new ManualClock();
    const event = uniqueEvent('row18-failed');
    const { idem } = testLayer({
      tableName,
      client: doc,
      clock,
      eventTypeTtlSeconds: { [event.event_type]: 10 },
    });
    const failed = expectOutcome(
      await idem.run(decoded(event), async () => {
        throw new PermanentError('bad');
      }),
      'failed',
    );
    const record = await mustReadRecord(doc, tableName, failed.key.id);
    expect(record.expiration).toBe(Math.floor(clock.now() / 1000) + 10);
    clock.advance(12_000);
    expect(expectOutcome(await idem.run(decoded(event), async () => 'fixed'), 'processed').result).toBe(
      'fixed',
    );
  });
});

describe('getMany', () => {
  test('reads 250 records in at most 3 BatchGetItem requests and leaves out the expired ones', async () => {
    const clock = new ManualClock();
    const { idem } = testLayer({ tableName, client: doc, clock });
    const store = new IdempotencyStore({ tableName, client: doc, clock });
    const live = Array.from({ length: 250 }, (_, i) => idem.keyFor(decoded(uniqueEvent(`many-${i}`))));
    const shortLived = Array.from({ length: 5 }, (_, i) =>
      idem.keyFor(decoded(uniqueEvent(`many-exp-${i}`))),
    );
    const context = { service: 'svc' };
    for (let i = 0; i < live.length; i += 50) {
      await Promise.all(
        live.slice(i, i + 50).map((key) => store.claim(key, { leaseMs: 1_000, ttlSeconds: 3_600, context })),
      );
    }
    await Promise.all(shortLived.map((key) => store.claim(key, { leaseMs: 1_000, ttlSeconds: 1, context })));
    clock.advance(5_000);

    const counter = countRequests(doc);
    try {
      const ids = [...live, ...shortLived, ...live.slice(0, 10)].map((k) => k.id);
      const found = await store.getMany(ids);
      expect(found.size).toBe(250);
      for (const key of live) expect(found.get(key.id)?.status).toBe(RecordStatus.PROCESSING);
      for (const key of shortLived) expect(found.has(key.id)).toBe(false);
      expect(counter.byOperation.get('BatchGetItem') ?? 0).toBeGreaterThanOrEqual(1);
      expect(counter.byOperation.get('BatchGetItem') ?? 0).toBeLessThanOrEqual(3);
      expect(counter.total()).toBe(counter.byOperation.get('BatchGetItem'));
    } finally {
      counter.remove();
    }
  });
});
