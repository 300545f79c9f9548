import * as z from 'zod/mini';

/**
 * The event type of the feedback topic (the codec routes by topic).
 *
 * @example
 * ```ts
 * routes[FeedbackEventType.SUBMITTED];
 * ```
 */
export const FeedbackEventType = {
  SUBMITTED: 'huleedu.essay.feedback.submitted.v1',
} as const;

/**
 * Version 1 of the Avro schema, registered as Confluent schema id 1.
 *
 * @example
 * ```ts
 * avroType(FEEDBACK_SCHEMA_V1).toBuffer({ essay_id: 'E-1', reviewer: 'T-1', score: 4 });
 * ```
 */
export const FEEDBACK_SCHEMA_V1 = {
  type: 'record',
  name: 'FeedbackSubmitted',
  namespace: 'huleedu.essay',
  fields: [
    { name: 'essay_id', type: 'string' },
    { name: 'reviewer', type: 'string' },
    { name: 'score', type: 'int' },
  ],
} as const;

/**
 * Version 2 (Confluent schema id 2), backward compatible: an optional comment. The reader schema:
 * a v1 record decodes with `comment: null`, so v1 and v2 copies of one event are one event.
 *
 * @example
 * ```ts
 * avroType(FEEDBACK_SCHEMA_V2).toBuffer({ essay_id: 'E-1', reviewer: 'T-1', score: 4, comment: null });
 * ```
 */
export const FEEDBACK_SCHEMA_V2 = {
  ...FEEDBACK_SCHEMA_V1,
  fields: [...FEEDBACK_SCHEMA_V1.fields, { name: 'comment', type: ['null', 'string'], default: null }],
} as const;

/**
 * The writer schemas by Confluent schema id (what the registry holds for the topic's subject).
 *
 * @example
 * ```ts
 * avroCodec({ wire: 'confluent', readerSchema: FEEDBACK_SCHEMA_V2, writerSchemas: FEEDBACK_SCHEMAS });
 * ```
 */
export const FEEDBACK_SCHEMAS = { '1': FEEDBACK_SCHEMA_V1, '2': FEEDBACK_SCHEMA_V2 } as const;

/**
 * `data` of a feedback: the reader-schema form, validated again by the domain's rules.
 *
 * @example
 * ```ts
 * const data = parseData(FeedbackSubmittedData, envelope);
 * ```
 */
export const FeedbackSubmittedData = z.object({
  essay_id: z.string().check(z.minLength(1), z.maxLength(128)),
  reviewer: z.string().check(z.minLength(1), z.maxLength(128)),
  score: z.int().check(z.minimum(1), z.maximum(5)),
  comment: z.nullable(z.string().check(z.maxLength(2000))),
});

/**
 * A validated feedback.
 *
 * @example
 * ```ts
 * const data: FeedbackSubmittedData = { essay_id: 'E-1', reviewer: 'T-1', score: 4, comment: null };
 * ```
 */
export type FeedbackSubmittedData = z.infer<typeof FeedbackSubmittedData>;
