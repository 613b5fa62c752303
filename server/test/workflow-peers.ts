// Workflow replicas for the convergence test: stock automerge-repo peers with their own storage and the
// client's own WorkflowSync, each able to go offline and come back with its edits.
import type { DocHandle, DocumentId } from '@automerge/automerge-repo';
import { cbor, Repo, stringifyAutomergeUrl } from '@automerge/automerge-repo';
import { WebSocketClientAdapter } from '@automerge/automerge-repo-network-websocket';
import type { Workflow } from '@symphony/schemas';
import { MemoryAutomergeStorage } from '@symphony/sync-server';
import { WorkflowSync } from '../../client/src/sync/workflow-sync.js';

/** What went wrong for a peer, as the server told it: close codes of 4400 and up, `error` messages. */
export interface PeerTrouble {
  readonly refusals: string[];
}

/** One replica of a workflow that can go offline, edit there, and come back with its edits. */
export interface WorkflowPeer extends PeerTrouble {
  readonly label: string;
  readonly online: boolean;
  /** The replica's current handle (it changes when a stock peer's repo is replaced). */
  readonly handle: DocHandle<Workflow>;
  setOnline(online: boolean): Promise<void>;
  close(): Promise<void>;
}

/**
 * Makes every `WebSocketClientAdapter` treat socket errors as a browser does, until the returned
 * function is called. Under Node the stock adapter rethrows any socket error but ECONNREFUSED from
 * its event listener, and `ws` reports closing a socket that is still connecting as an `error`
 * that `disconnect()` has just removed the listener for; a browser throws in neither case. A
 * server killed with SIGKILL resets connections (ECONNRESET) and makes clients close sockets
 * mid-handshake, so both would be thrown as uncaught. The adapter reconnects on the `close` that
 * follows either way. Patched on the prototype because `WorkflowSync` builds its own adapters.
 */
export function browserLikeSocketErrors(): () => void {
  const proto = WebSocketClientAdapter.prototype;
  const { connect, disconnect } = proto;
  proto.connect = function (this: WebSocketClientAdapter, ...args) {
    this.onError = () => {};
    connect.apply(this, args);
  };
  proto.disconnect = function (this: WebSocketClientAdapter) {
    this.socket?.addEventListener('error', () => {});
    disconnect.apply(this);
  };
  return () => {
    Object.assign(proto, { connect, disconnect });
  };
}

/**
 * 500 ms between reconnection attempts (the stock default is 5 s). The stock adapter starts a new
 * attempt chain on every interval without ending the failed ones, so while the server is down the
 * attempts multiply with downtime / interval; shorter intervals turn a 3 s restart into a storm.
 */
const RETRY_MS = 500;

/**
 * The stock websocket adapter, made closable for good (its retry timer would otherwise revive the
 * socket after `disconnect()`), recording how the server closes it and the `error` messages it
 * sends. Sends nothing of its own.
 */
class StockAdapter extends WebSocketClientAdapter {
  #closed = false;
  constructor(
    url: string,
    private readonly trouble: PeerTrouble,
  ) {
    super(url, RETRY_MS);
  }

  override connect(...args: Parameters<WebSocketClientAdapter['connect']>): void {
    if (this.#closed) return;
    super.connect(...args);
    this.socket?.addEventListener('close', (e) => {
      if (e.code >= 4400) this.trouble.refusals.push(`closed with ${e.code} ${e.reason}`);
    });
  }

  override receiveMessage(messageBytes: Uint8Array): void {
    const message = cbor.decode(new Uint8Array(messageBytes)) as { type?: string; message?: string };
    if (message.type === 'error') this.trouble.refusals.push(`error: ${String(message.message)}`);
    super.receiveMessage(messageBytes);
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    if (this.socket !== undefined && this.peerId !== undefined) this.disconnect();
  }
}

/**
 * A stock automerge-repo client with its own storage (automerge-repo's storage port, kept in
 * memory) that outlives its repo: going offline shuts the networked repo down (flushing it) and
 * opens one without network on the same storage, so offline edits are made and stored there;
 * coming back opens a networked repo on that storage again, as a reloaded tab would.
 */
export class StockPeer implements WorkflowPeer {
  readonly refusals: string[] = [];
  readonly #storage = new MemoryAutomergeStorage();
  #repo: Repo;
  #adapter: StockAdapter | undefined;
  #handle: DocHandle<Workflow>;
  online = true;

  private constructor(
    readonly label: string,
    private readonly url: string,
    private readonly documentId: DocumentId,
    initial: Uint8Array,
  ) {
    this.#repo = this.#open(true);
    this.#handle = this.#repo.import<Workflow>(initial, { docId: documentId });
  }

  /** A peer holding `initial` (the workflow as registered), online at `url` (with `?token=`). */
  static start(label: string, url: string, documentId: DocumentId, initial: Uint8Array): StockPeer {
    return new StockPeer(label, url, documentId, initial);
  }

  get handle(): DocHandle<Workflow> {
    return this.#handle;
  }

  #open(online: boolean): Repo {
    this.#adapter = online ? new StockAdapter(this.url, this) : undefined;
    return new Repo({ storage: this.#storage, network: this.#adapter ? [this.#adapter] : [] });
  }

  async setOnline(online: boolean): Promise<void> {
    if (online === this.online) return;
    this.online = online;
    await this.#shutdown();
    this.#repo = this.#open(online);
    this.#handle = await this.#repo.find<Workflow>(this.documentId);
  }

  async #shutdown(): Promise<void> {
    this.#adapter?.close();
    this.#repo.networkSubsystem.adapters = [];
    await this.#repo.shutdown();
  }

  close(): Promise<void> {
    return this.#shutdown();
  }
}

/**
 * The client's own path: `WorkflowSync` (client/src/sync/workflow-sync.ts) with its IndexedDB
 * storage (fake-indexeddb under Node), going offline and back with `setNetworkAvailable`, as the
 * board does when the browser reports it.
 */
export class ClientPeer implements WorkflowPeer {
  /** Not observed: `WorkflowSync`'s adapter is its own; the stock peers beside it report refusals. */
  readonly refusals: string[] = [];
  online = true;

  private constructor(
    readonly label: string,
    private readonly sync: WorkflowSync,
    readonly handle: DocHandle<Workflow>,
  ) {}

  static async start(
    label: string,
    url: string,
    token: string,
    database: string,
    documentId: DocumentId,
    initial: Uint8Array,
  ): Promise<ClientPeer> {
    const sync = new WorkflowSync({
      url,
      networkAvailable: true,
      databaseName: database,
      token: () => token,
      isRegistered: () => true,
    });
    sync.repo.import<Workflow>(initial, { docId: documentId });
    const handle = await sync.find(stringifyAutomergeUrl(documentId));
    return new ClientPeer(label, sync, handle);
  }

  async setOnline(online: boolean): Promise<void> {
    this.online = online;
    this.sync.setNetworkAvailable(online);
  }

  async close(): Promise<void> {
    this.sync.setNetworkAvailable(false);
    await this.sync.repo.shutdown();
  }
}
