// <outbox-panel>: the header's Outbox button and popover: Workspace changes waiting for OFB and the
// ones OFB refused, each with Retry and Dismiss.
import { css, html, LitElement } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { PopoverController } from '../controllers/popover-controller.js';
import type { Outbox, OutboxEntry } from '../ofb/outbox.js';
import { popoverPanelStyles, sharedStyles } from '../styles/shared.js';

/**
 * The header's "Outbox" button and popover: workspace changes waiting for OFB (what, since when)
 * and the ones OFB refused (why, in its words), each with Retry and Dismiss.
 */
@customElement('outbox-panel')
export class OutboxPanel extends LitElement {
  static override styles = [
    sharedStyles,
    popoverPanelStyles,
    css`
      :host {
        position: relative;
        display: inline-block;
      }
      .count {
        min-width: 1.3em;
        padding: 0 0.35em;
        border-radius: 999px;
        background: var(--sy-hover);
        font-size: 0.75rem;
        text-align: center;
      }
      .count.refused {
        background: var(--sy-danger);
        color: #fff;
      }
      .panel {
        right: 0;
      }
      li {
        gap: 0.25rem;
        padding: 0.5rem 0.6rem;
      }
      li.refused {
        border-color: var(--sy-danger);
      }
      .meta {
        font-size: 0.8125rem;
      }
      .actions {
        display: flex;
        gap: 0.4rem;
        justify-content: flex-end;
      }
    `,
  ];

  /** The outbox shown. */
  @property({ attribute: false }) outbox: Outbox | undefined;
  /** The clock for "since"; injected for tests. */
  @property({ attribute: false }) now: () => number = () => Date.now();

  @state() private open = false;
  /** Esc (anywhere, innermost popover first) and a page change close the panel. */
  private readonly popoverControl = new PopoverController(this, {
    isOpen: () => this.open,
    close: (reason) => this.close(reason === 'dismiss'),
  });
  private unsubscribe: (() => void) | null = null;
  private subscribed: Outbox | undefined;

  protected override willUpdate(): void {
    if (this.subscribed === this.outbox) return;
    this.unsubscribe?.();
    this.subscribed = this.outbox;
    this.unsubscribe = this.outbox?.subscribe(() => this.requestUpdate()) ?? null;
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.unsubscribe?.();
    this.unsubscribe = null;
    this.subscribed = undefined;
  }

  protected override render() {
    const entries = this.outbox?.entries ?? [];
    const refused = entries.filter((e) => e.state === 'refused').length;
    return html`<button class="ghost" aria-haspopup="dialog" aria-expanded=${this.open ? 'true' : 'false'}
        data-testid="outbox-button" @click=${() => (this.open = !this.open)}
        aria-label=${`Outbox: ${entries.length - refused} waiting, ${refused} refused`}>
        Outbox
        <span class="count ${refused > 0 ? 'refused' : ''}" aria-hidden="true">${entries.length}</span>
      </button>
      ${
        this.open
          ? html`<section class="panel" role="dialog" aria-label="Outbox" data-testid="outbox-panel"
              @keydown=${this.onKeydown}>
              <h2>Workspace changes waiting for the server</h2>
              ${
                entries.length === 0
                  ? html`<p class="muted">Nothing waiting: every change has reached the server.</p>`
                  : html`<ul>${entries.map((e) => this.renderEntry(e))}</ul>`
              }
            </section>`
          : null
      }`;
  }

  private renderEntry(e: OutboxEntry) {
    const since = new Date(e.createdAt).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
    return html`<li class=${e.state} data-testid="outbox-entry" data-state=${e.state}>
      <strong>${e.label}</strong>
      ${
        e.state === 'refused'
          ? html`<span class="meta error" role="alert">Refused: ${e.refusal?.message ?? 'no reason given'}</span>`
          : html`<span class="meta muted">Waiting since ${since}${e.attempts > 0 ? ` · ${e.attempts} attempts` : ''}</span>`
      }
      <div class="actions">
        ${
          e.state === 'refused'
            ? html`<button data-testid="outbox-retry" title="Send it again as a new request"
                @click=${() => void this.outbox?.retry(e.key)}>Retry</button>`
            : html`<button data-testid="outbox-retry" title="Try sending now"
                @click=${() => void this.outbox?.retry(e.key)}>Send now</button>`
        }
        <button class="danger" data-testid="outbox-dismiss" @click=${() => void this.outbox?.dismiss(e.key)}>
          Dismiss
        </button>
      </div>
    </li>`;
  }

  private onKeydown(e: KeyboardEvent): void {
    if (e.key !== 'Escape') return;
    e.preventDefault();
    e.stopPropagation();
    this.popoverControl.close('dismiss');
  }

  /** Closes the panel; with `refocus`, focus goes back to the Outbox button. */
  private close(refocus: boolean): void {
    this.open = false;
    if (refocus) void this.updateComplete.then(() => this.renderRoot.querySelector('button')?.focus());
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'outbox-panel': OutboxPanel;
  }
}
