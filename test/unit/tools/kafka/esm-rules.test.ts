import { TRIGGER_DEFAULTS } from '../../../../infra/lib/trigger-defaults';
import {
  ESM_LOCAL_DEFAULTS,
  mappingSettings,
  nextBatch,
  readResponse,
  type SettleSettings,
  settle,
  takePlanned,
} from '../../../../tools/kafka/esm-rules';

const manifest = { service: 'svc', topics: ['orders', 'refunds'] } as const;
const batch = { topic: 'orders', partition: 2, from: 10, to: 20 } as const;
const failure = (partition: unknown, offset: unknown) => ({ itemIdentifier: { partition, offset } });
const base: SettleSettings = {
  topic: 'orders',
  retryAttempts: 3,
  bisectBatchOnError: false,
  maxRecordAgeSeconds: -1,
  reportBatchItemFailures: true,
};
const threw = { kind: 'error', reason: 'threw', message: 'boom' } as const;
const clock = { now: 1_000_000, oldestTimestamp: 1_000_000 };

describe('mappingSettings', () => {
  it('takes the construct defaults and names the group <service>.<topic>', () => {
    const s = mappingSettings(manifest, 'refunds');
    expect(s.groupId).toBe('svc.refunds');
    expect(s.batchSize).toBe(TRIGGER_DEFAULTS.batchSize);
    expect(s.maxBatchingWindowMs).toBe(500);
    expect(s.maxPayloadBytes).toBe(6 * 1024 * 1024);
    expect(s.retryAttempts).toBe(TRIGGER_DEFAULTS.retryAttempts);
    expect(s.bisectBatchOnError).toBe(TRIGGER_DEFAULTS.bisectBatchOnError);
    expect(s.reportBatchItemFailures).toBe(TRIGGER_DEFAULTS.reportBatchItemFailures);
    expect(s.timeoutMs).toBe(TRIGGER_DEFAULTS.timeoutSeconds * 1000);
    expect(s.startingPosition).toBe('TRIM_HORIZON');
  });

  it('uses a custom consumer group id as the construct does', () => {
    expect(mappingSettings(manifest, 'orders', { consumerGroupId: 'team' }).groupId).toBe('team.orders');
  });

  it('fails on settings outside the ESM ranges, naming the setting and the range', () => {
    expect(() => mappingSettings(manifest, 'orders', { batchSize: 10_001 })).toThrow(
      /batchSize must be an integer from 1 to 10000, got 10001/,
    );
    expect(() => mappingSettings(manifest, 'orders', { maxRecordAgeSeconds: 30 })).toThrow(
      /maxRecordAgeSeconds/,
    );
    expect(() => mappingSettings(manifest, 'orders', { retryAttempts: -2 })).toThrow(/retryAttempts/);
    expect(() => mappingSettings(manifest, 'orders', { timeoutMs: 900_000 })).toThrow(/14 minutes/);
    expect(() => mappingSettings(manifest, 'orders', { startingPosition: 'AT_TIMESTAMP' })).toThrow(
      /startingPositionTimestampMs/,
    );
    expect(() => mappingSettings(manifest, 'payments')).toThrow(/does not consume "payments"/);
  });
});

describe('nextBatch', () => {
  const settings = { batchSize: 3, maxBatchingWindowMs: 500, maxPayloadBytes: 10_000 };
  const records = (n: number, bytes = 100, receivedAt = 0) =>
    Array.from({ length: n }, (_, i) => ({ offset: i, bytes, receivedAt }));

  it('sends a full batch at once', () => {
    expect(nextBatch(records(5), settings, 0)).toMatchObject({ kind: 'invoke', count: 3 });
  });

  it('waits for the batching window while the batch is not full, then sends what it has', () => {
    expect(nextBatch(records(2, 100, 1000), settings, 1200)).toEqual({ kind: 'wait', untilMs: 1500 });
    expect(nextBatch(records(2, 100, 1000), settings, 1500)).toMatchObject({ kind: 'invoke', count: 2 });
  });

  it('is idle with nothing buffered', () => {
    expect(nextBatch([], settings, 0)).toEqual({ kind: 'idle' });
  });

  it('keeps the payload under the cap, and sends a record larger than the cap alone', () => {
    const big = 10_000 - ESM_LOCAL_DEFAULTS.eventOverheadBytes - 100;
    expect(nextBatch(records(3, big / 2), settings, 0)).toMatchObject({ kind: 'invoke', count: 2 });
    expect(nextBatch(records(3, 50_000), settings, 0)).toMatchObject({ kind: 'invoke', count: 1 });
  });

  it('sends a planned (bisected) range at once, at most its size', () => {
    expect(nextBatch(records(2, 100, 1000), settings, 1000, 1)).toMatchObject({ kind: 'invoke', count: 1 });
  });
});

describe('readResponse', () => {
  it('treats no response, an empty object, a null or empty list as success', () => {
    for (const response of [undefined, null, {}, { batchItemFailures: null }, { batchItemFailures: [] }]) {
      expect(readResponse(response, batch, true)).toEqual({ kind: 'success' });
    }
  });

  it('resumes from the lowest reported offset', () => {
    const response = { batchItemFailures: [failure('orders-2', 15), failure('orders-2', 12)] };
    expect(readResponse(response, batch, true)).toEqual({ kind: 'partial', offset: 12 });
  });

  it('fails the whole batch on malformed or unknown identifiers, naming the position only', () => {
    const cases: unknown[] = [
      'ok',
      [failure('orders-2', 12)],
      { batchItemFailures: 'orders-2' },
      { batchItemFailures: [{}] },
      { batchItemFailures: [{ itemIdentifier: '12' }] },
      { batchItemFailures: [failure('orders-3', 12)] },
      { batchItemFailures: [failure('orders-2', 25)] },
      { batchItemFailures: [failure('orders-2', '12')] },
      { batchItemFailures: [failure('orders-2', 12.5)] },
      { batchItemFailures: [failure('orders-2', 12), failure('__proto__', 12)] },
    ];
    for (const response of cases) {
      const verdict = readResponse(response, batch, true);
      expect(verdict.kind).toBe('invalid');
      if (verdict.kind === 'invalid') expect(verdict.reason).not.toContain('__proto__');
    }
  });

  it('ignores the response without ReportBatchItemFailures', () => {
    expect(readResponse({ batchItemFailures: [failure('orders-2', 12)] }, batch, false)).toEqual({
      kind: 'success',
    });
  });
});

describe('settle', () => {
  const range = { partition: 2, from: 10, to: 20, attempts: 0 };

  it('commits past the batch on success', () => {
    expect(
      settle(range, [], { kind: 'returned', response: { batchItemFailures: [] } }, base, clock),
    ).toMatchObject({
      commit: 20,
      queue: [],
      outcome: 'success',
    });
  });

  it('commits up to the reported offset and retries the rest from there', () => {
    const plan = settle(
      range,
      [],
      { kind: 'returned', response: { batchItemFailures: [failure('orders-2', 14)] } },
      base,
      clock,
    );
    expect(plan.commit).toBe(14);
    expect(plan.queue).toEqual([{ from: 14, to: 20, attempts: 1 }]);
    expect(plan.outcome).toBe('partial');
  });

  it('does not bisect a range that failed by reported item failures', () => {
    const plan = settle(
      range,
      [],
      { kind: 'returned', response: { batchItemFailures: [failure('orders-2', 14)] } },
      { ...base, bisectBatchOnError: true },
      clock,
    );
    expect(plan.queue).toEqual([{ from: 14, to: 20, attempts: 1 }]);
  });

  it('retries the whole batch on a function error without moving the commit', () => {
    const plan = settle(range, [], threw, base, clock);
    expect(plan.commit).toBeUndefined();
    expect(plan.queue).toEqual([{ from: 10, to: 20, attempts: 1 }]);
    expect(plan.delayMs).toBe(ESM_LOCAL_DEFAULTS.retryBackoffMs.first);
  });

  it('treats an invalid response as a function error', () => {
    const plan = settle(
      range,
      [],
      { kind: 'returned', response: { batchItemFailures: [failure('orders-9', 1)] } },
      base,
      clock,
    );
    expect(plan.commit).toBeUndefined();
    expect(plan.outcome).toBe('failed');
    expect(plan.reason).toMatch(/invalid partial batch response/);
  });

  it('bisects a failed batch into halves delivered in order, keeping the rest planned', () => {
    const rest = [{ from: 20, to: 30, attempts: 2 }];
    const plan = settle(range, rest, threw, { ...base, bisectBatchOnError: true }, clock);
    expect(plan.queue).toEqual([
      { from: 10, to: 15, attempts: 1 },
      { from: 15, to: 20, attempts: 1 },
      { from: 20, to: 30, attempts: 2 },
    ]);
  });

  it('discards the batch once MaximumRetryAttempts are spent, and commits past it', () => {
    const plan = settle({ ...range, attempts: 3 }, [], threw, base, clock);
    expect(plan.discard).toEqual({ from: 10, to: 20, condition: 'RetryAttemptsExhausted', attempts: 4 });
    expect(plan.outcome).toBe('discarded');
    expect(plan.queue).toEqual([]);
  });

  it('retries forever with MaximumRetryAttempts -1', () => {
    expect(
      settle({ ...range, attempts: 10_000 }, [], threw, { ...base, retryAttempts: -1 }, clock).discard,
    ).toBeUndefined();
  });

  it('discards records older than MaximumRecordAgeInSeconds', () => {
    const old = { now: 1_000_000, oldestTimestamp: 1_000_000 - 61_000 };
    expect(settle(range, [], threw, { ...base, maxRecordAgeSeconds: 60 }, old).discard?.condition).toBe(
      'RecordAgeExceeded',
    );
    expect(settle(range, [], threw, { ...base, maxRecordAgeSeconds: 60 }, clock).discard).toBeUndefined();
  });

  it('starts the attempt count afresh after progress', () => {
    const plan = settle(
      { ...range, attempts: 3 },
      [],
      { kind: 'returned', response: { batchItemFailures: [failure('orders-2', 11)] } },
      base,
      clock,
    );
    expect(plan.discard).toBeUndefined();
    expect(plan.queue).toEqual([{ from: 11, to: 20, attempts: 1 }]);
  });

  it('counts a timeout and a crash as function errors', () => {
    for (const reason of ['timeout', 'crashed'] as const) {
      expect(settle(range, [], { kind: 'error', reason, message: 'x' }, base, clock).commit).toBeUndefined();
    }
  });
});

describe('takePlanned', () => {
  it('reads on from the committed offset when nothing is planned', () => {
    expect(takePlanned([], 5, 9)).toEqual({ range: { from: 5, to: 9, attempts: 0 }, queue: [] });
  });

  it('takes the planned head with its attempts, keeping the rest planned', () => {
    const queue = [
      { from: 0, to: 5, attempts: 1 },
      { from: 5, to: 10, attempts: 1 },
    ];
    expect(takePlanned(queue, 0, 5)).toEqual({ range: { from: 0, to: 5, attempts: 1 }, queue: [queue[1]] });
  });

  it('keeps the rest of a planned range the payload cap cut short', () => {
    expect(takePlanned([{ from: 0, to: 10, attempts: 3 }], 0, 4)).toEqual({
      range: { from: 0, to: 4, attempts: 3 },
      queue: [{ from: 4, to: 10, attempts: 3 }],
    });
  });
});
