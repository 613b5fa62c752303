// The Harmony Board's undo and redo: Workflow edits as invertible ops (BoardOp, applyOps) and
// BoardHistory, one person's stacks that never undo a collaborator's changes.
import {
  type EdgeId,
  type NodeId,
  type Position,
  renameWorkflow,
  setParam,
  type Workflow,
  type WorkflowEdge,
  type WorkflowNode,
} from '@symphony/schemas';

/**
 * One primitive edit of a workflow. A board gesture is a list of these; its inverse is another list,
 * computed against the document as it was just before the gesture, so undo restores exactly what
 * the gesture replaced — and touches nothing a collaborator changed since.
 */
export type BoardOp =
  | { readonly op: 'put-node'; readonly id: NodeId; readonly node: WorkflowNode }
  | { readonly op: 'remove-node'; readonly id: NodeId }
  | { readonly op: 'put-edge'; readonly id: EdgeId; readonly edge: WorkflowEdge }
  | { readonly op: 'remove-edge'; readonly id: EdgeId }
  | { readonly op: 'move'; readonly positions: readonly (readonly [NodeId, Position])[] }
  | { readonly op: 'set-param'; readonly node: NodeId; readonly name: string; readonly value: unknown }
  | { readonly op: 'rename'; readonly name: string };

/**
 * Applies `ops` to `workflow` in order (inside `handle.change` they become one Automerge change)
 * and returns the ops that undo them, already in the order to apply. Ops on things that no longer
 * exist do nothing and have no inverse.
 */
export function applyOps(workflow: Workflow, ops: readonly BoardOp[]): BoardOp[] {
  const inverse: BoardOp[] = [];
  for (const o of ops) {
    switch (o.op) {
      case 'put-node': {
        const before = workflow.nodes[o.id];
        inverse.push(
          before ? { op: 'put-node', id: o.id, node: plain(before) } : { op: 'remove-node', id: o.id },
        );
        workflow.nodes[o.id] = plain(o.node);
        break;
      }
      case 'remove-node': {
        const before = workflow.nodes[o.id];
        if (!before) break;
        inverse.push({ op: 'put-node', id: o.id, node: plain(before) });
        delete workflow.nodes[o.id];
        break;
      }
      case 'put-edge': {
        const before = workflow.edges[o.id];
        inverse.push(
          before ? { op: 'put-edge', id: o.id, edge: plain(before) } : { op: 'remove-edge', id: o.id },
        );
        workflow.edges[o.id] = plain(o.edge);
        break;
      }
      case 'remove-edge': {
        const before = workflow.edges[o.id];
        if (!before) break;
        inverse.push({ op: 'put-edge', id: o.id, edge: plain(before) });
        delete workflow.edges[o.id];
        break;
      }
      case 'move': {
        const back: [NodeId, Position][] = [];
        for (const [id, to] of o.positions) {
          const node = workflow.nodes[id];
          if (!node) continue;
          back.push([id, { x: node.position.x, y: node.position.y }]);
          node.position.x = to.x;
          node.position.y = to.y;
        }
        if (back.length > 0) inverse.push({ op: 'move', positions: back });
        break;
      }
      case 'set-param': {
        const node = workflow.nodes[o.node];
        if (!node) break;
        const before: unknown = node.params[o.name];
        inverse.push({
          op: 'set-param',
          node: o.node,
          name: o.name,
          value: before === undefined ? undefined : plain(before),
        });
        setParam(workflow, o.node, o.name, o.value === undefined ? undefined : plain(o.value));
        break;
      }
      case 'rename': {
        inverse.push({ op: 'rename', name: workflow.name });
        renameWorkflow(workflow, o.name);
        break;
      }
    }
  }
  return inverse.reverse();
}

/** One undoable gesture: what to apply to undo it. */
export interface HistoryEntry {
  readonly label: string;
  readonly undo: readonly BoardOp[];
}

/**
 * This person's undo and redo stacks for one board. Collaborators' edits are never undone: each
 * entry holds the inverse of this person's own gesture, and applying it is a new change.
 */
export class BoardHistory {
  private readonly undoStack: HistoryEntry[] = [];
  private readonly redoStack: HistoryEntry[] = [];

  /** @param limit how many gestures to remember (200: far more than anyone undoes in a row). */
  constructor(private readonly limit = 200) {}

  /** Whether there is something to undo. */
  get canUndo(): boolean {
    return this.undoStack.length > 0;
  }

  /** Whether there is something to redo. */
  get canRedo(): boolean {
    return this.redoStack.length > 0;
  }

  /** Records a new gesture's inverse; clears the redo stack. Empty inverses are not recorded. */
  record(label: string, undo: readonly BoardOp[]): void {
    if (undo.length === 0) return;
    this.undoStack.push({ label, undo });
    if (this.undoStack.length > this.limit) this.undoStack.shift();
    this.redoStack.length = 0;
  }

  /**
   * Undoes the latest gesture: `apply` applies ops (in one change) and returns their inverse,
   * which becomes the redo entry. Returns the label, or null when there was nothing to undo.
   */
  undo(apply: (ops: readonly BoardOp[]) => BoardOp[]): string | null {
    const entry = this.undoStack.pop();
    if (entry === undefined) return null;
    const redo = apply(entry.undo);
    this.redoStack.push({ label: entry.label, undo: redo });
    return entry.label;
  }

  /** Redoes the latest undone gesture; the mirror of {@link BoardHistory.undo}. */
  redo(apply: (ops: readonly BoardOp[]) => BoardOp[]): string | null {
    const entry = this.redoStack.pop();
    if (entry === undefined) return null;
    const undo = apply(entry.undo);
    this.undoStack.push({ label: entry.label, undo });
    return entry.label;
  }

  /** Forgets everything (another workflow was opened). */
  clear(): void {
    this.undoStack.length = 0;
    this.redoStack.length = 0;
  }
}

/** A plain, JSON-safe copy (Automerge proxies and frozen docs become ordinary objects). */
function plain<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}
