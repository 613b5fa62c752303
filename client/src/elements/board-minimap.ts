// <board-minimap>: the Harmony Board's overview of a large Workflow, with the part in view outlined;
// a press or drag pans the board there. Shown by itself when the workflow does not fit the view.
import { NodeLibrary, type Workflow } from '@symphony/schemas';
import { css, html, LitElement, nothing, svg } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { guard } from 'lit/directives/guard.js';
import { nodeSize, type Rect, unionRect, type Viewport } from '../core/board-geometry.js';
import { minimapNeeded } from '../core/board-view.js';
import { sharedStyles } from '../styles/shared.js';

/** Detail of `minimap-pan`: the viewport that puts the point pressed in the middle of the view. */
export interface MinimapPan {
  readonly viewport: Viewport;
}

/** Whether the person hid the minimap, asked for it, or lets the board decide (`auto`). */
type MinimapChoice = 'auto' | 'shown' | 'hidden';

/** At most 200 × 130 px, and at most 30 % of a narrow board's width (at least 120 px wide room). */
const MAX_WIDTH = 200;
const ASPECT = 0.65;
const CHOICE_KEY = 'symphony.board.minimap';

/**
 * An overview of the whole workflow (nodes as blocks, the part in view as a rectangle). Appears
 * when the workflow is larger than the view at the current zoom (it cannot all be seen at once);
 * the person can hide it (remembered on this device) or show it for any workflow (M on the board).
 *
 * @fires minimap-pan - `CustomEvent<MinimapPan>`: pan the board so the point pressed is in the middle.
 */
@customElement('board-minimap')
export class BoardMinimap extends LitElement {
  static override styles = [
    sharedStyles,
    css`
      :host {
        position: absolute;
        left: 12px;
        bottom: 12px;
        z-index: 2;
      }
      .panel {
        background: rgba(255, 255, 255, 0.94);
        border: 1px solid var(--sy-border);
        border-radius: var(--sy-radius);
        box-shadow: var(--sy-shadow);
        padding: 4px;
        min-width: 120px;
      }
      .bar {
        display: flex;
        align-items: center;
        justify-content: space-between;
        font-size: 0.75rem;
        color: var(--sy-muted);
        padding: 0 2px 4px 4px;
      }
      .bar button,
      .show {
        font-size: 0.75rem;
        padding: 0.1rem 0.45rem;
      }
      svg {
        display: block;
        cursor: pointer;
        touch-action: none;
        background: #f8f9fb;
        border-radius: 4px;
      }
      .node {
        fill: #b9c0cc;
      }
      .node.instrument {
        fill: #a9a1f0;
      }
      .view {
        fill: rgba(79, 70, 229, 0.1);
        stroke: var(--sy-accent);
        stroke-width: 1.5;
      }
    `,
  ];

  /** The workflow to draw. */
  @property({ attribute: false }) workflow: Workflow | null = null;
  /** The board's viewport (set on every pan and zoom; only this element re-renders). */
  @property({ attribute: false }) viewport: Viewport = { x: 0, y: 0, k: 1 };
  /** The board's size on screen, in CSS pixels. */
  @property({ attribute: false }) viewSize: { width: number; height: number } = { width: 0, height: 0 };

  @state() private choice: MinimapChoice = readChoice();

  private dragging: number | null = null;
  private boundsOf: Workflow | null = null;
  private cachedBounds: Rect | null = null;

  /** Whether the minimap is drawn now. */
  get visible(): boolean {
    return this.choice === 'shown' || (this.choice === 'auto' && this.needed());
  }

  /** Hides the minimap if it shows, shows it otherwise (the board's M key). */
  toggle(): void {
    this.setChoice(this.visible ? 'hidden' : 'shown');
  }

  protected override render() {
    const world = this.world();
    if (world === null) return nothing;
    if (!this.visible) {
      return this.needed()
        ? html`<button class="show" data-testid="minimap-show" @click=${() => this.setChoice('auto')}
            title="Show the minimap (M)">Minimap</button>`
        : nothing;
    }
    // As wide as it may be, as tall as the workflow's shape needs (up to 0.65 of the width).
    const room = Math.round(Math.max(120, Math.min(MAX_WIDTH, this.viewSize.width * 0.3)));
    const scale = Math.min(room / world.width, (room * ASPECT) / world.height);
    const width = Math.max(40, Math.round(world.width * scale));
    const height = Math.max(30, Math.round(world.height * scale));
    const v = this.viewport;
    const seen = clampRect(
      { x: -v.x / v.k, y: -v.y / v.k, width: this.viewSize.width / v.k, height: this.viewSize.height / v.k },
      world,
    );
    return html`<div class="panel" data-testid="board-minimap">
      <div class="bar">
        <span id="minimap-label">Minimap</span>
        <button data-testid="minimap-hide" aria-label="Hide the minimap" title="Hide the minimap (M)"
          @click=${() => this.setChoice('hidden')}>✕</button>
      </div>
      <svg width=${width} height=${height} role="img" aria-labelledby="minimap-label"
        aria-description="The whole workflow; press or drag to move the view there."
        viewBox="${world.x} ${world.y} ${width / scale} ${height / scale}"
        @pointerdown=${this.onPointerDown} @pointermove=${this.onPointerMove}
        @pointerup=${this.onPointerUp} @pointercancel=${this.onPointerUp}>
        ${guard([this.workflow], () => this.renderNodes())}
        <rect class="view" data-testid="minimap-view" x=${seen.x} y=${seen.y} width=${seen.width}
          height=${seen.height} vector-effect="non-scaling-stroke"></rect>
      </svg>
    </div>`;
  }

  private renderNodes() {
    const wf = this.workflow;
    if (wf === null) return nothing;
    return svg`${Object.values(wf.nodes).map((n) => {
      const { width, height } = nodeSize(n, NodeLibrary.get(n.type));
      return svg`<rect class="node ${n.kind}" x=${n.position.x} y=${n.position.y} width=${width}
        height=${height} rx="6"></rect>`;
    })}`;
  }

  /** The workflow's bounds with a margin; null with no nodes. */
  private world(): Rect | null {
    const bounds = this.bounds();
    if (bounds === null) return null;
    const m = Math.max(bounds.width, bounds.height) * 0.05 + 20;
    return { x: bounds.x - m, y: bounds.y - m, width: bounds.width + 2 * m, height: bounds.height + 2 * m };
  }

  /** Larger than the view: at the current zoom the workflow cannot all be seen at once. */
  private needed(): boolean {
    return minimapNeeded(this.bounds(), this.viewport.k, this.viewSize);
  }

  /** The nodes' bounds, computed once per version of the workflow (not on every pan). */
  private bounds(): Rect | null {
    const wf = this.workflow;
    if (wf !== this.boundsOf) {
      this.boundsOf = wf;
      this.cachedBounds =
        wf === null
          ? null
          : unionRect(
              Object.values(wf.nodes).map((n) => ({
                ...n.position,
                ...nodeSize(n, NodeLibrary.get(n.type)),
              })),
            );
    }
    return this.cachedBounds;
  }

  private setChoice(choice: MinimapChoice): void {
    this.choice = choice;
    try {
      localStorage.setItem(CHOICE_KEY, choice);
    } catch {
      // Storage refused (private mode): the choice lasts for this page.
    }
  }

  private onPointerDown(e: PointerEvent): void {
    if (e.button !== 0) return;
    e.preventDefault();
    e.stopPropagation();
    this.dragging = e.pointerId;
    try {
      (e.currentTarget as Element).setPointerCapture(e.pointerId);
    } catch {
      // A synthetic pointer cannot be captured; clicks still pan.
    }
    this.panTo(e);
  }

  private onPointerMove(e: PointerEvent): void {
    e.stopPropagation();
    if (this.dragging === e.pointerId) this.panTo(e);
  }

  private onPointerUp(e: PointerEvent): void {
    e.stopPropagation();
    this.dragging = null;
  }

  private panTo(e: PointerEvent): void {
    const svgEl = e.currentTarget as SVGSVGElement;
    const matrix = svgEl.getScreenCTM();
    if (matrix === null) return;
    const p = new DOMPoint(e.clientX, e.clientY).matrixTransform(matrix.inverse());
    const { width, height } = this.viewSize;
    const k = this.viewport.k;
    const viewport = { k, x: width / 2 - p.x * k, y: height / 2 - p.y * k };
    this.dispatchEvent(new CustomEvent<MinimapPan>('minimap-pan', { detail: { viewport } }));
  }
}

function readChoice(): MinimapChoice {
  try {
    const saved = localStorage.getItem(CHOICE_KEY);
    return saved === 'shown' || saved === 'hidden' ? saved : 'auto';
  } catch {
    return 'auto';
  }
}

/** `r` moved and cut to lie inside `within`, so the view's outline stays visible at the edge. */
function clampRect(r: Rect, within: Rect): Rect {
  const x = Math.max(within.x, Math.min(r.x, within.x + within.width - 4));
  const y = Math.max(within.y, Math.min(r.y, within.y + within.height - 4));
  const right = Math.min(within.x + within.width, Math.max(r.x + r.width, x + 4));
  const bottom = Math.min(within.y + within.height, Math.max(r.y + r.height, y + 4));
  return { x, y, width: right - x, height: bottom - y };
}

declare global {
  interface HTMLElementTagNameMap {
    'board-minimap': BoardMinimap;
  }
}
