// <trash-dialog>: a Workspace's deleted documents and workflows (who deleted each, when, days left),
// restorable by its editors and owners for 30 days; a restore puts the item back in the lists.
import { OfbErrorCode, TRASH_RETENTION_DAYS } from '@symphony/schemas';
import { css, html, LitElement, nothing, type PropertyValues } from 'lit';
import { customElement, property, query, state } from 'lit/decorators.js';
import type * as Y from 'yjs';
import { sentence } from '../core/sentence.js';
import { restoreToIndex, type TrashItem, trashRows } from '../core/trash.js';
import type { OfbClient } from '../ofb/ofb-client.js';
import { OfbRequestError, OfbUnreachableError } from '../ofb/ofb-errors.js';
import type { WorkspaceEntry } from '../ofb/workspace-directory.js';
import { dialogStyles, sharedStyles } from '../styles/shared.js';

/**
 * The trash of the current workspace, as a modal dialog: loads `list-trash` each time it opens and
 * lists each item with Restore (editors and owners; viewers see the list). A restore calls
 * `restore-document`, then lists the item again in the workspace index (`indexDoc`) and says so.
 * Needs a connection: offline it says so instead of a list.
 *
 * @fires restored - `CustomEvent<{ id: string; kind: 'document' | 'workflow' }>` after a restore.
 */
@customElement('trash-dialog')
export class TrashDialog extends LitElement {
  static override styles = [
    sharedStyles,
    dialogStyles,
    css`
      dialog {
        width: min(38rem, calc(100vw - 2rem));
        max-height: min(40rem, calc(100vh - 2rem));
      }
      h2 {
        margin: 0 0 0.25rem;
        font-size: 1.15rem;
      }
      .intro {
        margin: 0 0 0.9rem;
        font-size: 0.875rem;
      }
      ul {
        list-style: none;
        margin: 0;
        padding: 0;
      }
      li {
        display: flex;
        align-items: center;
        gap: 0.75rem;
        padding: 0.55rem 0;
        border-bottom: 1px solid var(--sy-border);
      }
      .what {
        flex: 1;
        min-width: 0;
        display: grid;
        gap: 0.1rem;
      }
      .title {
        font-weight: 600;
        overflow: hidden;
        text-overflow: ellipsis;
        white-space: nowrap;
      }
      .meta {
        font-size: 0.8125rem;
      }
      .kind {
        font-size: 0.75rem;
        text-transform: uppercase;
        letter-spacing: 0.04em;
      }
      .left {
        font-size: 0.8125rem;
        white-space: nowrap;
      }
      .empty {
        padding: 1.5rem 0;
        text-align: center;
      }
      .message {
        margin: 0.5rem 0 0;
        font-size: 0.875rem;
      }
      .message.error {
        color: var(--sy-danger, #b42318);
      }
      .footer {
        display: flex;
        justify-content: flex-end;
        margin-top: 1rem;
      }
      @media (max-width: 30rem) {
        li {
          flex-wrap: wrap;
        }
      }
    `,
  ];

  @property({ attribute: false }) client: OfbClient | undefined;
  /** The workspace whose trash this is. */
  @property({ attribute: false }) workspace: WorkspaceEntry | null = null;
  /** The workspace's index document, where a restored item is listed again. */
  @property({ attribute: false }) indexDoc: Y.Doc | null = null;

  @state() private items: TrashItem[] | null = null;
  @state() private loadError: string | null = null;
  @state() private message: { text: string; error: boolean } | null = null;
  @state() private restoring: string | null = null;

  @query('dialog') private dialog!: HTMLDialogElement;

  /** Opens the dialog and loads the trash. */
  async show(): Promise<void> {
    await this.updateComplete;
    this.message = null;
    if (!this.dialog.open) this.dialog.showModal();
    await this.load();
  }

  protected override updated(changed: PropertyValues<this>): void {
    if (changed.has('workspace') && this.dialog?.open) void this.load();
  }

  protected override render() {
    const canRestore = this.workspace !== null && this.workspace.role !== 'viewer';
    return html`<dialog aria-labelledby="trash-title" data-testid="trash-dialog">
      <h2 id="trash-title">Trash of ${this.workspace?.name ?? 'this workspace'}</h2>
      <p class="intro muted">
        Deleted documents and workflows stay here for ${TRASH_RETENTION_DAYS} days, then are deleted for good.
        ${canRestore ? nothing : 'Only editors and owners can restore them.'}
      </p>
      ${this.renderBody(canRestore)}
      ${
        this.message === null
          ? nothing
          : html`<p class="message ${this.message.error ? 'error' : 'muted'}"
              role=${this.message.error ? 'alert' : 'status'} data-testid="trash-message">${this.message.text}</p>`
      }
      <div class="footer"><button class="primary" @click=${() => this.dialog.close()}>Close</button></div>
    </dialog>`;
  }

  private renderBody(canRestore: boolean) {
    if (this.loadError !== null) return html`<p class="muted" role="status">${this.loadError}</p>`;
    if (this.items === null) return html`<p class="muted" role="status">Loading…</p>`;
    const rows = trashRows(this.items, new Date());
    if (rows.length === 0) return html`<p class="empty muted" data-testid="trash-empty">Trash is empty</p>`;
    return html`<ul data-testid="trash-list" aria-label="Deleted documents and workflows">
      ${rows.map(
        (row) => html`<li data-testid="trash-item" data-id=${row.id}>
          <div class="what">
            <span class="title">${row.title}</span>
            <span class="meta muted"><span class="kind">${row.kind}</span> · ${row.deleted}</span>
          </div>
          <span class="left muted">${row.daysLeftLabel}</span>
          ${
            canRestore
              ? html`<button data-testid="trash-restore" aria-label=${`Restore ${row.kind} ${row.title}`}
                  ?disabled=${this.restoring !== null}
                  @click=${() => void this.restore(row.id)}>${this.restoring === row.id ? 'Restoring…' : 'Restore'}</button>`
              : nothing
          }
        </li>`,
      )}
    </ul>`;
  }

  private async load(): Promise<void> {
    const ws = this.workspace;
    if (this.client === undefined || ws === null) return;
    this.items = null;
    this.loadError = null;
    if (ws.pending) {
      this.items = [];
      return;
    }
    try {
      const items = await this.client.listTrash(ws.id);
      if (this.workspace?.id === ws.id) this.items = items;
    } catch (error) {
      this.loadError = reason(error, 'The trash could not be loaded');
    }
  }

  private async restore(id: string): Promise<void> {
    const item = this.items?.find((i) => i.id === id);
    if (this.client === undefined || item === undefined) return;
    this.restoring = id;
    this.message = null;
    try {
      const { document } = await this.client.restoreDocument(id);
      if (this.indexDoc !== null) restoreToIndex(this.indexDoc, document, new Date());
      this.items = (this.items ?? []).filter((i) => i.id !== id);
      this.message = { text: `Restored “${item.title}”.`, error: false };
      this.dispatchEvent(
        new CustomEvent('restored', { detail: { id, kind: item.kind }, bubbles: true, composed: true }),
      );
    } catch (error) {
      this.message = { text: reason(error, `“${item.title}” could not be restored`), error: true };
    } finally {
      this.restoring = null;
      // Keep focus in the dialog: on the next Restore, or on Close when the list is empty.
      await this.updateComplete;
      (
        this.renderRoot.querySelector<HTMLButtonElement>('[data-testid="trash-restore"]') ??
        this.renderRoot.querySelector<HTMLButtonElement>('.footer button')
      )?.focus();
    }
  }
}

/** A refusal or failure in a person's words, after `what` ("… could not be restored"). */
function reason(error: unknown, what: string): string {
  if (error instanceof OfbUnreachableError)
    return `${what}: you are offline. Try again when you are back online.`;
  if (error instanceof OfbRequestError) {
    switch (error.code) {
      case OfbErrorCode.roleTooLow:
        return `${what}: only editors and owners of this workspace can restore.`;
      case OfbErrorCode.notAMember:
        return `${what}: you are no longer a member of this workspace.`;
      case OfbErrorCode.documentNotFound:
        return `${what}: it is no longer in the trash (restored by someone else, or deleted for good).`;
      default:
        return `${what}. ${sentence(error.message)}`;
    }
  }
  return `${what}: ${error instanceof Error ? error.message : String(error)}.`;
}

declare global {
  interface HTMLElementTagNameMap {
    'trash-dialog': TrashDialog;
  }
}
