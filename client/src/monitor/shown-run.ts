// Which run a board's canvas shows: the selected run of this page's orchestrator, or a collaborator's
// broadcast when this orchestrator does not know their run; and what the toolbar says about it.
import {
  type BoardRun,
  type NodeId,
  NodeKind,
  NodeState,
  type RunStatus,
  type Workflow,
} from '@symphony/schemas';
import { runStatusLine } from './run-format.js';
import type { WorkflowRuns } from './workflow-runs.js';

/** The run the canvas shows, and what the toolbar says about it. */
export interface ShownRun {
  /** Each node's state (null: no run shown). */
  readonly states: ReadonlyMap<NodeId, NodeState> | null;
  readonly status: RunStatus | null;
  /** 0–1. */
  readonly fraction: number;
  /** What the live region says ("Running: 3 of 7 nodes done", "Run by Ada (live): …"). */
  readonly line: string;
  /** A collaborator's run, shown read-only because this board has none of its own to show. */
  readonly remote: BoardRun | null;
  /** The run shown is unfinished with no process executing it (Resume, not Cancel). */
  readonly resumable: boolean;
}

/**
 * The run the canvas shows: the selected run of this board's orchestrator; else the newest run a
 * collaborator's board broadcasts, when this orchestrator does not know it (it runs on their
 * machine, or this one is down) and this board shows nothing running itself.
 */
export function shownRun(
  monitor: { readonly runs: WorkflowRuns | null },
  remoteRuns: readonly BoardRun[],
  remoteStates: (run: BoardRun) => ReadonlyMap<NodeId, NodeState>,
): ShownRun {
  const runs = monitor.runs;
  // Another workflow's run (opened from a lineage) is shown in the panel only, not on this canvas.
  const picked = runs?.selected ?? null;
  const selected = picked !== null && runs?.isOwn(picked) === true ? picked : null;
  const status = runs?.status(selected) ?? null;
  const remote = remoteRuns[0];
  const remoteIsNews = remote !== undefined && runs?.record(remote.runId) === undefined;
  if (remoteIsNews && (selected === null || (status !== 'running' && remote.status === 'running'))) {
    const live = remote.status === 'running' ? 'live' : 'finished';
    const done = Object.values(remote.states).filter(
      (s) => s !== NodeState.running && s !== NodeState.retrying,
    );
    return {
      states: remoteStates(remote),
      status: remote.status,
      fraction: remote.fraction,
      line: `Run by ${remote.user.name} (${live}): ${Math.round(remote.fraction * 100)}% done · ${done.length} node${done.length === 1 ? '' : 's'} finished`,
      remote,
      resumable: false,
    };
  }
  const states = runs?.nodeStates(selected) ?? null;
  const progress = runs?.progress(selected) ?? null;
  const record = selected === null ? undefined : runs?.record(selected);
  const startedAt = record?.fold?.startedAt ?? record?.summary?.startedAt;
  const line =
    status === null || progress === null || startedAt === undefined || selected === null
      ? ''
      : runStatusLine(
          status,
          progress,
          { startedAt, finishedAt: record?.fold?.finishedAt ?? record?.summary?.finishedAt },
          runs?.resumable(selected) ?? false,
        );
  const resumable = selected !== null && (runs?.resumable(selected) ?? false);
  return { states, status, fraction: progress?.fraction ?? 0, line, remote: null, resumable };
}

/** {@link remoteNodeStates}, built once per broadcast and workflow version. */
export class RemoteStatesMemo {
  private last: { run: BoardRun; doc: Workflow; states: ReadonlyMap<NodeId, NodeState> } | null = null;

  of(run: BoardRun, doc: Workflow): ReadonlyMap<NodeId, NodeState> {
    if (this.last?.run === run && this.last.doc === doc) return this.last.states;
    const states = remoteNodeStates(run, doc);
    this.last = { run, doc, states };
    return states;
  }
}

/** A collaborator's broadcast as states of every node that runs (those it leaves out are queued). */
export function remoteNodeStates(run: BoardRun, workflow: Workflow): Map<NodeId, NodeState> {
  const states = new Map<NodeId, NodeState>();
  for (const [id, node] of Object.entries(workflow.nodes) as [NodeId, Workflow['nodes'][NodeId]][]) {
    if (node.kind === NodeKind.addon) continue;
    // Own keys only: a node id may be `constructor` or `toString`, which every object inherits.
    states.set(id, Object.hasOwn(run.states, id) ? run.states[id] : NodeState.queued);
  }
  return states;
}
