// <harmony-board>: the Harmony Board, a Workflow drawn as SVG and edited by direct manipulation; it
// hit-tests DOM events into the gesture machine (board-gestures.ts) and applies its commands.
import {
  addNode,
  type EdgeId,
  type Finding,
  type NodeId,
  NodeLibrary,
  type Position,
  type Workflow,
  type WorkflowNode,
  type WorkflowReport,
} from '@symphony/schemas';
import { html, LitElement, nothing, type PropertyValues, svg } from 'lit';
import { customElement, property, query, state } from 'lit/decorators.js';
import { repeat } from 'lit/directives/repeat.js';
import {
  fitViewport,
  intersects,
  nodeSize,
  portPosition,
  type Rect,
  rectFromPoints,
  toBoard,
  unionRect,
  type Viewport,
  zoomAt,
} from '../core/board-geometry.js';
import {
  type BoardActivity,
  type BoardCommand,
  type BoardEdit,
  type BoardGesture,
  type BoardHit,
  type BoardInput,
  type BoardSelection,
  deleteSelectionEdit,
  stepBoardGesture,
} from '../core/board-gestures.js';
import type { BoardOp } from '../core/board-history.js';
import type { BoardPeer } from '../core/board-presence.js';
import {
  renderBoardEdge,
  renderBoardNode,
  renderBoardPeer,
  renderGestureOverlay,
} from './harmony-board.parts.js';
import { harmonyBoardStyles } from './harmony-board.styles.js';

export type { BoardActivity, BoardEdit, BoardSelection } from '../core/board-gestures.js';
export { REJECT_LABEL } from './harmony-board.parts.js';

/** The MIME type a palette item carries when dragged onto the board. */
export const NODE_TYPE_MIME = 'application/x-symphony-node-type';

/**
 * Below 35 % zoom nodes are drawn as outlines (no text, no ports): at that size they are
 * unreadable anyway, and rasterising 1,000 nodes' text and ports is what costs frames.
 */
const OUTLINE_BELOW_ZOOM = 0.35;

/**
 * The Harmony Board: a workflow drawn as SVG, edited by direct manipulation. Nodes with typed
 * ports (colour and shape per data type), edges as curves; rejected edges dashed red with their
 * reason; nodes and edges with findings outlined in red with the findings as tooltip;
 * collaborators' selections, drags and pointers in their colours.
 *
 * Drag a node to move it (one edit when released), drag from an output port to a compatible input
 * (compatible inputs light up), shift-click or shift-drag on empty space to select several, drag
 * empty space or use the wheel to pan, Ctrl+wheel or the buttons to zoom. Pan and zoom change one
 * SVG transform and never re-render nodes.
 *
 * Keyboard (board focused): Delete/Backspace delete the selection, Ctrl+Z / Ctrl+Shift+Z undo and
 * redo, Ctrl+A select all, arrows move the selection, + / - zoom, 0 fits the workflow, Esc clears
 * the selection.
 *
 * What an input does is decided by the pure gesture machine ({@link stepBoardGesture}): this
 * element renders, hit-tests DOM events into the machine's inputs and applies its commands.
 *
 * @fires board-edit - `CustomEvent<BoardEdit>`: a gesture to apply.
 * @fires selection-change - `CustomEvent<BoardSelection>`.
 * @fires presence-change - `CustomEvent<BoardActivity>`: pointer and drag, for collaborators.
 * @fires board-undo - Ctrl+Z on the board.
 * @fires board-redo - Ctrl+Shift+Z or Ctrl+Y on the board.
 * @csspart canvas - the focusable area holding the SVG.
 */
@customElement('harmony-board')
export class HarmonyBoard extends LitElement {
  static override styles = harmonyBoardStyles;

  /** The workflow to draw (an immutable version; a new object for every change). */
  @property({ attribute: false }) workflow: Workflow | null = null;
  /** Its validation. */
  @property({ attribute: false }) report: WorkflowReport | null = null;
  /** Collaborators on this board. */
  @property({ attribute: false }) peers: readonly BoardPeer[] = [];
  /**
   * A viewer's board: pan, zoom and select still work; moving, connecting, dropping, deleting and
   * undo do not (no `board-edit` is ever fired).
   */
  @property({ type: Boolean, attribute: 'read-only', reflect: true }) readOnly = false;

  @state() private selectedNodes: ReadonlySet<NodeId> = new Set();
  @state() private selectedEdges: ReadonlySet<EdgeId> = new Set();
  @state() private gesture: BoardGesture | null = null;
  /**
   * The part of the board that is drawn: the view plus one view's size on every side. Nodes outside
   * are not in the DOM; panning re-renders only when the view nears its edge.
   */
  @state() private window: Rect | null = null;
  @state() private outline = false;

  @query('.canvas') private canvas!: HTMLDivElement;
  @query('g.viewport') private viewportGroup!: SVGGElement | null;
  @query('.layer') private layer!: HTMLDivElement | null;

  private viewport: Viewport = { x: 40, y: 40, k: 1 };
  private viewportFrame = 0;
  private fitted = false;
  private addCount = 0;
  private findingsByTarget = new Map<string, Finding[]>();
  private findingsFor: WorkflowReport | null = null;

  /** The current viewport (for tests and the zoom label). */
  get view(): Viewport {
    return this.viewport;
  }

  /** Selects exactly these nodes and edges; with `reveal`, pans to show them. */
  select(nodes: Iterable<NodeId>, edges: Iterable<EdgeId> = [], { reveal = false } = {}): void {
    this.setSelection(new Set(nodes), new Set(edges));
    if (reveal) this.reveal();
  }

  /** Focuses the board (for keyboard use). */
  override focus(): void {
    this.canvas?.focus();
  }

  /** Zooms by `factor` around the board's centre. */
  zoomBy(factor: number): void {
    const { width, height } = this.getBoundingClientRect();
    this.setViewport(zoomAt(this.viewport, factor, { x: width / 2, y: height / 2 }));
  }

  /** Shows the whole workflow. */
  fit(): void {
    const { width, height } = this.getBoundingClientRect();
    this.setViewport(fitViewport(this.bounds(), width, height));
  }

  /** Where a node added by keyboard goes: the centre of the view, staggered so nodes do not stack. */
  centerPosition(): Position {
    const { width, height } = this.getBoundingClientRect();
    const c = toBoard(this.viewport, { x: width / 2, y: height / 2 });
    const step = (this.addCount++ % 8) * 24;
    return { x: Math.round(c.x - 100 + step), y: Math.round(c.y - 40 + step) };
  }

  /** The gesture that adds a node of `type` at `position` (one change, undoable). */
  addNodeOps(type: string, position: Position): { id: NodeId; ops: BoardOp[] } {
    const scratch: Workflow = { name: 'scratch', nodes: {}, edges: {} };
    const id = addNode(scratch, type, position);
    return { id, ops: [{ op: 'put-node', id, node: scratch.nodes[id] as WorkflowNode }] };
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (changed.has('report') && this.report !== this.findingsFor) {
      this.findingsFor = this.report;
      const map = new Map<string, Finding[]>();
      for (const f of this.report?.findings ?? []) {
        const key = f.target.kind === 'workflow' ? 'workflow' : `${f.target.kind}:${f.target.id}`;
        const list = map.get(key);
        if (list) list.push(f);
        else map.set(key, [f]);
      }
      this.findingsByTarget = map;
    }
    if (changed.has('workflow') && this.workflow !== null) {
      // Drop selected things that no longer exist (deleted here or by someone else).
      const nodes = [...this.selectedNodes].filter((id) => this.workflow?.nodes[id]);
      const edges = [...this.selectedEdges].filter((id) => this.workflow?.edges[id]);
      if (nodes.length !== this.selectedNodes.size || edges.length !== this.selectedEdges.size) {
        this.setSelection(new Set(nodes), new Set(edges));
      }
    }
  }

  protected override updated(): void {
    if (!this.fitted && this.workflow !== null && this.isConnected) {
      this.fitted = true;
      if (Object.keys(this.workflow.nodes).length > 0) this.fit();
      else this.applyViewport();
    }
  }

  protected override render() {
    const wf = this.workflow;
    const empty = wf !== null && Object.keys(wf.nodes).length === 0;
    const v = this.viewport;
    return html`<div
        class="canvas ${this.gesture?.kind === 'pan' && this.gesture.moved ? 'panning' : ''}"
        part="canvas"
        tabindex="0"
        role="application"
        aria-roledescription="workflow board"
        aria-label=${this.describe()}
        data-testid="harmony-board"
        style=${this.canvasStyle(v)}
        @keydown=${this.onKeydown}
        @dragover=${this.onDragOver}
        @drop=${this.onDrop}
        @pointerdown=${this.onPointerDown}
        @pointermove=${this.onPointerMove}
        @pointerup=${this.onPointerUp}
        @pointercancel=${this.onPointerCancel}
        @pointerleave=${this.onPointerLeave}
        @wheel=${this.onWheel}
      >
        <div class="layer" style=${this.layerStyle(v)}>
          <svg class="content">
            <g class="viewport" transform="scale(${v.k})">${wf === null ? nothing : this.renderContent(wf)}</g>
          </svg>
        </div>
      </div>
      ${
        empty
          ? html`<div class="empty" data-testid="board-empty">
            <div>
              <h2>This board is empty</h2>
              <p>Drag a node from the library onto the board, or select one there and press Enter.</p>
              <p>Or start from a template on the workspace page.</p>
            </div>
          </div>`
          : nothing
      }`;
  }

  private renderContent(wf: Workflow) {
    const g = this.gesture;
    const moving = g?.kind === 'move' && g.moved ? new Set(g.ids) : null;
    const position = (id: NodeId, node: WorkflowNode): Position =>
      moving?.has(id) && g?.kind === 'move'
        ? { x: node.position.x + g.dx, y: node.position.y + g.dy }
        : node.position;
    const win = this.window;
    const drawn = (id: NodeId, n: WorkflowNode): boolean =>
      win === null ||
      this.selectedNodes.has(id) ||
      moving?.has(id) === true ||
      intersects(win, { ...n.position, ...nodeSize(n, NodeLibrary.get(n.type)) });
    const nodes = (Object.entries(wf.nodes) as [NodeId, WorkflowNode][]).filter(([id, n]) => drawn(id, n));
    // Groups first, so they are drawn beneath everything.
    nodes.sort((a, b) => (a[1].type === 'group' ? 0 : 1) - (b[1].type === 'group' ? 0 : 1));
    const remoteSelections = new Map<string, BoardPeer[]>();
    for (const peer of this.peers) {
      for (const id of peer.selection) {
        const list = remoteSelections.get(id);
        if (list) list.push(peer);
        else remoteSelections.set(id, [peer]);
      }
    }
    return svg`
      <g class="edges">${repeat(
        Object.entries(wf.edges) as [EdgeId, Workflow['edges'][EdgeId]][],
        ([id]) => id,
        ([id, edge]) => {
          const from = wf.nodes[edge.from.node];
          const to = wf.nodes[edge.to.node];
          if (!from || !to) return nothing;
          const a = portPosition(
            { ...from, position: position(edge.from.node, from) },
            NodeLibrary.get(from.type),
            'out',
            edge.from.port,
          );
          const b = portPosition(
            { ...to, position: position(edge.to.node, to) },
            NodeLibrary.get(to.type),
            'in',
            edge.to.port,
          );
          if (!a || !b) return nothing;
          if (win !== null && !intersects(win, rectFromPoints(a, b))) return nothing;
          return renderBoardEdge(id, a, b, {
            rejected: this.report?.rejectedEdges.get(id),
            findings: this.findingsByTarget.get(`edge:${id}`) ?? [],
            selected: this.selectedEdges.has(id),
          });
        },
      )}</g>
      <g class="nodes">${repeat(
        nodes,
        ([id]) => id,
        ([id, node]) =>
          renderBoardNode(id, node, position(id, node), {
            findings: this.findingsByTarget.get(`node:${id}`) ?? [],
            selected: this.selectedNodes.has(id),
            outline: this.outline,
            connecting: g?.kind === 'connect' ? g : null,
            remote: remoteSelections.get(id),
          }),
      )}</g>
      <g class="remote">${this.peers.map((peer) => renderBoardPeer(peer, wf))}</g>
      ${renderGestureOverlay(g, wf)}
    `;
  }

  private describe(): string {
    const wf = this.workflow;
    if (wf === null) return 'Workflow board, loading';
    const n = Object.keys(wf.nodes).length;
    const e = Object.keys(wf.edges).length;
    const problems = this.report?.findings.filter((f) => f.severity === 'error').length ?? 0;
    return `Workflow board: ${n} nodes, ${e} edges, ${problems} problems, ${this.selectedNodes.size} selected`;
  }

  // --- viewport ---------------------------------------------------------------------------------

  private setViewport(v: Viewport): void {
    this.viewport = v;
    if (this.viewportFrame === 0) {
      this.viewportFrame = requestAnimationFrame(() => {
        this.viewportFrame = 0;
        this.applyViewport();
      });
    }
  }

  /**
   * Pan moves one composited layer (a CSS translate) and the grid, and never touches the nodes:
   * that is what keeps 1,000 nodes smooth. Zoom changes one SVG `scale` (a repaint, not a re-render).
   */
  private applyViewport(): void {
    const v = this.viewport;
    if (this.layer !== null) this.layer.style.transform = this.layerStyle(v).slice('transform:'.length);
    const scale = `scale(${v.k})`;
    if (this.viewportGroup !== null && this.viewportGroup.getAttribute('transform') !== scale) {
      this.viewportGroup.setAttribute('transform', scale);
    }
    if (this.canvas !== null) this.canvas.setAttribute('style', this.canvasStyle(v));
    this.updateWindow();
    this.dispatchEvent(new CustomEvent('viewport-change', { detail: v }));
  }

  /** Re-renders only when the view nears the drawn window's edge or crosses the outline zoom. */
  private updateWindow(): void {
    const v = this.viewport;
    const { width, height } = this.getBoundingClientRect();
    if (width === 0 || height === 0) return;
    const outline = v.k < OUTLINE_BELOW_ZOOM;
    const seen = { x: -v.x / v.k, y: -v.y / v.k, width: width / v.k, height: height / v.k };
    const w = this.window;
    const inside =
      w !== null &&
      seen.x >= w.x &&
      seen.y >= w.y &&
      seen.x + seen.width <= w.x + w.width &&
      seen.y + seen.height <= w.y + w.height;
    if (inside && outline === this.outline) return;
    this.outline = outline;
    this.window = {
      x: seen.x - seen.width,
      y: seen.y - seen.height,
      width: seen.width * 3,
      height: seen.height * 3,
    };
  }

  private layerStyle(v: Viewport): string {
    return `transform:translate(${v.x}px, ${v.y}px)`;
  }

  private canvasStyle(v: Viewport): string {
    const size = 24 * v.k;
    return `background-size:${size}px ${size}px;background-position:${v.x}px ${v.y}px`;
  }

  private bounds(): Rect | null {
    const wf = this.workflow;
    if (wf === null) return null;
    return unionRect(
      Object.values(wf.nodes).map((n) => ({ ...n.position, ...nodeSize(n, NodeLibrary.get(n.type)) })),
    );
  }

  private reveal(): void {
    const wf = this.workflow;
    if (wf === null) return;
    const rects: Rect[] = [];
    for (const id of this.selectedNodes) {
      const n = wf.nodes[id];
      if (n) rects.push({ ...n.position, ...nodeSize(n, NodeLibrary.get(n.type)) });
    }
    for (const id of this.selectedEdges) {
      const e = wf.edges[id];
      for (const end of e ? [e.from.node, e.to.node] : []) {
        const n = wf.nodes[end];
        if (n) rects.push({ ...n.position, ...nodeSize(n, NodeLibrary.get(n.type)) });
      }
    }
    const target = unionRect(rects);
    if (target === null) return;
    const { width, height } = this.getBoundingClientRect();
    const v = this.viewport;
    const fitted = fitViewport(target, width, height, 80);
    // Keep the zoom unless the target does not fit at it.
    const k = Math.min(v.k, fitted.k === 1 ? v.k : fitted.k);
    this.setViewport({
      k,
      x: width / 2 - (target.x + target.width / 2) * k,
      y: height / 2 - (target.y + target.height / 2) * k,
    });
  }

  // --- selection --------------------------------------------------------------------------------

  private setSelection(nodes: ReadonlySet<NodeId>, edges: ReadonlySet<EdgeId>): void {
    this.selectedNodes = nodes;
    this.selectedEdges = edges;
    this.dispatchEvent(
      new CustomEvent<BoardSelection>('selection-change', {
        detail: { nodes: [...nodes], edges: [...edges] },
      }),
    );
  }

  // --- pointer, wheel and keys: translated into inputs of the gesture machine -------------------

  private local(e: { clientX: number; clientY: number }): Position {
    const r = this.getBoundingClientRect();
    return { x: e.clientX - r.left, y: e.clientY - r.top };
  }

  /** What `element` is part of: a port (of a node), a node, an edge, or empty board. */
  private hitOf(element: Element | null | undefined): BoardHit {
    const nodeEl = element?.closest('.node');
    const node = nodeEl?.getAttribute('data-node-id') as NodeId | null | undefined;
    if (node) {
      const portEl = element?.closest('.port');
      const port = portEl?.getAttribute('data-port');
      const side = portEl?.getAttribute('data-side');
      if (port != null && (side === 'in' || side === 'out')) return { kind: 'port', node, port, side };
      return { kind: 'node', node };
    }
    const edge = element?.closest('.edge')?.getAttribute('data-edge-id') as EdgeId | null | undefined;
    return edge ? { kind: 'edge', edge } : { kind: 'empty' };
  }

  /** Runs one input through the gesture machine and applies what it returns to `event`'s board. */
  private run(event: Event & { pointerId?: number }, input: BoardInput): void {
    const step = stepBoardGesture(this.gesture, input, {
      workflow: this.workflow,
      selectedNodes: this.selectedNodes,
      selectedEdges: this.selectedEdges,
      viewport: this.viewport,
      readOnly: this.readOnly,
    });
    if (step.preventDefault) event.preventDefault();
    if (step.stopPropagation) event.stopPropagation();
    this.gesture = step.gesture;
    for (const command of step.commands) this.apply(command, event.pointerId);
  }

  private apply(command: BoardCommand, pointerId: number | undefined): void {
    switch (command.kind) {
      case 'focus':
        this.canvas.focus({ preventScroll: true });
        return;
      case 'capture':
        try {
          if (pointerId !== undefined) this.canvas.setPointerCapture(pointerId);
        } catch {
          // A synthetic pointer (tests, assistive tech) cannot be captured; the gesture still works.
        }
        return;
      case 'select':
        this.setSelection(command.nodes, command.edges);
        return;
      case 'edit':
        this.emitEdit(command.label, command.ops);
        return;
      case 'viewport':
        this.setViewport(command.viewport);
        return;
      case 'zoom':
        this.zoomBy(command.factor);
        return;
      case 'fit':
        this.fit();
        return;
      case 'presence':
        this.dispatchEvent(
          new CustomEvent<BoardActivity>('presence-change', {
            detail: { pointer: command.pointer, dragging: command.dragging },
          }),
        );
        return;
      case 'undo':
      case 'redo':
        this.dispatchEvent(new CustomEvent(`board-${command.kind}`, { bubbles: true, composed: true }));
        return;
    }
  }

  private onPointerDown(e: PointerEvent): void {
    this.run(e, {
      kind: 'pointer-down',
      pointerId: e.pointerId,
      button: e.button,
      screen: this.local(e),
      target: this.hitOf(e.target as Element),
      shift: e.shiftKey,
      mod: e.metaKey || e.ctrlKey,
    });
  }

  private onPointerMove(e: PointerEvent): void {
    this.run(e, { kind: 'pointer-move', pointerId: e.pointerId, screen: this.local(e) });
  }

  private onPointerUp(e: PointerEvent): void {
    // Where an edge being drawn lands: what is drawn under the pointer (the canvas captured it).
    const drop =
      this.gesture?.kind === 'connect'
        ? this.hitOf(this.shadowRoot?.elementFromPoint(e.clientX, e.clientY))
        : ({ kind: 'empty' } as const);
    this.run(e, {
      kind: 'pointer-up',
      pointerId: e.pointerId,
      target: this.hitOf(e.target as Element),
      drop,
    });
  }

  private onPointerCancel(e: PointerEvent): void {
    this.run(e, { kind: 'pointer-cancel' });
  }

  private onPointerLeave(e: PointerEvent): void {
    this.run(e, { kind: 'pointer-leave' });
  }

  private onWheel(e: WheelEvent): void {
    this.run(e, {
      kind: 'wheel',
      screen: this.local(e),
      deltaX: e.deltaX,
      deltaY: e.deltaY,
      deltaMode: e.deltaMode,
      shift: e.shiftKey,
      mod: e.ctrlKey || e.metaKey,
    });
  }

  private onKeydown(e: KeyboardEvent): void {
    this.run(e, { kind: 'key', key: e.key, shift: e.shiftKey, mod: e.ctrlKey || e.metaKey });
  }

  // --- drag and drop from the palette ----------------------------------------------------------

  private onDragOver(e: DragEvent): void {
    if (this.readOnly) return;
    if (e.dataTransfer?.types.includes(NODE_TYPE_MIME)) {
      e.preventDefault();
      e.dataTransfer.dropEffect = 'copy';
    }
  }

  private onDrop(e: DragEvent): void {
    if (this.readOnly) return;
    const type = e.dataTransfer?.getData(NODE_TYPE_MIME);
    if (!type || !NodeLibrary.has(type)) return;
    e.preventDefault();
    const at = toBoard(this.viewport, this.local(e));
    const { id, ops } = this.addNodeOps(type, { x: Math.round(at.x - 100), y: Math.round(at.y - 20) });
    this.emitEdit(`Add ${NodeLibrary.get(type)?.title ?? type}`, ops);
    this.setSelection(new Set([id]), new Set());
    this.canvas.focus({ preventScroll: true });
  }

  /** Deletes the selected nodes (with their edges) and edges, as one undoable gesture. */
  deleteSelection(): void {
    const wf = this.workflow;
    const deletion = wf === null ? null : deleteSelectionEdit(wf, this.selectedNodes, this.selectedEdges);
    if (deletion === null) return;
    this.emitEdit(deletion.label, deletion.ops);
    this.setSelection(new Set(), new Set());
  }

  private emitEdit(label: string, ops: readonly BoardOp[]): void {
    if (ops.length === 0 || this.readOnly) return;
    this.dispatchEvent(new CustomEvent<BoardEdit>('board-edit', { detail: { label, ops } }));
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'harmony-board': HarmonyBoard;
  }
}
