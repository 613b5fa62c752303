import type { DocumentId } from '@symphony/schemas';
import { MessageType } from '@symphony/schemas';
import { clearDocument, IndexeddbPersistence } from 'y-indexeddb';
import type { Awareness } from 'y-protocols/awareness';
import { WebsocketProvider } from 'y-websocket';
import * as Y from 'yjs';
import { PendingChanges } from '../core/pending-changes.js';
import type { StringStore } from '../core/StringStore.js';
import { keysWithPrefix } from '../core/StringStore.js';
import { encodeSavedStateSubscription, readSavedState } from '../core/saved-state.js';

/** How a document's connection to the server stands, as shown to the person. */
export const ConnectionStatus = {
  /** No connection: the browser is offline or the server cannot be reached. Edits stay local. */
  offline: 'offline',
  /** Connected, and either catching up with the server or waiting for it to save local edits. */
  syncing: 'syncing',
  /** Connected, caught up, and every local edit is saved on the server. */
  online: 'online',
} as const;
export type ConnectionStatus = (typeof ConnectionStatus)[keyof typeof ConnectionStatus];

/** Why a session is offline. */
export type OfflineReason = 'network' | 'server';

/** A point-in-time view of a {@link DocumentSession}, cheap to compare and render. */
export interface SessionSnapshot {
  readonly status: ConnectionStatus;
  /** Set when `status` is offline: the browser reported no network, or the socket is down. */
  readonly offlineReason: OfflineReason | null;
  /** Local changes the server has not yet reported as durably stored. */
  readonly unsaved: number;
  /** Whether the local copy (IndexedDB) has been read into the document. */
  readonly loaded: boolean;
}

/** Options for {@link DocumentSession}. */
export interface DocumentSessionOptions {
  /** Base WebSocket URL; the document's room is `<serverUrl>/<id>` (e.g. `ws://host/yjs`). */
  readonly serverUrl: string;
  /** Where unsaved-change markers are kept across reloads (`localStorage`). */
  readonly store: StringStore;
  /** Whether the browser currently reports a network (`navigator.onLine`). */
  readonly networkAvailable: boolean;
  /** Whether to keep the document in IndexedDB. Default true. */
  readonly persistLocally?: boolean;
  /** WebSocket constructor; a polyfill for tests. */
  readonly WebSocketPolyfill?: typeof WebSocket;
}

/** Prefix of the `localStorage` keys holding unsaved-change markers: `<prefix><docId>:<clientId>`. */
export const PENDING_KEY_PREFIX = 'symphony:pending:';

/** Name of the IndexedDB database that holds document `id`. */
export function localDatabaseName(id: DocumentId): string {
  return `symphony:${id}`;
}

/** Ids of documents that have unsaved-change markers in `store`. */
export function documentsWithPendingChanges(store: StringStore): string[] {
  const ids = new Set<string>();
  for (const key of keysWithPrefix(store, PENDING_KEY_PREFIX)) {
    const rest = key.slice(PENDING_KEY_PREFIX.length);
    const colon = rest.lastIndexOf(':');
    if (colon > 0) ids.add(rest.slice(0, colon));
  }
  return [...ids];
}

/**
 * One open document: its `Y.Doc`, kept in IndexedDB and synced with the server over y-websocket,
 * plus the bookkeeping behind the connection indicator (status and unsaved changes, via Symphony's
 * `savedState` extension).
 */
export class DocumentSession {
  /** The document itself. */
  readonly doc: Y.Doc;
  /** The WebSocket provider; `provider.awareness` carries cursors and names. */
  readonly provider: WebsocketProvider;
  /** Resolves once the local copy has been read (at once if there is no local copy). */
  readonly whenLoaded: Promise<void>;

  private readonly local: IndexeddbPersistence | null;
  private readonly pending = new PendingChanges();
  private readonly listeners = new Set<() => void>();
  private readonly store: StringStore;
  private networkAvailable: boolean;
  private loaded = false;
  private destroyed = false;
  private current: SessionSnapshot;
  private readonly dirtyClients = new Set<number>();
  private flushScheduled = false;

  constructor(
    readonly id: DocumentId,
    options: DocumentSessionOptions,
  ) {
    this.store = options.store;
    this.networkAvailable = options.networkAvailable;
    this.doc = new Y.Doc();
    this.restoreMarkers();

    this.local =
      options.persistLocally === false ? null : new IndexeddbPersistence(localDatabaseName(id), this.doc);
    this.whenLoaded =
      this.local === null
        ? Promise.resolve()
        : this.local.whenSynced.then(() => {
            this.loaded = true;
            // Markers for edits this browser no longer holds (storage cleared) can never be saved.
            this.changePending(() =>
              this.pending.discardUnreachable(Y.decodeStateVector(Y.encodeStateVector(this.doc))),
            );
            this.refresh();
          });
    if (this.local === null) this.loaded = true;

    this.provider = new WebsocketProvider(options.serverUrl, id, this.doc, {
      connect: false,
      ...(options.WebSocketPolyfill === undefined ? {} : { WebSocketPolyfill: options.WebSocketPolyfill }),
    });
    this.provider.messageHandlers[MessageType.savedState] = (_encoder, decoder) => {
      const stored = readSavedState(decoder);
      this.changePending(() => this.pending.acknowledge(stored));
      this.refresh();
    };
    this.provider.on('status', ({ status }) => {
      if (status === 'connected')
        this.provider.ws?.send(encodeSavedStateSubscription() as Uint8Array<ArrayBuffer>);
      this.refresh();
    });
    this.provider.on('sync', () => this.refresh());
    this.doc.on('afterTransaction', this.onTransaction);

    this.current = this.computeSnapshot();
    if (this.networkAvailable) this.provider.connect();
  }

  /** The collaborators' presence channel (cursors, names). */
  get awareness(): Awareness {
    return this.provider.awareness;
  }

  /** The current state; a new object whenever anything in it changed. */
  get snapshot(): SessionSnapshot {
    return this.current;
  }

  /** Calls `listener` whenever {@link DocumentSession.snapshot} changes. Returns an unsubscribe. */
  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * Follows the browser's network state: disconnects at once when it goes offline (rather than
   * waiting for the socket to time out) and reconnects when it comes back.
   */
  setNetworkAvailable(available: boolean): void {
    if (this.destroyed || available === this.networkAvailable) return;
    this.networkAvailable = available;
    if (available) this.provider.connect();
    else this.provider.disconnect();
    this.refresh();
  }

  /** Closes the connection and the local database; the document stays stored. */
  async destroy(): Promise<void> {
    if (this.destroyed) return;
    this.destroyed = true;
    this.flushMarkers();
    this.doc.off('afterTransaction', this.onTransaction);
    this.provider.destroy();
    this.listeners.clear();
    await this.local?.destroy();
    this.doc.destroy();
  }

  /** Destroys the session and erases this browser's copy and markers of the document. */
  async eraseLocalCopy(): Promise<void> {
    await this.destroy();
    for (const key of keysWithPrefix(this.store, `${PENDING_KEY_PREFIX}${this.id}:`)) {
      this.store.removeItem(key);
    }
    await clearDocument(localDatabaseName(this.id));
  }

  private readonly onTransaction = (transaction: Y.Transaction): void => {
    if (!transaction.local || transaction.origin === this.provider || transaction.origin === this.local)
      return;
    const clientId = this.doc.clientID;
    const before = transaction.beforeState.get(clientId) ?? 0;
    const after = transaction.afterState.get(clientId) ?? 0;
    if (after === before && transaction.deleteSet.clients.size === 0) return;
    this.changePending(() => this.pending.record(clientId, after), [clientId]);
    this.refresh();
  };

  /** Runs a change to the markers and schedules the affected clients' entries to be rewritten. */
  private changePending(change: () => boolean, touched?: number[]): void {
    const before = this.pending.clients();
    if (!change()) return;
    for (const clientId of [...before, ...(touched ?? this.pending.clients())])
      this.dirtyClients.add(clientId);
    if (!this.flushScheduled) {
      this.flushScheduled = true;
      queueMicrotask(() => this.flushMarkers());
    }
  }

  private flushMarkers(): void {
    this.flushScheduled = false;
    for (const clientId of this.dirtyClients) {
      const key = `${PENDING_KEY_PREFIX}${this.id}:${clientId}`;
      const value = this.pending.serializeClient(clientId);
      try {
        if (value === null) this.store.removeItem(key);
        else this.store.setItem(key, value);
      } catch {
        // Storage full or refused: the count still works for this session.
      }
    }
    this.dirtyClients.clear();
  }

  private restoreMarkers(): void {
    const prefix = `${PENDING_KEY_PREFIX}${this.id}:`;
    for (const key of keysWithPrefix(this.store, prefix)) {
      const clientId = Number(key.slice(prefix.length));
      if (Number.isSafeInteger(clientId)) this.pending.restoreClient(clientId, this.store.getItem(key));
    }
  }

  private computeSnapshot(): SessionSnapshot {
    const unsaved = this.pending.count;
    const connected = this.provider.wsconnected;
    // A first attempt still under way is not "offline" yet: it would flash on every document open.
    const firstAttempt =
      this.networkAvailable && this.provider.wsconnecting && this.provider.wsUnsuccessfulReconnects === 0;
    const status: ConnectionStatus = !connected
      ? firstAttempt
        ? ConnectionStatus.syncing
        : ConnectionStatus.offline
      : !this.provider.synced || unsaved > 0
        ? ConnectionStatus.syncing
        : ConnectionStatus.online;
    const offlineReason: OfflineReason | null =
      status !== ConnectionStatus.offline ? null : this.networkAvailable ? 'server' : 'network';
    return { status, offlineReason, unsaved, loaded: this.loaded };
  }

  private refresh(): void {
    if (this.destroyed) return;
    const next = this.computeSnapshot();
    const prev = this.current;
    if (
      next.status === prev.status &&
      next.unsaved === prev.unsaved &&
      next.loaded === prev.loaded &&
      next.offlineReason === prev.offlineReason
    ) {
      return;
    }
    this.current = next;
    for (const listener of [...this.listeners]) listener();
  }
}
