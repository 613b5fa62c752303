// The graph a run executes: its runnable nodes by index, their parsed params, and each input port's
// sources in edge order. Pure, built once per run from the pinned workflow.
import type { DataType, EdgeId, NodeId, NodeTypeSpec, PortSpec, Workflow } from '@symphony/schemas';
import { NodeKind } from '@symphony/schemas';

/** One edge into an input port: the producing node (by index) and its output port. */
export interface GraphSource {
  readonly node: number;
  readonly port: string;
  /** The producing port's data type. */
  readonly type: DataType;
}

/** One input port of a node and what feeds it. */
export interface GraphInput {
  readonly port: string;
  readonly type: DataType;
  /** Edges into this port in edge order: ascending edge id, the order validation uses. */
  readonly sources: readonly GraphSource[];
}

/** One node that runs. */
export interface GraphNode {
  readonly index: number;
  readonly id: NodeId;
  readonly type: string;
  readonly spec: NodeTypeSpec;
  /** Params as the node type's schema parses them (defaults filled in). */
  readonly params: Readonly<Record<string, unknown>>;
  /** Every input port of the node type, in the type's port order. */
  readonly inputs: readonly GraphInput[];
  readonly outputs: readonly PortSpec[];
  /** Distinct producing nodes. */
  readonly parents: readonly number[];
  /** Distinct consuming nodes. */
  readonly children: readonly number[];
}

/** A run's graph: runnable nodes in node id order (addon nodes are left out: they never run). */
export interface RunGraph {
  readonly nodes: readonly GraphNode[];
  readonly index: ReadonlyMap<NodeId, number>;
}

/**
 * The graph of a workflow that passed `validateWorkflow` with no error: every node type is in
 * `library`, every edge joins existing ports, and there is no cycle. Throws `Error` otherwise,
 * since that is a bug in the caller, not a user's mistake. `params` are the report's parsed params
 * (`WorkflowReport.params`); a node missing from it has its params parsed here.
 */
export function buildRunGraph(
  workflow: Workflow,
  library: ReadonlyMap<string, NodeTypeSpec>,
  params?: ReadonlyMap<NodeId, Readonly<Record<string, unknown>>>,
): RunGraph {
  const ids: NodeId[] = [];
  for (const id in workflow.nodes)
    if (workflow.nodes[id as NodeId]!.kind !== NodeKind.addon) ids.push(id as NodeId);
  ids.sort();
  const index = new Map<NodeId, number>();
  const specs: NodeTypeSpec[] = new Array(ids.length);
  // Each node's input ports, in the type's port order, filled with their sources edge by edge.
  const inputs: GraphInput[][] = new Array(ids.length);
  for (let i = 0; i < ids.length; i++) {
    const spec = library.get(workflow.nodes[ids[i]!]!.type);
    if (spec === undefined)
      throw new Error(`buildRunGraph: node ${ids[i]} has an unknown type; validate first`);
    index.set(ids[i]!, i);
    specs[i] = spec;
    const ports: GraphInput[] = new Array(spec.inputs.length);
    for (let p = 0; p < ports.length; p++) {
      const port = spec.inputs[p]!;
      ports[p] = { port: port.name, type: port.type, sources: [] };
    }
    inputs[i] = ports;
  }
  const parents: number[][] = new Array(ids.length);
  const children: number[][] = new Array(ids.length);
  for (let i = 0; i < ids.length; i++) {
    parents[i] = [];
    children[i] = [];
  }
  const parentSets: (Set<number> | undefined)[] = new Array(ids.length);
  for (const edgeId of Object.keys(workflow.edges).sort()) {
    const edge = workflow.edges[edgeId as EdgeId]!;
    const from = index.get(edge.from.node);
    const to = index.get(edge.to.node);
    if (from === undefined || to === undefined) {
      throw new Error(`buildRunGraph: edge ${edgeId} joins a node that does not run; validate first`);
    }
    const out = portNamed(specs[from]!.outputs, edge.from.port);
    if (out === undefined)
      throw new Error(`buildRunGraph: edge ${edgeId} leaves an unknown port; validate first`);
    const into = inputNamed(inputs[to]!, edge.to.port);
    if (into !== undefined)
      (into.sources as GraphSource[]).push({ node: from, port: edge.from.port, type: out.type });
    // Two edges between the same pair of nodes count once: a parent is one dependency.
    if (!hasParent(parents, parentSets, to, from)) {
      parents[to]!.push(from);
      children[from]!.push(to);
      parentSets[to]?.add(from);
    }
  }
  const nodes: GraphNode[] = new Array(ids.length);
  for (let i = 0; i < ids.length; i++) {
    const id = ids[i]!;
    const spec = specs[i]!;
    nodes[i] = {
      index: i,
      id,
      type: spec.type,
      spec,
      params: params?.get(id) ?? (spec.params.parse(workflow.nodes[id]!.params) as Record<string, unknown>),
      inputs: inputs[i]!,
      outputs: spec.outputs,
      parents: parents[i]!,
      children: children[i]!,
    };
  }
  return { nodes, index };
}

function inputNamed(inputs: readonly GraphInput[], name: string): GraphInput | undefined {
  for (const input of inputs) if (input.port === name) return input;
  return undefined;
}

/** Whether `from` is already a parent of `to`: a scan for few parents, a set for many (a wide join). */
function hasParent(
  parents: number[][],
  sets: (Set<number> | undefined)[],
  to: number,
  from: number,
): boolean {
  const list = parents[to]!;
  if (list.length < 16) return list.includes(from);
  sets[to] ??= new Set(list);
  return sets[to].has(from);
}

function portNamed(ports: readonly PortSpec[], name: string): PortSpec | undefined {
  for (const port of ports) if (port.name === name) return port;
  return undefined;
}

/** The indices of `roots` and every node downstream of them. */
export function descendants(graph: RunGraph, roots: readonly number[]): Set<number> {
  const seen = new Set<number>(roots);
  const stack = [...roots];
  while (stack.length > 0) {
    for (const child of graph.nodes[stack.pop()!]!.children) {
      if (!seen.has(child)) {
        seen.add(child);
        stack.push(child);
      }
    }
  }
  return seen;
}
