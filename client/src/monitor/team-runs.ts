// The team's run history of a workflow: the runs this page's orchestrator knows, merged with the
// short records OFB keeps of every finished run (`list-runs`), so a run made on another laptop, or
// one whose orchestrator's data is gone, still shows; and the loader that keeps those records fresh.
import {
  OfbErrorCode,
  type OfbRunRecord,
  type RunId,
  type RunSummary,
  type WorkflowId,
} from '@symphony/schemas';
import { OfbRequestError, OfbUnreachableError } from '../ofb/ofb-errors.js';

/** Where a history entry comes from. */
export const HistorySource = {
  /** This page's orchestrator: live, with everything it holds (nodes, logs, artifacts). */
  orchestrator: 'orchestrator',
  /** Only OFB's record of it: read-only, its artifact bytes on the machine that ran it. */
  team: 'team',
} as const;
export type HistorySource = (typeof HistorySource)[keyof typeof HistorySource];

/** One run of a workflow's history. */
export type RunHistoryEntry =
  | {
      readonly source: typeof HistorySource.orchestrator;
      readonly runId: RunId;
      readonly startedAt: number;
      readonly run: RunSummary;
      /** OFB holds a record of it too: it is in the team's history whatever happens to this laptop. */
      readonly recorded: boolean;
    }
  | {
      readonly source: typeof HistorySource.team;
      readonly runId: RunId;
      readonly startedAt: number;
      readonly record: OfbRunRecord;
    };

/**
 * A workflow's history: every run `local` (the orchestrator's, live) lists, plus each of `records`
 * (OFB's) of a run it does not list, newest first (by start, then run id). A record of a run the
 * orchestrator lists adds no entry; it marks that entry `recorded`. Pure.
 */
export function mergeRunHistory(
  local: readonly RunSummary[],
  records: readonly OfbRunRecord[],
): RunHistoryEntry[] {
  const recorded = new Map(records.map((r) => [r.runId, r]));
  const known = new Set<RunId>();
  const entries: RunHistoryEntry[] = [];
  for (const run of local) {
    known.add(run.runId);
    entries.push({
      source: HistorySource.orchestrator,
      runId: run.runId,
      startedAt: run.startedAt,
      run,
      recorded: recorded.has(run.runId),
    });
  }
  for (const record of recorded.values()) {
    if (known.has(record.runId)) continue;
    entries.push({
      source: HistorySource.team,
      runId: record.runId,
      startedAt: record.startedAt,
      record,
    });
  }
  return entries.sort((a, b) => b.startedAt - a.startedAt || (a.runId < b.runId ? 1 : -1));
}

/** How many output hashes a record keeps, over all its nodes. */
export function outputHashCount(record: Pick<OfbRunRecord, 'outputs'>): number {
  let count = 0;
  for (const outputs of Object.values(record.outputs)) count += Object.keys(outputs).length;
  return count;
}

/** A pinned version's heads in short, as the run panel shows versions: `a1b2c3d4`, `a1b2c3d4+1`. */
export function shortHeads(heads: readonly string[]): string | null {
  const [first, ...rest] = heads;
  if (first === undefined) return null;
  return `${first.slice(0, 8)}${rest.length > 0 ? `+${rest.length}` : ''}`;
}

/** Where the team's run records come from: OFB's `list-runs` (`OfbClient.listRuns`). */
export interface TeamRunSource {
  listRuns(workflowId: WorkflowId): Promise<readonly OfbRunRecord[]>;
}

/** What the history says when the team's records could not be had, in words for the person. */
export function teamHistoryFailure(error: unknown): string {
  let why: string;
  if (error instanceof OfbUnreachableError) why = 'the team server could not be reached';
  else if (error instanceof OfbRequestError && error.isAuth)
    why = 'the team server did not accept your sign-in; sign in again';
  else if (error instanceof OfbRequestError && error.code === OfbErrorCode.notAMember)
    why = 'you are not a member of this workflow’s workspace';
  else why = error instanceof Error ? error.message : String(error);
  return `The team’s run history could not be loaded: ${why.replace(/[.\s]+$/, '')}.`;
}

/**
 * One workflow's records from OFB, asked for by {@link TeamRunsLoader.refresh}. A refresh asked
 * while one is on its way is made once more when that one is answered (its answer may predate what
 * the second ask was for: a run recorded meanwhile). A failure keeps the records last had and says
 * why in {@link TeamRunsLoader.error}; an answer after {@link TeamRunsLoader.close} is dropped.
 */
export class TeamRunsLoader {
  /** OFB's records of the workflow's runs, newest first, as last answered. */
  records: readonly OfbRunRecord[] = [];
  /** Why the last ask failed, in words for the person; null after an answer. */
  error: string | null = null;
  /** Whether OFB has answered once. */
  loaded = false;
  /** Bumped by every change. */
  version = 0;

  private inFlight = false;
  private again = false;
  private closed = false;

  constructor(
    private readonly source: TeamRunSource,
    readonly workflowId: WorkflowId,
    private readonly onChange: () => void,
  ) {}

  /** Whether an ask is on its way. */
  get loading(): boolean {
    return this.inFlight;
  }

  /** Asks OFB for the records again (now, or as soon as the ask on its way is answered). */
  refresh(): void {
    if (this.closed) return;
    if (this.inFlight) {
      this.again = true;
      return;
    }
    this.inFlight = true;
    this.again = false;
    this.changed();
    this.source.listRuns(this.workflowId).then(
      (records) => this.settle(() => this.accept(records)),
      (error: unknown) => this.settle(() => this.fail(error)),
    );
  }

  /** Stops: nothing more is asked, and answers on their way are dropped. */
  close(): void {
    this.closed = true;
  }

  private settle(apply: () => void): void {
    this.inFlight = false;
    if (this.closed) return;
    apply();
    this.changed();
    if (this.again) this.refresh();
  }

  private accept(records: readonly OfbRunRecord[]): void {
    this.records = records;
    this.error = null;
    this.loaded = true;
  }

  private fail(error: unknown): void {
    // A workflow the team server does not know yet (its registration still queued) has no records.
    if (
      error instanceof OfbRequestError &&
      error.status === 404 &&
      error.code === OfbErrorCode.documentNotFound
    ) {
      this.accept([]);
      return;
    }
    this.error = teamHistoryFailure(error);
  }

  private changed(): void {
    this.version++;
    this.onChange();
  }
}
