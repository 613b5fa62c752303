// Re-run from a node: which nodes of the new run take the old run's outputs. Pure.
import { isFinalNodeState, type RunState } from '@symphony/pit';
import type { NodeId, NodeOutputs, RunId, Workflow } from '@symphony/schemas';
import { canonicalJson } from './cache-key.js';
import { descendants, type RunGraph } from './graph.js';

/** Outputs a node of the new run takes from the old one, and which run made them. */
export interface Reused {
  readonly outputs: NodeOutputs;
  readonly fromRun: RunId;
}

/**
 * The nodes of a re-run (by graph index) that take the old run's outputs instead of running: every
 * node outside `from` and its descendants that succeeded (or was cached) in `previous`, has the
 * same type and params as then, is wired to the same upstream ports, and whose upstream nodes are
 * all reused too (a changed node upstream changes its inputs). `from` and its descendants run.
 */
export function reusedByRerun(
  previous: RunState,
  graph: RunGraph,
  workflow: Workflow,
  from: NodeId,
): Map<number, Reused> {
  const start = graph.index.get(from);
  const rerun = descendants(graph, start === undefined ? [] : [start]);
  const reused = new Map<number, Reused>();
  const wiredBefore = wiring(previous.workflow);
  const wiredNow = wiring(workflow);
  for (const i of topologicalOrder(graph)) {
    const node = graph.nodes[i]!;
    if (rerun.has(i) || !node.parents.every((p) => reused.has(p))) continue;
    const old = previous.nodes.get(node.id);
    const before = previous.workflow.nodes[node.id];
    const now = workflow.nodes[node.id]!;
    if (old === undefined || before === undefined || old.outputs === undefined) continue;
    if (!isFinalNodeState(old.state) || (old.state !== 'succeeded' && old.state !== 'cached')) continue;
    if (before.type !== now.type || canonicalJson(before.params) !== canonicalJson(now.params)) continue;
    if (wiredBefore.get(node.id) !== wiredNow.get(node.id)) continue;
    reused.set(i, { outputs: old.outputs, fromRun: previous.runId });
  }
  return reused;
}

/** For each node with inputs: the edges into it, in edge order, as a comparable string. */
function wiring(workflow: Workflow): Map<string, string> {
  const into = new Map<string, string[][]>();
  for (const id of Object.keys(workflow.edges).sort()) {
    const edge = workflow.edges[id as keyof Workflow['edges']]!;
    const list = into.get(edge.to.node) ?? [];
    list.push([edge.to.port, edge.from.node, edge.from.port]);
    into.set(edge.to.node, list);
  }
  return new Map([...into].map(([node, edges]) => [node, JSON.stringify(edges)]));
}

/** The graph's node indices, every node after all its parents (Kahn's algorithm). */
export function topologicalOrder(graph: RunGraph): number[] {
  const pending = graph.nodes.map((n) => n.parents.length);
  const order = graph.nodes.filter((n) => n.parents.length === 0).map((n) => n.index);
  for (let k = 0; k < order.length; k++) {
    for (const child of graph.nodes[order[k]!]!.children) if (--pending[child]! === 0) order.push(child);
  }
  return order;
}
