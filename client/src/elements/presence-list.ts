import { css, html, LitElement, type PropertyValues } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import type { Awareness } from 'y-protocols/awareness';

/** A collaborator as their awareness state describes them. */
interface Peer {
  readonly clientId: number;
  readonly name: string;
  readonly color: string;
}

function readPeers(awareness: Awareness): Peer[] {
  const peers: Peer[] = [];
  for (const [clientId, value] of awareness.getStates()) {
    if (clientId === awareness.clientID) continue;
    const user: unknown = (value as { user?: unknown }).user;
    if (typeof user !== 'object' || user === null) continue;
    const { name, color } = user as { name?: unknown; color?: unknown };
    if (typeof name !== 'string') continue;
    peers.push({
      clientId,
      name: name.slice(0, 40),
      color: typeof color === 'string' && /^#[0-9a-f]{6}$/i.test(color) ? color : '#6a737d',
    });
  }
  return peers.sort((a, b) => a.name.localeCompare(b.name));
}

function initials(name: string): string {
  const parts = name.trim().split(/\s+/);
  return (
    (parts[0]?.[0] ?? '') + (parts.length > 1 ? (parts[parts.length - 1]?.[0] ?? '') : '')
  ).toUpperCase();
}

/**
 * The other people in a document right now, as coloured initials with their names on hover and
 * for screen readers. Updates live from the document's awareness.
 */
@customElement('presence-list')
export class PresenceList extends LitElement {
  static override styles = css`
    :host {
      display: inline-flex;
      align-items: center;
    }
    ul {
      display: flex;
      margin: 0;
      padding: 0;
      list-style: none;
    }
    li {
      width: 1.9rem;
      height: 1.9rem;
      margin-left: -0.35rem;
      border: 2px solid var(--sy-surface);
      border-radius: 50%;
      color: #fff;
      font-size: 0.7rem;
      font-weight: 700;
      display: grid;
      place-items: center;
    }
  `;

  /** The document's presence channel. */
  @property({ attribute: false }) awareness: Awareness | null = null;

  @state() private peers: Peer[] = [];

  private listening: Awareness | null = null;
  private readonly onChange = (): void => {
    if (this.listening !== null) this.peers = readPeers(this.listening);
  };

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (changed.has('awareness') && this.isConnected) this.listen();
  }

  override connectedCallback(): void {
    super.connectedCallback();
    this.listen();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.listening?.off('change', this.onChange);
    this.listening = null;
  }

  private listen(): void {
    if (this.listening === this.awareness) return;
    this.listening?.off('change', this.onChange);
    this.listening = this.awareness;
    this.listening?.on('change', this.onChange);
    this.peers = this.listening === null ? [] : readPeers(this.listening);
  }

  protected override render() {
    if (this.peers.length === 0) return null;
    const names = this.peers.map((p) => p.name).join(', ');
    return html`<ul aria-label=${`Also here: ${names}`} data-testid="presence-list">
      ${this.peers.map(
        (p) =>
          html`<li style=${`background:${p.color}`} title=${p.name} data-peer-name=${p.name}>
            <span aria-hidden="true">${initials(p.name)}</span>
          </li>`,
      )}
    </ul>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'presence-list': PresenceList;
  }
}
