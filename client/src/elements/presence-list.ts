// <presence-list>: the other people in a Document right now, as coloured initials, live from its
// awareness with every peer cleaned first.
import { css, html, LitElement, type PropertyValues } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { styleMap } from 'lit/directives/style-map.js';
import type { Awareness } from 'y-protocols/awareness';
import { type DocumentPeer, remotePeers } from '../core/document-presence.js';

/**
 * The other people in a document right now, as coloured initials with their names on hover and
 * for screen readers. Updates live from the document's awareness; every peer is cleaned by
 * {@link remotePeers} first (a `#rrggbb` colour, a bounded plain-text name).
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

  @state() private peers: DocumentPeer[] = [];

  private listening: Awareness | null = null;
  private readonly onChange = (): void => {
    if (this.listening !== null) this.peers = remotePeers(this.listening);
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
    this.peers = this.listening === null ? [] : remotePeers(this.listening);
  }

  protected override render() {
    if (this.peers.length === 0) return null;
    const names = this.peers.map((p) => p.name).join(', ');
    return html`<ul aria-label=${`Also here: ${names}`} data-testid="presence-list">
      ${this.peers.map(
        (p) =>
          html`<li style=${styleMap({ background: p.color })} title=${p.name} data-peer-name=${p.name}>
            <span aria-hidden="true">${initials(p.name)}</span>
          </li>`,
      )}
    </ul>`;
  }
}

function initials(name: string): string {
  const parts = name.trim().split(/\s+/);
  return (
    (parts[0]?.[0] ?? '') + (parts.length > 1 ? (parts[parts.length - 1]?.[0] ?? '') : '')
  ).toUpperCase();
}

declare global {
  interface HTMLElementTagNameMap {
    'presence-list': PresenceList;
  }
}
