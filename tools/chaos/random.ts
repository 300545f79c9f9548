/**
 * A small seeded random generator, so that a chaos run's plan (events, duplicates, kills, faults)
 * is reproducible from `--seed`. Timing between processes is not: the plan is, the interleaving
 * is not.
 */

/** A seeded source of random numbers (mulberry32). */
export class Random {
  private state: number;

  /**
   * @example
   * ```ts
   * const rng = new Random(42);
   * rng.int(0, 9); // the same number for the same seed
   * ```
   */
  constructor(seed: number) {
    this.state = seed >>> 0 || 0x9e3779b9;
  }

  /**
   * A float in [0, 1).
   *
   * @example
   * ```ts
   * if (rng.next() < 0.1) injectFault();
   * ```
   */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /**
   * An integer in [min, max], both included.
   *
   * @example
   * ```ts
   * rng.int(1, 6); // a die
   * ```
   */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  /**
   * `true` with probability `p`.
   *
   * @example
   * ```ts
   * rng.chance(0.05);
   * ```
   */
  chance(p: number): boolean {
    return this.next() < p;
  }

  /**
   * One element of a non-empty array.
   *
   * @example
   * ```ts
   * rng.pick(['throttle', 'outage'] as const);
   * ```
   */
  pick<T>(items: readonly T[]): T {
    const item = items[Math.floor(this.next() * items.length)];
    if (item === undefined) throw new RangeError('Random.pick needs a non-empty array.');
    return item;
  }

  /**
   * A shuffled copy (Fisher-Yates).
   *
   * @example
   * ```ts
   * rng.shuffle([1, 2, 3]);
   * ```
   */
  shuffle<T>(items: readonly T[]): T[] {
    const copy = [...items];
    for (let i = copy.length - 1; i > 0; i--) {
      const j = Math.floor(this.next() * (i + 1));
      const a = copy[i] as T;
      copy[i] = copy[j] as T;
      copy[j] = a;
    }
    return copy;
  }

  /**
   * A new generator seeded from this one, for an independent stream (one per worker, per delivery).
   *
   * @example
   * ```ts
   * const workerRng = rng.fork();
   * ```
   */
  fork(): Random {
    return new Random(Math.floor(this.next() * 4294967296));
  }
}
