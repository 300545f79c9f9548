import { randomUUID } from 'node:crypto';
import type { JSONValue } from '@aws-lambda-powertools/commons/types';
import {
  IdempotencyInvalidStatusError,
  IdempotencyItemAlreadyExistsError,
  IdempotencyItemNotFoundError,
  IdempotencyRecordStatus,
} from '@aws-lambda-powertools/idempotency';
import { BasePersistenceLayer, IdempotencyRecord } from '@aws-lambda-powertools/idempotency/persistence';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, DynamoDBDocumentClient, GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { IDEMPOTENCY_TABLE_SCHEMA, RecordStatus } from './constants';
import { LeaseLostError, PermanentError, StoreUnavailableError } from './errors';
import { DEFAULTS, integerOption, MAX_RESULT_BYTES_LIMIT } from './options';
import {
  type Clock,
  conditionFailureAttributes,
  createDocumentClient,
  encodeResult,
  systemClock,
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

// Attribute name placeholders, so that expressions read like the state machine (DESIGN.md §3).
const NAMES = {
  '#id': IDEMPOTENCY_TABLE_SCHEMA.partitionKey,
  '#exp': IDEMPOTENCY_TABLE_SCHEMA.ttlAttribute,
  '#status': 'status',
  '#owner': 'owner',
  '#lease': 'lease_expires_at',
} as const;

const IS_ABSENT = 'attribute_not_exists(#id)';
const IS_EXPIRED = '#exp < :nowSeconds';
const LEASE_IS_OVER = '(#status = :processing AND #lease < :takeoverBefore)';
const CLAIMABLE = `${IS_ABSENT} OR ${IS_EXPIRED} OR ${LEASE_IS_OVER}`;
const HELD_BY_ME = '#owner = :owner AND #status = :processing';
const OWNED_BY_ME = '#owner = :owner';

/** The part of a stored item this layer reads back. */
interface StoredItem {
  readonly id: string | undefined;
  readonly status: string | undefined;
  readonly owner: string | undefined;
  readonly leaseExpiresAt: number | undefined;
  readonly expiration: number | undefined;
  readonly payloadHash: string | undefined;
  readonly result: string | undefined;
  readonly error: string | undefined;
}

/**
 * A Powertools idempotency persistence layer on this project's DynamoDB table, with its fencing.
 * Switch `makeIdempotent` (or `@idempotent`, or the Middy middleware) to it in one line; the
 * Powertools flow is unchanged, and the traps of Powertools' own `DynamoDBPersistenceLayer` 2.35
 * are closed:
 *
 * - every claim writes a fresh random **owner token**; an SDK retry of a committed claim finds its
 *   own token (via `ALL_OLD`) and succeeds instead of reporting "already in progress";
 * - completion is conditional on `owner = mine AND status = processing`, release on `owner = mine`:
 *   a worker whose lease was taken over gets a {@link LeaseLostError} (wrapped by Powertools in an
 *   `IdempotencyPersistenceLayerError`) and the new owner's record stays intact;
 * - a processing lease is always written (`fallbackLeaseMs` without a Lambda context), so a crash
 *   never blocks a key for the whole expiry;
 * - the result is stored as a JSON string (`Date`s become ISO strings, `undefined` members are
 *   dropped); a result that cannot be encoded or is too large completes the record without it;
 * - the key is computed once, when the claim is made: a function that mutates its input still
 *   completes the record it claimed.
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
  readonly tableName: string;
  readonly client: DynamoDBDocumentClient;
  readonly fallbackLeaseMs: number;
  readonly clockSkewMs: number;
  readonly maxResultBytes: number;
  readonly clock: Clock;
  /** Owner token of the claim this instance holds, by hashed idempotency key. */
  readonly #owners = new Map<string, string>();
  /** The key each payload object was claimed under, so that a mutated payload keeps its key. */
  readonly #keyByPayload = new WeakMap<object, string>();

  constructor(options: FencedDynamoDBPersistenceLayerOptions) {
    super();
    if (typeof options?.tableName !== 'string' || options.tableName.length === 0) {
      throw new TypeError(
        `Option tableName must be a non-empty string, got ${JSON.stringify(options?.tableName)}.`,
      );
    }
    this.tableName = options.tableName;
    this.client = toDocumentClient(options.client);
    this.fallbackLeaseMs = integerOption(
      'fallbackLeaseMs',
      options.fallbackLeaseMs ?? DEFAULTS.fallbackLeaseMs,
      {
        min: 1,
      },
    );
    this.clockSkewMs = integerOption('clockSkewMs', options.clockSkewMs ?? DEFAULTS.clockSkewMs, { min: 0 });
    this.maxResultBytes = integerOption(
      'maxResultBytes',
      options.maxResultBytes ?? DEFAULTS.maxResultBytes,
      { min: 0, max: MAX_RESULT_BYTES_LIMIT },
      'DynamoDB items are limited to 400 KB',
    );
    this.clock = options.clock ?? systemClock;
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

  /**
   * Claim: one conditional write with a fresh owner token, accepted when the record is absent,
   * expired, or `processing` with a lease that ended more than `clockSkewMs` ago.
   */
  protected override async _putRecord(record: IdempotencyRecord): Promise<void> {
    const key = record.idempotencyKey;
    const now = this.clock.now();
    const owner = randomUUID();
    // Powertools anchored the lease on Date.now(); re-anchor its length on this layer's clock.
    const leaseMs =
      record.inProgressExpiryTimestamp === undefined
        ? this.fallbackLeaseMs
        : Math.max(0, record.inProgressExpiryTimestamp - Date.now());
    const withHash = this.isPayloadValidationEnabled() && record.payloadHash !== undefined;
    const sets = [
      '#status = :processing',
      '#owner = :owner',
      '#lease = :lease',
      '#exp = :exp',
      '#claimed = :now',
      '#attempts = if_not_exists(#attempts, :zero) + :one',
    ];
    const removes = ['#result', '#omitted', '#error', '#finished'];
    const values: Record<string, unknown> = {
      ':processing': RecordStatus.PROCESSING,
      ':owner': owner,
      ':lease': now + leaseMs,
      ':exp': Math.floor(now / 1000) + this.getExpiresAfterSeconds(),
      ':now': now,
      ':zero': 0,
      ':one': 1,
      ':nowSeconds': Math.floor(now / 1000),
      ':takeoverBefore': now - this.clockSkewMs,
    };
    if (withHash) {
      sets.push('#hash = :hash');
      values[':hash'] = record.payloadHash;
    } else {
      removes.push('#hash');
    }
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { [IDEMPOTENCY_TABLE_SCHEMA.partitionKey]: key },
          UpdateExpression: `SET ${sets.join(', ')} REMOVE ${removes.join(', ')}`,
          ConditionExpression: CLAIMABLE,
          ExpressionAttributeNames: {
            ...NAMES,
            '#claimed': 'claimed_at',
            '#attempts': 'attempts',
            '#hash': 'payload_hash',
            '#result': 'result',
            '#omitted': 'result_omitted',
            '#error': 'error',
            '#finished': 'finished_at',
          },
          ExpressionAttributeValues: values,
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      );
    } catch (error) {
      const existing = conditionFailureItem(error);
      if (existing === null) throw new StoreUnavailableError('claim', key, error);
      if (existing?.owner === owner && existing.status === RecordStatus.PROCESSING) {
        // An SDK retry of our own committed claim: the record already carries our token.
        this.#owners.set(key, owner);
        return;
      }
      throw new IdempotencyItemAlreadyExistsError(
        `Failed to put record for already existing idempotency key: ${key}`,
        existing === undefined ? undefined : this.#toPowertoolsRecord(key, existing),
      );
    }
    this.#owners.set(key, owner);
  }

  /**
   * Completion: marks the record `completed` with the result, conditional on this attempt still
   * holding it. A retry that finds the record already completed by this owner succeeds.
   *
   * @throws {@link LeaseLostError} when another attempt took the record over (nothing is written).
   */
  protected override async _updateRecord(record: IdempotencyRecord): Promise<void> {
    const key = record.idempotencyKey;
    const owner = this.#owners.get(key);
    if (owner === undefined) throw new LeaseLostError(key, 'complete', undefined);
    const now = this.clock.now();
    const encoded = encodeResult(record.responseData, this.maxResultBytes);
    const sets = ['#status = :completed', '#exp = :exp', '#finished = :now'];
    const names: Record<string, string> = {
      '#status': NAMES['#status'],
      '#owner': NAMES['#owner'],
      '#exp': NAMES['#exp'],
      '#lease': NAMES['#lease'],
      '#finished': 'finished_at',
    };
    const values: Record<string, unknown> = {
      ':owner': owner,
      ':processing': RecordStatus.PROCESSING,
      ':completed': RecordStatus.COMPLETED,
      ':exp': Math.floor(now / 1000) + this.getExpiresAfterSeconds(),
      ':now': now,
    };
    if (encoded.json !== undefined) {
      sets.push('#result = :result');
      names['#result'] = 'result';
      values[':result'] = encoded.json;
    }
    if (encoded.omitted !== undefined) {
      sets.push('#omitted = :omitted');
      names['#omitted'] = 'result_omitted';
      values[':omitted'] = encoded.omitted;
    }
    if (this.isPayloadValidationEnabled() && record.payloadHash !== undefined) {
      sets.push('#hash = :hash');
      names['#hash'] = 'payload_hash';
      values[':hash'] = record.payloadHash;
    }
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { [IDEMPOTENCY_TABLE_SCHEMA.partitionKey]: key },
          UpdateExpression: `SET ${sets.join(', ')} REMOVE #lease`,
          ConditionExpression: HELD_BY_ME,
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      );
    } catch (error) {
      const existing = conditionFailureItem(error);
      if (existing === null) throw new StoreUnavailableError('complete', key, error);
      // A retry of our own committed completion whose response was lost.
      if (existing?.owner === owner && existing.status === RecordStatus.COMPLETED) return;
      throw new LeaseLostError(key, 'complete', existing?.owner);
    } finally {
      this.#forget(key, owner);
    }
  }

  /**
   * Release (the function threw): deletes the record, conditional on this attempt owning it. A
   * record already gone counts as released.
   *
   * @throws {@link LeaseLostError} when another attempt took the record over; it is left intact.
   */
  protected override async _deleteRecord(record: IdempotencyRecord): Promise<void> {
    const key = record.idempotencyKey;
    const owner = this.#owners.get(key);
    if (owner === undefined) throw new LeaseLostError(key, 'release', undefined);
    try {
      await this.client.send(
        new DeleteCommand({
          TableName: this.tableName,
          Key: { [IDEMPOTENCY_TABLE_SCHEMA.partitionKey]: key },
          ConditionExpression: OWNED_BY_ME,
          ExpressionAttributeNames: { '#owner': NAMES['#owner'] },
          ExpressionAttributeValues: { ':owner': owner },
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      );
    } catch (error) {
      const existing = conditionFailureItem(error);
      if (existing === null) throw new StoreUnavailableError('release', key, error);
      if (existing === undefined) return;
      throw new LeaseLostError(key, 'release', existing.owner);
    } finally {
      this.#forget(key, owner);
    }
  }

  /**
   * Reads a record with a strongly consistent read, in Powertools' terms.
   *
   * @throws `IdempotencyItemNotFoundError` when there is none.
   */
  protected override async _getRecord(idempotencyKey: string): Promise<IdempotencyRecord> {
    let item: Record<string, unknown> | undefined;
    try {
      const response = await this.client.send(
        new GetCommand({
          TableName: this.tableName,
          Key: { [IDEMPOTENCY_TABLE_SCHEMA.partitionKey]: idempotencyKey },
          ConsistentRead: true,
        }),
      );
      item = response.Item;
    } catch (error) {
      throw new StoreUnavailableError('get', idempotencyKey, error);
    }
    if (item === undefined) {
      throw new IdempotencyItemNotFoundError(`No idempotency record for key ${idempotencyKey}`);
    }
    return this.#toPowertoolsRecord(idempotencyKey, readItem(item));
  }

  /** Drops the token of a finished attempt, unless a later claim on the key replaced it. */
  #forget(key: string, owner: string): void {
    if (this.#owners.get(key) === owner) this.#owners.delete(key);
  }

  #toPowertoolsRecord(key: string, item: StoredItem): IdempotencyRecord {
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
    return DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
  }
  throw new TypeError('Option client must be a DynamoDBDocumentClient or a DynamoDBClient.');
}

function conditionFailureItem(error: unknown): StoredItem | undefined | null {
  const item = conditionFailureAttributes(error);
  return item === null || item === undefined ? item : readItem(item);
}

function readItem(item: Record<string, unknown>): StoredItem {
  const error = item.error;
  return {
    id: stringOrUndefined(item[IDEMPOTENCY_TABLE_SCHEMA.partitionKey]),
    status: stringOrUndefined(item.status),
    owner: stringOrUndefined(item.owner),
    leaseExpiresAt: numberOrUndefined(item.lease_expires_at),
    expiration: numberOrUndefined(item[IDEMPOTENCY_TABLE_SCHEMA.ttlAttribute]),
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
