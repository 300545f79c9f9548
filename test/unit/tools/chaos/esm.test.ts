import { type DeliveryPlan, EventSourceMapping } from '../../../../tools/chaos/esm';

/** The chaos driver's event source mapping: offsets, retries and resume points, without I/O. */

function mapping(partial: boolean, lengths: number[] = [25, 25], batchSize = 10, partitionsPerBatch = 1) {
  return new EventSourceMapping({
    topic: 't',
    partitionLengths: lengths,
    batchSize,
    partitionsPerBatch,
    partialBatchResponse: partial,
    backoffMs: (failures) => failures * 100,
  });
}

function mustPlan(plan: DeliveryPlan | undefined): DeliveryPlan {
  if (!plan) throw new Error('expected a delivery plan, got none');
  return plan;
}

describe('EventSourceMapping', () => {
  it('delivers each partition in offset order, one delivery in flight per partition', () => {
    const esm = mapping(false);
    const first = mustPlan(esm.next(0));
    const second = mustPlan(esm.next(0));
    expect(first.slices).toEqual([{ partition: 0, from: 0, to: 10 }]);
    expect(second.slices).toEqual([{ partition: 1, from: 0, to: 10 }]);
    // Both partitions are in flight: nothing more to deliver until one settles.
    expect(esm.next(0)).toBeUndefined();
    esm.settle(first, { kind: 'returned', batchItemFailures: [] }, 0);
    expect(mustPlan(esm.next(0)).slices).toEqual([{ partition: 0, from: 10, to: 20 }]);
  });

  it('splits the batch size over the partitions of one delivery', () => {
    const esm = mapping(true, [25, 25, 25], 10, 2);
    const plan = mustPlan(esm.next(0));
    expect(plan.slices).toEqual([
      { partition: 0, from: 0, to: 5 },
      { partition: 1, from: 0, to: 5 },
    ]);
  });

  it('redelivers the same offsets after an error or a dead worker, after a growing backoff', () => {
    const esm = mapping(false, [25]);
    const plan = mustPlan(esm.next(0));
    const died = esm.settle(plan, { kind: 'died' }, 1000);
    expect(died).toMatchObject({ committed: 0, retried: [{ partition: 0, from: 0, to: 10 }] });
    expect(esm.next(1050)).toBeUndefined(); // backoff: 100 ms after one failure
    expect(esm.nextReadyAt(1050)).toBe(1100);
    const again = mustPlan(esm.next(1100));
    expect(again.slices).toEqual([{ partition: 0, from: 0, to: 10 }]);
    expect(again.attempt).toBe(2);
    esm.settle(again, { kind: 'threw' }, 2000);
    expect(esm.next(2150)).toBeUndefined(); // 200 ms after two failures
    expect(mustPlan(esm.next(2200)).attempt).toBe(3);
  });

  it('with ReportBatchItemFailures, resumes each partition from its first failed offset', () => {
    const esm = mapping(true, [25, 25], 10, 2);
    const plan = mustPlan(esm.next(0));
    const outcome = esm.settle(
      plan,
      { kind: 'returned', batchItemFailures: [{ itemIdentifier: { partition: 't-1', offset: 3 } }] },
      0,
    );
    expect(outcome.committed).toBe(5 + 3);
    expect(esm.committed(0)).toBe(5);
    expect(esm.committed(1)).toBe(3);
    expect(outcome.retried).toEqual([{ partition: 1, from: 3, to: 5 }]);
  });

  it('without ReportBatchItemFailures, ignores a partial response as Lambda does, and says so', () => {
    const esm = mapping(false, [25]);
    const plan = mustPlan(esm.next(0));
    const outcome = esm.settle(
      plan,
      { kind: 'returned', batchItemFailures: [{ itemIdentifier: { partition: 't-0', offset: 4 } }] },
      0,
    );
    expect(esm.committed(0)).toBe(10);
    expect(outcome.anomalies).toEqual([expect.stringContaining('no ReportBatchItemFailures')]);
  });

  it('retries the whole delivery when a reported failure is not one of its offsets', () => {
    const esm = mapping(true, [25]);
    const plan = mustPlan(esm.next(0));
    const outcome = esm.settle(
      plan,
      { kind: 'returned', batchItemFailures: [{ itemIdentifier: { partition: 't-0', offset: 12 } }] },
      0,
    );
    expect(esm.committed(0)).toBe(0);
    expect(outcome.anomalies).toEqual([expect.stringContaining('t-0@12 is not an offset of this delivery')]);
  });

  it('is done only when every partition is committed to its end and nothing is in flight', () => {
    const esm = mapping(true, [3, 0], 10);
    expect(esm.done).toBe(false);
    const plan = mustPlan(esm.next(0));
    expect(esm.next(0)).toBeUndefined(); // the empty partition has nothing to deliver
    expect(esm.done).toBe(false);
    esm.settle(plan, { kind: 'returned', batchItemFailures: [] }, 0);
    expect(esm.done).toBe(true);
    expect(esm.committedRecords).toBe(3);
  });

  it('refuses to settle a delivery twice', () => {
    const esm = mapping(true, [5]);
    const plan = mustPlan(esm.next(0));
    esm.settle(plan, { kind: 'returned', batchItemFailures: [] }, 0);
    expect(() => esm.settle(plan, { kind: 'returned', batchItemFailures: [] }, 0)).toThrow(/settled twice/);
  });

  it('abandons a partition after too many failures in a row', () => {
    const esm = new EventSourceMapping({
      topic: 't',
      partitionLengths: [5],
      batchSize: 5,
      partitionsPerBatch: 1,
      partialBatchResponse: false,
      backoffMs: () => 0,
      maxFailures: 2,
    });
    esm.settle(mustPlan(esm.next(0)), { kind: 'died' }, 0);
    esm.settle(mustPlan(esm.next(0)), { kind: 'died' }, 0);
    expect(esm.abandoned).toEqual([0]);
    expect(esm.done).toBe(true);
  });
});
