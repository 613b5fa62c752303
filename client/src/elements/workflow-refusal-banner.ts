// <workflow-refusal-banner>: the board's notice that the server did not take this person's changes to
// the Workflow, why, and what to do (export, dismiss).
import type { ChangeRefusal, Workflow } from '@symphony/schemas';
import { css, html, LitElement, nothing } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import { changeRefusalNotice } from '../core/change-refusal.js';
import { sharedStyles } from '../styles/shared.js';

/**
 * Says that the server did not take this person's changes to the workflow, why, and what to do
 * (words from {@link changeRefusalNotice}). An alert, except for a storage outage, which may pass
 * (a status). A refusal that leaves the board read-only cannot be dismissed: the board would only
 * be refused again.
 *
 * @fires refusal-export - Export was chosen.
 * @fires refusal-dismiss - Dismiss was chosen.
 */
@customElement('workflow-refusal-banner')
export class WorkflowRefusalBanner extends LitElement {
  static override styles = [
    sharedStyles,
    css`
      :host {
        display: block;
      }
      .refusal {
        box-sizing: border-box;
        display: flex;
        align-items: center;
        gap: 0.75rem;
        flex-wrap: wrap;
        padding: 0.55rem 0.9rem;
        background: var(--sy-warn-bg);
        border-bottom: 1px solid #e5c46b;
        border-left: 4px solid var(--sy-danger);
        font-size: 0.875rem;
      }
      .refusal.transient {
        border-left-color: #e5c46b;
      }
      p {
        margin: 0;
        flex: 1 1 24rem;
        min-width: 0;
        overflow-wrap: anywhere;
      }
      button {
        padding: 0.3em 0.75em;
        font-size: 0.8125rem;
      }
    `,
  ];

  /** The server's refusal to show. */
  @property({ attribute: false }) refusal: ChangeRefusal | undefined;
  /** The workflow as this person has it: the notice names a refused node by its label. */
  @property({ attribute: false }) workflow: Workflow | null = null;

  protected override render() {
    const refusal = this.refusal;
    if (refusal === undefined) return nothing;
    const notice = changeRefusalNotice(refusal, this.workflow);
    return html`<div
      class="refusal ${notice.transient ? 'transient' : ''}"
      role=${notice.transient ? 'status' : 'alert'}
      data-testid="workflow-refused-banner"
      data-code=${refusal.code}
    >
      <p><strong>${notice.headline}</strong> ${notice.advice}</p>
      <button class="primary" @click=${() => this.fire('refusal-export')} data-testid="workflow-refused-export">
        Export
      </button>
      ${
        notice.readOnly
          ? nothing
          : html`<button
              class="ghost"
              @click=${() => this.fire('refusal-dismiss')}
              aria-label="Dismiss: your changes are not saved"
              data-testid="workflow-refused-dismiss"
            >Dismiss</button>`
      }
    </div>`;
  }

  private fire(type: 'refusal-export' | 'refusal-dismiss'): void {
    this.dispatchEvent(new CustomEvent(type, { bubbles: true, composed: true }));
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'workflow-refusal-banner': WorkflowRefusalBanner;
  }
}
