// The page's automerge-repo Repo for Workflows (WorkflowSync): IndexedDB storage and one websocket to
// the sync-server, closed offline, with the connection state and the server's refusals.
import {
  type AutomergeUrl,
  cbor,
  type DocHandle,
  isValidAutomergeUrl,
  type PeerId,
  parseAutomergeUrl,
  Repo,
  type StorageAdapterInterface,
} from '@automerge/automerge-repo';
import { WebSocketClientAdapter } from '@automerge/automerge-repo-network-websocket';
import { IndexedDBStorageAdapter } from '@automerge/automerge-repo-storage-indexeddb';
import { type ChangeRefusal, CloseCode, parseChangeRefusal, type Workflow } from '@symphony/schemas';
import { ConnectionStatus, type OfflineReason } from './document-session.js';

/** The IndexedDB database automerge-repo keeps this browser's workflows in, without accounts. */
export const WORKFLOW_DATABASE = 'symphony-workflows';

/** 2 s between reconnection attempts: a restarted server is found quickly, a dead one costs little. */
const RETRY_INTERVAL_MS = 2_000;

/** 8 KiB: far more than a refusal (`ChangeRefusal`: a short message, an id, a 200-character detail). */
const MAX_REFUSAL_BYTES = 8 * 1024;

/** How the workflows' connection stands, as shown to the person. */
export interface WorkflowSyncState {
  readonly status: ConnectionStatus;
  readonly offlineReason: OfflineReason | null;
}

/** A workflow URL that is not one, or a workflow that cannot be found. */
export class WorkflowUnavailableError extends Error {
  override name = 'WorkflowUnavailableError';
}

/**
 * The websocket adapter, made closable for good: once {@link ClosableWebSocketAdapter.close}d it
 * never reconnects (the stock adapter's retry timers would otherwise revive a socket after
 * `disconnect()`), so going offline really closes the socket and a new adapter replaces it later.
 */
class ClosableWebSocketAdapter extends WebSocketClientAdapter {
  private closed = false;

  constructor(
    url: string,
    retryInterval: number,
    /** Told the code of every close, so a 4401/4419 can get a fresh token. */
    private readonly onCloseCode: (code: number) => void,
    /** Told every refusal of changes the server sends (the stock adapter only logs `error` messages). */
    private readonly onRefusal: (refusal: ChangeRefusal) => void,
  ) {
    super(url, retryInterval);
  }

  override receiveMessage(messageBytes: Uint8Array): void {
    // Refusals are small; sync frames can be megabytes, which are not decoded twice.
    const refusal = messageBytes.byteLength <= MAX_REFUSAL_BYTES ? refusalIn(messageBytes) : undefined;
    if (refusal !== undefined) this.onRefusal(refusal);
    super.receiveMessage(messageBytes);
  }

  override connect(...args: Parameters<WebSocketClientAdapter['connect']>): void {
    if (this.closed) return;
    super.connect(...args);
    this.socket?.addEventListener('close', (e) => this.onCloseCode(e.code));
  }

  /**
   * Drops ephemeral messages from other peers that automerge-repo's DocSynchronizer re-gossips to
   * every peer but the sender: the server already relays each message to everyone, and the
   * sync-server closes a connection (4409) whose frames name another sender.
   */
  override send(message: Parameters<WebSocketClientAdapter['send']>[0]): void {
    if (message.type === 'ephemeral' && message.senderId !== this.peerId) return;
    super.send(message);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    if (this.socket !== undefined && this.peerId !== undefined) this.disconnect();
  }
}

/** Options for {@link WorkflowSync}. */
export interface WorkflowSyncOptions {
  /** The automerge-repo websocket endpoint, e.g. `ws://host/automerge`. */
  readonly url: string;
  /** Whether the browser currently reports a network. */
  readonly networkAvailable: boolean;
  /** Storage; IndexedDB in the browser. */
  readonly storage?: StorageAdapterInterface;
  /**
   * The IndexedDB database when `storage` is not given: the signed-in account's own
   * (`localStoreNames(userId).workflows`), so accounts never share workflows offline.
   */
  readonly databaseName?: string;
  /** The access token, sent as `?token=` on the websocket URL. */
  readonly token?: () => string | null;
  /**
   * The server closed the socket because the token is missing or expired (4401/4419): get a fresh
   * one (the caller then calls {@link WorkflowSync.updateToken}).
   */
  readonly onTokenRejected?: () => void;
  /**
   * Whether OFB knows workflow `documentId` yet. Unregistered workflows are not announced to the
   * server (it would refuse them); {@link WorkflowSync.registrationChanged} announces them later.
   */
  readonly isRegistered?: (documentId: string) => boolean;
}

/**
 * The page's one automerge-repo `Repo` for workflows: IndexedDB storage (so workflows open and
 * edit offline) and one websocket to the sync-server, opened on first use, closed while the
 * browser is offline and reopened when it is back. Tracks whether the server has every local change
 * of the open workflows, for the connection indicator.
 */
export class WorkflowSync {
  /** The repo; use {@link WorkflowSync.create} and {@link WorkflowSync.find} for workflows. */
  readonly repo: Repo;
  private adapter: ClosableWebSocketAdapter | null = null;
  private networkAvailable: boolean;
  private started = false;
  private readonly servers = new Set<PeerId>();
  private readonly watched = new Map<DocHandle<Workflow>, number>();
  private readonly listeners = new Set<() => void>();
  private readonly refusals = new Map<string, ChangeRefusal>();
  private readonly refusalListeners = new Set<(documentId: string) => void>();
  private current: WorkflowSyncState;

  constructor(private readonly options: WorkflowSyncOptions) {
    this.networkAvailable = options.networkAvailable;
    this.repo = new Repo({
      storage: options.storage ?? new IndexedDBStorageAdapter(options.databaseName ?? WORKFLOW_DATABASE),
      network: [],
      sharePolicy: async (_peerId, documentId) => {
        if (documentId === undefined) return true;
        // Asked inside `repo.create()`, before the caller has queued the new workflow's
        // registration: answer once the current task is done.
        await new Promise((resolve) => setTimeout(resolve, 0));
        return options.isRegistered?.(documentId) ?? true;
      },
    });
    this.repo.networkSubsystem.on('peer', ({ peerId }) => {
      this.servers.add(peerId);
      this.refresh();
    });
    this.repo.networkSubsystem.on('peer-disconnected', ({ peerId }) => {
      this.servers.delete(peerId);
      this.refresh();
    });
    this.current = this.compute();
  }

  /** The connection state of the workflows. */
  get state(): WorkflowSyncState {
    return this.current;
  }

  /** This browser's peer id (who sent an ephemeral message is named by it). */
  get peerId(): PeerId {
    return this.repo.peerId;
  }

  /** Creates a workflow document; returns its handle (already usable, stored locally). */
  create(workflow: Workflow): DocHandle<Workflow> {
    this.start();
    return this.repo.create<Workflow>(JSON.parse(JSON.stringify(workflow)) as Workflow);
  }

  /**
   * The workflow at `url`: from this browser's storage, else from the server. Rejects with
   * {@link WorkflowUnavailableError} when the URL is malformed or nobody has it.
   */
  async find(url: string, signal?: AbortSignal): Promise<DocHandle<Workflow>> {
    if (!isValidAutomergeUrl(url)) throw new WorkflowUnavailableError(`“${url}” is not a workflow address.`);
    this.start();
    try {
      return await this.repo.find<Workflow>(url as AutomergeUrl, signal === undefined ? {} : { signal });
    } catch (error) {
      if (signal?.aborted) throw error;
      throw new WorkflowUnavailableError(
        this.networkAvailable
          ? 'This workflow has not reached the server yet. Whoever created it may still be offline, or the server refused it (their board says why).'
          : 'This workflow is not on this device, and the browser is offline.',
      );
    }
  }

  /** Removes a workflow from this browser (after it was deleted from the workspace). */
  forget(url: string): void {
    if (isValidAutomergeUrl(url)) this.repo.delete(url);
  }

  /**
   * Counts `handle` towards the indicator's state while the returned function has not been called:
   * "syncing" while the server has not acknowledged its latest heads.
   */
  watch(handle: DocHandle<Workflow>): () => void {
    this.watched.set(handle, (this.watched.get(handle) ?? 0) + 1);
    const onChange = (): void => this.refresh();
    handle.on('heads-changed', onChange);
    handle.on('remote-heads', onChange);
    this.refresh();
    return () => {
      handle.off('heads-changed', onChange);
      handle.off('remote-heads', onChange);
      const n = (this.watched.get(handle) ?? 1) - 1;
      if (n <= 0) this.watched.delete(handle);
      else this.watched.set(handle, n);
      this.refresh();
    };
  }

  /** A workflow's registration with OFB succeeded: share it with the server now. */
  registrationChanged(): void {
    this.repo.shareConfigChanged();
  }

  /** A new token: the socket is reopened with it (the URL carries the token). */
  updateToken(): void {
    if (this.adapter === null) return;
    this.disconnect();
    if (this.networkAvailable) this.connect();
    this.refresh();
  }

  /** Applies the browser's online/offline state: offline closes the socket, online opens a new one. */
  setNetworkAvailable(available: boolean): void {
    if (available === this.networkAvailable) return;
    this.networkAvailable = available;
    if (!this.started) {
      this.refresh();
      return;
    }
    if (available) this.connect();
    else this.disconnect();
    this.refresh();
  }

  /**
   * The server's latest refusal of this browser's changes to workflow `url` (a viewer's changes, an
   * invalid workflow, storage refusing them), until {@link WorkflowSync.dismissRefusal}; else undefined.
   */
  refusalOf(url: string): ChangeRefusal | undefined {
    return isValidAutomergeUrl(url)
      ? this.refusals.get(parseAutomergeUrl(url as AutomergeUrl).documentId)
      : undefined;
  }

  /** The person has read the refusal of workflow `url`: forget it until the server refuses again. */
  dismissRefusal(url: string): void {
    if (!isValidAutomergeUrl(url)) return;
    const documentId = parseAutomergeUrl(url as AutomergeUrl).documentId;
    if (!this.refusals.delete(documentId)) return;
    for (const listener of [...this.refusalListeners]) listener(documentId);
  }

  /** Calls `listener` with the workflow's document id whenever its refusal changes. */
  subscribeRefusals(listener: (documentId: string) => void): () => void {
    this.refusalListeners.add(listener);
    return () => this.refusalListeners.delete(listener);
  }

  /** Records a refusal the server sent (exposed for tests; the websocket adapter calls it). */
  receiveRefusal(refusal: ChangeRefusal): void {
    this.refusals.set(refusal.documentId, refusal);
    for (const listener of [...this.refusalListeners]) listener(refusal.documentId);
  }

  /** Calls `listener` whenever {@link WorkflowSync.state} may have changed. */
  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Whether the server holds every change of every watched workflow. */
  private serverHasEverything(): boolean {
    for (const handle of this.watched.keys()) {
      if (!handle.isReady()) continue;
      const heads = handle.heads();
      let acknowledged = false;
      for (const peer of this.servers) {
        const storageId = this.repo.getStorageIdOfPeer(peer);
        const remote = storageId === undefined ? undefined : handle.getSyncInfo(storageId)?.lastHeads;
        if (remote !== undefined && sameHeads(remote, heads)) acknowledged = true;
      }
      if (!acknowledged) return false;
    }
    return true;
  }

  private start(): void {
    if (this.started) return;
    this.started = true;
    if (this.networkAvailable) this.connect();
    this.refresh();
  }

  private connect(): void {
    if (this.adapter !== null) return;
    const token = this.options.token?.() ?? null;
    const url = token === null ? this.options.url : `${this.options.url}?token=${encodeURIComponent(token)}`;
    this.adapter = new ClosableWebSocketAdapter(
      url,
      RETRY_INTERVAL_MS,
      (code) => {
        if (code === CloseCode.Unauthenticated.code || code === CloseCode.TokenExpired.code)
          this.options.onTokenRejected?.();
      },
      (refusal) => this.receiveRefusal(refusal),
    );
    this.repo.networkSubsystem.addNetworkAdapter(this.adapter);
  }

  private disconnect(): void {
    const adapter = this.adapter;
    this.adapter = null;
    if (adapter === null) return;
    this.repo.networkSubsystem.adapters = this.repo.networkSubsystem.adapters.filter((a) => a !== adapter);
    adapter.close();
    this.servers.clear();
  }

  private compute(): WorkflowSyncState {
    if (!this.networkAvailable) return { status: ConnectionStatus.offline, offlineReason: 'network' };
    if (!this.started) return { status: ConnectionStatus.online, offlineReason: null };
    if (this.servers.size === 0) return { status: ConnectionStatus.offline, offlineReason: 'server' };
    return {
      status: this.serverHasEverything() ? ConnectionStatus.online : ConnectionStatus.syncing,
      offlineReason: null,
    };
  }

  private refresh(): void {
    const next = this.compute();
    if (next.status === this.current.status && next.offlineReason === this.current.offlineReason) return;
    this.current = next;
    for (const listener of [...this.listeners]) listener();
  }
}

/**
 * The refusal a frame from the server carries, or undefined (any other message, an `error` without
 * Symphony's fields, bytes that do not decode). Never throws: the stock adapter decodes it again.
 */
export function refusalIn(messageBytes: Uint8Array | ArrayBuffer): ChangeRefusal | undefined {
  let message: unknown;
  try {
    message = cbor.decode(new Uint8Array(messageBytes));
  } catch {
    return undefined;
  }
  return parseChangeRefusal(message);
}

function sameHeads(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((h) => b.includes(h));
}

/** The workflows' websocket endpoint: `VITE_AUTOMERGE_URL`, else `/automerge` on the app's origin. */
export function automergeServerUrl(location: Pick<Location, 'protocol' | 'host'>): string {
  const configured: unknown = import.meta.env.VITE_AUTOMERGE_URL;
  if (typeof configured === 'string' && configured !== '') return configured;
  return `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/automerge`;
}
