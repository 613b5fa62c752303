// What the run panel shows of one run: its header (who, when, pinned version, tokens and cost) and
// each node (state, timings, attempts, error with its inputs, outputs, logs, streamed tokens), from
// the run's fold where this page has one and the orchestrator's detail for the rest.
import {
  type ArtifactHash,
  type AttemptView,
  type CallUsage,
  type NodeId,
  NodeLibrary,
  type NodeOutputs,
  type NodeState,
  type RunError,
  type RunId,
  type RunOptions,
  type RunSource,
  type RunStatus,
  type RunUsageView,
  type Workflow,
} from '@symphony/schemas';
import type { NodeLiveTail } from './node-live.js';
import type { RunProgress, RunRecord } from './workflow-runs.js';

/** One node of a run as the panel shows it. */
export interface RunNodeModel {
  readonly nodeId: NodeId;
  readonly type: string;
  readonly label?: string;
  /** What to call it: its label, else its type's title. */
  readonly title: string;
  readonly state: NodeState;
  /** The attempt last started; 0 before the first. */
  readonly attempt: number;
  /** Every attempt, when the orchestrator's detail is in. */
  readonly attempts: readonly AttemptView[];
  /** When its current attempt started. */
  readonly startedAt?: number;
  readonly finishedAt?: number;
  /** From its first attempt's start to its end. */
  readonly durationMs?: number;
  readonly error?: RunError;
  readonly outputs?: NodeOutputs;
  /** The artifacts it was given, per input port. */
  readonly inputs?: Readonly<Record<string, readonly ArtifactHash[]>>;
  /** Cached: the run whose outputs it took. */
  readonly fromRun?: RunId;
  readonly reason?: string;
  readonly usage?: CallUsage;
  readonly cancelRequested: boolean;
  readonly live?: NodeLiveTail;
  /** A `write-document` node's document (as the pinned workflow names it, else the board's). */
  readonly documentId?: string;
}

/** One run as the panel shows it. */
export interface RunPanelModel {
  readonly runId: RunId;
  readonly status: RunStatus;
  readonly workflowName: string;
  readonly startedBy?: string;
  readonly startedAt: number;
  readonly finishedAt?: number;
  readonly source?: RunSource;
  /** The pinned version in short: the first heads' first 8 characters, or the file's hash. */
  readonly pinned: string | null;
  readonly options?: RunOptions;
  readonly usage?: RunUsageView;
  readonly cancelRequested: boolean;
  readonly progress: RunProgress;
  readonly resumable: boolean;
  readonly nodes: readonly RunNodeModel[];
}

/** The pinned version of `source` in short, for a person: `a1b2c3d4` or `a1b2c3d4+1` (more heads). */
export function shortVersion(source: RunSource | undefined): string | null {
  if (source === undefined) return null;
  if (source.kind === 'file') return source.hash.slice(0, 8);
  const [first, ...rest] = source.heads;
  if (first === undefined) return null;
  return `${first.slice(0, 8)}${rest.length > 0 ? `+${rest.length}` : ''}`;
}

/**
 * `record` as the panel shows it. The fold (when this page saw the run from its start) gives the
 * latest state of every node; the detail adds attempts, inputs, durations and the run's options;
 * `workflow` (the board's version) names nodes neither knows. Null when nothing is known yet.
 */
export function runPanelModel(
  record: RunRecord,
  progress: RunProgress,
  resumable: boolean,
  workflow: Workflow | null,
): RunPanelModel | null {
  const { fold, detail, summary } = record;
  const run = detail?.run;
  const status = fold?.status ?? summary?.status ?? run?.status;
  const startedAt = fold?.startedAt ?? summary?.startedAt ?? run?.startedAt;
  if (status === undefined || startedAt === undefined) return null;
  const views = new Map((run?.nodeStates ?? []).map((n) => [n.nodeId, n]));
  const pinned = fold?.workflow ?? null;
  const ids: NodeId[] = fold !== undefined ? [...fold.nodes.keys()] : [...views.keys()];
  const nodes = ids.map((nodeId): RunNodeModel => {
    const folded = fold?.nodes.get(nodeId);
    const view = views.get(nodeId);
    // Own keys only: a node id may be `constructor`, which every object inherits.
    const node =
      (pinned !== null && Object.hasOwn(pinned.nodes, nodeId) ? pinned.nodes[nodeId] : undefined) ??
      (workflow !== null && Object.hasOwn(workflow.nodes, nodeId) ? workflow.nodes[nodeId] : undefined);
    const documentId = node?.type === 'write-document' ? node.params.documentId : undefined;
    const label = view?.label ?? node?.label;
    const error = folded !== undefined ? folded.error : view?.error;
    const outputs = folded?.outputs ?? view?.outputs;
    const fromRun = folded?.fromRun ?? view?.fromRun;
    const reason = folded?.reason ?? view?.reason;
    const usage = folded?.usage ?? view?.usage;
    const live = record.live.get(nodeId);
    const attempts = view?.attempts ?? [];
    const type = view?.type ?? node?.type ?? 'unknown';
    const finishedAt = folded?.finishedAt ?? attempts.at(-1)?.endedAt;
    return {
      nodeId,
      type,
      ...(label === undefined ? {} : { label }),
      title: label ?? NodeLibrary.get(type)?.title ?? type,
      state: folded?.state ?? view?.state ?? 'queued',
      attempt: folded?.attempt ?? attempts.length,
      attempts,
      ...optional('startedAt', folded?.startedAt ?? attempts.at(-1)?.startedAt),
      ...optional('finishedAt', finishedAt),
      ...optional('durationMs', view?.durationMs),
      ...optional('error', error),
      ...optional('outputs', outputs),
      ...optional('inputs', view?.inputs),
      ...optional('fromRun', fromRun),
      ...optional('reason', reason),
      ...optional('usage', usage),
      cancelRequested: fold?.cancelRequestedNodes.has(nodeId) ?? false,
      ...optional('live', live),
      ...(typeof documentId === 'string' && documentId !== '' ? { documentId } : {}),
    };
  });
  const source = fold?.source ?? summary?.source ?? run?.source;
  const startedBy = fold?.startedBy ?? summary?.startedBy ?? run?.startedBy;
  const finishedAt = fold?.finishedAt ?? summary?.finishedAt ?? run?.finishedAt;
  const options = fold?.options ?? run?.options;
  const usage = fold?.usage ?? run?.usage;
  return {
    runId: record.runId,
    status,
    workflowName: fold?.workflow.name ?? summary?.workflow ?? run?.workflow ?? '',
    ...optional('startedBy', startedBy),
    startedAt,
    ...optional('finishedAt', finishedAt),
    ...optional('source', source),
    pinned: shortVersion(source),
    ...optional('options', options),
    ...optional('usage', usage),
    cancelRequested: fold?.cancelRequested ?? run?.cancelRequested ?? false,
    progress,
    resumable,
    nodes,
  };
}

function optional<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
}
