import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { createKafkaHandler, type EventHandler, type KafkaHandler, parseData } from '../../shared';
import { type ConsumerDeps, consumerRuntime } from '../common/runtime';
import type { SpellcheckerConfig } from './config';
import { resultItem, type SpellcheckResult, spellcheck } from './domain';
import { SpellcheckEventType, SpellcheckRequestedData } from './events';
import { Speller } from './speller';

/**
 * The consuming service: the namespace of this consumer's idempotency keys. Never rename it.
 *
 * @example
 * ```ts
 * new IdempotentKafkaConsumer(this, 'Spellchecker', { serviceName: SPELLCHECKER_SERVICE, ... });
 * ```
 */
export const SPELLCHECKER_SERVICE = 'spellchecker';

/**
 * How long (seconds) a finished idempotency record is kept, per event type (1 hour, as in the seeds;
 * any other type would get the default 24 hours).
 *
 * @example
 * ```ts
 * SPELLCHECKER_TTL_SECONDS['huleedu.essay.spellcheck.requested.v1']; // 3600
 * ```
 */
export const SPELLCHECKER_TTL_SECONDS: Readonly<Record<string, number>> = {
  [SpellcheckEventType.REQUESTED]: 3600,
};

/**
 * Builds the spellchecker Lambda handler: each request's text is checked, the result stored with a
 * plain `PutItem`, and returned (cached in the idempotency record, so a duplicate gets it back
 * without checking again). Two-phase mode: the write happens in the handler and the completion
 * follows; a crash between them makes the redelivery, once the lease is over, check and write again,
 * which stores the same result.
 *
 * @example
 * ```ts
 * export const handler = createHandler(loadConfig());
 * // in a test:
 * const report = await createHandler(config, { client: doc }).process(mskEvent(records));
 * ```
 */
export function createHandler(config: SpellcheckerConfig, deps: ConsumerDeps = {}): KafkaHandler {
  const { idempotency, client, clock, deadLetter } = consumerRuntime(
    config,
    { service: SPELLCHECKER_SERVICE, eventTypeTtlSeconds: SPELLCHECKER_TTL_SECONDS },
    deps,
  );
  const speller = new Speller();

  const spellcheckRequested: EventHandler<SpellcheckResult> = async (envelope) => {
    const data = parseData(SpellcheckRequestedData, envelope);
    const result = spellcheck(data, speller);
    await client.send(
      new PutCommand({
        TableName: config.spellcheckTableName,
        Item: resultItem(data, result, { eventId: envelope.event_id, now: clock.now() }),
      }),
    );
    return result;
  };

  return createKafkaHandler({
    idempotency,
    deadLetter,
    partialBatchResponse: config.partialBatchResponse,
    routes: { [SpellcheckEventType.REQUESTED]: spellcheckRequested },
  });
}
