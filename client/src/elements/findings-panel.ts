// <findings-panel>: a Workflow's validation findings as a list; choosing one selects what it concerns.
import type { Finding, FindingTarget } from '@symphony/schemas';
import { css, html, LitElement } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import { findingsSummary } from '../core/findings-summary.js';
import { sharedStyles } from '../styles/shared.js';

/**
 * The workflow's validation findings as a list; choosing one selects and shows what it concerns.
 *
 * @fires finding-select - `CustomEvent<FindingTarget>` when a finding is chosen.
 */
@customElement('findings-panel')
export class FindingsPanel extends LitElement {
  static override styles = [
    sharedStyles,
    css`
      :host {
        display: block;
        font-size: 0.8125rem;
      }
      h2 {
        font-size: 0.8rem;
        margin: 0 0 0.5rem;
        display: flex;
        gap: 0.5rem;
        align-items: center;
      }
      .count {
        font-weight: 700;
        border-radius: 999px;
        padding: 0 0.5em;
        background: var(--sy-danger);
        color: #fff;
      }
      .count.warning {
        background: var(--sy-warn);
        color: #2b2100;
      }
      .count.none {
        background: var(--sy-ok);
      }
      ul {
        list-style: none;
        margin: 0;
        padding: 0;
      }
      li button {
        width: 100%;
        text-align: left;
        white-space: normal;
        display: block;
        margin-bottom: 0.35rem;
        border-left: 4px solid var(--sy-danger);
      }
      li button.warning {
        border-left-color: var(--sy-warn);
      }
      .hint {
        display: block;
        color: var(--sy-muted);
        font-size: 0.75rem;
        margin-top: 0.15rem;
      }
      .ok {
        color: var(--sy-ok);
        margin: 0;
      }
    `,
  ];

  /** The findings, as validation sorted them. */
  @property({ attribute: false }) findings: readonly Finding[] = [];

  protected override render() {
    const summary = findingsSummary(this.findings);
    return html`<h2 id="findings-heading">
        Problems
        <span class="count ${summary.tone}" title=${summary.words}
          ><span aria-hidden="true" data-testid="findings-count" data-errors=${summary.errors}
            data-warnings=${summary.warnings}>${summary.total}</span
          ><span class="visually-hidden" data-testid="findings-count-words">${summary.words}</span></span>
      </h2>
      ${
        this.findings.length === 0
          ? html`<p class="ok" data-testid="findings-ok">No problems found.</p>`
          : html`<ul aria-labelledby="findings-heading" data-testid="findings-list">
            ${this.findings.map(
              (f) => html`<li>
                <button
                  class=${f.severity}
                  data-testid="finding"
                  data-code=${f.code}
                  data-severity=${f.severity}
                  data-target-kind=${f.target.kind}
                  data-target-id=${f.target.kind === 'workflow' ? '' : f.target.id}
                  @click=${() =>
                    this.dispatchEvent(
                      new CustomEvent<FindingTarget>('finding-select', { detail: f.target }),
                    )}
                >
                  ${f.message}<span class="hint">${f.hint}</span>
                </button>
              </li>`,
            )}
          </ul>`
      }`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'findings-panel': FindingsPanel;
  }
}
