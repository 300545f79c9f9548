/**
 * The spellchecker consumer: each request's text is checked, the result stored with a plain
 * `PutItem` and returned (cached in the idempotency record, so a duplicate gets it back without
 * checking again). Two-phase mode: the write happens in the handler and the completion follows; a
 * crash between them makes the redelivery, once the lease is over, check and write again, which
 * stores the same result.
 */
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { defineConsumer, parseData } from '../../shared';
import { resultItem, spellcheck } from './domain';
import { SpellcheckEventType, SpellcheckRequestedData } from './events';
import manifest from './manifest';
import { Speller } from './speller';

/**
 * The consumer; `consumer.create({ env, client, ... })` builds it with parts replaced (tests).
 *
 * @example
 * ```ts
 * const report = await consumer.create({ env, client: doc }).process(mskEvent(records));
 * ```
 */
export const consumer = defineConsumer(manifest, ({ tables, client, clock }) => {
  const speller = new Speller();
  return {
    [SpellcheckEventType.REQUESTED]: async (envelope) => {
      const data = parseData(SpellcheckRequestedData, envelope);
      const result = spellcheck(data, speller);
      await client.send(
        new PutCommand({
          TableName: tables.SPELLCHECK_TABLE_NAME,
          Item: resultItem(data, result, { eventId: envelope.event_id, now: clock.now() }),
        }),
      );
      return result;
    },
  };
});

/** The Lambda entry point (bundled by the CDK app). */
export const handler = consumer.handler;
