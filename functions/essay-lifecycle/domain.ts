/**
 * Essay-lifecycle domain: which writes a batch registration and a content provisioning make, under
 * which conditions, and what happens when the state read before them says the event is early, late,
 * repeated or conflicting. Pure functions of typed input; the consumer reads the state and hands
 * the writes to the idempotency layer, which commits them with the `completed` mark in one
 * transaction.
 *
 * Table layout (`pk` + `sk`, one partition per batch):
 *
 * | item | `pk` | `sk` | attributes |
 * |---|---|---|---|
 * | batch | `BATCH#<batch_id>` | `META` | `essay_ids` (list, in the producer's order), `essay_count`, `ready_count`, `course_code?`, `registered_at`, `registered_event_id`, `updated_at` |
 * | ready essay | `BATCH#<batch_id>` | `ESSAY#<essay_id>` | `status: 'ready'`, `text_storage_id`, `ready_at`, `provisioned_event_id` |
 *
 * A batch may register up to 500 essays and a transaction carries at most 99 business writes, so
 * the registration is one item holding the membership (not an item per essay); an essay item is
 * created when its content is provisioned, in the same transaction that increments `ready_count`.
 * Invariant: `ready_count` equals the number of essay items of the batch, because both change in one
 * transaction guarded by `attribute_not_exists` on the essay item. Cost: every increment rewrites
 * the batch item, whose size grows with the essay ids (about 20 KB, so ~20 WCU, doubled by the
 * transaction, for 500 UUIDs); sharding the membership over several items is the way out if that
 * ever matters.
 *
 * Content provisioned again for an essay that is already ready, by a different event:
 * - same `text_storage_id` (the same fact re-sent after its idempotency record expired): a no-op,
 *   completed with outcome `already-ready`; the count is not touched;
 * - another `text_storage_id`: a {@link PermanentError}, dead-lettered for a person to look at; the
 *   first content stays and the count is not touched. When two such events race, the transaction's
 *   condition lets exactly one win and the other fails its business condition, also permanently.
 */
import * as z from 'zod/mini';
import { CONSUMER_TABLE_SCHEMA, PermanentError, RetryableError, type TransactionalWrite } from '../../shared';
import type { BatchRegisteredData, ContentProvisionedData } from './events';

/** Sort key of a batch's item. */
const BATCH_SORT_KEY = 'META';

/**
 * Primary key of an item of the essay table.
 *
 * @example
 * ```ts
 * const key: EssayTableKey = { pk: 'BATCH#b1', sk: 'META' };
 * ```
 */
export interface EssayTableKey {
  readonly pk: string;
  readonly sk: string;
}

/**
 * Key of a batch's item.
 *
 * @example
 * ```ts
 * batchKey('b1'); // { pk: 'BATCH#b1', sk: 'META' }
 * ```
 */
export function batchKey(batchId: string): EssayTableKey {
  return { pk: `BATCH#${batchId}`, sk: BATCH_SORT_KEY };
}

/**
 * Key of a ready essay's item (in its batch's partition).
 *
 * @example
 * ```ts
 * essayKey('b1', 'e1'); // { pk: 'BATCH#b1', sk: 'ESSAY#e1' }
 * ```
 */
export function essayKey(batchId: string, essayId: string): EssayTableKey {
  return { pk: `BATCH#${batchId}`, sk: `ESSAY#${essayId}` };
}

/**
 * A batch item as stored. Unknown attributes are kept, so that a newer writer never breaks this one.
 *
 * @example
 * ```ts
 * const batch = BatchItem.parse(response.Item);
 * ```
 */
export const BatchItem = z.looseObject({
  essay_ids: z.array(z.string()),
  essay_count: z.int(),
  ready_count: z.int(),
  course_code: z.optional(z.string()),
  registered_at: z.string(),
  registered_event_id: z.string(),
});

/**
 * A stored batch.
 *
 * @example
 * ```ts
 * const batch: BatchItem = { essay_ids: ['e1'], essay_count: 1, ready_count: 0, registered_at: '2025-03-01T12:00:00.000Z', registered_event_id: 'evt-1' };
 * ```
 */
export type BatchItem = z.infer<typeof BatchItem>;

/**
 * A ready essay's item as stored.
 *
 * @example
 * ```ts
 * const essay = EssayItem.parse(response.Item);
 * ```
 */
export const EssayItem = z.looseObject({
  status: z.literal('ready'),
  text_storage_id: z.string(),
  ready_at: z.string(),
  provisioned_event_id: z.string(),
});

/**
 * A stored ready essay.
 *
 * @example
 * ```ts
 * const essay: EssayItem = { status: 'ready', text_storage_id: 'store-42', ready_at: '2025-03-01T12:00:00.000Z', provisioned_event_id: 'evt-2' };
 * ```
 */
export type EssayItem = z.infer<typeof EssayItem>;

/**
 * What the domain needs to know about the event besides its `data`.
 *
 * @example
 * ```ts
 * const facts: EventFacts = { eventId: envelope.event_id, now: clock.now() };
 * ```
 */
export interface EventFacts {
  /** The envelope's `event_id`, kept on the items for tracing. */
  readonly eventId: string;
  /** Epoch ms, from the consumer's clock. */
  readonly now: number;
}

/**
 * Result of a batch registration, cached in the idempotency record.
 *
 * @example
 * ```ts
 * const result: RegistrationResult = { batch_id: 'b1', essay_count: 2, outcome: 'registered' };
 * ```
 */
export interface RegistrationResult {
  readonly batch_id: string;
  readonly essay_count: number;
  readonly outcome: 'registered' | 'already-registered';
}

/**
 * Result of a content provisioning, cached in the idempotency record.
 *
 * @example
 * ```ts
 * const result: ProvisioningResult = { batch_id: 'b1', essay_id: 'e1', outcome: 'marked-ready' };
 * ```
 */
export interface ProvisioningResult {
  readonly batch_id: string;
  readonly essay_id: string;
  readonly outcome: 'marked-ready' | 'already-ready';
}

/**
 * What an event does: its result, and the writes to commit with its completion (none for a no-op).
 *
 * @example
 * ```ts
 * const plan: Plan<RegistrationResult> = planBatchRegistration('essays', data, undefined, facts);
 * return plan.writes.length > 0 ? withWrites(plan.result, plan.writes) : plan.result;
 * ```
 */
export interface Plan<T> {
  readonly result: T;
  readonly writes: readonly TransactionalWrite[];
}

// Condition expressions, named after the rule they enforce.
const ITEM_IS_NEW = 'attribute_not_exists(#pk)';
const BATCH_IS_REGISTERED = 'attribute_exists(#pk)';
const ESSAY_BELONGS_TO_BATCH = 'contains(#essayIds, :essayId)';
const BATCH_NOT_ALL_READY = '#readyCount < #essayCount';

/**
 * Plans a batch registration. A new batch is one conditional `Put` of its item (`ready_count: 0`);
 * the condition rejects a concurrent registration of the same batch with other content. A batch
 * already registered with the same essays and course is a no-op; with other essays or another
 * course it is a {@link PermanentError} (a batch id must not be reused).
 *
 * @example
 * ```ts
 * const plan = planBatchRegistration('essays', { batch_id: 'b1', essay_ids: ['e1', 'e2'] }, undefined, { eventId: 'evt-1', now: Date.now() });
 * return withWrites(plan.result, plan.writes);
 * ```
 */
export function planBatchRegistration(
  tableName: string,
  data: BatchRegisteredData,
  existing: BatchItem | undefined,
  facts: EventFacts,
): Plan<RegistrationResult> {
  if (existing !== undefined) {
    if (sameRegistration(existing, data)) {
      return {
        result: { batch_id: data.batch_id, essay_count: existing.essay_count, outcome: 'already-registered' },
        writes: [],
      };
    }
    throw new PermanentError(
      `Batch ${data.batch_id} is already registered (event ${existing.registered_event_id}) with ${existing.essay_count} essays${existing.course_code === undefined ? '' : ` for course ${existing.course_code}`}; event ${facts.eventId} registers it again with ${data.essay_ids.length} essays${data.course_code === undefined ? '' : ` for course ${data.course_code}`}. Batch ids must not be reused; the event was dead-lettered.`,
    );
  }
  const at = new Date(facts.now).toISOString();
  const item = {
    ...batchKey(data.batch_id),
    essay_ids: [...data.essay_ids],
    essay_count: data.essay_ids.length,
    ready_count: 0,
    ...(data.course_code === undefined ? {} : { course_code: data.course_code }),
    registered_at: at,
    registered_event_id: facts.eventId,
    updated_at: at,
  };
  return {
    result: { batch_id: data.batch_id, essay_count: item.essay_count, outcome: 'registered' },
    writes: [
      {
        Put: {
          TableName: tableName,
          Item: item,
          ConditionExpression: ITEM_IS_NEW,
          ExpressionAttributeNames: { '#pk': CONSUMER_TABLE_SCHEMA.partitionKey },
        },
      },
    ],
  };
}

/**
 * The state read before a content provisioning is planned.
 *
 * @example
 * ```ts
 * const state: ProvisioningState = { batch: await table.batch('b1'), essay: await table.essay('b1', 'e1') };
 * ```
 */
export interface ProvisioningState {
  /** The batch's item, `undefined` when the batch is not registered (yet). */
  readonly batch: BatchItem | undefined;
  /** The essay's item, `undefined` while its content is not provisioned. */
  readonly essay: EssayItem | undefined;
}

/**
 * Plans a content provisioning: the essay item is created and the batch's `ready_count`
 * incremented, in one transaction whose conditions hold even against a concurrent writer (the essay
 * item must not exist; the batch must be registered, contain the essay and not be all ready).
 *
 * - batch not registered yet → {@link RetryableError} (the registration travels on another topic and
 *   may arrive later; the record is retried);
 * - essay not in the batch → {@link PermanentError};
 * - essay already ready with the same `text_storage_id` → no-op (`already-ready`);
 * - essay already ready with another `text_storage_id` → {@link PermanentError}.
 *
 * @example
 * ```ts
 * const plan = planContentProvisioned('essays', data, { batch, essay }, { eventId: envelope.event_id, now: clock.now() });
 * return plan.writes.length > 0 ? withWrites(plan.result, plan.writes) : plan.result;
 * ```
 */
export function planContentProvisioned(
  tableName: string,
  data: ContentProvisionedData,
  state: ProvisioningState,
  facts: EventFacts,
): Plan<ProvisioningResult> {
  const { batch_id: batchId, essay_id: essayId } = data;
  if (state.batch === undefined) {
    throw new RetryableError(
      `Batch ${batchId} is not registered yet, so content for essay ${essayId} (event ${facts.eventId}) cannot be counted; the record will be retried until the registration arrives.`,
    );
  }
  if (!state.batch.essay_ids.includes(essayId)) {
    throw new PermanentError(
      `Essay ${essayId} is not part of batch ${batchId} (${state.batch.essay_count} essays registered by event ${state.batch.registered_event_id}); content event ${facts.eventId} was dead-lettered.`,
    );
  }
  if (state.essay !== undefined) {
    if (state.essay.text_storage_id === data.text_storage_id) {
      return { result: { batch_id: batchId, essay_id: essayId, outcome: 'already-ready' }, writes: [] };
    }
    throw new PermanentError(
      `Essay ${essayId} of batch ${batchId} is already ready with content ${state.essay.text_storage_id} (event ${state.essay.provisioned_event_id}); event ${facts.eventId} provisions other content ${data.text_storage_id}. The first content stays and the batch's ready count is unchanged; the event was dead-lettered.`,
    );
  }
  const at = new Date(facts.now).toISOString();
  const writes: TransactionalWrite[] = [
    {
      Put: {
        TableName: tableName,
        Item: {
          ...essayKey(batchId, essayId),
          batch_id: batchId,
          essay_id: essayId,
          status: 'ready',
          text_storage_id: data.text_storage_id,
          ready_at: at,
          provisioned_event_id: facts.eventId,
        },
        ConditionExpression: ITEM_IS_NEW,
        ExpressionAttributeNames: { '#pk': CONSUMER_TABLE_SCHEMA.partitionKey },
      },
    },
    {
      Update: {
        TableName: tableName,
        Key: batchKey(batchId),
        UpdateExpression: 'SET #readyCount = #readyCount + :one, #updatedAt = :now',
        ConditionExpression: `${BATCH_IS_REGISTERED} AND ${ESSAY_BELONGS_TO_BATCH} AND ${BATCH_NOT_ALL_READY}`,
        ExpressionAttributeNames: {
          '#pk': CONSUMER_TABLE_SCHEMA.partitionKey,
          '#essayIds': 'essay_ids',
          '#readyCount': 'ready_count',
          '#essayCount': 'essay_count',
          '#updatedAt': 'updated_at',
        },
        ExpressionAttributeValues: { ':one': 1, ':essayId': essayId, ':now': at },
      },
    },
  ];
  return { result: { batch_id: batchId, essay_id: essayId, outcome: 'marked-ready' }, writes };
}

function sameRegistration(existing: BatchItem, data: BatchRegisteredData): boolean {
  if (existing.course_code !== data.course_code) return false;
  if (existing.essay_ids.length !== data.essay_ids.length) return false;
  const registered = new Set(existing.essay_ids);
  return data.essay_ids.every((id) => registered.has(id));
}
