/**
 * The redrive of one dead letter, in the order that makes an interruption at any step harmless:
 * (1) reset the record's `failed` idempotency state with a fenced delete (only the `failed` record
 * this dead letter describes), (2) redeliver, (3) remove the dead letter once the redelivery
 * succeeded. A rerun reads the record first and picks up where the last run stopped: a record
 * already `completed` is not redelivered again (and would be a duplicate if it were).
 */
import { DeleteCommand, type DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import {
  errorName,
  IDEMPOTENCY_TABLE_SCHEMA,
  type IdempotencyRecord,
  RESET_MESSAGE_PREFIX_CHARS,
  RecordStatus,
  resetFailedRequest,
} from '../../../shared/internal';
import type { DeadLetter } from './letters';
import type { DeadLetterSource, RemovalStep } from './sources';
import type { RedeliveryTarget } from './targets';

/** What the redrive of a dead letter does, judged from its idempotency record. */
export type RedrivePlan =
  /** Reset the `failed` record (fenced), redeliver, remove. */
  | { readonly kind: 'reset-and-redeliver' }
  /** No live record (expired, or reset by an earlier run): redeliver, remove. */
  | { readonly kind: 'redeliver' }
  /** Processed since (an earlier redrive redelivered it): only remove the dead letter. */
  | { readonly kind: 'remove'; readonly reason: string }
  /** Leave it: nothing is written. */
  | { readonly kind: 'skip'; readonly reason: string };

/**
 * Decides what to do with a dead letter from its idempotency record (`undefined`: none, or
 * expired) and the other dead letters of the source.
 *
 * @example
 * ```ts
 * const plan = planRedrive(letter, await readRecord(doc, table, letter.entry.idempotency_key), letters);
 * ```
 */
export function planRedrive(
  letter: DeadLetter,
  record: IdempotencyRecord | undefined,
  others: readonly DeadLetter[] = [],
): RedrivePlan {
  if (letter.unredeliverable) return { kind: 'skip', reason: letter.unredeliverable };
  if (record === undefined) return { kind: 'redeliver' };
  const { owner } = letter.entry;
  switch (record.status) {
    case RecordStatus.COMPLETED:
      return {
        kind: 'remove',
        reason:
          'its record is completed (redelivered by an earlier redrive): a redelivery now would be a duplicate',
      };
    case RecordStatus.PROCESSING:
      return {
        kind: 'skip',
        reason: 'its record is processing (a worker holds it): run the redrive again later',
      };
    case RecordStatus.FAILED: {
      if (owner === undefined) {
        return {
          kind: 'skip',
          reason:
            'the dead letter carries no owner token (written before redrive existed), so the reset cannot be fenced; wait for the failed record to expire, or release it by hand',
        };
      }
      if (record.owner === owner && sameError(letter, record)) return { kind: 'reset-and-redeliver' };
      if (
        record.owner !== owner &&
        others.some((other) => other !== letter && other.entry.owner === record.owner)
      ) {
        return {
          kind: 'remove',
          reason:
            'its record failed again under a later attempt, whose dead letter is in the source: that one is the one to redrive',
        };
      }
      return {
        kind: 'skip',
        reason:
          record.owner === owner
            ? 'its failed record holds another error than the dead letter: nothing is reset'
            : 'its record failed again under another attempt, and that dead letter is not in this source: nothing is reset',
      };
    }
    default:
      return { kind: 'skip', reason: 'its record has an unknown status: nothing is reset' };
  }
}

function sameError(letter: DeadLetter, record: IdempotencyRecord): boolean {
  const stored = (record as { error?: { name?: unknown; message?: unknown } }).error;
  const { name, message } = letter.entry.error;
  return (
    stored?.name === name &&
    typeof stored.message === 'string' &&
    stored.message.startsWith(message.slice(0, RESET_MESSAGE_PREFIX_CHARS))
  );
}

/** A point of the redrive, for a test that kills the process there. */
export type RedriveStep = 'reset' | 'redelivered' | RemovalStep | 'removed';

/** What the redrive of one dead letter did. */
export interface RedriveResult {
  readonly id: string;
  readonly service: string;
  readonly plan: RedrivePlan['kind'];
  /** `redriven`, `removed`, `skipped`, `kept` (the redelivery did not finish), `would ...` (dry run). */
  readonly outcome: string;
  readonly detail: string;
}

/** What {@link redriveLetter} works with. */
export interface RedriveContext {
  readonly doc: DynamoDBDocumentClient;
  readonly table: string;
  readonly source: DeadLetterSource;
  readonly target: RedeliveryTarget;
  /** Every dead letter of the source (to recognise a later failure's dead letter). */
  readonly letters: readonly DeadLetter[];
  readonly dryRun: boolean;
  /** Called after each step (tests kill the process there). */
  readonly onStep?: ((step: RedriveStep, letter: DeadLetter) => void) | undefined;
}

/**
 * Redrives one dead letter: plan, reset, redeliver, remove; never throws for the letter's own
 * failure (the result says it), only for an unreachable store or source.
 *
 * @example
 * ```ts
 * const result = await redriveLetter(letter, { doc, table, source, target, letters, dryRun: false });
 * ```
 */
export async function redriveLetter(letter: DeadLetter, context: RedriveContext): Promise<RedriveResult> {
  const { doc, table, source, target, dryRun } = context;
  const key = letter.entry.idempotency_key;
  const result = (plan: RedrivePlan['kind'], outcome: string, detail: string): RedriveResult => ({
    id: letter.id,
    service: letter.entry.service,
    plan,
    outcome,
    detail,
  });
  const plan = planRedrive(letter, await readRecord(doc, table, key), context.letters);
  const destination = target.describe(letter);
  if (plan.kind === 'skip') return result(plan.kind, 'skipped', plan.reason);
  if (dryRun) {
    const steps =
      plan.kind === 'remove'
        ? `remove the dead letter (${plan.reason})`
        : `${plan.kind === 'reset-and-redeliver' ? 'reset the failed record (fenced on its owner and error), ' : ''}redeliver to ${destination}, then remove the dead letter`;
    return result(plan.kind, 'would', steps);
  }
  await source.hold(letter);
  if (plan.kind === 'remove') {
    await source.remove(letter, (step) => context.onStep?.(step, letter));
    context.onStep?.('removed', letter);
    return result(plan.kind, 'removed', plan.reason);
  }
  if (plan.kind === 'reset-and-redeliver') {
    const refused = await reset(doc, table, letter);
    if (refused) return result(plan.kind, 'skipped', refused);
    context.onStep?.('reset', letter);
  }
  const record = letter.record;
  if (!record) return result(plan.kind, 'skipped', 'no record to redeliver');
  let said: string;
  try {
    said = await target.redeliver(letter, record);
  } catch (error) {
    return result(plan.kind, 'kept', `redelivery to ${destination} failed: ${(error as Error).message}`);
  }
  if (target.synchronous) {
    const after = await readRecord(doc, table, key);
    if (after?.status === RecordStatus.FAILED && after.owner !== letter.entry.owner) {
      said = `${said}; failed again: a new dead letter replaces this one`;
    } else if (after?.status !== RecordStatus.COMPLETED) {
      return result(
        plan.kind,
        'kept',
        `redelivered to ${destination} (${said}) but its record is ${after?.status ?? 'absent'}: the dead letter is kept; run the redrive again`,
      );
    }
  }
  context.onStep?.('redelivered', letter);
  await source.remove(letter, (step) => context.onStep?.(step, letter));
  context.onStep?.('removed', letter);
  return result(plan.kind, 'redriven', `${destination}: ${said}`);
}

/**
 * The idempotency record of a key, read strongly consistent; `undefined` when there is none or it
 * has expired (DynamoDB deletes expired items lazily: a claim already treats them as absent).
 *
 * @example
 * ```ts
 * const record = await readRecord(doc, 'local-idempotency', letter.entry.idempotency_key);
 * ```
 */
export async function readRecord(
  doc: DynamoDBDocumentClient,
  table: string,
  id: string,
  options: { readonly includeExpired?: boolean; readonly now?: number } = {},
): Promise<IdempotencyRecord | undefined> {
  const response = await doc.send(
    new GetCommand({
      TableName: table,
      Key: { [IDEMPOTENCY_TABLE_SCHEMA.partitionKey]: id },
      ConsistentRead: true,
    }),
  );
  const record = response.Item as IdempotencyRecord | undefined;
  if (!record || options.includeExpired) return record;
  return record.expiration >= Math.floor((options.now ?? Date.now()) / 1000) ? record : undefined;
}

/** The fenced reset; returns why it was refused, or `undefined` when the record was deleted. */
async function reset(
  doc: DynamoDBDocumentClient,
  table: string,
  letter: DeadLetter,
): Promise<string | undefined> {
  const { owner, error, idempotency_key: id } = letter.entry;
  if (owner === undefined) return 'the dead letter carries no owner token';
  try {
    await doc.send(new DeleteCommand(resetFailedRequest({ tableName: table, id, owner, error })));
    return undefined;
  } catch (failure) {
    if (errorName(failure) !== 'ConditionalCheckFailedException') throw failure;
    return 'the reset was refused: the record changed since it was read (another redrive or worker); run the redrive again';
  }
}
