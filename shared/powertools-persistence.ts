import type { JSONValue } from '@aws-lambda-powertools/commons/types';
import {
  IdempotencyInvalidStatusError,
  IdempotencyItemAlreadyExistsError,
  IdempotencyItemNotFoundError,
  IdempotencyRecordStatus,
} from '@aws-lambda-powertools/idempotency';
import { BasePersistenceLayer, IdempotencyRecord } from '@aws-lambda-powertools/idempotency/persistence';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { RecordStatus } from './constants';
import { LeaseLostError, PermanentError } from './errors';
import { DEFAULTS, integerOption } from './options';
import {
  type Claim,
  type Clock,
  createDocumentClient,
  documentClientOf,
  IdempotencyStore,
  type RecordKey,
  type IdempotencyRecord as StoredRecord,
} from './store';

/**
 * Options of {@link FencedDynamoDBPersistenceLayer}. Invalid values throw a `TypeError` naming the option.
 *
 * @example
 * ```ts
 * const options: FencedDynamoDBPersistenceLayerOptions = {
 *   tableName: process.env.IDEMPOTENCY_TABLE_NAME ?? 'idempotency',
 *   fallbackLeaseMs: 30_000,
 * };
 * ```
 */
export interface FencedDynamoDBPersistenceLayerOptions {
  /** Name of the idempotency table (partition key `id`, TTL attribute `expiration`). Required. */
  readonly tableName: string;
  /**
   * DynamoDB client: a document client, or a low-level client which is wrapped in one (middleware
   * added to the low-level client still applies).
   * @default a client from `createDocumentClient()` with the SDK's standard retries
   */
  readonly client?: DynamoDBDocumentClient | DynamoDBClient;
  /**
   * Processing lease (ms) written when Powertools knows no remaining time (no Lambda context
   * registered, or a remaining time of 0). A crashed attempt then blocks its key for this long,
   * never for the whole record expiry.
   * @default 60000 (`DEFAULTS.fallbackLeaseMs`)
   */
  readonly fallbackLeaseMs?: number;
  /**
   * How long (ms) a takeover waits after a lease ends, to absorb clock differences between workers.
   * @default 1000 (`DEFAULTS.clockSkewMs`)
   */
  readonly clockSkewMs?: number;
  /**
   * Largest JSON-encoded result (bytes) cached in a record. A larger result completes the record
   * without it (`result_omitted: 'too-large'`), and a duplicate then returns `undefined`. At most 350000.
   * @default 131072 (`DEFAULTS.maxResultBytes`)
   */
  readonly maxResultBytes?: number;
  /**
   * Clock (epoch ms) for leases, expirations and conditions.
   * @default the system clock
   */
  readonly clock?: Clock;
}

/**
 * A Powertools idempotency persistence layer on this project's DynamoDB table, with its fencing.
 * Switch `makeIdempotent` (or `@idempotent`, or the Middy middleware) to it in one line; the
 * Powertools flow is unchanged, and the traps of Powertools' own `DynamoDBPersistenceLayer` 2.35
 * are closed:
 *
 * - every claim writes a fresh random **owner token**; an SDK retry of a committed claim finds its
 *   own token (via `ALL_OLD`) and succeeds instead of reporting "already in progress";
 * - completion and release are conditional on `owner = mine AND status = processing`: a worker
 *   whose lease was taken over gets a {@link LeaseLostError} (wrapped by Powertools in an
 *   `IdempotencyPersistenceLayerError`) and the new owner's record stays intact, and a release never
 *   deletes a record already completed;
 * - a processing lease is always written (`fallbackLeaseMs` without a Lambda context), so a crash
 *   never blocks a key for the whole expiry;
 * - the result is stored as a JSON string (`Date`s become ISO strings, `undefined` members are
 *   dropped); a result that cannot be encoded or is too large completes the record without it;
 * - the key is computed once, when the claim is made: a function that mutates its input still
 *   completes the record it claimed.
 *
 * A thin mapping onto {@link IdempotencyStore}: the claim, completion and release are the store's
 * own (the same conditions as `createKafkaHandler`'s, built once in `transitions.ts`), so the two
 * paths cannot drift.
 *
 * Records follow this project's schema: `id`, `status` (`processing` · `completed`), `owner`,
 * `lease_expires_at` (epoch ms), `expiration` (epoch seconds, the TTL), `payload_hash` (with
 * payload validation), `result`, `result_omitted`, `attempts`, `claimed_at`, `finished_at`.
 * Powertools' `INPROGRESS` is stored as `processing` and `COMPLETED` as `completed`; `EXPIRED` is
 * never stored (it is derived from `expiration`). Keys are Powertools' own
 * (`<function name or keyPrefix>#<hash>`).
 *
 * Owner tokens are held per idempotency key in the instance, so one instance can serve concurrent
 * invocations on different keys.
 *
 * Limits: within one instance the latest claim of a key wins its token, so if an invocation outlives
 * its lease and a second invocation *in the same process* takes the key over, the first one's
 * completion is not told apart from the second's (across processes and Lambda environments the
 * fencing holds). When a release is refused, Powertools reports the `LeaseLostError` instead of the
 * function's own error. A store outage fails closed (Powertools has no fail-open). Records written
 * by Powertools' own `DynamoDBPersistenceLayer` (statuses `INPROGRESS`/`COMPLETED`, attribute
 * `data`) are not read: give this layer its own table or a new `keyPrefix`.
 *
 * @example
 * ```ts
 * import { IdempotencyConfig, makeIdempotent } from '@aws-lambda-powertools/idempotency';
 * import { FencedDynamoDBPersistenceLayer } from '../../shared';
 *
 * const persistenceStore = new FencedDynamoDBPersistenceLayer({ tableName: 'idempotency' });
 * export const handler = makeIdempotent(async (event: { orderId: string }) => charge(event.orderId), {
 *   persistenceStore,
 *   config: new IdempotencyConfig({ eventKeyJmesPath: 'orderId' }),
 * });
 * ```
 */
export class FencedDynamoDBPersistenceLayer extends BasePersistenceLayer {
  /** The store every request goes through. */
  readonly store: IdempotencyStore;
  readonly fallbackLeaseMs: number;
  /** The claim this instance holds, by hashed idempotency key. */
  readonly #claims = new Map<string, Claim<RecordKey>>();
  /** The key each payload object was claimed under, so that a mutated payload keeps its key. */
  readonly #keyByPayload = new WeakMap<object, string>();

  constructor(options: FencedDynamoDBPersistenceLayerOptions) {
    super();
    if (typeof options?.tableName !== 'string' || options.tableName.length === 0) {
      throw new TypeError(
        `Option tableName must be a non-empty string, got ${JSON.stringify(options?.tableName)}.`,
      );
    }
    this.fallbackLeaseMs = integerOption(
      'fallbackLeaseMs',
      options.fallbackLeaseMs ?? DEFAULTS.fallbackLeaseMs,
      {
        min: 1,
      },
    );
    this.store = new IdempotencyStore({
      tableName: options.tableName,
      client: toDocumentClient(options.client),
      ...(options.clock ? { clock: options.clock } : {}),
      ...(options.clockSkewMs === undefined ? {} : { clockSkewMs: options.clockSkewMs }),
      ...(options.maxResultBytes === undefined ? {} : { maxResultBytes: options.maxResultBytes }),
    });
  }

  /**
   * Claims the key for this attempt (Powertools calls it before running the function). Fixes the
   * key of an object payload for the rest of the attempt, and always asks for a lease: the Lambda's
   * remaining time when Powertools has one, else `fallbackLeaseMs`.
   *
   * @throws `IdempotencyItemAlreadyExistsError` carrying the record that stands in the way.
   *
   * @example
   * ```ts
   * layer.configure({ config: new IdempotencyConfig({ eventKeyJmesPath: 'orderId' }) });
   * await layer.saveInProgress({ orderId: 'o-1' }, context.getRemainingTimeInMillis());
   * ```
   */
  override async saveInProgress(data: JSONValue, remainingTimeInMillis?: number): Promise<void> {
    if (typeof data === 'object' && data !== null) {
      this.#keyByPayload.set(data, super.getHashedIdempotencyKey(data));
    }
    const leaseMs =
      remainingTimeInMillis !== undefined &&
      Number.isFinite(remainingTimeInMillis) &&
      remainingTimeInMillis > 0
        ? remainingTimeInMillis
        : this.fallbackLeaseMs;
    await super.saveInProgress(data, leaseMs);
  }

  /**
   * The key an object payload was claimed under (see {@link saveInProgress}); otherwise
   * Powertools' hash of the payload.
   */
  protected override getHashedIdempotencyKey(data: JSONValue): string {
    if (typeof data === 'object' && data !== null) {
      const claimed = this.#keyByPayload.get(data);
      if (claimed !== undefined) return claimed;
    }
    return super.getHashedIdempotencyKey(data);
  }

  /** Claim: {@link IdempotencyStore.claim}, with the payload hash only when payload validation is on. */
  protected override async _putRecord(record: IdempotencyRecord): Promise<void> {
    const id = record.idempotencyKey;
    // Powertools anchored the lease on Date.now(); re-anchor its length on the store's clock.
    const leaseMs =
      record.inProgressExpiryTimestamp === undefined
        ? this.fallbackLeaseMs
        : Math.max(0, record.inProgressExpiryTimestamp - Date.now());
    const payloadHash = this.isPayloadValidationEnabled() ? record.payloadHash : undefined;
    const claimed = await this.store.claim(
      { id, payloadHash },
      { leaseMs, ttlSeconds: this.getExpiresAfterSeconds() },
    );
    if (claimed.kind === 'exists') {
      throw new IdempotencyItemAlreadyExistsError(
        `Failed to put record for already existing idempotency key: ${id}`,
        this.#toPowertoolsRecord(id, claimed.record),
      );
    }
    this.#claims.set(id, claimed.claim);
  }

  /**
   * Completion: {@link IdempotencyStore.complete} of this instance's claim on the key.
   *
   * @throws {@link LeaseLostError} when another attempt took the record over (nothing is written).
   */
  protected override async _updateRecord(record: IdempotencyRecord): Promise<void> {
    const claim = this.#held(record.idempotencyKey, 'complete');
    try {
      await this.store.complete(claim, record.responseData);
    } finally {
      this.#forget(claim);
    }
  }

  /**
   * Release (the function threw): {@link IdempotencyStore.release} of this instance's claim on the
   * key. A record already gone counts as released.
   *
   * @throws {@link LeaseLostError} when another attempt took the record over; it is left intact.
   */
  protected override async _deleteRecord(record: IdempotencyRecord): Promise<void> {
    const claim = this.#held(record.idempotencyKey, 'release');
    try {
      await this.store.release(claim);
    } finally {
      this.#forget(claim);
    }
  }

  /**
   * Reads a record with a strongly consistent read, in Powertools' terms (an expired one too:
   * Powertools judges expiry itself).
   *
   * @throws `IdempotencyItemNotFoundError` when there is none.
   */
  protected override async _getRecord(idempotencyKey: string): Promise<IdempotencyRecord> {
    const record = await this.store.get(idempotencyKey, { includeExpired: true });
    if (record === undefined) {
      throw new IdempotencyItemNotFoundError(`No idempotency record for key ${idempotencyKey}`);
    }
    return this.#toPowertoolsRecord(idempotencyKey, record);
  }

  /** The claim this instance holds on a key; without one, nothing may be written. */
  #held(key: string, operation: 'complete' | 'release'): Claim<RecordKey> {
    const claim = this.#claims.get(key);
    if (claim === undefined) throw new LeaseLostError(key, operation, undefined);
    return claim;
  }

  /** Drops the claim of a finished attempt, unless a later claim on the key replaced it. */
  #forget(claim: Claim<RecordKey>): void {
    if (this.#claims.get(claim.key.id) === claim) this.#claims.delete(claim.key.id);
  }

  #toPowertoolsRecord(key: string, stored: StoredRecord): IdempotencyRecord {
    const item = readItem(stored);
    if (item.status === RecordStatus.FAILED) {
      throw new PermanentError(
        `Idempotency key ${key} is recorded as failed (${item.error ?? 'no error stored'}) by another writer of the table; this layer never writes failed records. Delete the record to process the event again.`,
        { key },
      );
    }
    const status =
      item.status === RecordStatus.PROCESSING
        ? IdempotencyRecordStatus.INPROGRESS
        : item.status === RecordStatus.COMPLETED
          ? IdempotencyRecordStatus.COMPLETED
          : undefined;
    if (status === undefined) throw new IdempotencyInvalidStatusError(String(item.status));
    return new IdempotencyRecord({
      idempotencyKey: item.id ?? key,
      status,
      ...(item.expiration === undefined ? {} : { expiryTimestamp: item.expiration }),
      ...(item.leaseExpiresAt === undefined ? {} : { inProgressExpiryTimestamp: item.leaseExpiresAt }),
      ...(item.result === undefined ? {} : { responseData: JSON.parse(item.result) as JSONValue }),
      ...(item.payloadHash === undefined ? {} : { payloadHash: item.payloadHash }),
    });
  }
}

function toDocumentClient(
  client: DynamoDBDocumentClient | DynamoDBClient | undefined,
): DynamoDBDocumentClient {
  if (client === undefined) return createDocumentClient();
  if (client instanceof DynamoDBDocumentClient) return client;
  if (client instanceof DynamoDBClient) {
    return documentClientOf(client);
  }
  throw new TypeError('Option client must be a DynamoDBDocumentClient or a DynamoDBClient.');
}

/** The part of a stored record this layer reads back, checked: any writer may share the table. */
interface StoredItem {
  readonly id: string | undefined;
  readonly status: string | undefined;
  readonly leaseExpiresAt: number | undefined;
  readonly expiration: number | undefined;
  readonly payloadHash: string | undefined;
  readonly result: string | undefined;
  readonly error: string | undefined;
}

function readItem(stored: StoredRecord): StoredItem {
  const item = stored as unknown as Record<string, unknown>;
  const error = item.error;
  return {
    id: stringOrUndefined(item.id),
    status: stringOrUndefined(item.status),
    leaseExpiresAt: numberOrUndefined(item.lease_expires_at),
    expiration: numberOrUndefined(item.expiration),
    payloadHash: stringOrUndefined(item.payload_hash),
    result: stringOrUndefined(item.result),
    error:
      typeof error === 'object' && error !== null
        ? `${String((error as { name?: unknown }).name)}: ${String((error as { message?: unknown }).message)}`
        : undefined,
  };
}

function stringOrUndefined(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

function numberOrUndefined(value: unknown): number | undefined {
  return typeof value === 'number' ? value : undefined;
}
