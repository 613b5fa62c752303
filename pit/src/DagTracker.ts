// DagTracker, the run journal's port: every state change of every run, durable before it is acted on.
import type { RunEvent, RunId } from '@symphony/schemas';

/**
 * Port: the run journal. `record` resolves only once the events are durable (fsynced, or committed),
 * so the executor acts on a state change only after it would survive `kill -9`. Events of one run
 * are kept in the order recorded; `history` after a restart (a new tracker on the same storage)
 * returns exactly the events whose `record` had resolved, and possibly later ones whose `record`
 * was in flight, never a torn or partial event. Adapters: `FileDagTracker` (files under
 * `.symphony/runs/`, the embedded default), `PostgresDagTracker` (a team), `MemoryDagTracker`
 * (tests). Every adapter passes `runDagTrackerTests`.
 */
export interface DagTracker {
  /**
   * Appends `events` (parsed with the `RunEvent` schema; an invalid one throws `JournalInputError`
   * and nothing is appended) and resolves once they are durable. Calls that arrive while a write is
   * in flight are committed together in the next one (group commit).
   */
  record(...events: RunEvent[]): Promise<void>;
  /** Every recorded event of `runId`, oldest first; `[]` for an unknown run. */
  history(runId: RunId): Promise<RunEvent[]>;
  /** Every run with at least one event, oldest first (by its first event). */
  runs(): Promise<RunId[]>;
  /**
   * Calls `listener` with each event recorded through this tracker after it is durable, in order
   * (of `runId` only, when given). Returns a function that stops the calls. A listener that throws
   * is dropped and reported, never failing `record`.
   */
  subscribe(listener: (event: RunEvent) => void, runId?: RunId): () => void;
  /** Waits for writes in flight and releases files or connections. */
  close(): Promise<void>;
}
