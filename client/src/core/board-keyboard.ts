// The board without a mouse, as pure steps: keys (matched in board-shortcuts.ts) and context-menu
// actions in, the next gesture and the commands out; focus, selection, moves, connecting by keyboard.
import { type NodeId, NodeLibrary, type Position, type Workflow } from '@symphony/schemas';
import {
  connectChange,
  connectionRefusal,
  deleteSelectionEdit,
  duplicateChange,
  type PortRef,
} from './board-edits.js';
import { nodeSize } from './board-geometry.js';
import type {
  BoardCommand,
  BoardContext,
  BoardGesture,
  BoardHit,
  BoardInput,
  BoardStep,
} from './board-gestures.js';
import type { BoardOp } from './board-history.js';
import { type BoardAction, matchShortcut, shortcutText } from './board-shortcuts.js';

/** 20 board units: how far arrow keys move the selection (shift: 4×). */
export const NUDGE = 20;

/** The edge being connected by keyboard (after C): its source, the input picked, why it is refused. */
export type LinkGesture = Extract<BoardGesture, { kind: 'link' }>;

/** One entry of the board's context menu. */
export interface BoardMenuItem {
  readonly action: BoardAction;
  readonly label: string;
  /** The shortcut, from the shortcut table ("Delete or Backspace"). */
  readonly keys: string;
  readonly disabled: boolean;
}

/** What a key does on the board: the action of {@link matchShortcut}, applied by {@link actionStep}. */
export function keyStep(
  gesture: BoardGesture | null,
  input: Extract<BoardInput, { kind: 'key' }>,
  context: BoardContext,
): BoardStep {
  const action = matchShortcut(input, gesture?.kind === 'link' ? 'connect' : 'board');
  return action === null ? pass(gesture) : actionStep(gesture, action, context);
}

/**
 * What `action` does (by key or from the context menu) on the board as it stands. `subject` is
 * the node the menu was opened on; otherwise the focused node is. Actions that do not apply (Tab
 * past the last node, Escape with nothing selected) pass, so the browser or the page acts.
 */
export function actionStep(
  gesture: BoardGesture | null,
  action: BoardAction,
  context: BoardContext,
  subject: NodeId | null = null,
): BoardStep {
  const wf = context.workflow;
  if (wf === null) return pass(gesture);
  if (gesture?.kind === 'link' || action.startsWith('link-')) return linkStep(gesture, action, wf, context);
  const { selectedNodes: nodes, selectedEdges: edges } = context;
  const focused =
    subject ?? (context.focusedNode && wf.nodes[context.focusedNode] ? context.focusedNode : null);
  const edits = context.readOnly;
  switch (action) {
    case 'focus-next':
    case 'focus-previous': {
      const order = readingOrder(wf);
      const at = focused === null ? -1 : order.indexOf(focused);
      const next = action === 'focus-next' ? order[at + 1] : at > 0 ? order[at - 1] : undefined;
      return next === undefined ? pass(gesture) : handled(gesture, focusNode(wf, next, context));
    }
    case 'focus-left':
    case 'focus-right':
    case 'focus-up':
    case 'focus-down': {
      const next = nearestNode(wf, focused, action.slice('focus-'.length) as Direction);
      return next === null ? handled(gesture) : handled(gesture, focusNode(wf, next, context));
    }
    case 'select-focused':
    case 'toggle-focused': {
      if (focused === null) return pass(gesture);
      const selected = action === 'toggle-focused' ? toggled(nodes, focused) : new Set([focused]);
      const what = `${nodeTitle(wf, focused)} ${selected.has(focused) ? 'selected' : 'not selected'}`;
      return handled(gesture, [
        { kind: 'select', nodes: selected, edges: action === 'toggle-focused' ? edges : new Set() },
        { kind: 'announce', message: `${what}, ${selected.size} selected in all` },
      ]);
    }
    case 'move-left':
    case 'move-right':
    case 'move-up':
    case 'move-down':
    case 'move-left-far':
    case 'move-right-far':
    case 'move-up-far':
    case 'move-down-far': {
      const [, direction, far] = action.split('-') as [string, Direction, string | undefined];
      // With nothing selected, arrows walk the focus from node to node.
      if (nodes.size === 0) return actionStep(gesture, `focus-${direction}`, context, subject);
      if (edits) return pass(gesture);
      return handled(gesture, edit(context, 'Move', [moveOp(wf, nodes, direction, far ? NUDGE * 4 : NUDGE)]));
    }
    case 'select-all':
      return handled(gesture, [
        { kind: 'select', nodes: new Set(Object.keys(wf.nodes) as NodeId[]), edges: new Set() },
      ]);
    case 'clear-selection':
      if (nodes.size === 0 && edges.size === 0) return pass(gesture);
      return handled(gesture, [{ kind: 'select', nodes: new Set(), edges: new Set() }], true);
    case 'delete': {
      if (edits) return pass(gesture);
      const deletion = deleteSelectionEdit(wf, nodes, edges);
      if (deletion === null) return handled(gesture);
      const select: BoardCommand = { kind: 'select', nodes: new Set(), edges: new Set() };
      return handled(gesture, [...edit(context, deletion.label, deletion.ops), select]);
    }
    case 'duplicate': {
      if (edits) return pass(gesture);
      const copy = duplicateChange(wf, nodes, context);
      if (copy === null) return handled(gesture);
      const select: BoardCommand = { kind: 'select', nodes: new Set(copy.copies), edges: new Set() };
      return handled(gesture, [...edit(context, copy.label, copy.ops), select]);
    }
    case 'connect':
      // Not while a pointer gesture (a drag) runs: it would lose the drag.
      if (edits || gesture !== null) return pass(gesture);
      return startLink(gesture, wf, focused ?? single(nodes));
    case 'undo':
    case 'redo':
      return edits ? pass(gesture) : handled(gesture, [{ kind: action }]);
    case 'zoom-in':
    case 'zoom-out':
      return done(gesture, [{ kind: 'zoom', factor: action === 'zoom-in' ? 1.2 : 1 / 1.2 }]);
    case 'fit':
      return done(gesture, [{ kind: 'fit' }]);
    case 'menu': {
      const target: BoardHit =
        focused !== null
          ? { kind: 'node', node: focused }
          : nodes.size > 0
            ? { kind: 'node', node: [...nodes][0] }
            : edges.size > 0
              ? { kind: 'edge', edge: [...edges][0] }
              : { kind: 'empty' };
      return handled(gesture, [{ kind: 'menu', target, screen: null }]);
    }
    case 'minimap':
    case 'help':
      return handled(gesture, [{ kind: action }]);
  }
  return pass(gesture);
}

/**
 * A right-click (or Shift+F10) on `target`: selects what was clicked unless it already is, then
 * opens the menu there (`screen` null: at the selection).
 */
export function contextMenuStep(
  gesture: BoardGesture | null,
  target: BoardHit,
  screen: Position | null,
  context: BoardContext,
): BoardStep {
  const commands: BoardCommand[] = [{ kind: 'focus' }];
  if (target.kind === 'node' || target.kind === 'port') {
    if (!context.selectedNodes.has(target.node)) {
      commands.push({ kind: 'select', nodes: new Set([target.node]), edges: new Set() });
    }
    commands.push({ kind: 'focus-node', node: target.node });
  } else if (target.kind === 'edge' && !context.selectedEdges.has(target.edge)) {
    commands.push({ kind: 'select', nodes: new Set(), edges: new Set([target.edge]) });
  }
  const menuTarget: BoardHit = target.kind === 'port' ? { kind: 'node', node: target.node } : target;
  commands.push({ kind: 'menu', target: menuTarget, screen });
  return {
    gesture: gesture?.kind === 'link' ? gesture : null,
    commands,
    preventDefault: true,
    stopPropagation: false,
  };
}

/** The context menu's entries for a node, an edge or empty board; editing entries off for a viewer. */
export function boardMenuItems(target: BoardHit, context: BoardContext, mac = false): BoardMenuItem[] {
  const item = (action: BoardAction, label: string, disabled = false): BoardMenuItem => ({
    action,
    label,
    keys: shortcutText(action, mac),
    disabled,
  });
  const wf = context.workflow;
  const view = [item('select-all', 'Select all'), item('fit', 'Fit view')];
  if (target.kind === 'node' || target.kind === 'port') {
    const outputs = NodeLibrary.get(wf?.nodes[target.node]?.type ?? '')?.outputs.length ?? 0;
    const n = Math.max(context.selectedNodes.size, 1);
    return [
      item('connect', 'Connect from here', context.readOnly || outputs === 0),
      item('duplicate', n > 1 ? `Duplicate ${n} nodes` : 'Duplicate', context.readOnly),
      item('delete', n > 1 ? `Delete ${n} nodes` : 'Delete', context.readOnly),
      ...view,
    ];
  }
  if (target.kind === 'edge') return [item('delete', 'Delete edge', context.readOnly), ...view];
  return [...view, item('help', 'Keyboard shortcuts')];
}

/**
 * Every input port of the other nodes, in reading order starting after `source` (downstream first,
 * then around): what connecting by keyboard cycles through.
 */
export function linkTargets(wf: Workflow, source: NodeId): PortRef[] {
  const order = readingOrder(wf);
  const at = order.indexOf(source);
  return [...order.slice(at + 1), ...order.slice(0, Math.max(at, 0))].flatMap((node) =>
    (NodeLibrary.get(wf.nodes[node].type)?.inputs ?? []).map((p) => ({ node, port: p.name })),
  );
}

/** The nodes left to right, then top to bottom: the order Tab visits them (the way data flows). */
export function readingOrder(wf: Workflow): NodeId[] {
  return (Object.keys(wf.nodes) as NodeId[]).sort((a, b) => {
    const p = wf.nodes[a].position;
    const q = wf.nodes[b].position;
    return p.x - q.x || p.y - q.y || (a < b ? -1 : 1);
  });
}

/** A node as people read it: its label, or its type's title. */
export function nodeTitle(wf: Workflow, id: NodeId): string {
  const node = wf.nodes[id];
  if (!node) return 'A deleted node';
  return (
    node.label ??
    (node.type === 'group'
      ? String(node.params.title ?? 'Group')
      : (NodeLibrary.get(node.type)?.title ?? node.type))
  );
}

// --- connecting by keyboard ---------------------------------------------------------------------

function startLink(gesture: BoardGesture | null, wf: Workflow, source: NodeId | null): BoardStep {
  if (source === null)
    return handled(gesture, [{ kind: 'announce', message: 'Focus or select a node to connect from' }]);
  const outputs = NodeLibrary.get(wf.nodes[source]?.type ?? '')?.outputs ?? [];
  if (outputs.length === 0) {
    return handled(gesture, [
      { kind: 'announce', message: `${nodeTitle(wf, source)} has no output to connect from` },
    ]);
  }
  const from = { node: source, port: outputs[0].name, type: outputs[0].type };
  const targets = linkTargets(wf, source);
  const target = targets.find((t) => connectionRefusal(wf, from, t) === null) ?? targets[0] ?? null;
  const link: LinkGesture = {
    kind: 'link',
    from,
    target,
    refusal: target && connectionRefusal(wf, from, target),
  };
  const hint = 'Tab picks the input, Enter connects, Escape cancels.';
  return handled(link, [
    {
      kind: 'announce',
      message: `Connecting from ${portName(wf, from, 'out')}. ${describeTarget(wf, link)} ${hint}`,
    },
    ...(target ? [{ kind: 'reveal', nodes: [source, target.node] } as const] : []),
  ]);
}

function linkStep(
  gesture: BoardGesture | null,
  action: BoardAction,
  wf: Workflow,
  context: BoardContext,
): BoardStep {
  if (gesture?.kind !== 'link') return action === 'link-cancel' ? pass(gesture) : handled(gesture);
  const g = gesture;
  switch (action) {
    case 'link-cancel':
      return handled(null, [{ kind: 'announce', message: 'Connecting cancelled' }], true);
    case 'link-confirm': {
      if (g.target === null)
        return handled(g, [{ kind: 'announce', message: 'There is no input to connect to' }]);
      const change = connectChange(wf, g.from, g.target, context.newEdgeId);
      if (change === null) return handled(g, [{ kind: 'announce', message: `Cannot connect: ${g.refusal}` }]);
      return handled(null, [
        ...edit(context, change.label, change.ops),
        {
          kind: 'announce',
          message: `Connected ${portName(wf, g.from, 'out')} to ${portName(wf, g.target, 'in')}`,
        },
      ]);
    }
    case 'link-next-target':
    case 'link-previous-target': {
      const targets = linkTargets(wf, g.from.node);
      if (targets.length === 0) return handled(g);
      const at =
        g.target === null
          ? -1
          : targets.findIndex((t) => t.node === g.target?.node && t.port === g.target.port);
      const step = action === 'link-next-target' ? 1 : -1;
      const target = targets[(at + step + targets.length) % targets.length];
      return relink(g, { ...g, target }, wf);
    }
    case 'link-next-port':
    case 'link-previous-port': {
      const outputs = NodeLibrary.get(wf.nodes[g.from.node]?.type ?? '')?.outputs ?? [];
      const at = outputs.findIndex((p) => p.name === g.from.port);
      const port = outputs[(at + (action === 'link-next-port' ? 1 : -1) + outputs.length) % outputs.length];
      if (!port) return handled(g);
      return relink(g, { ...g, from: { node: g.from.node, port: port.name, type: port.type } }, wf);
    }
    default:
      // Any other board shortcut while connecting: swallowed, so the selection does not change under it.
      return handled(g);
  }
}

function relink(before: LinkGesture, next: LinkGesture, wf: Workflow): BoardStep {
  const link: LinkGesture = {
    ...next,
    refusal: next.target && connectionRefusal(wf, next.from, next.target),
  };
  const moved = link.target !== null && link.target.node !== before.target?.node;
  return handled(link, [
    { kind: 'announce', message: `From ${portName(wf, link.from, 'out')}. ${describeTarget(wf, link)}` },
    ...(moved && link.target ? [{ kind: 'reveal', nodes: [link.target.node] } as const] : []),
  ]);
}

function describeTarget(wf: Workflow, link: LinkGesture): string {
  if (link.target === null) return 'There is no input to connect to.';
  const into = `Into ${portName(wf, link.target, 'in')}`;
  return link.refusal === null ? `${into}.` : `${into}: ${link.refusal}.`;
}

function portName(wf: Workflow, ref: PortRef, side: 'in' | 'out'): string {
  const spec = NodeLibrary.get(wf.nodes[ref.node]?.type ?? '');
  const port = (side === 'in' ? spec?.inputs : spec?.outputs)?.find((p) => p.name === ref.port);
  return `${nodeTitle(wf, ref.node)} › ${port?.label ?? ref.port}`;
}

// --- helpers ------------------------------------------------------------------------------------

type Direction = 'left' | 'right' | 'up' | 'down';

function focusNode(wf: Workflow, id: NodeId, context: BoardContext): BoardCommand[] {
  const order = readingOrder(wf);
  const selected = context.selectedNodes.has(id) ? ', selected' : '';
  const message = `${nodeTitle(wf, id)}, node ${order.indexOf(id) + 1} of ${order.length}${selected}`;
  return [
    { kind: 'focus-node', node: id },
    { kind: 'reveal', nodes: [id] },
    { kind: 'announce', message },
  ];
}

/** The node nearest `from` in `direction` (beside it counts double); the first node when none is focused. */
function nearestNode(wf: Workflow, from: NodeId | null, direction: Direction): NodeId | null {
  if (from === null) return readingOrder(wf)[0] ?? null;
  const c = centre(wf, from);
  let best: NodeId | null = null;
  let bestScore = Number.POSITIVE_INFINITY;
  for (const id of Object.keys(wf.nodes) as NodeId[]) {
    if (id === from) continue;
    const p = centre(wf, id);
    const dx = p.x - c.x;
    const dy = p.y - c.y;
    const ahead = direction === 'left' ? -dx : direction === 'right' ? dx : direction === 'up' ? -dy : dy;
    const beside = direction === 'left' || direction === 'right' ? Math.abs(dy) : Math.abs(dx);
    if (ahead <= 0) continue;
    const score = ahead + 2 * beside;
    if (score < bestScore) {
      bestScore = score;
      best = id;
    }
  }
  return best;
}

function centre(wf: Workflow, id: NodeId): Position {
  const n = wf.nodes[id];
  const { width, height } = nodeSize(n, NodeLibrary.get(n.type));
  return { x: n.position.x + width / 2, y: n.position.y + height / 2 };
}

function moveOp(wf: Workflow, nodes: ReadonlySet<NodeId>, direction: Direction, distance: number): BoardOp {
  const dx = direction === 'left' ? -distance : direction === 'right' ? distance : 0;
  const dy = direction === 'up' ? -distance : direction === 'down' ? distance : 0;
  const positions: [NodeId, Position][] = [];
  for (const id of nodes) {
    const n = wf.nodes[id];
    if (n) positions.push([id, { x: n.position.x + dx, y: n.position.y + dy }]);
  }
  return { op: 'move', positions };
}

function single(nodes: ReadonlySet<NodeId>): NodeId | null {
  return nodes.size === 1 ? [...nodes][0] : null;
}

function pass(gesture: BoardGesture | null): BoardStep {
  return { gesture, commands: [], preventDefault: false, stopPropagation: false };
}

/** Handled: the browser's default is prevented (Tab, Space, Ctrl+D…). */
function handled(
  gesture: BoardGesture | null,
  commands: readonly BoardCommand[] = [],
  stopPropagation = false,
): BoardStep {
  return { gesture, commands, preventDefault: true, stopPropagation };
}

/** Done, without preventing the default (the zoom keys, as before). */
function done(gesture: BoardGesture | null, commands: readonly BoardCommand[]): BoardStep {
  return { gesture, commands, preventDefault: false, stopPropagation: false };
}

function edit(context: BoardContext, label: string, ops: readonly BoardOp[]): BoardCommand[] {
  return ops.length === 0 || context.readOnly ? [] : [{ kind: 'edit', label, ops }];
}

function toggled<T>(set: ReadonlySet<T>, item: T): Set<T> {
  const next = new Set(set);
  if (next.has(item)) next.delete(item);
  else next.add(item);
  return next;
}
