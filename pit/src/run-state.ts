// A run's state as the fold of its journal records: what the CLI's `runs show`, the monitor and the
// executor's resume read. Pure: events in, state out. Browser-safe (only @symphony/schemas and zod):
// the client folds the monitor's events with it too, through `@symphony/pit/run-state`.
import {
  type ArtifactHash,
  type CallUsage,
  type NodeId,
  NodeKind,
  type NodeOutputs,
  NodeState,
  type RunError,
  type RunEvent,
  RunId,
  type RunOptions,
  type RunSource,
  RunStatus,
  type Workflow,
} from '@symphony/schemas';
import { z } from 'zod';
import { parseInput } from './errors.js';

/** One node's state in a run, as its records left it. */
export interface NodeRunState {
  readonly nodeId: NodeId;
  state: NodeState;
  /** The attempt last started (or failed); 0 before the first attempt. */
  attempt: number;
  /** Output artifact hashes by port, once succeeded or cached. */
  outputs?: NodeOutputs;
  /** The cache key its outputs are stored under, when it has one. */
  cacheKey?: ArtifactHash;
  /** Why the last attempt failed (retrying or failed). */
  error?: RunError;
  /** While retrying: when the next attempt may start (ms since the epoch). */
  retryAt?: number;
  /** When its current attempt started (ms since the epoch). */
  startedAt?: number;
  /** When it reached its final state. */
  finishedAt?: number;
  /** Cached: the run whose success gave its outputs, when known. */
  fromRun?: RunId;
  /** Skipped or cancelled: why. */
  reason?: string;
  /** Tokens and cost of its AI instrument calls (every attempt), when one ran it. */
  usage?: CallUsage;
}

/** A run's tokens and cost so far: the sum of its nodes' usage. */
export interface RunUsage {
  inputTokens: number;
  outputTokens: number;
  costUsd: number;
  /** Nodes that reported usage. */
  calls: number;
}

/**
 * A run's state. Its `nodes` hold every node that runs; addon nodes (notes, groups) never run and
 * are left out, so a count of `nodes` is the count of work. A node no record mentions yet is
 * `queued`: `run.started` queues every node that runs.
 */
export interface RunState {
  readonly runId: RunId;
  status: RunStatus;
  /** The pinned workflow: what runs, whatever co-editors have done since. */
  readonly workflow: Workflow;
  readonly source: RunSource;
  readonly options: RunOptions;
  readonly startedBy?: string;
  readonly startedAt: number;
  finishedAt?: number;
  /** When the last record was made. */
  updatedAt: number;
  /** Whether cancelling the whole run was asked for. */
  cancelRequested: boolean;
  /** Nodes whose cancellation was asked for one by one. */
  readonly cancelRequestedNodes: Set<NodeId>;
  readonly nodes: Map<NodeId, NodeRunState>;
  /** How many nodes are in each state, kept up to date by every record (for progress bars). */
  readonly counts: Record<NodeState, number>;
  /** Tokens and cost of every instrument call journaled so far. */
  readonly usage: RunUsage;
}

/** The records of a run cannot be folded: its first is not `run.started`, or they mix runs. */
export class RunHistoryError extends Error {
  override name = 'RunHistoryError';
}

/** The node states a node never leaves. */
const FINAL: ReadonlySet<NodeState> = new Set([
  NodeState.succeeded,
  NodeState.cached,
  NodeState.failed,
  NodeState.cancelled,
  NodeState.skipped,
]);

/** Whether `state` is final: the node will not run again in this run. */
export function isFinalNodeState(state: NodeState): boolean {
  return FINAL.has(state);
}

/**
 * What `foldRun` checks of each record: its kind, run and time. The records come from a
 * DagTracker, which parsed them in full; checking the envelope keeps a fold O(records) without
 * parsing a pinned workflow of 10,000 nodes again.
 */
const FoldInput = z.array(
  z.looseObject({ type: z.string().regex(/^(run|node)\.[A-Za-z]+$/), runId: RunId, at: z.number() }),
);

/**
 * The state of a run from its records, oldest first (`DagTracker.history`). Throws
 * `PitInputError` when `events` are not run records, {@link RunHistoryError} when the first record
 * is not `run.started` (an empty history: no such run) or a record belongs to another run.
 */
export function foldRun(events: readonly RunEvent[]): RunState {
  parseInput('foldRun', FoldInput, events);
  const first = events[0];
  if (first?.type !== 'run.started') {
    throw new RunHistoryError(
      first === undefined
        ? 'foldRun: no records; the run does not exist (check the run id with "symphony runs ls")'
        : `foldRun: the first record of run ${first.runId} is ${first.type}, not run.started; the journal is damaged`,
    );
  }
  const state = startedState(first);
  for (let i = 1; i < events.length; i++) applyRunEvent(state, events[i]!);
  return state;
}

/**
 * Applies one record to `state` **in place** and returns it, so a run of any size folds in
 * O(records). The record must be one a DagTracker accepted (parsed): this is the executor's hot
 * path, so it is not parsed again. A second `run.started` is refused with {@link RunHistoryError};
 * a record for a node the workflow does not have is kept under that id (a journal is believed,
 * not second-guessed).
 */
export function applyRunEvent(state: RunState, event: RunEvent): RunState {
  if (event.runId !== state.runId) {
    throw new RunHistoryError(`applyRunEvent: a record of run ${event.runId} given for run ${state.runId}`);
  }
  state.updatedAt = event.at;
  switch (event.type) {
    case 'run.started':
      throw new RunHistoryError(
        `applyRunEvent: run ${state.runId} has a second run.started; the journal is damaged`,
      );
    case 'run.cancelRequested':
      if (event.nodeId === undefined) state.cancelRequested = true;
      else state.cancelRequestedNodes.add(event.nodeId);
      return state;
    case 'run.finished':
      state.status = event.status;
      state.finishedAt = event.at;
      return state;
    case 'node.queued':
      move(state, event.nodeId, NodeState.queued);
      return state;
    case 'node.running': {
      const node = move(state, event.nodeId, NodeState.running);
      node.attempt = event.attempt;
      node.startedAt = event.at;
      node.retryAt = undefined;
      return state;
    }
    case 'node.retrying': {
      const node = move(state, event.nodeId, NodeState.retrying);
      node.attempt = event.attempt;
      node.error = event.error;
      node.retryAt = event.retryAt;
      addUsage(state, node, event.usage);
      return state;
    }
    case 'node.succeeded': {
      const node = finish(state, event.nodeId, NodeState.succeeded, event.at);
      node.attempt = event.attempt;
      node.outputs = event.outputs;
      node.cacheKey = event.cacheKey;
      node.error = undefined;
      addUsage(state, node, event.usage);
      return state;
    }
    case 'node.cached': {
      const node = finish(state, event.nodeId, NodeState.cached, event.at);
      node.outputs = event.outputs;
      node.cacheKey = event.cacheKey;
      node.fromRun = event.fromRun;
      return state;
    }
    case 'node.failed': {
      const node = finish(state, event.nodeId, NodeState.failed, event.at);
      node.attempt = event.attempt;
      node.error = event.error;
      addUsage(state, node, event.usage);
      return state;
    }
    case 'node.cancelled':
      finish(state, event.nodeId, NodeState.cancelled, event.at).reason = event.reason;
      return state;
    case 'node.skipped':
      finish(state, event.nodeId, NodeState.skipped, event.at).reason = event.reason;
      return state;
  }
}

/**
 * Records an attempt's instrument usage in the run's totals and on the node (summed over its
 * attempts: a retried call was paid for too).
 */
function addUsage(state: RunState, node: NodeRunState, usage: CallUsage | undefined): void {
  if (usage === undefined) return;
  const before = node.usage;
  node.usage =
    before === undefined
      ? usage
      : {
          ...usage,
          inputTokens: before.inputTokens + usage.inputTokens,
          outputTokens: before.outputTokens + usage.outputTokens,
          ...(before.costUsd !== undefined || usage.costUsd !== undefined
            ? { costUsd: (before.costUsd ?? 0) + (usage.costUsd ?? 0) }
            : {}),
        };
  state.usage.inputTokens += usage.inputTokens;
  state.usage.outputTokens += usage.outputTokens;
  state.usage.costUsd += usage.costUsd ?? 0;
  state.usage.calls += 1;
}

/** The state right after `run.started`: every node that runs is queued. */
function startedState(event: Extract<RunEvent, { type: 'run.started' }>): RunState {
  const nodes = new Map<NodeId, NodeRunState>();
  for (const [id, node] of Object.entries(event.workflow.nodes)) {
    if (node.kind === NodeKind.addon) continue;
    nodes.set(id as NodeId, { nodeId: id as NodeId, state: NodeState.queued, attempt: 0 });
  }
  const counts = Object.fromEntries(Object.values(NodeState).map((s) => [s, 0])) as Record<NodeState, number>;
  counts.queued = nodes.size;
  return {
    runId: event.runId,
    status: RunStatus.running,
    workflow: event.workflow,
    source: event.source,
    options: event.options,
    ...(event.startedBy !== undefined ? { startedBy: event.startedBy } : {}),
    startedAt: event.at,
    updatedAt: event.at,
    cancelRequested: false,
    cancelRequestedNodes: new Set(),
    nodes,
    counts,
    usage: { inputTokens: 0, outputTokens: 0, costUsd: 0, calls: 0 },
  };
}

function move(state: RunState, nodeId: NodeId, to: NodeState): NodeRunState {
  let node = state.nodes.get(nodeId);
  if (node === undefined) {
    node = { nodeId, state: to, attempt: 0 };
    state.nodes.set(nodeId, node);
  } else {
    state.counts[node.state]--;
    node.state = to;
  }
  state.counts[to]++;
  return node;
}

function finish(state: RunState, nodeId: NodeId, to: NodeState, at: number): NodeRunState {
  const node = move(state, nodeId, to);
  node.finishedAt = at;
  node.retryAt = undefined;
  return node;
}
