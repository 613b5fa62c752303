// The run parts of <workflow-view> as template functions of their data: the toolbar's Run button,
// Cancel, progress and live status; the banner that says the orchestrator is down or refused; the
// run panel and the inspector and performance dialogs, wired to the monitor.
import {
  type NodeId,
  NodeKind,
  type RunId,
  type Workflow,
  type WorkflowId,
  type WorkflowReport,
} from '@symphony/schemas';
import { html, nothing } from 'lit';
import type { MonitorController } from '../controllers/monitor-controller.js';
import { nodeTitle } from '../core/board-keyboard.js';
import { chordText } from '../core/board-shortcuts.js';
import { MonitorState } from '../monitor/monitor-connection.js';
import { RUN_SHORTCUT, type RunButtonState, runButtonState } from '../monitor/run-button.js';
import { runPanelModel } from '../monitor/run-panel-model.js';
import type { ShownRun } from '../monitor/shown-run.js';
import './run-panel.js';
import type {
  ArtifactOpenDetail,
  NodeSelectDetail,
  RunCancelDetail,
  RunRerunDetail,
  RunSelectDetail,
} from './run-panel.js';

/** The Run button for the workflow `doc` (validated as `report`) and the monitor's state. */
export function runButtonFor(
  monitor: MonitorController,
  locked: boolean,
  doc: Workflow | null,
  report: WorkflowReport | null,
  registering = false,
): RunButtonState {
  return runButtonState({
    registering,
    locked,
    role: monitor.runs?.role ?? null,
    refusal: monitor.runs?.refusal ?? null,
    status: monitor.status,
    orchestratorUrl: monitor.baseUrl,
    errors: report?.findings.filter((f) => f.severity === 'error') ?? [],
    starting: monitor.busy !== null,
    hasWork: doc !== null && Object.values(doc.nodes).some((n) => n.kind !== NodeKind.addon),
  });
}

/** The run panel for the run shown and the history (the orchestrator's and the team's), wired to the monitor. */
export function renderRunPanel(options: {
  readonly monitor: MonitorController;
  /** Whether the page has an orchestrator at all. */
  readonly attached: boolean;
  readonly doc: Workflow;
  readonly shown: ShownRun;
  readonly focusNode: NodeId | null;
  readonly canAct: boolean;
  /** Open the inspector on an artifact (null: its search). */
  readonly onArtifact: (hash: string | null) => void;
  readonly onNode: (nodeId: NodeId) => void;
}) {
  const { monitor, shown } = options;
  const runs = monitor.runs;
  const selected = runs?.selected ?? null;
  const record = selected === null ? undefined : runs?.record(selected);
  const progress = runs?.progress(selected) ?? { done: 0, total: 0, fraction: 0 };
  const model =
    runs === null || record === undefined || selected === null || shown.remote !== null
      ? null
      : runPanelModel(record, progress, runs.resumable(selected), options.doc);
  const team = monitor.team;
  const status = monitor.status;
  const unavailable =
    runs?.refusal?.message ??
    (status.state === MonitorState.unreachable
      ? `Not connected to the orchestrator: ${status.wasConnected ? 'its runs are as it last said' : 'runs made on this machine show once it answers'}.`
      : status.state === MonitorState.refused
        ? status.reason
        : null);
  return html`<run-panel
    .history=${monitor.history}
    .model=${model}
    .record=${monitor.selectedRecord}
    .workflow=${options.doc}
    ?teamAttached=${team !== null}
    ?teamLoading=${team?.loading ?? false}
    .teamError=${team?.error ?? null}
    .focusNode=${options.focusNode}
    ?canAct=${options.canAct && (selected === null || runs?.isOwn(selected) === true)}
    .busy=${monitor.busy}
    .interrupted=${monitor.interrupted}
    .remote=${shown.remote}
    .unavailable=${options.attached ? unavailable : null}
    @run-select=${(e: CustomEvent<RunSelectDetail>) => monitor.select(e.detail.runId)}
    @run-rerun=${(e: CustomEvent<RunRerunDetail>) => void monitor.rerun(e.detail.from)}
    @run-resume=${() => void monitor.resume()}
    @run-cancel=${(e: CustomEvent<RunCancelDetail>) => void monitor.cancel(e.detail.nodeId)}
    @artifact-open=${(e: CustomEvent<ArtifactOpenDetail>) => options.onArtifact(e.detail.hash)}
    @node-select=${(e: CustomEvent<NodeSelectDetail>) => options.onNode(e.detail.nodeId)}
    @history-refresh=${() => monitor.refreshTeamRuns()}
  ></run-panel>`;
}

/** A node's title in `wf`, or undefined for an id that is none of its nodes (one function per version). */
const titleLookups = new WeakMap<Workflow, (nodeId: string) => string | undefined>();
function titlesOf(wf: Workflow | null): ((nodeId: string) => string | undefined) | undefined {
  if (wf === null) return undefined;
  let lookup = titleLookups.get(wf);
  if (lookup === undefined) {
    lookup = (nodeId) => (Object.hasOwn(wf.nodes, nodeId) ? nodeTitle(wf, nodeId as NodeId) : undefined);
    titleLookups.set(wf, lookup);
  }
  return lookup;
}

/** The artifact inspector and the performance view, while open. */
export function renderRunDialogs(options: {
  readonly monitor: MonitorController;
  readonly workflowId: WorkflowId | null;
  /** The open workflow (its node titles name the lineage's nodes). */
  readonly workflow: Workflow | null;
  readonly inspecting: { readonly hash: string | null } | null;
  readonly performanceOpen: boolean;
  readonly onCloseInspector: () => void;
  /** A run of an artifact's lineage was chosen in the inspector. */
  readonly onRunOpen: (runId: RunId, nodeId: NodeId | undefined) => void;
  readonly onClosePerformance: () => void;
}) {
  const api = options.monitor.api;
  if (api === undefined) return nothing;
  // Loaded on first use: the inspector's editors and graph layout and the charts are large.
  const inspecting = options.inspecting;
  if (inspecting !== null) void import('./artifact-inspector.js');
  if (options.performanceOpen) void import('./performance-view.js');
  return html`${
    inspecting === null
      ? nothing
      : html`<artifact-inspector .api=${api} .hash=${inspecting.hash} .workflowId=${options.workflowId ?? ''}
          .nodeTitle=${titlesOf(options.workflow)}
          @close=${options.onCloseInspector}
          @run-open=${(e: CustomEvent<{ runId: RunId; nodeId?: NodeId }>) => options.onRunOpen(e.detail.runId, e.detail.nodeId)}
        ></artifact-inspector>`
  }
  ${options.performanceOpen ? html`<performance-view .api=${api} @close=${options.onClosePerformance}></performance-view>` : nothing}`;
}

/** The toolbar's run controls: Run (with its reason when disabled), Cancel, progress, live status. */
export function renderRunControls(options: {
  readonly button: RunButtonState;
  readonly shown: ShownRun;
  readonly canCancel: boolean;
  readonly busy: boolean;
  readonly mac: boolean;
  readonly onRun: () => void;
  readonly onCancel: () => void;
}) {
  const { button, shown } = options;
  const keys = chordText(RUN_SHORTCUT, options.mac);
  const reason = button.shown ? button.disabledReason : null;
  const percent = Math.round(shown.fraction * 100);
  return html`${
    button.shown
      ? html`<button class="primary run" data-testid="run-workflow" aria-disabled=${reason === null ? 'false' : 'true'}
          aria-describedby=${reason === null ? nothing : 'run-disabled-reason'}
          title=${reason ?? `Run the workflow (${keys})`} aria-keyshortcuts=${options.mac ? 'Meta+Enter' : 'Control+Enter'}
          @click=${options.onRun}>▶ Run</button>
        ${reason === null ? nothing : html`<span id="run-disabled-reason" class="visually-hidden" data-testid="run-disabled-reason">${reason}</span>`}`
      : nothing
  }
    ${
      options.canCancel
        ? html`<button class="danger" data-testid="cancel-run" ?disabled=${options.busy} title="Cancel the run"
            @click=${options.onCancel}>■ Cancel</button>`
        : nothing
    }
    ${
      shown.status === null
        ? nothing
        : html`<span class="run-progress ${shown.status}" role="progressbar" aria-label="Run progress" aria-valuemin="0"
            aria-valuemax="100" aria-valuenow=${percent} data-testid="run-progress" data-status=${shown.status}
            ><span style="width:${percent}%"></span></span>`
    }
    <span class="status-line run-line" data-testid="run-status-line" title=${shown.line}>${shown.line}</span>
    <span class="visually-hidden" role="status" data-testid="run-announcement">${announcement(shown)}</span>`;
}

/**
 * What the live region says: once when a run starts and once when it ends (the line itself changes
 * with every node, which would be a flood for a screen reader).
 */
function announcement(shown: ShownRun): string {
  if (shown.status !== 'running') return shown.line;
  if (shown.remote !== null) return `A run by ${shown.remote.user.name} is running`;
  return shown.resumable ? shown.line : 'The run is running';
}

/**
 * The banner that says why runs cannot happen: no orchestrator at the URL (and how to start one),
 * or a sign-in it refused; and the last action's failure. Nothing when all is well.
 */
export function renderOrchestratorBanner(options: {
  readonly monitor: MonitorController;
  readonly dismissed: boolean;
  readonly onRetry: () => void;
  readonly onDismiss: () => void;
}) {
  const { monitor } = options;
  const status = monitor.status;
  const notice = monitor.notice;
  const banners = [];
  if (status.state === MonitorState.unreachable && !options.dismissed) {
    banners.push(html`<div class="run-banner" role="alert" data-testid="orchestrator-down">
      <span>The orchestrator is not running at <code>${monitor.baseUrl}</code>. Start it with
        <code>npm start</code> (or <code>npx symphony serve</code>).
        ${status.wasConnected ? 'It stopped answering; the runs it had started resume once it is back.' : ''}</span>
      <button data-testid="orchestrator-retry" @click=${options.onRetry}>Retry</button>
      <button class="ghost" aria-label="Hide this message" @click=${options.onDismiss}>✕</button>
    </div>`);
  } else if (status.state === MonitorState.refused) {
    banners.push(html`<div class="run-banner" role="alert" data-testid="orchestrator-refused">
      <span>${status.reason}</span>
      <button data-testid="orchestrator-retry" @click=${options.onRetry}>Retry</button>
    </div>`);
  }
  if (notice !== null) {
    banners.push(html`<div class="run-banner ${notice.kind}" role=${notice.kind === 'error' ? 'alert' : 'status'}
        data-testid="run-notice">
      <span>${notice.text}</span>
      <button class="ghost" aria-label="Dismiss" @click=${() => monitor.dismissNotice()}>✕</button>
    </div>`);
  }
  // Always there, so the view's grid keeps its rows whether or not a banner shows.
  return html`<div class="run-banners">${banners}</div>`;
}
