// <run-node-detail>: one node of a run in the run panel: its state and timings, attempts, the error
// with the inputs it failed on, outputs, logs, streamed tokens, tokens and cost, and what can be done.
import { DocumentId, type RunStatus } from '@symphony/schemas';
import { css, html, LitElement, nothing } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import { routeHash } from '../core/route.js';
import { formatCost, formatDuration, formatTokens, formatWhen } from '../monitor/run-format.js';
import type { RunNodeModel } from '../monitor/run-panel-model.js';
import { sharedStyles } from '../styles/shared.js';
import { RUN_STATE_LABEL } from './harmony-board.parts.js';

/**
 * One node of a run: state, when it started and how long it took, each attempt and how it ended,
 * the error with the artifacts it was given (each opens in the inspector), its outputs, its logs and
 * the tokens it streams while it runs, its tokens and cost; "from cache (run X)" for a cached node;
 * Cancel while it may still run, Re-run from here once the run is over, and Open document for a
 * `write-document` node that wrote.
 *
 * @fires artifact-open - `CustomEvent<{ hash: string }>`: show an artifact in the inspector.
 * @fires run-select - `CustomEvent<{ runId: RunId }>`: show another run (a cached node's source).
 * @fires run-cancel - `CustomEvent<{ nodeId: NodeId }>`.
 * @fires run-rerun - `CustomEvent<{ from: NodeId }>`.
 */
@customElement('run-node-detail')
export class RunNodeDetail extends LitElement {
  static override styles = [
    sharedStyles,
    css`
      :host {
        display: block;
        font-size: 0.8125rem;
      }
      h3 {
        margin: 0 0 0.35rem;
        font-size: 0.875rem;
        display: flex;
        align-items: center;
        gap: 0.4rem;
        flex-wrap: wrap;
      }
      .state {
        font-size: 0.72rem;
        font-weight: 700;
        padding: 0.05rem 0.5rem;
        border-radius: 999px;
        background: #5f6b7a;
        color: #fff;
      }
      .state.running {
        background: #3b5bdb;
      }
      .state.retrying {
        background: #a15c00;
      }
      .state.succeeded {
        background: #1f7a3f;
      }
      .state.cached {
        background: #1b6a96;
      }
      .state.failed {
        background: #b42318;
      }
      dl {
        display: grid;
        grid-template-columns: auto 1fr;
        gap: 0.15rem 0.6rem;
        margin: 0.35rem 0;
      }
      dt {
        color: var(--sy-muted);
      }
      dd {
        margin: 0;
        min-width: 0;
        overflow-wrap: anywhere;
      }
      .error-box {
        border-left: 4px solid var(--sy-danger);
        background: #fff5f4;
        padding: 0.4rem 0.6rem;
        margin: 0.4rem 0;
        border-radius: 4px;
        overflow-wrap: anywhere;
      }
      .error-box strong {
        color: var(--sy-danger);
      }
      ol.attempts {
        margin: 0.2rem 0 0.4rem;
        padding-left: 1.2rem;
      }
      pre {
        margin: 0.25rem 0;
        max-height: 12rem;
        overflow: auto;
        white-space: pre-wrap;
        overflow-wrap: anywhere;
        font: 0.75rem/1.4 ui-monospace, SFMono-Regular, Menlo, monospace;
        background: var(--sy-bg);
        border: 1px solid var(--sy-border);
        border-radius: 4px;
        padding: 0.4rem 0.5rem;
      }
      h4 {
        margin: 0.6rem 0 0.2rem;
        font-size: 0.75rem;
        text-transform: uppercase;
        letter-spacing: 0.04em;
        color: var(--sy-muted);
      }
      button.hash {
        font: 0.75rem ui-monospace, SFMono-Regular, Menlo, monospace;
        padding: 0.1em 0.45em;
      }
      .actions {
        display: flex;
        flex-wrap: wrap;
        gap: 0.4rem;
        margin-top: 0.5rem;
      }
      .actions button,
      .actions a {
        font-size: 0.8125rem;
        padding: 0.3em 0.65em;
      }
      a.button {
        display: inline-flex;
        align-items: center;
        border: 1px solid var(--sy-border);
        border-radius: var(--sy-radius);
        color: inherit;
        text-decoration: none;
        background: var(--sy-surface);
      }
      a.button:hover {
        background: var(--sy-hover);
      }
    `,
  ];

  @property({ attribute: false }) node: RunNodeModel | null = null;
  /** The run's status: a finished run may be re-run from here, a running one cancelled here. */
  @property({ attribute: false }) runStatus: RunStatus = 'running';
  /** Whether the person may start and stop runs (an editor, with the orchestrator reachable). */
  @property({ type: Boolean }) canAct = false;
  /** The time of this render, for how long a running node has run. */
  @property({ type: Number }) now = 0;

  protected override render() {
    const node = this.node;
    if (node === null) return nothing;
    const name = node.title;
    return html`<section aria-label=${`Node ${name} in this run`} data-testid="run-node-detail" data-node-id=${node.nodeId}>
      <h3>
        <span>${name}</span>
        <span class="state ${node.state}" data-testid="run-node-state">${RUN_STATE_LABEL[node.state]}</span>
      </h3>
      <dl>
        <dt>Type</dt><dd>${node.type}</dd>
        ${this.renderTiming(node)}
        ${
          node.fromRun === undefined
            ? nothing
            : html`<dt>Outputs</dt><dd data-testid="run-node-cached">from cache (run
          <button class="hash" @click=${() => this.fire('run-select', { runId: node.fromRun })}>${node.fromRun}</button>)</dd>`
        }
        ${node.reason === undefined ? nothing : html`<dt>Why</dt><dd>${node.reason}</dd>`}
        ${
          node.usage === undefined
            ? nothing
            : html`<dt>Tokens</dt><dd data-testid="run-node-usage">${formatTokens(node.usage.inputTokens, node.usage.outputTokens)}
                (${node.usage.model})</dd>
              ${node.usage.costUsd === undefined ? nothing : html`<dt>Cost</dt><dd>${formatCost(node.usage.costUsd)}</dd>`}`
        }
      </dl>
      ${this.renderError(node)}
      ${this.renderAttempts(node)}
      ${this.renderArtifacts('Outputs', node.outputs, 'run-node-outputs')}
      ${node.error === undefined ? this.renderInputs(node) : nothing}
      ${this.renderLive(node)}
      ${this.renderActions(node)}
    </section>`;
  }

  private renderTiming(node: RunNodeModel) {
    const rows = [];
    if (node.startedAt !== undefined)
      rows.push(html`<dt>Started</dt><dd>${formatWhen(node.startedAt, this.now)}</dd>`);
    const took =
      node.durationMs ??
      (node.startedAt !== undefined && node.finishedAt !== undefined
        ? node.finishedAt - node.startedAt
        : undefined);
    if (took !== undefined && node.state !== 'running') {
      rows.push(html`<dt>Took</dt><dd data-testid="run-node-duration">${formatDuration(took)}</dd>`);
    } else if (node.state === 'running' && node.startedAt !== undefined && this.now > 0) {
      rows.push(html`<dt>Running for</dt><dd>${formatDuration(Math.max(0, this.now - node.startedAt))}</dd>`);
    }
    if (node.attempt > 1) rows.push(html`<dt>Attempt</dt><dd>${node.attempt}</dd>`);
    return rows;
  }

  private renderError(node: RunNodeModel) {
    const error = node.error;
    if (error === undefined) return nothing;
    return html`<div class="error-box" role=${node.state === 'failed' ? 'alert' : 'status'} data-testid="run-node-error">
      <strong>${node.state === 'retrying' ? 'Attempt failed, retrying' : 'Failed'}:</strong> ${error.message}
      <div class="muted">${error.code}${error.retryable ? ' · retryable' : ''}</div>
      ${this.renderInputs(node, 'The input it failed on')}
    </div>`;
  }

  private renderInputs(node: RunNodeModel, title = 'Inputs') {
    const inputs = node.inputs;
    if (inputs === undefined || Object.keys(inputs).length === 0) return nothing;
    return html`<h4>${title}</h4>
      <ul class="artifacts" data-testid="run-node-inputs">
        ${Object.entries(inputs).map(
          ([port, hashes]) =>
            html`<li>${port}: ${hashes.map((hash) => this.hashButton(hash, `Input ${port}`))}</li>`,
        )}
      </ul>`;
  }

  private renderAttempts(node: RunNodeModel) {
    if (node.attempts.length < 2 && node.attempts.every((a) => a.error === undefined)) return nothing;
    return html`<h4>Attempts</h4>
      <ol class="attempts" data-testid="run-node-attempts">
        ${node.attempts.map(
          (a) => html`<li>
            ${a.outcome ?? 'running'}${a.endedAt === undefined ? '' : ` after ${formatDuration(a.endedAt - a.startedAt)}`}
            ${a.error === undefined ? nothing : html`<div class="muted">${a.error.message}</div>`}
          </li>`,
        )}
      </ol>`;
  }

  private renderArtifacts(
    title: string,
    outputs: Readonly<Record<string, string>> | undefined,
    testid: string,
  ) {
    if (outputs === undefined || Object.keys(outputs).length === 0) return nothing;
    return html`<h4>${title}</h4>
      <ul class="artifacts" data-testid=${testid}>
        ${Object.entries(outputs).map(([port, hash]) => html`<li>${port}: ${this.hashButton(hash, `Output ${port}`)}</li>`)}
      </ul>`;
  }

  private renderLive(node: RunNodeModel) {
    const live = node.live;
    if (live === undefined) return nothing;
    return html`${
      live.tokens === ''
        ? nothing
        : html`<h4>${node.state === 'running' ? 'Streaming' : 'Streamed'}</h4>
          <pre role="log" aria-live="off" data-testid="run-node-tokens">${live.tokens}</pre>`
    }
    ${
      live.logs.length === 0
        ? nothing
        : html`<h4>Log</h4><pre role="log" aria-live="off" data-testid="run-node-logs">${live.logs.join('\n')}</pre>`
    }`;
  }

  private renderActions(node: RunNodeModel) {
    const document = DocumentId.safeParse(node.documentId);
    const wrote = document.success && (node.state === 'succeeded' || node.state === 'cached');
    const mayCancel =
      this.canAct &&
      this.runStatus === 'running' &&
      !node.cancelRequested &&
      (node.state === 'queued' || node.state === 'running' || node.state === 'retrying');
    const mayRerun = this.canAct && this.runStatus !== 'running';
    if (!wrote && !mayCancel && !mayRerun) return nothing;
    return html`<div class="actions">
      ${
        wrote
          ? html`<a class="button" href=${routeHash({ name: 'document', id: document.data })} data-testid="run-open-document"
              >Open document</a>`
          : nothing
      }
      ${
        mayRerun
          ? html`<button data-testid="run-rerun-from" title="Run this node and what depends on it again; the others come from the cache"
              @click=${() => this.fire('run-rerun', { from: node.nodeId })}>Re-run from here</button>`
          : nothing
      }
      ${
        mayCancel
          ? html`<button class="danger" data-testid="run-cancel-node" @click=${() => this.fire('run-cancel', { nodeId: node.nodeId })}
              >Cancel node</button>`
          : nothing
      }
    </div>`;
  }

  private hashButton(hash: string, what: string) {
    return html`<button class="hash" title=${`${what}: ${hash}`} aria-label=${`${what}, artifact ${hash.slice(0, 12)}, open in the inspector`}
      data-hash=${hash} @click=${() => this.fire('artifact-open', { hash })}>${hash.slice(0, 12)}</button> `;
  }

  private fire(type: string, detail: unknown): void {
    this.dispatchEvent(new CustomEvent(type, { detail, bubbles: true, composed: true }));
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'run-node-detail': RunNodeDetail;
  }
}
