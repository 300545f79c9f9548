import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import {
  MetricName,
  PermanentError,
  RecordStatus,
  RetryableError,
  StoreUnavailableError,
} from '../../../shared/internal';
import { type DynamoDbLocal, startDynamoDbLocal } from '../../../tools/testing/dynamodb-local';
import { type AttemptInfo, type Fault, injectFaults } from '../../../tools/testing/sdk-middleware';
import { clients, freshIdempotencyTable } from '../../helpers/dynamo';
import {
  decoded,
  expectOutcome,
  ManualClock,
  must,
  mustReadRecord,
  readRecord,
  testLayer,
  uniqueEvent,
} from '../../helpers/layer';

const LEASE_MS = 30_000;
const SKEW_MS = 1_000;

let raw: DynamoDBClient;
let doc: DynamoDBDocumentClient;
let tableName: string;

beforeAll(async () => {
  ({ raw, doc } = clients());
  tableName = await freshIdempotencyTable(raw, 'faults');
});

afterAll(() => {
  raw.destroy();
});

/**
 * A client of its own (so the fault stays in this test) with a fault decided per HTTP attempt, and
 * a layer on it.
 */
function faultyLayer(
  decide: (attempt: AttemptInfo) => Fault | undefined,
  options: { clock?: ManualClock; maxAttempts?: number; failureMode?: 'fail-open' | 'fail-closed' } = {},
) {
  const faulty = clients({ maxAttempts: options.maxAttempts ?? 4 });
  const faults = injectFaults(faulty.doc, decide);
  const layer = testLayer({
    tableName,
    client: faulty.doc,
    clock: options.clock ?? new ManualClock(),
    fallbackLeaseMs: LEASE_MS,
    clockSkewMs: SKEW_MS,
    ...(options.failureMode ? { failureMode: options.failureMode } : {}),
  });
  return { ...layer, faults, close: () => faulty.raw.destroy() };
}

/** Counts attempts per operation so a decision can target "the n-th UpdateItem". */
function nth(operation: string, which: (n: number) => boolean, fault: Fault) {
  let n = 0;
  return (attempt: AttemptInfo): Fault | undefined => {
    if (attempt.operation !== operation) return undefined;
    n += 1;
    return which(n) ? fault : undefined;
  };
}

describe('store outage at claim (middleware)', () => {
  test('fail-closed: the outcome is retry with StoreUnavailableError, after the SDK retried; the handler does not run', async () => {
    const t = faultyLayer((a) => (a.operation === 'UpdateItem' ? 'outage' : undefined));
    try {
      let calls = 0;
      const outcome = expectOutcome(
        await t.idem.run(decoded(uniqueEvent('row8-closed')), async () => {
          calls += 1;
          return 'never';
        }),
        'retry',
      );
      expect(outcome.error).toBeInstanceOf(StoreUnavailableError);
      expect((outcome.error as StoreUnavailableError).operation).toBe('claim');
      expect((outcome.error as StoreUnavailableError).retryable).toBe(true);
      expect(calls).toBe(0);
      expect(t.faults.attempts.length).toBeGreaterThan(1);
      expect(t.faults.attempts.every((a) => a.operation === 'UpdateItem' && a.fault === 'outage')).toBe(true);
      expect(t.metrics.count(MetricName.STORE_ERROR)).toBe(1);
      expect(t.metrics.count(MetricName.RETRYABLE)).toBe(1);
      expect(t.metrics.count(MetricName.FAIL_OPEN)).toBe(0);
      expect(t.logger.withAction('retry')).toHaveLength(1);
      expect(await readRecord(doc, tableName, outcome.key.id)).toBeUndefined();
    } finally {
      t.close();
    }
  });

  test('fail-open: the handler runs exactly once without protection, loudly (error log, FailOpen metric)', async () => {
    const t = faultyLayer((a) => (a.operation === 'UpdateItem' ? 'outage' : undefined), {
      failureMode: 'fail-open',
    });
    try {
      let calls = 0;
      const outcome = expectOutcome(
        await t.idem.run(decoded(uniqueEvent('row8-open')), async () => {
          calls += 1;
          return 'unprotected';
        }),
        'processed',
      );
      expect(outcome.failOpen).toBe(true);
      expect(outcome.result).toBe('unprotected');
      expect(calls).toBe(1);
      expect(t.metrics.count(MetricName.FAIL_OPEN)).toBe(1);
      const loud = t.logger.withAction('fail-open');
      expect(loud).toHaveLength(1);
      expect(loud[0]?.level).toBe('error');
      expect(String(loud[0]?.fields.error)).toContain('StoreUnavailableError');
      expect(await readRecord(doc, tableName, outcome.key.id)).toBeUndefined();
    } finally {
      t.close();
    }
  });
});

describe('a dedicated DynamoDB Local engine, stopped mid-test', () => {
  let engine: DynamoDbLocal | undefined;
  let up = false;
  const dbPath = mkdtempSync(join(tmpdir(), 'ddb-faults-'));

  /** The engine, started again on the same port and files if a previous step stopped it. */
  async function start(): Promise<DynamoDbLocal> {
    if (engine === undefined || !up) {
      engine = await startDynamoDbLocal({ dbPath, ...(engine ? { port: engine.port } : {}) });
      up = true;
    }
    return engine;
  }

  async function stop(hard: boolean): Promise<void> {
    up = false;
    await engine?.stop({ hard });
  }

  beforeAll(async () => {
    await start();
  });

  afterAll(async () => {
    await stop(true);
    rmSync(dbPath, { recursive: true, force: true });
  });

  test('the engine dies during the handler; the record stays processing across the restart and is taken over after the lease', async () => {
    const own = clients({ endpoint: (await start()).endpoint, maxAttempts: 2 });
    const table = await freshIdempotencyTable(own.raw, 'stopped');
    const clock = new ManualClock();
    const layer = (client: DynamoDBDocumentClient) =>
      testLayer({ tableName: table, client, clock, fallbackLeaseMs: LEASE_MS, clockSkewMs: SKEW_MS });
    const a = layer(own.doc);
    const event = uniqueEvent('row9-engine');
    let calls = 0;
    try {
      const outcome = expectOutcome(
        await a.idem.run(decoded(event), async () => {
          calls += 1;
          await stop(true);
          return 'effect done';
        }),
        'retry',
      );
      expect(outcome.error).toBeInstanceOf(StoreUnavailableError);
      expect((outcome.error as StoreUnavailableError).operation).toBe('complete');
      expect(a.metrics.count(MetricName.RELEASED)).toBe(0);

      await start();
      const record = await mustReadRecord(own.doc, table, outcome.key.id);
      expect(record.status).toBe(RecordStatus.PROCESSING);

      clock.advance(LEASE_MS + SKEW_MS + 1);
      const b = layer(own.doc);
      const retried = expectOutcome(
        await b.idem.run(decoded(event), async () => {
          calls += 1;
          return 'effect done again';
        }),
        'processed',
      );
      expect(retried.takeover).toBe(true);
      expect(calls).toBe(2);
      expect((await mustReadRecord(own.doc, table, outcome.key.id)).status).toBe(RecordStatus.COMPLETED);
    } finally {
      own.raw.destroy();
    }
  });

  test('claims against the stopped engine fail closed by default, and fail open only when asked', async () => {
    const own = clients({ endpoint: (await start()).endpoint, maxAttempts: 2 });
    const table = await freshIdempotencyTable(own.raw, 'stopped');
    try {
      const closed = testLayer({ tableName: table, client: own.doc });
      const open = testLayer({ tableName: table, client: own.doc, failureMode: 'fail-open' });
      const before = expectOutcome(
        await closed.idem.run(decoded(uniqueEvent('row8-engine-ok')), async () => 'ok'),
        'processed',
      );
      expect(before.result).toBe('ok');

      await stop(false);
      let calls = 0;
      const handler = async () => {
        calls += 1;
        return 'ran';
      };
      const refused = expectOutcome(
        await closed.idem.run(decoded(uniqueEvent('row8-engine')), handler),
        'retry',
      );
      expect(refused.error).toBeInstanceOf(StoreUnavailableError);
      expect((refused.error as StoreUnavailableError).operation).toBe('claim');
      expect(calls).toBe(0);
      expect(closed.metrics.count(MetricName.STORE_ERROR)).toBe(1);

      const opened = expectOutcome(
        await open.idem.run(decoded(uniqueEvent('row8-engine')), handler),
        'processed',
      );
      expect(opened.failOpen).toBe(true);
      expect(calls).toBe(1);
      expect(open.metrics.count(MetricName.FAIL_OPEN)).toBe(1);
      expect(must(open.logger.withAction('fail-open')[0], 'a fail-open log').level).toBe('error');
    } finally {
      own.raw.destroy();
    }
  });
});

describe('store outage at completion (middleware)', () => {
  test('two-phase: outcome retry, the record stays processing (not released), and is taken over after the lease', async () => {
    const clock = new ManualClock();
    const t = faultyLayer(
      nth('UpdateItem', (n) => n > 1, 'outage'),
      { clock },
    );
    try {
      const event = uniqueEvent('row9');
      let calls = 0;
      const handler = async () => {
        calls += 1;
        return `effect-${calls}`;
      };
      const outcome = expectOutcome(await t.idem.run(decoded(event), handler), 'retry');
      expect(outcome.error).toBeInstanceOf(StoreUnavailableError);
      expect((outcome.error as StoreUnavailableError).operation).toBe('complete');
      expect(calls).toBe(1);
      expect(t.metrics.count(MetricName.RELEASED)).toBe(0);
      expect(t.metrics.count(MetricName.STORE_ERROR)).toBe(1);
      expect(t.faults.attempts.some((a) => a.operation === 'DeleteItem')).toBe(false);
      expect(must(t.logger.withAction('retry')[0], 'a retry log').fields.released).toBe(false);
      const held = await mustReadRecord(doc, tableName, outcome.key.id);
      expect(held.status).toBe(RecordStatus.PROCESSING);

      // A healthy worker: refused while the lease lasts, takes over after it.
      const healthy = testLayer({
        tableName,
        client: doc,
        clock,
        fallbackLeaseMs: LEASE_MS,
        clockSkewMs: SKEW_MS,
      });
      expectOutcome(await healthy.idem.run(decoded(event), handler), 'in-progress-elsewhere');
      clock.advance(LEASE_MS + SKEW_MS + 1);
      const taken = expectOutcome(await healthy.idem.run(decoded(event), handler), 'processed');
      expect(taken.takeover).toBe(true);
      expect(taken.result).toBe('effect-2');
      const done = await mustReadRecord(doc, tableName, outcome.key.id);
      expect(done.status).toBe(RecordStatus.COMPLETED);
      expect(done.owner).not.toBe(held.owner);
    } finally {
      t.close();
    }
  });
});

describe('throttling with SDK retries', () => {
  test('a few throttled attempts, then success: processed, and the attempts show the retries', async () => {
    const t = faultyLayer(nth('UpdateItem', (n) => n <= 2, 'throttle'));
    try {
      let calls = 0;
      const outcome = expectOutcome(
        await t.idem.run(decoded(uniqueEvent('row10')), async () => {
          calls += 1;
          return 'ok';
        }),
        'processed',
      );
      expect(calls).toBe(1);
      expect(t.faults.attempts).toEqual([
        { operation: 'UpdateItem', fault: 'throttle' },
        { operation: 'UpdateItem', fault: 'throttle' },
        { operation: 'UpdateItem', fault: undefined },
        { operation: 'UpdateItem', fault: undefined },
      ]);
      expect(t.metrics.count(MetricName.STORE_ERROR)).toBe(0);
      const record = await mustReadRecord(doc, tableName, outcome.key.id);
      expect(record.status).toBe(RecordStatus.COMPLETED);
      expect(record.attempts).toBe(1);
    } finally {
      t.close();
    }
  });

  test('throttling that outlasts the SDK retries is a retryable StoreUnavailableError, the handler not run', async () => {
    const t = faultyLayer((a) => (a.operation === 'UpdateItem' ? 'throttle' : undefined), { maxAttempts: 2 });
    try {
      let calls = 0;
      const outcome = expectOutcome(
        await t.idem.run(decoded(uniqueEvent('row10-exhausted')), async () => {
          calls += 1;
          return 'never';
        }),
        'retry',
      );
      expect(outcome.error).toBeInstanceOf(StoreUnavailableError);
      expect(calls).toBe(0);
      expect(t.faults.attempts).toEqual([
        { operation: 'UpdateItem', fault: 'throttle' },
        { operation: 'UpdateItem', fault: 'throttle' },
      ]);
    } finally {
      t.close();
    }
  });
});

describe('claim committed but its response lost', () => {
  test("the SDK retry's condition fails on our own owner token: claimed, the handler runs once, the record completes", async () => {
    const t = faultyLayer(nth('UpdateItem', (n) => n === 1, 'drop-response'));
    try {
      let calls = 0;
      const outcome = expectOutcome(
        await t.idem.run(decoded(uniqueEvent('row11')), async () => {
          calls += 1;
          return 'charged once';
        }),
        'processed',
      );
      expect(calls).toBe(1);
      expect(outcome.takeover).toBe(false);
      expect(t.faults.attempts).toEqual([
        { operation: 'UpdateItem', fault: 'drop-response' },
        { operation: 'UpdateItem', fault: undefined },
        { operation: 'UpdateItem', fault: undefined },
      ]);
      expect(t.metrics.count(MetricName.IN_PROGRESS_ELSEWHERE)).toBe(0);
      const record = await mustReadRecord(doc, tableName, outcome.key.id);
      expect(record.status).toBe(RecordStatus.COMPLETED);
      expect(record.attempts).toBe(1);
      expect(record.result).toBe(JSON.stringify('charged once'));
    } finally {
      t.close();
    }
  });
});

describe('completion committed but its response lost', () => {
  test('two-phase: the retried completion finds its own completed record; processed, record completed', async () => {
    const t = faultyLayer(nth('UpdateItem', (n) => n === 2, 'drop-response'));
    try {
      let calls = 0;
      const event = uniqueEvent('row12');
      const outcome = expectOutcome(
        await t.idem.run(decoded(event), async () => {
          calls += 1;
          return { receipt: 12 };
        }),
        'processed',
      );
      expect(t.faults.attempts).toEqual([
        { operation: 'UpdateItem', fault: undefined },
        { operation: 'UpdateItem', fault: 'drop-response' },
        { operation: 'UpdateItem', fault: undefined },
      ]);
      expect(t.metrics.count(MetricName.LEASE_LOST)).toBe(0);
      const record = await mustReadRecord(doc, tableName, outcome.key.id);
      expect(record.status).toBe(RecordStatus.COMPLETED);
      expect(JSON.parse(record.result ?? 'null')).toEqual({ receipt: 12 });
      expectOutcome(await t.idem.run(decoded(event), async () => ({ receipt: 0 })), 'duplicate');
      expect(calls).toBe(1);
    } finally {
      t.close();
    }
  });

  test('a release whose response is lost still counts as released', async () => {
    const t = faultyLayer(nth('DeleteItem', (n) => n === 1, 'drop-response'));
    try {
      const outcome = expectOutcome(
        await t.idem.run(decoded(uniqueEvent('release-lost')), async () => {
          throw new RetryableError('try later');
        }),
        'retry',
      );
      expect(t.metrics.count(MetricName.RELEASED)).toBe(1);
      expect(t.logger.withAction('release-failed')).toHaveLength(0);
      expect(t.faults.attempts.filter((a) => a.operation === 'DeleteItem')).toHaveLength(2);
      expect(await readRecord(doc, tableName, outcome.key.id)).toBeUndefined();
    } finally {
      t.close();
    }
  });

  test('a failure mark whose response is lost still counts as marked', async () => {
    const t = faultyLayer(nth('UpdateItem', (n) => n === 2, 'drop-response'));
    try {
      const outcome = expectOutcome(
        await t.idem.run(decoded(uniqueEvent('fail-lost')), async () => {
          throw new PermanentError('bad data');
        }),
        'failed',
      );
      expect(t.logger.withAction('fail-mark-failed')).toHaveLength(0);
      const record = await mustReadRecord(doc, tableName, outcome.key.id);
      expect(record.status).toBe(RecordStatus.FAILED);
      expect(record.error?.name).toBe('PermanentError');
    } finally {
      t.close();
    }
  });
});
