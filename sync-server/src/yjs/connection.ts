// One y-websocket connection on one Yjs document, from authorization to close: the /yjs
// endpoint's protocol (sync, awareness, query awareness, Symphony's savedState and access frames).
import { CloseCode, type DocumentId, encodeAccess, encodeSavedState, MessageType } from '@symphony/schemas';
import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';
import type { WebSocket } from 'ws';
import * as authProtocol from 'y-protocols/auth';
import * as awarenessProtocol from 'y-protocols/awareness';
import * as syncProtocol from 'y-protocols/sync';
import { type Access, canWrite, closeCodeFor, type Denial } from '../access/AccessControl.js';
import { whenExpired } from '../access/expiry.js';
import { PreAuthorization, type PreAuthorizationLimits } from '../access/pre-authorization.js';
import type { Watched } from '../access/Revalidator.js';
import type { RawSocket } from '../access/unauthorized-bytes.js';
import { type Logger, type RepeatLimitedLogger, repeatLimited } from '../logger.js';
import { stampAwareness } from '../presence.js';
import {
  endOfFrame,
  readPayload,
  readVarUintStrict,
  toBytes,
  UnknownMessageTypeError,
  UpdateRejectedError,
} from './frame-reader.js';
import {
  awarenessFrame,
  DocumentTooLargeError,
  type Peer,
  type SharedDocument,
  UpdateFailedError,
} from './shared-document.js';
import {
  checkAwarenessUpdate,
  checkStateVector,
  MessageRejectedError,
  measureUpdate,
} from './update-budget.js';

/** Limits one connection is held to. */
export interface ConnectionLimits {
  /** Budget for applying one update (see `measureUpdate`). */
  readonly maxUpdateCost: number;
  /** Frames a peer may send before its document has loaded… */
  readonly maxPendingMessages: number;
  /** …and their bytes. */
  readonly maxPendingBytes: number;
  /** Awareness client ids one connection may speak for (a stock client uses one). */
  readonly maxAwarenessClients: number;
  /** Bytes the server may buffer towards a slow peer before dropping it. */
  readonly maxBufferedBytes: number;
  /**
   * Frames and bytes a peer may send before its authorization has settled, and how long it may
   * wait for it (all three: close 4408, GHSA-xwhh-v746-pj9m); see `PreAuthorization`.
   */
  readonly authorization: PreAuthorizationLimits;
}

/** What a connection needs from the server around it. */
export interface ConnectionContext {
  readonly limits: ConnectionLimits;
  readonly log: Logger;
  /** The document, loaded or loading, held open until {@link leave}. */
  open(documentId: DocumentId): SharedDocument;
  /** The connection is gone (joined or not): it no longer holds the document open. */
  leave(document: SharedDocument, peer: Peer): void;
  /** Who the bearer of `token` is and what they may do with the document (cached briefly). */
  authorize(token: string, documentId: DocumentId): Promise<Access | Denial>;
  /** Re-checks the connection's access every few seconds; returns the function that stops. */
  watch(watched: Watched): () => void;
}

/** 30 s: a peer that has not answered the last ping by the next one is gone. */
const KEEPALIVE_MS = 30_000;

/**
 * Serves one websocket on one document with the y-websocket protocol (sync, awareness, query
 * awareness) plus Symphony's `savedState` and `access` extensions. The bearer of `token` is
 * authorized first (frames wait, within tight limits); only then is the document opened. Every
 * frame is decoded strictly before it touches the document; a frame that fails closes this
 * connection only, with a named code. A viewer's edits are dropped and answered with the stock
 * permission-denied message; every awareness state is stamped with the token's user.
 */
export function serveConnection(
  ws: WebSocket,
  documentId: DocumentId,
  context: ConnectionContext,
  remote: string,
  token: string,
  raw?: RawSocket,
): YjsConnection {
  return new YjsConnection(ws, documentId, context, remote, token, raw);
}

/**
 * One websocket on one document (see {@link serveConnection}); it runs from construction to close,
 * and is the {@link Peer} its document sees.
 */
export class YjsConnection implements Peer {
  /**
   * A stock client echoes every peer's presence back, and a hostile one repeats whatever it likes:
   * one connection logs each message a few times a minute, with a count of the rest.
   */
  private readonly log: RepeatLimitedLogger;
  private readonly gate: PreAuthorization;
  private readonly limits: ConnectionLimits;
  /** Set once the peer subscribed to `savedState`: called after each durable write. */
  onSaved?: (stateVector: Uint8Array) => void;
  private document: SharedDocument | undefined;
  private access: Access | undefined;
  private joined = false;
  private closed = false;
  private left = false;
  /** Frames received before the connection joined its document, delivered in order once it has. */
  private readonly pending: Uint8Array[] = [];
  private pendingBytes = 0;
  /** Awareness client ids this connection speaks for. */
  private readonly claimed = new Set<number>();
  private stopExpiry: () => void = () => {};
  private keepalive: NodeJS.Timeout | undefined;

  constructor(
    private readonly ws: WebSocket,
    readonly documentId: DocumentId,
    private readonly context: ConnectionContext,
    readonly remote: string,
    token: string,
    raw?: RawSocket,
  ) {
    this.limits = context.limits;
    this.log = repeatLimited(context.log);
    this.gate = new PreAuthorization({
      limits: context.limits.authorization,
      token,
      authorize: (t, resourceId) => context.authorize(t, resourceId as DocumentId),
      watch: (watched) => context.watch(watched),
      raw,
      awaiting: 'authorization settled',
      refuse: (close, detail) => this.refuse(close, detail),
      isOpen: () => !this.closed,
    });
    ws.on('message', (data, isBinary) => this.onMessage(data, isBinary));
    ws.on('error', (error: Error & { code?: string }) => this.onError(error));
    ws.on('close', () => {
      this.closed = true;
      this.leave();
    });
    if (ws.readyState !== ws.OPEN) {
      this.closed = true;
      this.leave();
      return;
    }
    this.keepAlive();
    this.gate.authorize(
      documentId,
      (answer) => this.onAccess(answer),
      () => this.open(),
    );
  }

  /** The user this connection speaks for, once authorized. */
  get userId(): string | undefined {
    return this.access?.userId;
  }

  /** Sends one frame, unless the peer is too slow to take it (then it is closed with 1013). */
  send(frame: Uint8Array): void {
    const { ws } = this;
    if (ws.readyState !== ws.OPEN) return;
    if (ws.bufferedAmount > this.limits.maxBufferedBytes) {
      this.refuse(CloseCode.SlowConsumer, `${ws.bufferedAmount} bytes waiting to be sent`);
      return;
    }
    ws.send(frame, { binary: true }, (error) => {
      if (error)
        this.log.warn('send failed', {
          documentId: this.documentId,
          remote: this.remote,
          error: error.message,
        });
    });
  }

  /** A frame from the peer: handled once joined; held (within limits) until then. */
  private onMessage(data: Buffer | ArrayBuffer | Buffer[], isBinary: boolean): void {
    if (this.closed) return;
    if (!isBinary) {
      this.refuse(CloseCode.MalformedMessage, 'text frame; the protocol is binary');
      return;
    }
    const frame = toBytes(data);
    if (this.joined) {
      this.onFrame(frame);
      return;
    }
    const { pending, limits } = this;
    this.pendingBytes += frame.length;
    if (!this.access) {
      if (!this.gate.admits(pending.length + 1, this.pendingBytes)) {
        this.refuse(
          CloseCode.UnauthenticatedLimit,
          `${pending.length + 1} frames (${this.pendingBytes} bytes) before authorization settled`,
        );
        return;
      }
    } else if (pending.length >= limits.maxPendingMessages || this.pendingBytes > limits.maxPendingBytes) {
      this.refuse(
        CloseCode.TooManyPendingMessages,
        `${pending.length + 1} frames (${this.pendingBytes} bytes) before the document loaded`,
      );
      return;
    }
    pending.push(frame);
  }

  private onError(error: Error & { code?: string }): void {
    // `ws` has already closed the socket (with 1009 for an oversized frame); say why.
    const tooBig = error.code === 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH';
    this.log.warn(tooBig ? `closing connection: ${CloseCode.MessageTooBig.reason}` : 'connection error', {
      documentId: this.documentId,
      remote: this.remote,
      code: tooBig ? CloseCode.MessageTooBig.code : undefined,
      detail: error.message,
    });
  }

  /** Pings every {@link KEEPALIVE_MS}; a peer that missed the last pong is terminated. */
  private keepAlive(): void {
    let alive = true;
    this.ws.on('pong', () => {
      alive = true;
    });
    this.keepalive = setInterval(() => {
      if (!alive) {
        this.ws.terminate();
        return;
      }
      alive = false;
      this.ws.ping();
    }, KEEPALIVE_MS);
    this.keepalive.unref();
  }

  /** Applies a fresh answer about this connection's access (at connect or from a re-check). */
  private onAccess(answer: Access | Denial): void {
    if (this.closed) return;
    if (!answer.ok) {
      this.refuse(closeCodeFor(answer.reason), answer.message);
      return;
    }
    const previous = this.access;
    const roleChanged = previous !== undefined && previous.role !== answer.role;
    this.access = answer;
    this.gate.accepted();
    if (previous === undefined || previous.exp !== answer.exp) {
      this.stopExpiry();
      this.stopExpiry = whenExpired(answer.exp, () =>
        this.refuse(CloseCode.TokenExpired, 'the token expired'),
      );
    }
    if (roleChanged) {
      this.log.info('role changed', {
        documentId: this.documentId,
        remote: this.remote,
        userId: answer.userId,
        role: answer.role,
      });
      this.sendAccess();
    }
  }

  /** Authorized: opens the document and joins it once loaded. */
  private open(): void {
    const doc = this.context.open(this.documentId);
    this.document = doc;
    doc.loaded.then(
      () => this.join(doc),
      (error: unknown) => {
        this.log.error('failed to load document', { documentId: this.documentId, error: String(error) });
        this.close(CloseCode.PersistenceFailed.code, CloseCode.PersistenceFailed.reason);
      },
    );
  }

  /** Joins the loaded document: sync step 1, the awareness so far, then the frames that waited. */
  private join(doc: SharedDocument): void {
    if (this.closed) return;
    this.joined = true;
    doc.peers.add(this);
    doc.awarenessOf.set(this, this.claimed);
    const step1 = encoding.createEncoder();
    encoding.writeVarUint(step1, MessageType.sync);
    syncProtocol.writeSyncStep1(step1, doc.doc);
    this.send(encoding.toUint8Array(step1));
    this.sendAwarenessOf(doc);
    for (const frame of this.pending.splice(0)) this.onFrame(frame);
  }

  /** Handles one frame; a frame that fails closes the connection with the code for its fault. */
  private onFrame(frame: Uint8Array): void {
    if (this.closed || !this.document) return;
    try {
      this.handle(this.document, frame);
    } catch (error) {
      if (error instanceof UpdateRejectedError) {
        this.refuse(CloseCode.UpdateRejected, error.message);
      } else if (error instanceof UnknownMessageTypeError) {
        this.refuse(CloseCode.UnknownMessageType, error.message);
      } else if (error instanceof MessageRejectedError) {
        this.refuse(CloseCode.MalformedMessage, error.reason);
      } else if (error instanceof DocumentTooLargeError) {
        this.refuse(CloseCode.DocumentTooLarge, error.message);
      } else {
        this.log.error('unexpected error handling a frame', {
          documentId: this.documentId,
          remote: this.remote,
          error: String(error),
        });
        this.close(1011, 'Internal error');
      }
    }
  }

  private handle(doc: SharedDocument, frame: Uint8Array): void {
    const decoder = decoding.createDecoder(frame);
    const type = readVarUintStrict(decoder);
    switch (type) {
      case MessageType.sync:
        this.onSync(doc, decoder);
        return;
      case MessageType.awareness:
        this.onAwareness(doc, readPayload(decoder));
        return;
      case MessageType.queryAwareness:
        endOfFrame(decoder);
        this.sendAwarenessOf(doc);
        return;
      case MessageType.savedState:
        endOfFrame(decoder);
        this.onSavedState(doc);
        return;
      default:
        throw new UnknownMessageTypeError(type);
    }
  }

  /** Sync step 1 is answered with step 2; step 2 and updates are measured, then applied if writable. */
  private onSync(doc: SharedDocument, decoder: decoding.Decoder): void {
    const step = readVarUintStrict(decoder);
    const payload = readPayload(decoder);
    if (step === syncProtocol.messageYjsSyncStep1) {
      checkStateVector(payload);
      const reply = encoding.createEncoder();
      encoding.writeVarUint(reply, MessageType.sync);
      syncProtocol.writeSyncStep2(reply, doc.doc, payload);
      this.send(encoding.toUint8Array(reply));
      return;
    }
    if (step !== syncProtocol.messageYjsSyncStep2 && step !== syncProtocol.messageYjsUpdate)
      throw new MessageRejectedError('malformed', `unknown sync step ${step}`);
    let cost: number;
    try {
      cost = measureUpdate(payload, this.limits.maxUpdateCost).total;
    } catch (error) {
      if (error instanceof MessageRejectedError) throw new UpdateRejectedError(error.reason);
      throw error;
    }
    const { access } = this;
    if (!access || !canWrite(access.role)) {
      // A viewer's client answers our sync step 1 with an empty step 2: nothing to refuse.
      if (cost > 0) this.refuseWrite(access?.role ?? 'none');
      return;
    }
    try {
      doc.applyUpdate(payload, this);
    } catch (error) {
      if (error instanceof UpdateFailedError)
        throw new UpdateRejectedError(`Yjs could not apply it: ${error.message}`);
      throw error;
    }
  }

  /** An awareness update: checked, limited in the client ids it speaks for, stamped, applied. */
  private onAwareness(doc: SharedDocument, payload: Uint8Array): void {
    const { claimed, limits } = this;
    let claims = claimed.size;
    for (const { clientId } of checkAwarenessUpdate(payload)) {
      if (claimed.has(clientId)) continue;
      if (++claims > limits.maxAwarenessClients) {
        throw new MessageRejectedError(
          'over-budget',
          `awareness for more than ${limits.maxAwarenessClients} clients from one connection`,
        );
      }
    }
    if (!this.access) return;
    const stamped = stampAwareness(payload, this.access, (clientId) => this.claimedByAnother(doc, clientId));
    if (stamped.dropped.length > 0) {
      this.log.warn('dropped awareness for a client id another connection holds', {
        documentId: this.documentId,
        remote: this.remote,
        clientIds: stamped.dropped,
      });
    }
    if (!stamped.update) return;
    for (const clientId of stamped.kept) claimed.add(clientId);
    awarenessProtocol.applyAwarenessUpdate(doc.awareness, stamped.update, this);
  }

  /** The peer opted in to `savedState`: it is told what is stored now and after each write, and its role. */
  private onSavedState(doc: SharedDocument): void {
    this.onSaved = (stateVector) => this.send(encodeSavedState(stateVector));
    this.onSaved(doc.saved);
    this.sendAccess();
  }

  /** Sends every awareness state the document holds, if any. */
  private sendAwarenessOf(doc: SharedDocument): void {
    const states = [...doc.awareness.getStates().keys()];
    if (states.length > 0) {
      this.send(awarenessFrame(awarenessProtocol.encodeAwarenessUpdate(doc.awareness, states)));
    }
  }

  /** Tells a client that opted in (`savedState`) its role. */
  private sendAccess(): void {
    if (this.access && this.onSaved) this.send(encodeAccess(this.access.role));
  }

  /** Drops a read-only connection's edit and says why, with the stock auth message. */
  private refuseWrite(role: string): void {
    this.log.info('dropped an edit from a read-only connection', {
      documentId: this.documentId,
      remote: this.remote,
      role,
    });
    this.send(
      permissionDeniedFrame(`read-only: your role on ${this.documentId} is ${role}; edits are not saved`),
    );
  }

  /** Whether another connection on the document speaks for this awareness client id. */
  private claimedByAnother(doc: SharedDocument, clientId: number): boolean {
    for (const [other, ids] of doc.awarenessOf) if (other !== this && ids.has(clientId)) return true;
    return false;
  }

  /** Closes the connection with a code and reason, and lets go of its document. */
  close(code: number, reason: string): void {
    if (this.closed) return;
    this.closed = true;
    this.ws.close(code, reason);
    this.leave();
  }

  private refuse(close: CloseCode, detail: string): void {
    this.log.warn(`closing connection: ${close.reason}`, {
      documentId: this.documentId,
      remote: this.remote,
      code: close.code,
      detail,
    });
    this.close(close.code, close.reason);
  }

  /** The connection is over: timers and re-checks stop, and it lets go of its document. */
  private leave(): void {
    if (this.left) return;
    this.left = true;
    this.gate.close();
    this.joined = false;
    this.pending.length = 0;
    this.stopExpiry();
    clearInterval(this.keepalive);
    if (this.document) this.context.leave(this.document, this);
    this.log.flush();
  }
}

/** The stock y-protocols auth message "permission denied", which y-websocket clients log. */
export function permissionDeniedFrame(reason: string): Uint8Array {
  const e = encoding.createEncoder();
  encoding.writeVarUint(e, MessageType.auth);
  authProtocol.writePermissionDenied(e, reason);
  return encoding.toUint8Array(e);
}
