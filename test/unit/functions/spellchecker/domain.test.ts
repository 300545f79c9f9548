import {
  MAX_CORRECTIONS,
  resultItem,
  resultKey,
  spellcheck,
} from '../../../../functions/spellchecker/domain';
import {
  MAX_TEXT_LENGTH,
  SpellcheckEventType,
  SpellcheckRequestedData,
} from '../../../../functions/spellchecker/events';
import { MAX_WORD_LENGTH, Speller } from '../../../../functions/spellchecker/speller';
import { WORDS_BY_FREQUENCY } from '../../../../functions/spellchecker/word-list';
import { envelope } from '../../../../scripts/lib/msk-events';
import { InvalidRecordError, parseData, sha256Hex } from '../../../../shared/internal';

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
      long_word_count: 0,
      unchecked_count: 0,
    });
  });

  test(`lists at most ${MAX_CORRECTIONS} corrections of a long text and counts the rest`, () => {
    const result = spellcheck({ essay_id: 'e1', text: 'teh '.repeat(1500) }, speller);
    expect(result.error_count).toBe(1500);
    expect(result.corrections).toHaveLength(MAX_CORRECTIONS);
    expect(result.truncated).toBe(true);
  });

  test(`reports words longer than ${MAX_WORD_LENGTH} letters as long words, left as written`, () => {
    const text = `Teh ${'a'.repeat(200)} cat, ${'b'.repeat(MAX_WORD_LENGTH + 1)}.`;
    expect(spellcheck({ essay_id: 'e1', text }, speller)).toEqual({
      essay_id: 'e1',
      error_count: 1,
      corrections: [{ word: 'Teh', suggestion: 'The', offset: 0 }],
      truncated: false,
      long_word_count: 2,
      unchecked_count: 0,
    });
  });

  test('a text of one token as long as the schema allows is answered with that token counted', () => {
    const result = spellcheck({ essay_id: 'e1', text: 'x'.repeat(MAX_TEXT_LENGTH) }, speller);
    expect(result).toMatchObject({ error_count: 0, long_word_count: 1, unchecked_count: 0 });
  });

  test('reports the unknown words of a text beyond its work budget as unchecked', () => {
    // 5,000 distinct unknown 18-letter words (n in base 26, in letters): far more lookups than the
    // budget pays for
    const letters = (n: number) =>
      Array.from({ length: 16 }, (_, i) =>
        String.fromCharCode(97 + ((Math.floor(n / 26 ** i) + i * 7) % 26)),
      );
    const words = Array.from({ length: 5_000 }, (_, n) => `zq${letters(n).join('')}`);
    const result = spellcheck({ essay_id: 'e1', text: words.join(' ') }, speller);
    expect(result.unchecked_count).toBeGreaterThan(4_000);
    expect(result.error_count + result.unchecked_count).toBeLessThanOrEqual(5_000);
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
      long_word_count: 0,
      unchecked_count: 0,
      checked_at: '2025-03-01T12:00:00.000Z',
      event_id: 'evt-1',
    });
  });

  test('stays far below the cached-result cap (128 KiB) and the item limit (400 KB) for the largest result', () => {
    // GIVEN the largest result a request can produce: ids at their limit, a text of the accepted
    // length whose misspellings (more than MAX_CORRECTIONS) are the longest words that can have a
    // suggestion (two letters more than the longest dictionary word) corrected to the longest
    // word, at five-digit offsets
    const longest = WORDS_BY_FREQUENCY.reduce((a, b) => (b.length > a.length ? b : a));
    const misspelling = `${longest}qq`;
    expect(speller.suggest(misspelling)).toBe(longest);
    const tail = `${misspelling} `.repeat(MAX_CORRECTIONS + 50);
    const text = 'the '.repeat((MAX_TEXT_LENGTH - tail.length) / 4 - 1) + tail;
    expect(text.length).toBeLessThanOrEqual(MAX_TEXT_LENGTH);
    const data = { essay_id: 'é'.repeat(128), batch_id: '€'.repeat(128), text };
    const result = spellcheck(data, speller);
    expect(result).toMatchObject({ error_count: MAX_CORRECTIONS + 50, truncated: true });

    // WHEN it is cached (JSON) and stored (DynamoDB item)
    const json = Buffer.byteLength(JSON.stringify(result), 'utf8');
    const item = dynamoDbItemBytes(resultItem(data, result, { eventId: 'e'.repeat(128), now: 0 }));

    // THEN both fit with room to spare (the layer's default maxResultBytes is 131072)
    expect(json).toBeLessThan(131_072 * 0.75);
    expect(item).toBeLessThan(400 * 1024 * 0.3);
  });
});

/**
 * An upper bound of the size DynamoDB bills for an item: attribute names and strings in UTF-8
 * bytes, a number at its maximum of 21 bytes, a boolean 1 byte, a list or map 3 bytes plus 1 per
 * element (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/CapacityUnitCalculations.html).
 */
function dynamoDbItemBytes(item: Record<string, unknown>): number {
  const valueBytes = (value: unknown): number => {
    if (typeof value === 'string') return Buffer.byteLength(value, 'utf8');
    if (typeof value === 'number') return 21;
    if (typeof value === 'boolean' || value === null) return 1;
    if (Array.isArray(value)) return 3 + value.reduce<number>((sum, v) => sum + 1 + valueBytes(v), 0);
    if (typeof value === 'object' && value !== null)
      return 3 + entriesBytes(value as Record<string, unknown>);
    throw new TypeError(`unexpected attribute value ${String(value)}`);
  };
  const entriesBytes = (map: Record<string, unknown>) =>
    Object.entries(map).reduce(
      (sum, [name, v]) => sum + 1 + Buffer.byteLength(name, 'utf8') + valueBytes(v),
      0,
    );
  return entriesBytes(item);
}

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
