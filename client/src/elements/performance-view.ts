// <performance-view>: per instrument, its calls, p50/p99 latency, throughput, failures, tokens and
// cost as a table and as uPlot charts over a chosen window; and per task, the router's arms with
// their estimates, the arm it would choose now and why.
import type { InstrumentPerformance, InstrumentStatsResponse } from '@symphony/schemas';
import { html, LitElement, type PropertyValues } from 'lit';
import { customElement, property, query, state } from 'lit/decorators.js';
import {
  formatCount,
  formatMs,
  formatPercent,
  formatUsd,
  type InstrumentChart,
  instrumentCharts,
  PERFORMANCE_WINDOWS,
  PerformanceWindow,
  type TaskRouting,
  taskRouting,
} from '../core/instrument-charts.js';
import { monitorErrorText } from '../core/monitor-error-text.js';
import type { MonitorApi } from '../monitor/monitor-api.js';
import { dialogStyles, sharedStyles } from '../styles/shared.js';
import './instrument-chart.js';
import { performanceStyles } from './performance-view.styles.js';

const WINDOWS = Object.values(PerformanceWindow);

type Loaded =
  | { readonly state: 'loading' }
  | { readonly state: 'failed'; readonly message: string }
  | { readonly state: 'shown'; readonly stats: InstrumentStatsResponse; readonly window: PerformanceWindow };

/**
 * The performance of the AI instruments in the runs the person may read, in a modal dialog that
 * opens when the element is connected (render it while it should show). The window (1 h, 24 h,
 * 7 d) is a radio group; choosing an instrument in the table shows its charts. Escape or Close
 * closes it.
 *
 * @fires close - the dialog closed.
 */
@customElement('performance-view')
export class PerformanceView extends LitElement {
  static override styles = [sharedStyles, dialogStyles, performanceStyles];

  @property({ attribute: false }) api: MonitorApi | undefined;

  @state() private window: PerformanceWindow = PerformanceWindow.day;
  @state() private loaded: Loaded = { state: 'loading' };
  @state() private selected: string | null = null;

  @query('dialog') private dialog!: HTMLDialogElement;
  /** Bumped per request, so a slow answer for an earlier window does not replace a newer one. */
  private request = 0;
  private charts: {
    readonly perf: InstrumentPerformance;
    readonly charts: readonly InstrumentChart[];
  } | null = null;

  protected override firstUpdated(): void {
    this.dialog.showModal();
  }

  protected override willUpdate(changed: PropertyValues): void {
    // Loading here, before render, so "loading" joins this update; a new `api` only when there was none.
    if (changed.has('window') || (changed.has('api') && changed.get('api') === undefined)) void this.load();
  }

  protected override render() {
    return html`<dialog aria-labelledby="performance-title" data-testid="performance-view"
        @close=${() => this.dispatchEvent(new Event('close'))}>
      <header class="top">
        <h2 id="performance-title">Instrument performance</h2>
        <div role="radiogroup" aria-label="Time window" @keydown=${this.onWindowKey}>
          ${WINDOWS.map((w) => {
            const checked = w === this.window;
            return html`<button role="radio" aria-checked=${String(checked)} tabindex=${checked ? 0 : -1}
              data-testid="performance-window" data-window=${w} @click=${() => (this.window = w)}>
              ${PERFORMANCE_WINDOWS[w].label}</button>`;
          })}
        </div>
        <button @click=${() => void this.load()} ?disabled=${this.loaded.state === 'loading'}>Refresh</button>
        <button data-testid="performance-close" @click=${() => this.dialog.close()}>Close</button>
      </header>
      <div class="scroll">${this.renderBody()}</div>
    </dialog>`;
  }

  private renderBody() {
    const loaded = this.loaded;
    if (loaded.state === 'loading')
      return html`<p class="state muted" role="status">Loading instrument calls…</p>`;
    if (loaded.state === 'failed')
      return html`<div class="state" role="alert" data-testid="performance-error">
        <p class="error">${loaded.message}</p>
        <button @click=${() => void this.load()}>Try again</button>
      </div>`;
    const { stats, window } = loaded;
    if (stats.instruments.length === 0 && stats.routing.length === 0)
      return html`<p class="state muted" data-testid="performance-empty">
        No instrument calls yet — runs with AI instruments show up here.</p>`;
    const label = PERFORMANCE_WINDOWS[window].label;
    return html`<section aria-labelledby="instruments-title">
        <h3 id="instruments-title">Instruments, last ${label}</h3>
        ${
          stats.instruments.length === 0
            ? html`<p class="muted" data-testid="performance-quiet">No instrument calls in the last ${label}.</p>`
            : this.renderInstruments(stats.instruments, window)
        }
      </section>
      ${this.renderRouting(stats.routing.map(taskRouting))}`;
  }

  private renderInstruments(instruments: readonly InstrumentPerformance[], window: PerformanceWindow) {
    const chosen = instruments.find((i) => i.instrument === this.selected) ?? instruments[0]!;
    const charts = this.chartsOf(chosen, window);
    return html`<div class="table-wrap">
        <table data-testid="instrument-table">
          <caption class="visually-hidden">Calls per instrument; choose one to see its charts</caption>
          <thead><tr>
            <th scope="col">Instrument</th><th scope="col">Calls</th><th scope="col">Failures</th>
            <th scope="col">p50</th><th scope="col">p99</th><th scope="col">Calls/min</th>
            <th scope="col">Tokens in / out</th><th scope="col">Cost</th>
          </tr></thead>
          <tbody>
            ${instruments.map((i) => {
              const selected = i === chosen;
              return html`<tr class=${selected ? 'selected' : ''} data-testid="instrument-row" data-instrument=${i.instrument}>
                <th scope="row"><button aria-pressed=${String(selected)} aria-label=${`Show the charts of ${i.instrument}`}
                  @click=${() => (this.selected = i.instrument)}>${i.instrument}</button></th>
                <td>${i.calls.toLocaleString('en')}</td>
                <td class=${i.failures > 0 ? 'failures' : ''}>${i.failures}${i.calls > 0 ? ` (${formatPercent(i.failures / i.calls)})` : ''}</td>
                <td>${formatMs(i.p50Ms)}</td><td>${formatMs(i.p99Ms)}</td>
                <td>${formatCount(i.callsPerMinute)}</td>
                <td>${formatCount(i.inputTokens)} / ${formatCount(i.outputTokens)}</td>
                <td>${formatUsd(i.costUsd)}</td>
              </tr>`;
            })}
          </tbody>
        </table>
      </div>
      <h3 class="charts-title">${chosen.instrument} over the last ${PERFORMANCE_WINDOWS[window].label}</h3>
      <div class="charts" data-testid="instrument-charts">
        ${charts.map((c) => html`<instrument-chart .chart=${c}></instrument-chart>`)}
      </div>`;
  }

  private renderRouting(tasks: readonly TaskRouting[]) {
    return html`<section aria-labelledby="routing-title">
      <h3 id="routing-title">Router: its choice per task</h3>
      ${
        tasks.length === 0
          ? html`<p class="muted">The router has learned nothing yet; it learns as AI nodes run.</p>`
          : html`<div class="tasks">${tasks.map((t) => this.renderTask(t))}</div>`
      }
    </section>`;
  }

  private renderTask(task: TaskRouting) {
    return html`<div class="task" data-testid="routing-task" data-task=${task.task}>
      <h4>Task <code>${task.task}</code></h4>
      <p class="choice" data-testid="routing-choice">
        ${
          task.chosen === null
            ? html`<span class="muted">No choice yet.</span>`
            : html`Chooses <strong>${task.chosen}</strong>. <span class="muted">${task.reason}</span>`
        }
      </p>
      <div class="table-wrap">
        <table>
          <caption class="visually-hidden">The arms of task ${task.task} and the router's estimate of each</caption>
          <thead><tr>
            <th scope="col">Arm (instrument/model)</th><th scope="col">Expected quality</th><th scope="col">Calls</th>
            <th scope="col">Mean latency</th><th scope="col">Mean cost</th>
          </tr></thead>
          <tbody>
            ${task.arms.map(
              (a) => html`<tr class=${a.chosen ? 'chosen' : ''} data-testid="routing-arm" data-arm=${a.arm}
                  aria-current=${a.chosen ? 'true' : 'false'}>
                <th scope="row">${a.arm}${a.chosen ? html`<span class="badge">chosen</span>` : null}</th>
                <td><span class="quality"><meter min="0" max="1" .value=${a.expectedQuality}
                  aria-label=${`Expected quality of ${a.arm}`}></meter>${a.expectedQuality.toFixed(3)}</span></td>
                <td>${a.pulls}</td>
                <td>${a.pulls === 0 ? '–' : formatMs(a.meanLatencyMs)}</td>
                <td>${a.pulls === 0 ? '–' : formatUsd(a.meanCostUsd)}</td>
              </tr>`,
            )}
          </tbody>
        </table>
      </div>
    </div>`;
  }

  /** The charts of `perf`, the same objects while it is the same answer (so uPlot is not rebuilt on every render). */
  private chartsOf(perf: InstrumentPerformance, window: PerformanceWindow): readonly InstrumentChart[] {
    if (this.charts?.perf !== perf) {
      this.charts = { perf, charts: instrumentCharts(perf, PERFORMANCE_WINDOWS[window].bucketMs) };
    }
    return this.charts.charts;
  }

  private async load(): Promise<void> {
    const api = this.api;
    if (api === undefined) return;
    const request = ++this.request;
    const window = this.window;
    this.loaded = { state: 'loading' };
    try {
      const { sinceMs, bucketMs } = PERFORMANCE_WINDOWS[window];
      const stats = await api.instrumentStats({ sinceMs, bucketMs });
      if (request === this.request) this.loaded = { state: 'shown', stats, window };
    } catch (error) {
      if (request === this.request) this.loaded = { state: 'failed', message: monitorErrorText(error) };
    }
  }

  private onWindowKey(e: KeyboardEvent): void {
    const step =
      e.key === 'ArrowRight' || e.key === 'ArrowDown'
        ? 1
        : e.key === 'ArrowLeft' || e.key === 'ArrowUp'
          ? -1
          : 0;
    if (step === 0) return;
    e.preventDefault();
    const at = WINDOWS.indexOf(this.window);
    this.window = WINDOWS[(at + step + WINDOWS.length) % WINDOWS.length]!;
    void this.updateComplete.then(() =>
      this.renderRoot.querySelector<HTMLElement>(`[role="radio"][data-window="${this.window}"]`)?.focus(),
    );
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'performance-view': PerformanceView;
  }
}
