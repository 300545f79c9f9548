/**
 * A small English spelling corrector in the manner of Peter Norvig's: a word that is not in the
 * dictionary is replaced by the most frequent dictionary word reachable by the fewest edits
 * (deletes, transposes, replaces, inserts), up to two.
 */
import { WORDS_BY_FREQUENCY } from './word-list';

const ALPHABET = 'abcdefghijklmnopqrstuvwxyz';

/** Shortest word the corrector looks at; one- and two-letter tokens are mostly abbreviations. */
const MIN_WORD_LENGTH = 3;

/** Shortest word for which two edits are tried; shorter words at distance 2 are other words. */
const MIN_LENGTH_FOR_TWO_EDITS = 5;

/** Stems that only occur before `n't` (`can't`, `won't`, `shan't`, `ain't`). */
const CONTRACTION_STEMS = new Set(['ca', 'wo', 'sha', 'ai']);

/**
 * The words one edit away from `word` (lowercase a-z): every delete, adjacent transpose, replace and
 * insert, as a set.
 *
 * @example
 * ```ts
 * edits1('teh').has('the'); // true: a transpose
 * ```
 */
export function edits1(word: string): Set<string> {
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

/**
 * Every string made by removing up to `count` letters from `word`, the word itself included.
 *
 * @example
 * ```ts
 * [...deletes('cat', 1)]; // ['cat', 'at', 'ct', 'ca']
 * ```
 */
export function deletes(word: string, count: number): Set<string> {
  const found = new Set<string>([word]);
  let frontier = [word];
  for (let step = 0; step < count; step++) {
    const next: string[] = [];
    for (const current of frontier) {
      for (let i = 0; i < current.length; i++) {
        const variant = current.slice(0, i) + current.slice(i + 1);
        if (!found.has(variant)) {
          found.add(variant);
          next.push(variant);
        }
      }
    }
    frontier = next;
  }
  return found;
}

/**
 * The optimal-string-alignment distance between two words (edits: delete, insert, replace, adjacent
 * transpose), or `limit + 1` as soon as it is known to exceed `limit`.
 *
 * @example
 * ```ts
 * editDistance('tommorow', 'tomorrow', 2); // 2
 * editDistance('cat', 'elephant', 2); // 3 (more than the limit)
 * ```
 */
export function editDistance(a: string, b: string, limit: number): number {
  if (Math.abs(a.length - b.length) > limit) return limit + 1;
  let previous2: number[] = [];
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    let rowMin = i;
    for (let j = 1; j <= b.length; j++) {
      const cost = a.charCodeAt(i - 1) === b.charCodeAt(j - 1) ? 0 : 1;
      let value = Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, (previous[j - 1] ?? 0) + cost);
      if (
        i > 1 &&
        j > 1 &&
        a.charCodeAt(i - 1) === b.charCodeAt(j - 2) &&
        a.charCodeAt(i - 2) === b.charCodeAt(j - 1)
      ) {
        value = Math.min(value, (previous2[j - 2] ?? 0) + 1);
      }
      current.push(value);
      if (value < rowMin) rowMin = value;
    }
    if (rowMin > limit) return limit + 1;
    previous2 = previous;
    previous = current;
  }
  const distance = previous[b.length] ?? limit + 1;
  return distance > limit ? limit + 1 : distance;
}

/**
 * A dictionary of lowercase words ranked by frequency, and the corrections it suggests.
 *
 * A word counts as known when it is in the dictionary, or is a regular inflection of a dictionary
 * word (`-s`, `-es`, `-ies`, `-ed`, `-ing`, `-er`, `-est`, `-ly`, `-ness`, `-ment`, `-ful`,
 * `-less`, with the usual `e`-drop and `y`→`i` spellings), unless the dictionary has the same
 * inflection with a doubled final consonant (so `occured` is not excused by `occur`: the dictionary
 * has `occurred`).
 *
 * @example
 * ```ts
 * const speller = new Speller();
 * speller.suggest('recieve'); // 'receive'
 * speller.suggest('receive'); // undefined: known
 * ```
 */
export class Speller {
  private readonly rank = new Map<string, number>();
  private readonly words: string[] = [];
  private deletesByVariant: Map<string, number[]> | undefined;

  constructor(wordsByFrequency: readonly string[] = WORDS_BY_FREQUENCY) {
    for (const word of wordsByFrequency) {
      if (this.rank.has(word)) continue;
      this.rank.set(word, this.words.length);
      this.words.push(word);
    }
  }

  /** Number of distinct words in the dictionary. */
  get size(): number {
    return this.rank.size;
  }

  /** `true` when the lowercase word is in the dictionary itself. */
  inDictionary(word: string): boolean {
    return this.rank.has(word);
  }

  /** `true` when the lowercase word is in the dictionary or a regular inflection of one. */
  isKnown(word: string): boolean {
    return this.rank.has(word) || CONTRACTION_STEMS.has(word) || this.isInflection(word);
  }

  /**
   * The correction for a lowercase word, or `undefined` when the word is known or nothing in the
   * dictionary is close enough. Candidates one edit away win over those two edits away; among
   * equally close candidates the most frequent wins (ties by dictionary order).
   */
  suggest(word: string): string | undefined {
    if (this.isKnown(word)) return undefined;
    const near = this.best(edits1(word));
    if (near !== undefined) return near;
    if (word.length < MIN_LENGTH_FOR_TWO_EDITS) return undefined;
    return this.bestAtDistanceTwo(word);
  }

  private best(candidates: Iterable<string>): string | undefined {
    let best: string | undefined;
    let bestRank = Number.POSITIVE_INFINITY;
    for (const candidate of candidates) {
      const rank = this.rank.get(candidate);
      if (rank !== undefined && rank < bestRank) {
        best = candidate;
        bestRank = rank;
      }
    }
    return best;
  }

  /**
   * The most frequent dictionary word exactly two edits away. Norvig enumerates the edits of the
   * edits (about 200,000 strings for an 8-letter word, minutes for a long text full of unknown
   * words); this finds the same words through an index of the dictionary's deletes (every word with
   * up to two letters removed, built on first use): two words are within two edits only if removing
   * at most two letters from each makes them equal, so only the words sharing a delete with `word`
   * are measured.
   */
  private bestAtDistanceTwo(word: string): string | undefined {
    const index = this.deleteIndex();
    let best: string | undefined;
    let bestRank = Number.POSITIVE_INFINITY;
    for (const variant of deletes(word, 2)) {
      for (const rank of index.get(variant) ?? []) {
        if (rank >= bestRank) continue;
        const candidate = this.words[rank];
        if (candidate !== undefined && editDistance(word, candidate, 2) === 2) {
          best = candidate;
          bestRank = rank;
        }
      }
    }
    return best;
  }

  private deleteIndex(): Map<string, number[]> {
    if (this.deletesByVariant !== undefined) return this.deletesByVariant;
    const index = new Map<string, number[]>();
    this.words.forEach((word, rank) => {
      if (word.length < MIN_LENGTH_FOR_TWO_EDITS - 2) return;
      for (const variant of deletes(word, 2)) {
        const ranks = index.get(variant);
        if (ranks === undefined) index.set(variant, [rank]);
        else ranks.push(rank);
      }
    });
    this.deletesByVariant = index;
    return index;
  }

  private isInflection(word: string): boolean {
    for (const [suffix, endings] of INFLECTIONS) {
      if (!word.endsWith(suffix) || word.length - suffix.length < 3) continue;
      const stem = word.slice(0, -suffix.length);
      for (const ending of endings) {
        if (!this.rank.has(stem + ending)) continue;
        if (ending === '' && this.spelledOtherwise(stem, suffix)) continue;
        return true;
      }
      // A doubled final consonant before the suffix: `stopped` from `stop`.
      if (
        DOUBLING_SUFFIXES.has(suffix) &&
        /([bdgklmnprtz])\1$/.test(stem) &&
        this.rank.has(stem.slice(0, -1))
      ) {
        return true;
      }
    }
    return false;
  }

  /**
   * `true` when `stem + suffix` is a misspelling of a regular inflection the dictionary spells
   * otherwise: with the final consonant doubled (`occured`: the dictionary has `occurred`), with the
   * final `e` dropped (`truely`, `arguement`), with an `e` kept before a vowel suffix (`makeing`),
   * or `-ly` for `-ally` (`basicly`).
   */
  private spelledOtherwise(stem: string, suffix: string): boolean {
    const last = stem.charAt(stem.length - 1);
    if (DOUBLING_SUFFIXES.has(suffix)) {
      if (/[bdgklmnprtz]/.test(last) && this.rank.has(stem + last + suffix)) return true;
      if (/[^e]e$/.test(stem)) return true;
    }
    if (suffix === 'ly' && stem.endsWith('ic') && this.rank.has(`${stem}ally`)) return true;
    return last === 'e' && this.rank.has(stem.slice(0, -1) + suffix);
  }
}

/** Suffixes before which a final consonant may double (`stop` → `stopped`, `stopping`, `stopper`). */
const DOUBLING_SUFFIXES = new Set(['ed', 'ing', 'er', 'est']);

/** Suffix → the endings that may have been removed from the stem before it. */
const INFLECTIONS: readonly (readonly [string, readonly string[]])[] = [
  ['iness', ['y']],
  ['ness', ['']],
  ['ment', ['']],
  ['less', ['']],
  ['ful', ['']],
  ['iest', ['y']],
  ['est', ['', 'e']],
  ['ier', ['y']],
  ['er', ['', 'e']],
  ['ied', ['y']],
  ['ed', ['', 'e']],
  ['ing', ['', 'e']],
  ['ily', ['y']],
  ['ly', ['', 'le']],
  ['ies', ['y']],
  ['es', ['']],
  ['s', ['']],
];

/**
 * One correction: the word as written, its suggested replacement, and where it starts.
 *
 * @example
 * ```ts
 * const c: Correction = { word: 'Teh', suggestion: 'The', offset: 0 };
 * text.slice(c.offset, c.offset + c.word.length) === c.word; // true
 * ```
 */
export interface Correction {
  /** The misspelled word exactly as it appears in the text. */
  readonly word: string;
  /** The suggested replacement, in the word's case (`Teh` → `The`). */
  readonly suggestion: string;
  /** Index of the word's first character in the text, in UTF-16 code units (JavaScript string index). */
  readonly offset: number;
}

/**
 * What {@link checkText} finds in a text.
 *
 * @example
 * ```ts
 * const { errorCount, corrections, truncated }: TextCheck = checkText(text, speller);
 * ```
 */
export interface TextCheck {
  /** Misspellings found (each occurrence counts), including any left out of `corrections`. */
  readonly errorCount: number;
  /** The corrections, in text order, at most `maxCorrections`. */
  readonly corrections: Correction[];
  /** `true` when there were more misspellings than `maxCorrections`. */
  readonly truncated: boolean;
}

/**
 * Options of {@link checkText}.
 *
 * @example
 * ```ts
 * checkText(text, speller, { maxCorrections: 100 } satisfies CheckOptions);
 * ```
 */
export interface CheckOptions {
  /**
   * Most corrections listed; the rest are counted only (keeps results and items well under 400 KB).
   * @default 1000
   */
  readonly maxCorrections?: number;
}

const CHUNK = /\S+/g;
const WORD = /[\p{L}\p{M}]+(?:['’][\p{L}\p{M}]+)*/gu;
const ASCII_WORD = /^[A-Za-z]+(?:['’][A-Za-z]+)*$/;
const LOWER = /^[a-z]+$/;
const CAPITALIZED = /^[A-Z][a-z]+$/;
const CLITICS = new Set(['s', 't', 're', 've', 'll', 'd', 'm']);
const URL_LIKE = /:\/\/|^www\.|@|[a-z0-9-]\.(?:com|org|net|edu|gov|io|dev|info|co|uk|se|de)\b/i;
const DIGIT = /\d/;

/**
 * Finds the misspelled words of a text and their corrections.
 *
 * What is checked: words of plain ASCII letters of at least three letters, written
 * in lowercase, or capitalized at the start of a sentence. Left alone: anything touching a digit
 * (numbers, `2nd`, `COVID19`), URLs, e-mail addresses and domain names, words with other letters
 * (`café`), words in capitals (acronyms), mixed case (`iPhone`) and capitalized words inside a
 * sentence (names). Contractions are checked on their stem (`thier's` → `their`, at the stem).
 * Suggestions keep the word's case: `recieve` → `receive`, `Recieve` → `Receive`.
 *
 * @example
 * ```ts
 * checkText('Teh cat sat on teh mat.', new Speller());
 * // { errorCount: 2, corrections: [{ word: 'Teh', suggestion: 'The', offset: 0 }, { word: 'teh', suggestion: 'the', offset: 15 }], truncated: false }
 * ```
 */
export function checkText(text: string, speller: Speller, options: CheckOptions = {}): TextCheck {
  const maxCorrections = options.maxCorrections ?? 1000;
  const memo = new Map<string, string | undefined>();
  const corrections: Correction[] = [];
  let errorCount = 0;
  for (const chunk of text.matchAll(CHUNK)) {
    const chunkText = chunk[0];
    if (DIGIT.test(chunkText) || URL_LIKE.test(chunkText)) continue;
    for (const match of chunkText.matchAll(WORD)) {
      const token = match[0];
      if (!ASCII_WORD.test(token)) continue;
      const offset = (chunk.index ?? 0) + (match.index ?? 0);
      const word = stemOf(token);
      if (word === undefined || word.length < MIN_WORD_LENGTH) continue;
      const lower = LOWER.test(word);
      if (!lower && !(CAPITALIZED.test(word) && startsSentence(text, offset))) continue;
      const key = word.toLowerCase();
      let suggestion = memo.get(key);
      if (!memo.has(key)) {
        suggestion = speller.suggest(key);
        memo.set(key, suggestion);
      }
      if (suggestion === undefined) continue;
      errorCount += 1;
      if (corrections.length < maxCorrections) {
        corrections.push({ word, suggestion: lower ? suggestion : capitalize(suggestion), offset });
      }
    }
  }
  return { errorCount, corrections, truncated: errorCount > corrections.length };
}

/**
 * The part of a token to check: the token itself, or for a contraction the stem before its clitic
 * (`don't` → `do`, `thier's` → `thier`). `undefined` for other apostrophes (`o'clock`).
 */
function stemOf(token: string): string | undefined {
  const apostrophe = token.search(/['’]/);
  if (apostrophe < 0) return token;
  const stem = token.slice(0, apostrophe);
  const clitic = token.slice(apostrophe + 1).toLowerCase();
  if (!CLITICS.has(clitic)) return undefined;
  if (clitic === 't') return stem.toLowerCase().endsWith('n') ? stem.slice(0, -1) : undefined;
  return stem;
}

/** `true` at the start of the text or of a sentence (after `.`, `!`, `?`, `:` or a line break). */
function startsSentence(text: string, offset: number): boolean {
  for (let i = offset - 1; i >= 0; i--) {
    const c = text.charAt(i);
    if (c === '\n' || c === '\r') return true;
    if (/\s|["'“‘([]/.test(c)) continue;
    return c === '.' || c === '!' || c === '?' || c === ':';
  }
  return true;
}

function capitalize(word: string): string {
  return word.charAt(0).toUpperCase() + word.slice(1);
}
