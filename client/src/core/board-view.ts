// Where the Harmony Board looks, as pure functions of the workflow and the viewport: the workflow's
// bounds, the view that reveals some nodes, the drawn window around the view. Used by <harmony-board>.
import { type EdgeId, type NodeId, NodeLibrary, type Position, type Workflow } from '@symphony/schemas';
import { fitViewport, nodeSize, type Rect, unionRect, type Viewport } from './board-geometry.js';

/** A board's size on screen, in CSS pixels. */
export interface ViewSize {
  readonly width: number;
  readonly height: number;
}

/** The rectangle around every node of `wf`; null when it has none. */
export function workflowBounds(wf: Workflow | null): Rect | null {
  if (wf === null) return null;
  return unionRect(
    Object.values(wf.nodes).map((n) => ({ ...n.position, ...nodeSize(n, NodeLibrary.get(n.type)) })),
  );
}

/**
 * The viewport that shows `nodes` (and both ends of `edges`) in the middle of the view, keeping the
 * zoom unless they do not fit at it; null when there is nothing to show, or (with `onlyIfHidden`)
 * when all of it is in view already.
 */
export function revealViewport(
  wf: Workflow,
  nodes: Iterable<NodeId>,
  edges: Iterable<EdgeId>,
  v: Viewport,
  size: ViewSize,
  onlyIfHidden = false,
): Viewport | null {
  const ids = new Set(nodes);
  for (const id of edges) {
    const e = wf.edges[id];
    if (e) ids.add(e.from.node).add(e.to.node);
  }
  const rects: Rect[] = [];
  for (const id of ids) {
    const n = wf.nodes[id];
    if (n) rects.push({ ...n.position, ...nodeSize(n, NodeLibrary.get(n.type)) });
  }
  const target = unionRect(rects);
  if (target === null) return null;
  const { width, height } = size;
  if (onlyIfHidden) {
    const left = target.x * v.k + v.x;
    const top = target.y * v.k + v.y;
    if (left >= 0 && top >= 0 && left + target.width * v.k <= width && top + target.height * v.k <= height) {
      return null;
    }
  }
  const fitted = fitViewport(target, width, height, 80);
  const k = Math.min(v.k, fitted.k === 1 ? v.k : fitted.k);
  return {
    k,
    x: width / 2 - (target.x + target.width / 2) * k,
    y: height / 2 - (target.y + target.height / 2) * k,
  };
}

/**
 * The part of the board to draw for view `v`: the view plus one view's size on every side, or
 * `current` unchanged while the view is still inside it (so panning rarely re-renders).
 */
export function drawnWindow(v: Viewport, size: ViewSize, current: Rect | null): Rect {
  const seen = { x: -v.x / v.k, y: -v.y / v.k, width: size.width / v.k, height: size.height / v.k };
  const inside =
    current !== null &&
    seen.x >= current.x &&
    seen.y >= current.y &&
    seen.x + seen.width <= current.x + current.width &&
    seen.y + seen.height <= current.y + current.height;
  if (inside) return current;
  return { x: seen.x - seen.width, y: seen.y - seen.height, width: seen.width * 3, height: seen.height * 3 };
}

/**
 * Where a context menu opened by key (not at the pointer) goes, in board-local CSS pixels: just
 * inside the node it is for, or the middle of the board.
 */
export function menuAnchor(
  wf: Workflow | null,
  target: { kind: string; node?: NodeId },
  v: Viewport,
  size: ViewSize,
): Position {
  const node = target.node === undefined ? undefined : wf?.nodes[target.node];
  if (!node) return { x: size.width / 2, y: size.height / 2 };
  return { x: (node.position.x + 24) * v.k + v.x, y: (node.position.y + 40) * v.k + v.y };
}

/**
 * Whether the minimap is worth showing: the workflow is larger than the view at zoom `k` (it cannot
 * all be seen at once, wherever the view is).
 */
export function minimapNeeded(bounds: Rect | null, k: number, size: ViewSize): boolean {
  if (bounds === null || size.width === 0 || size.height === 0) return false;
  return bounds.width * k > size.width || bounds.height * k > size.height;
}
