// The subscribers of a DagTracker: listeners per run or for every run, each isolated from the others.
import type { RunEvent, RunId } from '@symphony/schemas';

type Listener = (event: RunEvent) => void;

/**
 * Listeners of durable events, shared by every DagTracker adapter. A listener that throws is
 * dropped and reported to `onError` (default: `console.error`), so one bad subscriber can never
 * fail a `record` or starve the others.
 */
export class TrackerSubscribers {
  readonly #all = new Set<Listener>();
  readonly #byRun = new Map<RunId, Set<Listener>>();

  constructor(
    private readonly onError: (error: unknown) => void = (e) =>
      console.error('run journal subscriber failed', e),
  ) {}

  /** Adds `listener` (for `runId` only, when given); returns the function that removes it. */
  add(listener: Listener, runId?: RunId): () => void {
    let set = this.#all;
    if (runId !== undefined) {
      set = this.#byRun.get(runId) ?? new Set();
      this.#byRun.set(runId, set);
    }
    set.add(listener);
    return () => {
      set.delete(listener);
      if (runId !== undefined && set.size === 0) this.#byRun.delete(runId);
    };
  }

  /** Calls every matching listener with each of `events`, in order. */
  publish(events: readonly RunEvent[]): void {
    if (this.#all.size === 0 && this.#byRun.size === 0) return;
    for (const event of events) {
      for (const listener of this.#all) this.#call(this.#all, listener, event);
      const forRun = this.#byRun.get(event.runId);
      if (forRun) for (const listener of forRun) this.#call(forRun, listener, event);
    }
  }

  #call(set: Set<Listener>, listener: Listener, event: RunEvent): void {
    try {
      listener(event);
    } catch (error) {
      set.delete(listener);
      this.onError(error);
    }
  }
}
