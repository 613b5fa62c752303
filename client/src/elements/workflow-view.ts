// <workflow-view>: one Workflow open for editing and running: toolbar (with Run), node library, the
// Harmony Board, the params inspector, the run panel and the findings, bound to the Workflow's
// automerge handle and to the orchestrator's runs of it.
import {
  ChangeRefusalCode,
  type EdgeId,
  type FindingTarget,
  type NodeId,
  type Role,
  type Workflow,
  WorkflowId,
  type WorkflowReport,
} from '@symphony/schemas';
import { html, LitElement, nothing, type PropertyValues } from 'lit';
import { customElement, property, query, state } from 'lit/decorators.js';
import { classMap } from 'lit/directives/class-map.js';
import { MonitorController } from '../controllers/monitor-controller.js';
import { WorkflowHandleController } from '../controllers/workflow-handle-controller.js';
import { autoLayout } from '../core/auto-layout.js';
import type { Viewport } from '../core/board-geometry.js';
import { changeRefusalNotice } from '../core/change-refusal.js';
import { type DocumentChoice, knownDocuments } from '../core/document-choices.js';
import type { UserProfile } from '../core/user-profile.js';
import { exportFileName, exportWorkflow } from '../core/workflow-file.js';
import {
  InvalidWorkflowNameError,
  validateWorkflowName,
  type WorkflowIndex,
} from '../core/workflow-index.js';
import type { Monitor } from '../monitor/monitor.js';
import { MonitorState } from '../monitor/monitor-connection.js';
import { isRunShortcut } from '../monitor/run-button.js';
import { RemoteStatesMemo, type ShownRun, shownRun } from '../monitor/shown-run.js';
import type { TeamRunSource } from '../monitor/team-runs.js';
import { sharedStyles } from '../styles/shared.js';
import type { WorkflowSync } from '../sync/workflow-sync.js';
import { workflowViewStyles } from './workflow-view.styles.js';
import './findings-panel.js';
import './harmony-board.js';
import type { BoardActivity, BoardEdit, BoardSelection, HarmonyBoard } from './harmony-board.js';
import './node-palette.js';
import type { PaletteAdd } from './node-palette.js';
import './param-inspector.js';
import type { ParamChange } from './param-inspector.js';
import './run-panel.js';
import './workflow-refusal-banner.js';
import { renderPeers, renderSidePanel, syncListedName } from './workflow-view.parts.js';
import {
  renderOrchestratorBanner,
  renderRunControls,
  renderRunDialogs,
  renderRunPanel,
  runButtonFor,
} from './workflow-view.runs.js';

/** 5 s: how often editing bumps the workflow's "edited" time in the workspace list. */
const TOUCH_INTERVAL_MS = 5_000;

/**
 * One workflow, open for editing and running: the toolbar (name, undo/redo, zoom, auto layout,
 * export, Run with its shortcut and progress, who else is here), the node library, the Harmony
 * Board (each node's state in the run shown), the params inspector, the run panel and the findings.
 * A viewer has no Run button but sees the runs; when the orchestrator is down the view says so and
 * how to start it.
 *
 * @fires navigate-home - the back button.
 */
@customElement('workflow-view')
export class WorkflowView extends LitElement {
  static override styles = [sharedStyles, workflowViewStyles];

  /** The page's workflow repo. */
  @property({ attribute: false }) sync: WorkflowSync | undefined;
  /** The workflow's automerge URL. */
  @property() url = '';
  /** The workspace's workflow list (kept in step with the name). */
  @property({ attribute: false }) index: WorkflowIndex | null = null;
  /** Who this person is to collaborators. */
  @property({ attribute: false }) profile: UserProfile | undefined;
  /** A viewer's workflow: no palette, no edits on the board or in the inspector. */
  @property({ type: Boolean, attribute: 'read-only', reflect: true }) readOnly = false;
  /** The workspace's documents: document parameters pick from them, validation checks against them. */
  @property({ attribute: false }) documents: readonly DocumentChoice[] | null = null;
  /** This person's role in the workspace (whether the documents may be written), null while unknown. */
  @property({ attribute: false }) workspaceRole: Role | null = null;
  /** Whether the workflow's registration with OFB is still queued in the outbox. */
  @property({ type: Boolean }) registering = false;
  /** The page's orchestrator (runs of this workflow); without one the board only edits. */
  @property({ attribute: false }) monitor: Monitor | undefined;
  /** OFB's records of finished runs (`OfbClient`): the team's history, with or without an orchestrator. */
  @property({ attribute: false }) ofb: TeamRunSource | undefined;

  @state() private selection: BoardSelection = { nodes: [], edges: [] };
  @state() private zoom = 1;
  @state() private nameError: string | null = null;
  @state() private status = '';
  @state() private layingOut = false;
  /** The inspector drawer of a narrow window: as the width decides (`auto`), or as the person chose. */
  @state() private inspector: 'auto' | 'shown' | 'hidden' = 'auto';
  /** The node library drawer of a phone-width window. */
  @state() private paletteOpen = false;
  /** What the side panel shows: the selected node's params, or the run. */
  @state() private panelTab: 'node' | 'run' = 'node';
  /** The person hid the "orchestrator is not running" banner (until it comes back and goes again). */
  @state() private bannerDismissed = false;
  /** The artifact inspector while open: the artifact shown (null: its search alone). */
  @state() private inspecting: { readonly hash: string | null } | null = null;
  @state() private performanceOpen = false;

  @query('harmony-board') private board!: HarmonyBoard | null;

  /**
   * Whether this person may not edit: a viewer, or the server refused their changes because their
   * role no longer lets them (a demotion while the board is open) or the workflow is gone.
   */
  private get locked(): boolean {
    const refusal = this.workflow.refusal;
    return this.readOnly || (refusal !== undefined && changeRefusalNotice(refusal).readOnly);
  }

  private lastTouch = 0;
  private readonly workflow = new WorkflowHandleController(this, {
    onLocalChange: () => {
      const now = Date.now();
      if (now - this.lastTouch < TOUCH_INTERVAL_MS) return;
      this.lastTouch = now;
      this.index?.touch(this.url);
    },
  });

  /** This workflow's runs on the page's orchestrator. */
  private readonly monitorRuns = new MonitorController(this, {
    onRunChange: (run) => this.workflow.broadcastRun(run),
  });
  private readonly mac = /Mac|iPhone|iPad/.test(globalThis.navigator?.platform ?? '');
  private readonly remoteStates = new RemoteStatesMemo();

  /** The open workflow's controller (for tests and dev tools). */
  get controller(): WorkflowHandleController {
    return this.workflow;
  }

  override connectedCallback(): void {
    super.connectedCallback();
    this.addEventListener('keydown', this.onKeydown);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.removeEventListener('keydown', this.onKeydown);
  }

  /** This workflow's runs (for tests and dev tools). */
  get runs(): MonitorController {
    return this.monitorRuns;
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    this.workflow.open(this.sync, this.url === '' ? null : this.url, this.profile);
    this.monitorRuns.attach(this.monitor, workflowIdOf(this.url), this.ofb);
    this.monitorRuns.followRemoteRuns(this.workflow.remoteRuns);
    // Registered with the team server just now: a watch it refused for want of the workflow may pass.
    if (changed.get('registering') === true && !this.registering) this.monitorRuns.rewatch();
    if (this.monitorRuns.status.state === MonitorState.connected) this.bannerDismissed = false;
    if (changed.has('url')) this.selection = { nodes: [], edges: [] };
    if (changed.has('documents') || changed.has('workspaceRole')) {
      // Unknown documents (the index not open yet) are not judged: no finding is better than a false one.
      this.workflow.setContext(
        this.documents === null ? {} : { documents: knownDocuments(this.documents, this.workspaceRole) },
      );
    }
    this.toggleAttribute('locked', this.locked);
    // A viewer's index is not theirs to change.
    if (!this.locked) syncListedName(this.index, this.url, this.workflow.doc);
  }

  protected override render() {
    const doc = this.workflow.doc;
    const report = this.workflow.report;
    if (doc === null || report === null) {
      return html`<div class="status" data-testid="workflow-loading">
        <p>${this.workflow.error ?? 'Opening the workflow…'}</p>
        <button @click=${this.goHome}>Back to the workspace</button>
      </div>`;
    }
    const peers = this.workflow.presence.list();
    const shown = shownRun(this.monitorRuns, this.workflow.remoteRuns, (run) =>
      this.remoteStates.of(run, doc),
    );
    return html`<div class="toolbar" role="toolbar" aria-label="Workflow tools">
        <button class="ghost" @click=${this.goHome} aria-label="Back to the workspace" data-testid="back-home">←</button>
        <label class="visually-hidden" for="workflow-name">Workflow name</label>
        <input
          id="workflow-name"
          class="name"
          type="text"
          data-testid="workflow-name"
          .value=${doc.name}
          ?readonly=${this.locked}
          aria-invalid=${this.nameError === null ? 'false' : 'true'}
          title=${this.nameError ?? 'Workflow name'}
          @change=${this.onRename}
          @keydown=${(e: KeyboardEvent) => {
            if (e.key === 'Enter') (e.target as HTMLInputElement).blur();
          }}
        />
        <span class="sep"></span>
        <button
          @click=${this.undo}
          ?disabled=${this.locked || !this.workflow.history.canUndo}
          aria-label="Undo (Ctrl+Z)"
          title="Undo (Ctrl+Z)"
          data-testid="undo"
        >
          ↶ Undo
        </button>
        <button
          @click=${this.redo}
          ?disabled=${this.locked || !this.workflow.history.canRedo}
          aria-label="Redo (Ctrl+Shift+Z)"
          title="Redo (Ctrl+Shift+Z)"
          data-testid="redo"
        >
          ↷ Redo
        </button>
        <span class="sep"></span>
        <button @click=${() => this.board?.zoomBy(1 / 1.2)} aria-label="Zoom out (-)" title="Zoom out (-)" data-testid="zoom-out">−</button>
        <span class="zoom" aria-live="polite" data-testid="zoom-level">${Math.round(this.zoom * 100)}%</span>
        <button @click=${() => this.board?.zoomBy(1.2)} aria-label="Zoom in (+)" title="Zoom in (+)" data-testid="zoom-in">+</button>
        <button @click=${() => this.board?.fit()} title="Fit the workflow (0)" data-testid="zoom-fit">Fit</button>
        <button @click=${this.layout} ?disabled=${this.layingOut || this.locked} title="Arrange left to right" data-testid="auto-layout">
          ${this.layingOut ? 'Arranging…' : 'Auto layout'}
        </button>
        <button @click=${this.export} title="Download as a workflow file" data-testid="export-workflow">Export</button>
        <span class="sep"></span>
        ${renderRunControls({
          button: this.runButton(),
          shown,
          canCancel: this.canAct() && shown.remote === null && shown.status === 'running' && !shown.resumable,
          busy: this.monitorRuns.busy !== null,
          mac: this.mac,
          onRun: this.runWorkflow,
          onCancel: () => void this.monitorRuns.cancel(),
        })}
        <button class="ghost" data-testid="open-performance" title="Instrument performance: calls, latency, tokens and cost"
          ?disabled=${this.monitorRuns.api === undefined} @click=${() => (this.performanceOpen = true)}>Performance</button>
        ${
          this.locked
            ? nothing
            : html`<button
              class="narrow palette-toggle"
              aria-pressed=${this.paletteOpen ? 'true' : 'false'}
              aria-controls="node-library"
              title="Show the node library"
              data-testid="toggle-palette"
              @click=${() => {
                this.paletteOpen = !this.paletteOpen;
              }}
            >Nodes</button>`
        }
        <button
          class="narrow inspector-toggle"
          aria-pressed=${this.inspectorVisible() ? 'true' : 'false'}
          aria-controls="inspector"
          title="Show the inspector and problems"
          data-testid="toggle-inspector"
          @click=${this.toggleInspector}
        >Panel</button>
        <span class="spacer"></span>
        ${
          this.locked
            ? html`<span class="view-only" data-testid="view-only-badge"
                title="You are a viewer in this workspace: you can follow the workflow, not change it."
                >${this.readOnly || this.workflow.refusal?.code === ChangeRefusalCode.readOnly ? 'View only · you are a viewer here' : 'View only'}</span>`
            : nothing
        }
        ${
          this.registering
            ? html`<span class="status-line" role="status" data-testid="registering-banner"
                >Waiting to register with the server…</span>`
            : nothing
        }
        <span class="status-line" role="status" data-testid="board-status">${this.status}</span>
        ${renderPeers(peers)}
      </div>
      <workflow-refusal-banner
        class="notices"
        .refusal=${this.workflow.refusal}
        .workflow=${doc}
        @refusal-export=${this.export}
        @refusal-dismiss=${() => this.workflow.dismissRefusal()}
      ></workflow-refusal-banner>
      ${renderOrchestratorBanner({
        monitor: this.monitorRuns,
        dismissed: this.bannerDismissed,
        onRetry: () => this.monitorRuns.retry(),
        onDismiss: () => (this.bannerDismissed = true),
      })}
      <div class=${classMap({
        body: true,
        'has-selection': this.selection.nodes.length + this.selection.edges.length > 0,
        'inspector-shown': this.inspector === 'shown',
        'inspector-hidden': this.inspector === 'hidden',
        'palette-open': this.paletteOpen,
      })}>
        ${this.locked ? nothing : html`<node-palette id="node-library" @palette-add=${this.onPaletteAdd}></node-palette>`}
        <harmony-board
          ?read-only=${this.locked}
          .workflow=${doc}
          .report=${report}
          .peers=${peers}
          .runStates=${shown.states}
          @board-edit=${this.onBoardEdit}
          @board-undo=${this.undo}
          @board-redo=${this.redo}
          @selection-change=${this.onSelectionChange}
          @presence-change=${(e: CustomEvent<BoardActivity>) => this.workflow.publish(e.detail)}
          @viewport-change=${(e: CustomEvent<Viewport>) => {
            if (Math.abs(e.detail.k - this.zoom) > 0.005) this.zoom = e.detail.k;
          }}
        ></harmony-board>
        <aside id="inspector" aria-label="Inspector, run and problems">${this.renderPanel(doc, report, shown)}</aside>
      </div>
      <div class="dialogs">${renderRunDialogs({
        monitor: this.monitorRuns,
        workflowId: workflowIdOf(this.url),
        workflow: doc,
        inspecting: this.inspecting,
        performanceOpen: this.performanceOpen,
        onCloseInspector: () => (this.inspecting = null),
        onRunOpen: (runId, nodeId) => {
          this.inspecting = null;
          this.panelTab = 'run';
          this.monitorRuns.select(runId);
          if (nodeId !== undefined) this.board?.select([nodeId], [], { reveal: true });
        },
        onClosePerformance: () => (this.performanceOpen = false),
      })}</div>`;
  }

  private renderPanel(doc: Workflow, report: WorkflowReport, shown: ShownRun) {
    const single = this.selection.nodes.length === 1 ? this.selection.nodes[0] : undefined;
    return renderSidePanel({
      tab: this.panelTab,
      running: shown.status === 'running',
      onTab: (tab, focus) => {
        // Opening the Run tab shows the team's history as it is now.
        if (tab === 'run' && this.panelTab !== 'run') this.monitorRuns.refreshTeamRuns();
        this.panelTab = tab;
        if (focus)
          void this.updateComplete.then(() =>
            this.renderRoot.querySelector<HTMLElement>(`#tab-${tab}`)?.focus(),
          );
      },
      node:
        single === undefined || doc.nodes[single] === undefined
          ? html`<p class="hint" data-testid="inspector-hint">
              ${
                this.selection.nodes.length > 1
                  ? `${this.selection.nodes.length} nodes selected. Select one to edit its parameters.`
                  : 'Select a node to edit its parameters.'
              }
            </p>`
          : html`<param-inspector .nodeId=${single} .node=${doc.nodes[single]} .documents=${this.documents ?? []}
              .readOnly=${this.locked} @param-change=${this.onParamChange}></param-inspector>`,
      findings: html`<findings-panel .findings=${report.findings} @finding-select=${this.onFindingSelect}></findings-panel>`,
      run: () =>
        renderRunPanel({
          monitor: this.monitorRuns,
          attached: this.monitor !== undefined,
          doc,
          shown,
          focusNode: single ?? null,
          canAct: this.canAct(),
          onArtifact: (hash) => (this.inspecting = { hash }),
          onNode: (nodeId) => this.board?.select([nodeId], [], { reveal: true }),
        }),
    });
  }

  /** The Run button as things stand. */
  private runButton() {
    return runButtonFor(
      this.monitorRuns,
      this.locked || this.monitor === undefined,
      this.workflow.doc,
      this.workflow.report,
      this.registering,
    );
  }

  /** Whether this person may start and stop runs here now (the orchestrator said their role, above viewer). */
  private canAct(): boolean {
    return !this.locked && this.monitorRuns.mayAct;
  }

  private readonly runWorkflow = (): void => {
    const button = this.runButton();
    if (!button.shown) return;
    if (button.disabledReason !== null) {
      this.say(button.disabledReason);
      return;
    }
    this.panelTab = 'run';
    this.say('');
    void this.monitorRuns.start();
  };

  /** Whether the inspector shows: always beside a wide board; in a phone-width window, while something is selected. */
  private inspectorVisible(): boolean {
    if (this.inspector !== 'auto') return this.inspector === 'shown';
    const phone = typeof matchMedia === 'function' && matchMedia('(max-width: 600px)').matches;
    return !phone || this.selection.nodes.length + this.selection.edges.length > 0;
  }

  private toggleInspector(): void {
    this.inspector = this.inspectorVisible() ? 'hidden' : 'shown';
  }

  private goHome(): void {
    this.dispatchEvent(new CustomEvent('navigate-home', { bubbles: true, composed: true }));
  }

  private onBoardEdit(e: CustomEvent<BoardEdit>): void {
    if (this.workflow.change(e.detail.label, e.detail.ops)) this.say(e.detail.label);
  }

  private readonly undo = (): void => {
    if (this.locked) return;
    const label = this.workflow.undo();
    this.say(label === null ? 'Nothing to undo' : `Undid: ${label}`);
  };

  private readonly redo = (): void => {
    if (this.locked) return;
    const label = this.workflow.redo();
    this.say(label === null ? 'Nothing to redo' : `Redid: ${label}`);
  };

  private onSelectionChange(e: CustomEvent<BoardSelection>): void {
    this.selection = e.detail;
    this.workflow.publish({ selection: [...e.detail.nodes] });
  }

  private onPaletteAdd(e: CustomEvent<PaletteAdd>): void {
    const board = this.board;
    if (board === null || this.locked) return;
    const { id, ops } = board.addNodeOps(e.detail.type, board.centerPosition());
    if (this.workflow.change(`Add ${e.detail.type}`, ops)) {
      this.say(`Added ${e.detail.type}`);
      void this.updateComplete.then(() => board.select([id]));
    }
  }

  private onParamChange(e: CustomEvent<ParamChange>): void {
    if (this.locked) return;
    const { node, name, value } = e.detail;
    this.workflow.change(`Set ${name}`, [{ op: 'set-param', node, name, value }]);
  }

  private onFindingSelect(e: CustomEvent<FindingTarget>): void {
    const t = e.detail;
    if (t.kind === 'node') this.board?.select([t.id as NodeId], [], { reveal: true });
    else if (t.kind === 'edge') this.board?.select([], [t.id as EdgeId], { reveal: true });
    else this.board?.fit();
  }

  private onRename(e: Event): void {
    const input = e.target as HTMLInputElement;
    if (this.locked) return;
    try {
      const name = validateWorkflowName(input.value);
      this.nameError = null;
      this.workflow.change('Rename', [{ op: 'rename', name }]);
      this.index?.rename(this.url, name);
    } catch (error) {
      if (!(error instanceof InvalidWorkflowNameError)) throw error;
      this.nameError = error.message;
      this.say(error.message);
    }
  }

  private async layout(): Promise<void> {
    const doc = this.workflow.doc;
    const report = this.workflow.report;
    if (doc === null || report === null || this.locked) return;
    this.layingOut = true;
    try {
      const positions = await autoLayout(doc, new Set(report.rejectedEdges.keys()));
      this.workflow.change('Auto layout', [{ op: 'move', positions: [...positions] }]);
      await this.updateComplete;
      this.board?.fit();
      this.say('Arranged left to right');
    } finally {
      this.layingOut = false;
    }
  }

  private export(): void {
    const doc = this.workflow.doc;
    if (doc === null) return;
    const blob = new Blob([exportWorkflow(doc)], { type: 'application/json' });
    const a = document.createElement('a');
    a.href = URL.createObjectURL(blob);
    a.download = exportFileName(doc.name);
    a.click();
    setTimeout(() => URL.revokeObjectURL(a.href), 10_000);
  }

  private say(text: string): void {
    this.status = text;
  }

  private readonly onKeydown = (e: KeyboardEvent): void => {
    if (e.defaultPrevented) return;
    const target = e.composedPath()[0];
    const typing =
      target instanceof HTMLElement &&
      (target.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(target.tagName));
    if (typing || !(e.ctrlKey || e.metaKey)) return;
    // Behind a modal dialog (the artifact inspector) the board's keys do nothing.
    if (e.composedPath().some((t) => t instanceof HTMLDialogElement && t.open)) return;
    if (isRunShortcut(e)) {
      e.preventDefault();
      this.runWorkflow();
      return;
    }
    const key = e.key.toLowerCase();
    if (key === 'z') {
      e.preventDefault();
      if (e.shiftKey) this.redo();
      else this.undo();
    } else if (key === 'y') {
      e.preventDefault();
      this.redo();
    }
  };
}

/** The orchestrator's id of the workflow at automerge `url`: its document id. */
function workflowIdOf(url: string): WorkflowId | null {
  const id = WorkflowId.safeParse(url.replace(/^automerge:/, ''));
  return url !== '' && id.success ? id.data : null;
}

declare global {
  interface HTMLElementTagNameMap {
    'workflow-view': WorkflowView;
  }
}
