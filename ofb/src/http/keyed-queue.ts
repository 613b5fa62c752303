/**
 * Runs tasks one at a time per key, in call order; a task holding several keys waits for each and
 * holds all of them. Keys are registered synchronously at call time, so waits follow call order
 * and can never form a cycle. A failed task does not block the next one.
 */
export class KeyedQueue {
  private readonly tails = new Map<string, Promise<void>>();

  run<T>(keys: readonly string[], task: () => Promise<T>): Promise<T> {
    const unique = [...new Set(keys)];
    const previous = unique.map((k) => this.tails.get(k)).filter((p) => p !== undefined);
    let release!: () => void;
    const done = new Promise<void>((resolve) => {
      release = resolve;
    });
    for (const key of unique) this.tails.set(key, done);
    return Promise.all(previous)
      .then(task)
      .finally(() => {
        release();
        for (const key of unique) if (this.tails.get(key) === done) this.tails.delete(key);
      });
  }

  /** Whether a task holds or waits for `key`. */
  busy(key: string): boolean {
    return this.tails.has(key);
  }
}
