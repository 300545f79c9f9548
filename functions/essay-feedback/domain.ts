/**
 * Essay-feedback domain: one item per essay (`pk = ESSAY#<essay_id>`, `sk = FEEDBACK`), the latest
 * feedback; a tombstone of the essay's key deletes it.
 */
import type { FeedbackSubmittedData } from './events';

/**
 * What the handler knows besides the payload.
 *
 * @example
 * ```ts
 * const facts: FeedbackFacts = { eventId: envelope.event_id, now: clock.now() };
 * ```
 */
export interface FeedbackFacts {
  readonly eventId: string;
  readonly now: number;
}

/**
 * The key of an essay's feedback item.
 *
 * @example
 * ```ts
 * feedbackKey('E-1'); // { pk: 'ESSAY#E-1', sk: 'FEEDBACK' }
 * ```
 */
export function feedbackKey(essayId: string): { readonly pk: string; readonly sk: string } {
  return { pk: `ESSAY#${essayId}`, sk: 'FEEDBACK' };
}

/**
 * The item a feedback stores.
 *
 * @example
 * ```ts
 * feedbackItem({ essay_id: 'E-1', reviewer: 'T-1', score: 4, comment: null }, { eventId: 'e', now: 0 });
 * ```
 */
export function feedbackItem(data: FeedbackSubmittedData, facts: FeedbackFacts): Record<string, unknown> {
  return {
    ...feedbackKey(data.essay_id),
    essay_id: data.essay_id,
    reviewer: data.reviewer,
    score: data.score,
    ...(data.comment === null ? {} : { comment: data.comment }),
    received_at: new Date(facts.now).toISOString(),
    event_id: facts.eventId,
  };
}

/**
 * The essay id a tombstone withdraws the feedback of: its record key (UTF-8), or `undefined` when
 * the key is missing or not an essay id.
 *
 * @example
 * ```ts
 * withdrawnEssay(Buffer.from('E-1').toString('base64')); // 'E-1'
 * ```
 */
export function withdrawnEssay(keyBase64: unknown): string | undefined {
  if (typeof keyBase64 !== 'string') return undefined;
  const id = Buffer.from(keyBase64, 'base64').toString('utf8');
  return /^[A-Za-z0-9._-]{1,128}$/.test(id) ? id : undefined;
}
