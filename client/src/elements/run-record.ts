// <run-record>: a run the team's history holds and this board's orchestrator does not (it ran on
// another machine), shown read-only from its record in OFB: who, when, the pinned version, status,
// nodes, tokens and cost, and each node's output hashes, each one copyable.
import { NodeLibrary, type OfbRunRecord, type RunId, type Workflow } from '@symphony/schemas';
import { css, html, LitElement, nothing, type PropertyValues } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import {
  formatCost,
  formatDuration,
  formatTokens,
  formatWhen,
  RUN_STATUS_LABEL,
} from '../monitor/run-format.js';
import { outputHashCount, shortHeads } from '../monitor/team-runs.js';
import { sharedStyles } from '../styles/shared.js';
import { runPanelStyles } from './run-panel.styles.js';

/** 60: nodes listed before "Show all", as the run panel lists a run's nodes. */
const NODES_SHOWN_FIRST = 60;
/** 12: hex digits of a hash shown; the button copies all 64. */
const SHORT_HASH = 12;

/**
 * A team run record, read-only: nothing here can re-run, cancel or resume it, and no artifact
 * opens (the bytes stay on the machine that ran it); a hash can be copied to look for it there.
 *
 * @fires run-select - `CustomEvent<{ runId: RunId | null }>`: stop showing it (null), or show the run it re-ran.
 */
@customElement('run-record')
export class RunRecordView extends LitElement {
  static override styles = [
    sharedStyles,
    runPanelStyles,
    css`
      section[data-testid='run-record'] {
        display: flex;
        flex-direction: column;
        gap: 0.6rem;
      }
      p.muted {
        margin: 0;
      }
      ol.outputs {
        list-style: none;
        margin: 0;
        padding: 0;
        display: grid;
        gap: 0.35rem;
      }
      ol.outputs li {
        display: grid;
        gap: 0.15rem;
      }
      .node-name {
        font-weight: 600;
        overflow: hidden;
        text-overflow: ellipsis;
        white-space: nowrap;
      }
      .hashes {
        display: flex;
        flex-wrap: wrap;
        gap: 0.25rem 0.6rem;
        align-items: center;
      }
      .hashes button {
        padding: 0.1em 0.4em;
        gap: 0.3em;
      }
      .port,
      .copy {
        color: var(--sy-muted);
      }
      .copy {
        font-size: 0.7rem;
      }
    `,
  ];

  @property({ attribute: false }) record: OfbRunRecord | null = null;
  /** The board's workflow: it names the record's nodes where it still has them. */
  @property({ attribute: false }) workflow: Workflow | null = null;
  /** Whether the run this one re-ran is in the history (then it can be shown). */
  @property({ type: Boolean }) rerunOfKnown = false;
  /** The time of this render. */
  @property({ type: Number }) now = 0;

  @state() private allNodes = false;
  /** What the last copy did, for the person. */
  @state() private copied: { readonly hash: string; readonly ok: boolean } | null = null;

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (changed.has('record') && changed.get('record')?.runId !== this.record?.runId) {
      this.allNodes = false;
      this.copied = null;
    }
  }

  protected override render() {
    const record = this.record;
    if (record === null) return nothing;
    const version = shortHeads(record.heads);
    const hashes = outputHashCount(record);
    return html`<section aria-labelledby="record-title" data-testid="run-record" data-run-id=${record.runId}
        data-status=${record.status}>
      <header class="run-head">
        <h2 id="record-title">Run <code>${record.runId}</code></h2>
        <span class="status ${record.status}" data-testid="run-status">${RUN_STATUS_LABEL[record.status]}</span>
        <button class="ghost close" aria-label="Stop showing this run" title="Stop showing this run"
          @click=${() => this.fire(null)}>✕</button>
      </header>
      <p class="muted" data-testid="run-record-where">From the team’s run history: it ran on another machine, so it is
        read-only here and its artifacts stay on that machine.</p>
      <dl>
        <dt>Started by</dt><dd data-testid="run-started-by">${record.startedBy.name}</dd>
        <dt>Started</dt><dd>${formatWhen(record.startedAt, this.now)}</dd>
        <dt>Took</dt><dd data-testid="run-duration">${formatDuration(record.finishedAt - record.startedAt)}</dd>
        <dt>Version</dt><dd><code data-testid="run-version" title=${record.heads.join(', ')}>${version ?? 'unknown'}</code></dd>
        <dt>Nodes</dt><dd data-testid="run-record-nodes">${record.nodes}</dd>
        <dt>Tokens</dt><dd data-testid="run-tokens">${formatTokens(record.inputTokens, record.outputTokens)}</dd>
        <dt>Cost</dt><dd data-testid="run-cost">${formatCost(record.costUsd)}</dd>
        ${
          record.rerunOf === undefined
            ? nothing
            : html`<dt>Re-runs</dt><dd>${
                this.rerunOfKnown
                  ? html`<button class="ghost" @click=${() => this.fire(record.rerunOf ?? null)}><code>${record.rerunOf}</code></button>`
                  : html`<code>${record.rerunOf}</code>`
              }</dd>`
        }
        <dt>Outputs</dt><dd data-testid="run-record-hash-count">${hashes} output hash${hashes === 1 ? '' : 'es'}</dd>
      </dl>
      ${this.renderOutputs(record)}
    </section>`;
  }

  private renderOutputs(record: OfbRunRecord) {
    const rows = Object.entries(record.outputs).filter(([, outputs]) => Object.keys(outputs).length > 0);
    if (rows.length === 0) return nothing;
    const shown = this.allNodes ? rows : rows.slice(0, NODES_SHOWN_FIRST);
    return html`<section aria-labelledby="record-outputs-title">
      <h3 id="record-outputs-title">Output hashes</h3>
      ${
        this.copied === null
          ? nothing
          : html`<p class="notice ${this.copied.ok ? '' : 'warn'}" role="status" data-testid="run-record-copied">
              ${this.copied.ok ? `Copied ${this.copied.hash}.` : 'The browser did not allow copying: select the hash and copy it.'}</p>`
      }
      <ol class="outputs">
        ${shown.map(
          ([nodeId, outputs]) => html`<li data-testid="run-record-node" data-node-id=${nodeId}>
            <span class="node-name" title=${nodeId}>${this.titleOf(nodeId)}</span>
            <span class="hashes">${Object.entries(outputs).map(
              ([port, hash]) => html`<span><span class="port">${port}</span>
                <button class="ghost" data-testid="run-record-copy" data-hash=${hash} title=${`Copy ${hash}`}
                  aria-label=${`Copy the hash of ${port}: ${hash}`} @click=${() => void this.copy(hash)}
                  ><code>${hash.slice(0, SHORT_HASH)}</code><span class="copy" aria-hidden="true">Copy</span></button></span>`,
            )}</span>
          </li>`,
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

  /** The node's label or type's title in the board's workflow, else its id (the pinned version had it). */
  private titleOf(nodeId: string): string {
    const nodes = this.workflow?.nodes;
    // Own keys only: a record's node id may be `constructor`, which every object inherits.
    if (nodes === undefined || !Object.hasOwn(nodes, nodeId)) return nodeId;
    const node = nodes[nodeId as keyof Workflow['nodes']];
    if (node === undefined) return nodeId;
    return node.label ?? NodeLibrary.get(node.type)?.title ?? node.type;
  }

  private async copy(hash: string): Promise<void> {
    try {
      await navigator.clipboard.writeText(hash);
      this.copied = { hash, ok: true };
    } catch {
      this.copied = { hash, ok: false };
    }
  }

  private fire(runId: RunId | null): void {
    this.dispatchEvent(new CustomEvent('run-select', { detail: { runId }, bubbles: true, composed: true }));
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'run-record': RunRecordView;
  }
}
