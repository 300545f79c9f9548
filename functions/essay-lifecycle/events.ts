import * as z from 'zod/mini';

/**
 * The event types the essay-lifecycle consumer handles.
 *
 * @example
 * ```ts
 * envelope({ event_type: EssayEventType.BATCH_REGISTERED, data: { batch_id: 'b1', essay_ids: ['e1'] } });
 * ```
 */
export const EssayEventType = {
  BATCH_REGISTERED: 'huleedu.essay.batch.registered.v1',
  CONTENT_PROVISIONED: 'huleedu.essay.content.provisioned.v1',
} as const;

/** Most essays one batch may register (the producer's contract). */
const MAX_ESSAYS_PER_BATCH = 500;

/**
 * Longest batch or essay id accepted. It bounds the batch item, which holds every essay id of the
 * batch: 500 ids of 128 characters stay far below DynamoDB's 400 KB item limit.
 */
const MAX_ID_LENGTH = 128;

const Id = z.string().check(z.minLength(1), z.maxLength(MAX_ID_LENGTH));

/**
 * `data` of `huleedu.essay.batch.registered.v1`: a batch and the essays it expects.
 *
 * @example
 * ```ts
 * const data = parseData(BatchRegisteredData, envelope); // { batch_id, essay_ids, course_code? }
 * ```
 */
export const BatchRegisteredData = z.object({
  batch_id: Id,
  essay_ids: z.array(Id).check(
    z.minLength(1),
    z.maxLength(MAX_ESSAYS_PER_BATCH),
    z.superRefine((ids: string[], ctx) => {
      const seen = new Set<string>();
      ids.forEach((id, index) => {
        if (seen.has(id)) {
          ctx.addIssue({
            code: 'custom',
            path: [index],
            message: `duplicate essay id ${JSON.stringify(id)}`,
          });
        }
        seen.add(id);
      });
    }),
  ),
  course_code: z.optional(z.string().check(z.minLength(1), z.maxLength(64))),
});

/**
 * A validated `huleedu.essay.batch.registered.v1` payload.
 *
 * @example
 * ```ts
 * const data: BatchRegisteredData = { batch_id: 'b1', essay_ids: ['e1', 'e2'], course_code: 'ENG5' };
 * ```
 */
export type BatchRegisteredData = z.infer<typeof BatchRegisteredData>;

/**
 * `data` of `huleedu.essay.content.provisioned.v1`: an essay's text is stored and ready.
 *
 * @example
 * ```ts
 * const data = parseData(ContentProvisionedData, envelope); // { batch_id, essay_id, text_storage_id }
 * ```
 */
export const ContentProvisionedData = z.object({
  batch_id: Id,
  essay_id: Id,
  text_storage_id: z.string().check(z.minLength(1), z.maxLength(1024)),
});

/**
 * A validated `huleedu.essay.content.provisioned.v1` payload.
 *
 * @example
 * ```ts
 * const data: ContentProvisionedData = { batch_id: 'b1', essay_id: 'e1', text_storage_id: 'store-42' };
 * ```
 */
export type ContentProvisionedData = z.infer<typeof ContentProvisionedData>;
