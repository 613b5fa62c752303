// SerialQueue: runs async tasks one at a time, in call order (named puts number versions this way).

/** Runs tasks one after another; a failed task fails its caller only, and the next one still runs. */
export class SerialQueue {
  #tail: Promise<unknown> = Promise.resolve();

  /** Runs `task` after every task queued before it. */
  run<T>(task: () => Promise<T>): Promise<T> {
    const next = this.#tail.then(task);
    this.#tail = next.catch(() => undefined);
    return next;
  }

  /** Resolves once every task queued so far has settled. */
  async idle(): Promise<void> {
    await this.#tail;
  }
}
