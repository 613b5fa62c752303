// <invitations-menu>: the workspace switcher's "N invitations" badge and its popover: who invited the
// person to which workspace, with Accept and Decline; new ones are announced as they arrive.
import { css, html, LitElement, nothing } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { PopoverController } from '../controllers/popover-controller.js';
import { StoreSubscriptionController } from '../controllers/store-subscription-controller.js';
import type { InvitationInbox, ReceivedInvitation } from '../core/invitation-inbox.js';
import { popoverPanelStyles, sharedStyles } from '../styles/shared.js';

/**
 * The person's pending invitations, in the header: a badge ("2 invitations", hidden when there are
 * none) that opens a list of who invited them to which workspace and as what, each with Accept and
 * Decline. Accepting opens the workspace. Invitations that arrive while the page is open are
 * announced to screen readers and make the badge appear.
 *
 * @fires workspace-select - `CustomEvent<{ id: string }>` after the person accepted an invitation.
 */
@customElement('invitations-menu')
export class InvitationsMenu extends LitElement {
  static override styles = [
    sharedStyles,
    popoverPanelStyles,
    css`
      :host {
        position: relative;
        display: inline-flex;
      }
      .badge {
        padding: 0.1em 0.55em;
        border-radius: 999px;
        background: var(--sy-accent);
        color: #fff;
        font-size: 0.75rem;
        font-weight: 600;
      }
      .panel {
        left: 0;
      }
      li {
        gap: 0.4rem;
        padding: 0.55rem 0.65rem;
        white-space: normal;
      }
      .role {
        color: var(--sy-muted);
        font-size: 0.8125rem;
      }
      .actions {
        display: flex;
        gap: 0.4rem;
        justify-content: flex-end;
      }
      .status {
        margin: 0.5rem 0 0;
        font-size: 0.875rem;
      }
    `,
  ];

  /** The person's invitations; the menu shows nothing until it is set. */
  @property({ attribute: false }) inbox: InvitationInbox | undefined;

  @state() private open = false;
  /** What the last Accept or Decline did, said in the panel. */
  @state() private status: { text: string; error: boolean } | null = null;
  /** New invitations, said to screen readers as they arrive. */
  @state() private announcement = '';

  private readonly stores = new StoreSubscriptionController(this);
  private announced: readonly ReceivedInvitation[] = [];
  /** Esc (innermost popover first) and a page change close the panel. */
  private readonly popoverControl = new PopoverController(this, {
    isOpen: () => this.open,
    close: (reason) => {
      this.open = false;
      if (reason === 'dismiss') void this.focusBadge();
    },
  });

  protected override willUpdate(): void {
    this.stores.watch([this.inbox]);
    const arrived = this.inbox?.arrived ?? [];
    if (arrived !== this.announced) {
      this.announced = arrived;
      if (arrived.length > 0) this.announcement = arrived.map(describe).join(' ');
    }
  }

  protected override render() {
    const invitations = this.inbox?.invitations ?? [];
    const count = invitations.length;
    const counted = `${count} ${count === 1 ? 'invitation' : 'invitations'}`;
    // The live region stays in place, so what is written into it is announced.
    return html`<span class="visually-hidden" role="status">${this.announcement}</span>
      ${
        count === 0 && !this.open
          ? nothing
          : html`<button class="ghost" data-testid="invitations-button" aria-haspopup="dialog"
              aria-expanded=${this.open ? 'true' : 'false'} @click=${this.toggle}
              aria-label=${`${counted} to other workspaces`}>
              <span class="badge" data-testid="invitation-count">${counted}</span>
            </button>`
      }
      ${
        this.open
          ? html`<section class="panel" role="dialog" aria-labelledby="invitations-title"
              data-testid="invitations-panel" @keydown=${this.onKeydown}>
              <h2 id="invitations-title">Invitations to other workspaces</h2>
              ${
                count === 0
                  ? html`<p class="muted" data-testid="invitations-empty">No invitations are waiting for you.</p>`
                  : html`<ul>${invitations.map((i) => this.renderInvitation(i))}</ul>`
              }
              ${
                this.status === null
                  ? nothing
                  : html`<p class="status ${this.status.error ? 'error' : 'muted'}" role=${this.status.error ? 'alert' : 'status'}
                      data-testid="invitations-status">${this.status.text}</p>`
              }
            </section>`
          : nothing
      }`;
  }

  private renderInvitation(i: ReceivedInvitation) {
    const busy = this.inbox?.isAnswering(i.id) ?? false;
    const failure = this.inbox?.failureOf(i.id) ?? null;
    return html`<li data-testid="received-invitation" data-workspace=${i.workspaceName}>
      <span><strong>${i.inviterName}</strong> invited you to <strong>“${i.workspaceName}”</strong></span>
      <span class="role">as ${i.role === 'viewer' ? 'viewer (read only)' : i.role}</span>
      ${failure === null ? nothing : html`<span class="error" role="alert">${failure}</span>`}
      <div class="actions">
        <button data-testid="decline-invitation" ?disabled=${busy} @click=${() => void this.decline(i)}
          aria-label=${`Decline the invitation to “${i.workspaceName}” from ${i.inviterName}`}>Decline</button>
        <button class="primary" data-testid="accept-invitation" ?disabled=${busy} @click=${() => void this.accept(i)}
          aria-label=${`Accept the invitation to “${i.workspaceName}” from ${i.inviterName}`}>Accept</button>
      </div>
    </li>`;
  }

  private async toggle(): Promise<void> {
    this.open = !this.open;
    this.status = null;
    if (!this.open) return;
    await this.updateComplete;
    this.renderRoot.querySelector<HTMLElement>('[data-testid="accept-invitation"]')?.focus();
  }

  private async accept(i: ReceivedInvitation): Promise<void> {
    const answer = await this.inbox?.accept(i.id);
    if (answer === undefined) return;
    if (!answer.ok) {
      this.status = { text: answer.message, error: true };
      return;
    }
    this.status = { text: `You joined “${i.workspaceName}”; it is open now.`, error: false };
    this.dispatchEvent(
      new CustomEvent('workspace-select', { detail: { id: i.workspaceId }, bubbles: true, composed: true }),
    );
    await this.keepFocusInPanel();
  }

  private async decline(i: ReceivedInvitation): Promise<void> {
    const answer = await this.inbox?.decline(i.id);
    if (answer === undefined) return;
    this.status = answer.ok
      ? { text: `You declined the invitation to “${i.workspaceName}”.`, error: false }
      : { text: answer.message, error: true };
    await this.keepFocusInPanel();
  }

  /** After an answer the row is gone: focus the next Accept, else the badge. */
  private async keepFocusInPanel(): Promise<void> {
    await this.updateComplete;
    const next = this.renderRoot.querySelector<HTMLElement>('[data-testid="accept-invitation"]');
    if (next !== null) next.focus();
    else await this.focusBadge();
  }

  private async focusBadge(): Promise<void> {
    await this.updateComplete;
    this.renderRoot.querySelector<HTMLElement>('[data-testid="invitations-button"]')?.focus();
  }

  private onKeydown(e: KeyboardEvent): void {
    if (e.key !== 'Escape') return;
    e.preventDefault();
    e.stopPropagation();
    this.popoverControl.close('dismiss');
  }
}

/** "Alice invited you to “Team” as editor." */
function describe(i: ReceivedInvitation): string {
  return `${i.inviterName} invited you to “${i.workspaceName}” as ${i.role}.`;
}

declare global {
  interface HTMLElementTagNameMap {
    'invitations-menu': InvitationsMenu;
  }
}
