// The board's multi-op edits (delete, duplicate, connect) and why a connection is refused, in words;
// shared by the pointer gestures (board-gestures.ts) and the keyboard and menu (board-keyboard.ts).
import {
  canFlow,
  createEdgeId,
  createNodeId,
  type DataType,
  type EdgeId,
  type NodeId,
  NodeLibrary,
  type Position,
  type Workflow,
  type WorkflowEdge,
} from '@symphony/schemas';
import type { BoardOp } from './board-history.js';

/** One gesture's change: its undo label and its operations. */
export interface BoardChange {
  readonly label: string;
  readonly ops: readonly BoardOp[];
}

/** One end of an edge: a node and one of its ports. */
export interface PortRef {
  readonly node: NodeId;
  readonly port: string;
}

/** How far a duplicate lands from its original, right and down, in board units. */
export const DUPLICATE_OFFSET = 40;

/**
 * Why an edge from output `from` to input `to` may not be drawn, in words ("Embedding cannot flow
 * into Text"); null when it may. Checks what drawing it would get wrong at once: a missing port, a
 * node into itself, data types that do not flow, the same edge twice.
 */
export function connectionRefusal(workflow: Workflow, from: PortRef, to: PortRef): string | null {
  const source = workflow.nodes[from.node];
  const target = workflow.nodes[to.node];
  const out = NodeLibrary.get(source?.type ?? '')?.outputs.find((p) => p.name === from.port);
  const into = NodeLibrary.get(target?.type ?? '')?.inputs.find((p) => p.name === to.port);
  if (!out) return 'That is not an output of this node';
  if (!into) return 'That is not an input of this node';
  if (from.node === to.node) return 'A node cannot connect to itself';
  if (!canFlow(out.type, into.type))
    return `${dataTypeName(out.type)} cannot flow into ${dataTypeName(into.type)}`;
  const duplicate = Object.values(workflow.edges).some(
    (e) =>
      e.from.node === from.node &&
      e.from.port === from.port &&
      e.to.node === to.node &&
      e.to.port === to.port,
  );
  return duplicate ? 'These ports are already connected' : null;
}

/** The change that draws an edge from `from` to `to`; null (with no change) when it is refused. */
export function connectChange(
  workflow: Workflow,
  from: PortRef,
  to: PortRef,
  newEdgeId: () => EdgeId = createEdgeId,
): BoardChange | null {
  if (connectionRefusal(workflow, from, to) !== null) return null;
  const edge: WorkflowEdge = {
    from: { node: from.node, port: from.port },
    to: { node: to.node, port: to.port },
  };
  return { label: 'Connect', ops: [{ op: 'put-edge', id: newEdgeId(), edge }] };
}

/**
 * The change that deletes the selected nodes (with every edge attached to them) and edges, as one
 * undoable gesture; null when nothing is selected.
 */
export function deleteSelectionEdit(
  workflow: Workflow,
  selectedNodes: ReadonlySet<NodeId>,
  selectedEdges: ReadonlySet<EdgeId>,
): BoardChange | null {
  if (selectedNodes.size === 0 && selectedEdges.size === 0) return null;
  const edges = new Set<EdgeId>(selectedEdges);
  for (const [id, edge] of Object.entries(workflow.edges) as [EdgeId, WorkflowEdge][]) {
    if (selectedNodes.has(edge.from.node) || selectedNodes.has(edge.to.node)) edges.add(id);
  }
  const ops: BoardOp[] = [
    ...[...edges].map((id): BoardOp => ({ op: 'remove-edge', id })),
    ...[...selectedNodes].map((id): BoardOp => ({ op: 'remove-node', id })),
  ];
  const n = selectedNodes.size;
  return { label: n > 0 ? `Delete ${n} ${n === 1 ? 'node' : 'nodes'}` : 'Delete edge', ops };
}

/**
 * The change that copies the selected nodes (parameters and label too) {@link DUPLICATE_OFFSET} to
 * the right and down, with the edges between them; `copies` are the new nodes, to select.
 */
export function duplicateChange(
  workflow: Workflow,
  selectedNodes: ReadonlySet<NodeId>,
  ids: { newNodeId?: () => NodeId; newEdgeId?: () => EdgeId } = {},
): (BoardChange & { readonly copies: readonly NodeId[] }) | null {
  const copyOf = new Map<NodeId, NodeId>();
  const ops: BoardOp[] = [];
  for (const id of selectedNodes) {
    const node = workflow.nodes[id];
    if (!node) continue;
    const copy = (ids.newNodeId ?? createNodeId)();
    copyOf.set(id, copy);
    const position: Position = {
      x: node.position.x + DUPLICATE_OFFSET,
      y: node.position.y + DUPLICATE_OFFSET,
    };
    ops.push({ op: 'put-node', id: copy, node: { ...structuredClone(node), position } });
  }
  if (copyOf.size === 0) return null;
  for (const edge of Object.values(workflow.edges)) {
    const from = copyOf.get(edge.from.node);
    const to = copyOf.get(edge.to.node);
    if (from === undefined || to === undefined) continue;
    const copied: WorkflowEdge = {
      from: { node: from, port: edge.from.port },
      to: { node: to, port: edge.to.port },
    };
    ops.push({ op: 'put-edge', id: (ids.newEdgeId ?? createEdgeId)(), edge: copied });
  }
  const n = copyOf.size;
  return { label: n === 1 ? 'Duplicate node' : `Duplicate ${n} nodes`, ops, copies: [...copyOf.values()] };
}

/** A data type as people read it: "Embedding", "Text list", "JSON". */
export function dataTypeName(type: DataType): string {
  if (type === 'json') return 'JSON';
  const words = type.replace('-', ' ');
  return words[0].toUpperCase() + words.slice(1);
}
