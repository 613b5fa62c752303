// <members-dialog>: a Workspace's members and pending invitations; its owner invites, changes roles and
// removes members through the outbox. Also the person's own invitations, with Accept.
import { type Role, RoleSchema, UserName } from '@symphony/schemas';
import { css, html, LitElement, type PropertyValues } from 'lit';
import { customElement, property, query, state } from 'lit/decorators.js';
import type { OfbClient, OfbMembers, OfbMyInvitation } from '../ofb/ofb-client.js';
import { OfbRequestError } from '../ofb/ofb-errors.js';
import { type Outbox, OutboxFunction } from '../ofb/outbox.js';
import type { WorkspaceEntry } from '../ofb/workspace-directory.js';
import { sharedStyles } from '../styles/shared.js';

const ROLES: readonly Role[] = RoleSchema.options;

/**
 * The members of a workspace and its pending invitations. Its owner invites by name with a role,
 * changes roles and removes members (all through the outbox, so it works offline too); everyone
 * else sees the list read-only. Also lists the person's own invitations, with Accept.
 *
 * @fires workspaces-changed - after the person accepted an invitation (the workspace list changed).
 * @fires close - when the dialog closes.
 */
@customElement('members-dialog')
export class MembersDialog extends LitElement {
  static override styles = [
    sharedStyles,
    css`
      dialog {
        width: min(34rem, calc(100vw - 2rem));
        border: 1px solid var(--sy-border);
        border-radius: var(--sy-radius);
        box-shadow: var(--sy-shadow);
        padding: 1.25rem 1.5rem;
      }
      dialog::backdrop {
        background: rgba(15, 20, 25, 0.35);
      }
      h2 {
        margin: 0 0 0.75rem;
        font-size: 1.15rem;
      }
      h3 {
        margin: 1.1rem 0 0.4rem;
        font-size: 0.9rem;
      }
      ul {
        list-style: none;
        margin: 0;
        padding: 0;
        display: grid;
        gap: 0.35rem;
      }
      li {
        display: flex;
        align-items: center;
        gap: 0.6rem;
        padding: 0.35rem 0;
        border-bottom: 1px solid var(--sy-border);
      }
      li .name {
        flex: 1;
        font-weight: 600;
      }
      select {
        font: inherit;
        padding: 0.3em 0.4em;
        border: 1px solid var(--sy-border);
        border-radius: var(--sy-radius);
      }
      form.invite {
        display: flex;
        gap: 0.5rem;
        align-items: flex-end;
        flex-wrap: wrap;
      }
      form.invite .field {
        display: grid;
        gap: 0.25rem;
        flex: 1;
      }
      label {
        font-size: 0.8125rem;
        font-weight: 600;
      }
      .footer {
        display: flex;
        justify-content: flex-end;
        margin-top: 1.25rem;
      }
      .badge {
        font-size: 0.75rem;
        padding: 0.1em 0.5em;
        border-radius: 999px;
        background: var(--sy-hover);
      }
    `,
  ];

  @property({ attribute: false }) client: OfbClient | undefined;
  @property({ attribute: false }) outbox: Outbox | undefined;
  @property({ attribute: false }) workspace: WorkspaceEntry | null = null;
  /** The signed-in user's id. */
  @property({ attribute: false }) userId = '';

  @state() private members: OfbMembers | null = null;
  @state() private mine: OfbMyInvitation[] = [];
  @state() private loadError: string | null = null;
  @state() private inviteName = '';
  @state() private inviteRole: Role = 'editor';
  @state() private inviteError: string | null = null;
  @state() private notice: string | null = null;

  @query('dialog') private dialog!: HTMLDialogElement;
  private unsubscribe: (() => void) | null = null;
  private pendingBefore = 0;

  /** Opens the dialog and loads the lists. */
  async show(): Promise<void> {
    await this.updateComplete;
    if (!this.dialog.open) this.dialog.showModal();
    this.unsubscribe ??= this.outbox?.subscribe(() => this.onOutboxChange()) ?? null;
    this.pendingBefore = this.outbox?.pendingCount ?? 0;
    await this.load();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.unsubscribe?.();
    this.unsubscribe = null;
  }

  protected override updated(changed: PropertyValues<this>): void {
    if (changed.has('workspace') && this.dialog?.open) void this.load();
  }

  protected override render() {
    const ws = this.workspace;
    const owner = ws?.role === 'owner';
    return html`<dialog aria-labelledby="members-title" data-testid="members-dialog" @close=${this.onClose}>
      <h2 id="members-title">Members of ${ws?.name ?? 'this workspace'}</h2>
      ${this.loadError === null ? null : html`<p class="muted" role="status">${this.loadError}</p>`}
      ${this.notice === null ? null : html`<p class="muted" role="status" data-testid="members-notice">${this.notice}</p>`}
      ${this.renderMembers(owner)}
      ${owner ? this.renderInvite() : html`<p class="muted">Only the workspace’s owner can invite people or change roles.</p>`}
      ${this.renderMyInvitations()}
      <div class="footer"><button class="primary" @click=${() => this.dialog.close()}>Close</button></div>
    </dialog>`;
  }

  private renderMembers(owner: boolean) {
    const m = this.members;
    if (m === null) return this.loadError === null ? html`<p class="muted">Loading…</p>` : null;
    return html`<h3>Members</h3>
      <ul data-testid="member-list">
        ${m.members.map(
          (member) => html`<li data-testid="member" data-name=${member.name}>
            <span class="name">${member.name}${member.userId === this.userId ? ' (you)' : ''}</span>
            ${
              owner && member.userId !== this.userId
                ? html`<label class="visually-hidden" for="role-${member.userId}">Role of ${member.name}</label>
                    <select id="role-${member.userId}" data-testid="member-role"
                      @change=${(e: Event) => this.changeRole(member.userId, member.name, (e.target as HTMLSelectElement).value as Role)}>
                      ${ROLES.map((r) => html`<option value=${r} ?selected=${r === member.role}>${r}</option>`)}
                    </select>
                    <button class="danger" data-testid="member-remove" aria-label=${`Remove ${member.name}`}
                      @click=${() => this.removeMember(member.userId, member.name)}>Remove</button>`
                : html`<span class="badge" data-testid="member-role-label">${member.role}</span>`
            }
          </li>`,
        )}
      </ul>
      ${
        m.invitations.length === 0
          ? null
          : html`<h3>Invited, not yet accepted</h3>
            <ul data-testid="invitation-list">
              ${m.invitations.map(
                (i) => html`<li data-testid="invitation"><span class="name">${i.inviteeName}</span>
                  <span class="badge">${i.role}</span></li>`,
              )}
            </ul>`
      }`;
  }

  private renderInvite() {
    return html`<h3>Invite someone</h3>
      <form class="invite" @submit=${this.invite}>
        <div class="field">
          <label for="invite-name">Their Symphony name</label>
          <input id="invite-name" type="text" data-testid="invite-name" .value=${this.inviteName}
            aria-invalid=${this.inviteError === null ? 'false' : 'true'} aria-describedby="invite-error"
            @input=${(e: Event) => {
              this.inviteName = (e.target as HTMLInputElement).value;
              this.inviteError = null;
            }} />
        </div>
        <div class="field" style="flex:0">
          <label for="invite-role">Role</label>
          <select id="invite-role" data-testid="invite-role"
            @change=${(e: Event) => (this.inviteRole = (e.target as HTMLSelectElement).value as Role)}>
            ${ROLES.map((r) => html`<option value=${r} ?selected=${r === this.inviteRole}>${r}</option>`)}
          </select>
        </div>
        <button type="submit" class="primary" data-testid="invite-submit">Invite</button>
      </form>
      <p class="error" id="invite-error" role="alert">${this.inviteError ?? ''}</p>`;
  }

  private renderMyInvitations() {
    if (this.mine.length === 0) return null;
    return html`<h3>Your invitations</h3>
      <ul data-testid="my-invitations">
        ${this.mine.map(
          (i) => html`<li data-testid="my-invitation">
            <span class="name">${i.workspaceName}</span><span class="badge">${i.role}</span>
            <button class="primary" data-testid="accept-invitation" @click=${() => void this.accept(i)}>Accept</button>
          </li>`,
        )}
      </ul>`;
  }

  private async load(): Promise<void> {
    const ws = this.workspace;
    if (this.client === undefined || ws === null) return;
    this.loadError = null;
    try {
      const [members, mine] = await Promise.all([
        ws.pending ? Promise.resolve(null) : this.client.listMembers(ws.id),
        this.client.listInvitations(),
      ]);
      if (this.workspace?.id !== ws.id) return;
      this.members = members;
      this.mine = mine;
      if (ws.pending)
        this.loadError = 'This workspace is not on the server yet; its members appear once it is.';
    } catch (error) {
      this.members = null;
      this.loadError =
        error instanceof OfbRequestError && !error.isTransient
          ? error.message
          : 'Members cannot be listed while the server is unreachable. Invitations you send now are queued.';
    }
  }

  private async enqueue(
    name: OutboxFunction,
    body: Record<string, unknown>,
    label: string,
  ): Promise<boolean> {
    try {
      await this.outbox?.enqueue(name, body, label);
      this.notice = `Queued: ${label}. It reaches the server as soon as it can (see Outbox).`;
      return true;
    } catch (error) {
      this.notice = error instanceof Error ? error.message : String(error);
      return false;
    }
  }

  private async invite(e: Event): Promise<void> {
    e.preventDefault();
    const ws = this.workspace;
    if (ws === null) return;
    const name = UserName.safeParse(this.inviteName.trim());
    if (!name.success) {
      this.inviteError = 'Enter their Symphony name (letters, digits, “.”, “_”, “-” or “@”).';
      return;
    }
    const ok = await this.enqueue(
      OutboxFunction.inviteMember,
      { workspaceId: ws.id, userName: name.data, role: this.inviteRole },
      `Invite ${name.data} to “${ws.name}” as ${this.inviteRole}`,
    );
    if (ok) this.inviteName = '';
  }

  private changeRole(userId: string, name: string, role: Role): void {
    const ws = this.workspace;
    if (ws === null) return;
    void this.enqueue(
      OutboxFunction.changeRole,
      { workspaceId: ws.id, userId, role },
      `Make ${name} ${role} of “${ws.name}”`,
    );
  }

  private removeMember(userId: string, name: string): void {
    const ws = this.workspace;
    if (ws === null) return;
    void this.enqueue(
      OutboxFunction.removeMember,
      { workspaceId: ws.id, userId },
      `Remove ${name} from “${ws.name}”`,
    );
  }

  private async accept(invitation: OfbMyInvitation): Promise<void> {
    try {
      await this.client?.acceptInvitation(invitation.id);
      this.notice = `You joined “${invitation.workspaceName}”.`;
      this.dispatchEvent(new CustomEvent('workspaces-changed', { bubbles: true, composed: true }));
      await this.load();
    } catch (error) {
      this.notice =
        error instanceof OfbRequestError
          ? error.message
          : 'The server is unreachable; try again when online.';
    }
  }

  private onOutboxChange(): void {
    const pending = this.outbox?.pendingCount ?? 0;
    // Something was applied (or refused): show OFB's view again.
    if (pending < this.pendingBefore && this.dialog?.open) void this.load();
    this.pendingBefore = pending;
  }

  private onClose(): void {
    this.dispatchEvent(new CustomEvent('close', { bubbles: true, composed: true }));
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'members-dialog': MembersDialog;
  }
  interface HTMLElementEventMap {
    'workspaces-changed': CustomEvent<void>;
  }
}
