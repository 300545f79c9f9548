import { RecordStatus } from './constants';
import type { Clock, IdempotencyRecord } from './store';

/**
 * The local cache (`localCacheMaxItems`): the finished records (`completed`, `failed`) this
 * container saw, kept in memory until their own `expiration` (by the layer's clock), at most
 * `maxItems` of them, the least recently used evicted first. A batch redelivered to the same warm
 * container is then answered from memory, with no DynamoDB request, as Powertools' `useLocalCache`
 * does. A `processing` record is never kept: it says nothing final.
 *
 * Written by hand: a `Map` in insertion order is already an LRU list (re-inserting on a hit moves
 * the entry to the end), and no LRU package is among the project's dependencies; the 40 lines here
 * are smaller than the one Powertools keeps internally (its `LRUCache` is not exported).
 *
 * Entries are copies in and copies out (`structuredClone`): a handler or a caller that mutates a
 * duplicate's record or result cannot change what the next duplicate gets.
 *
 * @example
 * ```ts
 * const cache = new LocalRecordCache(1_000, systemClock);
 * cache.remember(record);
 * cache.recall(record.id); // a copy, until record.expiration
 * ```
 *
 * @internal
 */
export class LocalRecordCache {
  readonly #entries = new Map<string, IdempotencyRecord>();

  constructor(
    /** Most records kept; 0 turns the cache off. */
    readonly maxItems: number,
    private readonly clock: Clock,
  ) {}

  /** Records kept now (expired ones are dropped when next looked up). */
  get size(): number {
    return this.#entries.size;
  }

  /** A copy of the live finished record of `id`, if this container saw one; else `undefined`. */
  recall(id: string): IdempotencyRecord | undefined {
    const record = this.#entries.get(id);
    if (record === undefined) return undefined;
    this.#entries.delete(id);
    if (record.expiration < Math.floor(this.clock.now() / 1000)) return undefined;
    this.#entries.set(id, record);
    return structuredClone(record);
  }

  /** Keeps a copy of a finished record (a `processing` one, or any with the cache off, is ignored). */
  remember(record: IdempotencyRecord): void {
    if (this.maxItems === 0) return;
    if (record.status !== RecordStatus.COMPLETED && record.status !== RecordStatus.FAILED) return;
    this.#entries.delete(record.id);
    this.#entries.set(record.id, structuredClone(record));
    while (this.#entries.size > this.maxItems) {
      const oldest = this.#entries.keys().next();
      if (oldest.done) break;
      this.#entries.delete(oldest.value);
    }
  }
}
