import {
  MAX_CORRECTIONS,
  resultItem,
  resultKey,
  spellcheck,
} from '../../../../functions/spellchecker/domain';
import { SpellcheckEventType, SpellcheckRequestedData } from '../../../../functions/spellchecker/events';
import { Speller } from '../../../../functions/spellchecker/speller';
import { envelope } from '../../../../scripts/lib/msk-events';
import { InvalidRecordError, parseData, sha256Hex } from '../../../../shared';

const speller = new Speller();

describe('spellcheck', () => {
  test('returns the essay id, the error count and the corrections', () => {
    expect(spellcheck({ essay_id: 'e1', text: 'Teh goverment decided.' }, speller)).toEqual({
      essay_id: 'e1',
      error_count: 2,
      corrections: [
        { word: 'Teh', suggestion: 'The', offset: 0 },
        { word: 'goverment', suggestion: 'government', offset: 4 },
      ],
      truncated: false,
    });
  });

  test(`lists at most ${MAX_CORRECTIONS} corrections of a long text and counts the rest`, () => {
    const result = spellcheck({ essay_id: 'e1', text: 'teh '.repeat(1500) }, speller);
    expect(result.error_count).toBe(1500);
    expect(result.corrections).toHaveLength(MAX_CORRECTIONS);
    expect(result.truncated).toBe(true);
  });
});

describe('the stored item', () => {
  const data = { essay_id: 'e1', text: 'Teh cat.', batch_id: 'b1' };

  test('is keyed by essay and by the hash of the text, so the same request always writes the same item', () => {
    expect(resultKey(data)).toEqual({ pk: 'ESSAY#e1', sk: `SPELLCHECK#en#${sha256Hex('Teh cat.')}` });
    expect(resultKey({ ...data, text: 'Other text.' }).sk).not.toBe(resultKey(data).sk);
  });

  test('holds the result, the request and when it was checked', () => {
    const result = spellcheck(data, speller);
    const item = resultItem(data, result, { eventId: 'evt-1', now: Date.parse('2025-03-01T12:00:00Z') });
    expect(item).toEqual({
      ...resultKey(data),
      essay_id: 'e1',
      batch_id: 'b1',
      language: 'en',
      text_length: 8,
      error_count: 1,
      corrections: [{ word: 'Teh', suggestion: 'The', offset: 0 }],
      truncated: false,
      checked_at: '2025-03-01T12:00:00.000Z',
      event_id: 'evt-1',
    });
  });
});

describe('event data validation', () => {
  function parse(data: Record<string, unknown>) {
    return () =>
      parseData(
        SpellcheckRequestedData,
        envelope({ event_type: SpellcheckEventType.REQUESTED, event_id: 'evt-x', data }),
      );
  }

  test('a valid request parses', () => {
    expect(parse({ essay_id: 'e1', text: 'Hello.', language: 'en', batch_id: 'b1' })()).toEqual({
      essay_id: 'e1',
      text: 'Hello.',
      language: 'en',
      batch_id: 'b1',
    });
  });

  test.each([
    ['essay_id missing', { text: 'Hello.' }, /essay_id:/],
    ['text empty', { essay_id: 'e1', text: '' }, /text:/],
    ['text over 100,000 characters', { essay_id: 'e1', text: 'a'.repeat(100_001) }, /text:/],
    ['a language other than en', { essay_id: 'e1', text: 'Hej.', language: 'sv' }, /language:/],
    ['batch_id empty', { essay_id: 'e1', text: 'Hello.', batch_id: '' }, /batch_id:/],
  ])('a request with %s is an invalid record naming the field', (_, data, field) => {
    expect(parse(data)).toThrow(InvalidRecordError);
    expect(parse(data)).toThrow(field);
  });
});
