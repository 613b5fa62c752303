// <outline-panel>: a Document's outline (Markdown headings from the editor engine), kept up to date as
// anyone edits; picking a heading moves the editor there.
import type { OutlineItem } from '@symphony/schemas';
import { css, html, LitElement, nothing, type PropertyValues } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { describeEngineError, type EngineBuffer } from '../engine/engine-connection.js';
import { sharedStyles } from '../styles/shared.js';

/** Pause after the last change before asking for the outline again. */
const OUTLINE_DELAY_MS = 300;

/**
 * The document's outline (Markdown headings, from the editor engine's `buffer.outline`), kept up
 * to date as anyone edits (debounced). Clicking a heading moves the editor there.
 *
 * @fires outline-jump - `CustomEvent<{ from: number }>` when the person picks a heading.
 */
@customElement('outline-panel')
export class OutlinePanel extends LitElement {
  static override styles = [
    sharedStyles,
    css`
      :host {
        display: block;
        overflow: auto;
        padding: 0.9rem 0.75rem;
        border-left: 1px solid var(--sy-border);
        background: var(--sy-surface);
        font-size: 0.875rem;
      }
      h2 {
        font-size: 0.75rem;
        text-transform: uppercase;
        letter-spacing: 0.06em;
        color: var(--sy-muted);
        margin: 0 0 0.5rem 0.4rem;
      }
      ol {
        list-style: none;
        margin: 0;
        padding: 0;
      }
      button {
        display: block;
        width: 100%;
        text-align: left;
        border: none;
        background: transparent;
        padding: 0.25em 0.4em;
        border-radius: 4px;
        white-space: nowrap;
        overflow: hidden;
        text-overflow: ellipsis;
        font-size: inherit;
        cursor: pointer;
      }
      button:hover,
      button:focus-visible {
        background: var(--sy-hover);
      }
      .depth-0 {
        font-weight: 600;
      }
      p {
        margin: 0 0.4rem;
      }
    `,
  ];

  /** The document in the engine (null while it opens). */
  @property({ attribute: false }) buffer: EngineBuffer | null = null;
  /** Why the engine could not open the document, if it could not. */
  @property({ attribute: false }) openError: string | null = null;

  @state() private items: readonly OutlineItem[] = [];
  @state() private loaded = false;
  @state() private error: string | null = null;

  private timer: ReturnType<typeof setTimeout> | undefined;
  private stopUpdates: (() => void) | null = null;
  private seq = 0;

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (changed.has('buffer')) this.watch();
  }

  override connectedCallback(): void {
    super.connectedCallback();
    if (this.hasUpdated) this.watch();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    clearTimeout(this.timer);
    this.stopUpdates?.();
    this.stopUpdates = null;
  }

  private watch(): void {
    this.stopUpdates?.();
    this.stopUpdates = null;
    this.loaded = false;
    if (this.buffer === null) return;
    this.stopUpdates = this.buffer.onUpdate(() => {
      clearTimeout(this.timer);
      this.timer = setTimeout(() => void this.refresh(), OUTLINE_DELAY_MS);
    });
    void this.refresh();
  }

  private async refresh(): Promise<void> {
    const buffer = this.buffer;
    if (buffer === null) return;
    const seq = ++this.seq;
    try {
      const result = await buffer.outline('markdown');
      if (seq !== this.seq) return;
      this.items = result.items;
      this.error = null;
    } catch (error) {
      if (seq !== this.seq) return;
      this.error = describeEngineError(error);
    }
    this.loaded = true;
  }

  protected override render() {
    return html`<nav aria-label="Outline" data-testid="outline-panel">
      <h2>Outline</h2>
      ${this.renderBody()}
    </nav>`;
  }

  private renderBody() {
    const error = this.error ?? this.openError;
    if (error !== null) return html`<p class="error" role="alert">Outline unavailable: ${error}</p>`;
    if (!this.loaded) return html`<p class="muted">Reading headings…</p>`;
    if (this.items.length === 0)
      return html`<p class="muted" data-testid="outline-empty">No headings yet. Lines starting with # appear here.</p>`;
    return html`<ol>
      ${this.items.map(
        (item) => html`<li>
          <button
            class=${`depth-${Math.min(item.depth, 5)}`}
            style=${`padding-left: ${0.4 + Math.min(item.depth, 5) * 0.85}em`}
            data-testid="outline-item"
            data-depth=${item.depth}
            title=${item.name}
            @click=${() => this.jump(item)}
          >${item.name || nothing}</button>
        </li>`,
      )}
    </ol>`;
  }

  private jump(item: OutlineItem): void {
    this.dispatchEvent(
      new CustomEvent('outline-jump', { detail: { from: item.from }, bubbles: true, composed: true }),
    );
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'outline-panel': OutlinePanel;
  }
  interface HTMLElementEventMap {
    'outline-jump': CustomEvent<{ from: number }>;
  }
}
