// <document-view>: one Document's page: its editable title, the collaborative Markdown editor, who else
// is here, Markdown export, and notices when the server refused changes.
import type { DocumentId, Role } from '@symphony/schemas';
import { css, html, LitElement, nothing, type PropertyValues } from 'lit';
import { customElement, property, query, state } from 'lit/decorators.js';
import type * as Y from 'yjs';
import { DocumentSessionController } from '../controllers/document-session-controller.js';
import type { DocumentIndex, DocumentSummary } from '../core/document-index.js';
import { exportFileName, FALLBACK_TITLE } from '../core/markdown.js';
import { storageRefusalMessage } from '../core/storage-refusal.js';
import { throttle } from '../core/throttle.js';
import { sharedStyles } from '../styles/shared.js';
import { DocumentAccess, type SessionSnapshot } from '../sync/document-session.js';
import type { SessionRegistry } from '../sync/session-registry.js';
import './document-editor-pane.js';
import type { DocumentEditorPane } from './document-editor-pane.js';
import './markdown-editor.js';
import './presence-list.js';
import type { MarkdownEditor } from './markdown-editor.js';

/** "N of your changes were not saved: you are now a viewer in <workspace>." */
export function refusedChangesMessage(count: number, workspace: string | null): string {
  const changes = count === 1 ? '1 of your changes was' : `${count} of your changes were`;
  return `${changes} not saved: you are now a viewer in ${workspace ?? 'this workspace'}.`;
}

/** Name of the `Y.Text` that holds a document's Markdown. */
export const CONTENT_KEY = 'content';

/** 15 s: often enough for "edited just now" on the home list, rare enough to keep the index small. */
const TOUCH_INTERVAL_MS = 15_000;

/**
 * One document: its editable title, the collaborative Markdown editor, who else is here, and
 * Markdown export.
 *
 * @fires navigate-home - `CustomEvent<void>` when the person asks to go back to the document list.
 */
@customElement('document-view')
export class DocumentView extends LitElement {
  static override styles = [
    sharedStyles,
    css`
      :host {
        display: flex;
        flex-direction: column;
        min-height: 0;
        height: 100%;
      }
      .bar {
        display: flex;
        flex-wrap: wrap;
        align-items: center;
        gap: 0.5rem 0.75rem;
        padding: 0.6rem 1rem;
        border-bottom: 1px solid var(--sy-border);
        background: var(--sy-surface);
      }
      .title-field {
        flex: 1 1 12rem;
        min-width: 0;
        display: flex;
        flex-direction: column;
      }
      .title-field input {
        font-size: 1.15rem;
        font-weight: 600;
        border-color: transparent;
        background: transparent;
        padding: 0.3em 0.5em;
      }
      .title-field input:hover {
        border-color: var(--sy-border);
      }
      .title-field .error {
        margin: 0 0.5em;
      }
      .banner.info {
        background: var(--sy-hover);
        color: inherit;
        border-color: var(--sy-border);
      }
      .view-only {
        padding: 0.2em 0.7em;
        border-radius: 999px;
        background: #fff4d6;
        border: 1px solid #e5c46b;
        color: #6b4e00;
        font-size: 0.8125rem;
        font-weight: 600;
        white-space: nowrap;
      }
      .banner {
        padding: 0.6rem 1rem;
        background: var(--sy-warn-bg);
        border-bottom: 1px solid var(--sy-border);
        display: flex;
        gap: 1rem;
        align-items: center;
      }
      markdown-editor,
      document-editor-pane {
        flex: 1;
        overflow: auto;
      }
      document-editor-pane {
        overflow: hidden;
        min-height: 0;
      }
      .loading {
        padding: 2rem;
        text-align: center;
      }
    `,
  ];

  /** Where sessions come from. */
  @property({ attribute: false }) registry: SessionRegistry | undefined;
  /** The workspace's document list, for the title. */
  @property({ attribute: false }) index: DocumentIndex | null = null;
  /** The document to show. */
  @property({ attribute: false }) documentId: DocumentId | null = null;
  /** The document's row in the index, if it has one yet. */
  @property({ attribute: false }) summary: DocumentSummary | undefined;
  /** Whether the index has been read from this device's storage. */
  @property({ type: Boolean }) indexLoaded = false;
  /** The person's role in the document's workspace as last listed (the server's word overrides it). */
  @property({ attribute: false }) workspaceRole: Role | null = null;
  /** The name of the document's workspace, for messages. */
  @property({ attribute: false }) workspaceName: string | null = null;
  /** Whether the document's registration with OFB is still queued in the outbox. */
  @property({ type: Boolean }) registering = false;

  @state() private titleDraft: string | null = null;
  @state() private titleError: string | null = null;
  @state() private wasListed = false;

  @query('#title') private titleInput!: HTMLInputElement;
  @query('document-editor-pane') private editor!: DocumentEditorPane | MarkdownEditor | null;

  private readonly document = new DocumentSessionController(this, { presence: true });
  private observedText: Y.Text | null = null;
  private pendingEditorFocus = false;
  private readonly touch = throttle(() => {
    if (this.documentId !== null) this.index?.touch(this.documentId);
  }, TOUCH_INTERVAL_MS);

  /** Focuses the title and selects it, for a document just created. */
  async focusTitle(): Promise<void> {
    await this.updateComplete;
    this.titleInput?.focus();
    this.titleInput?.select();
  }

  /** Focuses the text, now or as soon as the document has opened. */
  async focusEditor(): Promise<void> {
    this.pendingEditorFocus = true;
    await this.updateComplete;
    this.applyPendingFocus();
  }

  protected override updated(): void {
    this.applyPendingFocus();
  }

  private applyPendingFocus(): void {
    if (!this.pendingEditorFocus || this.editor === null) return;
    this.pendingEditorFocus = false;
    void this.editor.updateComplete.then(() => this.editor?.focus());
  }

  /** The document's Markdown, or `''` before it has opened. */
  get markdown(): string {
    return this.document.session?.doc.getText(CONTENT_KEY).toString() ?? '';
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (changed.has('documentId') || changed.has('registry')) {
      if (changed.has('documentId')) {
        this.touch.flush();
        this.titleDraft = null;
        this.titleError = null;
        this.wasListed = false;
      }
      this.document.open(this.registry, this.documentId);
    }
    if (this.summary !== undefined) this.wasListed = true;
    this.observeText();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.touch.flush();
    this.observeText();
  }

  private observeText(): void {
    const text = this.isConnected ? (this.document.session?.doc.getText(CONTENT_KEY) ?? null) : null;
    if (text === this.observedText) return;
    this.observedText?.unobserve(this.onTextChange);
    this.observedText = text;
    text?.observe(this.onTextChange);
  }

  private readonly onTextChange = (_event: Y.YTextEvent, transaction: Y.Transaction): void => {
    if (transaction.local) this.touch();
  };

  protected override render() {
    const session = this.document.session;
    const title = this.summary?.title ?? FALLBACK_TITLE;
    const deleted = this.wasListed && this.summary === undefined && this.indexLoaded;
    const snapshot = session?.snapshot;
    const role = snapshot?.role ?? this.workspaceRole;
    const readOnly =
      role === 'viewer' ||
      snapshot?.access === DocumentAccess.forbidden ||
      snapshot?.access === DocumentAccess.storageRefused;
    return html`
      <div class="bar">
        <button class="ghost" @click=${this.goHome} aria-label="Back to documents" data-testid="back-home">
          ← <span>Documents</span>
        </button>
        <form class="title-field" @submit=${this.commitTitle}>
          <label class="visually-hidden" for="title">Document title</label>
          <input
            id="title"
            type="text"
            data-testid="document-title"
            autocomplete="off"
            .value=${this.titleDraft ?? title}
            ?disabled=${this.summary === undefined || readOnly}
            aria-invalid=${this.titleError === null ? 'false' : 'true'}
            aria-describedby="title-error"
            @input=${(e: Event) => {
              this.titleDraft = (e.target as HTMLInputElement).value;
              this.titleError = null;
            }}
            @blur=${this.commitTitle}
            @keydown=${this.onTitleKeydown}
          />
          ${
            this.titleError === null
              ? nothing
              : html`<p class="error" id="title-error" role="alert" data-testid="title-error">${this.titleError}</p>`
          }
        </form>
        ${
          role === 'viewer'
            ? html`<span class="view-only" data-testid="view-only-badge"
                title="You are a viewer in this workspace: you can read and follow edits, not make them."
                >View only · you are a viewer here</span>`
            : nothing
        }
        <presence-list .awareness=${session?.awareness ?? null}></presence-list>
        <button @click=${this.exportMarkdown} ?disabled=${session === null} data-testid="export-button">
          Export .md
        </button>
      </div>
      ${
        deleted
          ? html`<div class="banner" role="alert" data-testid="deleted-banner">
            This document was deleted from the workspace. Your copy stays open until you leave.
            <button @click=${this.goHome}>Back to documents</button>
          </div>`
          : nothing
      }
      ${this.renderAccess(snapshot)}
      ${
        session === null || !this.document.loaded
          ? html`<p class="loading muted">Opening document…</p>`
          : html`<document-editor-pane
            .doc=${session.doc}
            .documentId=${this.documentId}
            .awareness=${session.awareness}
            ?read-only=${readOnly}
            label=${`Text of ${title}`}
          ></document-editor-pane>`
      }
    `;
  }

  private renderAccess(snapshot: SessionSnapshot | undefined) {
    const access = snapshot?.access;
    if (access === DocumentAccess.storageRefused)
      return html`<div class="banner" role="alert" data-testid="storage-refused-banner">
        <span>
          <strong>${storageRefusalMessage(snapshot?.refusal ?? null)}</strong>
          This copy stays open here but no longer syncs: export it so nothing is lost, or reload the page to try again.
        </span>
        <button class="primary" @click=${this.exportMarkdown} data-testid="storage-refused-export">Export (Markdown)</button>
        <button @click=${() => location.reload()}>Reload</button>
      </div>`;
    const refused = snapshot?.refusedChanges ?? 0;
    if (refused > 0)
      return html`<div class="banner" role="alert" data-testid="refused-changes-banner">
        <span>
          <strong>${refusedChangesMessage(refused, this.workspaceName)}</strong>
          Export them to keep them, or discard them to see the document as the server has it.
        </span>
        <button class="primary" @click=${this.exportMarkdown} data-testid="refused-changes-export">Export (Markdown)</button>
        <button class="danger" @click=${this.discardLocalCopy} data-testid="refused-changes-discard">Discard</button>
      </div>`;
    if (access === DocumentAccess.forbidden)
      return html`<div class="banner" role="alert" data-testid="forbidden-banner">
        You no longer have access to this workspace. Your copy stays on this device, but it no longer syncs.
        <button @click=${this.goHome}>Back to documents</button>
      </div>`;
    if (access === DocumentAccess.unregistered || this.registering)
      return html`<div class="banner info" role="status" data-testid="registering-banner">
        Waiting to register this document with the server. Edits are kept and sync once it is.
      </div>`;
    if (access === DocumentAccess.signedOut)
      return html`<div class="banner info" role="status" data-testid="signed-out-banner">
        Sign in again to sync this document. Your edits are kept on this device.
      </div>`;
    return nothing;
  }

  private commitTitle(e: Event): void {
    e.preventDefault();
    const draft = this.titleDraft;
    if (draft === null || this.documentId === null || this.index === null) return;
    if (draft === this.summary?.title) {
      this.titleDraft = null;
      return;
    }
    try {
      this.index.rename(this.documentId, draft);
      this.titleDraft = null;
      this.titleError = null;
      if (e.type === 'submit') void this.focusEditor();
    } catch (error) {
      if (!(error instanceof Error)) throw error;
      this.titleError = error.message;
    }
  }

  private onTitleKeydown(e: KeyboardEvent): void {
    if (e.key === 'Escape' && this.titleDraft !== null) {
      e.stopPropagation();
      this.titleDraft = null;
      this.titleError = null;
    } else if (e.key === 'ArrowDown' || (e.key === 'Enter' && this.titleDraft === null)) {
      e.preventDefault();
      void this.focusEditor();
    }
  }

  private exportMarkdown(): void {
    const blob = new Blob([this.markdown], { type: 'text/markdown;charset=utf-8' });
    const url = URL.createObjectURL(blob);
    const link = document.createElement('a');
    link.href = url;
    link.download = exportFileName(this.summary?.title ?? FALLBACK_TITLE);
    link.click();
    setTimeout(() => URL.revokeObjectURL(url), 10_000);
  }

  /** Drops this browser's copy (with the edits the server refused) and reloads it from the server. */
  private async discardLocalCopy(): Promise<void> {
    const id = this.documentId;
    if (id === null || this.registry === undefined) return;
    await this.registry.forget(id);
    location.reload();
  }

  private goHome(): void {
    this.dispatchEvent(new CustomEvent('navigate-home', { bubbles: true, composed: true }));
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'document-view': DocumentView;
  }
  interface HTMLElementEventMap {
    'navigate-home': CustomEvent<void>;
  }
}
