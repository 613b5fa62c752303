// <sign-in-view>: the sign-in and create-account screen, checked against OFB's rules before sending.
import { OfbCredentials } from '@symphony/schemas';
import { css, html, LitElement } from 'lit';
import { customElement, property, query, state } from 'lit/decorators.js';
import { sentence } from '../core/sentence.js';
import type { OfbClient, OfbSession } from '../ofb/ofb-client.js';
import { OfbRequestError } from '../ofb/ofb-errors.js';
import { sharedStyles } from '../styles/shared.js';

/**
 * The sign-in / create-account screen: a name and a password, checked against OFB's rules before
 * sending, and OFB's own message when it refuses. Enter submits.
 *
 * @fires signed-in - `CustomEvent<OfbSession>` once OFB issued a session.
 */
@customElement('sign-in-view')
export class SignInView extends LitElement {
  static override styles = [
    sharedStyles,
    css`
      :host {
        display: grid;
        place-items: center;
        min-height: 100%;
        padding: 2rem 1rem;
      }
      form {
        width: min(24rem, 100%);
        padding: 2rem;
        background: var(--sy-surface);
        border: 1px solid var(--sy-border);
        border-radius: var(--sy-radius);
        box-shadow: var(--sy-shadow);
        display: grid;
        gap: 0.9rem;
      }
      h1 {
        margin: 0;
        font-size: 1.35rem;
      }
      .field {
        display: grid;
        gap: 0.3rem;
      }
      label {
        font-weight: 600;
        font-size: 0.875rem;
      }
      input {
        padding: 0.55em 0.75em;
        border: 1px solid var(--sy-border);
        border-radius: var(--sy-radius);
        font: inherit;
      }
      .hint {
        font-size: 0.8125rem;
        margin: 0;
      }
      .reason {
        margin: 0;
        padding: 0.6rem 0.8rem;
        border-radius: var(--sy-radius);
        background: var(--sy-hover);
      }
      button[type='submit'] {
        justify-content: center;
      }
      .switch {
        font-size: 0.875rem;
        text-align: center;
      }
      .switch button {
        padding: 0;
        border: 0;
        background: none;
        color: var(--sy-accent);
        text-decoration: underline;
      }
    `,
  ];

  /** Calls OFB. */
  @property({ attribute: false }) client: OfbClient | undefined;
  /** Why the person is asked to sign in again (a refused token), shown above the form. */
  @property() reason: string | null = null;
  /** A name to start with (the account whose session ended). */
  @property() initialName = '';

  @state() private mode: 'sign-in' | 'sign-up' = 'sign-in';
  @state() private name = '';
  @state() private password = '';
  @state() private error: string | null = null;
  @state() private busy = false;

  @query('#name') private nameInput!: HTMLInputElement;

  override connectedCallback(): void {
    super.connectedCallback();
    this.name ||= this.initialName;
  }

  protected override firstUpdated(): void {
    this.nameInput.focus();
  }

  protected override render() {
    const signUp = this.mode === 'sign-up';
    return html`<form @submit=${this.submit} aria-labelledby="title" novalidate data-testid="sign-in-form">
      <h1 id="title">${signUp ? 'Create your Symphony account' : 'Sign in to Symphony'}</h1>
      ${this.reason === null ? null : html`<p class="reason" role="status">${this.reason}</p>`}
      <div class="field">
        <label for="name">Name</label>
        <input id="name" name="username" autocomplete="username" data-testid="sign-in-name"
          .value=${this.name} aria-invalid=${this.error === null ? 'false' : 'true'} aria-describedby="form-error"
          @input=${(e: Event) => {
            this.name = (e.target as HTMLInputElement).value;
            this.error = null;
          }} />
        ${signUp ? html`<p class="hint muted">Letters, digits, “.”, “_”, “-” or “@”; case does not make a different name. Collaborators see it.</p>` : null}
      </div>
      <div class="field">
        <label for="password">Password</label>
        <input id="password" type="password" data-testid="sign-in-password"
          autocomplete=${signUp ? 'new-password' : 'current-password'}
          .value=${this.password} aria-invalid=${this.error === null ? 'false' : 'true'} aria-describedby="form-error"
          @input=${(e: Event) => {
            this.password = (e.target as HTMLInputElement).value;
            this.error = null;
          }} />
        ${signUp ? html`<p class="hint muted">At least 8 characters.</p>` : null}
      </div>
      <p class="error" id="form-error" role="alert" data-testid="sign-in-error">${this.error ?? ''}</p>
      <button type="submit" class="primary" ?disabled=${this.busy} data-testid="sign-in-submit">
        ${this.busy ? 'Please wait…' : signUp ? 'Create account' : 'Sign in'}
      </button>
      <p class="switch">
        ${signUp ? 'Already have an account?' : 'New to Symphony?'}
        <button type="button" data-testid="sign-in-switch" @click=${this.switchMode}>
          ${signUp ? 'Sign in' : 'Create an account'}
        </button>
      </p>
    </form>`;
  }

  private switchMode(): void {
    this.mode = this.mode === 'sign-in' ? 'sign-up' : 'sign-in';
    this.error = null;
  }

  private async submit(e: Event): Promise<void> {
    e.preventDefault();
    if (this.busy || this.client === undefined) return;
    const checked = OfbCredentials.safeParse({ name: this.name.trim(), password: this.password });
    if (!checked.success) {
      this.error = sentence(checked.error.issues[0]?.message ?? 'Check your name and password');
      return;
    }
    this.busy = true;
    try {
      const { name, password } = checked.data;
      const session =
        this.mode === 'sign-up'
          ? await this.client.signUp(name, password)
          : await this.client.signIn(name, password);
      this.dispatchEvent(
        new CustomEvent<OfbSession>('signed-in', { detail: session, bubbles: true, composed: true }),
      );
    } catch (error) {
      this.error =
        error instanceof OfbRequestError
          ? sentence(error.message)
          : 'The server cannot be reached. Check your connection and try again.';
    } finally {
      this.busy = false;
    }
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'sign-in-view': SignInView;
  }
  interface HTMLElementEventMap {
    'signed-in': CustomEvent<OfbSession>;
  }
}
