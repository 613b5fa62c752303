import {
  addNode,
  canFlow,
  createEdgeId,
  type EdgeId,
  type Finding,
  type NodeId,
  NodeLibrary,
  type NodeTypeSpec,
  type PortSpec,
  type Position,
  type RejectReason,
  type Workflow,
  type WorkflowNode,
  type WorkflowReport,
} from '@symphony/schemas';
import { css, html, LitElement, nothing, type PropertyValues, svg } from 'lit';
import { customElement, property, query, state } from 'lit/decorators.js';
import { repeat } from 'lit/directives/repeat.js';
import {
  edgeMidpoint,
  edgePath,
  fitViewport,
  intersects,
  nodeSize,
  PORT_STYLE,
  portOffset,
  portPosition,
  type Rect,
  rectFromPoints,
  toBoard,
  unionRect,
  type Viewport,
  zoomAt,
} from '../core/board-geometry.js';
import type { BoardOp } from '../core/board-history.js';
import type { BoardPeer } from '../core/board-presence.js';

/** Detail of `board-edit`: one gesture, to apply as one change. */
export interface BoardEdit {
  readonly label: string;
  readonly ops: readonly BoardOp[];
}

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

/** The MIME type a palette item carries when dragged onto the board. */
export const NODE_TYPE_MIME = 'application/x-symphony-node-type';

/** Words for why an edge is rejected, shown on the edge and in its tooltip. */
export const REJECT_LABEL: Readonly<Record<RejectReason, string>> = {
  dangling: 'node deleted',
  'invalid-ports': 'ports do not fit',
  'extra-input': 'input already connected',
  cycle: 'closes a cycle',
};

type Gesture =
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
    }
  | { kind: 'band'; start: Position; at: Position; additive: readonly NodeId[]; pointerId: number };

/**
 * Below 35 % zoom nodes are drawn as outlines (no text, no ports): at that size they are
 * unreadable anyway, and rasterising 1,000 nodes' text and ports is what costs frames.
 */
const OUTLINE_BELOW_ZOOM = 0.35;

/** 20 board units: how far arrow keys move the selection (shift: 4×). */
const NUDGE = 20;

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
 * @fires board-edit - `CustomEvent<BoardEdit>`: a gesture to apply.
 * @fires selection-change - `CustomEvent<BoardSelection>`.
 * @fires presence-change - `CustomEvent<BoardActivity>`: pointer and drag, for collaborators.
 * @fires board-undo - Ctrl+Z on the board.
 * @fires board-redo - Ctrl+Shift+Z or Ctrl+Y on the board.
 * @csspart canvas - the focusable area holding the SVG.
 */
@customElement('harmony-board')
export class HarmonyBoard extends LitElement {
  static override styles = css`
    :host {
      display: block;
      position: relative;
      overflow: hidden;
      background: #f8f9fb;
      user-select: none;
      -webkit-user-select: none;
    }
    .canvas {
      position: absolute;
      inset: 0;
      outline: none;
      touch-action: none;
      overflow: hidden;
      background-image: radial-gradient(circle at 1px 1px, #d5dae2 1px, transparent 1.2px);
    }
    /* The content sits on its own compositor layer: panning moves the layer, nothing repaints. */
    .layer {
      position: absolute;
      left: 0;
      top: 0;
      width: 100%;
      height: 100%;
      transform-origin: 0 0;
      will-change: transform;
      pointer-events: none;
    }
    svg.content {
      position: absolute;
      left: 0;
      top: 0;
      width: 100%;
      height: 100%;
      overflow: visible;
      pointer-events: none;
    }
    .node,
    .edge path.hit {
      pointer-events: auto;
    }
    .canvas:focus-visible {
      box-shadow: inset 0 0 0 2px var(--sy-accent);
    }
    .canvas {
      cursor: grab;
    }
    .canvas.panning {
      cursor: grabbing;
    }
    .node {
      cursor: default;
    }
    .node .body {
      fill: #fff;
      stroke: #c9d0da;
      stroke-width: 1;
    }
    .node .head {
      fill: #eef0f5;
    }
    .node.instrument .head {
      fill: #ece9ff;
    }
    .node.addon .body {
      fill: #fffbe6;
      stroke: #e8d48a;
    }
    .node.group .body {
      fill: rgba(79, 70, 229, 0.04);
      stroke: #a5a1f0;
      stroke-dasharray: 6 4;
    }
    .node.group .head {
      fill: transparent;
    }
    .node.selected .body {
      stroke: var(--sy-accent);
      stroke-width: 2.5;
    }
    .node.error .body {
      stroke: var(--sy-danger);
      stroke-width: 2.5;
    }
    .node.error.selected .body {
      stroke-width: 3.5;
    }
    .node.warning .body {
      stroke: var(--sy-warn);
      stroke-width: 2;
    }
    .node .title {
      font: 600 13px system-ui, sans-serif;
      fill: #1f2328;
    }
    .node .sub {
      font: 11px system-ui, sans-serif;
      fill: #5f6b7a;
    }
    .node .badge {
      fill: var(--sy-danger);
    }
    .node .badge-text {
      font: 700 11px system-ui, sans-serif;
      fill: #fff;
    }
    .port {
      cursor: crosshair;
    }
    .port .hit {
      fill: transparent;
    }
    .port .label {
      font: 11px system-ui, sans-serif;
      fill: #3d4752;
    }
    .port.compatible .shape {
      stroke: var(--sy-ok);
      stroke-width: 4;
    }
    .port.incompatible {
      opacity: 0.3;
    }
    .edge path.line {
      fill: none;
      stroke: #8a94a3;
      stroke-width: 2;
    }
    .edge path.hit {
      fill: none;
      stroke: transparent;
      stroke-width: 12;
      cursor: pointer;
    }
    .edge.selected path.line {
      stroke: var(--sy-accent);
      stroke-width: 3;
    }
    .edge.error path.line {
      stroke: var(--sy-danger);
    }
    .edge.rejected path.line {
      stroke: var(--sy-danger);
      stroke-dasharray: 7 5;
    }
    .edge .reason {
      font: 600 11px system-ui, sans-serif;
      fill: var(--sy-danger);
      paint-order: stroke;
      stroke: #f8f9fb;
      stroke-width: 4px;
    }
    .pending {
      fill: none;
      stroke: var(--sy-accent);
      stroke-width: 2;
      stroke-dasharray: 4 3;
      pointer-events: none;
    }
    .band {
      fill: rgba(79, 70, 229, 0.08);
      stroke: var(--sy-accent);
      stroke-dasharray: 4 3;
      pointer-events: none;
    }
    .remote-outline {
      fill: none;
      stroke-width: 2.5;
      stroke-dasharray: 2 3;
      pointer-events: none;
    }
    .remote-name {
      font: 600 11px system-ui, sans-serif;
      pointer-events: none;
    }
    .ghost {
      fill: none;
      stroke-width: 2;
      stroke-dasharray: 6 4;
      pointer-events: none;
    }
    .empty {
      position: absolute;
      inset: 0;
      display: grid;
      place-items: center;
      pointer-events: none;
    }
    .empty div {
      max-width: 26rem;
      padding: 1.5rem 2rem;
      text-align: center;
      border: 1px dashed var(--sy-border);
      border-radius: var(--sy-radius);
      background: rgba(255, 255, 255, 0.85);
      color: var(--sy-muted);
    }
    .empty h2 {
      margin: 0 0 0.5rem;
      font-size: 1.1rem;
      color: var(--sy-text);
    }
    .empty p {
      margin: 0.25rem 0;
    }
  `;

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
  @state() private gesture: Gesture | null = null;
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
          return this.renderEdge(id, a, b);
        },
      )}</g>
      <g class="nodes">${repeat(
        nodes,
        ([id]) => id,
        ([id, node]) => this.renderNode(id, node, position(id, node), remoteSelections.get(id)),
      )}</g>
      <g class="remote">${this.peers.map((peer) => this.renderPeer(peer, wf))}</g>
      ${this.renderGestureOverlay(wf)}
    `;
  }

  private renderEdge(id: EdgeId, a: Position, b: Position) {
    const rejected = this.report?.rejectedEdges.get(id);
    const findings = this.findingsByTarget.get(`edge:${id}`) ?? [];
    const error = findings.some((f) => f.severity === 'error');
    const cls = `edge${rejected ? ' rejected' : ''}${error ? ' error' : ''}${this.selectedEdges.has(id) ? ' selected' : ''}`;
    const d = edgePath(a, b);
    const mid = edgeMidpoint(a, b);
    const tip = [
      rejected ? `Rejected: ${REJECT_LABEL[rejected]}` : 'Edge',
      ...findings.map((f) => f.message),
    ].join('\n');
    return svg`<g class=${cls} data-testid="board-edge" data-edge-id=${id} data-rejected=${rejected ?? ''}
        data-finding=${error ? 'error' : ''}>
      <title>${tip}</title>
      <path class="hit" d=${d}></path>
      <path class="line" d=${d}></path>
      ${
        rejected
          ? svg`<text class="reason" x=${mid.x} y=${mid.y - 6} text-anchor="middle" data-testid="edge-reason">✕ ${REJECT_LABEL[rejected]}</text>`
          : nothing
      }
    </g>`;
  }

  private renderNode(id: NodeId, node: WorkflowNode, at: Position, remote: BoardPeer[] | undefined) {
    const spec = NodeLibrary.get(node.type);
    const { width, height } = nodeSize(node, spec);
    const findings = this.findingsByTarget.get(`node:${id}`) ?? [];
    const errors = findings.filter((f) => f.severity === 'error').length;
    const severity = errors > 0 ? 'error' : findings.length > 0 ? 'warning' : '';
    const selected = this.selectedNodes.has(id);
    const title =
      node.label ??
      (node.type === 'group' ? String(node.params.title ?? 'Group') : (spec?.title ?? node.type));
    const g = this.gesture;
    const connecting = g?.kind === 'connect' ? g : null;
    const tip = [
      `${title} (${spec?.title ?? `unknown type ${node.type}`})`,
      ...findings.map((f) => `• ${f.message}`),
    ].join('\n');
    if (this.outline && !selected) {
      return svg`<g class="node ${node.kind} ${node.type === 'group' ? 'group' : ''} ${severity}"
          transform="translate(${at.x} ${at.y})" data-testid="board-node" data-node-id=${id} data-type=${node.type}
          data-finding=${severity} aria-label=${title}>
        <rect class="body" width=${width} height=${height} rx="8"></rect>
        <rect class="head" width=${width} height="34" rx="8"></rect>
      </g>`;
    }
    return svg`<g class="node ${node.kind} ${node.type === 'group' ? 'group' : ''} ${selected ? 'selected' : ''} ${severity}"
        transform="translate(${at.x} ${at.y})" data-testid="board-node" data-node-id=${id} data-type=${node.type}
        data-finding=${severity} aria-label=${title}>
      <title>${tip}</title>
      <rect class="body" width=${width} height=${height} rx="8"></rect>
      <path class="head" d="M0 8a8 8 0 0 1 8-8h${width - 16}a8 8 0 0 1 8 8v${26}h-${width}z"></path>
      <text class="title" x="12" y="21">${truncate(title, 24)}</text>
      ${
        node.type === 'note'
          ? svg`<text class="sub" x="12" y="52">${truncate(String(node.params.text ?? ''), 30)}</text>`
          : nothing
      }
      ${
        errors > 0
          ? svg`<g data-testid="node-error-badge"><circle class="badge" cx=${width - 14} cy="17" r="9"></circle>
              <text class="badge-text" x=${width - 14} y="21" text-anchor="middle">${errors}</text></g>`
          : nothing
      }
      ${(spec?.inputs ?? []).map((p, i) => this.renderPort(id, p, 'in', i, width, connecting))}
      ${(spec?.outputs ?? []).map((p, i) => this.renderPort(id, p, 'out', i, width, connecting))}
      ${
        remote === undefined
          ? nothing
          : remote.map(
              (
                peer,
                i,
              ) => svg`<rect class="remote-outline" x=${-4 - i * 3} y=${-4 - i * 3} width=${width + 8 + i * 6}
                  height=${height + 8 + i * 6} rx="10" stroke=${peer.color}></rect>
                <text class="remote-name" x="0" y=${-8 - i * 14} fill=${peer.color}>${peer.name}</text>`,
            )
      }
    </g>`;
  }

  private renderPort(
    node: NodeId,
    port: PortSpec,
    side: 'in' | 'out',
    index: number,
    width: number,
    connecting: Extract<Gesture, { kind: 'connect' }> | null,
  ) {
    const at = portOffset(side, index, width);
    const style = PORT_STYLE[port.type];
    let state = '';
    if (connecting !== null && side === 'in') {
      state =
        connecting.from.node !== node && canFlow(connecting.from.type, port.type)
          ? 'compatible'
          : 'incompatible';
    }
    const shape =
      style.shape === 'circle'
        ? svg`<circle class="shape" r="6" fill=${style.color} stroke="#fff" stroke-width="1.5"></circle>`
        : style.shape === 'square'
          ? svg`<rect class="shape" x="-6" y="-6" width="12" height="12" rx="2" fill=${style.color} stroke="#fff" stroke-width="1.5"></rect>`
          : svg`<path class="shape" d="M0 -7L7 0L0 7L-7 0z" fill=${style.color} stroke="#fff" stroke-width="1.5"></path>`;
    return svg`<g class="port ${side} ${state}" transform="translate(${at.x} ${at.y})" data-port=${port.name}
        data-side=${side} data-port-type=${port.type} data-testid="port">
      <title>${port.label} (${port.type}${port.required ? ', required' : ''}${port.multiple ? ', many' : ''})</title>
      <circle class="hit" r="11"></circle>
      ${shape}
      <text class="label" x=${side === 'in' ? 12 : -12} y="4" text-anchor=${side === 'in' ? 'start' : 'end'}>${port.label}</text>
    </g>`;
  }

  private renderPeer(peer: BoardPeer, wf: Workflow) {
    const ghosts = [...peer.dragging].map(([id, p]) => {
      // A peer names the node: `constructor` is no node of this workflow.
      const node = Object.hasOwn(wf.nodes, id) ? wf.nodes[id as NodeId] : undefined;
      if (!node) return nothing;
      const { width, height } = nodeSize(node, NodeLibrary.get(node.type));
      return svg`<rect class="ghost" x=${p.x} y=${p.y} width=${width} height=${height} rx="8" stroke=${peer.color}></rect>`;
    });
    const pointer = peer.pointer;
    return svg`<g data-testid="remote-peer" data-peer-name=${peer.name}>
      ${ghosts}
      ${
        pointer === null
          ? nothing
          : svg`<g transform="translate(${pointer.x} ${pointer.y})">
              <path d="M0 0L0 16L4.5 12L8 19L10.5 18L7 11L13 11z" fill=${peer.color} stroke="#fff"></path>
              <text class="remote-name" x="14" y="24" fill=${peer.color}>${peer.name}</text>
            </g>`
      }
    </g>`;
  }

  private renderGestureOverlay(wf: Workflow) {
    const g = this.gesture;
    if (g?.kind === 'connect') {
      const node = wf.nodes[g.from.node];
      const a = node ? portPosition(node, NodeLibrary.get(node.type), 'out', g.from.port) : undefined;
      return a ? svg`<path class="pending" d=${edgePath(a, g.at)}></path>` : nothing;
    }
    if (g?.kind === 'band') {
      const r = rectFromPoints(g.start, g.at);
      return svg`<rect class="band" x=${r.x} y=${r.y} width=${r.width} height=${r.height}></rect>`;
    }
    return nothing;
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

  // --- pointer ----------------------------------------------------------------------------------

  private local(e: { clientX: number; clientY: number }): Position {
    const r = this.getBoundingClientRect();
    return { x: e.clientX - r.left, y: e.clientY - r.top };
  }

  private onPointerDown(e: PointerEvent): void {
    if (e.button !== 0 || this.workflow === null) return;
    this.canvas.focus({ preventScroll: true });
    const target = e.target as Element;
    const canvas = e.currentTarget as HTMLElement;
    const capture = (): void => {
      try {
        canvas.setPointerCapture(e.pointerId);
      } catch {
        // A synthetic pointer (tests, assistive tech) cannot be captured; the gesture still works.
      }
    };
    const at = toBoard(this.viewport, this.local(e));
    const portEl = target.closest('.port');
    const nodeEl = target.closest('.node');
    const edgeEl = target.closest('.edge');
    const nodeId = nodeEl?.getAttribute('data-node-id') as NodeId | null;
    if (portEl && nodeId && portEl.getAttribute('data-side') === 'out' && !this.readOnly) {
      const node = this.workflow.nodes[nodeId];
      const port = NodeLibrary.get(node?.type ?? '')?.outputs.find(
        (p) => p.name === portEl.getAttribute('data-port'),
      );
      if (port) {
        capture();
        this.gesture = {
          kind: 'connect',
          from: { node: nodeId, port: port.name, type: port.type },
          start: at,
          at,
          pointerId: e.pointerId,
        };
        e.preventDefault();
        return;
      }
    }
    if (nodeId && this.workflow.nodes[nodeId]) {
      let nodes = this.selectedNodes;
      if (e.shiftKey || e.metaKey || e.ctrlKey) {
        const next = new Set(nodes);
        if (next.has(nodeId)) next.delete(nodeId);
        else next.add(nodeId);
        this.setSelection(next, this.selectedEdges);
        return;
      }
      if (!nodes.has(nodeId)) {
        nodes = new Set([nodeId]);
        this.setSelection(nodes, new Set());
      }
      if (this.readOnly) return;
      capture();
      this.gesture = {
        kind: 'move',
        start: at,
        ids: [...nodes],
        dx: 0,
        dy: 0,
        moved: false,
        pointerId: e.pointerId,
      };
      return;
    }
    const edgeId = edgeEl?.getAttribute('data-edge-id') as EdgeId | null;
    if (edgeId) {
      if (e.shiftKey) {
        const next = new Set(this.selectedEdges);
        if (next.has(edgeId)) next.delete(edgeId);
        else next.add(edgeId);
        this.setSelection(this.selectedNodes, next);
      } else {
        this.setSelection(new Set(), new Set([edgeId]));
      }
      return;
    }
    capture();
    if (e.shiftKey) {
      this.gesture = {
        kind: 'band',
        start: at,
        at,
        additive: [...this.selectedNodes],
        pointerId: e.pointerId,
      };
    } else {
      this.gesture = {
        kind: 'pan',
        start: this.local(e),
        origin: this.viewport,
        moved: false,
        pointerId: e.pointerId,
      };
    }
  }

  private onPointerMove(e: PointerEvent): void {
    const g = this.gesture;
    const screen = this.local(e);
    const at = toBoard(this.viewport, screen);
    if (g === null) {
      this.dispatchEvent(
        new CustomEvent<BoardActivity>('presence-change', { detail: { pointer: at, dragging: [] } }),
      );
      return;
    }
    if (e.pointerId !== g.pointerId) return;
    switch (g.kind) {
      case 'pan': {
        const dx = screen.x - g.start.x;
        const dy = screen.y - g.start.y;
        if (!g.moved && Math.hypot(dx, dy) < 3) return;
        if (!g.moved) this.gesture = { ...g, moved: true };
        this.setViewport({ ...g.origin, x: g.origin.x + dx, y: g.origin.y + dy });
        return;
      }
      case 'move': {
        const dx = Math.round(at.x - g.start.x);
        const dy = Math.round(at.y - g.start.y);
        if (!g.moved && Math.hypot(dx, dy) * this.viewport.k < 3) return;
        this.gesture = { ...g, dx, dy, moved: true };
        const wf = this.workflow;
        const dragging: [string, Position][] = [];
        for (const id of g.ids) {
          const n = wf?.nodes[id];
          if (n) dragging.push([id, { x: n.position.x + dx, y: n.position.y + dy }]);
        }
        this.dispatchEvent(
          new CustomEvent<BoardActivity>('presence-change', { detail: { pointer: at, dragging } }),
        );
        return;
      }
      case 'connect':
      case 'band':
        this.gesture = { ...g, at };
        return;
    }
  }

  private onPointerUp(e: PointerEvent): void {
    const g = this.gesture;
    if (g === null || e.pointerId !== g.pointerId) return;
    this.gesture = null;
    const wf = this.workflow;
    if (wf === null) return;
    switch (g.kind) {
      case 'pan':
        if (!g.moved) this.setSelection(new Set(), new Set());
        return;
      case 'move': {
        this.dispatchEvent(
          new CustomEvent<BoardActivity>('presence-change', { detail: { pointer: null, dragging: [] } }),
        );
        if (!g.moved) {
          if (this.selectedNodes.size > 1 && g.ids.length > 1) {
            // A click (no drag) on one of several selected nodes selects just it.
            const hit = (e.target as Element).closest('.node')?.getAttribute('data-node-id') as NodeId | null;
            if (hit) this.setSelection(new Set([hit]), new Set());
          }
          return;
        }
        const positions: [NodeId, Position][] = [];
        for (const id of g.ids) {
          const n = wf.nodes[id];
          if (n) positions.push([id, { x: n.position.x + g.dx, y: n.position.y + g.dy }]);
        }
        this.emitEdit(positions.length === 1 ? 'Move node' : `Move ${positions.length} nodes`, [
          { op: 'move', positions },
        ]);
        return;
      }
      case 'connect': {
        const hit = this.shadowRoot?.elementFromPoint(e.clientX, e.clientY);
        const portEl = hit?.closest('.port.in');
        const nodeId = portEl?.closest('.node')?.getAttribute('data-node-id') as NodeId | null | undefined;
        const portName = portEl?.getAttribute('data-port');
        if (!portEl || !nodeId || !portName || !wf.nodes[nodeId]) return;
        const spec: NodeTypeSpec | undefined = NodeLibrary.get(wf.nodes[nodeId].type);
        const into = spec?.inputs.find((p) => p.name === portName);
        if (!into || nodeId === g.from.node || !canFlow(g.from.type, into.type)) return;
        const duplicate = Object.values(wf.edges).some(
          (x) =>
            x.from.node === g.from.node &&
            x.from.port === g.from.port &&
            x.to.node === nodeId &&
            x.to.port === portName,
        );
        if (duplicate) return;
        const id = createEdgeId();
        this.emitEdit('Connect', [
          {
            op: 'put-edge',
            id,
            edge: { from: { node: g.from.node, port: g.from.port }, to: { node: nodeId, port: portName } },
          },
        ]);
        return;
      }
      case 'band': {
        const band = rectFromPoints(g.start, g.at);
        const next = new Set<NodeId>(g.additive);
        for (const [id, n] of Object.entries(wf.nodes) as [NodeId, WorkflowNode][]) {
          if (intersects(band, { ...n.position, ...nodeSize(n, NodeLibrary.get(n.type)) })) next.add(id);
        }
        this.setSelection(next, new Set());
        return;
      }
    }
  }

  private onPointerCancel(): void {
    this.gesture = null;
  }

  private onPointerLeave(): void {
    if (this.gesture === null) {
      this.dispatchEvent(
        new CustomEvent<BoardActivity>('presence-change', { detail: { pointer: null, dragging: [] } }),
      );
    }
  }

  private onWheel(e: WheelEvent): void {
    e.preventDefault();
    const scale = e.deltaMode === 1 ? 16 : e.deltaMode === 2 ? 400 : 1;
    if (e.ctrlKey || e.metaKey) {
      this.setViewport(zoomAt(this.viewport, Math.exp((-e.deltaY * scale) / 400), this.local(e)));
    } else {
      const dx = (e.shiftKey && e.deltaX === 0 ? e.deltaY : e.deltaX) * scale;
      const dy = (e.shiftKey && e.deltaX === 0 ? 0 : e.deltaY) * scale;
      this.setViewport({ ...this.viewport, x: this.viewport.x - dx, y: this.viewport.y - dy });
    }
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

  // --- keyboard ---------------------------------------------------------------------------------

  private onKeydown(e: KeyboardEvent): void {
    const wf = this.workflow;
    if (wf === null) return;
    const mod = e.ctrlKey || e.metaKey;
    const key = e.key.toLowerCase();
    const edits = (mod && (key === 'z' || key === 'y')) || e.key === 'Delete' || e.key === 'Backspace';
    if (this.readOnly && (edits || (e.key.startsWith('Arrow') && this.selectedNodes.size > 0))) return;
    if (mod && key === 'z') {
      e.preventDefault();
      this.dispatchEvent(
        new CustomEvent(e.shiftKey ? 'board-redo' : 'board-undo', { bubbles: true, composed: true }),
      );
    } else if (mod && key === 'y') {
      e.preventDefault();
      this.dispatchEvent(new CustomEvent('board-redo', { bubbles: true, composed: true }));
    } else if (mod && key === 'a') {
      e.preventDefault();
      this.setSelection(new Set(Object.keys(wf.nodes) as NodeId[]), new Set());
    } else if (e.key === 'Delete' || e.key === 'Backspace') {
      e.preventDefault();
      this.deleteSelection();
    } else if (e.key === 'Escape' && (this.selectedNodes.size > 0 || this.selectedEdges.size > 0)) {
      e.preventDefault();
      e.stopPropagation();
      this.setSelection(new Set(), new Set());
    } else if (!mod && (e.key === '+' || e.key === '=')) {
      this.zoomBy(1.2);
    } else if (!mod && e.key === '-') {
      this.zoomBy(1 / 1.2);
    } else if (!mod && e.key === '0') {
      this.fit();
    } else if (e.key.startsWith('Arrow') && this.selectedNodes.size > 0) {
      e.preventDefault();
      const step = e.shiftKey ? NUDGE * 4 : NUDGE;
      const dx = e.key === 'ArrowLeft' ? -step : e.key === 'ArrowRight' ? step : 0;
      const dy = e.key === 'ArrowUp' ? -step : e.key === 'ArrowDown' ? step : 0;
      const positions: [NodeId, Position][] = [];
      for (const id of this.selectedNodes) {
        const n = wf.nodes[id];
        if (n) positions.push([id, { x: n.position.x + dx, y: n.position.y + dy }]);
      }
      this.emitEdit('Move', [{ op: 'move', positions }]);
    }
  }

  /** Deletes the selected nodes (with their edges) and edges, as one undoable gesture. */
  deleteSelection(): void {
    const wf = this.workflow;
    if (wf === null || (this.selectedNodes.size === 0 && this.selectedEdges.size === 0)) return;
    const edges = new Set<EdgeId>(this.selectedEdges);
    for (const [id, edge] of Object.entries(wf.edges) as [EdgeId, Workflow['edges'][EdgeId]][]) {
      if (this.selectedNodes.has(edge.from.node) || this.selectedNodes.has(edge.to.node)) edges.add(id);
    }
    const ops: BoardOp[] = [
      ...[...edges].map((id): BoardOp => ({ op: 'remove-edge', id })),
      ...[...this.selectedNodes].map((id): BoardOp => ({ op: 'remove-node', id })),
    ];
    const n = this.selectedNodes.size;
    this.emitEdit(n > 0 ? `Delete ${n} ${n === 1 ? 'node' : 'nodes'}` : 'Delete edge', ops);
    this.setSelection(new Set(), new Set());
  }

  private emitEdit(label: string, ops: readonly BoardOp[]): void {
    if (ops.length === 0 || this.readOnly) return;
    this.dispatchEvent(new CustomEvent<BoardEdit>('board-edit', { detail: { label, ops } }));
  }
}

function truncate(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

declare global {
  interface HTMLElementTagNameMap {
    'harmony-board': HarmonyBoard;
  }
}
