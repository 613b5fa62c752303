// One run's way into the journal: records made in the same turn go in one `record` call, and one
// call is in flight at a time, so the journal's group commit pays one fsync for many records and
// the run's records stay in order whatever the adapter.
import type { DagTracker } from '@symphony/pit';
import type { RunEvent } from '@symphony/schemas';

/**
 * Batches a run's records. `append` resolves once its records are durable; records appended while
 * a call is in flight go in the next call together. After a failed call every later `append`
 * rejects with the same error: a run whose journal cannot be written must stop.
 */
export class JournalWriter {
  #batch: RunEvent[] = [];
  #batchDone: Deferred | undefined;
  #inFlight: Promise<void> | undefined;
  #scheduled = false;
  #failure: { error: unknown } | undefined;
  #onFailure: ((error: unknown) => void) | undefined;

  constructor(private readonly tracker: DagTracker) {}

  /** Calls `listener` once, when a `record` call fails (so no caller must watch every append). */
  onFailure(listener: (error: unknown) => void): void {
    this.#onFailure = listener;
    if (this.#failure) listener(this.#failure.error);
  }

  /** The error that stopped the writer, if any. */
  get failure(): unknown {
    return this.#failure?.error;
  }

  /** Queues `event` for the next `record` call; resolves once it is durable. */
  append(event: RunEvent): Promise<void> {
    if (this.#failure) {
      const refused = Promise.reject(this.#failure.error);
      refused.catch(() => {});
      return refused;
    }
    this.#batch.push(event);
    this.#batchDone ??= deferred();
    if (!this.#scheduled && this.#inFlight === undefined) {
      this.#scheduled = true;
      queueMicrotask(() => {
        this.#scheduled = false;
        if (this.#inFlight === undefined) this.#flush();
      });
    }
    return this.#batchDone.promise;
  }

  /** Resolves once everything appended so far is durable (or rejects with the writer's failure). */
  async settled(): Promise<void> {
    while (this.#inFlight !== undefined || this.#batchDone !== undefined) {
      await (this.#batchDone?.promise ?? this.#inFlight);
    }
    if (this.#failure) throw this.#failure.error;
  }

  #flush(): void {
    const events = this.#batch;
    const done = this.#batchDone;
    if (events.length === 0 || done === undefined) return;
    this.#batch = [];
    this.#batchDone = undefined;
    let call: Promise<void>;
    try {
      call = this.tracker.record(...events);
    } catch (error) {
      call = Promise.reject(error);
    }
    this.#inFlight = call.then(
      () => {
        this.#inFlight = undefined;
        done.resolve();
        if (this.#batch.length > 0) this.#flush();
      },
      (error: unknown) => {
        this.#inFlight = undefined;
        this.#failure = { error };
        done.reject(error);
        this.#batchDone?.reject(error);
        this.#batch = [];
        this.#batchDone = undefined;
        this.#onFailure?.(error);
      },
    );
  }
}

interface Deferred {
  readonly promise: Promise<void>;
  resolve(): void;
  reject(error: unknown): void;
}

function deferred(): Deferred {
  let resolve!: () => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  // A caller may not wait for every append; a failure is reported through `failure` and `settled`.
  promise.catch(() => {});
  return { promise, resolve, reject };
}
