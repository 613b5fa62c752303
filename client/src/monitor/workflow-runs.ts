// One workflow's runs as a board sees them: the list from the orchestrator, each watched run folded
// from its journal records (foldRun/applyRunEvent, the CLI's own fold), what its nodes stream, the
// selected run, and what the canvas, the progress bar and the broadcast to collaborators show.
import { applyRunEvent, foldRun, RunHistoryError, type RunState } from '@symphony/pit/run-state';
import {
  type NodeId,
  NodeState,
  type Role,
  type RunDetailResponse,
  type RunEvent,
  type RunId,
  type RunSource,
  RunStatus,
  type RunSummary,
  type WorkflowId,
} from '@symphony/schemas';
import { type BoardRunBody, boardRunFrom } from '../core/board-run.js';
import type { WorkflowMessage } from './monitor-connection.js';
import { appendProgress, mergeLiveSnapshot, type NodeLiveTail } from './node-live.js';

/** The node states a node never leaves, for progress: finished work over all work. */
const DONE: ReadonlySet<NodeState> = new Set([
  NodeState.succeeded,
  NodeState.cached,
  NodeState.failed,
  NodeState.cancelled,
  NodeState.skipped,
]);

/** Records after which a folded run's detail says something its fold does not: attempts, inputs. */
const DETAIL_WORTHY: ReadonlySet<RunEvent['type']> = new Set([
  'node.retrying',
  'node.failed',
  'run.finished',
]);

/** How far a run has got: finished nodes over all nodes. */
export interface RunProgress {
  readonly done: number;
  readonly total: number;
  /** 0–1; 1 for a finished run with no nodes. */
  readonly fraction: number;
}

/** Who chose the selected run: a person (kept) or the board following new runs (replaced by the next). */
export type SelectionSource = 'person' | 'follow';

/** Everything this page holds about one run. */
export interface RunRecord {
  readonly runId: RunId;
  /** As the orchestrator listed it, or as the fold or the last detail says. */
  readonly summary: RunSummary | undefined;
  /** Folded from its records, when this page has seen them from `run.started` on. */
  readonly fold: RunState | undefined;
  /** The orchestrator's last full answer about it (attempts, inputs, logs). */
  readonly detail: RunDetailResponse | undefined;
  /** What its nodes streamed. */
  readonly live: ReadonlyMap<NodeId, NodeLiveTail>;
}

interface Entry {
  runId: RunId;
  summary: RunSummary | undefined;
  fold: RunState | undefined;
  detail: RunDetailResponse | undefined;
  live: Map<NodeId, NodeLiveTail>;
  /** Bumped by every record of the run (and by a fresh listing of an unfinished one). */
  gen: number;
  /** The {@link Entry.gen} the latest detail request was made at (-1: none yet). */
  detailGen: number;
  /** Records came that this page could not fold (it missed `run.started`): only a detail shows them. */
  unfolded: boolean;
  /**
   * The identities of the records taken since the fold began (see {@link recordKey}): a record
   * delivered twice (a re-sent batch, a replay after a re-watch) is the same record and is taken once.
   */
  seen: Set<string>;
  /**
   * A run of another workflow (opened from an artifact's lineage, or a cache hit's source run): shown
   * in the panel read-only, never on this board's canvas, in its list or in what it broadcasts.
   */
  foreign: boolean;
}

/**
 * A workflow's runs, fed by the monitor's messages ({@link WorkflowRuns.receive}) and by the
 * orchestrator's answers ({@link WorkflowRuns.acceptDetail}). Pure: no sockets, no clock. A run seen
 * from its `run.started` on is folded record by record (O(records)); a run this page joined late
 * (it opened the board mid-run, or the orchestrator restarted under it) is shown from its detail,
 * which {@link WorkflowRuns.detailsWanted} asks for again whenever new records arrive; the selected
 * folded run's detail (attempts, inputs) is asked for when it is selected, when an attempt fails and
 * when it ends. Every change bumps {@link WorkflowRuns.version}.
 */
export class WorkflowRuns {
  /** The caller's role on the workflow, as the orchestrator said (null before its first answer). */
  role: Role | null = null;
  /** Why the orchestrator refused to show this workflow's runs (not a member…), or null. */
  refusal: { readonly code: string; readonly message: string } | null = null;
  /** Bumped by every change: hosts compare it to know whether to redraw. */
  version = 0;
  /**
   * Bumped by what can change a node's state or the run shown (records, details, listings, the
   * selection), not by streamed progress: the canvas's states are rebuilt only when it moves.
   */
  statesVersion = 0;

  private readonly entries = new Map<RunId, Entry>();
  private selectedId: RunId | null = null;
  private selectionSource: SelectionSource = 'follow';
  /** The latest run started from this board. */
  private startedHereId: RunId | null = null;
  /** Each run's node states as of a {@link WorkflowRuns.statesVersion}: built once per change however often they are read. */
  private readonly statesCache = new Map<
    RunId,
    { version: number; states: ReadonlyMap<NodeId, NodeState> }
  >();

  constructor(readonly workflowId: WorkflowId) {}

  /** Takes one message of the workflow's live stream. */
  receive(message: WorkflowMessage): void {
    switch (message.type) {
      case 'runs':
        this.receiveList(message.role, message.runs);
        this.statesVersion++;
        break;
      case 'events':
        this.receiveEvents(message.events);
        this.statesVersion++;
        break;
      case 'progress':
        for (const p of message.progress) {
          const entry = this.entry(p.runId);
          entry.live.set(p.nodeId, appendProgress(entry.live.get(p.nodeId), p));
        }
        break;
      case 'error':
        this.refusal = { code: message.code, message: message.message };
        break;
    }
    this.version++;
  }

  /**
   * Takes the orchestrator's detail of a run, asked for at {@link WorkflowRuns.detailRequested}'s
   * `gen`: records that came after that ask are still wanted in a later detail.
   */
  acceptDetail(detail: RunDetailResponse, gen: number): void {
    const entry = this.entry(detail.run.runId);
    entry.foreign = !this.owns(detail.run.source);
    entry.detail = detail;
    if (entry.fold === undefined) entry.summary = detail.run;
    else entry.summary = { ...summaryOf(entry.fold), executedBy: detail.run.executedBy };
    if (gen >= entry.gen) entry.unfolded = false;
    const attempts = new Map(detail.run.nodeStates.map((n) => [n.nodeId, n.attempts.at(-1)?.attempt ?? 0]));
    for (const [nodeId, live] of Object.entries(detail.live) as [
      NodeId,
      RunDetailResponse['live'][NodeId],
    ][]) {
      entry.live.set(nodeId, mergeLiveSnapshot(entry.live.get(nodeId), live, attempts.get(nodeId) ?? 0));
    }
    // Another workflow's run says nothing of the caller's role on this one.
    if (!entry.foreign) this.role = detail.role;
    this.version++;
    this.statesVersion++;
  }

  /** Notes that a detail of `runId` is being asked for now; pass the answer to {@link WorkflowRuns.acceptDetail} with this. */
  detailRequested(runId: RunId): number {
    const entry = this.entry(runId);
    entry.detailGen = entry.gen;
    return entry.gen;
  }

  /**
   * The runs whose detail the page should ask for: the selected run when records came since its
   * last detail, and any run with records this page could not fold.
   */
  detailsWanted(): RunId[] {
    const wanted: RunId[] = [];
    for (const entry of this.entries.values()) {
      if (entry.gen <= entry.detailGen) continue;
      if (entry.runId === this.selectedId || entry.unfolded) wanted.push(entry.runId);
    }
    return wanted;
  }

  /** A run this board started (or re-ran, or resumed): selected, followed and broadcast. */
  noteStarted(summary: RunSummary): void {
    if (!this.owns(summary.source)) return;
    const entry = this.entry(summary.runId);
    if (entry.fold === undefined) entry.summary = summary;
    this.startedHereId = summary.runId;
    this.select(summary.runId, 'follow');
  }

  /** Selects a run (null: none), as a person did or as the board follows new runs. */
  select(runId: RunId | null, source: SelectionSource = 'person'): void {
    this.selectedId = runId;
    this.selectionSource = runId === null ? 'follow' : source;
    if (runId !== null) this.entry(runId);
    this.version++;
    this.statesVersion++;
  }

  /** The selected run, or null. */
  get selected(): RunId | null {
    return this.selectedId;
  }

  /** The workflow's runs, newest first. */
  list(): RunSummary[] {
    const runs: RunSummary[] = [];
    for (const entry of this.entries.values()) {
      if (entry.summary !== undefined && !entry.foreign) runs.push(entry.summary);
    }
    return runs.sort((a, b) => b.startedAt - a.startedAt);
  }

  /** Everything held about `runId`, or undefined for a run this page never heard of. */
  record(runId: RunId): RunRecord | undefined {
    return this.entries.get(runId);
  }

  /**
   * Whether `runId` is known to be a run of this workflow (listed, streamed, started here, or its
   * detail says so): only such a run is drawn on the canvas, re-run or cancelled from this board.
   */
  isOwn(runId: RunId): boolean {
    const entry = this.entries.get(runId);
    return entry !== undefined && !entry.foreign && (entry.summary !== undefined || entry.fold !== undefined);
  }

  /** Whether the orchestrator holds `runId` unfinished with no process executing it: Resume applies. */
  resumable(runId: RunId): boolean {
    const entry = this.entries.get(runId);
    if (entry === undefined || entry.fold !== undefined) return false;
    const summary = entry.summary;
    return summary?.status === RunStatus.running && summary.executedBy === undefined;
  }

  /** Each node's state in `runId` (default: the selected run), or null when there is none to show. */
  nodeStates(runId: RunId | null = this.selectedId): ReadonlyMap<NodeId, NodeState> | null {
    if (runId === null) return null;
    const cached = this.statesCache.get(runId);
    if (cached?.version === this.statesVersion) return cached.states;
    const entry = this.entries.get(runId);
    if (entry === undefined || entry.foreign) return null;
    let states: Map<NodeId, NodeState> | null = null;
    if (entry?.fold !== undefined) {
      states = new Map();
      for (const [id, node] of entry.fold.nodes) states.set(id, node.state);
    } else if (entry?.detail !== undefined) {
      states = new Map(entry.detail.run.nodeStates.map((n) => [n.nodeId, n.state]));
    }
    if (states !== null) this.statesCache.set(runId, { version: this.statesVersion, states });
    return states;
  }

  /** How far `runId` (default: the selected run) has got, or null when nothing is known of it. */
  progress(runId: RunId | null = this.selectedId): RunProgress | null {
    if (runId === null) return null;
    const entry = this.entries.get(runId);
    const counts = entry?.fold?.counts ?? entry?.summary?.counts;
    if (entry === undefined || counts === undefined) return null;
    const total = entry.fold?.nodes.size ?? entry.summary?.nodes ?? 0;
    let done = 0;
    for (const state of DONE) done += counts[state] ?? 0;
    const finished = (entry.fold?.status ?? entry.summary?.status) !== RunStatus.running;
    return { done, total, fraction: total === 0 ? (finished ? 1 : 0) : Math.min(1, done / total) };
  }

  /** `runId`'s status (default: the selected run), or null. */
  status(runId: RunId | null = this.selectedId): RunStatus | null {
    if (runId === null) return null;
    const entry = this.entries.get(runId);
    return entry?.fold?.status ?? entry?.summary?.status ?? null;
  }

  /**
   * What this board tells collaborators (`WorkflowHandleController.broadcastRun`): the selected
   * run while it runs, else the latest run started here; null when neither is known.
   */
  broadcast(): BoardRunBody | null {
    const selected = this.selectedId;
    const runId =
      selected !== null && this.isOwn(selected) && this.status(selected) === RunStatus.running
        ? selected
        : this.startedHereId;
    if (runId === null || !this.isOwn(runId)) return null;
    const states = this.nodeStates(runId);
    const status = this.status(runId);
    if (states === null || status === null) return null;
    return boardRunFrom({
      runId,
      status,
      states: Object.fromEntries(states) as Record<NodeId, NodeState>,
      fraction: this.progress(runId)?.fraction ?? 0,
    });
  }

  private receiveList(role: Role, runs: readonly RunSummary[]): void {
    this.role = role;
    this.refusal = null;
    // A (re)connect: records of unfinished runs may have been missed while the socket was down, so
    // their folds can no longer be trusted; their details show them until a `run.started` comes again.
    for (const entry of this.entries.values()) {
      if (entry.fold !== undefined && entry.fold.status === RunStatus.running) {
        entry.fold = undefined;
        // A replay from `run.started` on folds it afresh.
        entry.seen.clear();
        entry.gen++;
      }
    }
    for (const summary of runs) {
      if (!this.owns(summary.source)) continue;
      const entry = this.entry(summary.runId);
      entry.foreign = false;
      if (entry.fold === undefined) {
        if (summary.status === RunStatus.running || entry.summary?.status !== summary.status) entry.gen++;
        entry.summary = summary;
      }
    }
    if (this.selectionSource === 'follow' && (this.selectedId === null || !this.isRunning(this.selectedId))) {
      const running = this.list().find((r) => r.status === RunStatus.running);
      if (running !== undefined) this.selectedId = running.runId;
    }
  }

  private receiveEvents(events: readonly RunEvent[]): void {
    const byRun = new Map<RunId, RunEvent[]>();
    for (const event of events) {
      const list = byRun.get(event.runId);
      if (list === undefined) byRun.set(event.runId, [event]);
      else list.push(event);
    }
    for (const [runId, batch] of byRun) {
      const entry = this.entry(runId);
      const records = batch.filter((record) => {
        const key = recordKey(record);
        if (entry.seen.has(key)) return false;
        entry.seen.add(key);
        return true;
      });
      if (records.length === 0) continue;
      const hadFold = entry.fold !== undefined;
      this.foldRecords(entry, records);
      for (const record of records) {
        if (record.type !== 'node.running') continue;
        const live = entry.live.get(record.nodeId);
        // Attempt 0 is a snapshot's text of an attempt not known: the record does not start it afresh.
        if (live !== undefined && live.attempt !== 0 && live.attempt < record.attempt) {
          entry.live.set(record.nodeId, {
            ...live,
            attempt: record.attempt,
            tokens: '',
            fraction: undefined,
          });
        }
      }
      if (entry.fold !== undefined) {
        entry.summary = { ...summaryOf(entry.fold), executedBy: entry.summary?.executedBy };
      }
      // A folded run's detail only adds attempts and inputs: asked for again when an attempt failed
      // or the run ended, not per record (a 1,000-node run would ask a thousand times).
      if (entry.fold === undefined || !hadFold || records.some((r) => DETAIL_WORTHY.has(r.type))) entry.gen++;
    }
  }

  /**
   * Folds `records` (new to this page, oldest first) into `entry`. A `run.started` for a run this
   * page already folds is a replay of part of its journal: the fold is dropped rather than rebuilt
   * from the part, and the run's detail shows it from then on.
   */
  private foldRecords(entry: Entry, records: readonly RunEvent[]): void {
    let folded = entry.fold !== undefined;
    for (const record of records) {
      if (record.type === 'run.started') {
        if (folded) {
          entry.fold = undefined;
          entry.unfolded = true;
        } else {
          entry.fold = foldRun([record]);
          entry.unfolded = false;
          folded = true;
          this.followNewRun(entry.runId);
        }
      } else if (entry.fold !== undefined) {
        try {
          applyRunEvent(entry.fold, record);
        } catch (error) {
          if (!(error instanceof RunHistoryError)) throw error;
          entry.fold = undefined;
          entry.unfolded = true;
        }
      } else entry.unfolded = true;
    }
  }

  /** Whether a run from `source` is one of this workflow's. */
  private owns(source: RunSource): boolean {
    return source.kind === 'automerge' && source.workflowId === this.workflowId;
  }

  /** A new run of the workflow: the board follows it unless a person chose what to look at. */
  private followNewRun(runId: RunId): void {
    if (this.selectionSource !== 'follow') return;
    if (this.selectedId === null || this.selectedId === runId || !this.isRunning(this.selectedId)) {
      this.selectedId = runId;
    }
  }

  private isRunning(runId: RunId): boolean {
    return this.status(runId) === RunStatus.running;
  }

  private entry(runId: RunId): Entry {
    let entry = this.entries.get(runId);
    if (entry === undefined) {
      entry = {
        runId,
        summary: undefined,
        fold: undefined,
        detail: undefined,
        live: new Map(),
        gen: 0,
        detailGen: -1,
        unfolded: false,
        seen: new Set(),
        foreign: false,
      };
      this.entries.set(runId, entry);
    }
    return entry;
  }
}

/** A record's identity: records alike in type, node, attempt and time are one record delivered twice. */
function recordKey(record: RunEvent): string {
  const nodeId = 'nodeId' in record ? (record.nodeId ?? '') : '';
  const attempt = 'attempt' in record ? record.attempt : '';
  return `${record.type}|${nodeId}|${attempt}|${record.at}`;
}

/** A folded run as a list shows it. */
export function summaryOf(state: RunState): RunSummary {
  return {
    runId: state.runId,
    status: state.status,
    workflow: state.workflow.name,
    source: state.source,
    startedAt: state.startedAt,
    ...(state.finishedAt === undefined ? {} : { finishedAt: state.finishedAt }),
    ...(state.startedBy === undefined ? {} : { startedBy: state.startedBy }),
    nodes: state.nodes.size,
    counts: { ...state.counts },
  };
}
