import { WindowBook } from '../../../../tools/chaos/windows';

/** The probe's effect-to-completion windows, attempt by attempt, as the SDK's retries produce them. */

const reset = { wroteNothing: false }; // connection reset or response lost: maybe written
const refused = { wroteNothing: true }; // connection refused, throttled, condition failed: nothing written

describe('WindowBook', () => {
  it('closes the window of an execution whose completion was written', () => {
    const book = new WindowBook();
    book.effectSent(1, 'x1', 'o1');
    book.effectWritten(1, 'x1');
    book.completionSent(1);
    book.completionWritten(1);
    expect(book.open()).toEqual([]);
  });

  it('keeps a written effect open, with its owner, when no completion was written', () => {
    const book = new WindowBook();
    book.effectSent(1, 'x1', 'o1');
    book.effectWritten(1, 'x1');
    expect(book.open()).toEqual([
      { logicalId: 1, execId: 'x1', effect: 'committed', completionInFlight: false, owner: 'o1' },
    ]);
  });

  it('drops an execution none of whose attempts can have written anything', () => {
    const book = new WindowBook();
    for (let attempt = 0; attempt < 4; attempt++) {
      book.effectSent(1, 'x1', 'o1');
      book.effectFailed(1, 'x1', refused);
    }
    expect(book.open()).toEqual([]);
  });

  it('keeps an execution open when a reset attempt is followed by refused retries (the outage case)', () => {
    // The first attempt reached the engine and its connection was reset before the answer: it may
    // be written. The SDK's retries are refused while the engine is down; that proves nothing about
    // the first attempt, so the execution must stay an open window.
    const book = new WindowBook();
    book.effectSent(1, 'x1', 'o1');
    book.effectFailed(1, 'x1', reset);
    for (let attempt = 0; attempt < 3; attempt++) {
      book.effectSent(1, 'x1', 'o1');
      book.effectFailed(1, 'x1', refused);
    }
    expect(book.open()).toEqual([
      { logicalId: 1, execId: 'x1', effect: 'in-flight', completionInFlight: false, owner: 'o1' },
    ]);
  });

  it('keeps a written effect committed when a later retry of the same execution is refused', () => {
    const book = new WindowBook();
    book.effectSent(1, 'x1', 'o1');
    book.effectWritten(1, 'x1'); // then the response was lost, and the retry is throttled
    book.effectSent(1, 'x1', 'o1');
    book.effectFailed(1, 'x1', refused);
    expect(book.open().map((w) => w.effect)).toEqual(['committed']);
  });

  it('keeps the earlier execution of an event run twice in one delivery', () => {
    const book = new WindowBook();
    book.effectSent(1, 'x1', 'o1');
    book.effectFailed(1, 'x1', reset);
    book.effectSent(1, 'x2', 'o2');
    book.effectWritten(1, 'x2');
    book.completionSent(1);
    book.completionWritten(1);
    expect(book.open().map((w) => w.execId)).toEqual(['x1']);
  });

  it('reports a completion as in flight while any of its attempts may have been written', () => {
    const book = new WindowBook();
    book.effectSent(1, 'x1', 'o1');
    book.effectWritten(1, 'x1');
    book.completionSent(1);
    book.completionFailed(1, reset);
    book.completionSent(1);
    book.completionFailed(1, refused);
    expect(book.open().map((w) => w.completionInFlight)).toEqual([true]);

    const other = new WindowBook();
    other.effectSent(2, 'y1', 'o2');
    other.effectWritten(2, 'y1');
    other.completionSent(2);
    other.completionFailed(2, refused);
    expect(other.open().map((w) => w.completionInFlight)).toEqual([false]);
  });

  it('forgets everything on clear', () => {
    const book = new WindowBook();
    book.effectSent(1, 'x1', 'o1');
    book.effectSent(1, 'x2', 'o1');
    book.clear();
    expect(book.open()).toEqual([]);
  });
});
