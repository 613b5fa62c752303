// <artifact-lineage>: an artifact's lineage as a small graph (what it was made from, what was made
// from it; ELK lays it out, SVG draws it), and the runs that produced or used it.
import type { ArtifactLineageResponse } from '@symphony/schemas';
import { css, html, LitElement, type PropertyValues, svg } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import {
  type LineageBox,
  type LineageDrawing,
  lineageDrawing,
  lineageGraph,
  shortHash,
} from '../core/artifact-view.js';
import { sharedStyles } from '../styles/shared.js';

const ROLE_WORD = { self: 'this artifact', input: 'input', output: 'made from it' } as const;

/**
 * The lineage graph: boxes for artifacts (this one highlighted), arrows from each input to what was
 * made from it. Every other box is a button (click, Enter or Space) that opens that artifact. Below
 * it, the runs that produced or used the artifact.
 *
 * @fires artifact-open - `detail.hash`: open this artifact in the inspector.
 * @fires run-open - `detail.runId`, `detail.nodeId`: the person asked for this run (the board may show it).
 */
@customElement('artifact-lineage')
export class ArtifactLineage extends LitElement {
  static override styles = [
    sharedStyles,
    css`
      :host {
        display: grid;
        gap: 0.75rem;
        min-width: 0;
      }
      h3 {
        margin: 0;
        font-size: 0.8125rem;
        color: var(--sy-muted);
        text-transform: uppercase;
        letter-spacing: 0.04em;
      }
      .graph {
        overflow: auto;
        border: 1px solid var(--sy-border);
        border-radius: var(--sy-radius);
        background: var(--sy-bg);
        padding: 0.25rem;
      }
      svg {
        display: block;
        max-width: 100%;
        height: auto;
        margin: 0 auto;
      }
      .box rect {
        fill: var(--sy-surface);
        stroke: var(--sy-border);
        stroke-width: 1.5;
      }
      .box.self rect {
        stroke: var(--sy-accent);
        stroke-width: 2.5;
      }
      .box[role='button'] {
        cursor: pointer;
      }
      .box[role='button']:hover rect {
        fill: var(--sy-hover);
      }
      .box:focus {
        outline: none;
      }
      .box:focus-visible rect {
        stroke: var(--sy-accent);
        stroke-width: 3;
      }
      .box text {
        font: 12px system-ui, sans-serif;
        fill: var(--sy-text);
      }
      .box text.sub {
        font-size: 11px;
        fill: var(--sy-muted);
      }
      .box text.role {
        font-size: 10px;
        fill: var(--sy-muted);
        text-transform: uppercase;
        letter-spacing: 0.04em;
      }
      path.arrow {
        fill: none;
        stroke: var(--sy-muted);
        stroke-width: 1.5;
      }
      marker path {
        fill: var(--sy-muted);
      }
      ul {
        list-style: none;
        margin: 0;
        padding: 0;
        display: grid;
        gap: 0.3rem;
      }
      li button {
        width: 100%;
        justify-content: flex-start;
        white-space: normal;
        text-align: left;
        font-size: 0.8125rem;
        flex-wrap: wrap;
      }
      .relation {
        font-size: 0.75rem;
        padding: 0.05em 0.45em;
        border-radius: 999px;
        background: var(--sy-hover);
      }
      code {
        font: 0.8125rem ui-monospace, SFMono-Regular, Menlo, monospace;
      }
    `,
  ];

  @property({ attribute: false }) lineage: ArtifactLineageResponse | null = null;
  /** A node's title as people read it, when it is a node of the workflow open here (else undefined). */
  @property({ attribute: false }) nodeTitle: ((nodeId: string) => string | undefined) | undefined;

  @state() private drawing: LineageDrawing | null = null;
  @state() private layoutError: string | null = null;

  protected override updated(changed: PropertyValues<this>): void {
    if (changed.has('lineage')) void this.layout();
  }

  protected override render() {
    const lineage = this.lineage;
    if (lineage === null) return null;
    const others = lineage.artifacts.some((a) => a.role !== 'self');
    return html`<h3 id="lineage-title">Lineage</h3>
      ${others ? null : html`<p class="muted">No recorded inputs, and nothing made from it yet.</p>`}
      ${this.layoutError === null ? null : html`<p class="error" role="alert">${this.layoutError}</p>`}
      ${this.drawing === null ? null : html`<div class="graph">${this.renderGraph(this.drawing)}</div>`}
      <h3>Runs</h3>
      ${
        lineage.runs.length === 0
          ? html`<p class="muted">No run you may read produced or used it.</p>`
          : html`<ul data-testid="lineage-runs">
              ${lineage.runs.map(
                (r) => html`<li><button class="ghost" data-testid="lineage-run"
                    @click=${() => this.emit('run-open', { runId: r.runId, nodeId: r.nodeId })}>
                  <span class="relation">${r.relation}</span>
                  <span>${this.nodeLabel(r.nodeId)} in run <code>${r.runId.slice(0, 12)}</code></span>
                  <span class="muted">${r.workflow} · ${new Date(r.startedAt).toLocaleString()}</span>
                </button></li>`,
              )}
            </ul>`
      }`;
  }

  /** “Summarize” for a node of the workflow open here, “node <id>” for one of another workflow. */
  private nodeLabel(nodeId: string) {
    const title = this.nodeTitle?.(nodeId);
    return title === undefined ? html`node <code>${nodeId}</code>` : html`<strong>${title}</strong>`;
  }

  private renderGraph(drawing: LineageDrawing) {
    return html`<svg viewBox="0 0 ${drawing.width} ${drawing.height}" width=${drawing.width}
        role="group" aria-labelledby="lineage-title" data-testid="lineage-graph">
      <defs>
        <marker id="arrowhead" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto">
          <path d="M0 0 L10 5 L0 10 z"></path>
        </marker>
      </defs>
      ${drawing.arrows.map((a) => svg`<path class="arrow" d=${a.path} marker-end="url(#arrowhead)"></path>`)}
      ${drawing.boxes.map((b) => this.renderBox(b))}
    </svg>`;
  }

  private renderBox(box: LineageBox) {
    const self = box.role === 'self';
    const label = `${self ? 'This artifact' : `Open ${ROLE_WORD[box.role]}`}: ${box.title}, ${box.subtitle}`;
    const open = () => this.emit('artifact-open', { hash: box.hash });
    return svg`<g class="box ${box.role}" transform="translate(${box.x} ${box.y})" data-hash=${box.hash}
        data-testid="lineage-box" role=${self ? 'img' : 'button'} tabindex=${self ? -1 : 0} aria-label=${label}
        @click=${self ? null : open}
        @keydown=${(e: KeyboardEvent) => {
          if (self || (e.key !== 'Enter' && e.key !== ' ')) return;
          e.preventDefault();
          open();
        }}>
      <title>${label} (${shortHash(box.hash)}…)</title>
      <rect width=${box.width} height=${box.height} rx="6"></rect>
      <text class="role" x="8" y="13">${ROLE_WORD[box.role]}</text>
      <text x="8" y="27">${clip(box.title, 19)}</text>
      <text class="sub" x="8" y="40">${box.subtitle}</text>
    </g>`;
  }

  private async layout(): Promise<void> {
    const lineage = this.lineage;
    this.drawing = null;
    this.layoutError = null;
    if (lineage === null) return;
    try {
      const { default: ELK } = await import('elkjs/lib/elk.bundled.js');
      const laidOut = await new ELK().layout(lineageGraph(lineage));
      if (lineage === this.lineage) this.drawing = lineageDrawing(lineage, laidOut);
    } catch (error) {
      if (lineage === this.lineage)
        this.layoutError = `The lineage graph could not be laid out: ${error instanceof Error ? error.message : String(error)}`;
    }
  }

  private emit(type: 'artifact-open' | 'run-open', detail: object): void {
    this.dispatchEvent(new CustomEvent(type, { detail, bubbles: true, composed: true }));
  }
}

/** `text` cut to `max` characters with an ellipsis. */
function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

declare global {
  interface HTMLElementTagNameMap {
    'artifact-lineage': ArtifactLineage;
  }
}
