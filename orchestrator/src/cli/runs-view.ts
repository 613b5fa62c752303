// What `runs ls` and `runs show` print, built from a run's journal records. Pure: records in,
// a plain view (what --json prints) and its text out.
import { foldRun, type RunState } from '@symphony/pit';
import type {
  ArtifactHash,
  AttemptView,
  NodeId,
  NodeView,
  RunError,
  RunEvent,
  RunSummary,
  RunView,
  Workflow,
} from '@symphony/schemas';
import { countsText, describeSource, formatDuration } from './run-format.js';

export type { AttemptView, NodeView, RunSummary, RunView } from '@symphony/schemas';

/** The summary of a folded run. */
export function summarize(state: RunState, executedBy: number | undefined): RunSummary {
  return {
    runId: state.runId,
    status: state.status,
    ...(executedBy !== undefined ? { executedBy } : {}),
    workflow: state.workflow.name,
    source: state.source,
    startedAt: state.startedAt,
    ...(state.finishedAt !== undefined ? { finishedAt: state.finishedAt } : {}),
    ...(state.startedBy !== undefined ? { startedBy: state.startedBy } : {}),
    nodes: state.nodes.size,
    counts: { ...state.counts },
  };
}

/** The full view of a run from its records (oldest first). */
export function runView(history: readonly RunEvent[], executedBy: number | undefined): RunView {
  const state = foldRun(history);
  const attempts = attemptsOf(history);
  const inputs = inputsOf(state);
  const nodeStates = nodeOrder(state.workflow)
    .filter((id) => state.nodes.has(id))
    .map((id): NodeView => {
      const node = state.nodes.get(id)!;
      const spec = state.workflow.nodes[id];
      const tried = attempts.get(id) ?? [];
      const first = tried[0]?.startedAt;
      return {
        nodeId: id,
        type: spec?.type ?? '?',
        ...(spec?.label ? { label: spec.label } : {}),
        state: node.state,
        attempts: tried,
        ...(first !== undefined && node.finishedAt !== undefined
          ? { durationMs: node.finishedAt - first }
          : {}),
        ...(node.error ? { error: node.error } : {}),
        ...(node.outputs ? { outputs: node.outputs } : {}),
        ...(node.fromRun ? { fromRun: node.fromRun } : {}),
        ...(node.reason ? { reason: node.reason } : {}),
        ...(node.usage ? { usage: node.usage } : {}),
        ...(inputs.has(id) ? { inputs: inputs.get(id) } : {}),
      };
    });
  return {
    ...summarize(state, executedBy),
    options: state.options,
    cancelRequested: state.cancelRequested,
    nodeStates,
    usage: { ...state.usage },
  };
}

/**
 * The artifacts each node was given, per input port: the outputs of the nodes its edges come from
 * (in edge order), as far as those nodes have outputs yet.
 */
function inputsOf(state: RunState): Map<NodeId, Record<string, ArtifactHash[]>> {
  const byNode = new Map<NodeId, Record<string, ArtifactHash[]>>();
  for (const edge of Object.values(state.workflow.edges)) {
    const hash = state.nodes.get(edge.from.node)?.outputs?.[edge.from.port];
    if (hash === undefined || !state.nodes.has(edge.to.node)) continue;
    const ports = byNode.get(edge.to.node) ?? {};
    ports[edge.to.port] = [...(ports[edge.to.port] ?? []), hash];
    byNode.set(edge.to.node, ports);
  }
  return byNode;
}

/** Every attempt of every node, from `node.running` to the record that ended it. */
function attemptsOf(history: readonly RunEvent[]): Map<NodeId, AttemptView[]> {
  const byNode = new Map<NodeId, AttemptView[]>();
  const end = (nodeId: NodeId, at: number, outcome: AttemptView['outcome'], error?: RunError) => {
    const list = byNode.get(nodeId);
    const last = list?.at(-1);
    if (list === undefined || last === undefined || last.outcome !== undefined) return;
    list[list.length - 1] = { ...last, endedAt: at, outcome, ...(error ? { error } : {}) };
  };
  for (const event of history) {
    switch (event.type) {
      case 'node.running': {
        const list = byNode.get(event.nodeId) ?? [];
        // The same attempt running again is a resume after a crash: it is still that attempt.
        if (list.at(-1)?.attempt === event.attempt) list.pop();
        list.push({ attempt: event.attempt, startedAt: event.at });
        byNode.set(event.nodeId, list);
        break;
      }
      case 'node.succeeded':
        end(event.nodeId, event.at, 'succeeded');
        break;
      case 'node.failed':
        end(event.nodeId, event.at, 'failed', event.error);
        break;
      case 'node.retrying':
        end(event.nodeId, event.at, 'retrying', event.error);
        break;
      case 'node.cancelled':
        end(event.nodeId, event.at, 'cancelled');
        break;
      default:
        break;
    }
  }
  return byNode;
}

/** The workflow's node ids, every node after the nodes it takes input from (ties in document order). */
export function nodeOrder(workflow: Workflow): NodeId[] {
  const ids = Object.keys(workflow.nodes) as NodeId[];
  const parents = new Map<NodeId, number>(ids.map((id) => [id, 0]));
  const children = new Map<NodeId, NodeId[]>();
  for (const edge of Object.values(workflow.edges)) {
    if (!parents.has(edge.from.node) || !parents.has(edge.to.node)) continue;
    parents.set(edge.to.node, parents.get(edge.to.node)! + 1);
    children.set(edge.from.node, [...(children.get(edge.from.node) ?? []), edge.to.node]);
  }
  const order = ids.filter((id) => parents.get(id) === 0);
  for (let k = 0; k < order.length; k++) {
    for (const child of children.get(order[k]!) ?? []) {
      const left = parents.get(child)! - 1;
      parents.set(child, left);
      if (left === 0) order.push(child);
    }
  }
  // A cycle (refused by validation, but a journal is believed): its nodes last, as written.
  for (const id of ids) if (!order.includes(id)) order.push(id);
  return order;
}

/** A run's status as `runs ls` shows it: `running` only when a live process executes it. */
export function statusText(run: RunSummary): string {
  if (run.status !== 'running') return run.status;
  return run.executedBy !== undefined ? `running (pid ${run.executedBy})` : 'unfinished';
}

/** The `runs ls` table. */
export function runsTable(runs: readonly RunSummary[]): string {
  const rows = runs.map((run) => [
    run.runId,
    statusText(run),
    new Date(run.startedAt).toISOString().replace(/\.\d+Z$/, 'Z'),
    run.finishedAt === undefined ? '-' : formatDuration(run.finishedAt - run.startedAt),
    `${run.nodes - run.counts.queued - run.counts.running - run.counts.retrying}/${run.nodes}`,
    `"${run.workflow}" ${run.source.kind === 'file' ? run.source.path : `${run.source.workflowId} on ${run.source.server}`}`,
  ]);
  return table(['RUN', 'STATUS', 'STARTED', 'TOOK', 'NODES', 'WORKFLOW'], rows);
}

/** The `runs show` text. */
export function runText(view: RunView): string {
  const options = [
    view.options.cache ? 'cache on' : 'cache off',
    view.options.grants.length > 0 ? `grants ${view.options.grants.join(', ')}` : 'no grants',
    ...(view.options.rerunOf
      ? [`re-run of ${view.options.rerunOf}${view.options.from ? ` from ${view.options.from}` : ''}`]
      : []),
  ].join('; ');
  const head = [
    `run       ${view.runId}`,
    `status    ${statusText(view)}${view.cancelRequested && view.status === 'running' ? ' (cancel requested)' : ''}`,
    `workflow  "${view.workflow}"`,
    `source    ${describeSource(view.source)}`,
    `options   ${options}`,
    `started   ${new Date(view.startedAt).toISOString()}${view.startedBy ? ` by ${view.startedBy}` : ''}`,
    ...(view.finishedAt !== undefined
      ? [
          `finished  ${new Date(view.finishedAt).toISOString()} (took ${formatDuration(view.finishedAt - view.startedAt)})`,
        ]
      : []),
    `nodes     ${view.nodes}: ${countsText(view.counts)}`,
    ...(view.usage.calls > 0
      ? [
          `usage     ${view.usage.inputTokens} input + ${view.usage.outputTokens} output tokens in ${view.usage.calls} ` +
            `instrument call${view.usage.calls === 1 ? '' : 's'}, ${formatCost(view.usage.costUsd)}`,
        ]
      : []),
  ];
  const nodes = view.nodeStates.map((node) => nodeText(node));
  return `${head.join('\n')}\n\n${nodes.join('\n')}`;
}

function nodeText(node: NodeView): string {
  const name = `${node.type}${node.label ? ` "${node.label}"` : ''}`;
  const took = node.durationMs === undefined ? '' : `  ${formatDuration(node.durationMs)}`;
  const lines = [`${node.nodeId}  ${name}  ${node.state}${took}`];
  for (const a of node.attempts) {
    const duration = a.endedAt === undefined ? 'running' : formatDuration(a.endedAt - a.startedAt);
    const error = a.error ? ` (${a.error.code})` : '';
    lines.push(`    attempt ${a.attempt}: ${a.outcome ?? 'running'}${error}, ${duration}`);
  }
  if (node.error) lines.push(`    error: ${node.error.code}: ${node.error.message}`);
  if (node.fromRun) lines.push(`    from run ${node.fromRun}`);
  if (node.reason) lines.push(`    ${node.reason}`);
  if (node.usage) {
    const u = node.usage;
    lines.push(
      `    ${u.instrument}/${u.model}: ${u.inputTokens} input + ${u.outputTokens} output tokens, ` +
        `${u.costUsd === undefined ? 'no price known' : formatCost(u.costUsd)}`,
    );
  }
  for (const [port, hash] of Object.entries(node.outputs ?? {})) lines.push(`    output ${port}: ${hash}`);
  return lines.join('\n');
}

/** US dollars: to the cent above one, to a hundredth of a cent above a cent, else to a millionth. */
export function formatCost(usd: number): string {
  if (usd >= 1) return `$${usd.toFixed(2)}`;
  return usd >= 0.01 || usd === 0 ? `$${usd.toFixed(4)}` : `$${usd.toFixed(6)}`;
}

/** Columns padded to their widest cell. */
export function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]?.length ?? 0)));
  const format = (cells: readonly string[]) =>
    cells
      .map((cell, i) => (i === cells.length - 1 ? cell : cell.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  return [format(header), ...rows.map(format)].join('\n');
}
