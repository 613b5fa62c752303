import { CloseCode, type DocumentId, MessageType } from '@symphony/schemas';
import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';
import type { WebSocket } from 'ws';
import * as authProtocol from 'y-protocols/auth';
import * as awarenessProtocol from 'y-protocols/awareness';
import * as syncProtocol from 'y-protocols/sync';
import { type Access, canWrite, closeCodeFor, type Denial, DenialReason } from './access/AccessControl.js';
import { whenExpired } from './access/expiry.js';
import type { Watched } from './access/Revalidator.js';
import { type Logger, repeatLimited } from './logger.js';
import { stampAwareness } from './presence.js';
import {
  awarenessFrame,
  DocumentTooLargeError,
  type Peer,
  type SharedDocument,
  UpdateFailedError,
} from './shared-document.js';
import { limitUnauthorizedBytes, type RawSocket } from './unauthorized-bytes.js';
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
  /** Frames a peer may send before its authorization has settled… */
  readonly maxUnauthorizedMessages: number;
  /** …their bytes… */
  readonly maxUnauthorizedBytes: number;
  /** …and how long it may wait for it (all three: close 4408, GHSA-xwhh-v746-pj9m). */
  readonly authorizationTimeoutMs: number;
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
): void {
  const { limits } = context;
  // A stock client echoes every peer's presence back, and a hostile one repeats whatever it likes:
  // one connection logs each message a few times a minute, with a count of the rest.
  const log = repeatLimited(context.log);
  const stopCounting = limitUnauthorizedBytes(raw, limits.maxUnauthorizedBytes, (received) =>
    refuse(CloseCode.UnauthenticatedLimit, `${received} bytes received before authorization settled`),
  );
  let document: SharedDocument | undefined;
  let access: Access | undefined;
  let joined = false;
  let closed = false;
  let left = false;
  const pending: Uint8Array[] = [];
  let pendingBytes = 0;
  const claimed = new Set<number>();
  const cleanups: (() => void)[] = [() => stopExpiry()];
  let stopExpiry: () => void = () => {};

  const peer: Peer = {
    get userId() {
      return access?.userId;
    },
    send(frame) {
      if (ws.readyState !== ws.OPEN) return;
      if (ws.bufferedAmount > limits.maxBufferedBytes) {
        refuse(CloseCode.SlowConsumer, `${ws.bufferedAmount} bytes waiting to be sent`);
        return;
      }
      ws.send(frame, { binary: true }, (error) => {
        if (error) log.warn('send failed', { documentId, remote, error: error.message });
      });
    },
    close(code, reason) {
      closeWith(code, reason);
    },
  };

  function closeWith(code: number, reason: string): void {
    if (closed) return;
    closed = true;
    ws.close(code, reason);
    leave();
  }

  function refuse(close: CloseCode, detail: string): void {
    log.warn(`closing connection: ${close.reason}`, { documentId, remote, code: close.code, detail });
    closeWith(close.code, close.reason);
  }

  function leave(): void {
    if (left) return;
    left = true;
    stopCounting();
    joined = false;
    pending.length = 0;
    for (const cleanup of cleanups.splice(0)) cleanup();
    if (document) context.leave(document, peer);
    log.flush();
  }

  /** Tells a client that opted in (`savedState`) its role. */
  function sendAccess(): void {
    if (access && peer.onSaved) peer.send(accessFrame(access.role));
  }

  /** Applies a fresh answer about this connection's access (at connect or from a re-check). */
  function onAccess(answer: Access | Denial): void {
    if (closed) return;
    if (!answer.ok) {
      refuse(closeCodeFor(answer.reason), answer.message);
      return;
    }
    const roleChanged = access !== undefined && access.role !== answer.role;
    const previous = access;
    access = answer;
    stopCounting();
    if (previous === undefined || previous.exp !== answer.exp) {
      stopExpiry();
      stopExpiry = whenExpired(answer.exp, () => refuse(CloseCode.TokenExpired, 'the token expired'));
    }
    if (roleChanged) {
      log.info('role changed', { documentId, remote, userId: answer.userId, role: answer.role });
      sendAccess();
    }
  }

  function handle(doc: SharedDocument, frame: Uint8Array): void {
    const decoder = decoding.createDecoder(frame);
    const type = readVarUintStrict(decoder);
    switch (type) {
      case MessageType.sync: {
        const step = readVarUintStrict(decoder);
        const payload = readPayload(decoder);
        if (step === syncProtocol.messageYjsSyncStep1) {
          checkStateVector(payload);
          const reply = encoding.createEncoder();
          encoding.writeVarUint(reply, MessageType.sync);
          syncProtocol.writeSyncStep2(reply, doc.doc, payload);
          peer.send(encoding.toUint8Array(reply));
        } else if (step === syncProtocol.messageYjsSyncStep2 || step === syncProtocol.messageYjsUpdate) {
          let cost: number;
          try {
            cost = measureUpdate(payload, limits.maxUpdateCost).total;
          } catch (error) {
            if (error instanceof MessageRejectedError) throw new UpdateRejectedError(error.reason);
            throw error;
          }
          if (!access || !canWrite(access.role)) {
            // A viewer's client answers our sync step 1 with an empty step 2: nothing to refuse.
            if (cost > 0) refuseWrite(access?.role ?? 'none');
            return;
          }
          try {
            doc.applyUpdate(payload, peer);
          } catch (error) {
            if (error instanceof UpdateFailedError)
              throw new UpdateRejectedError(`Yjs could not apply it: ${error.message}`);
            throw error;
          }
        } else {
          throw new MessageRejectedError('malformed', `unknown sync step ${step}`);
        }
        return;
      }
      case MessageType.awareness: {
        const payload = readPayload(decoder);
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
        if (!access) return;
        const stamped = stampAwareness(payload, access, (clientId) => claimedByAnother(doc, clientId));
        if (stamped.dropped.length > 0) {
          log.warn('dropped awareness for a client id another connection holds', {
            documentId,
            remote,
            clientIds: stamped.dropped,
          });
        }
        if (!stamped.update) return;
        for (const clientId of stamped.kept) claimed.add(clientId);
        awarenessProtocol.applyAwarenessUpdate(doc.awareness, stamped.update, peer);
        return;
      }
      case MessageType.queryAwareness: {
        endOfFrame(decoder);
        const states = [...doc.awareness.getStates().keys()];
        if (states.length > 0) {
          peer.send(awarenessFrame(awarenessProtocol.encodeAwarenessUpdate(doc.awareness, states)));
        }
        return;
      }
      case MessageType.savedState: {
        endOfFrame(decoder);
        peer.onSaved = (stateVector) => peer.send(savedStateFrame(stateVector));
        peer.onSaved(doc.saved);
        sendAccess();
        return;
      }
      default:
        throw new UnknownMessageTypeError(type);
    }
  }

  /** Drops a read-only connection's edit and says why, with the stock auth message. */
  function refuseWrite(role: string): void {
    log.info('dropped an edit from a read-only connection', { documentId, remote, role });
    peer.send(permissionDeniedFrame(`read-only: your role on ${documentId} is ${role}; edits are not saved`));
  }

  /** Whether another connection on the document speaks for this awareness client id. */
  function claimedByAnother(doc: SharedDocument, clientId: number): boolean {
    for (const [other, ids] of doc.awarenessOf) if (other !== peer && ids.has(clientId)) return true;
    return false;
  }

  function onFrame(frame: Uint8Array): void {
    if (closed || !document) return;
    try {
      handle(document, frame);
    } catch (error) {
      if (error instanceof UpdateRejectedError) {
        refuse(CloseCode.UpdateRejected, error.message);
      } else if (error instanceof UnknownMessageTypeError) {
        refuse(CloseCode.UnknownMessageType, error.message);
      } else if (error instanceof MessageRejectedError) {
        refuse(CloseCode.MalformedMessage, error.reason);
      } else if (error instanceof DocumentTooLargeError) {
        refuse(CloseCode.DocumentTooLarge, error.message);
      } else {
        log.error('unexpected error handling a frame', { documentId, remote, error: String(error) });
        closeWith(1011, 'Internal error');
      }
    }
  }

  ws.on('message', (data, isBinary) => {
    if (closed) return;
    if (!isBinary) {
      refuse(CloseCode.MalformedMessage, 'text frame; the protocol is binary');
      return;
    }
    const frame = toBytes(data);
    if (joined) {
      onFrame(frame);
      return;
    }
    pendingBytes += frame.length;
    if (!access) {
      if (pending.length >= limits.maxUnauthorizedMessages || pendingBytes > limits.maxUnauthorizedBytes) {
        refuse(
          CloseCode.UnauthenticatedLimit,
          `${pending.length + 1} frames (${pendingBytes} bytes) before authorization settled`,
        );
        return;
      }
    } else if (pending.length >= limits.maxPendingMessages || pendingBytes > limits.maxPendingBytes) {
      refuse(
        CloseCode.TooManyPendingMessages,
        `${pending.length + 1} frames (${pendingBytes} bytes) before the document loaded`,
      );
      return;
    }
    pending.push(frame);
  });

  ws.on('error', (error: Error & { code?: string }) => {
    // `ws` has already closed the socket (with 1009 for an oversized frame); say why.
    const tooBig = error.code === 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH';
    log.warn(tooBig ? `closing connection: ${CloseCode.MessageTooBig.reason}` : 'connection error', {
      documentId,
      remote,
      code: tooBig ? CloseCode.MessageTooBig.code : undefined,
      detail: error.message,
    });
  });

  ws.on('close', () => {
    closed = true;
    leave();
  });
  if (ws.readyState !== ws.OPEN) {
    closed = true;
    leave();
    return;
  }

  let alive = true;
  ws.on('pong', () => {
    alive = true;
  });
  const keepalive = setInterval(() => {
    if (!alive) {
      ws.terminate();
      return;
    }
    alive = false;
    ws.ping();
  }, 30_000);
  keepalive.unref();
  cleanups.push(() => clearInterval(keepalive));

  const authTimeout = setTimeout(
    () =>
      refuse(CloseCode.UnauthenticatedLimit, `no authorization within ${limits.authorizationTimeoutMs} ms`),
    limits.authorizationTimeoutMs,
  );
  authTimeout.unref();
  cleanups.push(() => clearTimeout(authTimeout));

  context.authorize(token, documentId).then(
    (answer) => {
      clearTimeout(authTimeout);
      onAccess(answer);
      if (closed || !access) return;
      cleanups.push(context.watch({ token, resourceId: documentId, onAnswer: onAccess }));
      open();
    },
    (error: unknown) => {
      clearTimeout(authTimeout);
      onAccess({ ok: false, reason: DenialReason.unavailable, message: String(error) });
    },
  );

  function open(): void {
    const doc = context.open(documentId);
    document = doc;
    doc.loaded.then(
      () => {
        if (closed) return;
        joined = true;
        doc.peers.add(peer);
        doc.awarenessOf.set(peer, claimed);
        const step1 = encoding.createEncoder();
        encoding.writeVarUint(step1, MessageType.sync);
        syncProtocol.writeSyncStep1(step1, doc.doc);
        peer.send(encoding.toUint8Array(step1));
        const states = [...doc.awareness.getStates().keys()];
        if (states.length > 0) {
          peer.send(awarenessFrame(awarenessProtocol.encodeAwarenessUpdate(doc.awareness, states)));
        }
        for (const frame of pending.splice(0)) onFrame(frame);
      },
      (error: unknown) => {
        log.error('failed to load document', { documentId, error: String(error) });
        closeWith(CloseCode.PersistenceFailed.code, CloseCode.PersistenceFailed.reason);
      },
    );
  }
}

/** Symphony's `access` frame: the connection's role (`owner`, `editor` or `viewer`). */
export function accessFrame(role: string): Uint8Array {
  const e = encoding.createEncoder();
  encoding.writeVarUint(e, MessageType.access);
  encoding.writeVarString(e, role);
  return encoding.toUint8Array(e);
}

/** The stock y-protocols auth message "permission denied", which y-websocket clients log. */
export function permissionDeniedFrame(reason: string): Uint8Array {
  const e = encoding.createEncoder();
  encoding.writeVarUint(e, MessageType.auth);
  authProtocol.writePermissionDenied(e, reason);
  return encoding.toUint8Array(e);
}

/** Symphony's `savedState` frame: the state vector the server has durably stored. */
export function savedStateFrame(stateVector: Uint8Array): Uint8Array {
  const e = encoding.createEncoder();
  encoding.writeVarUint(e, MessageType.savedState);
  encoding.writeVarUint8Array(e, stateVector);
  return encoding.toUint8Array(e);
}

class UnknownMessageTypeError extends Error {
  override name = 'UnknownMessageTypeError';
  constructor(type: number) {
    super(`message type ${type}`);
  }
}

/** A Yjs update that does not decode, costs more than the budget, or that Yjs failed to apply. */
class UpdateRejectedError extends Error {
  override name = 'UpdateRejectedError';
}

function readVarUintStrict(decoder: decoding.Decoder): number {
  try {
    return decoding.readVarUint(decoder);
  } catch {
    throw new MessageRejectedError('malformed', 'frame ends before its header');
  }
}

/** Reads the frame's length-prefixed payload, which must end the frame. */
function readPayload(decoder: decoding.Decoder): Uint8Array {
  let payload: Uint8Array;
  try {
    payload = decoding.readVarUint8Array(decoder);
  } catch {
    throw new MessageRejectedError('malformed', 'payload is shorter than its declared length');
  }
  endOfFrame(decoder);
  return payload;
}

function endOfFrame(decoder: decoding.Decoder): void {
  const extra = decoder.arr.length - decoder.pos;
  if (extra !== 0)
    throw new MessageRejectedError('malformed', `${extra} unexpected bytes at the end of the frame`);
}

function toBytes(data: Buffer | ArrayBuffer | Buffer[]): Uint8Array {
  if (Array.isArray(data)) return new Uint8Array(Buffer.concat(data));
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
}
