// <members-dialog>: a Workspace's members and pending invitations; its owner invites, changes roles and
// removes members through the outbox, and is told at once what OFB said (or that it is queued).
import { type Role, RoleSchema, UserName } from '@symphony/schemas';
import { css, html, LitElement, type PropertyValues } from 'lit';
import { customElement, property, query, state } from 'lit/decorators.js';
import { inviteRefusalText } from '../core/invite-refusal.js';
import { sentence } from '../core/sentence.js';
import type { OfbClient, OfbMembers } from '../ofb/ofb-client.js';
import { OfbRequestError } from '../ofb/ofb-errors.js';
import { type Outbox, OutboxFunction, type OutboxOutcome, type OutboxRefusal } from '../ofb/outbox.js';
import type { WorkspaceEntry } from '../ofb/workspace-directory.js';
import { dialogStyles, sharedStyles } from '../styles/shared.js';

const ROLES: readonly Role[] = RoleSchema.options;

/**
 * The members of a workspace and its pending invitations. Its owner invites by name with a role,
 * changes roles and removes members (all through the outbox, so it works offline too); online, OFB's
 * answer shows here at once ("No user named …"), offline the change is queued and the notice says so
 * until it is sent. Everyone else sees the list read-only. (The person's own invitations to other
 * workspaces are in the workspace switcher, `<invitations-menu>`.)
 *
 * @fires close - when the dialog closes.
 */
@customElement('members-dialog')
export class MembersDialog extends LitElement {
  static override styles = [
    sharedStyles,
    dialogStyles,
    css`
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
      .notice {
        margin: 0 0 0.5rem;
      }
    `,
  ];

  @property({ attribute: false }) client: OfbClient | undefined;
  @property({ attribute: false }) outbox: Outbox | undefined;
  @property({ attribute: false }) workspace: WorkspaceEntry | null = null;
  /** The signed-in user's id. */
  @property({ attribute: false }) userId = '';

  @state() private members: OfbMembers | null = null;
  /** The workspace `members` lists. */
  private membersOf: string | null = null;
  @state() private loadError: string | null = null;
  @state() private inviteName = '';
  @state() private inviteRole: Role = 'editor';
  @state() private inviteError: string | null = null;
  @state() private sending = false;
  /** What the last change did; `queuedKey` is the outbox entry a "queued" notice is about. */
  @state() private notice: { text: string; error: boolean; queuedKey: string | null } | null = null;

  @query('dialog') private dialog!: HTMLDialogElement;
  private unsubscribe: (() => void) | null = null;
  private pendingBefore = 0;

  /** Opens the dialog and loads the lists. */
  async show(): Promise<void> {
    await this.updateComplete;
    if (!this.dialog.open) this.dialog.showModal();
    this.unsubscribe ??= this.outbox?.subscribe(() => this.onOutboxChange()) ?? null;
    this.pendingBefore = this.outbox?.pendingCount ?? 0;
    // A notice from an earlier visit is stale, unless the change it says is queued still is.
    if (this.notice?.queuedKey == null) this.notice = null;
    this.inviteError = null;
    this.onOutboxChange();
    await this.load();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.unsubscribe?.();
    this.unsubscribe = null;
  }

  protected override updated(changed: PropertyValues<this>): void {
    if (!changed.has('workspace') || !this.dialog?.open) return;
    // The app hands a fresh entry on every render: list again only for another workspace, or
    // once a workspace created here has reached the server.
    const before = changed.get('workspace') as WorkspaceEntry | null | undefined;
    if (before?.id !== this.workspace?.id || before?.pending !== this.workspace?.pending) void this.load();
  }

  protected override render() {
    const ws = this.workspace;
    const owner = ws?.role === 'owner';
    return html`<dialog aria-labelledby="members-title" data-testid="members-dialog" @close=${this.onClose}>
      <h2 id="members-title">Members of ${ws?.name ?? 'this workspace'}</h2>
      ${this.loadError === null ? null : html`<p class="muted" role="status">${this.loadError}</p>`}
      ${
        this.notice === null
          ? null
          : html`<p class="notice ${this.notice.error ? 'error' : 'muted'}" role=${this.notice.error ? 'alert' : 'status'}
              data-testid="members-notice" data-queued=${this.notice.queuedKey === null ? 'false' : 'true'}
              >${this.notice.text}</p>`
      }
      ${this.renderMembers(owner)}
      ${owner ? this.renderInvite() : html`<p class="muted">Only the workspace’s owner can invite people or change roles.</p>`}
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
                      @change=${(e: Event) => void this.changeRole(member.userId, member.name, (e.target as HTMLSelectElement).value as Role)}>
                      ${ROLES.map((r) => html`<option value=${r} ?selected=${r === member.role}>${r}</option>`)}
                    </select>
                    <button class="danger" data-testid="member-remove" aria-label=${`Remove ${member.name}`}
                      @click=${() => void this.removeMember(member.userId, member.name)}>Remove</button>`
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
        <button type="submit" class="primary" data-testid="invite-submit" ?disabled=${this.sending}>
          ${this.sending ? 'Inviting…' : 'Invite'}
        </button>
      </form>
      <p class="error" id="invite-error" role="alert">${this.inviteError ?? ''}</p>`;
  }

  private async load(): Promise<void> {
    const ws = this.workspace;
    if (this.client === undefined || ws === null) return;
    this.loadError = null;
    try {
      const members = ws.pending ? null : await this.client.listMembers(ws.id);
      if (this.workspace?.id !== ws.id) return;
      this.members = members;
      this.membersOf = ws.id;
      if (ws.pending)
        this.loadError = 'This workspace is not on the server yet; its members appear once it is.';
    } catch (error) {
      if (this.workspace?.id !== ws.id) return;
      const refused = error instanceof OfbRequestError && !error.isTransient;
      if (!refused && this.members !== null && this.membersOf === ws.id) {
        // Offline: the list as it was is still worth showing.
        this.loadError =
          'The server cannot be reached: this is the list as it was. Changes you make now are queued.';
        return;
      }
      this.members = null;
      this.loadError = refused
        ? sentence(error.message)
        : 'Members cannot be listed while the server is unreachable. Invitations you send now are queued.';
    }
  }

  /**
   * Sends one change through the outbox and says what became of it: done (`done`), refused (in the
   * words `refused` gives; the refused entry is dismissed, as the person has just been told), or
   * queued while offline (the notice stays until the change is sent). Answers the outcome.
   */
  private async send(
    name: OutboxFunction,
    body: Record<string, unknown>,
    label: string,
    words: { done: string; refused: (refusal: OutboxRefusal) => string },
  ): Promise<OutboxOutcome | null> {
    if (this.outbox === undefined) return null;
    let outcome: OutboxOutcome;
    try {
      outcome = await this.outbox.submit(name, body, label);
    } catch (error) {
      this.notice = {
        text: error instanceof Error ? error.message : String(error),
        error: true,
        queuedKey: null,
      };
      return null;
    }
    if (outcome.state === 'applied') {
      this.notice = { text: words.done, error: false, queuedKey: null };
      void this.load();
    } else if (outcome.state === 'refused') {
      this.notice = { text: words.refused(outcome.refusal), error: true, queuedKey: null };
      await this.outbox.dismiss(outcome.entry.key);
      void this.load();
    } else {
      this.notice = {
        text:
          outcome.replay === 'auth'
            ? `Queued: ${label}. It is sent once you have signed in again (see Outbox).`
            : `Queued: ${label}. The server cannot be reached now; it is sent as soon as it can be (see Outbox).`,
        error: false,
        queuedKey: outcome.entry.key,
      };
    }
    return outcome;
  }

  private async invite(e: Event): Promise<void> {
    e.preventDefault();
    const ws = this.workspace;
    if (ws === null || this.sending) return;
    const name = UserName.safeParse(this.inviteName.trim());
    if (!name.success) {
      this.inviteError = 'Enter their Symphony name (letters, digits, “.”, “_”, “-” or “@”).';
      return;
    }
    this.sending = true;
    const outcome = await this.send(
      OutboxFunction.inviteMember,
      { workspaceId: ws.id, userName: name.data, role: this.inviteRole },
      `Invite ${name.data} to “${ws.name}” as ${this.inviteRole}`,
      {
        done: `Invited ${name.data} as ${this.inviteRole}. They see the invitation beside their workspace switcher.`,
        refused: (refusal) => inviteRefusalText(refusal, name.data),
      },
    ).finally(() => (this.sending = false));
    if (outcome?.state === 'refused') {
      // Said where the name was typed, which stays for correcting.
      this.notice = null;
      this.inviteError = inviteRefusalText(outcome.refusal, name.data);
      await this.updateComplete;
      this.renderRoot.querySelector<HTMLInputElement>('#invite-name')?.focus();
    } else if (outcome !== null) {
      this.inviteName = '';
    }
  }

  private async changeRole(userId: string, name: string, role: Role): Promise<void> {
    const ws = this.workspace;
    if (ws === null) return;
    await this.send(
      OutboxFunction.changeRole,
      { workspaceId: ws.id, userId, role },
      `Make ${name} ${role} of “${ws.name}”`,
      { done: `${name} is now ${role}.`, refused: (r) => sentence(r.message) },
    );
  }

  private async removeMember(userId: string, name: string): Promise<void> {
    const ws = this.workspace;
    if (ws === null) return;
    await this.send(
      OutboxFunction.removeMember,
      { workspaceId: ws.id, userId },
      `Remove ${name} from “${ws.name}”`,
      { done: `Removed ${name} from “${ws.name}”.`, refused: (r) => sentence(r.message) },
    );
  }

  private onOutboxChange(): void {
    const pending = this.outbox?.pendingCount ?? 0;
    // Something was applied (or refused): show OFB's view again.
    if (pending < this.pendingBefore && this.dialog?.open) void this.load();
    this.pendingBefore = pending;
    this.followQueuedNotice();
  }

  /** A "Queued: …" notice goes once its change was sent, and says so if OFB refused it then. */
  private followQueuedNotice(): void {
    const key = this.notice?.queuedKey;
    if (key == null || this.outbox === undefined) return;
    const entry = this.outbox.entries.find((e) => e.key === key);
    if (entry === undefined) this.notice = null;
    else if (entry.state === 'refused')
      this.notice = {
        text: `Refused: ${entry.label}. ${sentence(entry.refusal?.message ?? 'no reason given')} (see Outbox).`,
        error: true,
        queuedKey: null,
      };
  }

  private onClose(): void {
    this.dispatchEvent(new CustomEvent('close', { bubbles: true, composed: true }));
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'members-dialog': MembersDialog;
  }
}
