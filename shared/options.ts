/**
 * The layer's option defaults, in one object, and the one validator of its integer options.
 */

/**
 * The default of every option of the layer, in one place: `Idempotency`, `IdempotencyStore`,
 * `createKafkaHandler`, `createDocumentClient` and the Powertools persistence layer read them from
 * here, so a default cannot differ between two of them.
 *
 * @example
 * ```ts
 * const leaseMs = remainingMs + DEFAULTS.leaseMarginMs;
 * ```
 */
export const DEFAULTS = {
  /** How long (seconds) a finished record is kept: 24 hours. */
  ttlSeconds: 86_400,
  /** Added to the Lambda's remaining time to form the processing lease (ms). */
  leaseMarginMs: 10_000,
  /** Processing lease (ms) when no remaining time is known: never infinite. */
  fallbackLeaseMs: 60_000,
  /** How long (ms) a takeover waits after a lease ends, to absorb clock differences between workers. */
  clockSkewMs: 1_000,
  /** Largest JSON result (bytes) cached in a record: 128 KiB. */
  maxResultBytes: 131_072,
  /** Partitions of a batch processed at the same time. */
  partitionConcurrency: 4,
  /** Claims in flight at once within one partition, taken ahead of its handlers. */
  claimConcurrency: 16,
  /**
   * `BatchGetItem` requests of a batch's pre-check in flight at once (100 keys each): a
   * 10,000-record batch reads its keys in 13 waves of at most 8, not 100 requests at once.
   */
  precheckConcurrency: 8,
  /** HTTP attempts of each DynamoDB request (the SDK's standard retry strategy). */
  sdkMaxAttempts: 4,
} as const;

/**
 * The most a cached result may be set to (bytes): a DynamoDB item is at most 400 KB, and the
 * record's other attributes need room.
 */
export const MAX_RESULT_BYTES_LIMIT = 350_000;

/** The most records the local cache (`localCacheMaxItems`) may be set to keep. */
export const MAX_LOCAL_CACHE_ITEMS = 1_000_000;

/**
 * Inclusive bounds of an integer: `max` omitted means no upper bound.
 *
 * @example
 * ```ts
 * const bounds: IntegerBounds = { min: 0, max: 900_000 };
 * ```
 */
export interface IntegerBounds {
  /** Smallest value accepted. */
  readonly min: number;
  /**
   * Largest value accepted.
   * @default no upper bound (any safe integer)
   */
  readonly max?: number;
}

/**
 * `true` when `value` is a safe integer within `bounds`.
 *
 * @example
 * ```ts
 * isIntegerWithin(3, { min: 1 }); // true
 * ```
 */
export function isIntegerWithin(value: unknown, bounds: IntegerBounds): value is number {
  return (
    Number.isSafeInteger(value) &&
    (value as number) >= bounds.min &&
    (bounds.max === undefined || (value as number) <= bounds.max)
  );
}

/**
 * The allowed range in words, for error messages: `an integer from 0 to 10`, `an integer >= 1`.
 *
 * @example
 * ```ts
 * integerRange({ min: 1 }); // 'an integer >= 1'
 * ```
 */
export function integerRange(bounds: IntegerBounds): string {
  return bounds.max === undefined
    ? `an integer >= ${bounds.min}`
    : `an integer from ${bounds.min} to ${bounds.max}`;
}

/**
 * Validates an integer option: returns it, or throws a `TypeError` naming the option, the allowed
 * range (and why, when the bound is not obvious) and the value received.
 *
 * @example
 * ```ts
 * const ttl = integerOption('defaultTtlSeconds', options.defaultTtlSeconds ?? DEFAULTS.ttlSeconds, { min: 1 });
 * integerOption('maxResultBytes', 400_000, { min: 0, max: 350_000 }, 'DynamoDB items are limited to 400 KB');
 * // TypeError: Option maxResultBytes must be an integer from 0 to 350000 (DynamoDB items are limited to 400 KB), got 400000.
 * ```
 */
export function integerOption(name: string, value: unknown, bounds: IntegerBounds, why?: string): number {
  if (isIntegerWithin(value, bounds)) return value;
  const shown = typeof value === 'number' ? String(value) : JSON.stringify(value);
  throw new TypeError(
    `Option ${name} must be ${integerRange(bounds)}${why === undefined ? '' : ` (${why})`}, got ${shown}.`,
  );
}
