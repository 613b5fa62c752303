// How runs read in a terminal: one line per node as it finishes, a run's start and end, its
// source, and a refused workflow's findings. Pure: states and records in, text out.
import type { NodeRunState, RunState } from '@symphony/pit';
import type { Finding, NodeId, NodeState, RunEvent, RunSource, Workflow } from '@symphony/schemas';

/** A duration for people: `340 ms`, `2.4 s`, `3 min 05 s`. */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.max(0, Math.round(ms))} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const minutes = Math.floor(ms / 60_000);
  const seconds = Math.floor((ms % 60_000) / 1000);
  return `${minutes} min ${String(seconds).padStart(2, '0')} s`;
}

/** A node as people know it: its type, its label when it has one, and its id (what `--from` and `--node` take). */
export function describeNode(workflow: Workflow, nodeId: NodeId): string {
  const node = workflow.nodes[nodeId];
  if (node === undefined) return nodeId;
  return `${node.type}${node.label ? ` "${node.label}"` : ''} (${nodeId})`;
}

/** Where a run's workflow came from, with its pin. */
export function describeSource(source: RunSource): string {
  if (source.kind === 'file') return `${source.path} (sha256 ${source.hash})`;
  return `workflow ${source.workflowId} on ${source.server} (heads ${source.heads.join(', ') || 'none'})`;
}

/** The line printed when a run starts. */
export function startLine(state: RunState): string {
  const what = state.options.rerunOf
    ? `, re-running ${state.options.rerunOf}${state.options.from ? ` from ${state.options.from}` : ''}`
    : '';
  const cache = state.options.cache ? '' : ', cache off';
  return `run ${state.runId}: "${state.workflow.name}", ${state.nodes.size} nodes, from ${describeSource(state.source)}${what}${cache}`;
}

/**
 * The line for a record that ends a node (succeeded, cached, failed, cancelled, skipped) or
 * retries it, given the node's state after the record and when its first attempt started;
 * undefined for records that get no line of their own.
 */
export function nodeLine(
  state: RunState,
  event: RunEvent,
  firstStartedAt: number | undefined,
): string | undefined {
  if (!('nodeId' in event) || event.nodeId === undefined || event.type === 'run.cancelRequested')
    return undefined;
  const name = describeNode(state.workflow, event.nodeId);
  const took = firstStartedAt === undefined ? '' : `  ${formatDuration(event.at - firstStartedAt)}`;
  switch (event.type) {
    case 'node.succeeded':
      return `succeeded  ${name}${took}  attempt ${event.attempt}`;
    case 'node.cached':
      return `cached     ${name}${event.fromRun ? `  from ${event.fromRun}` : ''}`;
    case 'node.failed':
      return `failed     ${name}${took}  attempt ${event.attempt}  ${event.error.code}: ${event.error.message}`;
    case 'node.retrying':
      return `retrying   ${name}  attempt ${event.attempt} failed (${event.error.code}: ${event.error.message}); next attempt in ${formatDuration(event.retryAt - event.at)}`;
    case 'node.cancelled':
      return `cancelled  ${name}${took}  ${event.reason}`;
    case 'node.skipped':
      return `skipped    ${name}  ${event.reason}`;
    default:
      return undefined;
  }
}

/** How many nodes ended in each state, e.g. `3 succeeded, 2 cached`. */
export function countsText(counts: Readonly<Record<NodeState, number>>): string {
  const parts = Object.entries(counts)
    .filter(([, count]) => count > 0)
    .map(([name, count]) => `${count} ${name}`);
  return parts.length === 0 ? 'no nodes' : parts.join(', ');
}

/** The line printed when a run ends, with what to do next when it did not succeed. */
export function summaryLine(state: RunState): string {
  const took =
    state.finishedAt === undefined ? '' : ` in ${formatDuration(state.finishedAt - state.startedAt)}`;
  const head = `run ${state.runId} ${state.status}${took}: ${countsText(state.counts)}`;
  if (state.status === 'succeeded') return head;
  const failed = [...state.nodes.values()].find((n) => n.state === 'failed');
  const next = failed
    ? `; see "symphony runs show ${state.runId}", then re-run from the failed node with "symphony runs rerun ${state.runId} --from ${failed.nodeId}"`
    : `; see "symphony runs show ${state.runId}"`;
  return `${head}${next}`;
}

/** A refused workflow's findings, one per line: severity, where, what, and what to do. */
export function findingsText(findings: readonly Finding[], workflow: Workflow | undefined): string {
  const lines = findings.map((f) => {
    const where =
      f.target.kind === 'node'
        ? `node ${workflow ? describeNode(workflow, f.target.id) : f.target.id}`
        : f.target.kind === 'edge'
          ? `edge ${f.target.id}`
          : 'workflow';
    return `  ${f.severity}: ${where}: ${f.message}${f.hint ? `\n    hint: ${f.hint}` : ''}`;
  });
  return lines.join('\n');
}

/** How long a node took, from its first attempt's start to its end (or to `now` while it runs). */
export function nodeDuration(
  node: NodeRunState,
  firstStartedAt: number | undefined,
  now: number,
): number | undefined {
  const start = firstStartedAt ?? node.startedAt;
  if (start === undefined) return undefined;
  return (node.finishedAt ?? now) - start;
}
