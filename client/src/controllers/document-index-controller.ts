import type { ReactiveControllerHost } from 'lit';
import { WORKSPACE_INDEX_ID } from '../config.js';
import { DocumentIndex, type DocumentSummary } from '../core/document-index.js';
import type { SessionRegistry } from '../sync/session-registry.js';
import { DocumentSessionController } from './document-session-controller.js';

/**
 * Binds a host to the workspace's document list: opens the index document, exposes it as a
 * {@link DocumentIndex} and re-renders the host whenever the list changes, locally or remotely.
 */
export class DocumentIndexController extends DocumentSessionController {
  /** The list, or `null` until a registry is attached. */
  index: DocumentIndex | null = null;
  /** The current rows, most recently updated first. */
  documents: DocumentSummary[] = [];

  private stopObserving: (() => void) | null = null;
  private boundDoc: object | null = null;

  constructor(
    host: ReactiveControllerHost,
    private readonly clock: { now: () => Date; newId: () => string },
  ) {
    super(host, { presence: false });
  }

  /** Opens the index from `registry`. */
  attach(registry: SessionRegistry | undefined): void {
    this.open(registry, WORKSPACE_INDEX_ID);
    this.bindIndex();
  }

  override hostConnected(): void {
    super.hostConnected();
    this.bindIndex();
  }

  override hostDisconnected(): void {
    super.hostDisconnected();
    this.bindIndex();
  }

  private bindIndex(): void {
    const doc = this.session?.doc ?? null;
    if (this.index !== null && doc !== null && this.boundDoc === doc) return;
    this.stopObserving?.();
    this.stopObserving = null;
    this.boundDoc = doc;
    if (doc === null) {
      this.index = null;
      this.documents = [];
      return;
    }
    const index = new DocumentIndex(doc, this.clock.now, this.clock.newId);
    this.index = index;
    this.documents = index.list();
    this.stopObserving = index.observe(() => {
      this.documents = index.list();
      this.host.requestUpdate();
    });
  }
}
