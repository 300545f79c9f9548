import { envelope } from '../../scripts/lib/msk-events';
import { canonicalJson, computeKey, DEFAULT_KEY_PREFIX, decodeEvent, sha256Hex } from '../../shared/internal';
import { median } from './stats';
import { BENCH_EVENT_TYPE } from './workload';

/**
 * Per-record CPU cost of turning a record value into its idempotency key.
 *
 * @example
 * ```ts
 * const [oneKb]: KeyCpuFigures[] = measureKeyCpu({ valueBytes: [1024] });
 * ```
 */
export interface KeyCpuFigures {
  /** Size of the record value (UTF-8 JSON bytes). */
  readonly valueBytes: number;
  readonly iterations: number;
  readonly usPerRecord: {
    /** `decodeEvent`: strict UTF-8, JSON.parse, envelope schema. */
    readonly decode: number;
    /** RFC 8785 canonical JSON of `event_type` + `data`. */
    readonly canonicalJson: number;
    /** SHA-256 of that canonical JSON. */
    readonly hash: number;
    /** `decodeEvent` + `computeKey` (content strategy), measured together. */
    readonly total: number;
    /** The same, in the least disturbed of the measuring windows. */
    readonly totalBest: number;
  };
}

/**
 * Options of {@link measureKeyCpu}.
 *
 * @example
 * ```ts
 * const options: KeyCpuOptions = { valueBytes: [1024], budgetMs: 200 };
 * ```
 */
export interface KeyCpuOptions {
  /**
   * Record value sizes (bytes).
   * @default [1024, 65536]
   */
  readonly valueBytes?: readonly number[];
  /**
   * Time spent measuring each figure (ms); the iteration count follows from it.
   * @default 800
   */
  readonly budgetMs?: number;
}

/**
 * Builds a record value of about `bytes` bytes: an essay-like envelope whose `data` has a text and
 * a list of small objects (so canonical JSON has keys to sort at several depths).
 *
 * @example
 * ```ts
 * sampleValue(1024).length; // ~1024
 * ```
 */
export function sampleValue(bytes: number): Buffer {
  const corrections: { offset: number; length: number; suggestion: string; rule: string }[] = [];
  const build = (text: string) =>
    Buffer.from(
      JSON.stringify(
        envelope({
          event_type: BENCH_EVENT_TYPE,
          event_id: '4f1c2d7e-0000-4000-8000-000000000000',
          correlation_id: '9a8b7c6d-0000-4000-8000-000000000000',
          event_timestamp: '2025-01-01T00:00:00.000Z',
          data: { essay_id: 'essay-123', batch_id: 'batch-9', language: 'en', text, corrections },
        }),
      ),
      'utf8',
    );
  // Half the budget in structure, half in text.
  while (build('').length < bytes / 2) {
    const n = corrections.length;
    corrections.push({ offset: n * 17, length: 4, suggestion: `word${n}`, rule: 'SPELLING' });
  }
  const filler = 'The quick brown fox jumps over the lazy dog. ';
  const missing = Math.max(0, bytes - build('').length);
  return build(filler.repeat(Math.ceil(missing / filler.length)).slice(0, missing));
}

/**
 * Measures the per-record CPU cost of `decodeEvent` + `computeKey` (content strategy) for values
 * of the given sizes, over many iterations after a warm-up (median of 7 windows), and each part on
 * its own.
 *
 * @example
 * ```ts
 * const [oneKb] = measureKeyCpu({ valueBytes: [1024] });
 * console.log(oneKb?.usPerRecord.total, 'µs/record');
 * ```
 */
export function measureKeyCpu(options: KeyCpuOptions = {}): KeyCpuFigures[] {
  const budgetMs = options.budgetMs ?? 800;
  return (options.valueBytes ?? [1024, 65536]).map((bytes) => {
    const raw = sampleValue(bytes);
    const keyOptions = { prefix: DEFAULT_KEY_PREFIX, service: 'bench', strategy: 'content' as const };
    const decoded = decodeEvent(raw);
    if (!decoded.ok) throw new Error(`bench: the sample value does not decode (${decoded.error.message}).`);
    const payload = { event_type: decoded.envelope.event_type, data: decoded.envelope.data };
    const canonical = canonicalJson(payload);

    let sink = 0;
    const total = timePerCall(budgetMs, () => {
      sink += computeKey(decodeEvent(raw), keyOptions).id.length;
    });
    const decode = timePerCall(budgetMs, () => {
      sink += decodeEvent(raw).ok ? 1 : 0;
    });
    const canonicalMs = timePerCall(budgetMs, () => {
      sink += canonicalJson(payload).length;
    });
    const hash = timePerCall(budgetMs, () => {
      sink += sha256Hex(canonical).length;
    });
    if (sink === 0) throw new Error('unreachable: keeps the measured calls alive');
    return {
      valueBytes: raw.length,
      iterations: total.iterations,
      usPerRecord: {
        decode: decode.microseconds,
        canonicalJson: canonicalMs.microseconds,
        hash: hash.microseconds,
        total: total.microseconds,
        totalBest: total.best,
      },
    };
  });
}

const WINDOWS = 7;

/**
 * Median and best per-call time of `fn` over 7 windows after a warm-up. @internal
 *
 * @example
 * ```ts
 * const { microseconds } = timePerCall(200, () => decodeEvent(bytes));
 * ```
 */
export function timePerCall(
  budgetMs: number,
  fn: () => void,
): { microseconds: number; best: number; iterations: number } {
  // Warm-up: let the JIT settle, and size the batches of calls between clock reads.
  const warmUntil = performance.now() + budgetMs / 4;
  let calls = 0;
  while (performance.now() < warmUntil) {
    fn();
    calls++;
  }
  const chunk = Math.max(1, Math.floor(calls / 50));
  // Several short windows: another process preempting this one inflates some of them, so the
  // median is reported, and the best window (the least disturbed) beside it.
  const perCall: number[] = [];
  let iterations = 0;
  for (let w = 0; w < WINDOWS; w++) {
    let count = 0;
    const started = performance.now();
    const until = started + budgetMs / WINDOWS;
    while (performance.now() < until) {
      for (let i = 0; i < chunk; i++) fn();
      count += chunk;
    }
    perCall.push(((performance.now() - started) * 1000) / count);
    iterations += count;
  }
  return { microseconds: median(perCall), best: Math.min(...perCall), iterations };
}
