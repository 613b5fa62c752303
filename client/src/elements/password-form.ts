// <password-form>: changing the signed-in person's password at OFB, which signs every other device out
// and answers a fresh session for this one.
import { OfbChangePassword, OfbErrorCode } from '@symphony/schemas';
import { css, html, LitElement } from 'lit';
import { customElement, property, query, state } from 'lit/decorators.js';
import { sentence } from '../core/sentence.js';
import type { OfbClient, OfbSession } from '../ofb/ofb-client.js';
import { OfbRequestError } from '../ofb/ofb-errors.js';
import { sharedStyles } from '../styles/shared.js';

/**
 * Changes the signed-in person's password: the current one, the new one twice. OFB signs every
 * other device out and answers a fresh session for this one, which goes out as `signed-in` (the
 * entry point keeps it). Errors are OFB's own words; Escape or Cancel closes.
 *
 * @fires signed-in - `CustomEvent<OfbSession>` with the fresh session after a change.
 * @fires close - when the person cancels, or after a change.
 */
@customElement('password-form')
export class PasswordForm extends LitElement {
  static override styles = [
    sharedStyles,
    css`
      :host {
        display: block;
      }
      form {
        display: grid;
        grid-template-columns: minmax(0, 1fr);
        gap: 0.5rem;
      }
      label {
        font-size: 0.85rem;
      }
      input {
        width: 100%;
        box-sizing: border-box;
      }
      .note {
        font-size: 0.8rem;
        margin: 0;
      }
      .error {
        color: var(--danger, #b3261e);
        font-size: 0.85rem;
        margin: 0;
        min-height: 1em;
      }
      .actions {
        display: flex;
        flex-wrap: wrap;
        justify-content: flex-end;
        gap: 0.5rem;
      }
      h2 {
        font-size: 0.95rem;
        margin: 0 0 0.25rem;
      }
    `,
  ];

  @property({ attribute: false }) client: OfbClient | undefined;

  @state() private current = '';
  @state() private next = '';
  @state() private repeat = '';
  @state() private error: string | null = null;
  @state() private busy = false;

  @query('#current-password') private currentInput!: HTMLInputElement;

  protected override firstUpdated(): void {
    this.currentInput.focus();
  }

  protected override render() {
    const field = (id: string, label: string, value: string, set: (v: string) => void, auto: string) =>
      html`<label for=${id}>${label}</label>
        <input id=${id} type="password" autocomplete=${auto} data-testid=${id} .value=${value}
          aria-invalid=${this.error === null ? 'false' : 'true'} aria-describedby="password-error"
          @input=${(e: Event) => {
            set((e.target as HTMLInputElement).value);
            this.error = null;
          }} />`;
    return html`<form @submit=${this.submit} @keydown=${this.onKeydown} aria-label="Change password" novalidate
      data-testid="password-form">
      <h2>Change password</h2>
      ${field('current-password', 'Current password', this.current, (v) => (this.current = v), 'current-password')}
      ${field('new-password', 'New password (at least 8 characters)', this.next, (v) => (this.next = v), 'new-password')}
      ${field('repeat-password', 'New password again', this.repeat, (v) => (this.repeat = v), 'new-password')}
      <p class="note muted">Every other device and browser signed in to this account is signed out.</p>
      <p class="error" id="password-error" role="alert" data-testid="password-error">${this.error ?? ''}</p>
      <div class="actions">
        <button type="button" @click=${this.close}>Cancel</button>
        <button type="submit" class="primary" ?disabled=${this.busy} data-testid="change-password-submit">
          ${this.busy ? 'Please wait…' : 'Save'}
        </button>
      </div>
    </form>`;
  }

  private async submit(e: Event): Promise<void> {
    e.preventDefault();
    if (this.busy || this.client === undefined) return;
    const checked = OfbChangePassword.safeParse({ currentPassword: this.current, newPassword: this.next });
    if (!checked.success) {
      const issue = checked.error.issues[0];
      this.error = sentence(
        `${issue?.path[0] === 'currentPassword' ? 'current ' : 'new '}${issue?.message ?? 'password is not valid'}`,
      );
      return;
    }
    if (this.next !== this.repeat) {
      this.error = 'The two new passwords differ.';
      return;
    }
    this.busy = true;
    try {
      const session = await this.client.changePassword(
        checked.data.currentPassword,
        checked.data.newPassword,
      );
      this.dispatchEvent(
        new CustomEvent<OfbSession>('signed-in', { detail: session, bubbles: true, composed: true }),
      );
      this.close();
    } catch (error) {
      this.error =
        error instanceof OfbRequestError
          ? error.code === OfbErrorCode.invalidCredentials
            ? 'The current password is wrong.'
            : sentence(error.message)
          : 'The server cannot be reached. Check your connection and try again.';
    } finally {
      this.busy = false;
    }
  }

  private onKeydown(e: KeyboardEvent): void {
    if (e.key === 'Escape') {
      e.stopPropagation();
      this.close();
    }
  }

  private close(): void {
    this.dispatchEvent(new CustomEvent('close', { bubbles: true, composed: true }));
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'password-form': PasswordForm;
  }
}
