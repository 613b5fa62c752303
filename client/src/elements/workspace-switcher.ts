// <workspace-switcher>: the header's Workspace picker: the open Workspace, switching to the others,
// New workspace, Members, and the invitations to other workspaces.
import { WorkspaceName } from '@symphony/schemas';
import { css, html, LitElement } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { PopoverController } from '../controllers/popover-controller.js';
import type { InvitationInbox } from '../core/invitation-inbox.js';
import type { WorkspaceEntry } from '../ofb/workspace-directory.js';
import { sharedStyles } from '../styles/shared.js';
import './invitations-menu.js';

/**
 * The header's workspace picker: which workspace is open, a switch to the others, "New workspace",
 * "Members" and the person's pending invitations (`<invitations-menu>`).
 *
 * @fires workspace-select - `CustomEvent<{ id: string }>` when the person picks a workspace (or
 *   accepted an invitation to it).
 * @fires workspace-create - `CustomEvent<{ name: string }>` with a valid new workspace name.
 * @fires open-members - when the person asks for the members dialog.
 */
@customElement('workspace-switcher')
export class WorkspaceSwitcher extends LitElement {
  static override styles = [
    sharedStyles,
    css`
      :host {
        position: relative;
        display: inline-flex;
        align-items: center;
        gap: 0.4rem;
      }
      select {
        font: inherit;
        padding: 0.35em 0.5em;
        border: 1px solid var(--sy-border);
        border-radius: var(--sy-radius);
        background: var(--sy-surface);
        max-width: 16rem;
      }
      form {
        position: absolute;
        left: 0;
        top: calc(100% + 0.4rem);
        z-index: 10;
        width: 18rem;
        padding: 0.9rem;
        background: var(--sy-surface);
        border: 1px solid var(--sy-border);
        border-radius: var(--sy-radius);
        box-shadow: var(--sy-shadow);
        display: grid;
        gap: 0.5rem;
      }
      label {
        font-weight: 600;
        font-size: 0.8125rem;
      }
      .actions {
        display: flex;
        justify-content: flex-end;
        gap: 0.4rem;
      }
    `,
  ];

  @property({ attribute: false }) workspaces: readonly WorkspaceEntry[] = [];
  @property({ attribute: false }) current: WorkspaceEntry | null = null;
  /** The person's invitations to other workspaces (a badge and list beside the picker). */
  @property({ attribute: false }) inbox: InvitationInbox | undefined;

  @state() private creating = false;
  /** Esc (anywhere, innermost popover first) and a page change close the New workspace form. */
  private readonly popoverControl = new PopoverController(this, {
    isOpen: () => this.creating,
    close: (reason) => {
      this.creating = false;
      if (reason === 'dismiss')
        void this.updateComplete.then(() =>
          this.renderRoot.querySelector<HTMLElement>('[data-testid="new-workspace"]')?.focus(),
        );
    },
  });
  @state() private draft = '';
  @state() private error: string | null = null;

  protected override render() {
    return html`
      <label class="visually-hidden" for="workspace">Workspace</label>
      <select id="workspace" data-testid="workspace-select" @change=${this.onSelect}>
        ${this.workspaces.map(
          (w) =>
            html`<option value=${w.id} ?selected=${w.id === this.current?.id}>
              ${w.name}${w.pending ? ' (not synced yet)' : ''}${w.role === 'viewer' ? ' · view only' : ''}
            </option>`,
        )}
      </select>
      <button class="ghost" data-testid="open-members" ?disabled=${this.current === null}
        @click=${() => this.dispatchEvent(new CustomEvent('open-members', { bubbles: true, composed: true }))}>
        Members
      </button>
      <invitations-menu .inbox=${this.inbox}></invitations-menu>
      <button class="ghost" data-testid="new-workspace" aria-expanded=${this.creating ? 'true' : 'false'}
        @click=${this.toggleCreate}>New workspace</button>
      ${
        this.creating
          ? html`<form @submit=${this.submit} aria-label="New workspace" @keydown=${this.onKeydown}>
              <label for="ws-name">Name of the new workspace</label>
              <input id="ws-name" type="text" data-testid="new-workspace-name" .value=${this.draft}
                aria-invalid=${this.error === null ? 'false' : 'true'} aria-describedby="ws-error"
                @input=${(e: Event) => {
                  this.draft = (e.target as HTMLInputElement).value;
                  this.error = null;
                }} />
              <p class="error" id="ws-error" role="alert">${this.error ?? ''}</p>
              <div class="actions">
                <button type="button" @click=${this.toggleCreate}>Cancel</button>
                <button type="submit" class="primary" data-testid="create-workspace">Create</button>
              </div>
            </form>`
          : null
      }
    `;
  }

  protected override updated(): void {
    // The open workspace can change without the picker (accepting an invitation opens it): the
    // `selected` attributes alone do not move a select the person has used before.
    const select = this.renderRoot.querySelector<HTMLSelectElement>('#workspace');
    if (select !== null && this.current !== null && select.value !== this.current.id)
      select.value = this.current.id;
  }

  private onSelect(e: Event): void {
    const id = (e.target as HTMLSelectElement).value;
    this.dispatchEvent(
      new CustomEvent('workspace-select', { detail: { id }, bubbles: true, composed: true }),
    );
  }

  private toggleCreate(): void {
    this.creating = !this.creating;
    this.draft = '';
    this.error = null;
    if (this.creating)
      void this.updateComplete.then(() =>
        this.renderRoot.querySelector<HTMLInputElement>('#ws-name')?.focus(),
      );
  }

  private submit(e: Event): void {
    e.preventDefault();
    const checked = WorkspaceName.safeParse(this.draft.trim());
    if (!checked.success) {
      const message = checked.error.issues[0]?.message ?? 'name is not valid';
      this.error = message.charAt(0).toUpperCase() + message.slice(1);
      return;
    }
    this.dispatchEvent(
      new CustomEvent('workspace-create', { detail: { name: checked.data }, bubbles: true, composed: true }),
    );
    this.creating = false;
  }

  private onKeydown(e: KeyboardEvent): void {
    if (e.key !== 'Escape') return;
    e.preventDefault();
    e.stopPropagation();
    this.popoverControl.close('dismiss');
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'workspace-switcher': WorkspaceSwitcher;
  }
  interface HTMLElementEventMap {
    'workspace-select': CustomEvent<{ id: string }>;
    'workspace-create': CustomEvent<{ name: string }>;
    'open-members': CustomEvent<void>;
  }
}
