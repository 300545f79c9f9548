import type { MSKEvent } from 'aws-lambda';
import { envelope, mskEvent, type RecordSpec } from '../../scripts/lib/msk-events';

/**
 * Event type of every benchmark record.
 *
 * @example
 * ```ts
 * envelope({ event_type: BENCH_EVENT_TYPE, data: { id: 'r1-0' } });
 * ```
 */
export const BENCH_EVENT_TYPE = 'bench.thing.happened.v1';

/**
 * Topic of every benchmark record.
 *
 * @example
 * ```ts
 * event.records[`${BENCH_TOPIC}-0`]; // the records of partition 0
 * ```
 */
export const BENCH_TOPIC = 'bench-things';

/**
 * What a measured delivery looks like:
 * - `fresh`: a batch never seen before;
 * - `redelivered`: the same batch delivered again after it completed;
 * - `after-failure`: the first delivery failed at the record at 60% of the batch (earlier records
 *   completed), then the whole batch is delivered again; the second delivery is measured;
 * - `in-batch-duplicates`: a fresh batch in which 20% of the records repeat an earlier record's
 *   `data` with a new `event_id` (producer retries), on any partition.
 *
 * @example
 * ```ts
 * const scenario: Scenario = 'after-failure';
 * ```
 */
export type Scenario = 'fresh' | 'redelivered' | 'after-failure' | 'in-batch-duplicates';

/**
 * Every scenario, in report order.
 *
 * @example
 * ```ts
 * for (const scenario of SCENARIOS) buildWorkload({ scenario, size: 10, partitions: 1, nonce: 'r1' });
 * ```
 */
export const SCENARIOS: readonly Scenario[] = [
  'fresh',
  'redelivered',
  'after-failure',
  'in-batch-duplicates',
];

/**
 * Share of the batch completed before the failure of the `after-failure` scenario.
 *
 * @example
 * ```ts
 * const failIndex = Math.floor(size * FAILURE_AT); // 60 of 100
 * ```
 */
export const FAILURE_AT = 0.6;

/**
 * Share of the batch that repeats an earlier record in `in-batch-duplicates`.
 *
 * @example
 * ```ts
 * const duplicates = Math.round(size * DUPLICATE_SHARE); // 20 of 100
 * ```
 */
export const DUPLICATE_SHARE = 0.2;

/**
 * One benchmark batch, with what the scenario needs to drive it.
 *
 * @example
 * ```ts
 * const { event, failOn }: Workload = buildWorkload({ scenario: 'after-failure', size: 100, partitions: 1, nonce: 'r1' });
 * ```
 */
export interface Workload {
  readonly event: MSKEvent;
  /** Records in the batch. */
  readonly size: number;
  /** Distinct events in the batch (fewer than `size` with in-batch duplicates). */
  readonly distinct: number;
  /**
   * `data.id` of the record whose handler throws during the first delivery of `after-failure`;
   * `undefined` for the other scenarios.
   */
  readonly failOn: string | undefined;
  /** Position (0-based) of that record in the order a sequential consumer walks the batch. */
  readonly failIndex: number | undefined;
}

/**
 * Options of {@link buildWorkload}.
 *
 * @example
 * ```ts
 * const options: WorkloadOptions = { scenario: 'fresh', size: 100, partitions: 4, nonce: 'r1' };
 * ```
 */
export interface WorkloadOptions {
  readonly scenario: Scenario;
  /** Records in the batch. */
  readonly size: number;
  /** Partitions the records are spread over (round-robin, offsets in order within each). */
  readonly partitions: number;
  /** Makes every key of this round new, so rounds are independent. */
  readonly nonce: string;
  /**
   * Size of each record's value (UTF-8 JSON bytes), reached by lengthening `data.text`; values are
   * at least the ~190 bytes of the envelope. @default about 230 bytes (no padding)
   */
  readonly valueBytes?: number;
}

/**
 * Builds the MSK event of one round. Records are spread round-robin over the partitions; a
 * duplicate (new `event_id`, same `data`) may land on another partition than its original, as a
 * producer retry can.
 *
 * @example
 * ```ts
 * const { event, failOn } = buildWorkload({ scenario: 'after-failure', size: 100, partitions: 1, nonce: 'r1' });
 * ```
 */
export function buildWorkload(options: WorkloadOptions): Workload {
  const { size, partitions, nonce, scenario } = options;
  if (!Number.isInteger(size) || size < 1) throw new TypeError(`size must be an integer >= 1, got ${size}.`);
  if (!Number.isInteger(partitions) || partitions < 1 || partitions > size) {
    throw new TypeError(
      `partitions must be an integer from 1 to the batch size (${size}), got ${partitions}.`,
    );
  }
  // Which logical event each position carries: position i repeats an earlier one every 5th record.
  const eventOf: number[] = [];
  let distinct = 0;
  for (let i = 0; i < size; i++) {
    const repeat = scenario === 'in-batch-duplicates' && i % Math.round(1 / DUPLICATE_SHARE) === 4;
    if (repeat) eventOf.push(Math.floor((i * 7) / 10) % distinct);
    else eventOf.push(distinct++);
  }
  const offsets = new Array<number>(partitions).fill(0);
  const recordValue = (n: number, pad: string) =>
    envelope({
      event_type: BENCH_EVENT_TYPE,
      data: {
        id: `${nonce}-${n}`,
        essay_id: `essay-${n}`,
        language: 'en',
        text: `Record ${n} of round ${nonce}: the quick brown fox jumps over the lazy dog.${pad}`,
      },
    });
  const padFor = (n: number) => {
    if (options.valueBytes === undefined) return '';
    const missing = options.valueBytes - Buffer.byteLength(JSON.stringify(recordValue(n, '')));
    return missing > 0 ? ' lorem ipsum dolor sit amet'.repeat(Math.ceil(missing / 27)).slice(0, missing) : '';
  };
  const specs: RecordSpec[] = eventOf.map((n, i) => {
    const partition = i % partitions;
    const offset = offsets[partition] ?? 0;
    offsets[partition] = offset + 1;
    return {
      topic: BENCH_TOPIC,
      partition,
      offset,
      key: `thing-${n}`,
      value: recordValue(n, padFor(n)),
    };
  });
  // A sequential consumer walks partition by partition (as the event lists them), offsets in order.
  const walk = [...specs].sort((a, b) => a.partition - b.partition || a.offset - b.offset);
  let failOn: string | undefined;
  let failIndex: number | undefined;
  if (scenario === 'after-failure') {
    failIndex = Math.min(size - 1, Math.floor(size * FAILURE_AT));
    failOn = idOf(walk[failIndex]);
  }
  return { event: mskEvent(walk), size, distinct, failOn, failIndex };
}

function idOf(spec: RecordSpec | undefined): string | undefined {
  const value = spec?.value as { data?: { id?: unknown } } | undefined;
  return typeof value?.data?.id === 'string' ? value.data.id : undefined;
}
