import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { type PeerId, Repo, type StorageAdapterInterface } from '@automerge/automerge-repo';
import { WebSocketServerAdapter } from '@automerge/automerge-repo-network-websocket';
import { CloseCode } from '@symphony/schemas';
import WebSocket, { WebSocketServer } from 'ws';
import {
  type AutomergePeerState,
  type AutomergeRejection,
  checkAutomergeFrame,
} from './automerge-message.js';
import type { Logger } from './logger.js';

/** What {@link startAutomergeEndpoint} needs. */
export interface AutomergeEndpointOptions {
  /** Where documents are stored: automerge-repo's own storage port. */
  storage: StorageAdapterInterface;
  log: Logger;
  /** Frames larger than this close their connection with 1009 before they are buffered. */
  maxMessageBytes: number;
  /** The server's automerge-repo peer id; `symphony-sync-server` unless told. */
  peerId?: string;
  /**
   * How long automerge-repo waits to batch a document's changes into one storage write. 20 ms
   * (automerge-repo's default is 100) keeps the window in which a killed server loses received
   * changes short, at no more than 50 writes a second per busy document.
   */
  saveDebounceMs?: number;
}

/** The automerge-repo endpoint of the sync-server, mounted on its HTTP server's upgrades. */
export interface AutomergeEndpoint {
  /** Takes over one HTTP upgrade request for `/automerge`. */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void;
  /** Documents automerge-repo holds in memory. */
  readonly documents: number;
  /** Open websocket connections. */
  readonly connections: number;
  /**
   * Closes every connection (1001), stores every document, waits one save interval for
   * automerge-repo's throttled writes, then stops.
   */
  close(): Promise<void>;
}

/**
 * The stock server adapter with a gate in front: each frame is checked by
 * {@link checkAutomergeFrame} first, and a frame that fails closes its connection with a named
 * code; automerge-repo never sees it. Frames from a connection already closing are dropped.
 */
class CheckedWebSocketServerAdapter extends WebSocketServerAdapter {
  readonly #check: (frame: Uint8Array, socket: WebSocket) => boolean;
  #connected!: () => void;
  /**
   * Resolves once the repo has connected the adapter (after it has read its storage id), which is
   * when the adapter starts listening for connections: a socket accepted earlier would be ignored.
   */
  readonly connected = new Promise<void>((resolve) => {
    this.#connected = resolve;
  });

  constructor(server: WebSocketServer, check: (frame: Uint8Array, socket: WebSocket) => boolean) {
    // isomorphic-ws declares the same `ws` class through a differently shaped module type.
    super(server as unknown as ConstructorParameters<typeof WebSocketServerAdapter>[0]);
    this.#check = check;
  }

  override connect(...args: Parameters<WebSocketServerAdapter['connect']>): void {
    super.connect(...args);
    this.#connected();
  }

  override receiveMessage(messageBytes: Uint8Array, socket: WebSocket): void {
    if (socket.readyState !== WebSocket.OPEN || !this.#check(messageBytes, socket)) return;
    super.receiveMessage(messageBytes, socket);
  }
}

/**
 * Starts a server-side automerge-repo `Repo` that syncs any document a client asks for, as the
 * automerge-repo sync-server does (it announces nothing on its own), so a stock client with
 * `WebSocketClientAdapter('ws://HOST:PORT/automerge')` syncs unchanged.
 */
export function startAutomergeEndpoint(options: AutomergeEndpointOptions): AutomergeEndpoint {
  const { log, storage } = options;
  const peerId = (options.peerId ?? 'symphony-sync-server') as PeerId;
  const saveDebounceMs = options.saveDebounceMs ?? 20;
  const wss = new WebSocketServer({ noServer: true, maxPayload: options.maxMessageBytes });
  const peers = new WeakMap<WebSocket, AutomergePeerState & { remote: string }>();

  const reject = (ws: WebSocket, remote: string, { close, detail }: AutomergeRejection) => {
    log.warn(`closing automerge connection: ${close.reason}`, { remote, code: close.code, detail });
    ws.close(close.code, close.reason);
  };

  const adapter = new CheckedWebSocketServerAdapter(wss, (frame, ws) => {
    const state = peers.get(ws);
    if (!state) return false;
    const verdict = checkAutomergeFrame(frame, state, peerId);
    if (verdict === undefined) return true;
    if ('close' in verdict) reject(ws, state.remote, verdict);
    return false;
  });
  const repo = new Repo({
    network: [adapter],
    storage,
    peerId,
    sharePolicy: async () => false,
    saveDebounceRate: saveDebounceMs,
  });

  return {
    handleUpgrade(req, socket, head) {
      // The handshake waits for the adapter, so no frame can arrive before it listens.
      void adapter.connected.then(() => accept(req, socket, head));
    },
    get documents() {
      return Object.keys(repo.handles).length;
    },
    get connections() {
      return wss.clients.size;
    },
    async close() {
      // Until the repo has connected the adapter, the adapter would start its keep-alive timer later.
      await Promise.race([adapter.connected, new Promise((resolve) => setTimeout(resolve, 1000))]);
      for (const ws of wss.clients) ws.close(CloseCode.ServerShutdown.code, CloseCode.ServerShutdown.reason);
      await flush();
      // Sync states and a save already in flight are written on automerge-repo's throttle.
      await new Promise((resolve) => setTimeout(resolve, saveDebounceMs + 10));
      await flush();
      // A peer that does not answer the close frame is not waited for (ws would wait 30 s).
      const stragglers = setTimeout(() => {
        for (const ws of wss.clients) ws.terminate();
      }, 1000);
      await new Promise<void>((resolve) => wss.close(() => resolve()));
      clearTimeout(stragglers);
      repo.networkSubsystem.disconnect();
    },
  };

  /** `repo.flush()` throws on a handle that is not ready (unavailable, still loading): skip those. */
  function flush(): Promise<void> {
    const ready = Object.values(repo.handles).filter((handle) => handle.isReady());
    return repo.flush(ready.map((handle) => handle.documentId));
  }

  function accept(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    wss.handleUpgrade(req, socket, head, (ws) => {
      const remote = `${req.socket.remoteAddress}:${req.socket.remotePort}`;
      peers.set(ws, { remote });
      // Registered before the adapter's own listener, so a text frame closes the connection
      // before the adapter is handed it (and then drops it, the socket being closed).
      ws.on('message', (_data, isBinary) => {
        if (!isBinary) reject(ws, remote, { close: CloseCode.MalformedMessage, detail: 'text frame' });
      });
      ws.on('error', (error: Error & { code?: string }) => {
        // `ws` has already closed the socket (with 1009 for an oversized frame); say why.
        const tooBig = error.code === 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH';
        log.warn(
          tooBig
            ? `closing automerge connection: ${CloseCode.MessageTooBig.reason}`
            : 'automerge connection error',
          {
            remote,
            code: tooBig ? CloseCode.MessageTooBig.code : undefined,
            detail: error.message,
          },
        );
      });
      wss.emit('connection', ws, req);
    });
  }
}
