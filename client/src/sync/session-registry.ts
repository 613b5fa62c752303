// The registry of open Document sessions (SessionRegistry), shared by reference count, kept open in the
// background until saved, and the app-wide connection state they add up to.
import { DocumentId, isWorkspaceIndexDocumentId } from '@symphony/schemas';
import type { UnsavedWork } from '../core/pending-changes.js';
import type { UserProfile } from '../core/user-profile.js';
import { lightColor } from '../core/user-profile.js';
import {
  ConnectionStatus,
  DocumentSession,
  type DocumentSessionOptions,
  documentsWithPendingChanges,
  type OfflineReason,
} from './document-session.js';

/** The connection state of everything open at once, for the app-wide indicator. */
export interface AggregateState {
  readonly status: ConnectionStatus;
  readonly offlineReason: OfflineReason | null;
  /** Unsaved local changes summed over every open document, including background ones. */
  readonly unsaved: number;
  /** The same as a person counts it: documents with unsaved changes, and the document list. */
  readonly unsavedWork: UnsavedWork;
}

/** Options for {@link SessionRegistry}. */
export type SessionRegistryOptions = Omit<DocumentSessionOptions, 'persistLocally'> & {
  /** Who this person is to collaborators. */
  readonly profile: UserProfile;
};

interface Entry {
  readonly session: DocumentSession;
  refs: number;
  /** Whether this holder shows the person's presence (cursor, name) to collaborators. */
  presence: number;
  unsubscribe: () => void;
}

/**
 * Owns every open {@link DocumentSession}, shared by reference count, so the document view, the
 * home list and background work use one `Y.Doc` per document.
 *
 * A document released while it still has unsaved changes stays open in the background until the
 * server has saved them; at start-up, documents with unsaved changes from an earlier visit are
 * opened the same way. Network state and the person's profile are applied to every session.
 */
export class SessionRegistry {
  private readonly entries = new Map<DocumentId, Entry>();
  private readonly listeners = new Set<() => void>();
  private networkAvailable: boolean;
  private profileValue: UserProfile;
  private aggregate: AggregateState;

  constructor(private readonly options: SessionRegistryOptions) {
    this.networkAvailable = options.networkAvailable;
    this.profileValue = options.profile;
    this.aggregate = this.computeAggregate();
  }

  /** The person's profile as collaborators see it. */
  get profile(): UserProfile {
    return this.profileValue;
  }

  /** The app-wide connection state. */
  get state(): AggregateState {
    return this.aggregate;
  }

  /** Whether any open document has changes the server has not saved. */
  get hasUnsavedChanges(): boolean {
    return this.aggregate.unsaved > 0;
  }

  /**
   * Opens (or shares) the session for `id`. Each call must be paired with one
   * {@link SessionRegistry.release}. With `presence`, the person's cursor and name are published.
   */
  acquire(id: DocumentId, { presence = true }: { presence?: boolean } = {}): DocumentSession {
    let entry = this.entries.get(id);
    if (entry === undefined) {
      const session = new DocumentSession(id, {
        serverUrl: this.options.serverUrl,
        store: this.options.store,
        userId: this.options.userId ?? null,
        networkAvailable: this.networkAvailable,
        ...(this.options.WebSocketPolyfill === undefined
          ? {}
          : { WebSocketPolyfill: this.options.WebSocketPolyfill }),
        ...(this.options.token === undefined ? {} : { token: this.options.token }),
        ...(this.options.refreshToken === undefined ? {} : { refreshToken: this.options.refreshToken }),
      });
      session.awareness.setLocalState(null);
      const created: Entry = { session, refs: 0, presence: 0, unsubscribe: () => {} };
      created.unsubscribe = session.subscribe(() => this.onSessionChange(id));
      this.entries.set(id, created);
      entry = created;
    }
    entry.refs++;
    if (presence) {
      entry.presence++;
      if (entry.presence === 1) this.publishPresence(entry.session);
    }
    this.refresh();
    return entry.session;
  }

  /** Gives back a session from {@link SessionRegistry.acquire} (with the same `presence`). */
  release(id: DocumentId, { presence = true }: { presence?: boolean } = {}): void {
    const entry = this.entries.get(id);
    if (entry === undefined || entry.refs === 0) return;
    entry.refs--;
    if (presence && entry.presence > 0) {
      entry.presence--;
      if (entry.presence === 0) entry.session.awareness.setLocalState(null);
    }
    this.closeIfIdle(id);
  }

  /**
   * Opens, in the background, every document with unsaved changes from an earlier visit, so they
   * reach the server without the person opening each one.
   */
  resumePendingDocuments(): void {
    for (const raw of documentsWithPendingChanges(this.options.store, this.options.userId ?? null)) {
      const id = DocumentId.safeParse(raw);
      if (!id.success || this.entries.has(id.data)) continue;
      this.acquire(id.data, { presence: false });
      this.release(id.data, { presence: false });
    }
  }

  /** Closes `id` wherever it is open and erases this browser's copy (after a delete). */
  async forget(id: DocumentId): Promise<void> {
    const entry = this.entries.get(id);
    this.entries.delete(id);
    entry?.unsubscribe();
    if (entry !== undefined) {
      await entry.session.eraseLocalCopy();
    } else {
      const session = new DocumentSession(id, {
        serverUrl: this.options.serverUrl,
        store: this.options.store,
        userId: this.options.userId ?? null,
        networkAvailable: false,
      });
      await session.eraseLocalCopy();
    }
    this.refresh();
  }

  /** Closes every session (before this account's local databases are removed at sign-out). */
  async closeAll(): Promise<void> {
    const entries = [...this.entries.values()];
    this.entries.clear();
    for (const entry of entries) entry.unsubscribe();
    await Promise.all(entries.map((entry) => entry.session.destroy()));
    this.refresh();
  }

  /** The open session of `id`, if any. */
  peek(id: DocumentId): DocumentSession | undefined {
    return this.entries.get(id)?.session;
  }

  /**
   * Reconnects `id` now with the current token (its registration with OFB just succeeded), or every
   * session when `id` is omitted (after a sign-in or a token refresh).
   */
  reconnect(id?: DocumentId): void {
    if (id !== undefined) {
      this.entries.get(id)?.session.reconnect();
      return;
    }
    for (const { session } of this.entries.values()) session.reconnect();
  }

  /** Gives every session the current token for its next connection. */
  updateToken(): void {
    for (const { session } of this.entries.values()) session.updateToken();
  }

  /** Applies the browser's online/offline state to every session. */
  setNetworkAvailable(available: boolean): void {
    this.networkAvailable = available;
    for (const { session } of this.entries.values()) session.setNetworkAvailable(available);
    this.refresh();
  }

  /** Changes the person's profile and republishes it to every document showing their presence. */
  setProfile(profile: UserProfile): void {
    this.profileValue = profile;
    for (const entry of this.entries.values()) {
      if (entry.presence > 0) this.publishPresence(entry.session);
    }
    this.refresh();
  }

  /** Calls `listener` when {@link SessionRegistry.state} or the profile changes. */
  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private publishPresence(session: DocumentSession): void {
    const { name, color } = this.profileValue;
    // setLocalStateField would do nothing while the state is null (no presence yet).
    session.awareness.setLocalState({
      ...session.awareness.getLocalState(),
      user: { name, color, colorLight: lightColor(color) },
    });
  }

  private onSessionChange(id: DocumentId): void {
    this.closeIfIdle(id);
    this.refresh();
  }

  /** Destroys a session nobody holds once it has nothing left to send. */
  private closeIfIdle(id: DocumentId): void {
    const entry = this.entries.get(id);
    if (entry === undefined || entry.refs > 0) return;
    const { loaded, unsaved } = entry.session.snapshot;
    if (!loaded || unsaved > 0) return;
    this.entries.delete(id);
    entry.unsubscribe();
    void entry.session.destroy();
    this.refresh();
  }

  private computeAggregate(): AggregateState {
    let unsaved = 0;
    let documents = 0;
    let list = false;
    let offline: OfflineReason | null = null;
    let syncing = false;
    for (const [id, { session }] of this.entries) {
      const s = session.snapshot;
      unsaved += s.unsaved;
      if (s.unsaved > 0 && isWorkspaceIndexDocumentId(id)) list = true;
      else if (s.unsaved > 0) documents++;
      if (s.status === ConnectionStatus.offline) offline ??= s.offlineReason;
      if (s.status === ConnectionStatus.syncing) syncing = true;
    }
    if (!this.networkAvailable) offline = 'network';
    const status =
      offline !== null
        ? ConnectionStatus.offline
        : syncing || unsaved > 0
          ? ConnectionStatus.syncing
          : ConnectionStatus.online;
    return { status, offlineReason: offline, unsaved, unsavedWork: { documents, list } };
  }

  private refresh(): void {
    this.aggregate = this.computeAggregate();
    for (const listener of [...this.listeners]) listener();
  }
}
