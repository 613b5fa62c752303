// The /automerge endpoint of the sync-server: automerge-repo's websocket protocol behind a strict
// check of every frame and the shared pre-authorization gate, frames delivered in order once allowed.
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { cbor, type PeerId, type StorageAdapterInterface } from '@automerge/automerge-repo';
import { CloseCode } from '@symphony/schemas';
import WebSocket, { WebSocketServer } from 'ws';
import {
  type Access,
  type AccessControl,
  canWrite,
  closeCodeFor,
  type Denial,
  DenialReason,
} from '../access/AccessControl.js';
import { expOfJwt, subOfJwt, whenExpired } from '../access/expiry.js';
import { OpenAccess } from '../access/OpenAccess.js';
import {
  DEFAULT_AUTHORIZATION,
  PreAuthorization,
  type PreAuthorizationLimits,
} from '../access/pre-authorization.js';
import { Revalidator } from '../access/Revalidator.js';
import type { Logger } from '../logger.js';
import { stampBoardPresence } from '../presence.js';
import {
  type AutomergeConnection,
  type DocumentAccess,
  isOpen,
  type QueuedFrame,
} from './automerge-connection.js';
import {
  type AutomergeRejection,
  checkSyncChanges,
  DEFAULT_SYNC_DATA_BUDGET,
  decodeSyncChanges,
  readAutomergeFrame,
  type SyncDataBudget,
} from './automerge-message.js';
import { CheckedWebSocketServerAdapter } from './checked-adapter.js';
import { RefusalNotices } from './refusal-notices.js';
import { ServerRepo } from './server-repo.js';

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
  /** Who may open which document; {@link OpenAccess} (tests and benchmarks only) unless told. */
  access?: AccessControl;
  /** Re-checks open (connection, document) pairs; one of its own over `access` unless told. */
  revalidator?: Revalidator;
  /** Frames, bytes and time a connection may spend waiting for authorization (4408 past them). */
  authorization?: PreAuthorizationLimits;
  /** What checking one frame's sync data may cost (4424 past it); {@link DEFAULT_SYNC_DATA_BUDGET} unless told. */
  syncDataBudget?: SyncDataBudget;
}

/**
 * The id OFB is asked about when an `/automerge` connection opens, before it names any document:
 * no resource has it (OFB ids are UUIDs and `workspace-…`), so OFB, which checks the token before
 * the resource, answers 401 for a bad token and 404 (or 403) for a good one.
 */
const TOKEN_PROBE = 'symphony-token-check';

/** A CBOR map decoded to a plain object. */
const isMap = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Uint8Array);

/**
 * Starts a server-side automerge-repo `Repo` that syncs any document a client asks for, as the
 * automerge-repo sync-server does (it announces nothing on its own), so a stock client with
 * `WebSocketClientAdapter('ws://HOST:PORT/automerge')` syncs unchanged.
 */
export function startAutomergeEndpoint(options: AutomergeEndpointOptions): AutomergeEndpoint {
  return new AutomergeEndpoint(options);
}

/**
 * The automerge-repo endpoint of the sync-server, mounted on its HTTP server's upgrades (see
 * {@link startAutomergeEndpoint}). Each frame is read once by `readAutomergeFrame` (a frame that
 * fails closes its connection with a named code), then waits in its connection's queue until the
 * token, and the document it names, are authorized; its sync data is then checked within the
 * budget, and its changes admitted or refused, before automerge-repo sees it.
 */
export class AutomergeEndpoint {
  private readonly log: Logger;
  private readonly peerId: PeerId;
  private readonly saveDebounceMs: number;
  private readonly access: AccessControl;
  private readonly ownRevalidator: Revalidator | undefined;
  private readonly revalidator: Revalidator;
  private readonly limits: PreAuthorizationLimits;
  private readonly syncDataBudget: SyncDataBudget;
  /** Sync data being checked: `close()` lets these finish, so a frame received is not lost. */
  private readonly checking = new Set<Promise<void>>();
  private readonly wss: WebSocketServer;
  private readonly byWebSocket = new WeakMap<WebSocket, AutomergeConnection>();
  private readonly adapter: CheckedWebSocketServerAdapter;
  private readonly server: ServerRepo;

  constructor(options: AutomergeEndpointOptions) {
    this.log = options.log;
    this.peerId = (options.peerId ?? 'symphony-sync-server') as PeerId;
    this.saveDebounceMs = options.saveDebounceMs ?? 20;
    this.access = options.access ?? new OpenAccess();
    this.ownRevalidator = options.revalidator
      ? undefined
      : new Revalidator(this.access, DEFAULT_AUTHORIZATION.authRecheckMs, this.log);
    this.revalidator = options.revalidator ?? this.ownRevalidator!;
    this.limits = options.authorization ?? DEFAULT_AUTHORIZATION;
    this.syncDataBudget = options.syncDataBudget ?? DEFAULT_SYNC_DATA_BUDGET;
    this.wss = new WebSocketServer({ noServer: true, maxPayload: options.maxMessageBytes });
    this.adapter = new CheckedWebSocketServerAdapter(this.wss, (frame, ws, deliver) =>
      this.onFrame(frame, ws, deliver),
    );
    this.server = new ServerRepo({
      network: this.adapter,
      storage: options.storage,
      peerId: this.peerId,
      saveDebounceMs: this.saveDebounceMs,
      log: this.log,
      loadTimeoutMs: this.limits.timeoutMs,
      openers: (documentId) => this.openers(documentId),
      resume: (connection) => this.pump(connection),
    });
  }

  /** Takes over one HTTP upgrade request for `/automerge`. */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    // The handshake waits for the adapter, so no frame can arrive before it listens.
    void this.adapter.connected.then(() => this.accept(req, socket, head));
  }

  /** Documents automerge-repo holds in memory. */
  get documents(): number {
    return this.server.documents;
  }

  /** Open websocket connections. */
  get connections(): number {
    return this.wss.clients.size;
  }

  /**
   * Closes every connection (1001), stores every document, waits one save interval for
   * automerge-repo's throttled writes, then stops.
   */
  async close(): Promise<void> {
    const { wss, server } = this;
    this.ownRevalidator?.close();
    // Until the repo has connected the adapter, the adapter would start its keep-alive timer later.
    await Promise.race([this.adapter.connected, new Promise((resolve) => setTimeout(resolve, 1000))]);
    // Frames whose sync data is being checked reach the repo before their sockets close.
    await Promise.allSettled([...this.checking]);
    for (const ws of wss.clients) ws.close(CloseCode.ServerShutdown.code, CloseCode.ServerShutdown.reason);
    await server.flush();
    // Sync states and a save already in flight are written on automerge-repo's throttle.
    await new Promise((resolve) => setTimeout(resolve, this.saveDebounceMs + 10));
    await server.flush();
    // A peer that does not answer the close frame is not waited for (ws would wait 30 s).
    const stragglers = setTimeout(() => {
      for (const ws of wss.clients) ws.terminate();
    }, 1000);
    await new Promise<void>((resolve) => wss.close(() => resolve()));
    clearTimeout(stragglers);
    server.repo.networkSubsystem.disconnect();
  }

  /** Accepts the websocket, starts its wait for authorization and asks about its token. */
  private accept(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const token = new URL(req.url ?? '/', 'http://localhost').searchParams.get('token') ?? '';
    this.wss.handleUpgrade(req, socket, head, (ws) => {
      const remote = `${req.socket.remoteAddress}:${req.socket.remotePort}`;
      const connection: AutomergeConnection = {
        ws,
        remote,
        token,
        gate: new PreAuthorization({
          limits: this.limits,
          token,
          authorize: (t, resourceId) => this.access.authorize(t, resourceId),
          watch: (watched) => this.revalidator.watch(watched),
          raw: req.socket,
          awaiting: 'the token was checked',
          refuse: (close, detail) => this.reject(connection, { close, detail }),
          isOpen: () => isOpen(connection),
        }),
        authenticated: false,
        documents: new Map(),
        queue: [],
        queuedBytes: 0,
        stopExpiry: () => {},
        exp: Number.NaN,
        notices: new RefusalNotices(),
      };
      this.byWebSocket.set(ws, connection);
      ws.on('close', () => {
        connection.queue.length = 0;
        connection.stopExpiry();
        connection.gate.close();
      });
      // Registered before the adapter's own listener, so a text frame closes the connection
      // before the adapter is handed it (and then drops it, the socket being closed).
      ws.on('message', (_data, isBinary) => {
        if (!isBinary) this.reject(connection, { close: CloseCode.MalformedMessage, detail: 'text frame' });
      });
      ws.on('error', (error: Error & { code?: string }) => this.onError(connection, error));
      this.wss.emit('connection', ws, req);
      this.authenticate(connection);
    });
  }

  private onError(connection: AutomergeConnection, error: Error & { code?: string }): void {
    // `ws` has already closed the socket (with 1009 for an oversized frame); say why.
    const tooBig = error.code === 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH';
    this.log.warn(
      tooBig
        ? `closing automerge connection: ${CloseCode.MessageTooBig.reason}`
        : 'automerge connection error',
      {
        remote: connection.remote,
        code: tooBig ? CloseCode.MessageTooBig.code : undefined,
        detail: error.message,
      },
    );
  }

  /** One frame the adapter received: read and checked, then queued behind the frames before it. */
  private onFrame(frame: Uint8Array, ws: WebSocket, deliver: (frame: Uint8Array) => void): void {
    const connection = this.byWebSocket.get(ws);
    if (!connection) return;
    connection.deliver = deliver;
    const read = readAutomergeFrame(frame, connection, this.peerId);
    if (!('message' in read)) {
      if ('close' in read) this.reject(connection, read);
      return;
    }
    const { queue } = connection;
    queue.push({ frame, message: read.message, ephemeralData: read.ephemeralData, bytes: frame.byteLength });
    connection.queuedBytes += frame.byteLength;
    this.pump(connection);
    if (!connection.gate.admits(queue.length, connection.queuedBytes)) {
      this.reject(connection, {
        close: CloseCode.UnauthenticatedLimit,
        detail: `${queue.length} frames (${connection.queuedBytes} bytes) waiting for authorization`,
      });
    }
  }

  /** Delivers queued frames, in order, until one waits for an authorization that has not settled. */
  private pump(connection: AutomergeConnection): void {
    const { queue } = connection;
    while (queue.length > 0 && isOpen(connection)) {
      if (!connection.authenticated) return;
      const next = queue[0]!;
      const documentId = next.message.documentId;
      let granted: Access | undefined;
      if (typeof documentId === 'string') {
        const entry = connection.documents.get(documentId);
        if (!entry) {
          this.authorizeDocument(connection, documentId);
          return;
        }
        if (!entry.access) return;
        granted = entry.access;
      }
      const hasSyncData = next.message.type === 'sync' || next.message.type === 'request';
      if (granted && hasSyncData && next.decoded !== 'done') {
        if (next.decoded === 'pending' || !this.decodeGranted(connection, next)) return;
      }
      // Set once granted (above) for a message with sync data: what every check below reads.
      const { changes } = next;
      if (granted && changes && this.server.needsLoadedCopy(documentId as string, changes, granted)) {
        this.server.loadCopy(connection, documentId as string);
        return;
      }
      queue.shift();
      connection.queuedBytes -= next.bytes;
      if (next.message.type === 'join' && !this.mayJoinAs(connection, next.message.senderId as string))
        return;
      if (granted && !this.server.admit(connection, documentId as string, changes, granted)) {
        this.server.releaseUnready(documentId as string);
        continue;
      }
      if (granted && changes && changes.length > 0 && canWrite(granted.role))
        this.server.recordWriter(documentId as string, granted.userId);
      const frame =
        granted && next.message.type === 'ephemeral' ? this.stampEphemeral(next, granted) : next.frame;
      if (frame) connection.deliver?.(frame);
    }
  }

  /**
   * Decodes a queued `sync` / `request` message's data (once: its changes stay on the entry) and
   * checks it within {@link syncDataBudget}: only once the connection may open its document, so
   * that nobody can make the server inflate chunks for a document they cannot open. Whether it
   * passed at once; a refusal closes the connection. When the check takes a while (large deflated
   * parts), the message waits with its bytes no longer counted towards those waiting for
   * authorization, and the queue is pumped on once it passes.
   */
  private decodeGranted(connection: AutomergeConnection, entry: QueuedFrame): boolean {
    const changes = decodeSyncChanges(entry.message.data as Uint8Array);
    if (!Array.isArray(changes)) {
      this.reject(connection, changes);
      return false;
    }
    entry.changes = changes;
    const check = checkSyncChanges(changes, this.syncDataBudget);
    if ('verdict' in check) {
      if (check.verdict) this.reject(connection, check.verdict);
      else entry.decoded = 'done';
      return check.verdict === undefined;
    }
    entry.decoded = 'pending';
    connection.queuedBytes -= entry.bytes;
    entry.bytes = 0;
    const pending = check.pending
      .then((refused) => {
        if (!isOpen(connection)) return;
        if (refused) return this.reject(connection, refused);
        entry.decoded = 'done';
        this.pump(connection);
      })
      .catch((error: unknown) =>
        this.log.error('automerge frame failed after its check', { error: String(error) }),
      )
      .finally(() => this.checking.delete(pending));
    this.checking.add(pending);
    return false;
  }

  /**
   * An ephemeral message (board presence, a run broadcast) re-encoded by `stampBoardPresence`:
   * `user.id` and `user.name` set to the connection's user (`Access.userId` / `userName`), so nobody
   * can appear on a board as someone else, and every other field cleaned to the `BoardPresence`
   * schema (a hostile colour, pointer or selection never reaches another board). A run broadcast
   * that is not a valid `BoardRun` is `undefined`: dropped, relayed to nobody, the connection left
   * open. Data that is not a map with `user` (a `board-leave`) passes unchanged.
   */
  private stampEphemeral(entry: QueuedFrame, granted: Access): Uint8Array | undefined {
    const data = entry.ephemeralData;
    if (!isMap(data)) return entry.frame;
    const stamped = stampBoardPresence(data, granted);
    if (stamped === undefined) return undefined;
    return stamped === data ? entry.frame : cbor.encode({ ...entry.message, data: cbor.encode(stamped) });
  }

  /**
   * Whether `connection` may join as `peerId`. The stock adapter closes the socket that holds a peer
   * id when another joins with it, so anyone with a token could disconnect anyone whose peer id
   * they learnt (ephemeral messages carry it) again and again. A peer id held by another user's
   * socket is refused (the newcomer is closed with 4409); the same user may take it over (a stock
   * client reconnecting before the server noticed its old socket died).
   */
  private mayJoinAs(connection: AutomergeConnection, peerId: string): boolean {
    const holder = this.adapter.sockets[peerId as PeerId] as WebSocket | undefined;
    if (!holder || holder === connection.ws) return true;
    const held = this.byWebSocket.get(holder);
    if (held && held.userId !== undefined && held.userId === connection.userId) return true;
    if (holder.readyState === WebSocket.CLOSED) return true;
    this.reject(connection, {
      close: CloseCode.UnexpectedPeer,
      detail: 'peer id held by another connection',
    });
    return false;
  }

  /** Checks the token before the connection names a document (see {@link TOKEN_PROBE}). */
  private authenticate(connection: AutomergeConnection): void {
    connection.gate.ask(TOKEN_PROBE, (answer) => {
      if (answer.ok || answer.reason === DenialReason.unknown || answer.reason === DenialReason.forbidden) {
        connection.authenticated = true;
        connection.gate.accepted();
        connection.userId = answer.ok ? answer.userId : subOfJwt(connection.token);
        // Closed when the token expires even if it never names a document.
        const exp = answer.ok ? answer.exp : expOfJwt(connection.token);
        if (exp !== undefined) this.expireAt(connection, exp);
        this.pump(connection);
        return;
      }
      this.reject(connection, { close: closeCodeFor(answer.reason), detail: answer.message });
    });
  }

  /** Asks whether the connection may open `documentId`; its frames wait meanwhile. */
  private authorizeDocument(connection: AutomergeConnection, documentId: string): void {
    const entry: DocumentAccess = {};
    connection.documents.set(documentId, entry);
    const onAnswer = (answer: Access | Denial) => {
      if (!isOpen(connection)) return;
      if (!answer.ok) {
        this.reject(connection, {
          close: closeCodeFor(answer.reason),
          detail: `${documentId}: ${answer.message}`,
        });
        return;
      }
      if (entry.access && entry.access.role !== answer.role)
        this.log.info('role changed', { remote: connection.remote, documentId, role: answer.role });
      entry.access = answer;
      this.expireAt(connection, answer.exp);
    };
    connection.gate.authorize(
      documentId,
      onAnswer,
      () => this.pump(connection),
      `no authorization for ${documentId} within ${this.limits.timeoutMs} ms`,
    );
  }

  /** Closes the connection with 4419 when `exp` (seconds since the epoch) passes. */
  private expireAt(connection: AutomergeConnection, exp: number): void {
    if (exp === connection.exp) return;
    connection.exp = exp;
    connection.stopExpiry();
    connection.stopExpiry = whenExpired(exp, () =>
      this.reject(connection, { close: CloseCode.TokenExpired, detail: 'the token expired' }),
    );
  }

  /** The connections whose access to `documentId` is granted. */
  private *openers(documentId: string): Iterable<AutomergeConnection> {
    for (const ws of this.wss.clients) {
      const connection = this.byWebSocket.get(ws);
      if (connection?.documents.get(documentId)?.access) yield connection;
    }
  }

  /** Closes a connection with the rejection's code, and logs why. */
  private reject(connection: AutomergeConnection, { close, detail }: AutomergeRejection): void {
    this.log.warn(`closing automerge connection: ${close.reason}`, {
      remote: connection.remote,
      code: close.code,
      detail,
    });
    connection.ws.close(close.code, close.reason);
  }
}
