// Every run in the data dir's journal, indexed for the monitor: a summary per run (the folded state
// of a run still running), updated by each journal record as it becomes durable, and the listeners
// that stream those records to the boards.
import { applyRunEvent, type DagTracker, foldRun, type RunState } from '@symphony/pit';
import type { RunEvent, RunId, RunSource, RunSummary, WorkflowId } from '@symphony/schemas';
import { summarize } from '../cli/runs-view.js';

/** A run of a workflow on a team server (`source.kind === 'automerge'`). */
export type TeamRunSource = Extract<RunSource, { kind: 'automerge' }>;

/** One run as the index keeps it. */
interface IndexedRun {
  /** Without `executedBy`: who executes it is asked of the claims when answering. */
  summary: RunSummary;
  /** The folded state while the run is unfinished; dropped once it finished (the summary stays). */
  state: RunState | undefined;
  /** Records applied so far (the journal's records are a prefix, in order). */
  records: number;
}

/** Called with each record applied, and the run's summary after it. */
export type RunIndexListener = (event: RunEvent, summary: RunSummary) => void;

/**
 * The runs of one journal. Records reach it in journal order per run, once durable: from the
 * journal's own subscription (runs this process executes) and from {@link ExternalJournals}
 * (runs other processes execute, e.g. `symphony run` on the same data dir). A run's records are
 * counted, so a record offered twice (once per path) is applied once.
 */
export class RunIndex {
  readonly #runs = new Map<RunId, IndexedRun>();
  readonly #listeners = new Set<RunIndexListener>();

  private constructor(private readonly warn: (message: string) => void) {}

  /** The index of every run `tracker` holds; a run whose journal cannot be read is reported and left out. */
  static async load(tracker: DagTracker, warn: (message: string) => void): Promise<RunIndex> {
    const index = new RunIndex(warn);
    for (const runId of await tracker.runs()) {
      try {
        index.#replace(runId, await tracker.history(runId));
      } catch (error) {
        warn(
          `run ${runId} is left out of the monitor: ${error instanceof Error ? error.message : String(error)}`,
        );
      }
    }
    return index;
  }

  /** How many of `runId`'s records were applied (0 for a run not seen yet). */
  records(runId: RunId): number {
    return this.#runs.get(runId)?.records ?? 0;
  }

  /** Applies the records of `runId`'s journal from the first not applied yet (`history` is the whole journal). */
  catchUp(runId: RunId, history: readonly RunEvent[]): void {
    for (const event of history.slice(this.records(runId))) this.apply(event);
  }

  /** Applies one durable record, the next of its run, and tells the listeners. */
  apply(event: RunEvent): void {
    let run = this.#runs.get(event.runId);
    try {
      if (run === undefined) {
        // A run is seen from its first record on; anything else is a later record of a run that
        // could not be read when the index was loaded.
        if (event.type !== 'run.started') return;
        const state = foldRun([event]);
        run = { summary: summarize(state, undefined), state, records: 1 };
        this.#runs.set(event.runId, run);
      } else {
        run.records++;
        if (run.state === undefined) return;
        applyRunEvent(run.state, event);
        run.summary = summarize(run.state, undefined);
        if (event.type === 'run.finished') run.state = undefined;
      }
    } catch (error) {
      this.warn(
        `run ${event.runId}: a record could not be applied: ${error instanceof Error ? error.message : String(error)}`,
      );
      return;
    }
    for (const listener of [...this.#listeners]) {
      try {
        listener(event, run.summary);
      } catch (error) {
        this.#listeners.delete(listener);
        this.warn(
          `a run listener failed and was removed: ${error instanceof Error ? error.message : String(error)}`,
        );
      }
    }
  }

  /** Calls `listener` with every record applied from now on; returns the stop function. */
  subscribe(listener: RunIndexListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** The summary of `runId`, or undefined. */
  summary(runId: RunId): RunSummary | undefined {
    return this.#runs.get(runId)?.summary;
  }

  /** The runs of `workflowId` on `server`, newest first. */
  ofWorkflow(server: string, workflowId: WorkflowId): RunSummary[] {
    return this.#matching((source) => source.server === server && source.workflowId === workflowId);
  }

  /** The runs of workflows on `server`, newest first. */
  ofServer(server: string): RunSummary[] {
    return this.#matching((source) => source.server === server);
  }

  #matching(match: (source: TeamRunSource) => boolean): RunSummary[] {
    const runs: RunSummary[] = [];
    for (const { summary } of this.#runs.values()) {
      if (summary.source.kind === 'automerge' && match(summary.source)) runs.push(summary);
    }
    return runs.sort((a, b) => b.startedAt - a.startedAt || (a.runId < b.runId ? 1 : -1));
  }

  #replace(runId: RunId, history: readonly RunEvent[]): void {
    if (history.length === 0) return;
    const state = foldRun(history);
    const finished = state.status !== 'running';
    this.#runs.set(runId, {
      summary: summarize(state, undefined),
      state: finished ? undefined : state,
      records: history.length,
    });
  }
}

/** The team-server source of a run, or undefined for a workflow file's run. */
export function teamSource(summary: RunSummary): TeamRunSource | undefined {
  return summary.source.kind === 'automerge' ? summary.source : undefined;
}
