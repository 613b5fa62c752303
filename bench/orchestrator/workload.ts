/**
 * What the orchestrator benchmark runs: no-op node types and their step, the two workflow shapes
 * (a 10,000-node layered DAG and a 1-source → 1,000 → 1-sink fan-out/fan-in), and the anchor, a bare
 * in-memory Kahn loop that runs the same step over the same graph.
 */

import type { Step, StepContext, StepValue } from '@symphony/orchestrator';
import {
  DataType,
  type EdgeId,
  type NodeId,
  NodeKind,
  NodeLibrary,
  type NodeTypeSpec,
  type PortSpec,
  type Workflow,
} from '@symphony/schemas';
import { z } from 'zod';

const out: PortSpec = { name: 'out', type: DataType.text, label: 'Out' };
const inputs: PortSpec = { name: 'in', type: DataType.text, label: 'In', multiple: true };

function spec(type: string, ins: readonly PortSpec[], outs: readonly PortSpec[]): NodeTypeSpec {
  return {
    type,
    kind: NodeKind.operator,
    title: type,
    description: `benchmark node type ${type}: does nothing`,
    category: 'Bench',
    inputs: ins,
    outputs: outs,
    params: z.object({}),
    defaults: {},
  };
}

/** `bench-source` (no input), `bench-node` (any number of text inputs, one text output). */
export const benchNodeTypes: readonly NodeTypeSpec[] = [
  spec('bench-source', [], [out]),
  spec('bench-node', [inputs], [out]),
];

/** The shared node library plus {@link benchNodeTypes}: what the executor validates against. */
export const benchLibrary: ReadonlyMap<string, NodeTypeSpec> = new Map([
  ...NodeLibrary,
  ...benchNodeTypes.map((s) => [s.type, s] as const),
]);

/**
 * The no-op: returns its node id as its one output (distinct bytes per node, as real outputs are;
 * identical bytes would make every put of the store add provenance to one artifact). Not
 * deterministic, so nothing is cached and every node runs every time.
 */
function noop(context: Pick<StepContext, 'nodeId' | 'inputs'>): Promise<Readonly<Record<string, StepValue>>> {
  return Promise.resolve({ out: context.nodeId });
}

/** The executor's steps: the no-op for both bench node types. */
export const benchSteps: ReadonlyMap<string, Step> = new Map(
  benchNodeTypes.map(
    (s) => [s.type, { type: s.type, version: '1', deterministic: false, run: noop }] as const,
  ),
);

/** A fresh workflow (a new object each time: the executor parses and pins its own copy anyway). */
function workflowOf(
  nodes: readonly (readonly [string, string])[],
  edges: readonly (readonly [string, string])[],
) {
  const workflow: Workflow = { name: 'bench', nodes: {}, edges: {} };
  for (const [id, type] of nodes) {
    workflow.nodes[id as NodeId] = { type, kind: NodeKind.operator, params: {}, position: { x: 0, y: 0 } };
  }
  edges.forEach(([from, to], i) => {
    workflow.edges[`e${String(i).padStart(6, '0')}` as EdgeId] = {
      from: { node: from as NodeId, port: 'out' },
      to: { node: to as NodeId, port: 'in' },
    };
  });
  return workflow;
}

/**
 * A layered DAG of `count` nodes, `width` per layer: layer 0 are sources, every other node takes
 * the outputs of `fanIn` nodes of the layer before (the shape of the orchestrator's own tests).
 * 10,000 × 100 × 2 gives 10,000 nodes, 19,800 edges and 100 layers.
 */
export function layeredWorkflow(count: number, width: number, fanIn: number): Workflow {
  const nodes: [string, string][] = [];
  const edges: [string, string][] = [];
  for (let i = 0; i < count; i++) {
    const layer = Math.floor(i / width);
    nodes.push([`n${i}`, layer === 0 ? 'bench-source' : 'bench-node']);
    if (layer === 0) continue;
    const previous = (layer - 1) * width;
    for (let k = 0; k < fanIn; k++) edges.push([`n${previous + ((i + k) % width)}`, `n${i}`]);
  }
  return workflowOf(nodes, edges);
}

/** One source, `width` nodes that each take its output, one sink that takes all of theirs. */
export function fanOutInWorkflow(width: number): Workflow {
  const nodes: [string, string][] = [['source', 'bench-source']];
  const edges: [string, string][] = [];
  for (let i = 0; i < width; i++) {
    nodes.push([`w${i}`, 'bench-node']);
    edges.push(['source', `w${i}`], [`w${i}`, 'sink']);
  }
  nodes.push(['sink', 'bench-node']);
  return workflowOf(nodes, edges);
}

/** How many nodes a workflow runs. */
export function nodeCount(workflow: Workflow): number {
  return Object.keys(workflow.nodes).length;
}

/**
 * The anchor: a bare in-memory Kahn loop over the same workflow. It indexes the nodes and edges,
 * then runs the same no-op step for each node in dependency order, one at a time, handing each
 * node its producers' outputs; nothing is validated, journaled or stored. Resolves to the number
 * of nodes run.
 */
export async function kahnRun(workflow: Workflow): Promise<number> {
  const ids = Object.keys(workflow.nodes) as NodeId[];
  const index = new Map<NodeId, number>();
  for (let i = 0; i < ids.length; i++) index.set(ids[i]!, i);
  const pending = new Uint32Array(ids.length);
  const children: number[][] = ids.map(() => []);
  const parents: number[][] = ids.map(() => []);
  for (const id in workflow.edges) {
    const edge = workflow.edges[id as EdgeId]!;
    const from = index.get(edge.from.node)!;
    const to = index.get(edge.to.node)!;
    children[from]!.push(to);
    parents[to]!.push(from);
    pending[to]!++;
  }
  const values: (StepValue | undefined)[] = new Array(ids.length);
  const queue: number[] = [];
  for (let i = 0; i < ids.length; i++) if (pending[i] === 0) queue.push(i);
  for (let head = 0; head < queue.length; head++) {
    const i = queue[head]!;
    const outputs = await noop({ nodeId: ids[i]!, inputs: { in: parents[i]!.map((p) => values[p]!) } });
    values[i] = outputs.out;
    for (const child of children[i]!) if (--pending[child]! === 0) queue.push(child);
  }
  if (queue.length !== ids.length) throw new Error(`kahnRun: ran ${queue.length} of ${ids.length} nodes`);
  return queue.length;
}
