import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import type { DeleteCommandInput, UpdateCommandInput } from '@aws-sdk/lib-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { IDEMPOTENCY_TABLE_SCHEMA, RecordStatus } from './constants';
import type { IdempotencyRecord } from './store';

/**
 * The record's state machine as DynamoDB requests, written once (DESIGN.md §3). Every transition is
 * one conditional write; these pure builders make the requests, and {@link conditionFailure} reads
 * what a refused one found. `IdempotencyStore` is the only code that sends them (the Powertools
 * persistence layer goes through the store).
 *
 * ```
 * (absent | expired | processing with lease over) --claim--> processing(owner=me)
 * processing(owner=me) --complete--> completed      condition: HELD_BY_ME
 * processing(owner=me) --release---> (deleted)      condition: HELD_BY_ME
 * processing(owner=me) --fail------> failed         condition: HELD_BY_ME
 * (absent | expired | processing with lease over) --commit--> completed(owner=me)          single-write mode
 * (absent | expired | processing with lease over) --commit-failed--> failed(owner=me)      single-write mode
 * failed(owner=X, error=E) --reset--> (deleted)      condition: FAILED_AS_DEAD_LETTERED  (operator's redrive)
 * ```
 *
 * `commit` and `commit-failed` are the single-write mode's: no claim comes first, and the finished
 * record is created in one write (with the handler's writes, one `TransactWriteItems`) under the
 * claim's own condition, {@link CLAIMABLE}.
 *
 * @internal
 */
export type Transition = 'claim' | 'complete' | 'release' | 'fail' | 'commit' | 'commit-failed';

// Attribute name placeholders, so that expressions read like the state machine.
const NAMES: Readonly<Record<string, string>> = {
  '#id': IDEMPOTENCY_TABLE_SCHEMA.partitionKey,
  '#exp': IDEMPOTENCY_TABLE_SCHEMA.ttlAttribute,
  '#status': 'status',
  '#owner': 'owner',
  '#lease': 'lease_expires_at',
  '#attempts': 'attempts',
  '#hash': 'payload_hash',
  '#result': 'result',
  '#omitted': 'result_omitted',
  '#error': 'error',
  '#finished': 'finished_at',
  '#errorName': 'name',
  '#errorMessage': 'message',
};

const IS_ABSENT = 'attribute_not_exists(#id)';
const IS_EXPIRED = '#exp < :nowSeconds';
const LEASE_IS_OVER = '(#status = :processing AND #lease < :takeoverBefore)';
/** Claim: the record is absent, expired, or `processing` with a lease over by more than the skew. */
const CLAIMABLE = `${IS_ABSENT} OR ${IS_EXPIRED} OR ${LEASE_IS_OVER}`;
const OWNED_BY_ME = '#owner = :owner';
const STILL_PROCESSING = '#status = :processing';
/**
 * Complete, release and fail: this attempt's own claim is still the record. The one fencing
 * condition of every transition out of `processing`, release included: a release conditioned on
 * the owner alone would also delete a record this attempt already completed (a completion whose
 * response was lost) or marked failed, and a redelivery would then run the effect again. Only a
 * live claim is ever released; a finished record stays what makes a redelivery a duplicate.
 */
const HELD_BY_ME = `${OWNED_BY_ME} AND ${STILL_PROCESSING}`;

/**
 * Reset (an operator's redrive of a dead letter): the record is still the `failed` one that dead
 * letter describes, the same attempt (owner token) and the same error. A record failed again by a
 * later attempt, completed since, claimed, or gone is never touched.
 */
const FAILED_AS_DEAD_LETTERED = '#status = :failed AND #owner = :owner AND #error.#errorName = :errorName';
const WITH_MESSAGE = 'begins_with(#error.#errorMessage, :errorMessage)';

const COUNT_ATTEMPT = '#attempts = if_not_exists(#attempts, :zero) + :one';
/**
 * What a claim or a commit clears of the attempt before it (a takeover, or a record past its
 * expiration), unless it writes the attribute itself.
 */
const CLEARED_BY_CLAIM = ['#lease', '#result', '#omitted', '#error', '#finished', '#hash'];

/** What a refused transition found, as {@link conditionFailure} reads it. */
export type ConditionFailure =
  /** The record already is what this write makes it, under our owner token: an SDK retry of our own write. */
  | { readonly kind: 'mine' }
  /** Complete, release or fail: another attempt holds the record (`owner`), or nobody does (`undefined`). */
  | { readonly kind: 'lost'; readonly owner: string | undefined }
  /** Claim or commit: a record that is not claimable stands in the way (its `status` says why). */
  | { readonly kind: 'exists'; readonly record: IdempotencyRecord };

/** Where each transition leaves the record; `undefined`: deleted. */
const TARGET: Readonly<Record<Transition, RecordStatus | undefined>> = {
  claim: RecordStatus.PROCESSING,
  commit: RecordStatus.COMPLETED,
  'commit-failed': RecordStatus.FAILED,
  complete: RecordStatus.COMPLETED,
  fail: RecordStatus.FAILED,
  release: undefined,
};

/** The fields common to every request: the table and the record's key. */
interface Target {
  readonly tableName: string;
  readonly id: string;
}

/** Input of {@link claimRequest}. */
export interface ClaimRequest extends Target {
  /** The new owner token. */
  readonly owner: string;
  /** Epoch ms of the claim, by the claiming worker's clock. */
  readonly now: number;
  readonly leaseMs: number;
  readonly ttlSeconds: number;
  readonly clockSkewMs: number;
  /** Stored as `payload_hash`; removed when `undefined` (no payload validation). */
  readonly payloadHash: string | undefined;
  /** Attributes stored for people reading the table (`service`, `event_type`, ...); `undefined` ones are left out. */
  readonly context: Readonly<Record<string, string | number | undefined>>;
}

/**
 * Claim: one upsert that writes `processing` with a fresh owner and lease, counts the attempt, and
 * clears what a previous attempt left; the old item comes back either way (`ALL_OLD`), to tell a
 * takeover and to decode a refusal without a second read. Written values are `:a_<attribute>`
 * (the chaos probe reads the claim's coordinates and owner from them).
 *
 * @example
 * ```ts
 * new UpdateCommand(claimRequest({ tableName, id, owner, now, leaseMs: 30_000, ttlSeconds: 86_400, clockSkewMs: 1_000, payloadHash, context: {} }));
 * ```
 */
export function claimRequest(request: ClaimRequest): UpdateCommandInput {
  const { now } = request;
  return {
    ...claimableUpsert(request, {
      status: RecordStatus.PROCESSING,
      owner: request.owner,
      lease_expires_at: now + request.leaseMs,
      expiration: epochSeconds(now) + request.ttlSeconds,
      payload_hash: request.payloadHash,
      ...request.context,
      claimed_at: now,
    }),
    ReturnValues: 'ALL_OLD',
  };
}

/** Input of {@link commitRequest}: a claim's, without the lease, and the finished outcome. */
export interface CommitRequest extends Omit<ClaimRequest, 'leaseMs'> {
  /** What the record becomes: `completed` with the result as stored, or `failed` with the error. */
  readonly outcome:
    | { readonly status: 'completed'; readonly result: CompleteRequest['result'] }
    | { readonly status: 'failed'; readonly error: FailRequest['error'] };
}

/**
 * Commit (single-write mode): creates the record already finished, `completed` with its result or
 * `failed` with its error, under the claim's own condition ({@link CLAIMABLE}: absent, expired, or
 * `processing` with a lease over by more than the skew), in one write. No `processing` record ever
 * exists for it. The record in the way comes back with a refusal (`ALL_OLD`), inside a transaction
 * too, so a duplicate learns the winner's cached result without a read. No `ReturnValues`: it is
 * also an item of the handler's `TransactWriteItems`, which takes none.
 *
 * @example
 * ```ts
 * new UpdateCommand(commitRequest({ tableName, id, owner, now, ttlSeconds: 86_400, clockSkewMs: 1_000, payloadHash, context: {}, outcome: { status: 'completed', result: { json: '{"ok":true}', omitted: undefined } } }));
 * ```
 */
export function commitRequest(request: CommitRequest) {
  const { now, outcome } = request;
  return claimableUpsert(request, {
    status: outcome.status === 'completed' ? RecordStatus.COMPLETED : RecordStatus.FAILED,
    owner: request.owner,
    expiration: epochSeconds(now) + request.ttlSeconds,
    payload_hash: request.payloadHash,
    ...request.context,
    claimed_at: now,
    finished_at: now,
    ...(outcome.status === 'completed'
      ? { result: outcome.result.json, result_omitted: outcome.result.omitted }
      : { error: outcome.error }),
  });
}

/**
 * The one upsert behind claim and commit: `written` set (`:a_<attribute>` values, which the chaos
 * probe reads), the attempt counted, what the attempt before left cleared, on {@link CLAIMABLE}.
 */
function claimableUpsert(
  request: Target & { readonly now: number; readonly clockSkewMs: number },
  written: Readonly<Record<string, unknown>>,
) {
  const names: Record<string, string> = {};
  const values: Record<string, unknown> = {
    ':nowSeconds': epochSeconds(request.now),
    ':takeoverBefore': request.now - request.clockSkewMs,
    ':processing': RecordStatus.PROCESSING,
    ':zero': 0,
    ':one': 1,
  };
  const sets = [COUNT_ATTEMPT];
  for (const [name, value] of Object.entries(written)) {
    if (value === undefined) continue;
    names[`#a_${name}`] = name;
    values[`:a_${name}`] = value;
    sets.push(`#a_${name} = :a_${name}`);
  }
  // DynamoDB refuses an expression that sets and removes one attribute.
  const removes = CLEARED_BY_CLAIM.filter((placeholder) => {
    const attribute = NAMES[placeholder];
    return attribute !== undefined && written[attribute] === undefined;
  });
  const update = `SET ${sets.join(', ')} REMOVE ${removes.join(', ')}`;
  return {
    ...keyOf(request),
    UpdateExpression: update,
    ConditionExpression: CLAIMABLE,
    ExpressionAttributeNames: { ...namesIn(update, CLAIMABLE), ...names },
    ExpressionAttributeValues: values,
    ReturnValuesOnConditionCheckFailure: 'ALL_OLD' as const,
  };
}

/** A held claim: what complete, release and fail are fenced with. */
export interface FencedRequest extends Target {
  /** The owner token of the claim. */
  readonly owner: string;
}

/** Input of {@link completeRequest}. */
export interface CompleteRequest extends FencedRequest {
  readonly now: number;
  readonly ttlSeconds: number;
  /** The result as stored: its JSON, or why it is left out. */
  readonly result: { readonly json: string | undefined; readonly omitted: string | undefined };
}

/**
 * Complete: `completed` with the result (or why it is left out) and a fresh expiration, the lease
 * removed, conditional on {@link HELD_BY_ME}. Also the `completed` mark of a transaction (it has no
 * `ReturnValues`, which transaction items do not take).
 *
 * @example
 * ```ts
 * new UpdateCommand(completeRequest({ tableName, id, owner, now, ttlSeconds, result: { json: '{"ok":true}', omitted: undefined } }));
 * ```
 */
export function completeRequest(request: CompleteRequest) {
  const sets = ['#status = :completed', '#exp = :exp', '#finished = :now'];
  const values: Record<string, unknown> = {
    ...heldBy(request.owner),
    ':completed': RecordStatus.COMPLETED,
    ':exp': epochSeconds(request.now) + request.ttlSeconds,
    ':now': request.now,
  };
  if (request.result.json !== undefined) {
    sets.push('#result = :result');
    values[':result'] = request.result.json;
  }
  if (request.result.omitted !== undefined) {
    sets.push('#omitted = :omitted');
    values[':omitted'] = request.result.omitted;
  }
  return fencedUpdate(request, `SET ${sets.join(', ')} REMOVE #lease`, values);
}

/** Input of {@link failRequest}. */
export interface FailRequest extends FencedRequest {
  readonly now: number;
  readonly ttlSeconds: number;
  /** The error as stored: its class and (bounded) message. */
  readonly error: { readonly name: string; readonly message: string };
}

/**
 * Fail: `failed` with the error and a fresh expiration, the lease removed, conditional on
 * {@link HELD_BY_ME}. Redeliveries are then duplicates until it expires.
 *
 * @example
 * ```ts
 * new UpdateCommand(failRequest({ tableName, id, owner, now, ttlSeconds, error: { name: 'PermanentError', message: 'unknown customer' } }));
 * ```
 */
export function failRequest(request: FailRequest) {
  return fencedUpdate(
    request,
    'SET #status = :failed, #error = :error, #exp = :exp, #finished = :now REMOVE #lease',
    {
      ...heldBy(request.owner),
      ':failed': RecordStatus.FAILED,
      ':error': request.error,
      ':exp': epochSeconds(request.now) + request.ttlSeconds,
      ':now': request.now,
    },
  );
}

/**
 * Release: deletes the record so the event can be processed again, conditional on
 * {@link HELD_BY_ME} (see there why `status = processing` is part of it).
 *
 * @example
 * ```ts
 * new DeleteCommand(releaseRequest({ tableName, id, owner }));
 * ```
 */
export function releaseRequest(request: FencedRequest): DeleteCommandInput {
  return {
    ...keyOf(request),
    ConditionExpression: HELD_BY_ME,
    ExpressionAttributeNames: namesIn(HELD_BY_ME),
    ExpressionAttributeValues: heldBy(request.owner),
    ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
  };
}

/** Input of {@link resetFailedRequest}: what the dead letter being redriven carries. */
export interface ResetFailedRequest extends Target {
  /** The owner token of the attempt that failed the record (the dead letter's `owner`). */
  readonly owner: string;
  /** The dead letter's error (its message may be cut: only its first {@link RESET_MESSAGE_PREFIX_CHARS} characters are compared). */
  readonly error: { readonly name: string; readonly message: string };
}

/**
 * How much of the error message a reset compares: the store keeps 3999 characters and an ellipsis,
 * a dead letter 4096 and a cut marker, so the first 3999 are the same in both whenever either was cut.
 */
export const RESET_MESSAGE_PREFIX_CHARS = 3999;

/**
 * Reset: deletes a `failed` record so that a redriven dead letter is processed afresh instead of
 * skipped as a duplicate, conditional on {@link FAILED_AS_DEAD_LETTERED}: `status = failed`, the
 * dead letter's owner and error name, and its message's first 3999 characters. `ALL_OLD` on refusal
 * says what the record is instead.
 *
 * @example
 * ```ts
 * new DeleteCommand(resetFailedRequest({ tableName, id, owner: letter.owner, error: letter.error }));
 * ```
 */
export function resetFailedRequest(request: ResetFailedRequest): DeleteCommandInput {
  const prefix = request.error.message.slice(0, RESET_MESSAGE_PREFIX_CHARS);
  // An empty message has nothing to compare (and begins_with with '' is refused by some engines).
  const condition = prefix ? `${FAILED_AS_DEAD_LETTERED} AND ${WITH_MESSAGE}` : FAILED_AS_DEAD_LETTERED;
  return {
    ...keyOf(request),
    ConditionExpression: condition,
    ExpressionAttributeNames: namesIn(condition),
    ExpressionAttributeValues: {
      ':failed': RecordStatus.FAILED,
      ':owner': request.owner,
      ':errorName': request.error.name,
      ...(prefix ? { ':errorMessage': prefix } : {}),
    },
    ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
  };
}

/**
 * The one decoder of refused transitions. For a `ConditionalCheckFailedException`, what the record
 * found says: `mine` (it already is what our write makes it, under our owner token: an SDK retry of
 * our own committed write; for a release, the record is gone), `lost` to owner X (complete, release,
 * fail), or `exists` as a record of some status (claim). For any other error: `undefined`.
 *
 * @example
 * ```ts
 * const failure = conditionFailure('complete', error, claim.owner);
 * if (failure?.kind === 'lost') throw new LeaseLostError(id, 'complete', failure.owner);
 * ```
 */
export function conditionFailure(
  transition: Transition,
  error: unknown,
  owner: string,
): ConditionFailure | undefined {
  if (errorName(error) !== 'ConditionalCheckFailedException') return undefined;
  return judge(transition, wireItem((error as { Item?: Record<string, unknown> }).Item), owner);
}

/**
 * {@link conditionFailure} for the item a cancelled transaction returned (`CancellationReasons[i].Item`).
 *
 * @example
 * ```ts
 * const failure = judge('complete', reason.Item && unmarshall(reason.Item), claim.owner);
 * ```
 */
export function judge(
  transition: Transition,
  item: Record<string, unknown> | undefined,
  owner: string,
): ConditionFailure {
  const record = item as IdempotencyRecord | undefined;
  const target = TARGET[transition];
  if (record === undefined ? target === undefined : record.owner === owner && record.status === target) {
    return { kind: 'mine' };
  }
  const claimable = transition === 'claim' || transition === 'commit' || transition === 'commit-failed';
  if (claimable && record !== undefined) return { kind: 'exists', record };
  return { kind: 'lost', owner: record?.owner };
}

/** The name of an AWS SDK error (`ConditionalCheckFailedException`, ...), if it has one. */
export function errorName(error: unknown): string | undefined {
  return typeof error === 'object' && error !== null ? (error as { name?: string }).name : undefined;
}

/**
 * The item returned with a refused write, in native values: lib-dynamodb leaves it in wire form on
 * the exception. `undefined` when there was none.
 */
function wireItem(item: Record<string, unknown> | undefined): Record<string, unknown> | undefined {
  if (item === undefined || Object.keys(item).length === 0) return undefined;
  const status = item.status;
  const marshalled = typeof status === 'object' && status !== null && 'S' in status;
  return marshalled ? unmarshall(item as Record<string, AttributeValue>) : item;
}

function fencedUpdate(request: FencedRequest, update: string, values: Record<string, unknown>) {
  return {
    ...keyOf(request),
    UpdateExpression: update,
    ConditionExpression: HELD_BY_ME,
    ExpressionAttributeNames: namesIn(update, HELD_BY_ME),
    ExpressionAttributeValues: values,
    ReturnValuesOnConditionCheckFailure: 'ALL_OLD' as const,
  };
}

function heldBy(owner: string): Record<string, unknown> {
  return { ':owner': owner, ':processing': RecordStatus.PROCESSING };
}

function keyOf(target: Target) {
  return { TableName: target.tableName, Key: { [IDEMPOTENCY_TABLE_SCHEMA.partitionKey]: target.id } };
}

/** The `ExpressionAttributeNames` an expression uses (DynamoDB refuses unused ones). */
function namesIn(...expressions: string[]): Record<string, string> {
  const names: Record<string, string> = {};
  for (const placeholder of expressions.join(' ').match(/#\w+/g) ?? []) {
    const name = NAMES[placeholder];
    if (name !== undefined) names[placeholder] = name;
  }
  return names;
}

function epochSeconds(ms: number): number {
  return Math.floor(ms / 1000);
}
