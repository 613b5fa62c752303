// <workspace-switcher>: the header's Workspace picker: the open Workspace, switching to the others,
// New workspace and Members.
import { Title } from '@symphony/schemas';
import { css, html, LitElement } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import type { WorkspaceEntry } from '../ofb/workspace-directory.js';
import { sharedStyles } from '../styles/shared.js';

/**
 * The header's workspace picker: which workspace is open, a switch to the others, "New workspace"
 * and "Members".
 *
 * @fires workspace-select - `CustomEvent<{ id: string }>` when the person picks a workspace.
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
      .invites {
        padding: 0 0.45em;
        border-radius: 999px;
        background: var(--sy-accent);
        color: #fff;
        font-size: 0.75rem;
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
  /** How many invitations wait for the person (shown on Members). */
  @property({ type: Number }) invitations = 0;

  @state() private creating = false;
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
        ${
          this.invitations > 0
            ? html`<span class="invites" data-testid="invitation-count"
                >${this.invitations} ${this.invitations === 1 ? 'invitation' : 'invitations'}</span>`
            : null
        }
      </button>
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
    const checked = Title.safeParse(this.draft.trim());
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
    this.creating = false;
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
