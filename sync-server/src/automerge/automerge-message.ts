// Checks of each frame a client sends to /automerge: the CBOR message shape on arrival, then its sync data
// (chunks read, inflated and decoded within a budget) once the connection may open the Document.
import { next as A } from '@automerge/automerge';
import { cbor, isValidDocumentId } from '@automerge/automerge-repo';
import { CloseCode } from '@symphony/schemas';
import {
  type ChunkInfo,
  ChunkRejectedError,
  ChunkType,
  countRows,
  InflationBudget,
  type OperationBudget,
  readChunks,
} from './automerge-chunk.js';

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

/**
 * A frame {@link readAutomergeFrame} accepted, decoded once for everything after the check: its
 * CBOR map, and for an `ephemeral` message its decoded `data`.
 */
export interface AutomergeFrame {
  readonly message: Record<string, unknown>;
  readonly ephemeralData?: unknown;
}

/** 128: peer ids, session ids and storage ids from stock clients are UUID-sized. */
const MAX_ID_LENGTH = 128;
/**
 * A client's storage id becomes a storage key part on the server (its sync state), so it must be a
 * short, file-name-safe string; stock clients send a UUID.
 */
const STORAGE_ID = /^[A-Za-z0-9_-]{1,128}$/;

/**
 * Checks one binary frame sent to the `/automerge` endpoint as it arrives, before its document's
 * access is known: CBOR, a message shape the stock client sends (`join` first, then repo messages
 * from that peer to this server), valid document ids, and a non-empty `data` byte string where one
 * is due. Sync data is left undecoded: {@link checkSyncData} decodes it once the connection may
 * open the document. Pure: returns the rejection, or `undefined` and records a `join` in `state`.
 */
export function checkAutomergeFrame(
  frame: Uint8Array,
  state: AutomergePeerState,
  serverPeerId: string,
): AutomergeRejection | AutomergeDrop | undefined {
  const read = readAutomergeFrame(frame, state, serverPeerId);
  return 'message' in read ? undefined : read;
}

/** {@link checkAutomergeFrame}, giving the decoded frame when it passes. */
export function readAutomergeFrame(
  frame: Uint8Array,
  state: AutomergePeerState,
  serverPeerId: string,
): AutomergeRejection | AutomergeDrop | AutomergeFrame {
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
    return { message };
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
      return { message };
    }
    case 'ephemeral': {
      const documentId = checkDocumentId(message.documentId);
      if (documentId) return documentId;
      if (!(message.data instanceof Uint8Array)) return malformed('`data` is not a byte string');
      if (!Number.isSafeInteger(message.count) || (message.count as number) < 0)
        return malformed('`count` is not a non-negative integer');
      if (!isId(message.sessionId)) return malformed('`sessionId` is not a string of 1–128 characters');
      let ephemeralData: unknown;
      try {
        ephemeralData = cbor.decode(message.data);
      } catch {
        return malformed('ephemeral `data` is not CBOR');
      }
      return { message, ephemeralData };
    }
    case 'doc-unavailable':
    case 'remote-heads-changed':
      // The server does not gossip remote heads, so their content is never read.
      return checkDocumentId(message.documentId) ?? { message };
    case 'remote-subscription-change':
      for (const field of ['add', 'remove'] as const) {
        const ids = message[field];
        if (ids !== undefined && !(Array.isArray(ids) && ids.every((id) => typeof id === 'string')))
          return malformed(`\`${field}\` is not a list of strings`);
      }
      return { message };
  }
  return { message };
}

const KNOWN_TYPES = new Set([
  'sync',
  'request',
  'ephemeral',
  'doc-unavailable',
  'remote-subscription-change',
  'remote-heads-changed',
]);

/** What decoding the sync data of one frame may cost. */
export interface SyncDataBudget {
  /** Bytes the deflated parts of its chunks may inflate to, altogether. */
  readonly maxInflatedBytes: number;
  /** Milliseconds its chunks may take to decode, checked before each chunk. */
  readonly maxDecodeMs: number;
  /** Operations its chunks may declare, in document chunks and in changes. */
  readonly maxOperations: OperationBudget;
}

/**
 * 64 MiB inflated: what one frame's chunks may inflate to. Automerge's columns of real documents
 * deflate 4 to 30 times (more for text pasted over and over), and `A.load` needs about three
 * times the inflated size in memory, so this admits any document up to a few MiB as stored and
 * caps what a crafted column (a few hundred KiB that inflate to gigabytes) can cost. 2 s: the
 * largest real frames decode in well under a second.
 */
export const DEFAULT_SYNC_DATA_BUDGET: SyncDataBudget = {
  maxInflatedBytes: 64 * 1024 * 1024,
  maxDecodeMs: 2000,
  // Operations cost per row to decode, and run-length encoding states any number in a few bytes
  // (2^40 in seven). Every character of a string is an operation (Automerge strings are text), and
  // one change can hold a whole imported workflow or a first sync of one (v1 sends a document's
  // history as its changes), so legitimate frames hold hundreds of thousands: 2,000,000 in each
  // kind of chunk admits a workflow of about 2 MB of prompts and caps a run-length bomb at seconds
  // of decoding instead of forever. Kept apart because they cost differently (`load` 1–4 µs an
  // operation, `decodeChange` 5–10 µs), should they need different limits.
  maxOperations: { inDocuments: 2_000_000, inChanges: 2_000_000 },
};

/** The outcome of {@link checkSyncData}: known at once, or once large deflated parts are inflated. */
export type SyncDataCheck =
  | { readonly verdict: AutomergeRejection | undefined }
  | { readonly pending: Promise<AutomergeRejection | undefined> };

/**
 * Checks the sync data of a `sync` or `request` message whose document the connection may open.
 * Its envelope is decoded by `decodeSyncMessage`, which leaves the changes as raw bytes; each entry
 * is then read chunk by chunk (one chunk, or several back to back) by `readChunks`, which checks
 * every header, checksum and column layout, and every deflated part is inflated, counted and
 * dropped under one budget for the frame, before any chunk reaches Automerge. Only then is each
 * chunk decoded (`load` for a document chunk, `decodeChange` for a change), with the clock
 * checked between chunks, so that a corrupt or forged chunk is refused here rather than thrown
 * inside automerge-repo. `now` is a clock in milliseconds. The verdict is `pending` only when
 * the deflated parts could inflate to more than a few MiB; the promise never rejects.
 */
export function checkSyncData(
  data: Uint8Array,
  budget: SyncDataBudget = DEFAULT_SYNC_DATA_BUDGET,
  now: () => number = performance.now.bind(performance),
): SyncDataCheck {
  const changes = decodeSyncChanges(data);
  if (!Array.isArray(changes)) return { verdict: changes };
  return checkSyncChanges(changes, budget, now);
}

/**
 * The changes of a `sync` / `request` message's data, as `decodeSyncMessage` leaves them (raw
 * bytes, unchecked), or the rejection when the data does not decode.
 */
export function decodeSyncChanges(data: Uint8Array): Uint8Array[] | AutomergeRejection {
  try {
    return A.decodeSyncMessage(data).changes;
  } catch (error) {
    return rejected(`sync data does not decode: ${String(error)}`);
  }
}

/** {@link checkSyncData} for sync data already decoded by {@link decodeSyncChanges}. */
export function checkSyncChanges(
  changes: readonly Uint8Array[],
  budget: SyncDataBudget = DEFAULT_SYNC_DATA_BUDGET,
  now: () => number = performance.now.bind(performance),
): SyncDataCheck {
  const chunks: ChunkInfo[] = [];
  try {
    for (const entry of changes) chunks.push(...readChunks(entry));
  } catch (error) {
    return { verdict: inflationRefusal(error) };
  }
  const parts = chunks.flatMap((chunk) => chunk.deflated);
  const inflation = new InflationBudget(budget.maxInflatedBytes);
  if (!InflationBudget.fitsNow(parts))
    return {
      pending: inflation.measure(parts).then(() => countThenDecode(chunks, budget, now), inflationRefusal),
    };
  try {
    inflation.measureNow(parts);
  } catch (error) {
    return { verdict: inflationRefusal(error) };
  }
  return { verdict: countThenDecode(chunks, budget, now) };
}

/** Refuses chunks that declare more operations than the budget, else decodes them. */
function countThenDecode(
  chunks: readonly ChunkInfo[],
  budget: SyncDataBudget,
  now: () => number,
): AutomergeRejection | undefined {
  try {
    countRows(chunks, budget.maxOperations, budget.maxInflatedBytes);
  } catch (error) {
    return inflationRefusal(error);
  }
  return decodeChunks(chunks, budget, now);
}

function inflationRefusal(error: unknown): AutomergeRejection {
  if (!(error instanceof ChunkRejectedError))
    return rejected(`sync data holds a chunk that does not decode: ${String(error)}`);
  return error.kind === 'over-budget'
    ? tooCostly(error.reason)
    : rejected(`sync data holds a chunk that does not decode: ${error.reason}`);
}

/**
 * Decodes each chunk with Automerge, refusing the frame once it has taken `budget.maxDecodeMs`. A
 * compressed change's header carries the checksum of the change inside it, which only inflating
 * reveals: it must be the first 4 bytes of the hash `decodeChange` computes.
 */
function decodeChunks(
  chunks: readonly ChunkInfo[],
  budget: SyncDataBudget,
  now: () => number,
): AutomergeRejection | undefined {
  const started = now();
  for (const [i, chunk] of chunks.entries()) {
    const elapsed = now() - started;
    if (elapsed > budget.maxDecodeMs)
      return tooCostly(`${i} of ${chunks.length} chunks took ${Math.round(elapsed)} ms to decode`);
    try {
      if (chunk.type === ChunkType.document) A.free(A.load(chunk.bytes));
      else if (chunk.type === ChunkType.change) A.decodeChange(chunk.bytes);
      else if (!A.decodeChange(chunk.bytes).hash.startsWith(hex(chunk.bytes.subarray(4, 8))))
        // `decodeChange` checks no checksum; the repo's `loadIncremental` would throw on this one.
        return rejected(
          'sync data holds a compressed change whose checksum is not that of the change inside it',
        );
    } catch (error) {
      return rejected(`sync data holds a chunk that does not decode: ${String(error)}`);
    }
  }
  return undefined;
}

const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex');

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
const tooCostly = (detail: string): AutomergeRejection => ({
  close: CloseCode.AutomergeChunkTooCostly,
  detail,
});
