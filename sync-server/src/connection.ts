import { CloseCode, type DocumentId, MessageType } from '@symphony/schemas';
import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';
import type { WebSocket } from 'ws';
import * as awarenessProtocol from 'y-protocols/awareness';
import * as syncProtocol from 'y-protocols/sync';
import type { Logger } from './logger.js';
import { awarenessFrame, type Peer, type SharedDocument, UpdateFailedError } from './shared-document.js';
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
}

/** What a connection needs from the server around it. */
export interface ConnectionContext {
  readonly limits: ConnectionLimits;
  readonly log: Logger;
  /** The document, loaded or loading, held open until {@link leave}. */
  open(documentId: DocumentId): SharedDocument;
  /** The connection is gone (joined or not): it no longer holds the document open. */
  leave(document: SharedDocument, peer: Peer): void;
}

/**
 * Serves one websocket on one document with the y-websocket protocol (sync, awareness, query
 * awareness) plus Symphony's `savedState` extension. Every frame is decoded strictly before it
 * touches the document; a frame that fails closes this connection only, with a named code.
 */
export function serveConnection(
  ws: WebSocket,
  documentId: DocumentId,
  context: ConnectionContext,
  remote: string,
): void {
  const document = context.open(documentId);
  let joined = false;
  let closed = false;
  let left = false;
  const pending: Uint8Array[] = [];
  let pendingBytes = 0;
  const claimed = new Set<number>();

  const peer: Peer = {
    send(frame) {
      if (ws.readyState !== ws.OPEN) return;
      if (ws.bufferedAmount > context.limits.maxBufferedBytes) {
        refuse(CloseCode.SlowConsumer, `${ws.bufferedAmount} bytes waiting to be sent`);
        return;
      }
      ws.send(frame, { binary: true }, (error) => {
        if (error) context.log.warn('send failed', { documentId, remote, error: error.message });
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
    context.log.warn(`closing connection: ${close.reason}`, { documentId, remote, code: close.code, detail });
    closeWith(close.code, close.reason);
  }

  function leave(): void {
    if (left) return;
    left = true;
    joined = false;
    pending.length = 0;
    context.leave(document, peer);
  }

  function handle(frame: Uint8Array): void {
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
          syncProtocol.writeSyncStep2(reply, document.doc, payload);
          peer.send(encoding.toUint8Array(reply));
        } else if (step === syncProtocol.messageYjsSyncStep2 || step === syncProtocol.messageYjsUpdate) {
          try {
            measureUpdate(payload, context.limits.maxUpdateCost);
          } catch (error) {
            if (error instanceof MessageRejectedError) throw new UpdateRejectedError(error.reason);
            throw error;
          }
          try {
            document.applyUpdate(payload, peer);
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
        for (const { clientId } of checkAwarenessUpdate(payload)) {
          if (claimed.has(clientId)) continue;
          if (claimed.size >= context.limits.maxAwarenessClients) {
            throw new MessageRejectedError(
              'over-budget',
              `awareness for more than ${context.limits.maxAwarenessClients} clients from one connection`,
            );
          }
          claimed.add(clientId);
        }
        awarenessProtocol.applyAwarenessUpdate(document.awareness, payload, peer);
        return;
      }
      case MessageType.queryAwareness: {
        endOfFrame(decoder);
        const states = [...document.awareness.getStates().keys()];
        if (states.length > 0) {
          peer.send(awarenessFrame(awarenessProtocol.encodeAwarenessUpdate(document.awareness, states)));
        }
        return;
      }
      case MessageType.savedState: {
        endOfFrame(decoder);
        peer.onSaved = (stateVector) => peer.send(savedStateFrame(stateVector));
        peer.onSaved(document.saved);
        return;
      }
      default:
        throw new UnknownMessageTypeError(type);
    }
  }

  function onFrame(frame: Uint8Array): void {
    if (closed) return;
    try {
      handle(frame);
    } catch (error) {
      if (error instanceof UpdateRejectedError) {
        refuse(CloseCode.UpdateRejected, error.message);
      } else if (error instanceof UnknownMessageTypeError) {
        refuse(CloseCode.UnknownMessageType, error.message);
      } else if (error instanceof MessageRejectedError) {
        refuse(CloseCode.MalformedMessage, error.reason);
      } else {
        context.log.error('unexpected error handling a frame', { documentId, remote, error: String(error) });
        closeWith(1011, 'Internal error');
      }
    }
  }

  ws.on('message', (data, isBinary) => {
    if (!isBinary) {
      refuse(CloseCode.MalformedMessage, 'text frame; the protocol is binary');
      return;
    }
    const frame = toBytes(data);
    if (!joined) {
      pendingBytes += frame.length;
      if (
        pending.length >= context.limits.maxPendingMessages ||
        pendingBytes > context.limits.maxPendingBytes
      ) {
        refuse(
          CloseCode.TooManyPendingMessages,
          `${pending.length + 1} frames (${pendingBytes} bytes) before the document loaded`,
        );
        return;
      }
      pending.push(frame);
      return;
    }
    onFrame(frame);
  });

  ws.on('error', (error: Error & { code?: string }) => {
    // `ws` has already closed the socket (with 1009 for an oversized frame); say why.
    const tooBig = error.code === 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH';
    context.log.warn(tooBig ? `closing connection: ${CloseCode.MessageTooBig.reason}` : 'connection error', {
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
  if (ws.readyState !== ws.OPEN) leave();

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
  ws.on('close', () => clearInterval(keepalive));

  document.loaded.then(
    () => {
      if (closed) return;
      joined = true;
      document.peers.add(peer);
      document.awarenessOf.set(peer, claimed);
      const step1 = encoding.createEncoder();
      encoding.writeVarUint(step1, MessageType.sync);
      syncProtocol.writeSyncStep1(step1, document.doc);
      peer.send(encoding.toUint8Array(step1));
      const states = [...document.awareness.getStates().keys()];
      if (states.length > 0) {
        peer.send(awarenessFrame(awarenessProtocol.encodeAwarenessUpdate(document.awareness, states)));
      }
      for (const frame of pending.splice(0)) onFrame(frame);
    },
    (error: unknown) => {
      context.log.error('failed to load document', { documentId, error: String(error) });
      closeWith(CloseCode.PersistenceFailed.code, CloseCode.PersistenceFailed.reason);
    },
  );
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
