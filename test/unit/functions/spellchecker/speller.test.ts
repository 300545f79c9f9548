import fc from 'fast-check';
import {
  checkText,
  DEFAULT_MAX_WORK,
  deletes,
  editDistance,
  MAX_WORD_LENGTH,
  Speller,
  type WorkMeter,
} from '../../../../functions/spellchecker/speller';
import { WORDS_BY_FREQUENCY } from '../../../../functions/spellchecker/word-list';

const speller = new Speller();

const ALPHABET = 'abcdefghijklmnopqrstuvwxyz';

/** Norvig's candidates: every delete, adjacent transpose, replace and insert of `word`, as a set. */
function norvigEdits1(word: string): Set<string> {
  const edits = new Set<string>();
  for (let i = 0; i <= word.length; i++) {
    const left = word.slice(0, i);
    const right = word.slice(i);
    if (right.length > 0) edits.add(left + right.slice(1));
    if (right.length > 1) edits.add(left + right.charAt(1) + right.charAt(0) + right.slice(2));
    for (const c of ALPHABET) {
      if (right.length > 0) edits.add(left + c + right.slice(1));
      edits.add(left + c + right);
    }
  }
  edits.delete(word);
  return edits;
}

const RANK = new Map<string, number>();
for (const word of WORDS_BY_FREQUENCY) if (!RANK.has(word)) RANK.set(word, RANK.size);
/** The dictionary by word length, each word with its letter counts. */
const BY_LENGTH = new Map<number, { word: string; letters: number[] }[]>();
for (const word of RANK.keys()) {
  const bucket = BY_LENGTH.get(word.length) ?? [];
  bucket.push({ word, letters: letterCounts(word) });
  BY_LENGTH.set(word.length, bucket);
}
const LONGEST = Math.max(...BY_LENGTH.keys());

/** A bound on the work of one lookup (see the test of it): what a text may spend past its budget. */
const MOST_UNITS_PER_LOOKUP = 300;

function letterCounts(word: string): number[] {
  const counts = Array<number>(26).fill(0);
  for (let i = 0; i < word.length; i++)
    counts[word.charCodeAt(i) - 97] = (counts[word.charCodeAt(i) - 97] ?? 0) + 1;
  return counts;
}

/** A necessary condition for two edits or fewer: each edit changes the letter counts by at most 2. */
function lettersWithinTwoEdits(a: readonly number[], b: readonly number[]): boolean {
  let difference = 0;
  for (let i = 0; i < 26; i++) {
    const d = (a[i] ?? 0) - (b[i] ?? 0);
    difference += d < 0 ? -d : d;
  }
  return difference <= 4;
}

/**
 * The corrections the speller must give, found the slow way: the most frequent dictionary word in
 * Norvig's one-edit set, else (five letters or more) the most frequent word of the whole
 * dictionary exactly two edits away.
 */
function referenceSuggest(word: string): string | undefined {
  if (speller.isKnown(word)) return undefined;
  const mostFrequent = (words: Iterable<string>) => {
    let best: string | undefined;
    for (const w of words) {
      if ((RANK.get(w) ?? Number.POSITIVE_INFINITY) < (RANK.get(best ?? '') ?? Number.POSITIVE_INFINITY))
        best = w;
    }
    return best;
  };
  const near = mostFrequent([...norvigEdits1(word)].filter((w) => RANK.has(w)));
  if (near !== undefined || word.length < 5) return near;
  const letters = letterCounts(word);
  const twoAway = [-2, -1, 0, 1, 2]
    .flatMap((d) => BY_LENGTH.get(word.length + d) ?? [])
    .filter((w) => lettersWithinTwoEdits(letters, w.letters) && editDistance(word, w.word, 2) === 2);
  return mostFrequent(twoAway.map((w) => w.word));
}

/** `count` distinct lowercase non-words of `length` letters (a counter in base 26, letters spread). */
function nonWords(count: number, length: number): string[] {
  const words: string[] = [];
  for (let n = 0; words.length < count; n++) {
    let word = '';
    for (let i = 0, x = n; i < length; i++, x = Math.floor(x / 26)) word += ALPHABET.charAt((x + i * 7) % 26);
    if (!speller.isKnown(word)) words.push(word);
  }
  return words;
}

describe('the dictionary', () => {
  test('holds 10,000 distinct lowercase words, most frequent first', () => {
    expect(speller.size).toBe(10_000);
    expect(WORDS_BY_FREQUENCY.every((w) => /^[a-z]+$/.test(w))).toBe(true);
    expect(WORDS_BY_FREQUENCY.indexOf('the')).toBeLessThan(WORDS_BY_FREQUENCY.indexOf('government'));
  });

  test('leaves out contraction fragments, so they are never suggested', () => {
    for (const fragment of ['don', 'didn', 'doesn', 'isn', 'll', 've']) {
      expect(speller.inDictionary(fragment)).toBe(false);
    }
  });
});

describe('edit operations', () => {
  test("Norvig's one-edit set (the reference below) has every delete, transpose, replace and insert of a word, and not the word", () => {
    const edits = norvigEdits1('teh');
    expect(edits.has('th')).toBe(true); // delete
    expect(edits.has('the')).toBe(true); // transpose
    expect(edits.has('tea')).toBe(true); // replace
    expect(edits.has('tech')).toBe(true); // insert
    expect(edits.has('teh')).toBe(false);
    // n deletes + n-1 transposes + 26n replaces + 26(n+1) inserts, less duplicates
    expect(edits.size).toBeLessThanOrEqual(3 + 2 + 26 * 3 + 26 * 4);
    expect(edits.size).toBeGreaterThan(150);
  });

  test.each([
    ['teh', 'the', 1],
    ['recieve', 'receive', 1],
    ['tommorow', 'tomorrow', 2],
    ['cat', 'cat', 0],
    ['cat', 'elephant', 3],
  ])('the edit distance from %s to %s is %d (capped at limit + 1)', (a, b, distance) => {
    expect(editDistance(a, b, 2)).toBe(distance);
  });

  test('deletes lists a word with up to n letters removed', () => {
    expect([...deletes('cat', 1)].sort()).toEqual(['at', 'ca', 'cat', 'ct']);
    expect(deletes('cat', 2).has('a')).toBe(true);
  });
});

describe('Speller.suggest', () => {
  test.each([
    ['teh', 'the'],
    ['recieve', 'receive'],
    ['definately', 'definitely'],
    ['seperate', 'separate'],
    ['occured', 'occurred'],
    ['goverment', 'government'],
    ['becuase', 'because'],
    ['wierd', 'weird'],
    ['thier', 'their'],
    ['untill', 'until'],
    ['beleive', 'believe'],
    ['truely', 'truly'],
    ['arguement', 'argument'],
    ['makeing', 'making'],
    ['runing', 'running'],
    ['begining', 'beginning'],
    ['freind', 'friend'],
    ['neccessary', 'necessary'],
    ['enviroment', 'environment'],
    ['knowlege', 'knowledge'],
    ['langauge', 'language'],
    ['existance', 'existence'],
    ['tommorow', 'tomorrow'],
    ['embarassed', 'embarrassed'],
    ['basicly', 'basically'],
  ])('corrects the misspelling %s to %s', (word, expected) => {
    expect(speller.suggest(word)).toBe(expected);
  });

  test.each([
    'the',
    'government',
    'running',
    'cats',
    'studies',
    'happily',
    'quickly',
    'walked',
    'stopped',
    'argues',
    'analyzes',
    'completely',
    'happiness',
  ])('leaves the correct word %s alone (in the dictionary or a regular inflection of it)', (word) => {
    expect(speller.suggest(word)).toBeUndefined();
  });

  test('prefers one edit over two, then the more frequent word', () => {
    // 'wich' is one edit from both 'with' and 'which': the more frequent wins, as in Norvig's.
    expect(speller.suggest('wich')).toBe('with');
    // 'tommorow' has nothing one edit away, so two edits are tried.
    expect(speller.suggest('tommorow')).toBe('tomorrow');
  });

  test('does not try two edits on short words, nor suggest when nothing is close', () => {
    expect(speller.suggest('xqzt')).toBeUndefined();
    expect(speller.suggest('qwzxvbnmkj')).toBeUndefined();
  });
});

describe('checkText', () => {
  test('finds each misspelling with its offset, in text order, and counts every occurrence', () => {
    const text = 'Teh cat sat on teh mat because it was wierd.';
    const check = checkText(text, speller);
    expect(check).toEqual({
      errorCount: 3,
      corrections: [
        { word: 'Teh', suggestion: 'The', offset: 0 },
        { word: 'teh', suggestion: 'the', offset: 15 },
        { word: 'wierd', suggestion: 'weird', offset: 38 },
      ],
      truncated: false,
      longWordCount: 0,
      uncheckedCount: 0,
      workUnits: expect.any(Number),
    });
    for (const c of check.corrections) expect(text.slice(c.offset, c.offset + c.word.length)).toBe(c.word);
  });

  test('leaves a correct text untouched', () => {
    const text = 'The students believe that the government should receive more feedback from the public.';
    expect(checkText(text, speller)).toEqual({
      errorCount: 0,
      corrections: [],
      truncated: false,
      longWordCount: 0,
      uncheckedCount: 0,
      workUnits: 0,
    });
  });

  test('keeps the case of a capitalized word at the start of a sentence', () => {
    const check = checkText('It rained. Recieve the book! Beleive me? "Thier" car:\nWierd', speller);
    expect(check.corrections.map((c) => `${c.word}->${c.suggestion}`)).toEqual([
      'Recieve->Receive',
      'Beleive->Believe',
      'Thier->Their',
      'Wierd->Weird',
    ]);
  });

  test('skips names inside a sentence, acronyms and mixed case', () => {
    const check = checkText('We met Jhonson and the NASDQ team with an iPhoen in Stokholm.', speller);
    expect(check.corrections).toEqual([]);
  });

  test('skips numbers, words touching digits, URLs, e-mail addresses and domains', () => {
    const text =
      'In 2nd place, 1234 teh3 see https://exmaple.org/teh or www.teh.com, mail tehh@exmaple.cm, visit exmaple.com now';
    expect(checkText(text, speller).corrections).toEqual([]);
  });

  test('checks words inside punctuation and hyphens, and contractions on their stem', () => {
    const text = "(teh) well-knwon thier's don't can't o'clock";
    const check = checkText(text, speller);
    expect(check.corrections).toEqual([
      { word: 'teh', suggestion: 'the', offset: 1 },
      { word: 'knwon', suggestion: 'known', offset: 11 },
      { word: 'thier', suggestion: 'their', offset: 17 },
    ]);
  });

  test('skips words with letters outside ASCII, and offsets count UTF-16 code units', () => {
    const text = 'Café 😀 naïve teh';
    const check = checkText(text, speller);
    expect(check.corrections).toEqual([{ word: 'teh', suggestion: 'the', offset: 14 }]);
    expect(text.slice(14, 17)).toBe('teh');
  });

  test('lists at most maxCorrections but counts them all', () => {
    const check = checkText('teh '.repeat(10), speller, { maxCorrections: 3 });
    expect(check.errorCount).toBe(10);
    expect(check.corrections).toHaveLength(3);
    expect(check.truncated).toBe(true);
  });
});

describe('bounds: no text can make a check slow', () => {
  test(`a word longer than ${MAX_WORD_LENGTH} letters is left as written and counted, not looked up`, () => {
    // GIVEN a text with a 100-letter token and a 46-letter one beside ordinary misspellings
    const text = `teh ${'x'.repeat(100)} wierd. ${'Q'.padEnd(MAX_WORD_LENGTH + 1, 'z')} ok`;
    // WHEN it is checked
    const check = checkText(text, speller);
    // THEN both are counted as too long, and the rest of the text is checked as before
    expect(check.longWordCount).toBe(2);
    expect(check.corrections.map((c) => c.word)).toEqual(['teh', 'wierd']);
    expect(check.uncheckedCount).toBe(0);
  });

  test(`a word of exactly ${MAX_WORD_LENGTH} letters is still checked`, () => {
    expect(checkText('pneumonoultramicroscopicsilicovolcanoconiosis', speller)).toMatchObject({
      longWordCount: 0,
      errorCount: 0,
    });
  });

  test('a word three or more letters longer than any dictionary word costs no lookup', () => {
    const meter: WorkMeter = { units: 0 };
    expect(speller.suggest('q'.repeat(LONGEST + 3), meter)).toBeUndefined();
    expect(speller.suggest('q'.repeat(10_000), meter)).toBeUndefined();
    expect(meter.units).toBe(0);
    // and a word two letters longer than the longest is still corrected
    const word = must(BY_LENGTH.get(LONGEST)?.[0]?.word);
    expect(speller.suggest(`${word}qq`, meter)).toBe(word);
    expect(meter.units).toBeGreaterThan(0);
  });

  test(`no lookup costs more than ${MOST_UNITS_PER_LOOKUP} units, whatever the word`, () => {
    // An 18-letter word looks up n(n + 3)/2 + 2 = 191 delete variants; a short word of common
    // letters has fewer variants but shares them with more dictionary words (a search found 120
    // units at most, for five letters).
    const common = fc.constantFrom(...'etaoinshrdlucmqxz');
    fc.assert(
      fc.property(fc.string({ unit: common, maxLength: MAX_WORD_LENGTH }), (word) => {
        const meter: WorkMeter = { units: 0 };
        speller.suggest(word, meter);
        expect(meter.units).toBeLessThanOrEqual(MOST_UNITS_PER_LOOKUP);
      }),
      { numRuns: 2000 },
    );
  });

  test('a text stops looking up unknown words once its work budget is spent, and counts them', () => {
    // GIVEN a budget that the lookup of the first misspelling does not reach and the second does
    const meter: WorkMeter = { units: 0 };
    speller.suggest('teh', meter);
    const text = 'teh recieve wierd thier beleive teh the government';
    // WHEN the text is checked with it
    const check = checkText(text, speller, { maxWork: meter.units + 1 });
    // THEN the first two are corrected (and teh again, known by then), the next three counted as
    // unchecked, the correct words are not counted
    expect(check.corrections.map((c) => c.word)).toEqual(['teh', 'recieve', 'teh']);
    expect(check.uncheckedCount).toBe(3);
    expect(check.workUnits).toBeGreaterThan(meter.units);
    // and with the default budget the same text is checked whole
    expect(checkText(text, speller)).toMatchObject({ errorCount: 6, uncheckedCount: 0 });
  });

  test('a 100,000-character text of distinct unknown words stops at the default budget', () => {
    // GIVEN the most expensive words to look up: 18 letters (two more than the longest dictionary word)
    const text = nonWords(5_263, 18).join(' ');
    expect(text.length).toBeLessThanOrEqual(100_000);
    // WHEN it is checked
    const check = checkText(text, speller);
    // THEN the work stops within one lookup of the budget, and the words left are counted
    expect(check.workUnits).toBeGreaterThanOrEqual(DEFAULT_MAX_WORK);
    expect(check.workUnits).toBeLessThanOrEqual(DEFAULT_MAX_WORK + MOST_UNITS_PER_LOOKUP);
    expect(check.uncheckedCount).toBeGreaterThan(4_000);
    expect(check.errorCount + check.uncheckedCount).toBeLessThanOrEqual(5_263);
  });

  test('the index finds exactly the corrections of the slow reference, on misspellings and random strings', () => {
    const dictionaryWord = fc.constantFrom(...WORDS_BY_FREQUENCY.filter((w) => w.length >= 3));
    const letter = fc.constantFrom(...ALPHABET);
    const edit = fc.tuple(fc.constantFrom('delete', 'insert', 'replace', 'transpose'), fc.nat(), letter);
    const misspelling = fc
      .tuple(dictionaryWord, fc.array(edit, { minLength: 1, maxLength: 3 }))
      .map(([word, edits]) =>
        edits.reduce((w, [kind, at, c]) => {
          const i = w.length === 0 ? 0 : at % w.length;
          if (kind === 'delete') return w.slice(0, i) + w.slice(i + 1);
          if (kind === 'insert') return w.slice(0, i) + c + w.slice(i);
          if (kind === 'replace') return w.slice(0, i) + c + w.slice(i + 1);
          return w.slice(0, i) + w.charAt(i + 1) + w.charAt(i) + w.slice(i + 2);
        }, word),
      );
    const random = fc.string({ unit: letter, minLength: 1, maxLength: 20 });
    fc.assert(
      fc.property(fc.oneof(misspelling, random), (word) => {
        expect(speller.suggest(word)).toBe(referenceSuggest(word));
      }),
      { numRuns: 600 },
    );
  });
});

function must<T>(value: T | undefined): T {
  if (value === undefined) throw new Error('expected a value');
  return value;
}
