// <workspace-search>: search in the text of every Document of the Workspace (Ctrl+Shift+F) through the
// editor engine, results grouped by Document; picking one opens it at the match.
import type { DocumentId } from '@symphony/schemas';
import { css, html, LitElement, nothing } from 'lit';
import { customElement, property, query, state } from 'lit/decorators.js';
import { repeat } from 'lit/directives/repeat.js';
import type { DocumentSummary } from '../core/document-index.js';
import { describeEngineError, engineConnection } from '../engine/engine-connection.js';
import { setPendingReveal } from '../engine/pending-reveal.js';
import { type DocumentHits, type OpenedForSearch, searchWorkspace } from '../engine/search-workspace.js';
import { sharedStyles } from '../styles/shared.js';
import type { DocumentSession } from '../sync/document-session.js';
import type { SessionRegistry } from '../sync/session-registry.js';

/** Documents opened at once while searching. */
const CONCURRENCY = 4;
/** How long a document never opened on this device may take to arrive from the server. */
const SYNC_WAIT_MS = 5_000;

type Phase =
  | { readonly name: 'idle' }
  | { readonly name: 'searching'; readonly done: number; readonly total: number }
  | { readonly name: 'done'; readonly searched: number; readonly total: number }
  | { readonly name: 'error'; readonly message: string };

/**
 * Search in the text of every document of the workspace (Ctrl+Shift+F), through the editor engine:
 * each document's Y.Doc is opened in the background through the session registry (a few at a
 * time), searched in the engine's worker, and let go. Results are grouped by document with the
 * line and a snippet; picking one opens the document with the match selected.
 *
 * @fires open-document - `CustomEvent<{ id }>` when the person picks a result.
 */
@customElement('workspace-search')
export class WorkspaceSearch extends LitElement {
  static override styles = [
    sharedStyles,
    css`
      :host {
        display: block;
        max-width: 52rem;
        margin: 0 auto;
        padding: 0 1.5rem 2.5rem;
      }
      form {
        display: flex;
        gap: 0.4rem;
        align-items: center;
        flex-wrap: wrap;
      }
      input[type='search'] {
        flex: 1 1 16rem;
      }
      .option {
        font-family: ui-monospace, SFMono-Regular, Menlo, monospace;
        min-width: 2.2rem;
      }
      .option[aria-pressed='true'] {
        background: var(--sy-accent);
        border-color: var(--sy-accent);
        color: #fff;
      }
      h2 {
        font-size: 1rem;
        margin: 0 0 0.5rem;
      }
      .hint kbd {
        font-size: 0.75em;
      }
      .summary {
        margin: 0.6rem 0;
      }
      .group {
        margin: 0.6rem 0 0.9rem;
        border: 1px solid var(--sy-border);
        border-radius: 6px;
        background: var(--sy-surface);
      }
      .group h3 {
        margin: 0;
        font-size: 0.9rem;
        padding: 0.45rem 0.75rem;
        border-bottom: 1px solid var(--sy-border);
        display: flex;
        justify-content: space-between;
        gap: 1rem;
      }
      ul {
        list-style: none;
        margin: 0;
        padding: 0.25rem 0;
      }
      .hit {
        display: flex;
        gap: 0.75rem;
        width: 100%;
        text-align: left;
        border: none;
        background: transparent;
        padding: 0.3rem 0.75rem;
        font-size: 0.875rem;
        cursor: pointer;
        border-radius: 0;
      }
      .hit:hover,
      .hit:focus-visible {
        background: var(--sy-hover);
      }
      .line {
        color: var(--sy-muted);
        font-variant-numeric: tabular-nums;
        min-width: 3.5rem;
      }
      .text {
        white-space: pre-wrap;
        overflow-wrap: anywhere;
      }
      mark {
        background: #fde68a;
        border-radius: 2px;
      }
    `,
  ];

  /** Where documents' sessions come from. */
  @property({ attribute: false }) registry: SessionRegistry | undefined;
  /** The workspace's documents. */
  @property({ attribute: false }) documents: readonly DocumentSummary[] = [];

  @state() private query = '';
  @state() private regex = false;
  @state() private caseSensitive = false;
  @state() private wholeWord = false;
  @state() private results: readonly DocumentHits[] = [];
  @state() private failures: readonly { title: string; message: string }[] = [];
  @state() private phase: Phase = { name: 'idle' };

  @query('#workspace-search') private input!: HTMLInputElement;

  private running: AbortController | null = null;

  /** Focuses the field and selects its text. */
  async focusSearch(): Promise<void> {
    await this.updateComplete;
    this.input?.focus();
    this.input?.select();
  }

  override connectedCallback(): void {
    super.connectedCallback();
    window.addEventListener('keydown', this.onWindowKeydown);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    window.removeEventListener('keydown', this.onWindowKeydown);
    this.running?.abort();
    this.running = null;
  }

  private readonly onWindowKeydown = (e: KeyboardEvent): void => {
    if ((e.ctrlKey || e.metaKey) && e.shiftKey && !e.altKey && e.key.toLowerCase() === 'f') {
      e.preventDefault();
      void this.focusSearch();
    }
  };

  private async run(e?: Event): Promise<void> {
    e?.preventDefault();
    this.running?.abort();
    const query = this.query;
    const registry = this.registry;
    if (query === '') {
      this.clear();
      return;
    }
    if (registry === undefined) {
      this.phase = { name: 'error', message: 'Documents are not available yet.' };
      return;
    }
    const controller = new AbortController();
    this.running = controller;
    const documents = [...this.documents];
    this.results = [];
    this.failures = [];
    let done = 0;
    this.phase = { name: 'searching', done, total: documents.length };
    let engine: ReturnType<typeof engineConnection>;
    try {
      engine = engineConnection();
    } catch (error) {
      this.phase = { name: 'error', message: describeEngineError(error) };
      return;
    }
    const open = async (id: string): Promise<OpenedForSearch> => {
      const documentId = id as DocumentId;
      const session = registry.acquire(documentId, { presence: false });
      const release = () => registry.release(documentId, { presence: false });
      try {
        await session.whenLoaded;
        await whenServerSynced(session, SYNC_WAIT_MS);
        const buffer = await engine.open(documentId, session.doc, {});
        return {
          buffer,
          release: () => {
            buffer.close();
            release();
            done++;
            if (this.running === controller)
              this.phase = { name: 'searching', done, total: documents.length };
          },
        };
      } catch (error) {
        release();
        throw error;
      }
    };
    try {
      const searched = await searchWorkspace({
        documents,
        query: { query, regex: this.regex, caseSensitive: this.caseSensitive, wholeWord: this.wholeWord },
        open,
        concurrency: CONCURRENCY,
        signal: controller.signal,
        onHits: (hits) => {
          if (this.running !== controller) return;
          // Keep the workspace's order (most recently edited first), whatever order they finish in.
          const order = new Map(documents.map((d, i) => [d.id as string, i]));
          this.results = [...this.results, hits].sort(
            (a, b) => (order.get(a.id) ?? 0) - (order.get(b.id) ?? 0),
          );
        },
        onError: (document, error) => {
          if (this.running !== controller) return;
          this.failures = [...this.failures, { title: document.title, message: describeEngineError(error) }];
        },
      });
      if (this.running === controller) this.phase = { name: 'done', searched, total: documents.length };
    } catch (error) {
      if (this.running === controller) {
        this.results = [];
        this.phase = { name: 'error', message: describeEngineError(error) };
      }
    } finally {
      if (this.running === controller) this.running = null;
    }
  }

  private clear(): void {
    this.running?.abort();
    this.running = null;
    this.query = '';
    this.results = [];
    this.failures = [];
    this.phase = { name: 'idle' };
  }

  private pick(id: string, from: number, to: number): void {
    setPendingReveal(id, from, to);
    this.dispatchEvent(new CustomEvent('open-document', { detail: { id }, bubbles: true, composed: true }));
  }

  private toggle(option: 'regex' | 'caseSensitive' | 'wholeWord'): void {
    this[option] = !this[option];
    if (this.phase.name !== 'idle' && this.query !== '') void this.run();
  }

  protected override render() {
    return html`
      <section aria-labelledby="workspace-search-title" data-testid="workspace-search">
        <h2 id="workspace-search-title">Search in all documents</h2>
        <form role="search" @submit=${this.run}>
          <label class="visually-hidden" for="workspace-search">Search the text of every document</label>
          <input
            id="workspace-search"
            type="search"
            placeholder="Find text in every document…"
            autocomplete="off"
            spellcheck="false"
            aria-keyshortcuts="Control+Shift+F"
            data-testid="workspace-search-input"
            .value=${this.query}
            @input=${(e: Event) => {
              this.query = (e.target as HTMLInputElement).value;
              if (this.query === '') this.clear();
            }}
            @keydown=${(e: KeyboardEvent) => {
              if (e.key === 'Escape' && this.query !== '') {
                e.preventDefault();
                e.stopPropagation();
                this.clear();
              }
            }}
          />
          ${this.optionButton('regex', '.*', 'Regular expression')}
          ${this.optionButton('caseSensitive', 'Aa', 'Match case')}
          ${this.optionButton('wholeWord', 'W', 'Whole word')}
          <button type="submit" class="primary" data-testid="workspace-search-submit">Search</button>
        </form>
        ${this.renderState()}
      </section>
    `;
  }

  private optionButton(option: 'regex' | 'caseSensitive' | 'wholeWord', label: string, name: string) {
    return html`<button
      type="button"
      class="option"
      aria-pressed=${this[option] ? 'true' : 'false'}
      aria-label=${name}
      title=${name}
      @click=${() => this.toggle(option)}
    >${label}</button>`;
  }

  private renderState() {
    const phase = this.phase;
    if (phase.name === 'idle')
      return html`<p class="muted hint">
        Press <kbd>Enter</kbd> to search; <kbd>Ctrl</kbd> <kbd>Shift</kbd> <kbd>F</kbd> comes back here.
      </p>`;
    if (phase.name === 'error')
      return html`<p class="error summary" role="alert" data-testid="workspace-search-error">${phase.message}</p>`;
    const matches = this.results.reduce((n, r) => n + r.hits.length, 0);
    const more = this.results.some((r) => r.truncated);
    const summary =
      phase.name === 'searching'
        ? `Searching… ${phase.done} of ${phase.total} documents`
        : phase.total === 0
          ? 'This workspace has no documents yet.'
          : matches === 0
            ? `No matches in ${phase.total} ${phase.total === 1 ? 'document' : 'documents'}.`
            : `${matches}${more ? '+' : ''} ${matches === 1 ? 'match' : 'matches'} in ${this.results.length} of ${phase.total} documents`;
    return html`
      <p class="muted summary" role="status" data-testid="workspace-search-status">${summary}</p>
      ${
        this.failures.length > 0
          ? html`<p class="error" role="alert">
            Could not search ${this.failures.map((f) => `“${f.title}” (${f.message})`).join(', ')}.
          </p>`
          : nothing
      }
      ${repeat(
        this.results,
        (r) => r.id,
        (r) => html`<div class="group" data-testid="workspace-search-group" data-document-id=${r.id}>
          <h3><span>${r.title}</span><span class="muted">${r.hits.length}${r.truncated ? '+' : ''}</span></h3>
          <ul>
            ${r.hits.map(
              (hit) => html`<li>
                <button class="hit" data-testid="workspace-search-hit" @click=${() => this.pick(r.id, hit.from, hit.to)}>
                  <span class="line">line ${hit.line + 1}</span>
                  <span class="text">${hit.snippet.before}<mark>${hit.snippet.match}</mark>${hit.snippet.after}</span>
                </button>
              </li>`,
            )}
          </ul>
        </div>`,
      )}
    `;
  }
}

/** Resolves once the session has its server's state (or at once offline, or after `ms`). */
function whenServerSynced(session: DocumentSession, ms: number): Promise<void> {
  const provider = session.provider;
  if (provider.synced || !navigator.onLine) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      provider.off('sync', onSync);
      resolve();
    };
    const onSync = (synced: boolean) => {
      if (synced) done();
    };
    const timer = setTimeout(done, ms);
    provider.on('sync', onSync);
  });
}

declare global {
  interface HTMLElementTagNameMap {
    'workspace-search': WorkspaceSearch;
  }
}
