// The Harmony Board's geometry in board units: node and port sizes and positions, edge paths, viewport
// zoom and fit, rectangles, and how each data type's port is drawn.
import { DataType, type NodeTypeSpec, type Position, type WorkflowNode } from '@symphony/schemas';

/** Width of a node on the board, in board units. */
export const NODE_WIDTH = 200;
/** Height of a node's title bar. */
export const NODE_HEADER = 34;
/** Vertical distance between ports. */
export const PORT_ROW = 22;

/** Where the board is looking: a board point p shows at `p * k + (x, y)` on screen. */
export interface Viewport {
  readonly x: number;
  readonly y: number;
  readonly k: number;
}

/** 0.1–2.5: below, nodes are specks; above, text is blurry and nothing more is learned. */
export const MIN_ZOOM = 0.1;
export const MAX_ZOOM = 2.5;

/** An axis-aligned rectangle in board units. */
export interface Rect {
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
}

/** The size of a node of type `spec` (groups and notes take theirs from their parameters). */
export function nodeSize(
  node: WorkflowNode,
  spec: NodeTypeSpec | undefined,
): { width: number; height: number } {
  if (node.type === 'group') {
    const w = Number(node.params.width);
    const h = Number(node.params.height);
    return { width: Number.isFinite(w) ? w : 480, height: Number.isFinite(h) ? h : 320 };
  }
  if (node.type === 'note') return { width: NODE_WIDTH, height: 96 };
  const rows = Math.max(spec?.inputs.length ?? 0, spec?.outputs.length ?? 0, 1);
  return { width: NODE_WIDTH, height: NODE_HEADER + rows * PORT_ROW + 8 };
}

/** A port's centre relative to its node's top-left corner. */
export function portOffset(side: 'in' | 'out', index: number, width = NODE_WIDTH): Position {
  return { x: side === 'in' ? 0 : width, y: NODE_HEADER + index * PORT_ROW + PORT_ROW / 2 };
}

/** A port's centre on the board, or undefined when the node has no such port. */
export function portPosition(
  node: WorkflowNode,
  spec: NodeTypeSpec | undefined,
  side: 'in' | 'out',
  port: string,
): Position | undefined {
  const ports = side === 'in' ? spec?.inputs : spec?.outputs;
  const index = ports?.findIndex((p) => p.name === port) ?? -1;
  if (index < 0) return undefined;
  const offset = portOffset(side, index, nodeSize(node, spec).width);
  return { x: node.position.x + offset.x, y: node.position.y + offset.y };
}

/** The SVG path of an edge from an output at `a` to an input at `b`: a horizontal S-curve. */
export function edgePath(a: Position, b: Position): string {
  const dx = Math.max(40, Math.abs(b.x - a.x) / 2);
  return `M${a.x} ${a.y}C${a.x + dx} ${a.y} ${b.x - dx} ${b.y} ${b.x} ${b.y}`;
}

/** The point halfway along {@link edgePath} (the middle of the cubic). */
export function edgeMidpoint(a: Position, b: Position): Position {
  return { x: (a.x + b.x) / 2, y: (a.y + b.y) / 2 };
}

/** Board point under a screen point (relative to the board's top-left). */
export function toBoard(v: Viewport, screen: Position): Position {
  return { x: (screen.x - v.x) / v.k, y: (screen.y - v.y) / v.k };
}

/** Zooms by `factor` keeping the board point under `anchor` (screen) still. */
export function zoomAt(v: Viewport, factor: number, anchor: Position): Viewport {
  const k = Math.min(MAX_ZOOM, Math.max(MIN_ZOOM, v.k * factor));
  const p = toBoard(v, anchor);
  return { k, x: anchor.x - p.x * k, y: anchor.y - p.y * k };
}

/** The viewport that shows `bounds` inside a `width`×`height` screen with `margin` pixels around. */
export function fitViewport(bounds: Rect | null, width: number, height: number, margin = 48): Viewport {
  if (bounds === null || width <= 0 || height <= 0) return { x: margin, y: margin, k: 1 };
  const k = Math.min(
    1,
    Math.max(
      MIN_ZOOM,
      Math.min(
        (width - 2 * margin) / Math.max(bounds.width, 1),
        (height - 2 * margin) / Math.max(bounds.height, 1),
      ),
    ),
  );
  return {
    k,
    x: (width - bounds.width * k) / 2 - bounds.x * k,
    y: (height - bounds.height * k) / 2 - bounds.y * k,
  };
}

/** The smallest rectangle around `rects`, or null when there are none. */
export function unionRect(rects: Iterable<Rect>): Rect | null {
  let x1 = Number.POSITIVE_INFINITY;
  let y1 = Number.POSITIVE_INFINITY;
  let x2 = Number.NEGATIVE_INFINITY;
  let y2 = Number.NEGATIVE_INFINITY;
  for (const r of rects) {
    x1 = Math.min(x1, r.x);
    y1 = Math.min(y1, r.y);
    x2 = Math.max(x2, r.x + r.width);
    y2 = Math.max(y2, r.y + r.height);
  }
  return x1 === Number.POSITIVE_INFINITY ? null : { x: x1, y: y1, width: x2 - x1, height: y2 - y1 };
}

/** Whether two rectangles overlap. */
export function intersects(a: Rect, b: Rect): boolean {
  return a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;
}

/** The rectangle spanned by two corner points. */
export function rectFromPoints(a: Position, b: Position): Rect {
  return {
    x: Math.min(a.x, b.x),
    y: Math.min(a.y, b.y),
    width: Math.abs(a.x - b.x),
    height: Math.abs(a.y - b.y),
  };
}

/** How a port of each data type is drawn: its colour, and a shape so colour is not the only cue. */
export const PORT_STYLE: Readonly<
  Record<DataType, { readonly color: string; readonly shape: 'circle' | 'square' | 'diamond' }>
> = {
  [DataType.text]: { color: '#2563eb', shape: 'circle' },
  [DataType.document]: { color: '#7c3aed', shape: 'circle' },
  [DataType.code]: { color: '#059669', shape: 'circle' },
  [DataType.json]: { color: '#d97706', shape: 'circle' },
  [DataType.label]: { color: '#db2777', shape: 'circle' },
  [DataType.embedding]: { color: '#0891b2', shape: 'circle' },
  [DataType.textList]: { color: '#4f46e5', shape: 'square' },
  [DataType.any]: { color: '#6b7280', shape: 'diamond' },
};
