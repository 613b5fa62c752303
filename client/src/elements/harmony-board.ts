// <harmony-board>: the Harmony Board, a Workflow drawn as SVG and edited by direct manipulation; it
// hit-tests DOM events into the gesture machine (board-gestures.ts) and applies its commands.
import {
  addNode,
  type EdgeId,
  type Finding,
  type NodeId,
  NodeLibrary,
  type NodeState,
  type Position,
  type Workflow,
  type WorkflowNode,
  type WorkflowReport,
} from '@symphony/schemas';
import { html, LitElement, nothing, type PropertyValues } from 'lit';
import { customElement, property, query, queryAll, state } from 'lit/decorators.js';
import { fitViewport, type Rect, toBoard, type Viewport, zoomAt } from '../core/board-geometry.js';
import {
  type BoardActivity,
  type BoardCommand,
  type BoardEdit,
  type BoardGesture,
  type BoardHit,
  type BoardInput,
  type BoardSelection,
  stepBoardGesture,
} from '../core/board-gestures.js';
import type { BoardOp } from '../core/board-history.js';
import type { BoardPeer } from '../core/board-presence.js';
import { drawnWindow, menuAnchor, revealViewport, workflowBounds } from '../core/board-view.js';
import type { MenuPick } from './board-context-menu.js';
import './board-context-menu.js';
import './board-help.js';
import type { BoardMinimap, MinimapPan } from './board-minimap.js';
import './board-minimap.js';
import {
  boardHit,
  findingsByTarget,
  renderBoardContent,
  renderEmptyBoard,
  renderRefusal,
} from './harmony-board.parts.js';
import { harmonyBoardStyles } from './harmony-board.styles.js';

export type { BoardActivity, BoardEdit, BoardSelection } from '../core/board-gestures.js';
export { REJECT_LABEL, RUN_STATE_LABEL } from './harmony-board.parts.js';

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
 * collaborators' selections, drags and pointers in their colours; while a run is shown, each node's
 * state in it (queued, running, retrying, succeeded, cached, failed, cancelled, skipped).
 *
 * Drag a node to move it (one edit when released), drag from an output port to a compatible input
 * (compatible inputs light up), shift-click or shift-drag on empty space to select several, drag
 * empty space or use the wheel to pan, Ctrl+wheel or the buttons to zoom. Pan and zoom change one
 * SVG transform and never re-render nodes.
 *
 * All of it works from the keyboard too (core/board-shortcuts.ts; `?` shows the table). A refused
 * connection says why, on the board and in its live region; a right-click (or Shift+F10) opens a
 * menu of the common actions; a minimap shows large workflows.
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
  /**
   * Each node's state in the run the board shows (a new map for every change), or null for none:
   * each node then carries `data-run-state`, a class and a badge that says it.
   */
  @property({ attribute: false }) runStates: ReadonlyMap<NodeId, NodeState> | null = null;

  @state() private selectedNodes: ReadonlySet<NodeId> = new Set();
  @state() private selectedEdges: ReadonlySet<EdgeId> = new Set();
  @state() private gesture: BoardGesture | null = null;
  /**
   * The part of the board that is drawn: the view plus one view's size on every side. Nodes outside
   * are not in the DOM; panning re-renders only when the view nears its edge.
   */
  @state() private window: Rect | null = null;
  @state() private outline = false;
  /** The node the keyboard is on. */
  @state() private focusedNode: NodeId | null = null;
  /** The open context menu: what it is for, and where (board-local CSS pixels). */
  @state() private menu: { target: BoardHit; at: Position } | null = null;
  @state() private helpOpen = false;
  /** The last input was a key: the focused node shows its ring. */
  @state() private keys = false;
  /** The last thing said in the live region (focus moves, refusals, connections). */
  @state() private announcement = '';

  @query('.canvas') private canvas!: HTMLDivElement;
  @queryAll('g.viewport') private viewportGroups!: NodeListOf<SVGGElement>;
  @query('.layer') private layer!: HTMLDivElement | null;
  @query('board-minimap') private minimap!: BoardMinimap | null;

  private viewport: Viewport = { x: 40, y: 40, k: 1 };
  private viewportFrame = 0;
  private fitted = false;
  private addCount = 0;
  private findingsByTarget = new Map<string, Finding[]>();
  private findingsFor: WorkflowReport | null = null;
  /** The report's errors, counted once per report (the board's accessible name says how many). */
  private problems = 0;
  private announceTimer: ReturnType<typeof setTimeout> | undefined;
  private readonly resizes = new ResizeObserver(() => this.applyViewport());
  private readonly mac = /Mac|iPhone|iPad/.test(globalThis.navigator?.platform ?? '');

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
    this.setViewport(fitViewport(workflowBounds(this.workflow), width, height));
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
      this.findingsByTarget = findingsByTarget(this.report);
      this.problems = this.report?.findings.filter((f) => f.severity === 'error').length ?? 0;
    }
    if (changed.has('workflow') && this.workflow !== null) {
      // Drop selected things that no longer exist (deleted here or by someone else).
      const nodes = [...this.selectedNodes].filter((id) => this.workflow?.nodes[id]);
      const edges = [...this.selectedEdges].filter((id) => this.workflow?.edges[id]);
      if (nodes.length !== this.selectedNodes.size || edges.length !== this.selectedEdges.size) {
        this.setSelection(new Set(nodes), new Set(edges));
      }
      if (this.focusedNode !== null && !this.workflow.nodes[this.focusedNode]) this.focusedNode = null;
      const g = this.gesture;
      const gone = (id: NodeId | undefined) => id !== undefined && !this.workflow?.nodes[id];
      if (g?.kind === 'link' && (gone(g.from.node) || gone(g.target?.node))) this.gesture = null;
    }
  }

  override connectedCallback(): void {
    super.connectedCallback();
    // A new size (window, split screen, a drawer opening): redraw the window, resize the minimap.
    this.resizes.observe(this);
  }

  override disconnectedCallback(): void {
    this.resizes.disconnect();
    clearTimeout(this.announceTimer);
    super.disconnectedCallback();
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
    const content = wf === null ? null : renderBoardContent(wf, this.scene());
    return html`<div
        class="canvas ${this.gesture?.kind === 'pan' && this.gesture.moved ? 'panning' : ''} ${this.keys ? 'keys' : ''}"
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
        @contextmenu=${this.onContextMenu}
      >
        <div class="layer" style=${this.layerStyle(v)}>
          <svg class="content edges-layer">
            <g class="viewport" transform="scale(${v.k})">${content?.edges ?? nothing}</g>
          </svg>
          <svg class="content">
            <g class="viewport" transform="scale(${v.k})">${content?.nodes ?? nothing}</g>
          </svg>
          ${renderRefusal(this.gesture, wf, v, () => this.getBoundingClientRect().width)}
        </div>
      </div>
      ${empty ? renderEmptyBoard() : nothing}
      <div class="announcement ${this.announcement === '' ? 'quiet' : ''}" role="status" aria-live="polite"
        data-testid="board-announcement">${this.announcement}</div>
      <button class="help-button" data-testid="board-help-button" aria-label="Keyboard shortcuts (?)"
        title="Keyboard shortcuts (?)" @click=${() => this.apply({ kind: 'help' }, undefined)}>?</button>
      <board-minimap .workflow=${wf} @minimap-pan=${(e: CustomEvent<MinimapPan>) => this.setViewport(e.detail.viewport)}></board-minimap>
      ${this.renderMenu()}
      ${this.helpOpen ? html`<board-help ?mac=${this.mac} @help-close=${this.closeHelp}></board-help>` : nothing}`;
  }

  private scene() {
    return {
      gesture: this.gesture,
      selectedNodes: this.selectedNodes,
      selectedEdges: this.selectedEdges,
      focusedNode: this.focusedNode,
      findingsByTarget: this.findingsByTarget,
      rejectedEdges: this.report?.rejectedEdges,
      window: this.window,
      outline: this.outline,
      peers: this.peers,
      runStates: this.runStates,
    };
  }

  private renderMenu() {
    if (this.menu === null || this.workflow === null) return nothing;
    const { width, height } = this.getBoundingClientRect();
    return html`<board-context-menu .target=${this.menu.target} .context=${this.context()} ?mac=${this.mac}
      .at=${this.menu.at} .bounds=${{ width, height }} @menu-close=${this.closeMenu}
      @menu-pick=${(e: CustomEvent<MenuPick>) => this.run(e, { kind: 'action', ...e.detail })}></board-context-menu>`;
  }

  private describe(): string {
    const wf = this.workflow;
    if (wf === null) return 'Workflow board, loading';
    const n = Object.keys(wf.nodes).length;
    const e = Object.keys(wf.edges).length;
    return `Workflow board: ${n} nodes, ${e} edges, ${this.problems} problems, ${this.selectedNodes.size} selected`;
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
    for (const group of this.viewportGroups ?? []) {
      if (group.getAttribute('transform') !== scale) group.setAttribute('transform', scale);
    }
    if (this.canvas !== null) this.canvas.setAttribute('style', this.canvasStyle(v));
    if (this.minimap !== null) {
      const { width, height } = this.getBoundingClientRect();
      this.minimap.viewport = v;
      this.minimap.viewSize = { width, height };
    }
    this.updateWindow();
    this.dispatchEvent(new CustomEvent('viewport-change', { detail: v }));
  }

  /** Re-renders only when the view nears the drawn window's edge or crosses the outline zoom. */
  private updateWindow(): void {
    const v = this.viewport;
    const { width, height } = this.getBoundingClientRect();
    if (width === 0 || height === 0) return;
    const outline = v.k < OUTLINE_BELOW_ZOOM;
    const next = drawnWindow(v, { width, height }, this.window);
    if (next === this.window && outline === this.outline) return;
    this.outline = outline;
    this.window = next;
  }

  private layerStyle(v: Viewport): string {
    return `transform:translate(${v.x}px, ${v.y}px)`;
  }

  private canvasStyle(v: Viewport): string {
    const size = 24 * v.k;
    return `background-size:${size}px ${size}px;background-position:${v.x}px ${v.y}px`;
  }

  /** Pans (zooming out only if they do not fit) to show these nodes, or else the selection. */
  private reveal(nodes: Iterable<NodeId> | null = null, onlyIfHidden = false): void {
    if (this.workflow === null) return;
    const edges = nodes === null ? this.selectedEdges : [];
    const { width, height } = this.getBoundingClientRect();
    const v = revealViewport(
      this.workflow,
      nodes ?? this.selectedNodes,
      edges,
      this.viewport,
      { width, height },
      onlyIfHidden,
    );
    if (v !== null) this.setViewport(v);
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

  /** Runs one input through the gesture machine and applies what it returns to `event`'s board. */
  private run(event: Event & { pointerId?: number }, input: BoardInput): void {
    const before = this.gesture;
    const step = stepBoardGesture(before, input, this.context());
    if (step.preventDefault) event.preventDefault();
    if (step.stopPropagation) event.stopPropagation();
    this.gesture = step.gesture;
    const g = step.gesture;
    // Say why an edge being drawn cannot land here, once each time the reason changes.
    if (g?.kind === 'connect' && g.refusal && (before?.kind !== 'connect' || before.refusal !== g.refusal)) {
      this.say(g.refusal);
    }
    for (const command of step.commands) this.apply(command, event.pointerId);
  }

  private context() {
    return {
      workflow: this.workflow,
      selectedNodes: this.selectedNodes,
      selectedEdges: this.selectedEdges,
      viewport: this.viewport,
      readOnly: this.readOnly,
      focusedNode: this.focusedNode,
    };
  }

  private apply(command: BoardCommand, pointerId: number | undefined): void {
    switch (command.kind) {
      case 'focus-node':
        this.focusedNode = command.node;
        return;
      case 'reveal':
        this.reveal(command.nodes, true);
        return;
      case 'announce':
        this.say(command.message);
        return;
      case 'menu':
        this.openMenu(command.target, command.screen);
        return;
      case 'minimap':
        this.minimap?.toggle();
        return;
      case 'help':
        this.menu = null;
        this.helpOpen = !this.helpOpen;
        if (!this.helpOpen) this.canvas.focus({ preventScroll: true });
        return;
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
    const hit = boardHit(e.target as Element);
    this.keys = false;
    if (e.button === 0 && (hit.kind === 'node' || hit.kind === 'port')) this.focusedNode = hit.node;
    this.run(e, {
      kind: 'pointer-down',
      pointerId: e.pointerId,
      button: e.button,
      screen: this.local(e),
      target: boardHit(e.target as Element),
      shift: e.shiftKey,
      mod: e.metaKey || e.ctrlKey,
    });
  }

  private onPointerMove(e: PointerEvent): void {
    // While an edge is drawn: what is under the pointer (the canvas captured it), to say why not.
    const over =
      this.gesture?.kind === 'connect'
        ? boardHit(this.shadowRoot?.elementFromPoint(e.clientX, e.clientY))
        : undefined;
    this.run(e, { kind: 'pointer-move', pointerId: e.pointerId, screen: this.local(e), over });
  }

  private onPointerUp(e: PointerEvent): void {
    // Where an edge being drawn lands: what is drawn under the pointer (the canvas captured it).
    const drop =
      this.gesture?.kind === 'connect'
        ? boardHit(this.shadowRoot?.elementFromPoint(e.clientX, e.clientY))
        : ({ kind: 'empty' } as const);
    this.run(e, {
      kind: 'pointer-up',
      pointerId: e.pointerId,
      target: boardHit(e.target as Element),
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
    this.keys = true;
    this.run(e, { kind: 'key', key: e.key, shift: e.shiftKey, mod: e.ctrlKey || e.metaKey, alt: e.altKey });
  }

  // --- context menu, help, minimap, live region ------------------------------------------------

  private onContextMenu(e: MouseEvent): void {
    // Shift+F10 and the menu key arrive as keys first (and open the menu there); one the keydown
    // did not see opens the menu of the selection too.
    if (this.menu !== null) e.preventDefault();
    else if (e.button !== 2 && e.clientX === 0 && e.clientY === 0) {
      this.run(e, { kind: 'action', action: 'menu', subject: null });
    } else
      this.run(e, { kind: 'context-menu', target: boardHit(e.target as Element), screen: this.local(e) });
  }

  private openMenu(target: BoardHit, screen: Position | null): void {
    const { width, height } = this.getBoundingClientRect();
    this.helpOpen = false;
    this.menu = { target, at: screen ?? menuAnchor(this.workflow, target, this.viewport, { width, height }) };
  }

  private readonly closeMenu = (): void => {
    if (this.menu === null) return;
    this.menu = null;
    if (!this.helpOpen) this.canvas.focus({ preventScroll: true });
  };

  private closeHelp(): void {
    this.helpOpen = false;
    this.canvas.focus({ preventScroll: true });
  }

  /** Says `message` in the board's live region (and shows it for a few seconds). */
  private say(message: string): void {
    this.announcement = message;
    clearTimeout(this.announceTimer);
    this.announceTimer = setTimeout(() => {
      this.announcement = '';
    }, 6000);
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
    this.run(new Event('delete'), { kind: 'action', action: 'delete', subject: null });
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
