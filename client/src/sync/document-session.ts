// One open Document's session (DocumentSession): its Y.Doc in IndexedDB, synced with the sync-server
// over y-websocket, with the connection state and exact unsaved-change count behind the indicator.
import { DOCUMENT_PORT_ORIGIN } from '@symphony/editor-engine';
import type { DocumentId, Role } from '@symphony/schemas';
import {
  CloseCode,
  encodeSavedStateSubscription,
  MessageType,
  OfbErrorCode,
  readAccess,
  readSavedState,
} from '@symphony/schemas';
import * as decoding from 'lib0/decoding';
import { clearDocument, IndexeddbPersistence } from 'y-indexeddb';
import type { Awareness } from 'y-protocols/awareness';
import { WebsocketProvider } from 'y-websocket';
import * as Y from 'yjs';
import { localStoreNames } from '../core/local-stores.js';
import { PendingChanges } from '../core/pending-changes.js';
import type { StringStore } from '../core/StringStore.js';
import { keysWithPrefix } from '../core/StringStore.js';
import { DOCUMENT_TOO_LARGE } from '../core/storage-refusal.js';

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

/** What the server says about this person's access to the document. */
export const DocumentAccess = {
  /** Allowed (or not yet asked: offline, connecting). */
  ok: 'ok',
  /** The server does not know the document yet (4410): its registration with OFB is pending. */
  unregistered: 'unregistered',
  /** Not (or no longer) a member of its workspace (4403): the session stops reconnecting. */
  forbidden: 'forbidden',
  /** The token was refused and could not be refreshed: sign in again to sync. */
  signedOut: 'signed-out',
  /**
   * The server's storage (OFB) refused this document's latest changes for good (4413: over the size
   * limit, deleted, no longer writable), or the server refused this browser's own change because it
   * would make the document too large (4414, refusal `document_too_large`): the session stops
   * reconnecting, since it would only send the same changes again. `SessionSnapshot.refusal` holds
   * OFB's code.
   */
  storageRefused: 'storage-refused',
} as const;
export type DocumentAccess = (typeof DocumentAccess)[keyof typeof DocumentAccess];

/** How a token refresh asked for by a session ended (see `AuthSession.refresh`). */
export type TokenRefreshOutcome = 'refreshed' | 'offline' | 'refused' | 'signed-out';

/** A point-in-time view of a {@link DocumentSession}, cheap to compare and render. */
export interface SessionSnapshot {
  readonly status: ConnectionStatus;
  /** Set when `status` is offline: the browser reported no network, or the socket is down. */
  readonly offlineReason: OfflineReason | null;
  /** Local changes the server has not yet reported as durably stored. */
  readonly unsaved: number;
  /** Whether the local copy (IndexedDB) has been read into the document. */
  readonly loaded: boolean;
  /** The person's role on the document as the server last said (`[101, role]`), or `null`. */
  readonly role: Role | null;
  readonly access: DocumentAccess;
  /**
   * How many local changes were unsaved when the server answered a write with permission-denied
   * (the person became a viewer with edits still unsent): those will never be saved. 0 otherwise.
   */
  readonly refusedChanges: number;
  /** With `access` storage-refused: OFB's code for why (the 4413 close reason, e.g. `document_too_large`). */
  readonly refusal: string | null;
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
  /** The access token sent as `?token=`; `null` connects without one (servers without auth). */
  readonly token?: () => string | null;
  /** Gets a fresh token after the server closed with 4401 or 4419. */
  readonly refreshToken?: () => Promise<TokenRefreshOutcome>;
  /**
   * The signed-in account: the local database and the unsaved-change markers are named by it, so
   * another account on this browser never opens them. `null`/absent: shared names (no accounts).
   */
  readonly userId?: string | null;
}

/** 5 s between attempts while a document waits for its registration with OFB. */
const UNREGISTERED_RETRY_MS = 5_000;
/** 2 s after the server failed to store updates (1011) before reconnecting. */
const PERSISTENCE_RETRY_MS = 2_000;
/** After a refresh that could not reach OFB, reconnect (and so retry) this much later. */
const AUTH_RETRY_MS = 15_000;

/**
 * Name of the IndexedDB database that holds document `id` for account `userId`
 * (`symphony:<userId>:<id>`; `symphony:<id>` without accounts).
 */
export function localDatabaseName(id: DocumentId, userId: string | null = null): string {
  return localStoreNames(userId).document(id);
}

/** Ids of documents that have unsaved-change markers of account `userId` in `store`. */
export function documentsWithPendingChanges(store: StringStore, userId: string | null = null): string[] {
  const prefix = localStoreNames(userId).pendingPrefix;
  const ids = new Set<string>();
  for (const key of keysWithPrefix(store, prefix)) {
    const rest = key.slice(prefix.length);
    // Another account's marker under the shared prefix (`<userId>:<docId>:<clientId>`) is not ours.
    if (userId === null && rest.split(':').length > 2) continue;
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
  /** The client id of the editor engine's replica, once it has inserted anything. */
  private engineClient: number | null = null;
  private readonly listeners = new Set<() => void>();
  private readonly store: StringStore;
  /** This document's unsaved-change marker keys: `<prefix><clientId>`. */
  private readonly markerPrefix: string;
  private readonly databaseName: string;
  private networkAvailable: boolean;
  private loaded = false;
  private destroyed = false;
  private current: SessionSnapshot;
  private readonly dirtyClients = new Set<number>();
  private flushScheduled = false;
  private role: Role | null = null;
  private access: DocumentAccess = DocumentAccess.ok;
  private refusal: string | null = null;
  private refusedChanges = 0;
  private retryTimer: ReturnType<typeof setTimeout> | undefined;
  /** Set by {@link DocumentSession.reconnect}: the next 4410 (a connection that raced the registration) retries at once. */
  private retryUnknownSoon = false;
  /**
   * The server has synced this document with us at least once. A 4410 after that does not mean a
   * registration still on its way: the document was deleted (into the Trash) while it was open.
   */
  private serverHadIt = false;
  private readonly token: () => string | null;
  private readonly refreshToken: (() => Promise<TokenRefreshOutcome>) | undefined;

  constructor(
    readonly id: DocumentId,
    options: DocumentSessionOptions,
  ) {
    this.store = options.store;
    const names = localStoreNames(options.userId ?? null);
    this.markerPrefix = `${names.pendingPrefix}${id}:`;
    this.databaseName = names.document(id);
    this.networkAvailable = options.networkAvailable;
    this.token = options.token ?? (() => null);
    this.refreshToken = options.refreshToken;
    this.doc = new Y.Doc();
    this.restoreMarkers();

    this.local =
      options.persistLocally === false ? null : new IndexeddbPersistence(this.databaseName, this.doc);
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
      params: this.params(),
      ...(options.WebSocketPolyfill === undefined ? {} : { WebSocketPolyfill: options.WebSocketPolyfill }),
    });
    this.provider.messageHandlers[MessageType.savedState] = (_encoder, decoder) => {
      const stored = Y.decodeStateVector(readSavedState(decoder));
      this.changePending(() => this.pending.acknowledge(stored));
      this.refresh();
    };
    this.provider.messageHandlers[MessageType.access] = (_encoder, decoder) => {
      const role = readAccess(decoder);
      if (role !== null) {
        this.role = role;
        this.refresh();
      }
    };
    this.provider.messageHandlers[MessageType.auth] = (_encoder, decoder) => {
      // y-protocols' auth message: [2, 0 = permission denied, reason]. The server dropped a write:
      // this person is a viewer (demoted while they had unsent edits). Those edits will never be
      // saved, so the view says so (with Export and Discard) instead of showing them as if they were.
      const kind = decoding.readVarUint(decoder);
      if (kind !== 0) return;
      this.refusedChanges = Math.max(this.refusedChanges, this.pending.count, 1);
      this.role = 'viewer';
      this.refresh();
    };
    this.provider.on('closed', ({ code, reason }) => this.onTerminalClose(code, reason));
    this.provider.on('connection-close', (event) => {
      // The server could not store our updates: y-websocket would reconnect at once (the attempt
      // counter resets on every sync), so give it a moment instead of hammering it.
      if (event?.code !== CloseCode.PersistenceFailed.code || this.destroyed) return;
      // Not `disconnect()` (this runs inside y-websocket's close handling): just stop its own retry.
      this.provider.shouldConnect = false;
      clearTimeout(this.retryTimer);
      this.retryTimer = setTimeout(() => {
        if (!this.destroyed && this.networkAvailable) this.provider.connect();
      }, PERSISTENCE_RETRY_MS);
    });
    this.provider.on('status', ({ status }) => {
      if (status === 'connected') {
        this.provider.ws?.send(encodeSavedStateSubscription());
        if (this.access !== DocumentAccess.ok) this.access = DocumentAccess.ok;
      }
      this.refresh();
    });
    this.provider.on('sync', (synced: boolean) => {
      if (synced) this.serverHadIt = true;
      this.refresh();
    });
    this.doc.on('afterTransaction', this.onTransaction);

    this.current = this.computeSnapshot();
    if (this.networkAvailable) this.provider.connect();
  }

  /** Whether the server ended syncing for good (no access, or storage refused the changes). */
  private get stopped(): boolean {
    return this.access === DocumentAccess.forbidden || this.access === DocumentAccess.storageRefused;
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
    if (available && !this.stopped) this.provider.connect();
    else this.provider.disconnect();
    this.refresh();
  }

  /**
   * Uses the current token for the next connection, and reconnects now if the session had stopped
   * for want of one (after a sign-in) or was waiting for its registration (after it succeeded).
   */
  reconnect(): void {
    if (this.destroyed) return;
    // A connection already under way may still be refused as unknown (it was authorized before the
    // registration committed): its 4410 then retries at once instead of after the usual wait.
    this.retryUnknownSoon = true;
    this.provider.params = this.params();
    if (this.stopped) return;
    clearTimeout(this.retryTimer);
    if (this.access === DocumentAccess.signedOut) this.access = DocumentAccess.ok;
    if (this.networkAvailable && !this.provider.shouldConnect) this.provider.connect();
    else if (this.networkAvailable && this.provider.ws === null) {
      this.provider.disconnect();
      this.provider.connect();
    }
    this.refresh();
  }

  /** Takes a new token for later connections (the open one keeps going until the server ends it). */
  updateToken(): void {
    this.provider.params = this.params();
  }

  /** Closes the connection and the local database; the document stays stored. */
  async destroy(): Promise<void> {
    if (this.destroyed) return;
    this.destroyed = true;
    clearTimeout(this.retryTimer);
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
    for (const key of keysWithPrefix(this.store, this.markerPrefix)) this.store.removeItem(key);
    await clearDocument(this.databaseName);
  }

  private params(): Record<string, string> {
    const token = this.token();
    return token === null ? {} : { token };
  }

  /** The server closed with a 44xx code (y-websocket stops reconnecting then): decide what next. */
  private onTerminalClose(code: number, reason: string): void {
    if (this.destroyed) return;
    clearTimeout(this.retryTimer);
    const later = (ms: number): void => {
      this.retryTimer = setTimeout(() => {
        if (this.destroyed || !this.networkAvailable) return;
        this.provider.params = this.params();
        this.provider.connect();
      }, ms);
    };
    switch (code) {
      case CloseCode.Unauthenticated.code:
      case CloseCode.TokenExpired.code: {
        if (this.refreshToken === undefined) {
          this.access = DocumentAccess.signedOut;
          break;
        }
        void this.refreshToken().then((outcome) => {
          if (this.destroyed) return;
          if (outcome === 'refreshed') later(0);
          else if (outcome === 'offline') later(AUTH_RETRY_MS);
          else {
            this.access = DocumentAccess.signedOut;
            this.refresh();
          }
        });
        break;
      }
      case CloseCode.Forbidden.code:
        this.access = DocumentAccess.forbidden;
        break;
      case CloseCode.StorageRefused.code:
        // For good: reconnecting would resend the changes OFB refused. A reload tries again.
        this.access = DocumentAccess.storageRefused;
        this.refusal = reason === '' ? null : reason;
        break;
      case CloseCode.DocumentTooLarge.code:
        // This browser's own change would pass the size limit; the server relayed it to no one.
        // Reconnecting would send it again: stop, and let the author undo it and reload.
        this.access = DocumentAccess.storageRefused;
        this.refusal = DOCUMENT_TOO_LARGE;
        break;
      case CloseCode.UnknownDocument.code:
        if (this.serverHadIt) {
          // Deleted while open: the server's access re-check came before any refused write (which
          // would have closed with 4413 `document_not_found`). The same for good, said the same way.
          this.access = DocumentAccess.storageRefused;
          this.refusal = OfbErrorCode.documentNotFound;
          break;
        }
        this.access = DocumentAccess.unregistered;
        later(this.retryUnknownSoon ? 0 : UNREGISTERED_RETRY_MS);
        this.retryUnknownSoon = false;
        break;
      case CloseCode.UnauthenticatedLimit.code:
        // Too much sent before authorization was settled (a slow authority): try again, slowly.
        later(UNREGISTERED_RETRY_MS);
        break;
      default:
      // Bad input (4400, 4422, …): reconnecting would send the same again, so stay closed.
    }
    this.refresh();
  }

  private readonly onTransaction = (transaction: Y.Transaction): void => {
    if (transaction.origin === DOCUMENT_PORT_ORIGIN) {
      this.recordEngineEdits(transaction);
      return;
    }
    if (!transaction.local || transaction.origin === this.provider || transaction.origin === this.local)
      return;
    const clientId = this.doc.clientID;
    const before = transaction.beforeState.get(clientId) ?? 0;
    const after = transaction.afterState.get(clientId) ?? 0;
    if (after === before && transaction.deleteSet.clients.size === 0) return;
    this.changePending(() => this.pending.record(clientId, after), [clientId]);
    this.refresh();
  };

  /**
   * Edits the editor engine made in its Worker (find and replace, a workflow step) arrive as updates
   * from its replica's client ids; they are this browser's changes as much as typed ones, so each
   * counts as unsaved until the server stores it. A delete-only change advances no clock: it takes
   * the clock of the engine's latest insertion, as a local delete does.
   */
  private recordEngineEdits(transaction: Y.Transaction): void {
    const touched: number[] = [];
    for (const [clientId, after] of transaction.afterState) {
      if (after > (transaction.beforeState.get(clientId) ?? 0)) touched.push(clientId);
    }
    if (touched.length === 0 && transaction.deleteSet.clients.size > 0 && this.engineClient !== null) {
      touched.push(this.engineClient);
    }
    if (touched.length === 0) return;
    this.engineClient = touched.at(-1) ?? null;
    const state = transaction.afterState;
    this.changePending(() => {
      let changed = false;
      for (const clientId of touched)
        changed = this.pending.record(clientId, state.get(clientId) ?? 0) || changed;
      return changed;
    }, touched);
    this.refresh();
  }

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
      const key = `${this.markerPrefix}${clientId}`;
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
    const prefix = this.markerPrefix;
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
    // Waiting for OFB to register the document is not an outage: the server is there.
    const registering = this.networkAvailable && this.access === DocumentAccess.unregistered;
    const status: ConnectionStatus = !connected
      ? firstAttempt || registering
        ? ConnectionStatus.syncing
        : ConnectionStatus.offline
      : !this.provider.synced || unsaved > 0
        ? ConnectionStatus.syncing
        : ConnectionStatus.online;
    const offlineReason: OfflineReason | null =
      status !== ConnectionStatus.offline ? null : this.networkAvailable ? 'server' : 'network';
    return {
      status,
      offlineReason,
      unsaved,
      loaded: this.loaded,
      role: this.role,
      access: this.access,
      refusal: this.refusal,
      refusedChanges: this.refusedChanges,
    };
  }

  private refresh(): void {
    if (this.destroyed) return;
    const next = this.computeSnapshot();
    const prev = this.current;
    if (
      next.status === prev.status &&
      next.unsaved === prev.unsaved &&
      next.loaded === prev.loaded &&
      next.offlineReason === prev.offlineReason &&
      next.role === prev.role &&
      next.access === prev.access &&
      next.refusal === prev.refusal &&
      next.refusedChanges === prev.refusedChanges
    ) {
      return;
    }
    this.current = next;
    for (const listener of [...this.listeners]) listener();
  }
}
