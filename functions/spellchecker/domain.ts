/**
 * Spellchecker domain: the result of checking an essay's text, and the item that stores it.
 *
 * Table layout (`pk` + `sk`): one item per essay and text checked,
 * `pk = ESSAY#<essay_id>`, `sk = SPELLCHECK#<language>#<sha256 of the text>`, holding the result.
 * The item is written with a plain `PutItem` (two-phase mode): writing it again for the same request
 * stores the same corrections (only `checked_at` and `event_id` move), so a rerun after a crash
 * between the write and the completion leaves the table right.
 */
import { createHash } from 'node:crypto';
import { CONSUMER_TABLE_SCHEMA } from '../../shared';
import type { SpellcheckRequestedData } from './events';
import { type Correction, checkText, DEFAULT_MAX_WORK, MAX_WORD_LENGTH, type Speller } from './speller';

/**
 * Most corrections listed in a result; the rest are counted in `error_count` only. This bounds the
 * result: a corrected word is at most two letters longer than the longest dictionary word (16
 * letters), its suggestion a dictionary word and its offset under 100,000, so the largest result
 * is about 77 KB of JSON (`test/unit/functions/spellchecker/domain.test.ts` builds it). It is cached
 * whole in the idempotency record (131,072 bytes by default) and its item stays far under
 * DynamoDB's 400 KB.
 *
 * @example
 * ```ts
 * if (result.truncated) console.log(`${result.error_count - MAX_CORRECTIONS} misspellings not listed`);
 * ```
 */
export const MAX_CORRECTIONS = 1000;

/**
 * What the spellchecker returns for a request: cached in the idempotency record and stored.
 *
 * @example
 * ```ts
 * const result: SpellcheckResult = {
 *   essay_id: 'e1',
 *   error_count: 1,
 *   corrections: [{ word: 'teh', suggestion: 'the', offset: 4 }],
 *   truncated: false,
 *   long_word_count: 0,
 *   unchecked_count: 0,
 * };
 * ```
 */
export interface SpellcheckResult {
  readonly essay_id: string;
  /** Misspellings found, each occurrence counted (also those beyond the listed corrections). */
  readonly error_count: number;
  /** Corrections in text order; `offset` is a JavaScript string index (UTF-16 code units). */
  readonly corrections: readonly Correction[];
  /** `true` when more than {@link MAX_CORRECTIONS} misspellings were found. */
  readonly truncated: boolean;
  /** Words longer than {@link MAX_WORD_LENGTH} letters (each occurrence): left as written, not checked. */
  readonly long_word_count: number;
  /**
   * Unknown words (each occurrence) left unchecked because the text used up its work budget
   * ({@link DEFAULT_MAX_WORK}); `0` for any essay-like text, so a non-zero count says the check
   * is partial.
   */
  readonly unchecked_count: number;
}

/**
 * Checks a request's text.
 *
 * @example
 * ```ts
 * spellcheck({ essay_id: 'e1', text: 'Teh cat.' }, new Speller());
 * // { essay_id: 'e1', error_count: 1, corrections: [{ word: 'Teh', suggestion: 'The', offset: 0 }], truncated: false,
 * //   long_word_count: 0, unchecked_count: 0 }
 * ```
 */
export function spellcheck(data: SpellcheckRequestedData, speller: Speller): SpellcheckResult {
  const check = checkText(data.text, speller, { maxCorrections: MAX_CORRECTIONS });
  return {
    essay_id: data.essay_id,
    error_count: check.errorCount,
    corrections: check.corrections,
    truncated: check.truncated,
    long_word_count: check.longWordCount,
    unchecked_count: check.uncheckedCount,
  };
}

/**
 * Key of the item storing the result of checking one text of one essay.
 *
 * @example
 * ```ts
 * resultKey({ essay_id: 'e1', text: 'Teh cat.' }); // { pk: 'ESSAY#e1', sk: 'SPELLCHECK#en#<sha256>' }
 * ```
 */
export function resultKey(data: SpellcheckRequestedData): Record<string, string> {
  return {
    [CONSUMER_TABLE_SCHEMA.partitionKey]: `ESSAY#${data.essay_id}`,
    [CONSUMER_TABLE_SCHEMA.sortKey]: `SPELLCHECK#${data.language ?? 'en'}#${createHash('sha256').update(data.text).digest('hex')}`,
  };
}

/**
 * What the stored item records besides the result.
 *
 * @example
 * ```ts
 * const facts: ResultFacts = { eventId: envelope.event_id, now: clock.now() };
 * ```
 */
export interface ResultFacts {
  readonly eventId: string;
  /** Epoch ms, from the consumer's clock. */
  readonly now: number;
}

/**
 * The item that stores a result (the text itself is not copied: it lives in the content store).
 *
 * @example
 * ```ts
 * await client.send(new PutCommand({ TableName, Item: resultItem(data, result, { eventId, now: Date.now() }) }));
 * ```
 */
export function resultItem(
  data: SpellcheckRequestedData,
  result: SpellcheckResult,
  facts: ResultFacts,
): Record<string, unknown> {
  return {
    ...resultKey(data),
    essay_id: data.essay_id,
    ...(data.batch_id === undefined ? {} : { batch_id: data.batch_id }),
    language: data.language ?? 'en',
    text_length: data.text.length,
    error_count: result.error_count,
    corrections: result.corrections.map((c) => ({ ...c })),
    truncated: result.truncated,
    long_word_count: result.long_word_count,
    unchecked_count: result.unchecked_count,
    checked_at: new Date(facts.now).toISOString(),
    event_id: facts.eventId,
  };
}
