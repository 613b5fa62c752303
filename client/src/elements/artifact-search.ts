// <artifact-search>: full-text search over the artifacts of the runs the person may read, with the
// hits (names, media type, size, a snippet) that open in the inspector.
import { ArtifactSearchQuery, type ArtifactSearchResponse } from '@symphony/schemas';
import { css, html, LitElement, nothing } from 'lit';
import { customElement, property, query, state } from 'lit/decorators.js';
import { formatBytes, shortHash } from '../core/artifact-view.js';
import { monitorErrorText } from '../core/monitor-error-text.js';
import type { MonitorApi } from '../monitor/monitor-api.js';
import { sharedStyles } from '../styles/shared.js';

/** The longest query the orchestrator takes. */
const MAX_QUERY_LENGTH = ArtifactSearchQuery.shape.q.maxLength ?? nothing;

type Hit = ArtifactSearchResponse['hits'][number];

/**
 * A search box and its hits. Enter (or Search) asks the orchestrator; by default only this
 * workflow's runs are searched, a checkbox widens it to every run the person may read.
 *
 * @fires artifact-open - `detail.hash`: open this hit in the inspector.
 */
@customElement('artifact-search')
export class ArtifactSearch extends LitElement {
  static override styles = [
    sharedStyles,
    css`
      :host {
        display: grid;
        gap: 0.5rem;
        min-width: 0;
      }
      form {
        display: flex;
        flex-wrap: wrap;
        gap: 0.5rem;
        align-items: center;
      }
      input[type='search'] {
        flex: 1 1 14rem;
      }
      label.scope {
        display: inline-flex;
        gap: 0.35rem;
        align-items: center;
        font-size: 0.8125rem;
      }
      ul {
        list-style: none;
        margin: 0;
        padding: 0;
        display: grid;
        gap: 0.35rem;
        max-height: 40vh;
        overflow: auto;
      }
      li button {
        width: 100%;
        display: grid;
        gap: 0.15rem;
        justify-items: start;
        text-align: left;
        white-space: normal;
      }
      .meta {
        font-size: 0.75rem;
        color: var(--sy-muted);
      }
      .snippet {
        font: 0.8125rem/1.4 ui-monospace, SFMono-Regular, Menlo, monospace;
        color: var(--sy-muted);
        overflow-wrap: anywhere;
        display: -webkit-box;
        -webkit-line-clamp: 2;
        -webkit-box-orient: vertical;
        overflow: hidden;
      }
      .status {
        margin: 0;
        font-size: 0.875rem;
      }
    `,
  ];

  @property({ attribute: false }) api: MonitorApi | undefined;
  /** The workflow the search is narrowed to by default; empty: every readable run. */
  @property() workflowId = '';

  @state() private query = '';
  @state() private onlyThisWorkflow = true;
  @state() private searching = false;
  @state() private hits: readonly Hit[] | null = null;
  @state() private searched = '';
  @state() private error: string | null = null;

  @query('input[type="search"]') private input!: HTMLInputElement;

  /** Puts the keyboard in the search box. */
  override focus(): void {
    this.input?.focus();
  }

  /** Forgets the hits (the person opened one). */
  clear(): void {
    this.hits = null;
    this.error = null;
  }

  protected override render() {
    return html`<form role="search" aria-label="Search artifacts" @submit=${this.search}>
        <label class="visually-hidden" for="q">Search artifacts</label>
        <input id="q" type="search" placeholder="Search artifacts…" autocomplete="off" maxlength=${MAX_QUERY_LENGTH}
          data-testid="artifact-search-input" .value=${this.query}
          @input=${(e: Event) => (this.query = (e.target as HTMLInputElement).value)}
          @keydown=${(e: KeyboardEvent) => {
            // Escape in a non-empty box clears it; in an empty one it closes the dialog.
            if (e.key === 'Escape' && (this.query !== '' || this.hits !== null)) {
              e.preventDefault();
              e.stopPropagation();
              this.query = '';
              this.clear();
            }
          }} />
        ${
          this.workflowId === ''
            ? null
            : html`<label class="scope"><input type="checkbox" .checked=${this.onlyThisWorkflow}
                @change=${(e: Event) => (this.onlyThisWorkflow = (e.target as HTMLInputElement).checked)} />
                this workflow only</label>`
        }
        <button type="submit" ?disabled=${this.searching || this.query.trim() === ''}>Search</button>
      </form>
      ${this.renderResults()}`;
  }

  private renderResults() {
    if (this.searching) return html`<p class="status muted" role="status">Searching…</p>`;
    if (this.error !== null) return html`<p class="status error" role="alert">${this.error}</p>`;
    const hits = this.hits;
    if (hits === null) return null;
    if (hits.length === 0)
      return html`<p class="status muted" role="status" data-testid="artifact-search-empty">No artifact matches “${this.searched}”.</p>`;
    return html`<p class="visually-hidden" role="status">${hits.length} artifacts match.</p>
      <ul data-testid="artifact-search-hits" aria-label="Artifacts matching ${this.searched}">
        ${hits.map(
          (hit) => html`<li><button data-testid="artifact-search-hit" data-hash=${hit.hash}
              @click=${() => this.open(hit.hash)}>
            <strong>${hit.names.length === 0 ? `Artifact ${shortHash(hit.hash)}` : hit.names.join(', ')}</strong>
            <span class="meta">${hit.mediaType} · ${formatBytes(hit.size)} · ${shortHash(hit.hash)}</span>
            ${hit.snippet === undefined ? null : html`<span class="snippet">${hit.snippet}</span>`}
          </button></li>`,
        )}
      </ul>`;
  }

  private async search(e: Event): Promise<void> {
    e.preventDefault();
    const q = this.query.trim();
    if (this.api === undefined || q === '') return;
    const scope = this.onlyThisWorkflow && this.workflowId !== '' ? this.workflowId : undefined;
    const request = ArtifactSearchQuery.safeParse({ q, workflowId: scope });
    if (!request.success) {
      this.hits = null;
      this.error = `This search cannot be made: ${request.error.issues[0]?.message ?? 'the query does not fit'}.`;
      return;
    }
    this.searching = true;
    this.error = null;
    try {
      const { hits } = await this.api.search(request.data.q, request.data.workflowId);
      this.hits = hits;
      this.searched = q;
    } catch (error) {
      this.hits = null;
      this.error = monitorErrorText(error);
    } finally {
      this.searching = false;
    }
  }

  private open(hash: string): void {
    this.dispatchEvent(new CustomEvent('artifact-open', { detail: { hash }, bubbles: true, composed: true }));
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'artifact-search': ArtifactSearch;
  }
}
