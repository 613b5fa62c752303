// <node-palette>: the Harmony Board's node library by category, with search; a type is dragged onto
// the board or added with a click or Enter.
import { NodeLibrary, type NodeTypeSpec } from '@symphony/schemas';
import { css, html, LitElement, nothing } from 'lit';
import { customElement, state } from 'lit/decorators.js';
import { PORT_STYLE } from '../core/board-geometry.js';
import { sharedStyles } from '../styles/shared.js';
import { NODE_TYPE_MIME } from './harmony-board.js';

/** Detail of `palette-add`. */
export interface PaletteAdd {
  readonly type: string;
}

/** Node types whose title, type, category or description contain every word of `query`. */
export function searchNodeTypes(specs: Iterable<NodeTypeSpec>, query: string): NodeTypeSpec[] {
  const words = query.toLocaleLowerCase().split(/\s+/).filter(Boolean);
  return [...specs].filter((s) => {
    const text = `${s.title} ${s.type} ${s.category} ${s.description}`.toLocaleLowerCase();
    return words.every((w) => text.includes(w));
  });
}

/**
 * The node library: every node type by category, with search. Drag a type onto the board, or
 * click it / press Enter on it to add it in the middle of the view.
 *
 * @fires palette-add - `CustomEvent<PaletteAdd>` when a type is clicked or chosen with Enter.
 */
@customElement('node-palette')
export class NodePalette extends LitElement {
  static override styles = [
    sharedStyles,
    css`
      :host {
        display: flex;
        flex-direction: column;
        min-height: 0;
        font-size: 0.875rem;
      }
      input {
        margin: 0.75rem;
      }
      .list {
        overflow: auto;
        padding: 0 0.75rem 1rem;
      }
      h3 {
        margin: 0.75rem 0 0.35rem;
        font-size: 0.7rem;
        text-transform: uppercase;
        letter-spacing: 0.06em;
        color: var(--sy-muted);
      }
      ul {
        list-style: none;
        margin: 0;
        padding: 0;
      }
      li button {
        width: 100%;
        display: flex;
        flex-direction: column;
        align-items: stretch;
        text-align: left;
        white-space: normal;
        margin-bottom: 0.35rem;
        cursor: grab;
        gap: 0.15rem;
      }
      .title {
        font-weight: 600;
        display: flex;
        align-items: center;
        gap: 0.35rem;
      }
      .badge {
        font-size: 0.6875rem;
        font-weight: 500;
        padding: 0 0.35rem;
        border: 1px solid currentColor;
        border-radius: 0.6rem;
        color: var(--sy-muted);
        white-space: nowrap;
      }
      .desc {
        font-size: 0.75rem;
        color: var(--sy-muted);
        line-height: 1.3;
      }
      .dots {
        display: inline-flex;
        gap: 2px;
        margin-left: auto;
      }
      .dot {
        width: 8px;
        height: 8px;
        border-radius: 50%;
      }
    `,
  ];

  @state() private query = '';

  protected override render() {
    const results = searchNodeTypes(NodeLibrary.values(), this.query);
    const categories = [...new Set(results.map((s) => s.category))];
    return html`<label class="visually-hidden" for="palette-search">Search node types</label>
      <input
        id="palette-search"
        type="search"
        placeholder="Search nodes"
        autocomplete="off"
        data-testid="palette-search"
        .value=${this.query}
        @input=${(e: Event) => {
          this.query = (e.target as HTMLInputElement).value;
        }}
      />
      <div class="list" role="list" aria-label="Node library">
        ${results.length === 0 ? html`<p class="muted">No node type matches “${this.query}”.</p>` : nothing}
        ${categories.map(
          (c) => html`<h3>${c}</h3>
            <ul>
              ${results
                .filter((s) => s.category === c)
                .map(
                  (s) => html`<li>
                    <button
                      draggable="true"
                      data-testid="palette-item"
                      data-type=${s.type}
                      aria-label=${`Add ${s.title}${s.badge ? ` (${s.badge})` : ''}: ${s.description}`}
                      title="Drag onto the board, or press Enter to add"
                      @dragstart=${(e: DragEvent) => {
                        e.dataTransfer?.setData(NODE_TYPE_MIME, s.type);
                        e.dataTransfer?.setData('text/plain', s.title);
                        if (e.dataTransfer) e.dataTransfer.effectAllowed = 'copy';
                      }}
                      @click=${() =>
                        this.dispatchEvent(
                          new CustomEvent<PaletteAdd>('palette-add', {
                            detail: { type: s.type },
                            bubbles: true,
                            composed: true,
                          }),
                        )}
                    >
                      <span class="title"
                        >${s.title}
                        ${s.badge ? html`<span class="badge" data-testid="node-badge">${s.badge}</span>` : nothing}
                        <span class="dots" aria-hidden="true"
                          >${[...s.inputs, ...s.outputs].map(
                            (p) =>
                              html`<span class="dot" style="background:${PORT_STYLE[p.type].color}"></span>`,
                          )}</span
                        ></span
                      >
                      <span class="desc">${s.description}</span>
                    </button>
                  </li>`,
                )}
            </ul>`,
        )}
      </div>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'node-palette': NodePalette;
  }
  interface HTMLElementEventMap {
    'palette-add': CustomEvent<PaletteAdd>;
  }
}
