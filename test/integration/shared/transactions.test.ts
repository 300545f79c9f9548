import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import {
  BusinessConditionFailedError,
  LeaseLostError,
  MAX_TRANSACTIONAL_WRITES,
  MetricName,
  PermanentError,
  type PermanentFailure,
  RecordStatus,
  StoreUnavailableError,
  withWrites,
} from '../../../shared/internal';
import { type AttemptInfo, type Fault, injectFaults } from '../../../tools/testing/sdk-middleware';
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
  testLayer,
  uniqueEvent,
} from '../../helpers/layer';

const LEASE_MS = 30_000;
const SKEW_MS = 1_000;

let raw: DynamoDBClient;
let doc: DynamoDBDocumentClient;
let tableName: string;
let businessTable: string;
let counters: CounterTable;

beforeAll(async () => {
  ({ raw, doc } = clients());
  tableName = await freshIdempotencyTable(raw, 'tx');
  businessTable = await freshConsumerTable(raw, 'tx-business');
  counters = counterTable(doc, businessTable);
});

afterAll(() => {
  raw.destroy();
});

function faultyLayer(decide: (attempt: AttemptInfo) => Fault | undefined, clock = new ManualClock()) {
  const faulty = clients();
  const faults = injectFaults(faulty.doc, decide);
  const layer = testLayer({
    tableName,
    client: faulty.doc,
    clock,
    fallbackLeaseMs: LEASE_MS,
    clockSkewMs: SKEW_MS,
  });
  return { ...layer, client: faulty.doc, faults, close: () => faulty.raw.destroy() };
}

describe('transactional completion', () => {
  test('the business write and the completed mark commit together; a redelivery is a duplicate and writes nothing', async () => {
    const { idem, metrics } = testLayer({ tableName, client: doc });
    const event = uniqueEvent('tx-happy');
    const handler = async () => withWrites({ counted: true }, [counters.increment('happy')]);
    const first = expectOutcome(await idem.run(decoded(event), handler), 'processed');
    expect(first.result).toEqual({ counted: true });
    expect(await counters.value('happy')).toBe(1);
    const record = await mustReadRecord(doc, tableName, first.key.id);
    expect(record.status).toBe(RecordStatus.COMPLETED);
    expect(JSON.parse(record.result ?? 'null')).toEqual({ counted: true });

    const second = expectOutcome(await idem.run(decoded(event), handler), 'duplicate');
    expect(second.result).toEqual({ counted: true });
    expect(await counters.value('happy')).toBe(1);
    expect(metrics.count(MetricName.PROCESSED)).toBe(1);
  });

  test('more writes than a transaction can carry is a permanent failure, and nothing is written', async () => {
    const { idem } = testLayer({ tableName, client: doc });
    const dead: PermanentFailure[] = [];
    const writes = Array.from({ length: MAX_TRANSACTIONAL_WRITES + 1 }, (_, i) =>
      counters.increment(`too-many-${i}`),
    );
    const outcome = expectOutcome(
      await idem.run(decoded(uniqueEvent('tx-too-many')), async () => withWrites('x', writes), {
        deadLetter: async (f) => {
          dead.push(f);
        },
      }),
      'failed',
    );
    expect(outcome.error).toBeInstanceOf(PermanentError);
    expect(String((outcome.error as Error).message)).toContain(String(MAX_TRANSACTIONAL_WRITES + 1));
    expect(dead).toHaveLength(1);
    expect(await counters.value('too-many-0')).toBeUndefined();
    expect((await mustReadRecord(doc, tableName, outcome.key.id)).status).toBe(RecordStatus.FAILED);
  });
});

describe('store outage at a transactional completion', () => {
  test('nothing is written, the record is released, and the redelivery applies the effect once', async () => {
    const t = faultyLayer((a) => (a.operation === 'TransactWriteItems' ? 'outage' : undefined));
    try {
      const event = uniqueEvent('tx-row9');
      const outcome = expectOutcome(
        await t.idem.run(decoded(event), async () => withWrites('r', [counters.increment('row9')])),
        'retry',
      );
      expect(outcome.error).toBeInstanceOf(StoreUnavailableError);
      expect((outcome.error as StoreUnavailableError).operation).toBe('complete');
      expect(t.faults.attempts.filter((a) => a.operation === 'TransactWriteItems').length).toBeGreaterThan(1);
      expect(await counters.value('row9')).toBeUndefined();
      expect(t.metrics.count(MetricName.RELEASED)).toBe(1);
      expect(await readRecord(doc, tableName, outcome.key.id)).toBeUndefined();

      const healthy = testLayer({ tableName, client: doc });
      expectOutcome(
        await healthy.idem.run(decoded(event), async () => withWrites('r', [counters.increment('row9')])),
        'processed',
      );
      expect(await counters.value('row9')).toBe(1);
    } finally {
      t.close();
    }
  });
});

describe('transactional completion committed but its response lost', () => {
  test('the SDK retry carries the same ClientRequestToken, so it is a no-op: processed, counter incremented exactly once', async () => {
    let first = true;
    const tokens: unknown[] = [];
    const t = faultyLayer((a) => {
      if (a.operation !== 'TransactWriteItems') return undefined;
      tokens.push(a.input.ClientRequestToken);
      if (!first) return undefined;
      first = false;
      return 'drop-response';
    });
    try {
      const event = uniqueEvent('tx-row12');
      const outcome = expectOutcome(
        await t.idem.run(decoded(event), async () => withWrites({ ok: 12 }, [counters.increment('row12')])),
        'processed',
      );
      expect(t.faults.attempts.filter((a) => a.operation === 'TransactWriteItems')).toEqual([
        { operation: 'TransactWriteItems', fault: 'drop-response' },
        { operation: 'TransactWriteItems', fault: undefined },
      ]);
      expect(tokens).toHaveLength(2);
      expect(tokens[0]).toBeDefined();
      expect(tokens[1]).toBe(tokens[0]);
      expect(await counters.value('row12')).toBe(1);
      const record = await mustReadRecord(doc, tableName, outcome.key.id);
      expect(record.status).toBe(RecordStatus.COMPLETED);
      expect(record.owner).toBe(tokens[0]);
      expect(t.metrics.count(MetricName.LEASE_LOST)).toBe(0);
    } finally {
      t.close();
    }
  });
});

describe('transaction cancelled', () => {
  test("a business write's own condition fails: BusinessConditionFailedError, permanent failure, nothing written", async () => {
    const { idem, metrics } = testLayer({ tableName, client: doc });
    const pk = 'ACCOUNT#row21';
    await doc.send(
      new PutCommand({ TableName: businessTable, Item: { pk, sk: 'META', balance: 5, closed: true } }),
    );
    const before = await counters.item(pk);
    const dead: PermanentFailure[] = [];
    const outcome = expectOutcome(
      await idem.run(
        decoded(uniqueEvent('tx-row21-business')),
        async () =>
          withWrites('debited', [
            counters.increment('row21-side'),
            {
              Update: {
                TableName: businessTable,
                Key: { pk, sk: 'META' },
                UpdateExpression: 'SET balance = balance - :amount',
                ConditionExpression: 'attribute_not_exists(closed)',
                ExpressionAttributeValues: { ':amount': 5 },
              },
            },
          ]),
        {
          deadLetter: async (f) => {
            dead.push(f);
          },
        },
      ),
      'failed',
    );
    expect(outcome.error).toBeInstanceOf(BusinessConditionFailedError);
    expect((outcome.error as BusinessConditionFailedError).writeIndex).toBe(1);
    expect((outcome.error as BusinessConditionFailedError).retryable).toBe(false);
    expect(dead).toHaveLength(1);
    expect(await counters.item(pk)).toEqual(before);
    expect(await counters.value('row21-side')).toBeUndefined();
    const record = await mustReadRecord(doc, tableName, outcome.key.id);
    expect(record.status).toBe(RecordStatus.FAILED);
    expect(record.error?.name).toBe('BusinessConditionFailedError');
    expect(metrics.count(MetricName.FAILED)).toBe(1);
    expect(metrics.count(MetricName.PROCESSED)).toBe(0);
  });

  test('the lease was taken over before the transaction: LeaseLostError, the business write is not applied', async () => {
    const clock = new ManualClock();
    const b = clients();
    try {
      const a = testLayer({ tableName, client: doc, clock, fallbackLeaseMs: LEASE_MS, clockSkewMs: SKEW_MS });
      const bLayer = testLayer({
        tableName,
        client: b.doc,
        clock,
        fallbackLeaseMs: LEASE_MS,
        clockSkewMs: SKEW_MS,
      });
      const event = uniqueEvent('tx-row21-lease');
      const bStarted = deferred();
      const bGate = deferred();
      let bRun: Promise<unknown> | undefined;
      const aOutcome = expectOutcome(
        await a.idem.run(decoded(event), async () => {
          clock.advance(LEASE_MS + SKEW_MS + 1);
          bRun = bLayer.idem.run(decoded(event), async () => {
            bStarted.resolve();
            await bGate.promise;
            return withWrites('B', [counters.increment('row21-lease-b')]);
          });
          await bStarted.promise;
          return withWrites('A', [counters.increment('row21-lease-a')]);
        }),
        'retry',
      );
      expect(aOutcome.error).toBeInstanceOf(LeaseLostError);
      expect(await counters.value('row21-lease-a')).toBeUndefined();
      const held = await mustReadRecord(doc, tableName, aOutcome.key.id);
      expect(held.status).toBe(RecordStatus.PROCESSING);
      expect((aOutcome.error as LeaseLostError).currentOwner).toBe(held.owner);
      expect(a.metrics.count(MetricName.LEASE_LOST)).toBe(1);
      expect(must(a.logger.withAction('lease-lost')[0], 'a lease-lost log').message).toContain(
        'nothing was written',
      );

      bGate.resolve();
      await must(bRun, "B's run");
      expect(await counters.value('row21-lease-b')).toBe(1);
      const final = await mustReadRecord(doc, tableName, aOutcome.key.id);
      expect(final.status).toBe(RecordStatus.COMPLETED);
      expect(final.owner).toBe(held.owner);
    } finally {
      b.raw.destroy();
    }
  });
});

describe('fail-open with transactional writes', () => {
  test('the business writes are committed without any idempotency record', async () => {
    const t = faultyLayer((a) => (a.operation === 'UpdateItem' ? 'outage' : undefined));
    try {
      const open = testLayer({
        tableName,
        client: t.client,
        failureMode: 'fail-open',
      });
      const outcome = expectOutcome(
        await open.idem.run(decoded(uniqueEvent('tx-fail-open')), async () =>
          withWrites('open', [counters.increment('fail-open')]),
        ),
        'processed',
      );
      expect(outcome.failOpen).toBe(true);
      expect(await counters.value('fail-open')).toBe(1);
      expect(await readRecord(doc, tableName, outcome.key.id)).toBeUndefined();
      expect(open.metrics.count(MetricName.FAIL_OPEN)).toBe(1);
    } finally {
      t.close();
    }
  });
});
