// Edits of a workflow, one function per gesture, as plain mutations usable inside an Automerge change.
import { type EdgeId, NodeId, type Position, type Workflow, type WorkflowEdge } from './model.js';
import { NodeLibrary, type NodeTypeSpec } from './node-library.js';

/**
 * Edits of a workflow, as plain mutations of a `Workflow`-shaped object: called inside
 * automerge-repo's `handle.change(doc => …)` they become Automerge operations; on a plain object
 * they edit it directly. One function per gesture, so a gesture is one change.
 */

/** A fresh, random node id (URL-safe, 16 characters). */
export function createNodeId(): NodeId {
  return `n${randomSuffix()}` as NodeId;
}

/** A fresh, random edge id. Edge ids order edges when a merge closes a cycle. */
export function createEdgeId(): EdgeId {
  return `e${randomSuffix()}` as EdgeId;
}

function randomSuffix(): string {
  return globalThis.crypto.randomUUID().replaceAll('-', '').slice(0, 15);
}

/** Adds a node of `type` with its default parameters; returns its id. */
export function addNode(
  workflow: Workflow,
  type: string,
  position: Position,
  id: NodeId = createNodeId(),
  library: ReadonlyMap<string, NodeTypeSpec> = NodeLibrary,
): NodeId {
  const spec = library.get(type);
  if (!spec) throw new Error(`addNode: unknown node type "${type}"; pick one from NodeLibrary.`);
  workflow.nodes[id] = {
    type,
    kind: spec.kind,
    params: structuredClone({ ...spec.defaults }),
    position: { x: position.x, y: position.y },
  };
  return id;
}

/** Connects an output port to an input port; returns the edge's id. */
export function connect(
  workflow: Workflow,
  from: WorkflowEdge['from'],
  to: WorkflowEdge['to'],
  id: EdgeId = createEdgeId(),
): EdgeId {
  workflow.edges[id] = { from: { node: from.node, port: from.port }, to: { node: to.node, port: to.port } };
  return id;
}

/** Moves nodes to new positions (one gesture may move a whole selection). */
export function moveNodes(workflow: Workflow, positions: ReadonlyMap<NodeId, Position>): void {
  for (const [id, position] of positions) {
    const node = workflow.nodes[id];
    if (!node) continue;
    node.position.x = position.x;
    node.position.y = position.y;
  }
}

/**
 * The edges attached to any of `nodes`. Read them from the document *outside* a change (the
 * handle's current doc): inside `handle.change`, every read goes through Automerge's draft proxy,
 * and scanning 15,000 edges that way takes over a second.
 */
export function edgesAttachedTo(workflow: Workflow, nodes: Iterable<NodeId>): EdgeId[] {
  const doomed = new Set(nodes);
  const attached: EdgeId[] = [];
  for (const [id, edge] of Object.entries(workflow.edges)) {
    if (doomed.has(edge.from.node) || doomed.has(edge.to.node)) attached.push(id as EdgeId);
  }
  return attached;
}

/**
 * Deletes nodes and edges, as one gesture. Pass every edge attached to the nodes (see
 * {@link edgesAttachedTo}); an edge left out would stay behind and be reported as dangling.
 */
export function deleteElements(workflow: Workflow, nodes: Iterable<NodeId>, edges: Iterable<EdgeId>): void {
  for (const id of edges) delete workflow.edges[id];
  for (const id of nodes) delete workflow.nodes[id];
}

/** Sets one parameter of a node. */
export function setParam(workflow: Workflow, node: NodeId, name: string, value: unknown): void {
  const target = workflow.nodes[node];
  if (!target) return;
  if (value === undefined) delete target.params[name];
  else target.params[name] = value;
}

/** Renames the workflow. */
export function renameWorkflow(workflow: Workflow, name: string): void {
  workflow.name = name;
}

/** Parses a string as a node id; throws a clear error if it is not one. */
export function toNodeId(value: string): NodeId {
  return NodeId.parse(value);
}
