import { randomUUID } from 'node:crypto';
import { DEFAULTS } from '../../../../shared/internal';
import { createSide, layerRequestKind } from '../../../../tools/bench/sides';
import { buildWorkload } from '../../../../tools/bench/workload';
import { inFlightTracker } from '../../../../tools/testing/sdk-middleware';
import { ensureConsumerTable, ensureIdempotencyTable } from '../../../../tools/testing/tables';
import { clients, testEndpoint } from '../../../helpers/dynamo';

/** The layer's defaults: partitions at once, claims in flight per partition, pre-check requests in flight. */
const { partitionConcurrency: PARTITION_CONCURRENCY, claimConcurrency: CLAIM_CONCURRENCY } = DEFAULTS;
const PRECHECK_CONCURRENCY = DEFAULTS.precheckConcurrency;
/** DynamoDB's `BatchGetItem` limit. */
const BATCH_GET_KEYS = 100;

describe('the pre-check and the claims stay chunked and bounded in flight at every batch size', () => {
  const { raw } = clients();
  afterAll(() => raw.destroy());

  // Sizes across the bounds: one chunk and several, fewer claims than the bound and more, one
  // partition and more than run at once (the 10,000-record rows are the bench's: `npm run bench`).
  test.each([
    [1, 1],
    [150, 1],
    [500, 100],
    [1200, 10],
    // more chunks than the pre-check sends at once
    [2000, 1],
  ])(
    '%i records on %i partition(s)',
    async (size, partitions) => {
      // GIVEN a two-phase handler whose client counts requests in flight by the part they play
      const tableName = `inflight-${randomUUID()}`;
      const consumerTableName = `inflight-effects-${randomUUID()}`;
      await ensureIdempotencyTable(raw, tableName);
      await ensureConsumerTable(raw, consumerTableName);
      const inFlight = inFlightTracker(layerRequestKind);
      const side = createSide('two-phase', {
        endpoint: testEndpoint(),
        tableName,
        consumerTableName,
        delayMs: 0,
        inFlight,
      });
      const { event } = buildWorkload({ scenario: 'fresh', size, partitions, nonce: randomUUID() });
      try {
        // WHEN the batch is delivered fresh
        const fresh = await side.deliver(event);
        const freshMax = new Map(inFlight.max);
        const freshBatchGets = side.requests.byOperation.get('BatchGetItem');
        const chunks = Math.ceil(size / BATCH_GET_KEYS);
        // THEN every record ran once; the pre-check asked for every key once, in chunks of at most
        // 100 keys, at most 8 of them in flight; claims never exceeded 16 per partition, 4
        // partitions at a time
        expect(fresh.handlerCalls).toBe(size);
        expect(freshBatchGets).toBe(chunks);
        expect(inFlight.largestBatch.get('BatchGetItem')).toBe(Math.min(size, BATCH_GET_KEYS));
        expect(freshMax.get('BatchGetItem') ?? 0).toBeLessThanOrEqual(Math.min(chunks, PRECHECK_CONCURRENCY));
        const claimBound = Math.min(partitions, PARTITION_CONCURRENCY) * CLAIM_CONCURRENCY;
        expect(freshMax.get('claim') ?? 0).toBeGreaterThan(0);
        expect(freshMax.get('claim') ?? 0).toBeLessThanOrEqual(Math.min(size, claimBound));
        // completions follow handlers, which run one at a time per partition
        expect(freshMax.get('completion') ?? 0).toBeLessThanOrEqual(Math.min(size, claimBound));

        // AND WHEN it comes again: the pre-check alone answers it, with the same chunks
        inFlight.reset();
        side.requests.reset();
        const again = await side.deliver(event);
        expect(again.handlerCalls).toBe(0);
        expect(Object.fromEntries(side.requests.byOperation)).toEqual({ BatchGetItem: chunks });
        expect(inFlight.largestBatch.get('BatchGetItem')).toBe(Math.min(size, BATCH_GET_KEYS));
        expect(inFlight.max.get('BatchGetItem') ?? 0).toBeLessThanOrEqual(
          Math.min(chunks, PRECHECK_CONCURRENCY),
        );
      } finally {
        side.close();
      }
    },
    240_000,
  );
});
