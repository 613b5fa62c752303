// <workspace-home>: the Workspace home: the Document list with create, rename, delete, search by title
// and Markdown import.
import type { DocumentId } from '@symphony/schemas';
import { css, html, LitElement, nothing } from 'lit';
import { customElement, property, query, state } from 'lit/decorators.js';
import { repeat } from 'lit/directives/repeat.js';
import {
  type DocumentIndex,
  type DocumentSummary,
  InvalidTitleError,
  searchDocuments,
} from '../core/document-index.js';
import { relativeTime } from '../core/format.js';
import { routeHash } from '../core/route.js';
import { sharedStyles } from '../styles/shared.js';

/** Detail of `open-document` and `document-deleted`. */
export interface DocumentRef {
  readonly id: DocumentId;
}

/**
 * The workspace home: the document list with create, rename, delete, search by title and
 * Markdown import.
 *
 * @fires open-document - `CustomEvent<DocumentRef>` after a document was created here and should open.
 * @fires document-deleted - `CustomEvent<DocumentRef>` after a document was removed from the list.
 * @fires import-file - `CustomEvent<File>` when the person picked a Markdown file to import.
 * @fires open-trash - when the person asks for the workspace's trash.
 */
@customElement('workspace-home')
export class WorkspaceHome extends LitElement {
  static override styles = [
    sharedStyles,
    css`
      :host {
        display: block;
        max-width: 52rem;
        margin: 0 auto;
        padding: 2rem 1.5rem 4rem;
      }
      h1 {
        font-size: 1.5rem;
        margin: 0 0 1.25rem;
      }
      .create {
        display: flex;
        flex-wrap: wrap;
        gap: 0.5rem;
      }
      .create input {
        flex: 1 1 12rem;
        min-width: 0;
      }
      .toolbar {
        display: flex;
        flex-wrap: wrap;
        align-items: center;
        gap: 0.5rem 0.75rem;
        margin: 1.75rem 0 0.75rem;
      }
      .search {
        position: relative;
        flex: 1 1 14rem;
        min-width: 0;
        display: flex;
      }
      .search input {
        flex: 1;
        padding-right: 2.5rem;
      }
      .search kbd {
        position: absolute;
        right: 0.6rem;
        top: 50%;
        transform: translateY(-50%);
        pointer-events: none;
      }
      .count {
        font-size: 0.8125rem;
      }
      ul {
        list-style: none;
        margin: 0;
        padding: 0;
        border: 1px solid var(--sy-border);
        border-radius: var(--sy-radius);
        background: var(--sy-surface);
        overflow: hidden;
      }
      li {
        display: flex;
        align-items: center;
        gap: 0.75rem;
        padding: 0.55rem 1rem;
        min-height: 3.25rem;
      }
      li + li {
        border-top: 1px solid var(--sy-border);
      }
      li:hover {
        background: var(--sy-hover);
      }
      .title {
        flex: 1;
        min-width: 0;
        color: inherit;
        text-decoration: none;
        font-weight: 500;
        overflow: hidden;
        text-overflow: ellipsis;
        white-space: nowrap;
        border-radius: 4px;
      }
      .title:hover {
        text-decoration: underline;
      }
      .when {
        font-size: 0.8125rem;
        white-space: nowrap;
      }
      .row-actions {
        display: flex;
        gap: 0.25rem;
      }
      /* A phone: the title takes its own line, the date and actions go below it. */
      @media (max-width: 30rem) {
        :host {
          padding: 1.25rem 1rem 3rem;
        }
        li {
          flex-wrap: wrap;
          gap: 0.25rem 0.75rem;
        }
        .title {
          flex-basis: 100%;
        }
      }
      .row-actions button {
        padding: 0.3em 0.6em;
        font-size: 0.8125rem;
      }
      .editing {
        flex: 1;
        display: flex;
        flex-direction: column;
      }
      .editing input {
        width: 100%;
      }
      .confirm {
        flex: 1;
      }
      .empty {
        text-align: center;
        padding: 3rem 1rem;
        border: 1px dashed var(--sy-border);
        border-radius: var(--sy-radius);
      }
      .empty h2 {
        font-size: 1.05rem;
        margin: 0 0 0.4rem;
      }
      .empty p {
        margin: 0 0 1rem;
      }
      .hints {
        margin-top: 1.5rem;
        font-size: 0.8125rem;
        display: flex;
        flex-wrap: wrap;
        gap: 1.25rem;
      }
    `,
  ];

  /** The workspace's document list; `null` while it opens. */
  @property({ attribute: false }) index: DocumentIndex | null = null;
  /** The rows to show (from the index), most recently updated first. */
  @property({ attribute: false }) documents: readonly DocumentSummary[] = [];
  /** Whether the list has been read from this device's storage. */
  @property({ type: Boolean }) loaded = false;
  /** A viewer's home: the list opens documents but offers no create, import, rename or delete. */
  @property({ type: Boolean, attribute: 'read-only' }) readOnly = false;
  /** The clock used for "edited 5 minutes ago". */
  @property({ attribute: false }) now: () => Date = () => new Date();

  @state() private query = '';
  @state() private newTitle = '';
  @state() private createError: string | null = null;
  @state() private renaming: { id: DocumentId; draft: string; error: string | null } | null = null;
  @state() private confirmingDelete: DocumentId | null = null;

  @query('#search') private searchInput!: HTMLInputElement;
  private ticker: ReturnType<typeof setInterval> | undefined;
  @query('#new-title') private newTitleInput!: HTMLInputElement;
  @query('#import-file') private importInput!: HTMLInputElement;

  override connectedCallback(): void {
    super.connectedCallback();
    // Keeps "Edited 5 minutes ago" true while the page stays open.
    this.ticker = setInterval(() => this.requestUpdate(), 60_000);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    clearInterval(this.ticker);
  }

  /** Focuses the search field and selects its text. */
  focusSearch(): void {
    this.searchInput?.focus();
    this.searchInput?.select();
  }

  /** Focuses the new-document title field. */
  focusCreate(): void {
    this.newTitleInput?.focus();
  }

  /** Opens the file picker for a Markdown import. */
  pickImportFile(): void {
    this.importInput?.click();
  }

  protected override render() {
    const results = searchDocuments(this.documents, this.query);
    return html`
      <h1>Documents</h1>
      ${this.readOnly ? nothing : this.renderCreate()}

      <div class="toolbar">

        <div class="search" role="search">
          <label class="visually-hidden" for="search">Search documents by title</label>
          <input
            id="search"
            type="search"
            placeholder="Search by title"
            autocomplete="off"
            data-testid="document-search"
            .value=${this.query}
            @input=${(e: Event) => {
              this.query = (e.target as HTMLInputElement).value;
            }}
            @keydown=${(e: KeyboardEvent) => {
              if (e.key === 'Escape' && this.query !== '') {
                e.stopPropagation();
                this.query = '';
              }
            }}
          />
          ${this.query === '' ? html`<kbd aria-hidden="true">/</kbd>` : nothing}
        </div>
        <span class="count muted" aria-live="polite">
          ${this.loaded ? this.countLabel(results.length) : ''}
        </span>
        <button type="button" class="ghost" data-testid="open-trash" aria-haspopup="dialog"
          title="Deleted documents and workflows, restorable for 30 days"
          @click=${() => this.dispatchEvent(new CustomEvent('open-trash', { bubbles: true, composed: true }))}>
          Trash
        </button>
      </div>

      ${this.renderList(results)}

      <div class="hints muted" aria-hidden="true">
        <span><kbd>/</kbd> or <kbd>Ctrl</kbd> <kbd>K</kbd> search</span>
        <span><kbd>Alt</kbd> <kbd>N</kbd> new document</span>
        <span><kbd>Esc</kbd> back to documents</span>
      </div>
    `;
  }

  private countLabel(shown: number): string {
    const total = this.documents.length;
    if (this.query.trim() === '') return `${total} ${total === 1 ? 'document' : 'documents'}`;
    return `${shown} of ${total}`;
  }

  private renderList(results: DocumentSummary[]) {
    if (!this.loaded) return html`<p class="muted" data-testid="loading">Loading documents…</p>`;
    if (this.documents.length === 0) {
      return html`<div class="empty" data-testid="empty-state">
        <h2>No documents yet</h2>
        <p class="muted">Create your first document above, or import a Markdown file.</p>
        <button class="primary" @click=${this.focusCreate}>New document</button>
      </div>`;
    }
    if (results.length === 0) {
      return html`<div class="empty" data-testid="no-results">
        <h2>No documents match “${this.query.trim()}”</h2>
        <p class="muted">Try another word, or clear the search to see all documents.</p>
        <button @click=${this.clearSearch}>Clear search</button>
      </div>`;
    }
    return html`<ul aria-label="Documents" data-testid="document-list">
      ${repeat(
        results,
        (d) => d.id,
        (d) => this.renderRow(d),
      )}
    </ul>`;
  }

  private renderRow(d: DocumentSummary) {
    const rowAttrs = (content: unknown) =>
      html`<li data-testid="document-row" data-document-id=${d.id} data-title=${d.title}>${content}</li>`;
    if (this.renaming?.id === d.id) {
      const r = this.renaming;
      return rowAttrs(html`<form class="editing" @submit=${this.commitRename} @keydown=${this.onRenameKeydown}>
          <label class="visually-hidden" for="rename-${d.id}">New title for ${d.title}</label>
          <input
            id="rename-${d.id}"
            type="text"
            data-testid="rename-input"
            .value=${r.draft}
            aria-invalid=${r.error === null ? 'false' : 'true'}
            aria-describedby="rename-error-${d.id}"
            @input=${(e: Event) => {
              this.renaming = { id: d.id, draft: (e.target as HTMLInputElement).value, error: null };
            }}
          />
          <p class="error" id="rename-error-${d.id}" role="alert" data-testid="rename-error">${r.error ?? ''}</p>
        </form>
        <div class="row-actions">
          <button class="primary" @click=${this.commitRename} data-testid="save-rename">Save</button>
          <button @click=${this.cancelRename}>Cancel</button>
        </div>`);
    }
    if (this.confirmingDelete === d.id) {
      return rowAttrs(html`<span class="confirm" role="alert">
          Delete <strong>${d.title}</strong>? It is removed for everyone in the workspace.
        </span>
        <div class="row-actions">
          <button class="danger solid" @click=${() => this.delete(d)} data-testid="confirm-delete">Delete</button>
          <button @click=${this.cancelDelete} data-testid="cancel-delete">Cancel</button>
        </div>`);
    }
    return rowAttrs(html`<a class="title" href=${routeHash({ name: 'document', id: d.id })} data-testid="document-link"
        >${d.title}</a
      >
      <span class="when muted" title=${new Date(d.updatedAt).toLocaleString()}
        >Edited ${relativeTime(d.updatedAt, this.now())}</span
      >
      <div class="row-actions" ?hidden=${this.readOnly}>
        <button
          class="ghost"
          aria-label=${`Rename ${d.title}`}
          data-testid="rename-button"
          @click=${() => this.startRename(d)}
        >
          Rename
        </button>
        <button
          class="ghost danger"
          aria-label=${`Delete ${d.title}`}
          data-testid="delete-button"
          @click=${() => this.askDelete(d)}
        >
          Delete
        </button>
      </div>`);
  }

  private renderCreate() {
    return html`<form class="create" @submit=${this.create} aria-label="Create a document">
        <label class="visually-hidden" for="new-title">New document title</label>
        <input
          id="new-title"
          type="text"
          placeholder="New document title"
          autocomplete="off"
          data-testid="new-document-title"
          .value=${this.newTitle}
          aria-invalid=${this.createError === null ? 'false' : 'true'}
          aria-describedby="create-error"
          @input=${(e: Event) => {
            this.newTitle = (e.target as HTMLInputElement).value;
            this.createError = null;
          }}
        />
        <button type="submit" class="primary" data-testid="create-document">Create</button>
        <button type="button" @click=${this.pickImportFile} data-testid="import-button">
          Import Markdown…
        </button>
        <input
          id="import-file"
          type="file"
          hidden
          accept=".md,.markdown,.txt,text/markdown,text/plain"
          data-testid="import-input"
          @change=${this.onImportPicked}
        />
      </form>
      <p class="error" id="create-error" role="alert" data-testid="create-error">${this.createError ?? ''}</p>`;
  }

  private create(e: Event): void {
    e.preventDefault();
    if (this.index === null) return;
    try {
      const created = this.index.create(this.newTitle);
      this.newTitle = '';
      this.createError = null;
      this.dispatchEvent(
        new CustomEvent<DocumentRef>('open-document', {
          detail: { id: created.id },
          bubbles: true,
          composed: true,
        }),
      );
    } catch (error) {
      if (!(error instanceof InvalidTitleError)) throw error;
      this.createError = error.message;
      this.newTitleInput.focus();
    }
  }

  private startRename(d: DocumentSummary): void {
    this.confirmingDelete = null;
    this.renaming = { id: d.id, draft: d.title, error: null };
    void this.updateComplete.then(() => {
      const input = this.renderRoot.querySelector<HTMLInputElement>('[data-testid="rename-input"]');
      input?.focus();
      input?.select();
    });
  }

  private commitRename(e: Event): void {
    e.preventDefault();
    const r = this.renaming;
    if (r === null || this.index === null) return;
    try {
      this.index.rename(r.id, r.draft);
      this.renaming = null;
      this.focusRow(r.id, 'rename-button');
    } catch (error) {
      if (!(error instanceof Error)) throw error;
      this.renaming = { ...r, error: error.message };
    }
  }

  private cancelRename(): void {
    const id = this.renaming?.id;
    this.renaming = null;
    if (id !== undefined) this.focusRow(id, 'rename-button');
  }

  private onRenameKeydown(e: KeyboardEvent): void {
    if (e.key === 'Escape') {
      e.preventDefault();
      e.stopPropagation();
      this.cancelRename();
    }
  }

  private askDelete(d: DocumentSummary): void {
    this.renaming = null;
    this.confirmingDelete = d.id;
    void this.updateComplete.then(() =>
      this.renderRoot.querySelector<HTMLButtonElement>('[data-testid="cancel-delete"]')?.focus(),
    );
  }

  private cancelDelete(): void {
    const id = this.confirmingDelete;
    this.confirmingDelete = null;
    if (id !== null) this.focusRow(id, 'delete-button');
  }

  private delete(d: DocumentSummary): void {
    this.confirmingDelete = null;
    if (this.index?.delete(d.id)) {
      this.dispatchEvent(
        new CustomEvent<DocumentRef>('document-deleted', {
          detail: { id: d.id },
          bubbles: true,
          composed: true,
        }),
      );
    }
    void this.updateComplete.then(() => this.searchInput?.focus());
  }

  private clearSearch(): void {
    this.query = '';
    this.focusSearch();
  }

  private focusRow(id: DocumentId, testId: string): void {
    void this.updateComplete.then(() =>
      this.renderRoot
        .querySelector<HTMLElement>(`li[data-document-id="${CSS.escape(id)}"] [data-testid="${testId}"]`)
        ?.focus(),
    );
  }

  private onImportPicked(e: Event): void {
    const input = e.target as HTMLInputElement;
    const file = input.files?.[0];
    input.value = '';
    if (file === undefined) return;
    this.dispatchEvent(new CustomEvent<File>('import-file', { detail: file, bubbles: true, composed: true }));
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'workspace-home': WorkspaceHome;
  }
  interface HTMLElementEventMap {
    'open-document': CustomEvent<DocumentRef>;
    'document-deleted': CustomEvent<DocumentRef>;
    'import-file': CustomEvent<File>;
  }
}
