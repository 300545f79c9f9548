import { type Delivery, InMemoryMapping } from '../../../../tools/chaos/esm';

/**
 * The default chaos run's in-memory record source: its offsets and planned ranges. The rules it
 * applies (batcher, response reader, retry and bisect planner) are `tools/kafka/esm-rules.ts`'s,
 * tested in `test/unit/tools/kafka/esm-rules.test.ts`.
 */

function mapping(partial: boolean, lengths: number[] = [25, 25], maxFailures?: number) {
  return new InMemoryMapping({
    consumer: 'c',
    topic: 't',
    partitionLengths: lengths,
    batchSize: 10,
    reportBatchItemFailures: partial,
    timeoutMs: 4000,
    ...(maxFailures !== undefined ? { maxFailures } : {}),
  });
}

function must(d: Delivery | undefined): Delivery {
  if (!d) throw new Error('expected a delivery, got none');
  return d;
}

const ok = { kind: 'returned', response: undefined } as const;
const threw = { kind: 'error', reason: 'threw', message: 'boom' } as const;

describe('InMemoryMapping', () => {
  it('delivers each partition in offset order, one delivery in flight per partition', () => {
    const esm = mapping(false);
    const first = must(esm.next(0));
    const second = must(esm.next(0));
    expect([first.partition, first.from, first.to]).toEqual([0, 0, 10]);
    expect([second.partition, second.from, second.to]).toEqual([1, 0, 10]);
    expect(esm.next(0)).toBeUndefined();
    esm.settle(first, ok, 0, 0);
    expect(esm.committed(0)).toBe(10);
    const third = must(esm.next(0));
    expect([third.partition, third.from, third.to]).toEqual([0, 10, 20]);
  });

  it('retries without limit, bisecting a batch that failed as a whole, after the planner backoff', () => {
    const esm = mapping(false, [25]);
    const d = must(esm.next(0));
    const { plan } = esm.settle(d, threw, 1000, 0);
    expect(plan.outcome).toBe('failed');
    expect(esm.committed(0)).toBe(0);
    expect(esm.next(1000 + plan.delayMs - 1)).toBeUndefined();
    expect(esm.nextReadyAt(1000)).toBe(1000 + plan.delayMs);
    const half = must(esm.next(1000 + plan.delayMs));
    expect([half.from, half.to, half.attempt]).toEqual([0, 5, 2]);
    esm.settle(half, ok, 2000, 0);
    const other = must(esm.next(2000));
    expect([other.from, other.to]).toEqual([5, 10]);
    esm.settle(other, ok, 2000, 0);
    expect(esm.committed(0)).toBe(10);
    expect([must(esm.next(2000)).from]).toEqual([10]);
  });

  it('with ReportBatchItemFailures, commits up to the first reported offset and resumes there', () => {
    const esm = mapping(true, [25]);
    const d = must(esm.next(0));
    const response = { batchItemFailures: [{ itemIdentifier: { partition: 't-0', offset: 7 } }] };
    const { plan, anomalies } = esm.settle(d, { kind: 'returned', response }, 0, 0);
    expect(plan.outcome).toBe('partial');
    expect(anomalies).toEqual([]);
    expect(esm.committed(0)).toBe(7);
    const again = must(esm.next(10_000));
    expect([again.from, again.to]).toEqual([7, 10]);
  });

  it('reports an item failure outside the batch as an anomaly and retries the whole batch', () => {
    const esm = mapping(true, [25]);
    const d = must(esm.next(0));
    const response = { batchItemFailures: [{ itemIdentifier: { partition: 't-0', offset: 99 } }] };
    const { anomalies } = esm.settle(d, { kind: 'returned', response }, 0, 0);
    expect(anomalies).toHaveLength(1);
    expect(esm.committed(0)).toBe(0);
  });

  it('flags item failures returned to a mapping without ReportBatchItemFailures, and commits', () => {
    const esm = mapping(false, [25]);
    const d = must(esm.next(0));
    const response = { batchItemFailures: [{ itemIdentifier: { partition: 't-0', offset: 3 } }] };
    const { anomalies } = esm.settle(d, { kind: 'returned', response }, 0, 0);
    expect(anomalies).toHaveLength(1);
    expect(esm.committed(0)).toBe(10);
  });

  it('abandons a partition after maxFailures failures in a row and is then done', () => {
    const esm = mapping(false, [1], 3);
    for (let i = 0; i < 3; i++) esm.settle(must(esm.next(i * 100_000)), threw, i * 100_000, 0);
    expect(esm.abandoned).toEqual([0]);
    expect(esm.done).toBe(true);
  });

  it('is done once every record is committed', () => {
    const esm = mapping(false, [10, 0]);
    expect(esm.done).toBe(false);
    esm.settle(must(esm.next(0)), ok, 0, 0);
    expect(esm.committedRecords).toBe(10);
    expect(esm.done).toBe(true);
  });
});
