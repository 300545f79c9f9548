/**
 * The essay-lifecycle consumer: batch registrations and content provisionings, each validated,
 * planned against a consistent read of the essay table, and committed together with the
 * idempotency record's `completed` mark in one `TransactWriteItems` (transactional completion), so
 * that neither a duplicate nor a crash can ever count an essay twice.
 */
import { defineConsumer, parseData, type TransactionalResult, withWrites } from '../../shared';
import { type Plan, planBatchRegistration, planContentProvisioned } from './domain';
import { EssayTable } from './essay-table';
import { BatchRegisteredData, ContentProvisionedData, EssayEventType } from './events';
import manifest from './manifest';

/**
 * The consumer; `consumer.create({ env, client, ... })` builds it with parts replaced (tests).
 *
 * @example
 * ```ts
 * const report = await consumer.create({ env, client: doc }).process(mskEvent(records));
 * ```
 */
export const consumer = defineConsumer(manifest, ({ tables, client, clock }) => {
  const table = new EssayTable(client, tables.ESSAY_TABLE_NAME);
  return {
    [EssayEventType.BATCH_REGISTERED]: async (envelope) => {
      const data = parseData(BatchRegisteredData, envelope);
      const existing = await table.batch(data.batch_id);
      const facts = { eventId: envelope.event_id, now: clock.now() };
      return commit(planBatchRegistration(table.tableName, data, existing, facts));
    },
    [EssayEventType.CONTENT_PROVISIONED]: async (envelope) => {
      const data = parseData(ContentProvisionedData, envelope);
      const [batch, essay] = await Promise.all([
        table.batch(data.batch_id),
        table.essay(data.batch_id, data.essay_id),
      ]);
      const facts = { eventId: envelope.event_id, now: clock.now() };
      return commit(planContentProvisioned(table.tableName, data, { batch, essay }, facts));
    },
  };
});

/** The Lambda entry point (bundled by the CDK app). */
export const handler = consumer.handler;

/** A plan with writes commits them with the completion; a no-op completes on its own. */
function commit<T>(plan: Plan<T>): T | TransactionalResult<T> {
  return plan.writes.length > 0 ? withWrites(plan.result, plan.writes) : plan.result;
}
