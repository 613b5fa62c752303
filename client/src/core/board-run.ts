// Runs other boards are watching: the `board-run` messages a workflow's ephemeral channel carries,
// kept newest per run, and the message body a watching board broadcasts (boardRunFrom).
import { BoardRun, type NodeId, NodeState, type RunId, type RunStatus } from '@symphony/schemas';

/** 3 s between a running run's broadcasts, so a board that opens the workflow late sees it within one. */
export const RUN_HEARTBEAT_MS = 3_000;
/** 15 s: five missed heartbeats before a running run nobody reports any more is dropped. */
export const RUN_TIMEOUT_MS = 15_000;
/** 2 min: how long a finished run's last picture stays on other boards, for those who look away. */
export const FINISHED_RUN_KEEP_MS = 120_000;
/** 16: more runs than a board can show at once; beyond it the least recently heard are dropped. */
export const MAX_REMOTE_RUNS = 16;

/** What a board broadcasts about the run it watches; the controller adds `type`, `user` and `at`. */
export type BoardRunBody = Omit<BoardRun, 'type' | 'user' | 'at'>;

interface Entry {
  run: BoardRun;
  /** When this board first heard of the run (injected clock): the order of {@link RemoteRuns.list}. */
  firstSeenAt: number;
  /** When this board last heard of the run (injected clock): what expiry measures from. */
  seenAt: number;
}

/**
 * Runs other boards on the workflow are watching, from their `board-run` messages. Pure
 * bookkeeping: messages and the time come in, the runs go out. Per run only the message with the
 * newest `at` counts (a late, older one is ignored); anything that does not parse as
 * {@link BoardRun} is ignored. A running run nobody reports for {@link RUN_TIMEOUT_MS} is dropped, a
 * finished one after {@link FINISHED_RUN_KEEP_MS}.
 */
export class RemoteRuns {
  private readonly runs = new Map<RunId, Entry>();
  /** {@link RemoteRuns.list} until the runs change: the same array for the same runs. */
  private listed: readonly BoardRun[] | null = null;

  constructor(
    private readonly limits: { timeoutMs: number; finishedKeepMs: number; maxRuns: number } = {
      timeoutMs: RUN_TIMEOUT_MS,
      finishedKeepMs: FINISHED_RUN_KEEP_MS,
      maxRuns: MAX_REMOTE_RUNS,
    },
  ) {}

  /**
   * Takes one ephemeral message from `peerId` (any message; only `board-run` counts). Returns
   * whether it changed what {@link RemoteRuns.list} shows (a heartbeat that repeats the picture
   * does not, though it keeps the run from expiring).
   */
  receive(_peerId: string, message: unknown, now: number): boolean {
    const parsed = BoardRun.safeParse(message);
    if (!parsed.success) return false;
    const run = parsed.data;
    const known = this.runs.get(run.runId);
    if (known !== undefined) {
      if (run.at <= known.run.at) return false;
      const changed = !samePicture(known.run, run);
      known.run = run;
      known.seenAt = now;
      this.listed = null;
      return changed;
    }
    this.runs.set(run.runId, { run, firstSeenAt: now, seenAt: now });
    this.listed = null;
    this.dropBeyondLimit();
    return true;
  }

  /** Drops runs that are due (see {@link RemoteRuns}). Returns whether any were dropped. */
  expire(now: number): boolean {
    let changed = false;
    for (const [runId, { run, seenAt }] of this.runs) {
      const keep = run.status === 'running' ? this.limits.timeoutMs : this.limits.finishedKeepMs;
      if (now - seenAt > keep) {
        this.runs.delete(runId);
        this.listed = null;
        changed = true;
      }
    }
    return changed;
  }

  /** Forgets every run (the board moved to another workflow). Returns whether there were any. */
  clear(): boolean {
    const had = this.runs.size > 0;
    this.runs.clear();
    this.listed = null;
    return had;
  }

  /**
   * The runs, newest first (the one this board first heard of most recently leads); the same array
   * until they change.
   */
  list(): readonly BoardRun[] {
    this.listed ??= this.ordered().map((entry) => entry.run);
    return this.listed;
  }

  /** The newest run, or undefined when no other board is watching one. */
  latest(): BoardRun | undefined {
    return this.list()[0];
  }

  private ordered(): Entry[] {
    return [...this.runs.values()].sort((a, b) => b.firstSeenAt - a.firstSeenAt || b.run.at - a.run.at);
  }

  private dropBeyondLimit(): void {
    const byHeard = [...this.runs.values()].sort((a, b) => a.seenAt - b.seenAt);
    for (const entry of byHeard.slice(0, Math.max(0, byHeard.length - this.limits.maxRuns))) {
      this.runs.delete(entry.run.runId);
      this.listed = null;
    }
  }
}

/**
 * When a board sends the run it watches: a running run throttled, a finished one at once (its last
 * word, which no throttle may delay or lose), nothing for a picture already sent. A finished run
 * goes out only if this board broadcast it while it was running: a run that was over when the
 * board first saw it is history, not news. Pure: the controller owns the throttle and the channel.
 */
export class RunBroadcast {
  private watched: BoardRunBody | null = null;
  private sent: BoardRunBody | null = null;

  /**
   * Takes the run the board watches now (`null`: none any more). Returns how to send it:
   * `'throttled'`, `'now'`, or `null` for not at all (and a pending throttled send can be dropped).
   */
  watch(run: BoardRunBody | null): 'throttled' | 'now' | null {
    this.watched = run;
    if (run === null) return null;
    const sent = this.sent;
    if (sent !== null && sameBody(sent, run)) return null;
    if (run.status === 'running') return 'throttled';
    return sent?.runId === run.runId ? 'now' : null;
  }

  /** Whether the watched run is running: heartbeats carry it, and a newcomer is told at once. */
  get running(): boolean {
    return this.watched?.status === 'running';
  }

  /** The watched run to send now (recorded as sent), or null when the board watches none. */
  take(): BoardRunBody | null {
    if (this.watched !== null) this.sent = this.watched;
    return this.watched;
  }

  /** Forgets the watched and the sent run (the board moved to another workflow). */
  reset(): void {
    this.watched = null;
    this.sent = null;
  }
}

/** Whether two messages about one run show the same thing (who, status, progress, every state). */
function samePicture(a: BoardRun, b: BoardRun): boolean {
  if (a.user.name !== b.user.name || a.user.color !== b.user.color || a.user.id !== b.user.id) return false;
  return sameBody(a, b);
}

/** Whether two run bodies show the same thing (run, status, progress, every state). */
function sameBody(a: BoardRunBody, b: BoardRunBody): boolean {
  if (a.runId !== b.runId || a.status !== b.status || a.fraction !== b.fraction) return false;
  const ids = Object.keys(a.states) as NodeId[];
  return ids.length === Object.keys(b.states).length && ids.every((id) => a.states[id] === b.states[id]);
}

/**
 * The body of a `board-run` message for a run as this board sees it: `queued` states left out (a
 * node a receiver has no state for is queued), a fraction outside 0–1 (or not a number) brought
 * into it, so what goes out always parses as {@link BoardRun}.
 */
export function boardRunFrom(state: {
  runId: RunId;
  status: RunStatus;
  states: Readonly<Record<NodeId, NodeState>>;
  fraction: number;
}): BoardRunBody {
  const states: Record<NodeId, NodeState> = {};
  for (const [id, nodeState] of Object.entries(state.states) as [NodeId, NodeState][]) {
    if (nodeState !== NodeState.queued) states[id] = nodeState;
  }
  const fraction = Number.isFinite(state.fraction) ? Math.min(1, Math.max(0, state.fraction)) : 0;
  return { runId: state.runId, status: state.status, fraction, states };
}
