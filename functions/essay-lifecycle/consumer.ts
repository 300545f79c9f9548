import {
  createKafkaHandler,
  type EventHandler,
  type KafkaHandler,
  parseData,
  type TransactionalResult,
  withWrites,
} from '../../shared';
import { type ConsumerDeps, consumerRuntime } from '../common/runtime';
import type { EssayLifecycleConfig } from './config';
import {
  type Plan,
  type ProvisioningResult,
  planBatchRegistration,
  planContentProvisioned,
  type RegistrationResult,
} from './domain';
import { EssayTable } from './essay-table';
import { BatchRegisteredData, ContentProvisionedData, EssayEventType } from './events';

/**
 * The consuming service: the namespace of this consumer's idempotency keys. Never rename it.
 *
 * @example
 * ```ts
 * new IdempotentKafkaConsumer(this, 'EssayLifecycle', { serviceName: ESSAY_LIFECYCLE_SERVICE, ... });
 * ```
 */
export const ESSAY_LIFECYCLE_SERVICE = 'essay-lifecycle';

/**
 * How long (seconds) a finished idempotency record is kept, per event type. Both events coordinate
 * batches (12 hours, as in the seeds); any other type would get the default 24 hours. Past that, a
 * redelivery is still harmless: the business conditions of the essay table, not the idempotency
 * record, keep the count exact.
 *
 * @example
 * ```ts
 * ESSAY_LIFECYCLE_TTL_SECONDS['huleedu.essay.batch.registered.v1']; // 43200
 * ```
 */
export const ESSAY_LIFECYCLE_TTL_SECONDS: Readonly<Record<string, number>> = {
  [EssayEventType.BATCH_REGISTERED]: 12 * 3600,
  [EssayEventType.CONTENT_PROVISIONED]: 12 * 3600,
};

/**
 * Builds the essay-lifecycle Lambda handler: batch registrations and content provisionings, each
 * validated, planned against a consistent read of the essay table, and committed together with the
 * idempotency record's `completed` mark in one `TransactWriteItems` (transactional completion), so
 * that neither a duplicate nor a crash can ever count an essay twice.
 *
 * @example
 * ```ts
 * export const handler = createHandler(loadConfig());
 * // in a test:
 * const handler = createHandler(config, { client: doc, deadLetter: new FileDeadLetterSink(path) });
 * const report = await handler.process(mskEvent(records));
 * ```
 */
export function createHandler(config: EssayLifecycleConfig, deps: ConsumerDeps = {}): KafkaHandler {
  const { idempotency, client, clock, deadLetter } = consumerRuntime(
    config,
    { service: ESSAY_LIFECYCLE_SERVICE, eventTypeTtlSeconds: ESSAY_LIFECYCLE_TTL_SECONDS },
    deps,
  );
  const table = new EssayTable(client, config.essayTableName);

  const batchRegistered: EventHandler<RegistrationResult> = async (envelope) => {
    const data = parseData(BatchRegisteredData, envelope);
    const existing = await table.batch(data.batch_id);
    const facts = { eventId: envelope.event_id, now: clock.now() };
    return commit(planBatchRegistration(table.tableName, data, existing, facts));
  };

  const contentProvisioned: EventHandler<ProvisioningResult> = async (envelope) => {
    const data = parseData(ContentProvisionedData, envelope);
    const [batch, essay] = await Promise.all([
      table.batch(data.batch_id),
      table.essay(data.batch_id, data.essay_id),
    ]);
    const facts = { eventId: envelope.event_id, now: clock.now() };
    return commit(planContentProvisioned(table.tableName, data, { batch, essay }, facts));
  };

  return createKafkaHandler({
    idempotency,
    deadLetter,
    partialBatchResponse: config.partialBatchResponse,
    routes: {
      [EssayEventType.BATCH_REGISTERED]: batchRegistered,
      [EssayEventType.CONTENT_PROVISIONED]: contentProvisioned,
    },
  });
}

/** A plan with writes commits them with the completion; a no-op completes on its own. */
function commit<T>(plan: Plan<T>): T | TransactionalResult<T> {
  return plan.writes.length > 0 ? withWrites(plan.result, plan.writes) : plan.result;
}
