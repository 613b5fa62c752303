// <user-menu>: the person's name and cursor colour as collaborators see them, a form to change them,
// and Sign out when signed in to OFB.
import { css, html, LitElement, nothing } from 'lit';
import { customElement, property, query, state } from 'lit/decorators.js';
import { styleMap } from 'lit/directives/style-map.js';
import { PopoverController } from '../controllers/popover-controller.js';
import { describeUnsent, NOTHING_UNSAVED, type UnsavedWork } from '../core/pending-changes.js';
import { isHexColor, USER_COLORS, type UserProfile, validateUserName } from '../core/user-profile.js';
import type { OfbClient } from '../ofb/ofb-client.js';
import { sharedStyles } from '../styles/shared.js';
import './password-form.js';

/** Detail of the `sign-out` event. */
export interface SignOutDetail {
  /** Also remove this account's offline copies (documents, workflows, outbox) from this browser. */
  readonly removeOfflineCopies: boolean;
  /** Also sign out every other browser and device signed in to this account. */
  readonly everywhere: boolean;
}

/** Detail of the `profile-change` event. */
export type ProfileChangeEvent = CustomEvent<UserProfile>;

/**
 * The person's name and cursor colour as collaborators see them, with a small form to change
 * both.
 *
 * When `account` is set (signed in), the name is the account's OFB name, shown rather than edited
 * (the sync-server stamps it on presence anyway), and the panel offers Sign out.
 *
 * @fires profile-change - `CustomEvent<UserProfile>` when the person saves a valid name and colour.
 * @fires sign-out - when the person asks to sign out.
 */
@customElement('user-menu')
export class UserMenu extends LitElement {
  static override styles = [
    sharedStyles,
    css`
      :host {
        position: relative;
        display: inline-block;
      }
      .swatch {
        width: 0.9rem;
        height: 0.9rem;
        border-radius: 50%;
        display: inline-block;
      }
      .panel {
        position: absolute;
        right: 0;
        top: calc(100% + 0.4rem);
        z-index: 10;
        width: 17rem;
        padding: 1rem;
        background: var(--sy-surface);
        border: 1px solid var(--sy-border);
        border-radius: var(--sy-radius);
        box-shadow: var(--sy-shadow);
      }
      label {
        display: block;
        font-size: 0.8125rem;
        font-weight: 600;
        margin-bottom: 0.3rem;
      }
      input[type='text'] {
        width: 100%;
      }
      fieldset {
        border: 0;
        padding: 0;
        margin: 0.9rem 0;
      }
      legend {
        font-size: 0.8125rem;
        font-weight: 600;
        margin-bottom: 0.4rem;
        padding: 0;
      }
      .colors {
        display: flex;
        flex-wrap: wrap;
        gap: 0.4rem;
      }
      .colors input {
        appearance: none;
        margin: 0;
        width: 1.5rem;
        height: 1.5rem;
        border-radius: 50%;
        cursor: pointer;
        border: 2px solid transparent;
      }
      .colors input:checked {
        box-shadow:
          0 0 0 2px var(--sy-surface),
          0 0 0 4px currentColor;
      }
      .signed-in {
        margin: 0 0 0.5rem;
      }
      label.check {
        display: flex;
        gap: 0.5rem;
        align-items: flex-start;
        font-weight: 400;
        font-size: 0.875rem;
        margin: 0.75rem 0;
      }
      label.check input {
        margin-top: 0.2rem;
      }
      .error {
        font-size: 0.8125rem;
      }
      .actions .signout {
        margin-right: auto;
      }
      .actions {
        display: flex;
        justify-content: flex-end;
        gap: 0.5rem;
      }
    `,
  ];

  /** The current profile. */
  @property({ attribute: false }) profile: UserProfile = { name: '', color: USER_COLORS[0] };
  /** The signed-in account's name, or `null`. */
  @property({ attribute: false }) account: string | null = null;
  /** Calls OFB (Change password); without it the panel offers no password change. */
  @property({ attribute: false }) client: OfbClient | undefined;
  /** Documents (and the document list) with edits that have not reached the server yet. */
  @property({ attribute: false }) unsentWork: UnsavedWork = NOTHING_UNSAVED;
  /** Workspace changes (create, invite, rename…) queued for the server. */
  @property({ type: Number, attribute: 'unsent-workspace-changes' }) unsentWorkspaceChanges = 0;

  /** Whether the sign-out confirmation is showing, and its checkbox. */
  @state() private confirmingSignOut = false;
  @state() private removeOfflineCopies = true;
  @state() private everywhere = false;
  /** Whether the password form is showing. */
  @state() private changingPassword = false;

  @state() private open = false;
  /** Esc (anywhere, innermost popover first) and a page change close the panel. */
  private readonly popoverControl = new PopoverController(this, {
    isOpen: () => this.open,
    close: (reason) => (reason === 'dismiss' ? this.close() : this.hidePanel()),
  });
  @state() private draftName = '';
  @state() private draftColor = '';
  @state() private error: string | null = null;

  @query('#user-name') private nameInput!: HTMLInputElement;

  protected override render() {
    return html`
      <button
        class="ghost"
        aria-haspopup="dialog"
        aria-expanded=${this.open ? 'true' : 'false'}
        aria-label=${this.account === null ? `You appear as ${this.profile.name}. Edit name and colour` : `Signed in as ${this.account}. Colour and sign out`}
        data-testid="user-menu-button"
        @click=${this.toggle}
      >
        <span
          class="swatch"
          style=${styleMap({ background: isHexColor(this.profile.color) ? this.profile.color : null })}
          aria-hidden="true"
        ></span>
        <span>${this.profile.name}</span>
      </button>
      ${this.open ? this.renderPanel() : null}
    `;
  }

  private renderPanel() {
    if (this.confirmingSignOut) return this.renderSignOut();
    if (this.changingPassword)
      return html`<div class="panel" role="dialog" aria-label="Change password">
        <password-form .client=${this.client} @close=${this.close}></password-form>
      </div>`;
    return html`<form
      class="panel"
      role="dialog"
      aria-label="Your name and colour"
      @submit=${this.save}
      @keydown=${this.onPanelKeydown}
    >
      ${
        this.account === null
          ? this.renderNameField()
          : html`<p class="signed-in">Signed in as <strong data-testid="account-name">${this.account}</strong></p>`
      }
      <fieldset>
        <legend>Cursor colour</legend>
        <div class="colors">
          ${USER_COLORS.map(
            (color) =>
              html`<input
                type="radio"
                name="color"
                .value=${color}
                .checked=${color === this.draftColor}
                style=${styleMap({ background: color, color })}
                aria-label=${`Colour ${color}`}
                @change=${() => {
                  this.draftColor = color;
                }}
              />`,
          )}
        </div>
      </fieldset>
      <div class="actions">
        ${
          this.account === null
            ? null
            : html`<button type="button" class="danger signout" data-testid="sign-out" @click=${this.signOut}>
                  Sign out
                </button>
                ${
                  this.client === undefined
                    ? nothing
                    : html`<button type="button" data-testid="change-password" @click=${() => {
                        this.changingPassword = true;
                      }}>Password…</button>`
                }`
        }
        <button type="button" @click=${this.close}>Cancel</button>
        <button type="submit" class="primary">Save</button>
      </div>
    </form>`;
  }

  private renderNameField() {
    return html`<label for="user-name">Name shown to collaborators</label>
      <input
        id="user-name"
        type="text"
        autocomplete="name"
        maxlength="60"
        .value=${this.draftName}
        aria-invalid=${this.error === null ? 'false' : 'true'}
        aria-describedby="user-name-error"
        @input=${(e: Event) => {
          this.draftName = (e.target as HTMLInputElement).value;
          this.error = null;
        }}
      />
      <p class="error" id="user-name-error" role="alert">${this.error ?? ''}</p>`;
  }

  private renderSignOut() {
    const unsent = describeUnsent(this.unsentWork, this.unsentWorkspaceChanges);
    return html`<form class="panel" role="dialog" aria-label="Sign out" data-testid="sign-out-dialog"
      @submit=${this.confirmSignOut} @keydown=${this.onPanelKeydown}>
      <p class="signed-in">Sign out of <strong>${this.account}</strong>?</p>
      <label class="check">
        <input type="checkbox" data-testid="remove-offline-copies" .checked=${this.removeOfflineCopies}
          @change=${(e: Event) => (this.removeOfflineCopies = (e.target as HTMLInputElement).checked)} />
        Also remove this account's offline copies from this browser
      </label>
      <label class="check">
        <input type="checkbox" data-testid="sign-out-everywhere" .checked=${this.everywhere}
          @change=${(e: Event) => (this.everywhere = (e.target as HTMLInputElement).checked)} />
        Sign out on every device and browser
      </label>
      ${
        unsent !== null
          ? html`<p class="error" role="alert" data-testid="sign-out-unsent">
              ${unsent}
              ${this.removeOfflineCopies ? 'Removing the offline copies loses them.' : 'They are sent when you sign in again.'}
            </p>`
          : nothing
      }
      <div class="actions">
        <button type="button" @click=${this.close}>Cancel</button>
        <button type="submit" class="danger" data-testid="confirm-sign-out">Sign out</button>
      </div>
    </form>`;
  }

  private signOut(): void {
    // Removing offline copies is the default only when it loses nothing.
    this.removeOfflineCopies = describeUnsent(this.unsentWork, this.unsentWorkspaceChanges) === null;
    this.everywhere = false;
    this.confirmingSignOut = true;
  }

  private confirmSignOut(e: Event): void {
    e.preventDefault();
    this.open = false;
    this.confirmingSignOut = false;
    this.dispatchEvent(
      new CustomEvent<SignOutDetail>('sign-out', {
        detail: { removeOfflineCopies: this.removeOfflineCopies, everywhere: this.everywhere },
        bubbles: true,
        composed: true,
      }),
    );
  }

  private toggle(): void {
    if (this.open) {
      this.close();
      return;
    }
    this.draftName = this.profile.name;
    this.draftColor = this.profile.color;
    this.error = null;
    this.open = true;
    void this.updateComplete.then(() =>
      this.account === null
        ? this.nameInput?.select()
        : this.renderRoot.querySelector<HTMLInputElement>('input')?.focus(),
    );
  }

  /** Closes the panel and gives focus back to the button. */
  private close(): void {
    this.hidePanel();
    void this.updateComplete.then(() => this.renderRoot.querySelector('button')?.focus());
  }

  private hidePanel(): void {
    this.open = false;
    this.confirmingSignOut = false;
    this.changingPassword = false;
  }

  private onPanelKeydown(e: KeyboardEvent): void {
    if (e.key === 'Escape') {
      e.preventDefault();
      e.stopPropagation();
      this.popoverControl.close('dismiss');
    }
  }

  private save(e: Event): void {
    e.preventDefault();
    const problem = this.account === null ? validateUserName(this.draftName) : null;
    if (problem !== null) {
      this.error = problem;
      this.nameInput.focus();
      return;
    }
    const profile: UserProfile = {
      name: this.account ?? this.draftName.trim(),
      color: this.draftColor,
    };
    this.dispatchEvent(new CustomEvent('profile-change', { detail: profile, bubbles: true, composed: true }));
    this.close();
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'user-menu': UserMenu;
  }
  interface HTMLElementEventMap {
    'profile-change': ProfileChangeEvent;
    'sign-out': CustomEvent<SignOutDetail>;
  }
}
