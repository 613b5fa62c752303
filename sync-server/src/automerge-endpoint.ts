import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { next as A } from '@automerge/automerge';
import {
  type DocumentId as AutomergeDocumentId,
  cbor,
  type HandleState,
  type PeerId,
  Repo,
  type StorageAdapterInterface,
} from '@automerge/automerge-repo';
import { WebSocketServerAdapter } from '@automerge/automerge-repo-network-websocket';
import { CloseCode } from '@symphony/schemas';
import WebSocket, { WebSocketServer } from 'ws';
import {
  type Access,
  type AccessControl,
  canWrite,
  closeCodeFor,
  type Denial,
  DenialReason,
} from './access/AccessControl.js';
import { expOfJwt, subOfJwt, whenExpired } from './access/expiry.js';
import { OpenAccess } from './access/OpenAccess.js';
import { Revalidator } from './access/Revalidator.js';
import {
  type AutomergePeerState,
  type AutomergeRejection,
  checkAutomergeFrame,
  checkSyncData,
  DEFAULT_SYNC_DATA_BUDGET,
  type SyncDataBudget,
} from './automerge-message.js';
import type { Logger } from './logger.js';
import { isPermanentRefusal } from './ofb-functions.js';
import { stampBoardPresence } from './presence.js';
import {
  invalidWorkflowRefusal,
  notApplicableRefusal,
  type Refusal,
  RefusalNotices,
  readOnlyRefusal,
  storageRefusal,
} from './refusal-notices.js';
import { limitUnauthorizedBytes } from './unauthorized-bytes.js';
import { watchedSaves } from './watched-storage.js';
import { addsNothing, checkWorkflowChanges } from './workflow-gate.js';

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
  authorization?: { readonly maxFrames: number; readonly maxBytes: number; readonly timeoutMs: number };
  /** What checking one frame's sync data may cost (4424 past it); {@link DEFAULT_SYNC_DATA_BUDGET} unless told. */
  syncDataBudget?: SyncDataBudget;
}

/**
 * The id OFB is asked about when an `/automerge` connection opens, before it names any document:
 * no resource has it (OFB ids are UUIDs and `workspace-…`), so OFB, which checks the token before
 * the resource, answers 401 for a bad token and 404 (or 403) for a good one.
 */
const TOKEN_PROBE = 'symphony-token-check';

/** Whether a `sync` / `request` message's sync data carries changes. */
function carriesChanges(message: Record<string, unknown>): boolean {
  if (message.type !== 'sync' && message.type !== 'request') return false;
  return A.decodeSyncMessage(message.data as Uint8Array).changes.length > 0;
}

/** A CBOR map decoded to a plain object. */
const isMap = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Uint8Array);

/** Handle states in which the repo is done loading from storage: ready, or storage had nothing. */
const SETTLED_STATES: readonly HandleState[] = ['ready', 'requesting', 'unavailable'];

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
 * code; automerge-repo never sees it. Then it waits, in order, until the connection is
 * authorized for the document it names. Frames from a connection already closing are dropped.
 */
class CheckedWebSocketServerAdapter extends WebSocketServerAdapter {
  readonly #check: (frame: Uint8Array, socket: WebSocket, deliver: (frame: Uint8Array) => void) => void;
  #connected!: () => void;
  /**
   * Resolves once the repo has connected the adapter (after it has read its storage id), which is
   * when the adapter starts listening for connections: a socket accepted earlier would be ignored.
   */
  readonly connected = new Promise<void>((resolve) => {
    this.#connected = resolve;
  });

  constructor(
    server: WebSocketServer,
    check: (frame: Uint8Array, socket: WebSocket, deliver: (frame: Uint8Array) => void) => void,
  ) {
    // isomorphic-ws declares the same `ws` class through a differently shaped module type.
    super(server as unknown as ConstructorParameters<typeof WebSocketServerAdapter>[0]);
    this.#check = check;
  }

  override connect(...args: Parameters<WebSocketServerAdapter['connect']>): void {
    super.connect(...args);
    this.#connected();
  }

  override receiveMessage(messageBytes: Uint8Array, socket: WebSocket): void {
    if (socket.readyState !== WebSocket.OPEN) return;
    this.#check(messageBytes, socket, (frame) => {
      if (socket.readyState === WebSocket.OPEN) super.receiveMessage(frame, socket);
    });
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
  const access = options.access ?? new OpenAccess();
  const ownRevalidator = options.revalidator ? undefined : new Revalidator(access, 2000, log);
  const revalidator = options.revalidator ?? ownRevalidator!;
  const limits = options.authorization ?? { maxFrames: 32, maxBytes: 256 * 1024, timeoutMs: 10_000 };
  const syncDataBudget = options.syncDataBudget ?? DEFAULT_SYNC_DATA_BUDGET;
  /** Sync data being checked: `close()` lets these finish, so a frame received is not lost. */
  const checking = new Set<Promise<void>>();
  const wss = new WebSocketServer({ noServer: true, maxPayload: options.maxMessageBytes });
  const connections = new WeakMap<WebSocket, Connection>();

  /** One document's access for one connection: asked, or answered. */
  interface DocumentAccess {
    access?: Access;
  }

  /** What the server knows about one `/automerge` connection. */
  interface Connection extends AutomergePeerState {
    readonly ws: WebSocket;
    readonly remote: string;
    readonly token: string;
    /** The token was accepted (the connect-time probe answered). */
    authenticated: boolean;
    /** The token's user, once authenticated. */
    userId?: string | undefined;
    readonly documents: Map<string, DocumentAccess>;
    /**
     * Checked frames waiting, in arrival order, for an authorization to settle. `decoded`: its sync
     * data (if any) is being, or was, checked by {@link checkSyncData}, which waits for the grant.
     */
    readonly queue: {
      frame: Uint8Array;
      message: Record<string, unknown>;
      bytes: number;
      decoded?: 'pending' | 'done';
    }[];
    queuedBytes: number;
    readonly cleanups: (() => void)[];
    stopExpiry: () => void;
    /** Stops counting the raw bytes received before the token was checked. */
    stopCountingBytes?: () => void;
    exp: number;
    deliver?: (frame: Uint8Array) => void;
    /** Refusals already sent: one per document and reason per window, however often changes are resent. */
    readonly notices: RefusalNotices;
  }

  const reject = (ws: WebSocket, remote: string, { close, detail }: AutomergeRejection) => {
    log.warn(`closing automerge connection: ${close.reason}`, { remote, code: close.code, detail });
    ws.close(close.code, close.reason);
  };

  const adapter = new CheckedWebSocketServerAdapter(wss, (frame, ws, deliver) => {
    const connection = connections.get(ws);
    if (!connection) return;
    connection.deliver = deliver;
    const verdict = checkAutomergeFrame(frame, connection, peerId);
    if (verdict !== undefined) {
      if ('close' in verdict) reject(ws, connection.remote, verdict);
      return;
    }
    const message = cbor.decode(frame) as Record<string, unknown>;
    connection.queue.push({ frame, message, bytes: frame.byteLength });
    connection.queuedBytes += frame.byteLength;
    pump(connection);
    if (connection.queue.length > limits.maxFrames || connection.queuedBytes > limits.maxBytes) {
      reject(ws, connection.remote, {
        close: CloseCode.UnauthenticatedLimit,
        detail: `${connection.queue.length} frames (${connection.queuedBytes} bytes) waiting for authorization`,
      });
    }
  });
  /** Per document, the users whose changes the repo took since its last save of a chunk. */
  const writersSince = new Map<string, Set<string>>();
  const takeWriters = (documentId: string): readonly string[] => {
    const writers = writersSince.get(documentId);
    writersSince.delete(documentId);
    return writers ? [...writers] : [];
  };
  /** Writable workflows whose server copy is being loaded so changes can be checked against it. */
  const loading = new Map<string, Set<Connection>>();
  const repo = new Repo({
    network: [adapter],
    storage: watchedSaves(
      storage,
      (documentId, error, save) => {
        if (save) onSaveFailure(documentId, error);
        else log.error('failed to remove automerge chunks', { documentId, error: String(error) });
      },
      takeWriters,
      (documentId, key) =>
        log.warn('kept automerge chunks a failed save was to replace', { documentId, key }),
    ),
    peerId,
    sharePolicy: async () => false,
    saveDebounceRate: saveDebounceMs,
  });

  /** Delivers queued frames, in order, until one waits for an authorization that has not settled. */
  function pump(connection: Connection): void {
    const { queue, ws } = connection;
    while (queue.length > 0 && ws.readyState === WebSocket.OPEN) {
      if (!connection.authenticated) return;
      const next = queue[0]!;
      const documentId = next.message.documentId;
      let granted: Access | undefined;
      if (typeof documentId === 'string') {
        const entry = connection.documents.get(documentId);
        if (!entry) {
          authorizeDocument(connection, documentId);
          return;
        }
        if (!entry.access) return;
        granted = entry.access;
      }
      const hasSyncData = next.message.type === 'sync' || next.message.type === 'request';
      if (granted && hasSyncData && next.decoded !== 'done') {
        if (next.decoded === 'pending' || !decodeGranted(connection, next)) return;
      }
      if (granted && typeof documentId === 'string' && needsLoadedCopy(next.message, granted)) {
        loadCopy(connection, documentId);
        return;
      }
      queue.shift();
      connection.queuedBytes -= next.bytes;
      if (next.message.type === 'join' && !mayJoinAs(connection, next.message.senderId as string)) return;
      if (granted && !admit(connection, next.message, granted)) {
        releaseUnready(documentId as string);
        continue;
      }
      if (granted && carriesChanges(next.message) && canWrite(granted.role)) {
        const writers = writersSince.get(documentId as string) ?? new Set<string>();
        writers.add(granted.userId);
        writersSince.set(documentId as string, writers);
      }
      const frame =
        granted && next.message.type === 'ephemeral'
          ? stampEphemeral(next.message, next.frame, granted)
          : next.frame;
      if (frame) connection.deliver?.(frame);
    }
  }

  /**
   * Checks a queued `sync` / `request` message's data within {@link syncDataBudget}: only once the
   * connection may open its document, so that nobody can make the server inflate chunks for a
   * document they cannot open. Whether it passed at once; a refusal closes the connection. When the
   * check takes a while (large deflated parts), the message waits with its bytes no longer counted
   * towards those waiting for authorization, and the queue is pumped on once it passes.
   */
  function decodeGranted(connection: Connection, entry: Connection['queue'][number]): boolean {
    const check = checkSyncData(entry.message.data as Uint8Array, syncDataBudget);
    if ('verdict' in check) {
      if (check.verdict) reject(connection.ws, connection.remote, check.verdict);
      else entry.decoded = 'done';
      return check.verdict === undefined;
    }
    entry.decoded = 'pending';
    connection.queuedBytes -= entry.bytes;
    entry.bytes = 0;
    const pending = check.pending
      .then((refused) => {
        if (connection.ws.readyState !== WebSocket.OPEN) return;
        if (refused) return reject(connection.ws, connection.remote, refused);
        entry.decoded = 'done';
        pump(connection);
      })
      .catch((error: unknown) =>
        log.error('automerge frame failed after its check', { error: String(error) }),
      )
      .finally(() => checking.delete(pending));
    checking.add(pending);
    return false;
  }

  /**
   * After changes to `documentId` were refused: if storage had nothing for it, the repo's handle
   * can now never become ready (only those changes would have made it so), yet automerge-repo's
   * `DocSynchronizer.beginSync` waits for it to, on every message from a peer that has the
   * document, and that wait rejects unhandled after 60 s. The handle is marked done loading (ready,
   * empty: it holds nothing, so nothing is saved), which settles those waits, then dropped; the
   * next message for the document finds storage again.
   */
  function releaseUnready(documentId: string): void {
    const handle = repo.handles[documentId as AutomergeDocumentId];
    if (!handle || !(handle.state === 'requesting' || handle.state === 'unavailable')) return;
    handle.doneLoading();
    repo
      .removeFromCache(documentId as AutomergeDocumentId)
      .catch((error: unknown) =>
        log.error('could not drop the automerge document', { documentId, error: String(error) }),
      );
  }

  /**
   * Whether a message for a document the connection may open goes to the repo. A viewer's changes
   * and an editor's changes that would leave a workflow invalid are refused with automerge-repo's
   * `error` message (see {@link refuseChanges}; the stock client logs it); the connection stays open.
   */
  function admit(connection: Connection, message: Record<string, unknown>, granted: Access): boolean {
    if (message.type !== 'sync' && message.type !== 'request') return true;
    const changes = A.decodeSyncMessage(message.data as Uint8Array).changes;
    if (changes.length === 0) return true;
    const documentId = message.documentId as string;
    const handle = repo.handles[documentId as AutomergeDocumentId];
    if (!canWrite(granted.role)) {
      if (handle?.isReady() && repeatsOnly(handle.doc(), changes)) return true;
      refuseChanges(connection, readOnlyRefusal(documentId, granted.role));
      return false;
    }
    if (granted.kind !== 'workflow') return true;
    // {@link pump} held the message until the copy was loaded: not ready now means storage had
    // nothing, so the changes must make a valid workflow on their own.
    const base = handle?.isReady() ? handle.doc() : undefined;
    let verdict: ReturnType<typeof checkWorkflowChanges>;
    try {
      verdict = checkWorkflowChanges(base ?? A.init(), changes);
    } catch (error) {
      refuseChanges(connection, notApplicableRefusal(documentId, error));
      return false;
    }
    if (verdict.ok) return true;
    const issue = verdict.issues[0];
    refuseChanges(
      connection,
      invalidWorkflowRefusal(documentId, issue ? `${issue.path || '(root)'}: ${issue.message}` : 'refused'),
    );
    return false;
  }

  /**
   * An ephemeral message (board presence) re-encoded by `stampBoardPresence`: `user.id` and
   * `user.name` set to the connection's user (`Access.userId` / `userName`), so nobody can appear
   * on a board as someone else, and every other field cleaned to the `BoardPresence` schema (a
   * hostile colour, pointer or selection never reaches another board). Data that is a map without
   * `user` (a `board-leave`) passes unchanged; `undefined` (dropped) when the data does not decode.
   */
  function stampEphemeral(
    message: Record<string, unknown>,
    frame: Uint8Array,
    granted: Access,
  ): Uint8Array | undefined {
    let data: unknown;
    try {
      data = cbor.decode(message.data as Uint8Array);
    } catch {
      return undefined;
    }
    if (!isMap(data)) return frame;
    const stamped = stampBoardPresence(data, granted);
    return stamped === data ? frame : cbor.encode({ ...message, data: cbor.encode(stamped) });
  }

  /**
   * Whether `connection` may join as `peerId`. The stock adapter closes the socket that holds a peer
   * id when another joins with it, so anyone with a token could disconnect anyone whose peer id
   * they learnt (ephemeral messages carry it) again and again. A peer id held by another user's
   * socket is refused (the newcomer is closed with 4409); the same user may take it over (a stock
   * client reconnecting before the server noticed its old socket died).
   */
  function mayJoinAs(connection: Connection, peerId: string): boolean {
    const holder = adapter.sockets[peerId as PeerId] as WebSocket | undefined;
    if (!holder || holder === connection.ws) return true;
    const held = connections.get(holder);
    if (held && held.userId !== undefined && held.userId === connection.userId) return true;
    if (holder.readyState === WebSocket.CLOSED) return true;
    reject(connection.ws, connection.remote, {
      close: CloseCode.UnexpectedPeer,
      detail: 'peer id held by another connection',
    });
    return false;
  }

  /**
   * Whether a message carries an editor's changes to a workflow the repo has not finished loading:
   * the gate needs the server's copy (or to know storage has none) to judge them.
   */
  function needsLoadedCopy(message: Record<string, unknown>, granted: Access): boolean {
    if (granted.kind !== 'workflow' || !canWrite(granted.role)) return false;
    if (message.type !== 'sync' && message.type !== 'request') return false;
    const handle = repo.handles[message.documentId as AutomergeDocumentId];
    if (handle && SETTLED_STATES.includes(handle.state as HandleState)) return false;
    return A.decodeSyncMessage(message.data as Uint8Array).changes.length > 0;
  }

  /**
   * Loads the server's copy of a workflow (from storage, through the repo) while `connection`'s
   * frames wait, in order and within the authorization limits; then delivers them. A load that does
   * not settle within the authorization timeout closes the waiting connections with 1011.
   */
  function loadCopy(connection: Connection, documentId: string): void {
    const waiting = loading.get(documentId);
    if (waiting) {
      waiting.add(connection);
      return;
    }
    const waiters = new Set([connection]);
    loading.set(documentId, waiters);
    const id = documentId as AutomergeDocumentId;
    const existing = repo.handles[id];
    const settled = existing
      ? existing.whenReady([...SETTLED_STATES])
      : repo.find(id, { allowableStates: [...SETTLED_STATES] });
    let timer: NodeJS.Timeout | undefined;
    const expired = new Promise<never>((_, fail) => {
      timer = setTimeout(() => fail(new Error(`not loaded within ${limits.timeoutMs} ms`)), limits.timeoutMs);
      timer.unref();
    });
    Promise.race([settled, expired]).then(
      () => {
        clearTimeout(timer);
        loading.delete(documentId);
        for (const waiter of waiters) pump(waiter);
      },
      (error: unknown) => {
        clearTimeout(timer);
        loading.delete(documentId);
        log.error('could not load a workflow to check changes against', { documentId, error: String(error) });
        for (const waiter of waiters)
          if (waiter.ws.readyState === WebSocket.OPEN)
            waiter.ws.close(CloseCode.PersistenceFailed.code, CloseCode.PersistenceFailed.reason);
      },
    );
  }

  /**
   * A write of `documentId` failed in storage (automerge-repo would only log an unhandled
   * rejection). The server's copy now holds changes storage does not, so it is dropped (the next
   * sync reloads what storage has) and every connection that has the document open is told with
   * automerge-repo's `error` message: OFB's code when OFB refused the changes for good (a 4xx,
   * e.g. `invalid_workflow`, `document_too_large`, `document_not_found`), else that they could not
   * be stored yet.
   */
  function onSaveFailure(documentId: string, error: unknown): void {
    const refused = isPermanentRefusal(error);
    log.error(refused ? 'storage refused automerge changes' : 'failed to store automerge changes', {
      documentId,
      error: String(error),
    });
    const refusal = storageRefusal(documentId, refused ? error.code : undefined);
    for (const ws of wss.clients) {
      const connection = connections.get(ws);
      if (connection?.documents.get(documentId)?.access) refuseChanges(connection, refusal, false);
    }
    if (repo.handles[documentId as AutomergeDocumentId])
      repo
        .removeFromCache(documentId as AutomergeDocumentId)
        .catch((removeError: unknown) =>
          log.error('could not drop the automerge document', { documentId, error: String(removeError) }),
        );
  }

  /** Whether a read-only peer's changes are all ones the server already has (they are then let through). */
  function repeatsOnly(doc: A.Doc<unknown>, changes: Uint8Array[]): boolean {
    try {
      return addsNothing(doc, changes);
    } catch {
      return false;
    }
  }

  /**
   * Tells the peer, with automerge-repo's `error` message plus Symphony's `code`, `documentId` and
   * `detail` (`ChangeRefusal` in `@symphony/schemas`), that its changes were not taken; the
   * connection stays open. The refused changes stay in the peer's document and come again with its later changes, so each
   * (document, reason) is sent (and logged) once per {@link RefusalNotices} window, not per resend.
   */
  function refuseChanges(connection: Connection, refusal: Refusal, logIt = true): void {
    const untold = connection.notices.take(refusal.documentId, refusal.code);
    if (untold === undefined) return;
    if (logIt)
      log.info('refused automerge changes', {
        remote: connection.remote,
        documentId: refusal.documentId,
        code: refusal.code,
        reason: refusal.message,
        ...(untold > 0 ? { suppressed: untold } : {}),
      });
    if (connection.ws.readyState !== WebSocket.OPEN || !connection.peerId) return;
    connection.ws.send(
      cbor.encode({ type: 'error', ...refusal, senderId: peerId, targetId: connection.peerId }),
    );
  }

  function authorizeDocument(connection: Connection, documentId: string): void {
    const entry: DocumentAccess = {};
    connection.documents.set(documentId, entry);
    const timeout = setTimeout(() => {
      if (!entry.access)
        reject(connection.ws, connection.remote, {
          close: CloseCode.UnauthenticatedLimit,
          detail: `no authorization for ${documentId} within ${limits.timeoutMs} ms`,
        });
    }, limits.timeoutMs);
    timeout.unref();
    const onAnswer = (answer: Access | Denial) => {
      if (connection.ws.readyState !== WebSocket.OPEN) return;
      if (!answer.ok) {
        reject(connection.ws, connection.remote, {
          close: closeCodeFor(answer.reason),
          detail: `${documentId}: ${answer.message}`,
        });
        return;
      }
      if (entry.access && entry.access.role !== answer.role)
        log.info('role changed', { remote: connection.remote, documentId, role: answer.role });
      entry.access = answer;
      expireAt(connection, answer.exp);
    };
    access.authorize(connection.token, documentId).then(
      (answer) => {
        clearTimeout(timeout);
        onAnswer(answer);
        if (!answer.ok || connection.ws.readyState !== WebSocket.OPEN) return;
        connection.cleanups.push(
          revalidator.watch({ token: connection.token, resourceId: documentId, onAnswer }),
        );
        pump(connection);
      },
      (error: unknown) => {
        clearTimeout(timeout);
        onAnswer({ ok: false, reason: DenialReason.unavailable, message: String(error) });
      },
    );
  }

  /** Closes the connection with 4419 when `exp` (seconds since the epoch) passes. */
  function expireAt(connection: Connection, exp: number): void {
    if (exp === connection.exp) return;
    connection.exp = exp;
    connection.stopExpiry();
    connection.stopExpiry = whenExpired(exp, () =>
      reject(connection.ws, connection.remote, {
        close: CloseCode.TokenExpired,
        detail: 'the token expired',
      }),
    );
  }

  /** Checks the token before the connection names a document (see {@link TOKEN_PROBE}). */
  function authenticate(connection: Connection): void {
    const timeout = setTimeout(() => {
      reject(connection.ws, connection.remote, {
        close: CloseCode.UnauthenticatedLimit,
        detail: `no authorization within ${limits.timeoutMs} ms`,
      });
    }, limits.timeoutMs);
    timeout.unref();
    access.authorize(connection.token, TOKEN_PROBE).then(
      (answer) => {
        clearTimeout(timeout);
        if (answer.ok || answer.reason === DenialReason.unknown || answer.reason === DenialReason.forbidden) {
          connection.authenticated = true;
          connection.stopCountingBytes?.();
          connection.userId = answer.ok ? answer.userId : subOfJwt(connection.token);
          // Closed when the token expires even if it never names a document.
          const exp = answer.ok ? answer.exp : expOfJwt(connection.token);
          if (exp !== undefined) expireAt(connection, exp);
          pump(connection);
          return;
        }
        reject(connection.ws, connection.remote, {
          close: closeCodeFor(answer.reason),
          detail: answer.message,
        });
      },
      (error: unknown) => {
        clearTimeout(timeout);
        reject(connection.ws, connection.remote, {
          close: CloseCode.AuthorizationUnavailable,
          detail: String(error),
        });
      },
    );
  }

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
      ownRevalidator?.close();
      // Until the repo has connected the adapter, the adapter would start its keep-alive timer later.
      await Promise.race([adapter.connected, new Promise((resolve) => setTimeout(resolve, 1000))]);
      // Frames whose sync data is being checked reach the repo before their sockets close.
      await Promise.allSettled([...checking]);
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
    const token = new URL(req.url ?? '/', 'http://localhost').searchParams.get('token') ?? '';
    wss.handleUpgrade(req, socket, head, (ws) => {
      const remote = `${req.socket.remoteAddress}:${req.socket.remotePort}`;
      const connection: Connection = {
        ws,
        remote,
        token,
        authenticated: false,
        documents: new Map(),
        queue: [],
        queuedBytes: 0,
        cleanups: [],
        stopExpiry: () => {},
        exp: Number.NaN,
        notices: new RefusalNotices(),
      };
      const stopCounting = limitUnauthorizedBytes(req.socket, limits.maxBytes, (received) =>
        reject(ws, remote, {
          close: CloseCode.UnauthenticatedLimit,
          detail: `${received} bytes received before the token was checked`,
        }),
      );
      connection.cleanups.push(stopCounting);
      connection.stopCountingBytes = stopCounting;
      connections.set(ws, connection);
      ws.on('close', () => {
        connection.queue.length = 0;
        connection.stopExpiry();
        for (const cleanup of connection.cleanups.splice(0)) cleanup();
      });
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
      authenticate(connection);
    });
  }
}
