/**
 * The essay-feedback consumer: Avro feedback in the Confluent wire format, decoded with the
 * schemas of `events.ts` (no registry call), stored with the idempotency record's completion in
 * one transaction; a tombstone of an essay's key deletes its feedback the same way.
 */
import { defineConsumer, PermanentError, parseData, withWrites } from '../../shared';
import { TOMBSTONE_EVENT_TYPE } from '../../shared/codecs';
import { avroCodec } from '../../shared/codecs/avro';
import { feedbackItem, feedbackKey, withdrawnEssay } from './domain';
import { FEEDBACK_SCHEMA_V2, FEEDBACK_SCHEMAS, FeedbackEventType, FeedbackSubmittedData } from './events';
import manifest from './manifest';

/**
 * The consumer; `consumer.create({ env, client, ... })` builds it with parts replaced (tests).
 *
 * @example
 * ```ts
 * const report = await consumer.create({ env, client: doc }).process(mskEvent(records));
 * ```
 */
export const consumer = defineConsumer(
  manifest,
  ({ tables, clock }) => ({
    [FeedbackEventType.SUBMITTED]: async (envelope) => {
      const data = parseData(FeedbackSubmittedData, envelope);
      const Item = feedbackItem(data, { eventId: envelope.event_id, now: clock.now() });
      return withWrites({ essay_id: data.essay_id, score: data.score }, [
        { Put: { TableName: tables.FEEDBACK_TABLE_NAME, Item } },
      ]);
    },
    [TOMBSTONE_EVENT_TYPE]: async (envelope) => {
      const essayId = withdrawnEssay(envelope.data.key);
      if (essayId === undefined) {
        throw new PermanentError('A feedback tombstone must be keyed by the essay id (the record key).');
      }
      return withWrites({ withdrawn: essayId }, [
        { Delete: { TableName: tables.FEEDBACK_TABLE_NAME, Key: feedbackKey(essayId) } },
      ]);
    },
  }),
  {
    // Reader schema v2: records written under v1 or v2 decode to its shape. Topic-named type.
    codec: avroCodec({
      wire: 'confluent',
      readerSchema: FEEDBACK_SCHEMA_V2,
      writerSchemas: FEEDBACK_SCHEMAS,
      type: { from: 'topic' },
    }),
  },
);

/** The Lambda entry point (bundled by the CDK app). */
export const handler = consumer.handler;
