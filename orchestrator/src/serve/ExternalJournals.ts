// Runs other processes write into the same data dir (`symphony run`, `symphony runs resume` in a
// terminal): their journal files are watched, and each new durable record reaches the run index as
// the records of this process's own runs do.
import { type FSWatcher, watch } from 'node:fs';
import type { DagTracker } from '@symphony/pit';
import { RunId } from '@symphony/schemas';
import { liveOwner } from '../executor/run-claims.js';
import type { RunIndex } from './RunIndex.js';

/** `<runId>.journal`: a run's journal file in the runs folder. */
const JOURNAL_FILE = /^(run_[A-Za-z0-9]+)\.journal$/;
/** 1 s between scans when the platform cannot watch the folder. */
const POLL_MS = 1000;

/**
 * Follows the journal files of the runs folder. A change to a run's file that this process does
 * not execute (its claim names another process, or none) is read back (`DagTracker.history`,
 * which leaves out a record still being written) and the records after those the index has are
 * applied. Changes to one file arriving together are read once. Where the folder cannot be
 * watched, it is scanned every second instead.
 */
export class ExternalJournals {
  readonly #reading = new Map<RunId, Promise<void>>();
  readonly #again = new Set<RunId>();
  #watcher: FSWatcher | undefined;
  #timer: NodeJS.Timeout | undefined;
  #closed = false;

  constructor(
    private readonly runsDir: string,
    private readonly tracker: DagTracker,
    private readonly index: RunIndex,
    private readonly warn: (message: string) => void,
    /** Whether this process executes `runId` now (its records come through the journal's subscription). */
    private readonly executesHere: (runId: RunId) => boolean = () => false,
  ) {}

  /** Starts following. */
  start(): void {
    try {
      this.#watcher = watch(this.runsDir, (_event, name) => {
        const match = typeof name === 'string' ? JOURNAL_FILE.exec(name) : null;
        if (match) this.changed(match[1] as RunId);
      });
      this.#watcher.on('error', (error) => {
        this.warn(`the runs folder cannot be watched (${error.message}); it is scanned every second instead`);
        this.#watcher?.close();
        this.#watcher = undefined;
        this.#poll();
      });
    } catch (error) {
      this.warn(
        `the runs folder cannot be watched (${error instanceof Error ? error.message : String(error)}); it is scanned every second instead`,
      );
      this.#poll();
    }
  }

  /** Reads `runId`'s journal again soon (after a read in flight, once more). */
  changed(runId: RunId): void {
    if (this.#closed || !RunId.safeParse(runId).success || this.executesHere(runId)) return;
    if (this.#reading.has(runId)) {
      this.#again.add(runId);
      return;
    }
    const reading = this.#read(runId).finally(() => {
      this.#reading.delete(runId);
      if (this.#again.delete(runId)) this.changed(runId);
    });
    this.#reading.set(runId, reading);
  }

  /** Stops following and waits for reads in flight. */
  async close(): Promise<void> {
    this.#closed = true;
    this.#watcher?.close();
    if (this.#timer !== undefined) clearInterval(this.#timer);
    await Promise.allSettled([...this.#reading.values()]);
  }

  async #read(runId: RunId): Promise<void> {
    try {
      // This process's own runs reach the index through the journal's subscription.
      if ((await liveOwner(this.runsDir, runId)) === process.pid) return;
      const history = await this.tracker.history(runId);
      if (!this.#closed && (await liveOwner(this.runsDir, runId)) !== process.pid) {
        this.index.catchUp(runId, history);
      }
    } catch (error) {
      this.warn(`run ${runId} could not be read: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  #poll(): void {
    if (this.#closed || this.#timer !== undefined) return;
    this.#timer = setInterval(() => {
      void this.tracker.runs().then(
        (runs) => {
          for (const runId of runs) this.changed(runId);
        },
        () => {},
      );
    }, POLL_MS);
    this.#timer.unref();
  }
}
