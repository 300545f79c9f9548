import {
  checkText,
  deletes,
  editDistance,
  edits1,
  Speller,
} from '../../../../functions/spellchecker/speller';
import { WORDS_BY_FREQUENCY } from '../../../../functions/spellchecker/word-list';

const speller = new Speller();

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
  test('edits1 has every delete, transpose, replace and insert of a word, and not the word', () => {
    const edits = edits1('teh');
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
    });
    for (const c of check.corrections) expect(text.slice(c.offset, c.offset + c.word.length)).toBe(c.word);
  });

  test('leaves a correct text untouched', () => {
    const text = 'The students believe that the government should receive more feedback from the public.';
    expect(checkText(text, speller)).toEqual({ errorCount: 0, corrections: [], truncated: false });
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
