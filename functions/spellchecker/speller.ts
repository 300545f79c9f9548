/**
 * A small English spelling corrector in the manner of Peter Norvig's: a word that is not in the
 * dictionary is replaced by the most frequent dictionary word reachable by the fewest edits
 * (deletes, transposes, replaces, inserts), up to two. Norvig's candidates are found through an
 * index of the dictionary's deletes instead of being enumerated (SymSpell's method), and the work
 * is bounded per word ({@link MAX_WORD_LENGTH}) and per text ({@link CheckOptions.maxWork}), so no
 * text can stall a batch.
 */
import { WORDS_BY_FREQUENCY } from './word-list';

/** Shortest word the corrector looks at; one- and two-letter tokens are mostly abbreviations. */
const MIN_WORD_LENGTH = 3;

/** Shortest word for which two edits are tried; shorter words at distance 2 are other words. */
const MIN_LENGTH_FOR_TWO_EDITS = 5;

/**
 * Longest word looked up (letters); a longer token is left as written and counted
 * (`longWordCount`). The longest words in English dictionaries are
 * `pneumonoultramicroscopicsilicovolcanoconiosis` (45 letters, in the Oxford English Dictionary and
 * Merriam-Webster), then `supercalifragilisticexpialidocious` (34) and
 * `floccinaucinihilipilification` (29): nothing longer is a word to correct (it is a pasted hash, a
 * URL without its scheme, a key held down). The bound is what keeps one lookup small: the strings a
 * lookup generates grow with the square of the word's length (n(n + 1)/2 + 1 delete variants), and
 * with no bound one token stalled the whole batch (Norvig's candidates for 1,000 random letters took
 * 7 s; for 3,000, the heap ran out). The speller itself goes further and skips, at no cost, any word
 * more than two letters longer than its longest dictionary word (16 letters here).
 *
 * @example
 * ```ts
 * checkText('a'.repeat(MAX_WORD_LENGTH + 1), new Speller()).longWordCount; // 1
 * ```
 */
export const MAX_WORD_LENGTH = 45;

/**
 * Default work budget of one text, in {@link WorkMeter} units (see {@link CheckOptions.maxWork}).
 * Sized by measurement: 100,000-character texts took 14,000 (a README) to 36,000 units (a technical
 * to-do list full of identifiers), the bench's essay-like text of that size 23,000, a 6,000-character
 * essay under 2,000; the worst texts, made of distinct unknown words, reach it after 40-80 ms of one
 * core (`npm run bench`).
 *
 * @example
 * ```ts
 * checkText(text, speller, { maxWork: DEFAULT_MAX_WORK / 2 });
 * ```
 */
export const DEFAULT_MAX_WORK = 50_000;

/** Stems that only occur before `n't` (`can't`, `won't`, `shan't`, `ain't`). */
const CONTRACTION_STEMS = new Set(['ca', 'wo', 'sha', 'ai']);

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
 * Calls `visit` with `word` and every string made by removing up to `count` (1 or 2) letters from
 * it, without collecting them (a word with repeated letters gives some strings twice).
 */
function forEachDelete(word: string, count: 1 | 2, visit: (variant: string) => void): void {
  visit(word);
  for (let i = 0; i < word.length; i++) {
    const once = word.slice(0, i) + word.slice(i + 1);
    visit(once);
    // Removing a later letter too: each pair of positions once.
    if (count === 2) for (let j = i; j < once.length; j++) visit(once.slice(0, j) + once.slice(j + 1));
  }
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
 * Counts the work of lookups: one unit per delete variant of the word looked up in the index, and
 * one per dictionary word measured against it.
 *
 * @example
 * ```ts
 * const meter: WorkMeter = { units: 0 };
 * speller.suggest('tommorow', meter);
 * console.log(meter.units); // the work that lookup took
 * ```
 */
export interface WorkMeter {
  units: number;
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
  /** Longest word that can have a suggestion: two letters more than the longest dictionary word. */
  private readonly longestCorrectable: number;
  /** Delete index per edit distance, built on first use. */
  private readonly deletesByVariant: { 1?: Map<string, number[]>; 2?: Map<string, number[]> } = {};

  constructor(wordsByFrequency: readonly string[] = WORDS_BY_FREQUENCY) {
    let longest = 0;
    for (const word of wordsByFrequency) {
      if (this.rank.has(word)) continue;
      this.rank.set(word, this.words.length);
      this.words.push(word);
      longest = Math.max(longest, word.length);
    }
    this.longestCorrectable = Math.min(MAX_WORD_LENGTH, longest + 2);
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
   *
   * A word longer than the longest dictionary word plus two letters, or than
   * {@link MAX_WORD_LENGTH}, is answered `undefined` at once: no dictionary word is within two
   * edits of it. Any other word of n letters looks up at most n + 1 delete variants for one edit
   * and n(n + 1)/2 + 1 for two (191 in all at 18 letters), and measures the few dictionary words
   * they share; `meter` counts that work.
   *
   * @example
   * ```ts
   * const meter: WorkMeter = { units: 0 };
   * speller.suggest('recieve', meter); // 'receive'; meter.units is now 10
   * ```
   */
  suggest(word: string, meter: WorkMeter = { units: 0 }): string | undefined {
    if (word.length > this.longestCorrectable || this.isKnown(word)) return undefined;
    const near = this.bestWithin(word, 1, meter);
    if (near !== undefined) return near;
    if (word.length < MIN_LENGTH_FOR_TWO_EDITS) return undefined;
    return this.bestWithin(word, 2, meter);
  }

  /**
   * The most frequent dictionary word exactly `distance` edits away (1 or 2). Norvig enumerates the
   * words one edit away (54n + 26 strings) and, for two, the edits of those edits (about 200,000
   * strings for an 8-letter word); this finds the same words through an index of the dictionary's
   * deletes (every word with up to `distance` letters removed, built on first use), as SymSpell
   * does: two words are within `distance` edits only if removing at most `distance` letters from
   * each makes them equal (a replace or a transpose is one removal on each side), so only the words
   * sharing a delete with `word` are measured.
   */
  private bestWithin(word: string, distance: 1 | 2, meter: WorkMeter): string | undefined {
    const index = this.deleteIndex(distance);
    let best: string | undefined;
    let bestRank = Number.POSITIVE_INFINITY;
    forEachDelete(word, distance, (variant) => {
      meter.units += 1;
      // Each list is in rank order: past the best found so far, nothing more frequent follows.
      for (const rank of index.get(variant) ?? []) {
        if (rank >= bestRank) break;
        meter.units += 1;
        const candidate = this.words[rank];
        if (candidate !== undefined && editDistance(word, candidate, distance) === distance) {
          best = candidate;
          bestRank = rank;
        }
      }
    });
    return best;
  }

  private deleteIndex(distance: 1 | 2): Map<string, number[]> {
    const built = this.deletesByVariant[distance];
    if (built !== undefined) return built;
    const index = new Map<string, number[]>();
    this.words.forEach((word, rank) => {
      // Two edits are only tried on words of MIN_LENGTH_FOR_TWO_EDITS letters or more, which no
      // shorter dictionary word is within two edits of.
      if (distance === 2 && word.length < MIN_LENGTH_FOR_TWO_EDITS - 2) return;
      for (const variant of deletes(word, distance)) {
        const ranks = index.get(variant);
        if (ranks === undefined) index.set(variant, [rank]);
        else ranks.push(rank);
      }
    });
    this.deletesByVariant[distance] = index;
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
  /** Words longer than {@link MAX_WORD_LENGTH} letters (each occurrence): left as written, not looked up. */
  readonly longWordCount: number;
  /**
   * Unknown words (each occurrence) not looked up because the text had used up `maxWork`: a text
   * this large and this full of unknown words is not an essay, and the check stops there rather
   * than stall its batch. `0` for any essay-like text.
   */
  readonly uncheckedCount: number;
  /** The work the check took, in {@link WorkMeter} units: at most one lookup past `maxWork`. */
  readonly workUnits: number;
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
  /**
   * Work budget of the text, in {@link WorkMeter} units (delete variants looked up and dictionary
   * words measured). Once it is spent, words not seen before are only checked against the
   * dictionary: a known one is fine, an unknown one is counted in `uncheckedCount`. At most one
   * lookup runs past the budget, and one lookup is bounded by {@link MAX_WORD_LENGTH} (a few
   * hundred units at most), so the time of a check is bounded whatever the text: the rest of the
   * work is linear in its length.
   * @default DEFAULT_MAX_WORK (50,000)
   */
  readonly maxWork?: number;
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
 * Bounded whatever the text: a word longer than {@link MAX_WORD_LENGTH} letters is counted in
 * `longWordCount` and left alone; each distinct word is looked up once; and once the lookups have
 * spent `maxWork`, unknown words not yet seen are counted in `uncheckedCount` instead.
 *
 * @example
 * ```ts
 * checkText('Teh cat sat on teh mat.', new Speller());
 * // { errorCount: 2, corrections: [{ word: 'Teh', suggestion: 'The', offset: 0 }, { word: 'teh', suggestion: 'the', offset: 15 }],
 * //   truncated: false, longWordCount: 0, uncheckedCount: 0, workUnits: 7 }
 * ```
 */
export function checkText(text: string, speller: Speller, options: CheckOptions = {}): TextCheck {
  const maxCorrections = options.maxCorrections ?? 1000;
  const maxWork = options.maxWork ?? DEFAULT_MAX_WORK;
  const meter: WorkMeter = { units: 0 };
  const memo = new Map<string, string | undefined>();
  const corrections: Correction[] = [];
  let errorCount = 0;
  let longWordCount = 0;
  let uncheckedCount = 0;
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
      if (word.length > MAX_WORD_LENGTH) {
        longWordCount += 1;
        continue;
      }
      const key = word.toLowerCase();
      let suggestion = memo.get(key);
      if (!memo.has(key)) {
        if (meter.units < maxWork) {
          suggestion = speller.suggest(key, meter);
        } else if (!speller.isKnown(key)) {
          uncheckedCount += 1;
          continue;
        }
        memo.set(key, suggestion);
      }
      if (suggestion === undefined) continue;
      errorCount += 1;
      if (corrections.length < maxCorrections) {
        corrections.push({ word, suggestion: lower ? suggestion : capitalize(suggestion), offset });
      }
    }
  }
  return {
    errorCount,
    corrections,
    truncated: errorCount > corrections.length,
    longWordCount,
    uncheckedCount,
    workUnits: meter.units,
  };
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
