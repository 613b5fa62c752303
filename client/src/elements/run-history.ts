// <run-history>: the past runs of a workflow, newest first, as a list to pick one from: the runs this
// page's orchestrator knows and the team's records of runs made elsewhere.
import type { OfbRunRecord, RunId, RunSummary } from '@symphony/schemas';
import { css, html, LitElement, nothing } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import { repeat } from 'lit/directives/repeat.js';
import { formatCost, formatDuration, formatWhen, RUN_STATUS_LABEL } from '../monitor/run-format.js';
import { HistorySource, type RunHistoryEntry } from '../monitor/team-runs.js';
import { sharedStyles } from '../styles/shared.js';

/** 30: the runs shown before "Show all", so a long history does not crowd the panel. */
const SHOWN_FIRST = 30;

const MARK = { running: '◔', succeeded: '✓', failed: '✕', cancelled: '⊘' } as const;

/**
 * A workflow's runs, newest first: status, when, who started it, how many nodes finished. A run
 * only the team's records know (made on another machine) says so and how many nodes it had; a run
 * of this orchestrator that the team's history holds too says "recorded for the team". Choosing one
 * shows it in the panel (and on the board, for the orchestrator's runs).
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
      li button[data-source='team'] {
        border-style: dashed;
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
      .tag {
        white-space: nowrap;
      }
      .empty,
      .quiet {
        color: var(--sy-muted);
        margin: 0 0 0.4rem;
      }
      .quiet {
        font-size: 0.75rem;
        overflow-wrap: anywhere;
      }
    `,
  ];

  /** The history, newest first. */
  @property({ attribute: false }) entries: readonly RunHistoryEntry[] = [];
  @property({ attribute: false }) selected: RunId | null = null;
  /** Why the team's records could not be loaded, or null. The orchestrator's runs show regardless. */
  @property({ attribute: false }) teamError: string | null = null;
  /** The orchestrator's runs that are unfinished with no process executing them: labelled Interrupted. */
  @property({ attribute: false }) interrupted: ReadonlySet<RunId> = new Set();
  /** The time of this render. */
  @property({ type: Number }) now = 0;

  private showAll = false;

  protected override render() {
    const notice =
      this.teamError === null
        ? nothing
        : html`<p class="quiet" role="status" data-testid="team-runs-error">${this.teamError}</p>`;
    if (this.entries.length === 0) {
      return html`${notice}<p class="empty" data-testid="run-history-empty">No runs of this workflow yet.</p>`;
    }
    const shown = this.showAll ? this.entries : this.entries.slice(0, SHOWN_FIRST);
    return html`${notice}<ul data-testid="run-history">
        ${repeat(
          shown,
          (entry) => entry.runId,
          (entry) =>
            html`<li>${entry.source === HistorySource.team ? this.renderRecord(entry.record) : this.renderRun(entry.run, entry.recorded)}</li>`,
        )}
      </ul>
      ${
        shown.length < this.entries.length
          ? html`<button class="ghost" @click=${() => {
              this.showAll = true;
              this.requestUpdate();
            }}>Show all ${this.entries.length} runs</button>`
          : nothing
      }`;
  }

  private renderRun(run: RunSummary, recorded: boolean) {
    // As the store decides it: a run folded live from its records has no `executedBy`, yet runs.
    const interrupted = this.interrupted.has(run.runId);
    const took = run.finishedAt === undefined ? '' : ` · ${formatDuration(run.finishedAt - run.startedAt)}`;
    const done =
      (run.counts.succeeded ?? 0) +
      (run.counts.cached ?? 0) +
      (run.counts.failed ?? 0) +
      (run.counts.cancelled ?? 0) +
      (run.counts.skipped ?? 0);
    const status = interrupted ? 'Interrupted' : RUN_STATUS_LABEL[run.status];
    const who = [
      ...(run.startedBy === undefined ? [] : [`by ${run.startedBy}`]),
      ...(recorded ? ['recorded for the team'] : []),
    ].join(' · ');
    return html`<button class=${run.status} aria-current=${run.runId === this.selected ? 'true' : 'false'}
        data-testid="run-history-item" data-source=${HistorySource.orchestrator} data-run-id=${run.runId}
        data-status=${run.status} data-recorded=${recorded ? 'true' : 'false'}
        title=${recorded ? 'The team’s run history keeps a record of this run' : nothing}
        @click=${() => this.select(run.runId)}>
        <span class="mark" aria-hidden="true">${MARK[run.status]}</span>
        <span><strong>${status}</strong> · ${formatWhen(run.startedAt, this.now)}${took}</span>
        <span>${done}/${run.nodes}</span>
        ${who === '' ? nothing : html`<span class="who">${who}</span>`}
      </button>`;
  }

  private renderRecord(record: OfbRunRecord) {
    const took = formatDuration(record.finishedAt - record.startedAt);
    const cost = record.costUsd > 0 ? ` · ${formatCost(record.costUsd)}` : '';
    return html`<button class=${record.status} aria-current=${record.runId === this.selected ? 'true' : 'false'}
        data-testid="run-history-item" data-source=${HistorySource.team} data-run-id=${record.runId}
        data-status=${record.status}
        title="From the team’s run history: it ran on another machine, so it is read-only here"
        @click=${() => this.select(record.runId)}>
        <span class="mark" aria-hidden="true">${MARK[record.status]}</span>
        <span><strong>${RUN_STATUS_LABEL[record.status]}</strong> · ${formatWhen(record.startedAt, this.now)} · ${took}</span>
        <span>${record.nodes} node${record.nodes === 1 ? '' : 's'}</span>
        <span class="who">by ${record.startedBy.name} · <span class="tag">ran on another machine</span>${cost}</span>
      </button>`;
  }

  private select(runId: RunId): void {
    this.dispatchEvent(new CustomEvent('run-select', { detail: { runId }, bubbles: true, composed: true }));
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'run-history': RunHistory;
  }
}
