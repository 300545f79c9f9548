import * as z from 'zod/mini';

/**
 * The event types the spellchecker consumer handles.
 *
 * @example
 * ```ts
 * envelope({ event_type: SpellcheckEventType.REQUESTED, data: { essay_id: 'e1', text: 'Teh cat.' } });
 * ```
 */
export const SpellcheckEventType = {
  REQUESTED: 'huleedu.essay.spellcheck.requested.v1',
} as const;

/**
 * Longest text accepted (characters, as JavaScript counts them).
 *
 * @example
 * ```ts
 * if (text.length > MAX_TEXT_LENGTH) throw new Error('too long');
 * ```
 */
export const MAX_TEXT_LENGTH = 100_000;

/**
 * `data` of `huleedu.essay.spellcheck.requested.v1`: the text of an essay to check.
 *
 * @example
 * ```ts
 * const data = parseData(SpellcheckRequestedData, envelope); // { essay_id, text, language?, batch_id? }
 * ```
 */
export const SpellcheckRequestedData = z.object({
  essay_id: z.string().check(z.minLength(1), z.maxLength(128)),
  text: z.string().check(z.minLength(1), z.maxLength(MAX_TEXT_LENGTH)),
  language: z.optional(z.literal('en')),
  batch_id: z.optional(z.string().check(z.minLength(1), z.maxLength(128))),
});

/**
 * A validated `huleedu.essay.spellcheck.requested.v1` payload.
 *
 * @example
 * ```ts
 * const data: SpellcheckRequestedData = { essay_id: 'e1', text: 'Teh cat.', language: 'en' };
 * ```
 */
export type SpellcheckRequestedData = z.infer<typeof SpellcheckRequestedData>;
