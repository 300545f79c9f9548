/**
 * A concurrency limit: `limit(task)` runs `task` once fewer than `concurrency` tasks run, in the
 * order asked.
 *
 * @example
 * ```ts
 * const limit = limiter(16);
 * const claims = records.map((r) => limit(() => claim(r)));
 * ```
 */
export function limiter(concurrency: number): <T>(task: () => Promise<T>) => Promise<T> {
  let active = 0;
  const queue: (() => void)[] = [];
  const next = () => {
    active -= 1;
    queue.shift()?.();
  };
  return (task) =>
    new Promise((resolve, reject) => {
      const start = () => {
        active += 1;
        task().then(resolve, reject).finally(next);
      };
      if (active < concurrency) start();
      else queue.push(start);
    });
}

/**
 * Runs `fn` for every item, at most `concurrency` at a time; resolves when all have.
 *
 * @example
 * ```ts
 * await forEachLimited([...partitions.keys()], 4, (key) => runPartition(key));
 * ```
 */
export async function forEachLimited<T>(
  items: readonly T[],
  concurrency: number,
  fn: (item: T) => Promise<void>,
): Promise<void> {
  const limit = limiter(concurrency);
  await Promise.all(items.map((item) => limit(() => fn(item))));
}
