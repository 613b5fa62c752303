// A RouterStore in memory: for tests and for a router that need not survive its process.
import type { CallOutcome, CallRating } from '@symphony/schemas';
import type { RouterStore } from './ArbitrationEngine.js';

/** Keeps entries in an array; `reopen()` gives a store over the same entries, as a restart would. */
export class MemoryRouterStore implements RouterStore {
  constructor(private readonly entries: (CallOutcome | CallRating)[] = []) {}

  load(): Promise<readonly (CallOutcome | CallRating)[]> {
    return Promise.resolve([...this.entries]);
  }

  append(entry: CallOutcome | CallRating): Promise<void> {
    this.entries.push(entry);
    return Promise.resolve();
  }

  /** Another store over the same entries. */
  reopen(): MemoryRouterStore {
    return new MemoryRouterStore(this.entries);
  }
}
