// A Lit controller binding an element to one Document's session from the registry: held while connected,
// switched on request, re-rendering the element when the connection state changes.
import type { DocumentId } from '@symphony/schemas';
import type { ReactiveController, ReactiveControllerHost } from 'lit';
import type { DocumentSession, SessionSnapshot } from '../sync/document-session.js';
import type { SessionRegistry } from '../sync/session-registry.js';

/**
 * Binds a host element to one document's {@link DocumentSession} (Y.Doc + IndexedDB + provider):
 * holds it while the host is connected, switches when the host asks for another document, and
 * re-renders the host when the session's connection state changes.
 */
export class DocumentSessionController implements ReactiveController {
  /** The open session, or `null` before {@link DocumentSessionController.open} or when detached. */
  session: DocumentSession | null = null;
  /** True once the session's local copy has been read. */
  loaded = false;

  private wanted: { registry: SessionRegistry; id: DocumentId } | null = null;
  private held: { registry: SessionRegistry; id: DocumentId } | null = null;
  private connected = false;
  private unsubscribe: (() => void) | null = null;

  constructor(
    protected readonly host: ReactiveControllerHost,
    private readonly options: { readonly presence: boolean },
  ) {
    host.addController(this);
  }

  /** The session's state, or `null` when none is open. */
  get snapshot(): SessionSnapshot | null {
    return this.session?.snapshot ?? null;
  }

  /** Asks for document `id` from `registry` (or none); takes effect while the host is connected. */
  open(registry: SessionRegistry | undefined, id: DocumentId | null): void {
    this.wanted = registry === undefined || id === null ? null : { registry, id };
    if (this.connected) this.sync();
  }

  hostConnected(): void {
    this.connected = true;
    this.sync();
  }

  hostDisconnected(): void {
    this.connected = false;
    this.sync();
  }

  private sync(): void {
    const target = this.connected ? this.wanted : null;
    if (target?.id === this.held?.id && target?.registry === this.held?.registry) return;
    if (this.held !== null) {
      this.unsubscribe?.();
      this.unsubscribe = null;
      this.held.registry.release(this.held.id, { presence: this.options.presence });
      this.held = null;
      this.session = null;
      this.loaded = false;
    }
    if (target !== null) {
      const session = target.registry.acquire(target.id, { presence: this.options.presence });
      this.held = target;
      this.session = session;
      this.loaded = session.snapshot.loaded;
      this.unsubscribe = session.subscribe(() => {
        this.loaded = session.snapshot.loaded;
        this.host.requestUpdate();
      });
      void session.whenLoaded.then(() => {
        if (this.session !== session) return;
        this.loaded = true;
        this.host.requestUpdate();
      });
    }
    this.host.requestUpdate();
  }
}
