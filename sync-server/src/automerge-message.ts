import { next as A } from '@automerge/automerge';
import { cbor, isValidDocumentId } from '@automerge/automerge-repo';
import { CloseCode } from '@symphony/schemas';

/** What one `/automerge` connection has told the server so far. */
export interface AutomergePeerState {
  /** The `senderId` of this connection's `join`, once it has joined. */
  peerId?: string;
}

/** Why a frame was refused: the close code for its connection and a detail for the log. */
export interface AutomergeRejection {
  close: CloseCode;
  detail: string;
}

/**
 * A frame to ignore without closing the connection: stock automerge-repo clients forward every
 * ephemeral message they receive to their other peers, the server included, keeping the original
 * `senderId` (DocSynchronizer.receiveEphemeralMessage). The server already relayed it; relaying it
 * again under a sender this connection is not would let a client speak for others.
 */
export interface AutomergeDrop {
  drop: string;
}

/** 128: peer ids, session ids and storage ids from stock clients are UUID-sized. */
const MAX_ID_LENGTH = 128;
/**
 * A client's storage id becomes a storage key part on the server (its sync state), so it must be a
 * short, file-name-safe string; stock clients send a UUID.
 */
const STORAGE_ID = /^[A-Za-z0-9_-]{1,128}$/;
const CHUNK_MAGIC = [0x85, 0x6f, 0x4a, 0x83];
const CHUNK_TYPE_OFFSET = 8;

/**
 * Checks one binary frame sent to the `/automerge` endpoint before automerge-repo sees it: CBOR,
 * a message shape the stock client sends (`join` first, then repo messages from that peer to this
 * server), valid document ids, and sync data Automerge can decode chunk by chunk. Pure: returns
 * the rejection, or `undefined` and records a `join` in `state`.
 */
export function checkAutomergeFrame(
  frame: Uint8Array,
  state: AutomergePeerState,
  serverPeerId: string,
): AutomergeRejection | AutomergeDrop | undefined {
  let message: unknown;
  try {
    message = cbor.decode(frame);
  } catch (error) {
    return malformed(`not CBOR: ${String(error)}`);
  }
  if (!isRecord(message)) return malformed('not a CBOR map');
  const { type, senderId } = message;
  if (typeof type !== 'string') return malformed('`type` is not a string');
  if (!isId(senderId)) return malformed('`senderId` is not a string of 1–128 characters');

  if (type === 'join') {
    if (state.peerId !== undefined) return unexpected('a second `join` on one connection');
    const { peerMetadata, supportedProtocolVersions } = message;
    if (peerMetadata !== undefined) {
      if (!isRecord(peerMetadata)) return malformed('`peerMetadata` is not a map');
      const { storageId } = peerMetadata;
      if (storageId !== undefined && !(typeof storageId === 'string' && STORAGE_ID.test(storageId)))
        return malformed('`peerMetadata.storageId` is not 1–128 of [A-Za-z0-9_-]');
      if (peerMetadata.isEphemeral !== undefined && typeof peerMetadata.isEphemeral !== 'boolean')
        return malformed('`peerMetadata.isEphemeral` is not a boolean');
    }
    if (
      supportedProtocolVersions !== undefined &&
      !(
        Array.isArray(supportedProtocolVersions) &&
        supportedProtocolVersions.every((v) => typeof v === 'string')
      )
    )
      return malformed('`supportedProtocolVersions` is not a list of strings');
    state.peerId = senderId;
    return undefined;
  }

  if (!KNOWN_TYPES.has(type))
    return { close: CloseCode.UnknownMessageType, detail: `type ${JSON.stringify(type.slice(0, 40))}` };
  if (state.peerId === undefined) return unexpected(`\`${type}\` before \`join\``);
  if (senderId !== state.peerId) {
    if (type === 'ephemeral') return { drop: 'an ephemeral message forwarded from another peer' };
    return unexpected('`senderId` is not the peer that joined on this connection');
  }
  if (message.targetId !== serverPeerId) return unexpected('`targetId` is not this server');

  switch (type) {
    case 'sync':
    case 'request': {
      const documentId = checkDocumentId(message.documentId);
      if (documentId) return documentId;
      if (!(message.data instanceof Uint8Array) || message.data.byteLength === 0)
        return malformed('`data` is not a non-empty byte string');
      return checkSyncData(message.data);
    }
    case 'ephemeral': {
      const documentId = checkDocumentId(message.documentId);
      if (documentId) return documentId;
      if (!(message.data instanceof Uint8Array)) return malformed('`data` is not a byte string');
      if (!Number.isSafeInteger(message.count) || (message.count as number) < 0)
        return malformed('`count` is not a non-negative integer');
      if (!isId(message.sessionId)) return malformed('`sessionId` is not a string of 1–128 characters');
      try {
        cbor.decode(message.data);
      } catch {
        return malformed('ephemeral `data` is not CBOR');
      }
      return undefined;
    }
    case 'doc-unavailable':
    case 'remote-heads-changed':
      // The server does not gossip remote heads, so their content is never read.
      return checkDocumentId(message.documentId);
    case 'remote-subscription-change':
      for (const field of ['add', 'remove'] as const) {
        const ids = message[field];
        if (ids !== undefined && !(Array.isArray(ids) && ids.every((id) => typeof id === 'string')))
          return malformed(`\`${field}\` is not a list of strings`);
      }
      return undefined;
  }
  return undefined;
}

const KNOWN_TYPES = new Set([
  'sync',
  'request',
  'ephemeral',
  'doc-unavailable',
  'remote-subscription-change',
  'remote-heads-changed',
]);

/**
 * A sync message's envelope is decoded by `decodeSyncMessage`, which leaves the changes as raw
 * chunks; each chunk is decoded too (a document chunk with `load`, a change with `decodeChange`),
 * so a corrupt or forged chunk is refused here rather than thrown inside automerge-repo.
 */
function checkSyncData(data: Uint8Array): AutomergeRejection | undefined {
  let changes: Uint8Array[];
  try {
    changes = A.decodeSyncMessage(data).changes;
  } catch (error) {
    return rejected(`sync data does not decode: ${String(error)}`);
  }
  for (const chunk of changes) {
    try {
      if (!CHUNK_MAGIC.every((b, i) => chunk[i] === b)) throw new Error('no chunk magic bytes');
      if (chunk[CHUNK_TYPE_OFFSET] === 0) A.load(chunk);
      else A.decodeChange(chunk);
    } catch (error) {
      return rejected(`sync data holds a chunk that does not decode: ${String(error)}`);
    }
  }
  return undefined;
}

function checkDocumentId(id: unknown): AutomergeRejection | undefined {
  return isValidDocumentId(id)
    ? undefined
    : { close: CloseCode.InvalidDocumentId, detail: '`documentId` is not an automerge document id' };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return (
    typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Uint8Array)
  );
}

function isId(value: unknown): value is string {
  return typeof value === 'string' && value.length > 0 && value.length <= MAX_ID_LENGTH;
}

const malformed = (detail: string): AutomergeRejection => ({ close: CloseCode.MalformedMessage, detail });
const unexpected = (detail: string): AutomergeRejection => ({ close: CloseCode.UnexpectedPeer, detail });
const rejected = (detail: string): AutomergeRejection => ({
  close: CloseCode.AutomergeMessageRejected,
  detail,
});
