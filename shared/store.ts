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
import { forEachLimited } from './batch/limit';
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
import {
  claimRequest,
  commitRequest,
  completeRequest,
  conditionFailure,
  errorName,
  failRequest,
  judge,
  releaseRequest,
  type Transition,
} from './transitions';

/** A source of the current time in epoch milliseconds. Injected in tests to simulate skew. */

/** DynamoDB's message when an item is over its 400 KB limit. */
const ITEM_TOO_LARGE = /item size (has exceeded|to update has exceeded)/i;

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

/**
 * What a claim names: the record's id, and what is stored with it. An {@link IdempotencyKey} is
 * one; the Powertools persistence layer claims its own keys, with a payload hash only when payload
 * validation is on.
 */
export interface RecordKey {
  /** The record's partition key. */
  readonly id: string;
  /** Stored as `payload_hash`; `undefined` stores none. */
  readonly payloadHash?: string | undefined;
  /** Stored as `event_type`, for people reading the table. */
  readonly eventType?: string | undefined;
}

/** A claim held by this attempt: what completion, release and failure are fenced with. */
export interface Claim<K extends RecordKey = IdempotencyKey> {
  readonly key: K;
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
export type ClaimResult<K extends RecordKey = IdempotencyKey> =
  | { readonly kind: 'claimed'; readonly claim: Claim<K> }
  | { readonly kind: 'exists'; readonly record: IdempotencyRecord };

/** What {@link IdempotencyStore.claim} is asked for besides the key. */
export interface ClaimOptions {
  /** Length (ms) of the processing lease, from now. */
  readonly leaseMs: number;
  /** TTL (seconds) of the record, now and on completion. */
  readonly ttlSeconds: number;
  /**
   * Context stored with the record, for people reading the table.
   * @default none
   */
  readonly context?: RecordContext;
}

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
  /** The result as stored (JSON), when it was cached. */
  readonly resultJson?: string | undefined;
}

/** What {@link IdempotencyStore.commit} writes: the record `completed` with a result, or `failed`. */
export type CommitOutcome =
  | { readonly status: 'completed'; readonly result: unknown }
  | { readonly status: 'failed'; readonly error: unknown };

/** What {@link IdempotencyStore.commit} is asked for besides the key and the outcome. */
export interface CommitOptions {
  /** TTL (seconds) of the record. */
  readonly ttlSeconds: number;
  /** Context stored with the record. @default none */
  readonly context?: RecordContext;
  /**
   * The owner token of the record (and the transaction's `ClientRequestToken`); given when something
   * sent before the commit must name it, as a dead letter does. @default a fresh random token
   */
  readonly owner?: string;
}

/** Result of a commit: the record is this attempt's, or the record that stands in the way. */
export type CommitResult =
  | ({ readonly kind: 'committed'; readonly owner: string; readonly expiration: number } & CompletionResult)
  | { readonly kind: 'exists'; readonly record: IdempotencyRecord };

/** The most writes a transaction may carry besides the completion mark (DynamoDB's limit is 100). */
export const MAX_TRANSACTIONAL_WRITES = 99;

const BATCH_GET_LIMIT = 100;
const BATCH_GET_MAX_ROUNDS = 8;
/** Longest error message stored in a `failed` record. */
const MAX_STORED_ERROR_CHARS = 4000;

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
  return documentClientOf(base);
}

/**
 * Wraps a low-level client the way the layer needs (`removeUndefinedValues`); middleware added to
 * `base` still applies.
 *
 * @example
 * ```ts
 * const doc = documentClientOf(new DynamoDBClient({ region: 'eu-west-1' }));
 * ```
 */
export function documentClientOf(base: DynamoDBClient): DynamoDBDocumentClient {
  return DynamoDBDocumentClient.from(base, { marshallOptions: { removeUndefinedValues: true } });
}

/**
 * The DynamoDB idempotency store: every state change is one conditional write, fenced by the
 * owner token of the attempt that holds the record. The requests are built in `transitions.ts`
 * (written once); this store is the only code that sends them.
 *
 * ```
 * (absent | expired | processing with lease over) --claim--> processing(owner=me)
 * processing(owner=me) --complete--> completed      (condition: owner=me AND status=processing)
 * processing(owner=me) --release---> (deleted)      (condition: owner=me AND status=processing)
 * processing(owner=me) --fail------> failed         (condition: owner=me AND status=processing)
 * (absent | expired | processing with lease over) --commit--> completed | failed(owner=me)   single-write mode
 * ```
 *
 * The release is conditioned on `status = processing` too, not on the owner alone: a release after
 * a completion that committed but whose response was lost must not delete the completed record,
 * or the next delivery would run the effect again.
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
   *
   * @throws {@link PermanentError} when DynamoDB refuses the item itself (it would on every attempt).
   * @throws {@link StoreUnavailableError} when the store cannot be reached.
   */
  async claim<K extends RecordKey>(key: K, request: ClaimOptions): Promise<ClaimResult<K>> {
    const now = this.clock.now();
    const owner = randomUUID();
    const claimed = (takeover: boolean, previousOwner: string | undefined): ClaimResult<K> => ({
      kind: 'claimed',
      claim: {
        key,
        owner,
        leaseExpiresAt: now + request.leaseMs,
        ttlSeconds: request.ttlSeconds,
        takeover,
        previousOwner,
      },
    });
    const context = request.context;
    let previous: Partial<IdempotencyRecord> | undefined;
    try {
      const response = await this.client.send(
        new UpdateCommand(
          claimRequest({
            tableName: this.tableName,
            id: key.id,
            owner,
            now,
            leaseMs: request.leaseMs,
            ttlSeconds: request.ttlSeconds,
            clockSkewMs: this.clockSkewMs,
            payloadHash: key.payloadHash,
            context: storedContext(key, context),
          }),
        ),
      );
      previous = response.Attributes as Partial<IdempotencyRecord> | undefined;
    } catch (error) {
      const failure = conditionFailure('claim', error, owner);
      if (
        failure === undefined &&
        errorName(error) === 'ValidationException' &&
        ITEM_TOO_LARGE.test(describe(error))
      ) {
        // DynamoDB refused the item for its size: the same record is refused on every delivery, so
        // it is permanent. Any other ValidationException (a table with another key schema, a bad
        // expression) is a misconfiguration: retryable, so that it stops the partition loudly
        // instead of dead-lettering every record.
        throw new PermanentError(
          `Claim of ${key.id} was rejected by DynamoDB (${describe(error)}); it would be on every delivery, so the record is permanent (the Kafka handler dead-letters it). Check the record's identifiers against the input bounds.`,
          { key: key.id, cause: error },
        );
      }
      if (failure === undefined) throw new StoreUnavailableError('claim', key.id, error);
      // Ours: an SDK retry of our own committed claim, the record already carries our token.
      if (failure.kind === 'mine') return claimed(false, undefined);
      if (failure.kind === 'exists') return { kind: 'exists', record: failure.record };
      // The condition failed yet nothing is there: a concurrent release or TTL deletion won the
      // race after our evaluation. Report it as held elsewhere, briefly; the retry will claim.
      throw new StoreUnavailableError('claim', key.id, new Error('record vanished during claim; retry'));
    }
    const takeover = previous?.status === RecordStatus.PROCESSING && (previous.expiration ?? 0) >= now / 1000;
    return claimed(takeover, takeover ? previous?.owner : undefined);
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
  async complete(claim: Claim<RecordKey>, result: unknown): Promise<CompletionResult> {
    const encoded = encodeResult(result, this.maxResultBytes);
    const request = this.completion(claim, encoded);
    await this.fenced('complete', claim, () => this.client.send(new UpdateCommand(request)));
    return { resultOmitted: encoded.omitted, resultJson: encoded.json };
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
    claim: Claim<RecordKey>,
    result: unknown,
    writes: readonly TransactionalWrite[],
  ): Promise<CompletionResult> {
    if (writes.length > MAX_TRANSACTIONAL_WRITES) {
      throw new PermanentError(
        `A transactional completion carries at most ${MAX_TRANSACTIONAL_WRITES} writes besides the completion mark; the handler returned ${writes.length} for ${claim.key.id}. Split the effect or use two-phase mode.`,
        { key: claim.key.id },
      );
    }
    const encoded = encodeResult(result, this.maxResultBytes);
    const completion = this.completion(claim, encoded);
    try {
      await this.client.send(
        new TransactWriteCommand({
          ClientRequestToken: claim.owner,
          TransactItems: [...writes, { Update: completion }],
        }),
      );
      return { resultOmitted: encoded.omitted, resultJson: encoded.json };
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
      const mark = reasons[writes.length];
      if (mark?.Code === 'ConditionalCheckFailed') {
        const failure = judge('complete', mark.Item && unmarshall(mark.Item), claim.owner);
        // Completed under our token: this very transaction committed before (its token expired).
        if (failure.kind === 'mine') return { resultOmitted: encoded.omitted, resultJson: encoded.json };
        throw new LeaseLostError(
          claim.key.id,
          'complete',
          failure.kind === 'lost' ? failure.owner : undefined,
        );
      }
      throw cancellationError(
        'Transactional completion',
        claim.key.id,
        reasons.slice(0, writes.length),
        error,
      );
    }
  }

  /**
   * Single-write mode: creates the record already finished (`completed` with the result, or
   * `failed` with the error) under the claim's condition, together with the handler's writes in one
   * `TransactWriteItems` (one `UpdateItem` when there are none). No claim comes first and no
   * `processing` record ever exists. A record that is not claimable comes back as `exists` (from
   * the refusal's `ALL_OLD`: no read), so a concurrent duplicate learns the winner's result. The
   * transaction's `ClientRequestToken` is the fresh owner token: an SDK retry of a committed
   * transaction succeeds (and, past the token's 10 minutes, finds its own record: `mine`).
   *
   * @throws {@link BusinessConditionFailedError} when one of `writes` failed its own condition.
   * @throws {@link PermanentError} when DynamoDB refuses the request itself (too many writes, an item too large, an invalid write).
   * @throws {@link StoreUnavailableError} on conflicts, throttling and outages (retryable; nothing was written).
   *
   * @example
   * ```ts
   * const committed = await store.commit(key, { ttlSeconds: 86_400 }, { status: 'completed', result: { ok: true } }, [
   *   { Put: { TableName: 'invoices', Item: { pk: 'INV#1', sk: 'META' }, ConditionExpression: 'attribute_not_exists(pk)' } },
   * ]);
   * if (committed.kind === 'exists') console.log('duplicate of', committed.record.result);
   * ```
   */
  async commit(
    key: RecordKey,
    options: CommitOptions,
    outcome: CommitOutcome,
    writes: readonly TransactionalWrite[] = [],
  ): Promise<CommitResult> {
    if (writes.length > MAX_TRANSACTIONAL_WRITES) {
      throw new PermanentError(
        `A single-write commit carries at most ${MAX_TRANSACTIONAL_WRITES} writes besides the idempotency record; the handler returned ${writes.length} for ${key.id}. Split the effect or use two-phase mode.`,
        { key: key.id },
      );
    }
    const now = this.clock.now();
    const owner = options.owner ?? randomUUID();
    const transition: Transition = outcome.status === 'completed' ? 'commit' : 'commit-failed';
    const encoded =
      outcome.status === 'completed'
        ? encodeResult(outcome.result, this.maxResultBytes)
        : { json: undefined, omitted: undefined };
    const context = options.context;
    const request = commitRequest({
      tableName: this.tableName,
      id: key.id,
      owner,
      now,
      ttlSeconds: options.ttlSeconds,
      clockSkewMs: this.clockSkewMs,
      payloadHash: key.payloadHash,
      context: storedContext(key, context),
      outcome:
        outcome.status === 'completed'
          ? { status: 'completed', result: encoded }
          : { status: 'failed', error: storedError(outcome.error) },
    });
    const committed: CommitResult = {
      kind: 'committed',
      owner,
      expiration: epochSecondsOf(now) + options.ttlSeconds,
      resultOmitted: encoded.omitted,
      resultJson: encoded.json,
    };
    try {
      if (writes.length === 0) await this.client.send(new UpdateCommand(request));
      else {
        await this.client.send(
          new TransactWriteCommand({
            ClientRequestToken: owner,
            TransactItems: [...writes, { Update: request }],
          }),
        );
      }
      return committed;
    } catch (error) {
      const refused = writes.length === 0 ? conditionFailure(transition, error, owner) : undefined;
      if (refused !== undefined) {
        if (refused.kind === 'exists') return { kind: 'exists', record: refused.record };
        if (refused.kind === 'mine') return committed;
        throw new StoreUnavailableError('commit', key.id, new Error('record vanished during commit; retry'));
      }
      const reasons = cancellationReasons(error);
      if (reasons === undefined) {
        if (errorName(error) === 'ValidationException') {
          throw new PermanentError(
            `Single-write commit of ${key.id} was rejected by DynamoDB (${describe(error)}); it would be on every delivery, so the record is permanent.`,
            { key: key.id, cause: error },
          );
        }
        throw new StoreUnavailableError('commit', key.id, error);
      }
      const mark = reasons[writes.length];
      if (mark?.Code === 'ConditionalCheckFailed' && mark.Item !== undefined) {
        // The record in the way, from the cancellation itself: a duplicate learns the winner's result.
        const failure = judge(transition, unmarshall(mark.Item), owner);
        if (failure.kind === 'exists') return { kind: 'exists', record: failure.record };
        if (failure.kind === 'mine') return committed;
      }
      if (mark?.Code === 'ConditionalCheckFailed' || mark?.Code === 'TransactionConflict') {
        // Another transaction on the record at the same moment (most likely a concurrent duplicate
        // committing), or a refusal without its item: one consistent read tells. Absent, this
        // attempt is retried.
        const record = await this.get(key.id, { includeExpired: false });
        if (record?.owner === owner) return committed;
        if (record !== undefined) return { kind: 'exists', record };
        throw new StoreUnavailableError('commit', key.id, error);
      }
      throw cancellationError('Single-write commit', key.id, reasons.slice(0, writes.length), error);
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
   * conditional on this attempt still holding it (`owner = mine AND status = processing`). A record
   * already gone counts as released; a record this attempt already completed or failed is never
   * deleted (see the class comment).
   *
   * @throws {@link LeaseLostError} when another attempt took the record over; it is left intact.
   */
  async release(claim: Claim<RecordKey>): Promise<void> {
    const request = releaseRequest({ tableName: this.tableName, id: claim.key.id, owner: claim.owner });
    await this.fenced('release', claim, () => this.client.send(new DeleteCommand(request)));
  }

  /**
   * Marks a claimed record `failed` (a permanent error), with the error's class and message,
   * conditional on this attempt still holding it. Redeliveries are then skipped until it expires.
   *
   * @throws {@link LeaseLostError} when another attempt took the record over.
   */
  async fail(claim: Claim<RecordKey>, error: unknown): Promise<void> {
    const request = failRequest({
      tableName: this.tableName,
      id: claim.key.id,
      owner: claim.owner,
      now: this.clock.now(),
      ttlSeconds: claim.ttlSeconds,
      error: storedError(error),
    });
    await this.fenced('fail', claim, () => this.client.send(new UpdateCommand(request)));
  }

  /**
   * Reads one record with a strongly consistent read. Expired records are returned as `undefined`,
   * whether or not DynamoDB's lazy TTL has deleted them yet, unless `includeExpired` is set.
   */
  async get(
    id: string,
    options: { readonly includeExpired?: boolean } = {},
  ): Promise<IdempotencyRecord | undefined> {
    try {
      const response = await this.client.send(
        new GetCommand({
          TableName: this.tableName,
          Key: { [IDEMPOTENCY_TABLE_SCHEMA.partitionKey]: id },
          ConsistentRead: true,
        }),
      );
      const record = response.Item as IdempotencyRecord | undefined;
      return record && (options.includeExpired || this.isLive(record)) ? record : undefined;
    } catch (error) {
      throw new StoreUnavailableError('get', id, error);
    }
  }

  /**
   * Reads many records in as few requests as DynamoDB allows (`BatchGetItem`, 100 keys each,
   * `DEFAULTS.precheckConcurrency` requests in flight at once), retrying unprocessed keys. Returns the live records by id; expired ones are left out.
   * Eventually consistent on purpose: only terminal states (`completed`, `failed`) are acted on
   * from this read, and a stale miss is caught by the claim's condition.
   */
  async getMany(ids: readonly string[]): Promise<Map<string, IdempotencyRecord>> {
    const found = new Map<string, IdempotencyRecord>();
    const unique = [...new Set(ids)];
    const chunks: string[][] = [];
    for (let i = 0; i < unique.length; i += BATCH_GET_LIMIT)
      chunks.push(unique.slice(i, i + BATCH_GET_LIMIT));
    await forEachLimited(chunks, DEFAULTS.precheckConcurrency, (chunk) => this.getChunk(chunk, found));
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

  /** The `completed` mark of a claim, alone or inside a transaction. */
  private completion(claim: Claim<RecordKey>, encoded: EncodedResult) {
    return completeRequest({
      tableName: this.tableName,
      id: claim.key.id,
      owner: claim.owner,
      now: this.clock.now(),
      ttlSeconds: claim.ttlSeconds,
      result: encoded,
    });
  }

  /**
   * Sends a transition out of `processing`: a refusal is decoded once, `mine` (an SDK retry of our
   * own committed write) succeeding, `lost` throwing {@link LeaseLostError}.
   */
  private async fenced(
    transition: Exclude<Transition, 'claim'>,
    claim: Claim<RecordKey>,
    send: () => Promise<unknown>,
  ): Promise<void> {
    try {
      await send();
    } catch (error) {
      const failure = conditionFailure(transition, error, claim.owner);
      if (failure === undefined) throw new StoreUnavailableError(transition, claim.key.id, error);
      if (failure.kind === 'mine') return;
      throw new LeaseLostError(claim.key.id, transition, failure.kind === 'lost' ? failure.owner : undefined);
    }
  }
}

/** A result as stored in a record: its JSON, or why it is left out. */
interface EncodedResult {
  readonly json: string | undefined;
  readonly omitted: CompletionResult['resultOmitted'];
}

/** The result as stored: its JSON, or why it is left out (not serializable, larger than `maxBytes`). */
function encodeResult(result: unknown, maxBytes: number): EncodedResult {
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

/**
 * The error a cancelled transaction's non-idempotency reasons stand for: a business write's own
 * condition (permanent, {@link BusinessConditionFailedError}), an invalid write (permanent), else
 * a conflict, throttling or an outage (retryable, nothing was written).
 */
function cancellationError(
  what: string,
  id: string,
  reasons: readonly { Code?: string; Message?: string }[],
  error: unknown,
): Error {
  const failed = reasons.findIndex((r) => r.Code === 'ConditionalCheckFailed');
  if (failed >= 0) {
    return new BusinessConditionFailedError(id, failed, reasons[failed]?.Message ?? 'condition failed', {
      cause: error,
    });
  }
  const validation = reasons.findIndex((r) => r.Code === 'ValidationError');
  if (validation >= 0) {
    return new PermanentError(
      `${what} of ${id} was rejected: write #${validation} is invalid (${reasons[validation]?.Message ?? 'validation error'}).`,
      { key: id, cause: error },
    );
  }
  return new StoreUnavailableError(what === 'Transactional completion' ? 'complete' : 'commit', id, error);
}

/** The context attributes a claim or a commit stores with the record (`undefined` ones are left out). */
function storedContext(key: RecordKey, context: RecordContext | undefined) {
  return {
    service: context?.service,
    event_type: key.eventType,
    event_id: context?.eventId,
    correlation_id: context?.correlationId,
    topic: context?.coordinates?.topic,
    partition: context?.coordinates?.partition,
    offset: context?.coordinates?.offset,
  };
}

/** An error as a `failed` record stores it: its class and (bounded) message. */
function storedError(error: unknown): { readonly name: string; readonly message: string } {
  return {
    name: error instanceof Error ? error.name : 'Error',
    message: truncate(error instanceof Error ? error.message : String(error), MAX_STORED_ERROR_CHARS),
  };
}

function epochSecondsOf(ms: number): number {
  return Math.floor(ms / 1000);
}

function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
