// The Harmony Board's gestures as a pure state machine: pointer, wheel and key inputs (already
// hit-tested, no DOM) in, the next gesture and the commands for <harmony-board> to apply out.
import {
  type EdgeId,
  type NodeId,
  NodeLibrary,
  type PortSpec,
  type Position,
  type Workflow,
  type WorkflowNode,
} from '@symphony/schemas';
import { type BoardChange, connectChange, connectionRefusal, type PortRef } from './board-edits.js';
import { intersects, nodeSize, rectFromPoints, toBoard, type Viewport, zoomAt } from './board-geometry.js';
import type { BoardOp } from './board-history.js';
import { actionStep, contextMenuStep, keyStep } from './board-keyboard.js';
import type { BoardAction } from './board-shortcuts.js';

export { deleteSelectionEdit } from './board-edits.js';
export { NUDGE } from './board-keyboard.js';

/** Detail of `board-edit`: one gesture, to apply as one change. */
export type BoardEdit = BoardChange;

/** Detail of `selection-change`. */
export interface BoardSelection {
  readonly nodes: readonly NodeId[];
  readonly edges: readonly EdgeId[];
}

/** Detail of `presence-change`: what collaborators should see of this person. */
export interface BoardActivity {
  readonly pointer: Position | null;
  readonly dragging: readonly (readonly [string, Position])[];
}

/**
 * The gesture in progress: panning, moving nodes, drawing an edge (with why it cannot land where
 * the pointer is, if so), a selection band, or connecting by keyboard (`link`, after C).
 */
export type BoardGesture =
  | { kind: 'pan'; start: Position; origin: Viewport; moved: boolean; pointerId: number }
  | {
      kind: 'move';
      start: Position;
      ids: NodeId[];
      dx: number;
      dy: number;
      moved: boolean;
      pointerId: number;
    }
  | {
      kind: 'connect';
      from: { node: NodeId; port: string; type: PortSpec['type'] };
      start: Position;
      at: Position;
      pointerId: number;
      /** Why the input under the pointer cannot take this edge; null over anything else. */
      refusal?: string | null;
    }
  | { kind: 'band'; start: Position; at: Position; additive: readonly NodeId[]; pointerId: number }
  | {
      kind: 'link';
      from: { node: NodeId; port: string; type: PortSpec['type'] };
      target: PortRef | null;
      refusal: string | null;
    };

/** What is under the pointer, as the element hit-tests it (`data-node-id`, `data-port`, …). */
export type BoardHit =
  | { readonly kind: 'port'; readonly node: NodeId; readonly port: string; readonly side: 'in' | 'out' }
  | { readonly kind: 'node'; readonly node: NodeId }
  | { readonly kind: 'edge'; readonly edge: EdgeId }
  | { readonly kind: 'empty' };

/** Shift, and Ctrl or ⌘ (`mod`), held during an input. */
export interface BoardModifiers {
  readonly shift: boolean;
  readonly mod: boolean;
}

/**
 * One input to the board. `screen` is the pointer's position in the board element, in CSS pixels
 * from its top-left corner; the machine turns it into board units with the context's viewport.
 */
export type BoardInput =
  | ({
      readonly kind: 'pointer-down';
      readonly pointerId: number;
      readonly button: number;
      readonly screen: Position;
      readonly target: BoardHit;
    } & BoardModifiers)
  | {
      readonly kind: 'pointer-move';
      readonly pointerId: number;
      readonly screen: Position;
      /** While an edge is drawn: what is drawn under the pointer (to say why it cannot land there). */
      readonly over?: BoardHit;
    }
  | {
      readonly kind: 'pointer-up';
      readonly pointerId: number;
      /** What the event's target is part of. */
      readonly target: BoardHit;
      /** What is drawn under the pointer where it was released (where an edge being drawn lands). */
      readonly drop: BoardHit;
    }
  | { readonly kind: 'pointer-cancel' }
  | { readonly kind: 'pointer-leave' }
  | ({
      readonly kind: 'wheel';
      readonly screen: Position;
      readonly deltaX: number;
      readonly deltaY: number;
      /** `WheelEvent.deltaMode`: 0 pixels, 1 lines, 2 pages. */
      readonly deltaMode: number;
    } & BoardModifiers)
  | ({ readonly kind: 'key'; readonly key: string; readonly alt?: boolean } & BoardModifiers)
  /** A right-click (`screen` where) or the menu key (`screen` null) on `target`. */
  | { readonly kind: 'context-menu'; readonly target: BoardHit; readonly screen: Position | null }
  /** An action picked in the context menu, on the node it was opened on (if any). */
  | { readonly kind: 'action'; readonly action: BoardAction; readonly subject: NodeId | null };

/** What the machine reads of the board: the workflow, the selection, the view, the mode. */
export interface BoardContext {
  readonly workflow: Workflow | null;
  readonly selectedNodes: ReadonlySet<NodeId>;
  readonly selectedEdges: ReadonlySet<EdgeId>;
  readonly viewport: Viewport;
  /** A viewer's board: never an `edit` command, and no move or connect gesture starts. */
  readonly readOnly: boolean;
  /** The node the keyboard is on (drawn with a focus ring), if any. */
  readonly focusedNode?: NodeId | null;
  /** Names a new edge (defaults to `createEdgeId`; tests pass a fixed one). */
  readonly newEdgeId?: () => EdgeId;
  /** Names a new node (defaults to `createNodeId`). */
  readonly newNodeId?: () => NodeId;
}

/** One thing the element does, in order, after an input. */
export type BoardCommand =
  /** Focus the board's canvas (without scrolling). */
  | { readonly kind: 'focus' }
  /** Capture the pointer of the current input on the canvas. */
  | { readonly kind: 'capture' }
  /** Replace the selection (fires `selection-change`). */
  | { readonly kind: 'select'; readonly nodes: ReadonlySet<NodeId>; readonly edges: ReadonlySet<EdgeId> }
  /** Apply one undoable change (fires `board-edit`). */
  | ({ readonly kind: 'edit' } & BoardEdit)
  /** Show the board at this viewport. */
  | { readonly kind: 'viewport'; readonly viewport: Viewport }
  /** Zoom by `factor` around the board's centre. */
  | { readonly kind: 'zoom'; readonly factor: number }
  /** Show the whole workflow. */
  | { readonly kind: 'fit' }
  /** Tell collaborators where the pointer is and what it drags (fires `presence-change`). */
  | ({ readonly kind: 'presence' } & BoardActivity)
  /** Fire `board-undo` / `board-redo`. */
  | { readonly kind: 'undo' }
  | { readonly kind: 'redo' }
  /** Put the keyboard focus ring on this node (null: on none). */
  | { readonly kind: 'focus-node'; readonly node: NodeId | null }
  /** Pan (keeping the zoom if it can) so that these nodes are in view. */
  | { readonly kind: 'reveal'; readonly nodes: readonly NodeId[] }
  /** Say this to screen readers (the board's live region). */
  | { readonly kind: 'announce'; readonly message: string }
  /** Open the context menu for `target`, at `screen` (null: beside the selection). */
  | { readonly kind: 'menu'; readonly target: BoardHit; readonly screen: Position | null }
  /** Toggle the minimap; toggle the shortcuts overlay. */
  | { readonly kind: 'minimap' }
  | { readonly kind: 'help' };

/** The outcome of one input. */
export interface BoardStep {
  /** The gesture after the input: the very same object when it did not change (no re-render). */
  readonly gesture: BoardGesture | null;
  readonly commands: readonly BoardCommand[];
  /** Whether the element calls `preventDefault()` on the event (before applying the commands). */
  readonly preventDefault: boolean;
  /** Whether the element calls `stopPropagation()` on the event. */
  readonly stopPropagation: boolean;
}

/** 3 CSS pixels: a press that moves less is a click, not a drag. */
const DRAG_THRESHOLD = 3;

/**
 * The board's state machine: given the gesture in progress, one input and the board as it stands,
 * returns the next gesture and the commands to apply. Pure: reads nothing but its arguments.
 */
export function stepBoardGesture(
  gesture: BoardGesture | null,
  input: BoardInput,
  context: BoardContext,
): BoardStep {
  switch (input.kind) {
    case 'pointer-down':
      return pointerDown(gesture, input, context);
    case 'pointer-move':
      return pointerMove(gesture, input, context);
    case 'pointer-up':
      return pointerUp(gesture, input, context);
    case 'pointer-cancel':
      return step(null);
    case 'pointer-leave':
      return step(gesture, gesture === null ? [{ kind: 'presence', pointer: null, dragging: [] }] : []);
    case 'wheel':
      return step(gesture, [{ kind: 'viewport', viewport: wheelViewport(input, context.viewport) }], {
        preventDefault: true,
      });
    case 'key':
      return keyStep(gesture, input, context);
    case 'context-menu':
      return contextMenuStep(gesture, input.target, input.screen, context);
    case 'action':
      return actionStep(gesture, input.action, context, input.subject);
  }
}

// --- pointer ------------------------------------------------------------------------------------

function pointerDown(
  previous: BoardGesture | null,
  input: Extract<BoardInput, { kind: 'pointer-down' }>,
  context: BoardContext,
): BoardStep {
  const wf = context.workflow;
  if (input.button !== 0 || wf === null) return step(previous);
  // A press anywhere ends connecting by keyboard.
  const gesture = previous?.kind === 'link' ? null : previous;
  const commands: BoardCommand[] = [{ kind: 'focus' }];
  const at = toBoard(context.viewport, input.screen);
  const { pointerId, target } = input;
  if (target.kind === 'port' && target.side === 'out' && !context.readOnly) {
    const node = wf.nodes[target.node];
    const port = NodeLibrary.get(node?.type ?? '')?.outputs.find((p) => p.name === target.port);
    if (port) {
      commands.push({ kind: 'capture' });
      const from = { node: target.node, port: port.name, type: port.type };
      return step({ kind: 'connect', from, start: at, at, pointerId }, commands, { preventDefault: true });
    }
  }
  const nodeId = target.kind === 'port' || target.kind === 'node' ? target.node : null;
  if (nodeId !== null && wf.nodes[nodeId]) {
    let nodes = context.selectedNodes;
    if (input.shift || input.mod) {
      commands.push({ kind: 'select', nodes: toggled(nodes, nodeId), edges: context.selectedEdges });
      return step(gesture, commands);
    }
    if (!nodes.has(nodeId)) {
      nodes = new Set([nodeId]);
      commands.push({ kind: 'select', nodes, edges: new Set() });
    }
    if (context.readOnly) return step(gesture, commands);
    commands.push({ kind: 'capture' });
    return step(
      { kind: 'move', start: at, ids: [...nodes], dx: 0, dy: 0, moved: false, pointerId },
      commands,
    );
  }
  if (target.kind === 'edge') {
    commands.push(
      input.shift
        ? { kind: 'select', nodes: context.selectedNodes, edges: toggled(context.selectedEdges, target.edge) }
        : { kind: 'select', nodes: new Set(), edges: new Set([target.edge]) },
    );
    return step(gesture, commands);
  }
  commands.push({ kind: 'capture' });
  if (input.shift) {
    return step({ kind: 'band', start: at, at, additive: [...context.selectedNodes], pointerId }, commands);
  }
  return step(
    { kind: 'pan', start: input.screen, origin: context.viewport, moved: false, pointerId },
    commands,
  );
}

function pointerMove(
  g: BoardGesture | null,
  input: Extract<BoardInput, { kind: 'pointer-move' }>,
  context: BoardContext,
): BoardStep {
  const screen = input.screen;
  const at = toBoard(context.viewport, screen);
  if (g === null || g.kind === 'link') return step(g, [{ kind: 'presence', pointer: at, dragging: [] }]);
  if (input.pointerId !== g.pointerId) return step(g);
  switch (g.kind) {
    case 'pan': {
      const dx = screen.x - g.start.x;
      const dy = screen.y - g.start.y;
      if (!g.moved && Math.hypot(dx, dy) < DRAG_THRESHOLD) return step(g);
      const viewport = { ...g.origin, x: g.origin.x + dx, y: g.origin.y + dy };
      return step(g.moved ? g : { ...g, moved: true }, [{ kind: 'viewport', viewport }]);
    }
    case 'move': {
      const dx = Math.round(at.x - g.start.x);
      const dy = Math.round(at.y - g.start.y);
      if (!g.moved && Math.hypot(dx, dy) * context.viewport.k < DRAG_THRESHOLD) return step(g);
      const dragging: [string, Position][] = [];
      for (const id of g.ids) {
        const n = context.workflow?.nodes[id];
        if (n) dragging.push([id, { x: n.position.x + dx, y: n.position.y + dy }]);
      }
      return step({ ...g, dx, dy, moved: true }, [{ kind: 'presence', pointer: at, dragging }]);
    }
    case 'connect': {
      const over = input.over;
      const wf = context.workflow;
      const refusal =
        over?.kind === 'port' && over.side === 'in' && wf !== null
          ? connectionRefusal(wf, g.from, over)
          : null;
      return step({ ...g, at, refusal });
    }
    case 'band':
      return step({ ...g, at });
  }
}

function pointerUp(
  g: BoardGesture | null,
  input: Extract<BoardInput, { kind: 'pointer-up' }>,
  context: BoardContext,
): BoardStep {
  if (g === null || g.kind === 'link' || input.pointerId !== g.pointerId) return step(g);
  const wf = context.workflow;
  if (wf === null) return step(null);
  switch (g.kind) {
    case 'pan':
      return step(null, g.moved ? [] : [{ kind: 'select', nodes: new Set(), edges: new Set() }]);
    case 'move': {
      const commands: BoardCommand[] = [{ kind: 'presence', pointer: null, dragging: [] }];
      if (!g.moved) {
        // A click (no drag) on one of several selected nodes selects just it.
        const hit = input.target.kind === 'node' || input.target.kind === 'port' ? input.target.node : null;
        if (context.selectedNodes.size > 1 && g.ids.length > 1 && hit !== null) {
          commands.push({ kind: 'select', nodes: new Set([hit]), edges: new Set() });
        }
        return step(null, commands);
      }
      const positions: [NodeId, Position][] = [];
      for (const id of g.ids) {
        const n = wf.nodes[id];
        if (n) positions.push([id, { x: n.position.x + g.dx, y: n.position.y + g.dy }]);
      }
      const label = positions.length === 1 ? 'Move node' : `Move ${positions.length} nodes`;
      return step(null, [...commands, ...edit(context, label, [{ op: 'move', positions }])]);
    }
    case 'connect':
      return step(null, connectEdit(g, input.drop, wf, context));
    case 'band': {
      const band = rectFromPoints(g.start, g.at);
      const next = new Set<NodeId>(g.additive);
      for (const [id, n] of Object.entries(wf.nodes) as [NodeId, WorkflowNode][]) {
        if (intersects(band, { ...n.position, ...nodeSize(n, NodeLibrary.get(n.type)) })) next.add(id);
      }
      return step(null, [{ kind: 'select', nodes: next, edges: new Set() }]);
    }
  }
}

/** The edge an edge-drawing gesture makes when released on `drop`, or why it does not fit there. */
function connectEdit(
  g: Extract<BoardGesture, { kind: 'connect' }>,
  drop: BoardHit,
  wf: Workflow,
  context: BoardContext,
): BoardCommand[] {
  if (drop.kind !== 'port' || drop.side !== 'in' || !wf.nodes[drop.node]) return [];
  const refusal = connectionRefusal(wf, g.from, drop);
  if (refusal !== null) return [{ kind: 'announce', message: `Not connected: ${refusal}` }];
  const change = connectChange(wf, g.from, drop, context.newEdgeId);
  return change === null ? [] : edit(context, change.label, change.ops);
}

function wheelViewport(input: Extract<BoardInput, { kind: 'wheel' }>, v: Viewport): Viewport {
  const scale = input.deltaMode === 1 ? 16 : input.deltaMode === 2 ? 400 : 1;
  if (input.mod) return zoomAt(v, Math.exp((-input.deltaY * scale) / 400), input.screen);
  const dx = (input.shift && input.deltaX === 0 ? input.deltaY : input.deltaX) * scale;
  const dy = (input.shift && input.deltaX === 0 ? 0 : input.deltaY) * scale;
  return { ...v, x: v.x - dx, y: v.y - dy };
}

// --- helpers ------------------------------------------------------------------------------------

function step(
  gesture: BoardGesture | null,
  commands: readonly BoardCommand[] = [],
  { preventDefault = false, stopPropagation = false } = {},
): BoardStep {
  return { gesture, commands, preventDefault, stopPropagation };
}

/** An `edit` command, or none when there is nothing to change or the board is read-only. */
function edit(context: BoardContext, label: string, ops: readonly BoardOp[]): BoardCommand[] {
  return ops.length === 0 || context.readOnly ? [] : [{ kind: 'edit', label, ops }];
}

function toggled<T>(set: ReadonlySet<T>, item: T): Set<T> {
  const next = new Set(set);
  if (next.has(item)) next.delete(item);
  else next.add(item);
  return next;
}
