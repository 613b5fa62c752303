// <run-panel>: the run panel beside the Harmony Board: the run shown (who started it, the pinned
// version, tokens and cost, progress, its nodes with their timings, errors and streams), what can be
// done with it (re-run, re-run from a node, resume, cancel), and the workflow's past runs, the team's
// records of runs made on other machines among them (shown read-only by <run-record>).
import type { BoardRun, NodeId, NodeState, OfbRunRecord, RunId, Workflow } from '@symphony/schemas';
import { css, html, LitElement, nothing, type PropertyValues } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { repeat } from 'lit/directives/repeat.js';
import type { MonitorAction } from '../controllers/monitor-controller.js';
import {
  formatCost,
  formatDuration,
  formatTokens,
  formatWhen,
  RUN_STATUS_LABEL,
} from '../monitor/run-format.js';
import type { RunNodeModel, RunPanelModel } from '../monitor/run-panel-model.js';
import type { RunHistoryEntry } from '../monitor/team-runs.js';
import { sharedStyles } from '../styles/shared.js';
import { RUN_STATE_LABEL } from './harmony-board.parts.js';
import './run-history.js';
import './run-node-detail.js';
import './run-record.js';
import { runPanelStyles } from './run-panel.styles.js';

/** 60: node rows shown before "Show all": a 1,000-node run's panel stays quick to draw. */
const NODES_SHOWN_FIRST = 60;

const MARK: Readonly<Record<NodeState, string>> = {
  queued: '○',
  running: '◔',
  retrying: '↻',
  succeeded: '✓',
  cached: '✓',
  failed: '✕',
  cancelled: '⊘',
  skipped: '–',
};

/**
 * The run shown on the board and the workflow's history. Everything it shows comes in as
 * properties; everything a person does goes out as events (the workflow view calls the
 * orchestrator, and OFB for the team's records).
 *
 * @fires run-select - `CustomEvent<{ runId: RunId | null }>`: show another run (null: none).
 * @fires run-rerun - `CustomEvent<{ from?: NodeId }>`: run the workflow again, whole or from a node.
 * @fires run-resume - continue the interrupted run shown.
 * @fires run-cancel - `CustomEvent<{ nodeId?: NodeId }>`: cancel the run shown, or one node of it.
 * @fires artifact-open - `CustomEvent<{ hash: string | null }>`: show an artifact in the inspector (null: search them).
 * @fires node-select - `CustomEvent<{ nodeId: NodeId }>`: select a node on the board.
 * @fires history-refresh - ask OFB for the team's records of the workflow's runs again.
 */
@customElement('run-panel')
export class RunPanel extends LitElement {
  static override styles = [
    sharedStyles,
    runPanelStyles,
    css`
      .history-tools {
        display: flex;
        flex-shrink: 0;
        gap: 0.25rem;
      }
    `,
  ];

  /** The workflow's runs, newest first: the orchestrator's and the team's records of others. */
  @property({ attribute: false }) history: readonly RunHistoryEntry[] = [];
  /** The run shown, or null. */
  @property({ attribute: false }) model: RunPanelModel | null = null;
  /** A team record shown read-only (a run this orchestrator does not know); it wins over `model`. */
  @property({ attribute: false }) record: OfbRunRecord | null = null;
  /** The board's workflow (names a record's nodes). */
  @property({ attribute: false }) workflow: Workflow | null = null;
  /** Whether the team's records can be asked for (OFB is attached): the history has a refresh. */
  @property({ type: Boolean }) teamAttached = false;
  /** Whether the team's records are being asked for. */
  @property({ type: Boolean }) teamLoading = false;
  /** Why the team's records could not be loaded, or null. */
  @property({ attribute: false }) teamError: string | null = null;
  /** The node selected on the board: its detail is shown. */
  @property({ attribute: false }) focusNode: NodeId | null = null;
  /** Whether the person may start and stop runs (an editor, the orchestrator reachable). */
  @property({ type: Boolean }) canAct = false;
  /** The action on its way. */
  @property({ attribute: false }) busy: MonitorAction | null = null;
  /** A collaborator's run shown read-only, when this board has no run of its own to show. */
  @property({ attribute: false }) remote: BoardRun | null = null;
  /** Why the runs cannot be shown (the orchestrator is down, or refused), or null. */
  @property({ attribute: false }) unavailable: string | null = null;
  /** The history's runs that are unfinished with no process executing them (`WorkflowRuns.resumable`). */
  @property({ attribute: false }) interrupted: ReadonlySet<RunId> = new Set();

  @state() private now = Date.now();
  @state() private allNodes = false;
  private ticker: ReturnType<typeof setInterval> | undefined;

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    clearInterval(this.ticker);
    this.ticker = undefined;
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (changed.has('model') && changed.get('model')?.runId !== this.model?.runId) this.allNodes = false;
    // A running run's clocks move every second; a finished one's do not.
    const running = this.model?.status === 'running';
    if (running && this.ticker === undefined) {
      this.ticker = setInterval(() => {
        this.now = Date.now();
      }, 1000);
    } else if (!running && this.ticker !== undefined) {
      clearInterval(this.ticker);
      this.ticker = undefined;
    }
    if (changed.has('model') || changed.has('record')) this.now = Date.now();
  }

  protected override render() {
    return html`${this.unavailable === null ? nothing : html`<p class="notice warn" data-testid="runs-unavailable">${this.unavailable}</p>`}
      ${this.renderShown()}
      <section aria-labelledby="history-title">
        <div class="history-head">
          <h3 id="history-title">Runs of this workflow</h3>
          <span class="history-tools">
            ${
              this.teamAttached
                ? html`<button class="ghost" data-testid="run-history-refresh" aria-busy=${this.teamLoading ? 'true' : 'false'}
                    title="Load the team’s run history again" aria-label="Refresh the team’s run history"
                    @click=${() => this.fire('history-refresh', {})}>↻</button>`
                : nothing
            }
            <button class="ghost" data-testid="open-artifacts" title="Search what this workflow's runs produced"
              @click=${() => this.fire('artifact-open', { hash: null })}>Search artifacts</button>
          </span>
        </div>
        <run-history .entries=${this.history} .selected=${this.record?.runId ?? this.model?.runId ?? null}
          .teamError=${this.teamError} .interrupted=${this.interrupted} .now=${this.now}></run-history>
      </section>`;
  }

  /** The run shown: a team record, else the orchestrator's run, else a collaborator's. */
  private renderShown() {
    const record = this.record;
    if (record !== null) {
      const rerunOf = record.rerunOf;
      return html`<run-record .record=${record} .workflow=${this.workflow} .now=${this.now}
        ?rerunOfKnown=${rerunOf !== undefined && this.history.some((e) => e.runId === rerunOf)}></run-record>`;
    }
    return this.model === null ? this.renderRemote() : this.renderRun(this.model);
  }

  private renderRemote() {
    const remote = this.remote;
    if (remote === null) {
      return html`<p class="empty" data-testid="run-panel-empty">
        ${this.canAct ? 'Press Run (Ctrl+Enter) to run this workflow; each node shows its state on the board.' : 'No run shown.'}
      </p>`;
    }
    const states = Object.values(remote.states);
    const count = (s: NodeState) => states.filter((x) => x === s).length;
    return html`<section aria-label="A collaborator's run" data-testid="run-panel-remote">
      <h2>Run by ${remote.user.name} <span class="status ${remote.status}">${RUN_STATUS_LABEL[remote.status]}</span></h2>
      <p class="muted">${remote.status === 'running' ? 'Live from' : 'As last seen on'} ${remote.user.name}’s board, read-only:
        their orchestrator runs it.</p>
      ${this.renderBar(remote.fraction, remote.status)}
      <p>${count('succeeded') + count('cached')} done · ${count('running')} running · ${count('failed')} failed</p>
    </section>`;
  }

  private renderRun(model: RunPanelModel) {
    const running = model.status === 'running';
    const active = running && !model.resumable;
    return html`<section aria-labelledby="run-title" data-testid="run-panel" data-run-id=${model.runId} data-status=${model.status}>
      <header class="run-head">
        <h2 id="run-title">Run <code>${model.runId}</code></h2>
        <span class="status ${model.status}" data-testid="run-status">${model.resumable ? 'Interrupted' : RUN_STATUS_LABEL[model.status]}</span>
        <button class="ghost close" aria-label="Stop showing this run" title="Stop showing this run"
          @click=${() => this.fire('run-select', { runId: null })}>✕</button>
      </header>
      ${this.renderBar(model.progress.fraction, model.status)}
      <dl>
        <dt>Started by</dt><dd data-testid="run-started-by">${model.startedBy ?? 'unknown'}</dd>
        <dt>Started</dt><dd>${formatWhen(model.startedAt, this.now)}</dd>
        ${
          model.finishedAt === undefined
            ? nothing
            : html`<dt>Took</dt><dd data-testid="run-duration">${formatDuration(model.finishedAt - model.startedAt)}</dd>`
        }
        <dt>Version</dt><dd><code data-testid="run-version" title=${model.source?.kind === 'automerge' ? model.source.heads.join(', ') : ''}
          >${model.pinned ?? 'unknown'}</code></dd>
        <dt>Nodes</dt><dd>${model.progress.done} of ${model.progress.total} done</dd>
        ${
          model.usage === undefined || model.usage.calls === 0
            ? nothing
            : html`<dt>Tokens</dt><dd data-testid="run-tokens">${formatTokens(model.usage.inputTokens, model.usage.outputTokens)}</dd>
              <dt>Cost</dt><dd data-testid="run-cost">${formatCost(model.usage.costUsd)}</dd>`
        }
        ${
          model.options?.rerunOf === undefined
            ? nothing
            : html`<dt>Re-runs</dt><dd><button class="ghost" @click=${() => this.fire('run-select', { runId: model.options?.rerunOf ?? null })}
                ><code>${model.options.rerunOf}</code></button>${model.options.from === undefined ? '' : ` from ${this.titleOf(model, model.options.from)}`}</dd>`
        }
      </dl>
      ${model.cancelRequested && running ? html`<p class="notice">Cancelling…</p>` : nothing}
      ${this.renderActions(model, active)}
      ${this.renderNodeDetail(model)}
      ${this.renderNodes(model)}
    </section>`;
  }

  private renderBar(fraction: number, status: string) {
    const percent = Math.round(fraction * 100);
    return html`<div class="bar ${status}" role="progressbar" aria-label="Run progress" aria-valuemin="0" aria-valuemax="100"
      aria-valuenow=${percent} data-testid="run-panel-progress"><span style="width:${percent}%"></span></div>`;
  }

  private renderActions(model: RunPanelModel, active: boolean) {
    if (!this.canAct) return nothing;
    const busy = this.busy !== null;
    return html`<div class="actions">
      ${
        model.resumable
          ? html`<button class="primary" data-testid="run-resume" ?disabled=${busy} @click=${() => this.fire('run-resume', {})}>
              ${this.busy === 'resume' ? 'Resuming…' : 'Resume'}</button>`
          : nothing
      }
      ${
        active
          ? html`<button class="danger" data-testid="run-cancel" ?disabled=${busy || model.cancelRequested}
              @click=${() => this.fire('run-cancel', {})}>Cancel run</button>`
          : html`<button data-testid="run-rerun" ?disabled=${busy} title="Run the workflow again at its current version"
              @click=${() => this.fire('run-rerun', {})}>${this.busy === 'rerun' ? 'Starting…' : 'Re-run'}</button>`
      }
    </div>`;
  }

  /** The node to detail: the one selected on the board, else the one running, else the one that failed. */
  private detailNode(model: RunPanelModel): RunNodeModel | undefined {
    const focus = this.focusNode;
    return (
      (focus === null ? undefined : model.nodes.find((n) => n.nodeId === focus)) ??
      model.nodes.find((n) => n.state === 'running' || n.state === 'retrying') ??
      model.nodes.find((n) => n.state === 'failed')
    );
  }

  private renderNodeDetail(model: RunPanelModel) {
    const node = this.detailNode(model);
    if (node === undefined) return nothing;
    return html`<run-node-detail .node=${node} .runStatus=${model.status} ?canAct=${this.canAct} .now=${this.now}></run-node-detail>`;
  }

  private renderNodes(model: RunPanelModel) {
    const detailed = this.detailNode(model)?.nodeId;
    // In the workflow's order, which no record changes: the row a keyboard is on stays where it is
    // (what needs a look first is in the node detail above).
    const rows = model.nodes;
    const shown = this.allNodes ? rows : rows.slice(0, NODES_SHOWN_FIRST);
    return html`<section aria-labelledby="nodes-title">
      <h3 id="nodes-title">Nodes</h3>
      <ol class="nodes" data-testid="run-nodes">
        ${repeat(
          shown,
          (node) => node.nodeId,
          (node) => {
            const took =
              node.durationMs ??
              (node.finishedAt !== undefined && node.startedAt !== undefined
                ? node.finishedAt - node.startedAt
                : undefined);
            return html`<li>
            <button aria-current=${node.nodeId === detailed ? 'true' : 'false'} data-testid="run-node-row"
              data-node-id=${node.nodeId} data-run-state=${node.state}
              aria-label=${`${node.title}: ${RUN_STATE_LABEL[node.state]}`}
              @click=${() => this.fire('node-select', { nodeId: node.nodeId })}>
              <span class="mark ${node.state}" aria-hidden="true">${MARK[node.state]}</span>
              <span class="name">${node.title}</span>
              <span class="when">${node.fromRun !== undefined ? 'cache' : took === undefined ? RUN_STATE_LABEL[node.state] : formatDuration(took)}</span>
            </button>
          </li>`;
          },
        )}
      </ol>
      ${
        shown.length < rows.length
          ? html`<button class="ghost" @click=${() => {
              this.allNodes = true;
            }}>Show all ${rows.length} nodes</button>`
          : nothing
      }
    </section>`;
  }

  private titleOf(model: RunPanelModel, nodeId: NodeId): string {
    return model.nodes.find((n) => n.nodeId === nodeId)?.title ?? nodeId;
  }

  private fire(type: string, detail: unknown): void {
    this.dispatchEvent(new CustomEvent(type, { detail, bubbles: true, composed: true }));
  }
}

/** `run-select`'s detail. */
export interface RunSelectDetail {
  readonly runId: RunId | null;
}
/** `run-rerun`'s detail. */
export interface RunRerunDetail {
  readonly from?: NodeId;
}
/** `run-cancel`'s detail. */
export interface RunCancelDetail {
  readonly nodeId?: NodeId;
}
/** `artifact-open`'s detail: an artifact, or null for the inspector's search. */
export interface ArtifactOpenDetail {
  readonly hash: string | null;
}
/** `node-select`'s detail. */
export interface NodeSelectDetail {
  readonly nodeId: NodeId;
}

declare global {
  interface HTMLElementTagNameMap {
    'run-panel': RunPanel;
  }
}
