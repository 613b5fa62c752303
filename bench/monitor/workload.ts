/**
 * The monitor benchmark's workflow: node types of the shipped node library that run offline and fast,
 * laid out on a grid that the board fits on one screen, and which of a run's journal records change
 * what a board shows.
 */
import {
  type DocumentId,
  type EdgeId,
  type NodeId,
  NodeLibrary,
  NodeState,
  type RunEvent,
  type Workflow,
  type WorkflowNode,
} from '@symphony/schemas';

/** Grid pitch on the board: a node is 200 × 86 board pixels (join-text: two port rows). */
const COLUMN_PITCH = 230;
const ROW_PITCH = 110;

function libraryNode(type: string, params: Record<string, unknown>, x: number, y: number): WorkflowNode {
  const spec = NodeLibrary.get(type);
  if (spec === undefined) throw new Error(`boardWorkflow: no node type ${type} in the node library`);
  return { type, kind: spec.kind, params: { ...spec.defaults, ...params }, position: { x, y } };
}

/**
 * A layered DAG of `count` nodes for the shipped executor (the shape of bench/orchestrator's
 * `layeredWorkflow`, with library node types): one `read-document` of `documentId`, then layers of
 * `width` `join-text` nodes, each joining `fanIn` outputs of the layer before (the first layer
 * joins the document). Every node has its own separator, so outputs differ from node to node as real
 * outputs do (a text doubles per layer at fan-in 2, a few KB at the tenth). Nodes sit on a grid
 * `columns` wide in id order, so the board's fit shows all of them.
 */
export function boardWorkflow(options: {
  count: number;
  width: number;
  fanIn: number;
  columns: number;
  documentId: DocumentId;
}): Workflow {
  const { count, width, fanIn, columns } = options;
  const at = (i: number) => [(i % columns) * COLUMN_PITCH, Math.floor(i / columns) * ROW_PITCH] as const;
  const workflow: Workflow = { name: `Monitor bench, ${count} nodes`, nodes: {}, edges: {} };
  const id = (i: number) => `n${String(i).padStart(4, '0')}` as NodeId;
  workflow.nodes[id(0)] = libraryNode('read-document', { documentId: options.documentId }, ...at(0));
  let edge = 0;
  const connect = (from: number, to: number) => {
    workflow.edges[`e${String(edge++).padStart(5, '0')}` as EdgeId] = {
      from: { node: id(from), port: from === 0 ? 'document' : 'text' },
      to: { node: id(to), port: 'parts' },
    };
  };
  for (let i = 1; i < count; i++) {
    workflow.nodes[id(i)] = libraryNode('join-text', { separator: ` ${i} ` }, ...at(i));
    const layer = Math.floor((i - 1) / width);
    if (layer === 0) {
      connect(0, i);
      continue;
    }
    const previous = 1 + (layer - 1) * width;
    for (let k = 0; k < fanIn; k++) connect(previous + ((i - 1 + k) % width), i);
  }
  return workflow;
}

/** The state a journal record puts its node in, or undefined for a record about the run. */
export function nodeStateOf(event: RunEvent): { nodeId: NodeId; state: NodeState } | undefined {
  const of = (state: NodeState) =>
    'nodeId' in event && event.nodeId ? { nodeId: event.nodeId, state } : undefined;
  switch (event.type) {
    case 'node.queued':
      return of(NodeState.queued);
    case 'node.running':
      return of(NodeState.running);
    case 'node.retrying':
      return of(NodeState.retrying);
    case 'node.succeeded':
      return of(NodeState.succeeded);
    case 'node.cached':
      return of(NodeState.cached);
    case 'node.failed':
      return of(NodeState.failed);
    case 'node.cancelled':
      return of(NodeState.cancelled);
    case 'node.skipped':
      return of(NodeState.skipped);
    default:
      return undefined;
  }
}
