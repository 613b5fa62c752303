// MemoryDagTracker, the DagTracker in memory: for tests of the executor and a model of the port.
import { RunEvent, RunId } from '@symphony/schemas';
import type { DagTracker } from './DagTracker.js';
import { parseInput } from './errors.js';
import { TrackerSubscribers } from './subscribers.js';

/**
 * A DagTracker whose events live in memory. `reopen()` gives a new tracker over the same events,
 * as a restart would see them (its subscribers are not carried over).
 */
export class MemoryDagTracker implements DagTracker {
  readonly #subscribers = new TrackerSubscribers();
  #closed = false;

  constructor(private readonly events: Map<RunId, RunEvent[]> = new Map()) {}

  async record(...events: RunEvent[]): Promise<void> {
    if (this.#closed) throw new Error('MemoryDagTracker.record: the tracker is closed; reopen() it');
    const parsed = events.map((event) => parseInput('DagTracker.record', RunEvent, event));
    for (const event of parsed) {
      const history = this.events.get(event.runId) ?? [];
      if (history.length === 0) this.events.set(event.runId, history);
      history.push(structuredClone(event));
    }
    this.#subscribers.publish(parsed);
  }

  async history(runId: RunId): Promise<RunEvent[]> {
    return structuredClone(this.events.get(parseInput('DagTracker.history', RunId, runId)) ?? []);
  }

  async runs(): Promise<RunId[]> {
    return [...this.events.keys()];
  }

  subscribe(listener: (event: RunEvent) => void, runId?: RunId): () => void {
    return this.#subscribers.add(listener, runId);
  }

  async close(): Promise<void> {
    this.#closed = true;
  }

  /** A tracker over the same events, as after a restart. */
  reopen(): MemoryDagTracker {
    return new MemoryDagTracker(this.events);
  }
}
