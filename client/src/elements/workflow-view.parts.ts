// Parts of <workflow-view> as functions of their data: the side panel's tabs (the selected node with
// the findings, and the run), who else is here, and keeping the workspace list's name in step.
import type { Workflow } from '@symphony/schemas';
import { html, nothing, type TemplateResult } from 'lit';
import { styleMap } from 'lit/directives/style-map.js';
import type { BoardPeer } from '../core/board-presence.js';
import { InvalidWorkflowNameError, type WorkflowIndex } from '../core/workflow-index.js';

/** The side panel's tabs. */
export type SidePanelTab = 'node' | 'run';

/**
 * The side panel: a tab list (Node, Run — with a dot while a run runs) and the chosen tab's panel.
 * `run` is called only while the Run tab shows, so a large run costs nothing while hidden.
 */
export function renderSidePanel(options: {
  readonly tab: SidePanelTab;
  readonly running: boolean;
  /** A tab was chosen; `focus`: by arrow key, so focus follows it. */
  readonly onTab: (tab: SidePanelTab, focus: boolean) => void;
  readonly node: TemplateResult;
  readonly findings: TemplateResult;
  readonly run: () => TemplateResult;
}) {
  const onKey = (e: KeyboardEvent): void => {
    if (e.key !== 'ArrowLeft' && e.key !== 'ArrowRight') return;
    e.preventDefault();
    options.onTab(options.tab === 'node' ? 'run' : 'node', true);
  };
  const tab = (id: SidePanelTab, label: string, extra = '') =>
    html`<button role="tab" id=${`tab-${id}`} aria-selected=${options.tab === id ? 'true' : 'false'}
      aria-controls=${`panel-${id}`} tabindex=${options.tab === id ? '0' : '-1'} data-testid=${`panel-tab-${id}`}
      @click=${() => options.onTab(id, false)} @keydown=${onKey}>${label}${extra === '' ? '' : html`<span class="tab-dot" aria-label=${extra}>●</span>`}</button>`;
  return html`<div class="tabs" role="tablist" aria-label="Side panel">
      ${tab('node', 'Node')}${tab('run', 'Run', options.running ? 'running' : '')}
    </div>
    ${
      options.tab === 'run'
        ? html`<div role="tabpanel" id="panel-run" aria-labelledby="tab-run" class="tab-panel">${options.run()}</div>`
        : html`<div role="tabpanel" id="panel-node" aria-labelledby="tab-node" class="tab-panel">
            ${options.node}${options.findings}
          </div>`
    }`;
}

/** Who else is on the board, as coloured initials. */
export function renderPeers(peers: readonly BoardPeer[]) {
  if (peers.length === 0) return nothing;
  return html`<ul class="peers" aria-label=${`Also here: ${peers.map((p) => p.name).join(', ')}`}
    data-testid="board-presence">
    ${peers.map(
      (p) => html`<li style=${styleMap({ background: p.color })} title=${p.name} data-peer-name=${p.name}>
        <span aria-hidden="true">${initials(p.name)}</span>
      </li>`,
    )}
  </ul>`;
}

/**
 * Keeps the workspace list's name of workflow `url` in step with its document (a collaborator may
 * rename it), and lists a workflow opened by link. A name the list refuses is left as it is.
 */
export function syncListedName(index: WorkflowIndex | null, url: string, doc: Workflow | null): void {
  if (doc === null || index === null) return;
  const listed = index.get(url);
  try {
    if (listed !== undefined && listed.name !== doc.name) index.rename(url, doc.name);
    else if (listed === undefined) index.add(url, doc.name);
  } catch (error) {
    if (!(error instanceof InvalidWorkflowNameError)) throw error;
  }
}

function initials(name: string): string {
  const parts = name.trim().split(/\s+/);
  return (
    (parts[0]?.[0] ?? '') + (parts.length > 1 ? (parts[parts.length - 1]?.[0] ?? '') : '')
  ).toUpperCase();
}
