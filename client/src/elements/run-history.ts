// <run-history>: the past runs of a workflow, newest first, as a list to pick one from.
import type { RunId, RunSummary } from '@symphony/schemas';
import { css, html, LitElement, nothing } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import { formatDuration, formatWhen, RUN_STATUS_LABEL } from '../monitor/run-format.js';
import { sharedStyles } from '../styles/shared.js';

/** 30: the runs shown before "Show all", so a long history does not crowd the panel. */
const SHOWN_FIRST = 30;

/**
 * A workflow's runs, newest first: status, when, who started it, how many nodes finished. Choosing
 * one shows it in the panel and on the board.
 *
 * @fires run-select - `CustomEvent<{ runId: RunId }>`.
 */
@customElement('run-history')
export class RunHistory extends LitElement {
  static override styles = [
    sharedStyles,
    css`
      :host {
        display: block;
        font-size: 0.8125rem;
      }
      ul {
        list-style: none;
        margin: 0;
        padding: 0;
        display: grid;
        gap: 0.3rem;
      }
      li button {
        width: 100%;
        display: grid;
        grid-template-columns: auto 1fr auto;
        gap: 0.1rem 0.5rem;
        text-align: left;
        white-space: normal;
        padding: 0.35rem 0.5rem;
      }
      li button[aria-current='true'] {
        border-color: var(--sy-accent);
        box-shadow: inset 3px 0 0 var(--sy-accent);
      }
      .mark {
        grid-row: span 2;
        font-weight: 700;
        width: 1.2rem;
        text-align: center;
      }
      .running .mark {
        color: #3b5bdb;
      }
      .succeeded .mark {
        color: var(--sy-ok);
      }
      .failed .mark {
        color: var(--sy-danger);
      }
      .cancelled .mark {
        color: var(--sy-muted);
      }
      .who {
        color: var(--sy-muted);
        grid-column: 2 / 4;
      }
      .empty {
        color: var(--sy-muted);
        margin: 0;
      }
    `,
  ];

  @property({ attribute: false }) runs: readonly RunSummary[] = [];
  @property({ attribute: false }) selected: RunId | null = null;
  /** The time of this render. */
  @property({ type: Number }) now = 0;

  private showAll = false;

  protected override render() {
    if (this.runs.length === 0) {
      return html`<p class="empty" data-testid="run-history-empty">No runs of this workflow yet.</p>`;
    }
    const shown = this.showAll ? this.runs : this.runs.slice(0, SHOWN_FIRST);
    return html`<ul data-testid="run-history">
        ${shown.map((run) => this.renderRun(run))}
      </ul>
      ${
        shown.length < this.runs.length
          ? html`<button class="ghost" @click=${() => {
              this.showAll = true;
              this.requestUpdate();
            }}>Show all ${this.runs.length} runs</button>`
          : nothing
      }`;
  }

  private renderRun(run: RunSummary) {
    const mark = { running: '◔', succeeded: '✓', failed: '✕', cancelled: '⊘' }[run.status];
    const interrupted = run.status === 'running' && run.executedBy === undefined;
    const took = run.finishedAt === undefined ? '' : ` · ${formatDuration(run.finishedAt - run.startedAt)}`;
    const done =
      (run.counts.succeeded ?? 0) +
      (run.counts.cached ?? 0) +
      (run.counts.failed ?? 0) +
      (run.counts.cancelled ?? 0) +
      (run.counts.skipped ?? 0);
    const status = interrupted ? 'Interrupted' : RUN_STATUS_LABEL[run.status];
    return html`<li>
      <button class=${run.status} aria-current=${run.runId === this.selected ? 'true' : 'false'}
        data-testid="run-history-item" data-run-id=${run.runId} data-status=${run.status}
        @click=${() => this.dispatchEvent(new CustomEvent('run-select', { detail: { runId: run.runId }, bubbles: true, composed: true }))}>
        <span class="mark" aria-hidden="true">${mark}</span>
        <span><strong>${status}</strong> · ${formatWhen(run.startedAt, this.now)}${took}</span>
        <span>${done}/${run.nodes}</span>
        ${run.startedBy === undefined ? nothing : html`<span class="who">by ${run.startedBy}</span>`}
      </button>
    </li>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'run-history': RunHistory;
  }
}
