import { type SpellcheckResult, spellcheck } from '../../functions/spellchecker/domain';
import {
  MAX_TEXT_LENGTH,
  SpellcheckEventType,
  SpellcheckRequestedData,
} from '../../functions/spellchecker/events';
import { MAX_WORD_LENGTH, Speller } from '../../functions/spellchecker/speller';
import { WORDS_BY_FREQUENCY } from '../../functions/spellchecker/word-list';
import { envelope } from '../../scripts/lib/msk-events';
import { decodeEvent, InvalidRecordError, parseData } from '../../shared/internal';
import { median } from './stats';

/**
 * Per-record CPU of the spellchecker's domain on one input: decode the value, validate `data`,
 * check the text (everything the handler does but the `PutItem`).
 *
 * @example
 * ```ts
 * const worst = measureSpellcheckCpu().reduce((a, b) => (b.msMax > a.msMax ? b : a));
 * ```
 */
export interface SpellcheckCpuFigures {
  /** What the input is. */
  readonly input: string;
  /** Size of the record value (UTF-8 JSON bytes). */
  readonly valueBytes: number;
  /** `refused`: the schema rejected the record (a poison record); else the counts of the result. */
  readonly outcome:
    | { readonly refused: true }
    | ({ readonly refused: false } & Pick<
        SpellcheckResult,
        'error_count' | 'long_word_count' | 'unchecked_count'
      >);
  readonly iterations: number;
  /** Median time per record (ms). */
  readonly msPerRecord: number;
  /** The slowest record measured (ms). */
  readonly msMax: number;
}

/**
 * Options of {@link measureSpellcheckCpu}.
 *
 * @example
 * ```ts
 * const options: SpellcheckCpuOptions = { budgetMs: 100 };
 * ```
 */
export interface SpellcheckCpuOptions {
  /**
   * Time spent measuring each input (ms); every input is measured at least 3 times.
   * @default 250
   */
  readonly budgetMs?: number;
}

/**
 * One input of {@link measureSpellcheckCpu}: a record value and what it stands for.
 *
 * @example
 * ```ts
 * for (const { input, value } of spellcheckInputs()) console.log(input, value.length);
 * ```
 */
export interface SpellcheckInput {
  readonly input: string;
  readonly value: Buffer;
}

/**
 * The inputs, worst cases first: one token filling a 1 MiB value (over the schema's text limit);
 * one token the length of the largest accepted text; 100,000-character texts of distinct unknown
 * words of 45 letters (`MAX_WORD_LENGTH`, never correctable), 18 (the costliest lookup: two more
 * than the longest dictionary word), 5 (the first length tried at two edits) and 4 (the most
 * tokens); a 10 KB text of 18-letter words (it spends the whole work budget too: about 5 KB of
 * such words suffice, so every record of a batch of small ones can spend it); then an
 * essay-like text of 100,000 and of 6,000 characters (dictionary words drawn by frequency, 3%
 * misspelled by one edit, 2% rare words the dictionary lacks).
 *
 * @example
 * ```ts
 * spellcheckInputs().map((i) => i.input);
 * ```
 */
export function spellcheckInputs(): SpellcheckInput[] {
  const speller = new Speller();
  const random = mulberry32(20_250_301);
  const value = (text: string) =>
    Buffer.from(
      JSON.stringify(
        envelope({
          event_type: SpellcheckEventType.REQUESTED,
          event_id: '4f1c2d7e-0000-4000-8000-000000000000',
          correlation_id: '9a8b7c6d-0000-4000-8000-000000000000',
          event_timestamp: '2025-01-01T00:00:00.000Z',
          data: { essay_id: 'essay-123', batch_id: 'batch-9', language: 'en', text },
        }),
      ),
      'utf8',
    );
  const mib = 1_048_576;
  const overhead = value('').length;
  return [
    { input: 'one token, 1 MiB value (text over the limit)', value: value('x'.repeat(mib - overhead)) },
    {
      input: `one token of ${MAX_TEXT_LENGTH.toLocaleString('en')} letters`,
      value: value('x'.repeat(MAX_TEXT_LENGTH)),
    },
    ...[MAX_WORD_LENGTH, 18, 5, 4].map((length) => ({
      input: `${MAX_TEXT_LENGTH.toLocaleString('en')} chars of distinct ${length}-letter non-words`,
      value: value(nonWordText(MAX_TEXT_LENGTH, length, speller, random)),
    })),
    {
      input: '10,000 chars of distinct 18-letter non-words',
      value: value(nonWordText(10_000, 18, speller, random)),
    },
    {
      input: `essay-like, ${MAX_TEXT_LENGTH.toLocaleString('en')} chars`,
      value: value(essayText(MAX_TEXT_LENGTH, random)),
    },
    { input: 'essay-like, 6,000 chars', value: value(essayText(6_000, random)) },
  ];
}

/**
 * Measures the per-record time of the spellchecker's domain (decode, schema, check) on each of
 * {@link spellcheckInputs}, with one warm {@link Speller} (its delete index built before, as after
 * the first record of a cold start): the median and the slowest of at least 3 records each.
 *
 * @example
 * ```ts
 * for (const f of measureSpellcheckCpu({ budgetMs: 100 })) console.log(f.input, f.msMax);
 * ```
 */
export function measureSpellcheckCpu(options: SpellcheckCpuOptions = {}): SpellcheckCpuFigures[] {
  const budgetMs = options.budgetMs ?? 250;
  const speller = new Speller();
  speller.suggest('tommorow');
  return spellcheckInputs().map(({ input, value }) => {
    let outcome: SpellcheckCpuFigures['outcome'] = { refused: true };
    const check = () => {
      const decoded = decodeEvent(value);
      if (!decoded.ok)
        throw new Error(`bench: the input "${input}" does not decode (${decoded.error.message}).`);
      try {
        const result = spellcheck(parseData(SpellcheckRequestedData, decoded.envelope), speller);
        outcome = {
          refused: false,
          error_count: result.error_count,
          long_word_count: result.long_word_count,
          unchecked_count: result.unchecked_count,
        };
      } catch (error) {
        if (!(error instanceof InvalidRecordError)) throw error;
        outcome = { refused: true };
      }
    };
    check(); // warm-up
    const times: number[] = [];
    const until = performance.now() + budgetMs;
    while (times.length < 3 || performance.now() < until) {
      const started = performance.now();
      check();
      times.push(performance.now() - started);
    }
    return {
      input,
      valueBytes: value.length,
      outcome,
      iterations: times.length,
      msPerRecord: median(times),
      msMax: Math.max(...times),
    };
  });
}

/**
 * Distinct unknown lowercase words of `length` letters, separated by spaces, up to `chars` (there
 * must be enough of them: 26^4 is, 26^3 is not for 100,000 characters).
 */
function nonWordText(chars: number, length: number, speller: Speller, random: () => number): string {
  const seen = new Set<string>();
  const words: string[] = [];
  let size = -1;
  while (size + length + 1 <= chars) {
    let word = '';
    for (let i = 0; i < length; i++) word += String.fromCharCode(97 + Math.floor(random() * 26));
    if (seen.has(word) || speller.isKnown(word)) continue;
    seen.add(word);
    words.push(word);
    size += length + 1;
  }
  return words.join(' ');
}

/**
 * An essay-like text of about `chars` characters: sentences of 6 to 20 dictionary words drawn by
 * frequency (Zipf: rank r with weight 1/r), 3% of them misspelled by one edit, 2% rare words the
 * dictionary lacks (7 to 12 random letters), each sentence capitalized.
 */
function essayText(chars: number, random: () => number): string {
  const words = WORDS_BY_FREQUENCY.filter((w) => w.length >= 2);
  const cumulative: number[] = [];
  let total = 0;
  for (let r = 0; r < words.length; r++) {
    total += 1 / (r + 1);
    cumulative.push(total);
  }
  const drawn = () => {
    const x = random() * total;
    let lo = 0;
    let hi = cumulative.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((cumulative[mid] ?? 0) < x) lo = mid + 1;
      else hi = mid;
    }
    return words[lo] ?? 'the';
  };
  const letter = () => String.fromCharCode(97 + Math.floor(random() * 26));
  const word = () => {
    const roll = random();
    if (roll < 0.02) return Array.from({ length: 7 + Math.floor(random() * 6) }, letter).join('');
    const w = drawn();
    if (roll >= 0.05 || w.length < 4) return w;
    const i = 1 + Math.floor(random() * (w.length - 2));
    return w.slice(0, i) + letter() + w.slice(i + 1);
  };
  const sentences: string[] = [];
  let size = 0;
  while (size < chars) {
    const sentence = Array.from({ length: 6 + Math.floor(random() * 15) }, word).join(' ');
    const text = `${sentence.charAt(0).toUpperCase()}${sentence.slice(1)}.`;
    sentences.push(text);
    size += text.length + 1;
  }
  return sentences.join(' ').slice(0, chars);
}

/** A small seeded PRNG (mulberry32): the same inputs on every run. */
function mulberry32(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}
