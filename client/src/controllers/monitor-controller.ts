// A Lit controller binding a workflow's board to the orchestrator: it watches the workflow's runs on
// the live stream (WorkflowRuns), fetches the details the run panel needs, and starts, re-runs,
// resumes and cancels runs through the monitor's HTTP API; and it keeps the team's records of the
// workflow's runs from OFB (TeamRunsLoader), so the history shows runs made on other machines too.
import {
  type BoardRun,
  MonitorErrorCode,
  type NodeId,
  type OfbRunRecord,
  type RunId,
  type RunStartedResponse,
  RunStatus,
  type WorkflowId,
} from '@symphony/schemas';
import type { ReactiveController, ReactiveControllerHost } from 'lit';
import type { BoardRunBody } from '../core/board-run.js';
import { throttle } from '../core/throttle.js';
import type { Monitor } from '../monitor/monitor.js';
import { MonitorApiError } from '../monitor/monitor-api.js';
import { MonitorState, type MonitorStatus } from '../monitor/monitor-connection.js';
import {
  mergeRunHistory,
  type RunHistoryEntry,
  type TeamRunSource,
  TeamRunsLoader,
} from '../monitor/team-runs.js';
import { WorkflowRuns } from '../monitor/workflow-runs.js';

/**
 * 300 ms between detail requests: the run panel's attempts and timings follow a run closely
 * enough, and a 1,000-node run streaming states does not turn into a request per record (the
 * canvas follows every record through the fold, not through these).
 */
const DETAIL_INTERVAL_MS = 300;
/**
 * 20 s: a detail request not answered by then is given up, so a hung request cannot keep its run
 * from being asked about again (the next record asks anew).
 */
export const DETAIL_TIMEOUT_MS = 20_000;
/**
 * 2 s, doubling to 30 s: a refused watch is asked again. A workflow made a moment ago may not have
 * reached the team server yet, and a person may be made a member meanwhile.
 */
const REWATCH_FIRST_MS = 2_000;
const REWATCH_MAX_MS = 30_000;
/**
 * 1 s after a run of the workflow finished, the team's records are asked for again: the
 * orchestrator that ran it records it through OFB within a moment of its end.
 */
export const TEAM_REFRESH_DELAY_MS = 1_000;
/** 100 ms: a page that draws no frames (hidden) still takes its runs' changes this often. */
const FRAME_FALLBACK_MS = 100;

/** What the controller is doing on the person's behalf. */
export type MonitorAction = 'start' | 'rerun' | 'resume' | 'cancel';

/** Hooks of {@link MonitorController}. */
export interface MonitorControllerHooks {
  /** The run this board watches changed (tell collaborators: `broadcastRun`). */
  onRunChange?(run: BoardRunBody | null): void;
}

/**
 * Binds a host (the workflow view) to one workflow's runs on the page's orchestrator, and to the
 * team's records of them in OFB. The host reads {@link MonitorController.runs} (the store),
 * {@link MonitorController.history}, {@link MonitorController.status} and
 * {@link MonitorController.notice} when it renders; every change re-renders it. The team's records
 * are asked for when the workflow opens (with or without an orchestrator), 1 s after a run of it
 * finishes (here or on a collaborator's board), and on {@link MonitorController.refreshTeamRuns}.
 */
export class MonitorController implements ReactiveController {
  /** The workflow's runs, or null while no workflow or no orchestrator is attached. */
  runs: WorkflowRuns | null = null;
  /** The last action's failure (or outcome) in words for the person, until the next action. */
  notice: { readonly text: string; readonly kind: 'error' | 'info' } | null = null;
  /** The action on its way, if any. */
  busy: MonitorAction | null = null;
  /** The team's records of the workflow's runs, or null while no workflow or no OFB is attached. */
  team: TeamRunsLoader | null = null;

  private monitor: Monitor | undefined;
  private teamSource: TeamRunSource | undefined;
  private workflowId: WorkflowId | null = null;
  /** A run only the team's records know, shown in the panel (the store's selection is null then). */
  private teamSelected: RunId | null = null;
  private teamTimer: ReturnType<typeof setTimeout> | undefined;
  /** The status each collaborator's broadcast run was last seen in. */
  private readonly remoteSeen = new Map<RunId, RunStatus>();
  private lastRemote: readonly BoardRun[] | null = null;
  private historyMemo: {
    runs: number;
    team: number;
    entries: RunHistoryEntry[];
    interrupted: ReadonlySet<RunId>;
  } | null = null;
  /** Bumped by every action started and by every unbind: an answer for an older one is not shown. */
  private actionSeq = 0;
  /** What the next frame does for the messages that came meanwhile (null: no frame asked for). */
  private frameWork: 'redraw' | 'changed' | null = null;
  private connected = false;
  private stops: (() => void)[] = [];
  private readonly inFlight = new Set<RunId>();
  private readonly pump = throttle(() => this.fetchWanted(), DETAIL_INTERVAL_MS);
  private rewatchTimer: ReturnType<typeof setTimeout> | undefined;
  private rewatchMs = REWATCH_FIRST_MS;

  constructor(
    private readonly host: ReactiveControllerHost,
    private readonly hooks: MonitorControllerHooks = {},
  ) {
    host.addController(this);
  }

  /** The live stream's state (connecting while nothing is attached). */
  get status(): MonitorStatus {
    return this.monitor?.connection.status ?? { state: MonitorState.connecting };
  }

  /** The orchestrator's base URL, for what the board says about it. */
  get baseUrl(): string {
    return this.monitor?.api.baseUrl ?? '';
  }

  /** The monitor attached, for the inspector and the performance view. */
  get api(): Monitor['api'] | undefined {
    return this.monitor?.api;
  }

  /**
   * Watches `workflowId`'s runs on `monitor`, and their records in `team` (OFB); either may be
   * absent. Call again with the same values: nothing happens.
   */
  attach(monitor: Monitor | undefined, workflowId: WorkflowId | null, team?: TeamRunSource): void {
    if (monitor === this.monitor && workflowId === this.workflowId && team === this.teamSource) return;
    this.monitor = monitor;
    this.workflowId = workflowId;
    this.teamSource = team;
    if (this.connected) this.bind();
  }

  /**
   * The workflow's history, newest first: the orchestrator's runs, and the team's records of runs
   * it does not know (made on another machine, or before its data was lost).
   */
  get history(): readonly RunHistoryEntry[] {
    return this.historyNow().entries;
  }

  /** The orchestrator's runs in the history that are unfinished with no process executing them. */
  get interrupted(): ReadonlySet<RunId> {
    return this.historyNow().interrupted;
  }

  private historyNow(): NonNullable<MonitorController['historyMemo']> {
    const runs = this.runs?.statesVersion ?? -1;
    const team = this.team?.version ?? -1;
    const memo = this.historyMemo;
    if (memo !== null && memo.runs === runs && memo.team === team) return memo;
    const list = this.runs?.list() ?? [];
    const entries = mergeRunHistory(list, this.team?.records ?? []);
    const interrupted = new Set(list.filter((r) => this.runs?.resumable(r.runId)).map((r) => r.runId));
    const next = { runs, team, entries, interrupted };
    this.historyMemo = next;
    return next;
  }

  /**
   * Whether the person may start and stop runs of this workflow here now, as far as the
   * orchestrator said: it has answered with a role above viewer and not refused the workflow's runs.
   */
  get mayAct(): boolean {
    const runs = this.runs;
    return (
      runs !== null &&
      runs.role !== null &&
      runs.role !== 'viewer' &&
      runs.refusal === null &&
      this.status.state === MonitorState.connected
    );
  }

  /** Asks for the workflow's runs again now (its registration with the team server just went through). */
  rewatch(): void {
    if (this.workflowId !== null && this.runs?.refusal != null)
      this.monitor?.connection.rewatch(this.workflowId);
  }

  /** The team's record shown in the panel (a run this orchestrator does not know), or null. */
  get selectedRecord(): OfbRunRecord | null {
    const runId = this.teamSelected;
    if (runId === null) return null;
    return this.team?.records.find((r) => r.runId === runId) ?? null;
  }

  /** Asks OFB for the team's records of the workflow's runs again. */
  refreshTeamRuns(): void {
    this.team?.refresh();
  }

  /**
   * Takes the collaborators' broadcast runs (`WorkflowHandleController.remoteRuns`): one seen to
   * finish means its record is on its way to OFB, so the team's records are asked for again soon.
   */
  followRemoteRuns(remote: readonly BoardRun[]): void {
    if (remote === this.lastRemote) return;
    this.lastRemote = remote;
    let finished = false;
    for (const run of remote) {
      if (run.status !== RunStatus.running && this.remoteSeen.get(run.runId) !== run.status) finished = true;
      this.remoteSeen.set(run.runId, run.status);
    }
    if (finished) this.scheduleTeamRefresh();
  }

  hostConnected(): void {
    this.connected = true;
    this.bind();
  }

  hostDisconnected(): void {
    this.connected = false;
    this.unbind();
  }

  /** Tries to reach the orchestrator again now. */
  retry(): void {
    this.monitor?.connection.retry();
  }

  /**
   * Shows `runId` (null: none) in the panel and on the canvas; a run only the team's records know
   * shows its record in the panel (read-only) and nothing on the canvas.
   */
  select(runId: RunId | null): void {
    const teamOnly =
      runId !== null &&
      this.runs?.record(runId)?.summary === undefined &&
      this.team?.records.some((r) => r.runId === runId) === true;
    this.teamSelected = teamOnly ? runId : null;
    this.runs?.select(teamOnly ? null : runId, 'person');
    this.changed();
    this.host.requestUpdate();
  }

  /** Runs the workflow at its current version. */
  start(): Promise<void> {
    const workflowId = this.workflowId;
    return this.act('start', (api) => (workflowId === null ? null : api.start({ workflowId })));
  }

  /** Runs the selected run's workflow again at its current version: whole, or from `from` on. */
  rerun(from?: NodeId): Promise<void> {
    const runId = this.ownSelected();
    return this.act('rerun', (api) =>
      runId === null ? null : api.rerun(runId, from === undefined ? {} : { from }),
    );
  }

  /** Continues the selected run, unfinished with no process executing it. */
  resume(): Promise<void> {
    const runId = this.ownSelected();
    return this.act('resume', (api) => (runId === null ? null : api.resume(runId)));
  }

  /** Cancels the selected run, or one node of it. */
  async cancel(nodeId?: NodeId): Promise<void> {
    const api = this.monitor?.api;
    const runs = this.runs;
    const runId = runs?.selected ?? null;
    if (api === undefined || runs === null || runId === null || this.busy !== null) return;
    if (!runs.isOwn(runId)) return;
    const token = ++this.actionSeq;
    this.busy = 'cancel';
    this.notice = null;
    this.host.requestUpdate();
    try {
      const { outcome } = await api.cancel(runId, nodeId);
      if (this.runs !== runs) return;
      const what = nodeId === undefined ? 'the run' : `node ${nodeId}`;
      this.notice =
        outcome === 'finished'
          ? { kind: 'info', text: `Nothing to cancel: ${what} had already finished.` }
          : { kind: 'info', text: `Cancelling ${what}…` };
    } catch (error) {
      if (this.runs === runs) this.notice = { kind: 'error', text: describeFailure(error) };
    } finally {
      if (this.actionSeq === token) this.busy = null;
      this.host.requestUpdate();
    }
  }

  /** Forgets the notice (the person dismissed it). */
  dismissNotice(): void {
    this.notice = null;
    this.host.requestUpdate();
  }

  /** The selected run when it is one of this workflow's (a lineage may show another's), else null. */
  private ownSelected(): RunId | null {
    const runId = this.runs?.selected ?? null;
    return runId !== null && this.runs?.isOwn(runId) === true ? runId : null;
  }

  /**
   * Calls the orchestrator for `action`. Its answer lands in the store of the workflow it was made
   * for: a board that moved to another workflow meanwhile neither records the run nor shows the notice.
   */
  private async act(
    action: MonitorAction,
    call: (api: Monitor['api']) => Promise<RunStartedResponse> | null,
  ): Promise<void> {
    const api = this.monitor?.api;
    const runs = this.runs;
    if (api === undefined || this.busy !== null) return;
    const request = call(api);
    if (request === null) return;
    const token = ++this.actionSeq;
    this.busy = action;
    this.notice = null;
    this.host.requestUpdate();
    try {
      const { run } = await request;
      if (this.runs !== runs || runs === null) return;
      // A watch refused a moment ago (the workflow had not reached the team server): ask again now.
      if (runs.refusal !== null) this.monitor?.connection.rewatch(runs.workflowId);
      runs.noteStarted(run);
      this.changed();
    } catch (error) {
      if (this.runs === runs) this.notice = { kind: 'error', text: describeFailure(error) };
    } finally {
      if (this.actionSeq === token) this.busy = null;
      this.host.requestUpdate();
    }
  }

  private bind(): void {
    this.unbind();
    const workflowId = this.workflowId;
    if (workflowId === null) return;
    if (this.teamSource !== undefined) {
      const team = new TeamRunsLoader(this.teamSource, workflowId, () => {
        if (this.team === team) this.changed();
        this.host.requestUpdate();
      });
      this.team = team;
      team.refresh();
    }
    const monitor = this.monitor;
    if (monitor === undefined) return;
    const runs = new WorkflowRuns(workflowId);
    this.runs = runs;
    this.stops.push(
      monitor.connection.subscribe(() => this.host.requestUpdate()),
      monitor.connection.watch(workflowId, (message) => {
        if (this.runs !== runs) return;
        runs.receive(message);
        // Streamed text changes no state, no detail wanted and nothing broadcast: one redraw a frame.
        if (message.type === 'progress') {
          this.nextFrame('redraw');
          return;
        }
        if (message.type === 'events') {
          if (message.events.some((e) => e.type === 'run.finished')) this.scheduleTeamRefresh();
          // A 1,000-node run sends hundreds of these a second: the fold takes each, the board
          // (and the broadcast to collaborators) follow once a frame.
          this.nextFrame('changed');
          return;
        }
        if (message.type === 'runs') this.rewatchMs = REWATCH_FIRST_MS;
        if (message.type === 'error') this.scheduleRewatch(monitor, workflowId);
        this.changed();
      }),
    );
    this.host.requestUpdate();
  }

  /**
   * Does `work` once at the next frame however often it is asked for meanwhile (`changed` covers a
   * redraw). A hidden page draws no frames but its collaborators still want the broadcast: after
   * {@link FRAME_FALLBACK_MS} a timer does it instead.
   */
  private nextFrame(work: 'redraw' | 'changed'): void {
    const queued = this.frameWork !== null;
    if (this.frameWork !== 'changed') this.frameWork = work;
    if (queued) return;
    let frame = 0;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const done = () => {
      if (frame !== 0) cancelAnimationFrame(frame);
      clearTimeout(timer);
      const due = this.frameWork;
      this.frameWork = null;
      if (due === 'changed') this.changed();
      else if (due === 'redraw') this.host.requestUpdate();
    };
    timer = setTimeout(done, FRAME_FALLBACK_MS);
    if (typeof requestAnimationFrame === 'function') frame = requestAnimationFrame(done);
  }

  /** Asks for the team's records {@link TEAM_REFRESH_DELAY_MS} from now (once, however often asked meanwhile). */
  private scheduleTeamRefresh(): void {
    if (this.team === null || this.teamTimer !== undefined) return;
    this.teamTimer = setTimeout(() => {
      this.teamTimer = undefined;
      this.team?.refresh();
    }, TEAM_REFRESH_DELAY_MS);
  }

  private unbind(): void {
    for (const stop of this.stops.splice(0)) stop();
    this.pump.cancel();
    clearTimeout(this.rewatchTimer);
    this.rewatchTimer = undefined;
    this.rewatchMs = REWATCH_FIRST_MS;
    this.inFlight.clear();
    this.frameWork = null;
    if (this.runs !== null) this.hooks.onRunChange?.(null);
    this.runs = null;
    this.notice = null;
    // An action on its way belongs to the workflow left: its answer is not shown on the next one.
    this.busy = null;
    this.actionSeq++;
    this.team?.close();
    this.team = null;
    this.teamSelected = null;
    clearTimeout(this.teamTimer);
    this.teamTimer = undefined;
    this.remoteSeen.clear();
    this.lastRemote = null;
    this.historyMemo = null;
  }

  private scheduleRewatch(monitor: Monitor, workflowId: WorkflowId): void {
    clearTimeout(this.rewatchTimer);
    this.rewatchTimer = setTimeout(() => monitor.connection.rewatch(workflowId), this.rewatchMs);
    this.rewatchMs = Math.min(REWATCH_MAX_MS, this.rewatchMs * 2);
  }

  /** The store changed: fetch what it wants, tell collaborators, redraw. */
  private changed(): void {
    this.reconcileTeamSelection();
    const runs = this.runs;
    if (runs === null) return;
    if (runs.detailsWanted().some((id) => !this.inFlight.has(id))) this.pump();
    this.hooks.onRunChange?.(runs.broadcast());
    this.host.requestUpdate();
  }

  /**
   * A team record shown in the panel gives way to the orchestrator's run once the orchestrator
   * knows it (it came back), and to a run the board follows (a new one started).
   */
  private reconcileTeamSelection(): void {
    const runId = this.teamSelected;
    const runs = this.runs;
    if (runId === null || runs === null) return;
    if (runs.record(runId)?.summary !== undefined) {
      this.teamSelected = null;
      runs.select(runId, 'person');
    } else if (runs.selected !== null) this.teamSelected = null;
  }

  private fetchWanted(): void {
    const runs = this.runs;
    const api = this.monitor?.api;
    if (runs === null || api === undefined) return;
    for (const runId of runs.detailsWanted()) {
      if (this.inFlight.has(runId)) continue;
      this.inFlight.add(runId);
      const gen = runs.detailRequested(runId);
      withTimeout(
        api.run(runId),
        DETAIL_TIMEOUT_MS,
        `the orchestrator did not answer about run ${runId} in time`,
      ).then(
        (detail) => {
          this.inFlight.delete(runId);
          if (this.runs !== runs) return;
          runs.acceptDetail(detail, gen);
          this.changed();
        },
        (error: unknown) => {
          this.inFlight.delete(runId);
          if (this.runs !== runs) return;
          // Shown once; the next record of the run asks again.
          if (runId === runs.selected) this.notice = { kind: 'error', text: describeFailure(error) };
          this.host.requestUpdate();
        },
      );
    }
  }
}

/** `promise`, or a rejection with `message` if it has not settled within `ms`. */
function withTimeout<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(message)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** What a failed monitor call means for the person. */
export function describeFailure(error: unknown): string {
  if (!(error instanceof MonitorApiError)) return error instanceof Error ? error.message : String(error);
  if (error.kind === 'unreachable') return error.message;
  switch (error.code) {
    case MonitorErrorCode.workflowRefused: {
      const first = firstFindingMessage(error.details);
      return `The orchestrator did not run it: ${first ?? error.message}`;
    }
    case MonitorErrorCode.roleTooLow:
      return 'You can watch this workflow’s runs, not start or stop them: your role in the workspace is viewer.';
    case MonitorErrorCode.notAMember:
      return 'You are not a member of this workflow’s workspace.';
    case MonitorErrorCode.invalidToken:
    case MonitorErrorCode.missingToken:
      return 'The orchestrator did not accept your sign-in: sign in again.';
    case MonitorErrorCode.runFinished:
      return 'That run has already finished.';
    case MonitorErrorCode.teamServerUnreachable:
      return `The orchestrator cannot reach the team server: ${error.message}`;
    case MonitorErrorCode.notFound:
      return `Not found (or not yours to see): ${error.message}`;
    default:
      return error.message;
  }
}

function firstFindingMessage(details: unknown): string | undefined {
  if (typeof details !== 'object' || details === null) return undefined;
  const findings = (details as { findings?: unknown }).findings;
  if (!Array.isArray(findings)) return undefined;
  const first: unknown = findings[0];
  if (typeof first !== 'object' || first === null) return undefined;
  const message = (first as { message?: unknown }).message;
  return typeof message === 'string' ? message : undefined;
}
