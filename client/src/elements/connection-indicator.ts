// <connection-indicator>: the header's online / offline / syncing badge with how many documents have
// changes the server has not saved yet, and its words (describeConnection).
import { css, html, LitElement } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import { describeUnsaved, NOTHING_UNSAVED, type UnsavedWork } from '../core/pending-changes.js';
import { ConnectionStatus, type OfflineReason } from '../sync/document-session.js';

/**
 * Words for the indicator, given the unsaved work (documents, not edit steps); exported for tests
 * and for anyone restyling it.
 */
export function describeConnection(
  status: ConnectionStatus,
  work: UnsavedWork,
  offlineReason: OfflineReason | null,
): { label: string; detail: string } {
  const unsaved = describeUnsaved(work);
  switch (status) {
    case ConnectionStatus.online:
      return { label: 'Online', detail: 'All changes saved' };
    case ConnectionStatus.syncing:
      return {
        label: 'Syncing',
        detail: unsaved === null ? 'Catching up with the server' : `${unsaved}, sending them to the server`,
      };
    case ConnectionStatus.offline:
      return {
        label: 'Offline',
        detail:
          (offlineReason === 'network' ? 'No network. ' : 'Server unreachable, retrying. ') +
          (unsaved === null
            ? 'Edits are kept on this device'
            : `${unsaved}, kept on this device until the server has them`),
      };
  }
}

/**
 * Shows whether the app is online, offline or syncing, and how many documents have changes the
 * server has not saved yet. Purely presentational: the state comes in through properties.
 *
 * Reflects `state` and `unsaved` as `data-state` / `data-unsaved` attributes for styling and tests.
 */
@customElement('connection-indicator')
export class ConnectionIndicator extends LitElement {
  static override styles = css`
    :host {
      display: inline-flex;
      align-items: center;
      gap: 0.5rem;
      padding: 0.3rem 0.7rem;
      border-radius: 999px;
      background: var(--sy-hover);
      font-size: 0.8125rem;
      white-space: nowrap;
    }
    .dot {
      width: 0.55rem;
      height: 0.55rem;
      border-radius: 50%;
      background: var(--sy-muted);
      flex: none;
    }
    :host([data-state='online']) .dot {
      background: var(--sy-ok);
    }
    :host([data-state='syncing']) .dot {
      background: var(--sy-warn);
      animation: pulse 1.2s ease-in-out infinite;
    }
    :host([data-state='offline']) .dot {
      background: var(--sy-muted);
      box-shadow: inset 0 0 0 2px var(--sy-surface);
      outline: 1px solid var(--sy-muted);
    }
    .label {
      font-weight: 600;
    }
    .unsaved {
      color: var(--sy-muted);
    }
    @keyframes pulse {
      50% {
        opacity: 0.35;
      }
    }
    @media (prefers-reduced-motion: reduce) {
      .dot {
        animation: none !important;
      }
    }
  `;

  /** The connection state. */
  @property({ attribute: 'data-state', reflect: true }) state: ConnectionStatus = ConnectionStatus.offline;
  /** Local changes (edit steps) not yet saved by the server; exact, for tests and the attribute. */
  @property({ type: Number, attribute: 'data-unsaved', reflect: true }) unsaved = 0;
  /** The same as a person counts it (documents, the document list): what the indicator says. */
  @property({ attribute: false }) unsavedWork: UnsavedWork = NOTHING_UNSAVED;
  /** Why the app is offline, when it is. */
  @property({ attribute: false }) offlineReason: OfflineReason | null = null;
  /** Workspace changes (create, invite, rename, …) queued in the outbox for OFB. */
  @property({ type: Number, attribute: 'data-outbox', reflect: true }) pendingMutations = 0;

  override connectedCallback(): void {
    super.connectedCallback();
    this.setAttribute('role', 'status');
    this.setAttribute('data-testid', 'connection-indicator');
  }

  protected override render() {
    const described = describeConnection(this.state, this.unsavedWork, this.offlineReason);
    const unsaved = describeUnsaved(this.unsavedWork);
    const { label } = described;
    const queued = this.pendingMutations;
    const detail =
      queued === 0
        ? described.detail
        : `${described.detail}. ${queued} workspace ${queued === 1 ? 'change' : 'changes'} waiting in the outbox`;
    this.setAttribute('aria-label', `${label}. ${detail}`);
    this.title = detail;
    return html`<span class="dot" aria-hidden="true"></span>
      <span class="label">${label}</span>
      ${unsaved === null ? null : html`<span class="unsaved" data-testid="unsaved-count">${unsaved}</span>`}
      ${queued > 0 ? html`<span class="unsaved" data-testid="outbox-count">${queued} queued</span>` : null}`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'connection-indicator': ConnectionIndicator;
  }
}
