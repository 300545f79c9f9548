import { randomUUID } from 'node:crypto';
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { DynamoDBClient, type DynamoDBClientConfig } from '@aws-sdk/client-dynamodb';
import {
  BatchGetCommand,
  type BatchGetCommandOutput,
  DeleteCommand,
  DynamoDBDocumentClient,
  GetCommand,
  TransactWriteCommand,
  type TransactWriteCommandInput,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { IDEMPOTENCY_TABLE_SCHEMA, RecordStatus } from './constants';
import type { RecordCoordinates } from './envelope';
import {
  BusinessConditionFailedError,
  describe,
  LeaseLostError,
  PermanentError,
  StoreUnavailableError,
} from './errors';
import type { IdempotencyKey } from './keys';
import { DEFAULTS, integerOption, MAX_RESULT_BYTES_LIMIT } from './options';

/** A source of the current time in epoch milliseconds. Injected in tests to simulate skew. */
export interface Clock {
  now(): number;
}

/** The system clock. */
export const systemClock: Clock = { now: () => Date.now() };

/**
 * One idempotency record as stored in DynamoDB. Attribute names are the stored names.
 */
export interface IdempotencyRecord {
  /** `<prefix>:<service>:<event_type>:<hash>`. */
  readonly id: string;
  readonly status: RecordStatus;
  /** Owner token of the attempt that holds or finished the record. */
  readonly owner: string;
  /** Epoch ms after which a `processing` record may be taken over. */
  readonly lease_expires_at?: number;
  /** Epoch seconds; the table's TTL attribute. Every read and condition compares it. */
  readonly expiration: number;
  readonly payload_hash: string;
  /** The handler's result, JSON encoded, when it was cached. */
  readonly result?: string;
  /** Why the result was not cached: `too-large` or `not-serializable`. */
  readonly result_omitted?: string;
  /** For `failed`: the error's class and message. */
  readonly error?: { readonly name: string; readonly message: string };
  readonly service: string;
  readonly event_type: string;
  readonly event_id?: string;
  readonly correlation_id?: string;
  readonly topic?: string;
  readonly partition?: number;
  readonly offset?: number;
  /** Claims made on this item, takeovers included. */
  readonly attempts: number;
  /** Epoch ms of the latest claim. */
  readonly claimed_at: number;
  /** Epoch ms of completion or failure. */
  readonly finished_at?: number;
}

/** Context stored with a record, for people reading the table. */
export interface RecordContext {
  readonly service: string;
  readonly eventId?: string | undefined;
  readonly correlationId?: string | undefined;
  readonly coordinates?: RecordCoordinates | undefined;
}

/** A claim held by this attempt: what completion, release and failure are fenced with. */
export interface Claim {
  readonly key: IdempotencyKey;
  /** This attempt's owner token. */
  readonly owner: string;
  /** Epoch ms at which this attempt's lease ends. */
  readonly leaseExpiresAt: number;
  /** TTL (seconds) applied on completion. */
  readonly ttlSeconds: number;
  /** `true` when this claim took over another attempt's expired lease. */
  readonly takeover: boolean;
  /** The owner whose lease was taken over, if any. */
  readonly previousOwner: string | undefined;
}

/** Result of a claim: held by this attempt, or the record that stands in the way. */
export type ClaimResult =
  | { readonly kind: 'claimed'; readonly claim: Claim }
  | { readonly kind: 'exists'; readonly record: IdempotencyRecord };

/** Options of {@link IdempotencyStore}. */
export interface IdempotencyStoreOptions {
  /** Name of the idempotency table. */
  readonly tableName: string;
  /**
   * Document client to use.
   * @default a client from {@link createDocumentClient} with the SDK's standard retries
   */
  readonly client?: DynamoDBDocumentClient;
  /**
   * Clock for leases, expirations and conditions.
   * @default the system clock
   */
  readonly clock?: Clock;
  /**
   * How long (ms) a takeover waits after a lease ends, to absorb clock differences between workers.
   * An integer >= 0.
   * @default 1000 (`DEFAULTS.clockSkewMs`)
   */
  readonly clockSkewMs?: number;
  /**
   * Largest JSON result (bytes) cached in a record; larger results complete without it. An integer
   * from 0 to 350000.
   * @default 131072 (`DEFAULTS.maxResultBytes`)
   */
  readonly maxResultBytes?: number;
}

/** A write to commit together with the `completed` mark, in lib-dynamodb's native-value form. */
export type TransactionalWrite = NonNullable<TransactWriteCommandInput['TransactItems']>[number];

/** Result of a completion: whether the handler's result was cached in the record. */
export interface CompletionResult {
  /** `undefined` when cached, else `too-large` or `not-serializable`. */
  readonly resultOmitted: 'too-large' | 'not-serializable' | undefined;
}

/** The most writes a transaction may carry besides the completion mark (DynamoDB's limit is 100). */
export const MAX_TRANSACTIONAL_WRITES = 99;

const BATCH_GET_LIMIT = 100;
const BATCH_GET_MAX_ROUNDS = 8;

// Attribute name placeholders, so that expressions read like the state machine.
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

/**
 * Creates a DynamoDB document client configured for the layer: the SDK's standard retry strategy,
 * `removeUndefinedValues`, and an optional endpoint (DynamoDB Local, LocalStack).
 *
 * @example
 * ```ts
 * const client = createDocumentClient({ endpoint: process.env.DYNAMODB_ENDPOINT });
 * ```
 */
export function createDocumentClient(
  config: DynamoDBClientConfig & { readonly endpoint?: string | undefined } = {},
): DynamoDBDocumentClient {
  const { endpoint, ...rest } = config;
  const base = new DynamoDBClient({
    maxAttempts: DEFAULTS.sdkMaxAttempts,
    ...rest,
    ...(endpoint ? { endpoint } : {}),
  });
  return DynamoDBDocumentClient.from(base, {
    marshallOptions: { removeUndefinedValues: true },
  });
}

/**
 * The DynamoDB idempotency store: every state change is one conditional write, fenced by the
 * owner token of the attempt that holds the record.
 *
 * ```
 * (absent | expired | processing with lease over) --claim--> processing(owner=me)
 * processing(owner=me) --complete--> completed
 * processing(owner=me) --release---> (deleted)
 * processing(owner=me) --fail------> failed
 * ```
 *
 * @example
 * ```ts
 * const store = new IdempotencyStore({ tableName: 'idempotency' });
 * const claimed = await store.claim(key, { leaseMs: 30_000, ttlSeconds: 86_400, context: { service: 'billing' } });
 * if (claimed.kind === 'claimed') await store.complete(claimed.claim, { invoiceId: 'inv-1' });
 * ```
 */
export class IdempotencyStore {
  readonly tableName: string;
  readonly client: DynamoDBDocumentClient;
  readonly clock: Clock;
  readonly clockSkewMs: number;
  readonly maxResultBytes: number;

  constructor(options: IdempotencyStoreOptions) {
    if (typeof options.tableName !== 'string' || options.tableName.length === 0) {
      throw new TypeError(
        `Option tableName must be a non-empty string, got ${JSON.stringify(options.tableName)}.`,
      );
    }
    this.tableName = options.tableName;
    this.client = options.client ?? createDocumentClient();
    this.clock = options.clock ?? systemClock;
    this.clockSkewMs = integerOption('clockSkewMs', options.clockSkewMs ?? DEFAULTS.clockSkewMs, { min: 0 });
    this.maxResultBytes = integerOption(
      'maxResultBytes',
      options.maxResultBytes ?? DEFAULTS.maxResultBytes,
      { min: 0, max: MAX_RESULT_BYTES_LIMIT },
      'DynamoDB items are limited to 400 KB',
    );
  }

  /**
   * Claims a key for this attempt with one conditional write. Succeeds when the record is absent,
   * expired, or `processing` with a lease that ended more than `clockSkewMs` ago. When the write
   * fails its condition the record standing in the way comes back with it (no second read), and a
   * record carrying this attempt's own owner token (an SDK retry of a committed claim) counts as
   * claimed.
   */
  async claim(
    key: IdempotencyKey,
    request: { readonly leaseMs: number; readonly ttlSeconds: number; readonly context: RecordContext },
  ): Promise<ClaimResult> {
    const now = this.clock.now();
    const owner = randomUUID();
    const leaseExpiresAt = now + request.leaseMs;
    const { context } = request;
    const set: Record<string, unknown> = {
      status: RecordStatus.PROCESSING,
      owner,
      lease_expires_at: leaseExpiresAt,
      expiration: Math.floor(now / 1000) + request.ttlSeconds,
      payload_hash: key.payloadHash,
      service: context.service,
      event_type: key.eventType,
      event_id: context.eventId,
      correlation_id: context.correlationId,
      topic: context.coordinates?.topic,
      partition: context.coordinates?.partition,
      offset: context.coordinates?.offset,
      claimed_at: now,
    };
    const names: Record<string, string> = {
      '#id': NAMES['#id'],
      '#exp': NAMES['#exp'],
      '#status': NAMES['#status'],
      '#lease': NAMES['#lease'],
      '#attempts': 'attempts',
    };
    const values: Record<string, unknown> = {
      ':nowSeconds': Math.floor(now / 1000),
      ':takeoverBefore': now - this.clockSkewMs,
      ':processing': RecordStatus.PROCESSING,
      ':zero': 0,
      ':one': 1,
    };
    const assignments = ['#attempts = if_not_exists(#attempts, :zero) + :one'];
    for (const [name, value] of Object.entries(set)) {
      if (value === undefined) continue;
      names[`#a_${name}`] = name;
      values[`:a_${name}`] = value;
      assignments.push(`#a_${name} = :a_${name}`);
    }
    for (const name of ['result', 'result_omitted', 'error', 'finished_at']) names[`#r_${name}`] = name;
    const update = `SET ${assignments.join(', ')} REMOVE #r_result, #r_result_omitted, #r_error, #r_finished_at`;

    try {
      const response = await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { [IDEMPOTENCY_TABLE_SCHEMA.partitionKey]: key.id },
          UpdateExpression: update,
          ConditionExpression: CLAIMABLE,
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
          ReturnValues: 'ALL_OLD',
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      );
      const previous = response.Attributes as Partial<IdempotencyRecord> | undefined;
      const takeover =
        previous?.status === RecordStatus.PROCESSING && (previous.expiration ?? 0) >= now / 1000;
      return {
        kind: 'claimed',
        claim: {
          key,
          owner,
          leaseExpiresAt,
          ttlSeconds: request.ttlSeconds,
          takeover,
          previousOwner: takeover ? previous?.owner : undefined,
        },
      };
    } catch (error) {
      const existing = conditionFailureItem(error);
      if (existing === null && errorName(error) === 'ValidationException') {
        // DynamoDB refused the item itself (over 400 KB, or an attribute it cannot store): the same
        // record is refused on every delivery, so it is permanent, never an outage to wait out.
        throw new PermanentError(
          `Claim of ${key.id} was rejected by DynamoDB (${describe(error)}); the record is dead-lettered. Check the record's identifiers against the input bounds.`,
          { key: key.id, cause: error },
        );
      }
      if (existing === null) throw new StoreUnavailableError('claim', key.id, error);
      if (existing === undefined) {
        // The condition failed yet nothing is there: a concurrent release or TTL deletion won the
        // race after our evaluation. Report it as held elsewhere, briefly; the retry will claim.
        throw new StoreUnavailableError('claim', key.id, new Error('record vanished during claim; retry'));
      }
      if (existing.owner === owner && existing.status === RecordStatus.PROCESSING) {
        // An SDK retry of our own committed claim: the record already carries our token.
        return {
          kind: 'claimed',
          claim: {
            key,
            owner,
            leaseExpiresAt,
            ttlSeconds: request.ttlSeconds,
            takeover: false,
            previousOwner: undefined,
          },
        };
      }
      return { kind: 'exists', record: existing };
    }
  }

  /**
   * Marks a claimed record `completed` with the handler's result, conditional on this attempt still
   * holding it. A result that cannot be cached (too large, not JSON-serializable) is left out and
   * the record completes anyway. A completion whose response was lost and whose SDK retry then
   * finds the record already completed by this owner succeeds.
   *
   * @throws {@link LeaseLostError} when another attempt took the record over.
   * @throws {@link StoreUnavailableError} when the store cannot be reached.
   */
  async complete(claim: Claim, result: unknown): Promise<CompletionResult> {
    const now = this.clock.now();
    const encoded = encodeResult(result, this.maxResultBytes);
    try {
      await this.client.send(new UpdateCommand(this.completionUpdate(claim, encoded, now)));
      return { resultOmitted: encoded.omitted };
    } catch (error) {
      const existing = conditionFailureItem(error);
      if (existing === null) throw new StoreUnavailableError('complete', claim.key.id, error);
      if (existing?.owner === claim.owner && existing.status === RecordStatus.COMPLETED) {
        return { resultOmitted: encoded.omitted };
      }
      throw new LeaseLostError(claim.key.id, 'complete', existing?.owner);
    }
  }

  /**
   * Commits caller-supplied writes and the `completed` mark in one `TransactWriteItems`, so the
   * business effect and the completion happen together or not at all. The transaction's
   * `ClientRequestToken` is the owner token, so an SDK retry of a committed transaction is a no-op.
   *
   * @throws {@link LeaseLostError} when another attempt took the record over (nothing was written).
   * @throws {@link BusinessConditionFailedError} when one of `writes` failed its own condition.
   * @throws {@link StoreUnavailableError} on conflicts, throttling and outages (retryable).
   *
   * @example
   * ```ts
   * await store.completeWithWrites(claim, { ok: true }, [
   *   { Update: { TableName: 'essays', Key: { pk: 'BATCH#1', sk: 'META' }, UpdateExpression: 'ADD ready :one', ExpressionAttributeValues: { ':one': 1 } } },
   * ]);
   * ```
   */
  async completeWithWrites(
    claim: Claim,
    result: unknown,
    writes: readonly TransactionalWrite[],
  ): Promise<CompletionResult> {
    if (writes.length > MAX_TRANSACTIONAL_WRITES) {
      throw new PermanentError(
        `A transactional completion carries at most ${MAX_TRANSACTIONAL_WRITES} writes besides the completion mark; the handler returned ${writes.length} for ${claim.key.id}. Split the effect or use two-phase mode.`,
        { key: claim.key.id },
      );
    }
    const now = this.clock.now();
    const encoded = encodeResult(result, this.maxResultBytes);
    const completion = this.completionUpdate(claim, encoded, now);
    try {
      await this.client.send(
        new TransactWriteCommand({
          ClientRequestToken: claim.owner,
          TransactItems: [...writes, { Update: completion }],
        }),
      );
      return { resultOmitted: encoded.omitted };
    } catch (error) {
      const reasons = cancellationReasons(error);
      if (reasons === undefined) {
        if (errorName(error) === 'ValidationException') {
          throw new PermanentError(
            `Transactional completion of ${claim.key.id} was rejected: ${describe(error)}`,
            {
              key: claim.key.id,
              cause: error,
            },
          );
        }
        throw new StoreUnavailableError('complete', claim.key.id, error);
      }
      const mine = reasons[writes.length];
      if (mine?.Code === 'ConditionalCheckFailed') {
        const existing = mine.Item ? (unmarshall(mine.Item) as IdempotencyRecord) : undefined;
        throw new LeaseLostError(claim.key.id, 'complete', existing?.owner);
      }
      const failed = reasons.findIndex((r) => r.Code === 'ConditionalCheckFailed');
      if (failed >= 0) {
        throw new BusinessConditionFailedError(
          claim.key.id,
          failed,
          reasons[failed]?.Message ?? 'condition failed',
          {
            cause: error,
          },
        );
      }
      const validation = reasons.findIndex((r) => r.Code === 'ValidationError');
      if (validation >= 0) {
        throw new PermanentError(
          `Transactional completion of ${claim.key.id} was rejected: write #${validation} is invalid (${reasons[validation]?.Message ?? 'validation error'}).`,
          { key: claim.key.id, cause: error },
        );
      }
      throw new StoreUnavailableError('complete', claim.key.id, error);
    }
  }

  /**
   * Commits business writes in one transaction without touching any idempotency record. Used only
   * by `fail-open` processing while the idempotency table is unreachable.
   */
  async commitWrites(writes: readonly TransactionalWrite[]): Promise<void> {
    if (writes.length === 0) return;
    await this.client.send(new TransactWriteCommand({ TransactItems: [...writes] }));
  }

  /**
   * Deletes a claimed record so the event can be processed again (after a retryable error),
   * conditional on this attempt still holding it. A record already gone counts as released.
   *
   * @throws {@link LeaseLostError} when another attempt took the record over; it is left intact.
   */
  async release(claim: Claim): Promise<void> {
    try {
      await this.client.send(
        new DeleteCommand({
          TableName: this.tableName,
          Key: { [IDEMPOTENCY_TABLE_SCHEMA.partitionKey]: claim.key.id },
          ConditionExpression: HELD_BY_ME,
          ExpressionAttributeNames: { '#owner': NAMES['#owner'], '#status': NAMES['#status'] },
          ExpressionAttributeValues: { ':owner': claim.owner, ':processing': RecordStatus.PROCESSING },
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      );
    } catch (error) {
      const existing = conditionFailureItem(error);
      if (existing === null) throw new StoreUnavailableError('release', claim.key.id, error);
      if (existing === undefined) return;
      throw new LeaseLostError(claim.key.id, 'release', existing.owner);
    }
  }

  /**
   * Marks a claimed record `failed` (a permanent error), with the error's class and message,
   * conditional on this attempt still holding it. Redeliveries are then skipped until it expires.
   *
   * @throws {@link LeaseLostError} when another attempt took the record over.
   */
  async fail(claim: Claim, error: unknown): Promise<void> {
    const now = this.clock.now();
    const stored = {
      name: error instanceof Error ? error.name : 'Error',
      message: truncate(error instanceof Error ? error.message : String(error), 4000),
    };
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { [IDEMPOTENCY_TABLE_SCHEMA.partitionKey]: claim.key.id },
          UpdateExpression:
            'SET #status = :failed, #error = :error, #exp = :exp, #finished = :now REMOVE #lease',
          ConditionExpression: HELD_BY_ME,
          ExpressionAttributeNames: {
            '#status': NAMES['#status'],
            '#owner': NAMES['#owner'],
            '#exp': NAMES['#exp'],
            '#lease': NAMES['#lease'],
            '#error': 'error',
            '#finished': 'finished_at',
          },
          ExpressionAttributeValues: {
            ':owner': claim.owner,
            ':processing': RecordStatus.PROCESSING,
            ':failed': RecordStatus.FAILED,
            ':error': stored,
            ':exp': Math.floor(now / 1000) + claim.ttlSeconds,
            ':now': now,
          },
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      );
    } catch (caught) {
      const existing = conditionFailureItem(caught);
      if (existing === null) throw new StoreUnavailableError('fail', claim.key.id, caught);
      if (existing?.owner === claim.owner && existing.status === RecordStatus.FAILED) return;
      throw new LeaseLostError(claim.key.id, 'fail', existing?.owner);
    }
  }

  /**
   * Reads one record with a strongly consistent read. Expired records are returned as `undefined`,
   * whether or not DynamoDB's lazy TTL has deleted them yet.
   */
  async get(id: string): Promise<IdempotencyRecord | undefined> {
    try {
      const response = await this.client.send(
        new GetCommand({
          TableName: this.tableName,
          Key: { [IDEMPOTENCY_TABLE_SCHEMA.partitionKey]: id },
          ConsistentRead: true,
        }),
      );
      const record = response.Item as IdempotencyRecord | undefined;
      return record && this.isLive(record) ? record : undefined;
    } catch (error) {
      throw new StoreUnavailableError('get', id, error);
    }
  }

  /**
   * Reads many records in as few requests as DynamoDB allows (`BatchGetItem`, 100 keys each),
   * retrying unprocessed keys. Returns the live records by id; expired ones are left out.
   * Eventually consistent on purpose: only terminal states (`completed`, `failed`) are acted on
   * from this read, and a stale miss is caught by the claim's condition.
   */
  async getMany(ids: readonly string[]): Promise<Map<string, IdempotencyRecord>> {
    const found = new Map<string, IdempotencyRecord>();
    const unique = [...new Set(ids)];
    const chunks: string[][] = [];
    for (let i = 0; i < unique.length; i += BATCH_GET_LIMIT)
      chunks.push(unique.slice(i, i + BATCH_GET_LIMIT));
    await Promise.all(chunks.map((chunk) => this.getChunk(chunk, found)));
    return found;
  }

  /** `true` when the record has not reached its expiration (by this store's clock). */
  isLive(record: IdempotencyRecord): boolean {
    return record.expiration >= Math.floor(this.clock.now() / 1000);
  }

  private async getChunk(ids: string[], found: Map<string, IdempotencyRecord>): Promise<void> {
    const pk = IDEMPOTENCY_TABLE_SCHEMA.partitionKey;
    let pending: Record<string, unknown>[] = ids.map((id) => ({ [pk]: id }));
    for (let round = 0; pending.length > 0; round++) {
      if (round >= BATCH_GET_MAX_ROUNDS) {
        throw new StoreUnavailableError(
          'get',
          undefined,
          new Error(`${pending.length} keys still unprocessed`),
        );
      }
      if (round > 0) await sleep(Math.min(1000, 25 * 2 ** round));
      let response: BatchGetCommandOutput;
      try {
        response = await this.client.send(
          new BatchGetCommand({ RequestItems: { [this.tableName]: { Keys: pending } } }),
        );
      } catch (error) {
        throw new StoreUnavailableError('get', undefined, error);
      }
      for (const item of response.Responses?.[this.tableName] ?? []) {
        const record = item as unknown as IdempotencyRecord;
        if (this.isLive(record)) found.set(record.id, record);
      }
      pending = response.UnprocessedKeys?.[this.tableName]?.Keys ?? [];
    }
  }

  private completionUpdate(
    claim: Claim,
    encoded: { json: string | undefined; omitted: CompletionResult['resultOmitted'] },
    now: number,
  ) {
    const sets = ['#status = :completed', '#exp = :exp', '#finished = :now'];
    const names: Record<string, string> = {
      '#status': NAMES['#status'],
      '#owner': NAMES['#owner'],
      '#exp': NAMES['#exp'],
      '#lease': NAMES['#lease'],
      '#finished': 'finished_at',
    };
    const values: Record<string, unknown> = {
      ':owner': claim.owner,
      ':processing': RecordStatus.PROCESSING,
      ':completed': RecordStatus.COMPLETED,
      ':exp': Math.floor(now / 1000) + claim.ttlSeconds,
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
    return {
      TableName: this.tableName,
      Key: { [IDEMPOTENCY_TABLE_SCHEMA.partitionKey]: claim.key.id },
      UpdateExpression: `SET ${sets.join(', ')} REMOVE #lease`,
      ConditionExpression: HELD_BY_ME,
      ExpressionAttributeNames: names,
      ExpressionAttributeValues: values,
      ReturnValuesOnConditionCheckFailure: 'ALL_OLD' as const,
    };
  }
}

/**
 * A result as stored in a record: its JSON, or why it is left out. Shared with the Powertools bridge.
 *
 * @internal
 */
export function encodeResult(
  result: unknown,
  maxBytes: number,
): { json: string | undefined; omitted: CompletionResult['resultOmitted'] } {
  if (result === undefined) return { json: undefined, omitted: undefined };
  let json: string | undefined;
  try {
    json = JSON.stringify(result);
  } catch {
    return { json: undefined, omitted: 'not-serializable' };
  }
  if (json === undefined) return { json: undefined, omitted: 'not-serializable' };
  if (Buffer.byteLength(json, 'utf8') > maxBytes) return { json: undefined, omitted: 'too-large' };
  return { json, omitted: undefined };
}

/**
 * For a `ConditionalCheckFailedException`: the item returned with it, unmarshalled (lib-dynamodb
 * leaves it in wire form), or `undefined` when there was none. For any other error: `null`.
 * Shared with the Powertools bridge.
 *
 * @internal
 */
export function conditionFailureAttributes(error: unknown): Record<string, unknown> | undefined | null {
  if (errorName(error) !== 'ConditionalCheckFailedException') return null;
  const item = (error as { Item?: Record<string, unknown> }).Item;
  if (item === undefined || Object.keys(item).length === 0) return undefined;
  const status = item.status;
  const marshalled = typeof status === 'object' && status !== null && 'S' in status;
  return marshalled ? unmarshall(item as Record<string, AttributeValue>) : item;
}

function conditionFailureItem(error: unknown): IdempotencyRecord | undefined | null {
  return conditionFailureAttributes(error) as IdempotencyRecord | undefined | null;
}

function cancellationReasons(
  error: unknown,
): { Code?: string; Message?: string; Item?: Record<string, AttributeValue> }[] | undefined {
  if (errorName(error) !== 'TransactionCanceledException') return undefined;
  return (
    error as {
      CancellationReasons?: { Code?: string; Message?: string; Item?: Record<string, AttributeValue> }[];
    }
  ).CancellationReasons;
}

function errorName(error: unknown): string | undefined {
  return typeof error === 'object' && error !== null ? (error as { name?: string }).name : undefined;
}

function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
