/**
 * The worker's book of effect-to-completion windows: for each effect execution of one delivery, did
 * its write (maybe) reach the engine, and was the completion of the same attempt written after it.
 * An execution whose completion was not written is an open window: the audit matches duplicate
 * effects against these.
 *
 * The book errs on the side of "maybe written": an execution leaves the book only when its
 * completion was written, or when none of its attempts can have written anything. An SDK retry that
 * is refused (connection refused, throttled) says nothing about an earlier attempt of the same
 * execution whose connection was reset after the request went out, so such an execution stays open.
 */
import type { OpenWindow } from './protocol';

interface Entry {
  readonly logicalId: number;
  readonly execId: string;
  readonly owner: string | undefined;
  effect: 'committed' | 'in-flight';
  /** An attempt of this execution failed in a way that may have written it (reset, lost response). */
  effectMaybeWritten: boolean;
  completionInFlight: boolean;
  /** An attempt of the completion failed in a way that may have written it. */
  completionMaybeWritten: boolean;
}

/**
 * Per-delivery window bookkeeping, driven by the probe from the requests it sees.
 *
 * @example
 * ```ts
 * const book = new WindowBook();
 * book.effectSent(7, 'exec-1', 'owner-a');
 * book.effectFailed(7, 'exec-1', { wroteNothing: false }); // connection reset: maybe written
 * book.effectSent(7, 'exec-1', 'owner-a');                 // the SDK retries
 * book.effectFailed(7, 'exec-1', { wroteNothing: true });  // refused: the first attempt may still have written
 * book.open(); // [{ logicalId: 7, execId: 'exec-1', effect: 'in-flight', ... }]
 * ```
 */
export class WindowBook {
  /** The latest execution of each logical event in this delivery. */
  private readonly current = new Map<number, Entry>();
  /** Earlier executions of an event, superseded by a later one in the same delivery while still open. */
  private readonly superseded: Entry[] = [];

  /** Forgets everything (a new delivery). */
  clear(): void {
    this.current.clear();
    this.superseded.length = 0;
  }

  /** An attempt of an effect write is about to be sent. */
  effectSent(logicalId: number, execId: string, owner: string | undefined): void {
    const entry = this.current.get(logicalId);
    if (entry?.execId === execId) return;
    if (entry) this.superseded.push(entry);
    this.current.set(logicalId, {
      logicalId,
      execId,
      owner,
      effect: 'in-flight',
      effectMaybeWritten: false,
      completionInFlight: false,
      completionMaybeWritten: false,
    });
  }

  /** An attempt of an effect write succeeded (its response may still be lost afterwards). */
  effectWritten(logicalId: number, execId: string): void {
    const entry = this.current.get(logicalId);
    if (entry?.execId === execId) entry.effect = 'committed';
  }

  /**
   * An attempt of an effect write failed. `wroteNothing`: this attempt certainly wrote nothing (it
   * never reached the engine, or the engine refused it). The execution leaves the book only when no
   * attempt of it may have written anything.
   */
  effectFailed(logicalId: number, execId: string, failure: { readonly wroteNothing: boolean }): void {
    const entry = this.current.get(logicalId);
    if (entry?.execId !== execId || entry.effect === 'committed') return;
    if (!failure.wroteNothing) {
      entry.effectMaybeWritten = true;
      return;
    }
    if (!entry.effectMaybeWritten) this.current.delete(logicalId);
  }

  /** An attempt of the completion of an event's latest execution is about to be sent. */
  completionSent(logicalId: number): void {
    const entry = this.current.get(logicalId);
    if (entry) entry.completionInFlight = true;
  }

  /** The completion was written: the latest execution's window is closed. */
  completionWritten(logicalId: number): void {
    this.current.delete(logicalId);
  }

  /** An attempt of the completion failed; it stays "in flight" while an earlier attempt may have written it. */
  completionFailed(logicalId: number, failure: { readonly wroteNothing: boolean }): void {
    const entry = this.current.get(logicalId);
    if (!entry) return;
    if (!failure.wroteNothing) entry.completionMaybeWritten = true;
    entry.completionInFlight = entry.completionMaybeWritten;
  }

  /** The executions still open: effect written or maybe written, completion not known written. */
  open(): OpenWindow[] {
    return [...this.superseded, ...this.current.values()].map((e) => ({
      logicalId: e.logicalId,
      execId: e.execId,
      effect: e.effect,
      completionInFlight: e.completionInFlight,
      owner: e.owner,
    }));
  }
}
