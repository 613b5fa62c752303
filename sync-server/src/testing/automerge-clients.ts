// Clients of a running sync-server's /automerge endpoint for tests: waiting until the server holds
// a stock client's document, and a raw socket granted a document to send crafted sync data on.
import { next as A } from '@automerge/automerge';
import { cbor, type DocHandle, type DocumentId, type PeerId, type Repo } from '@automerge/automerge-repo';
import { rawSocket, waitFor } from './yjs-clients.js';

/** The peer id the sync-server's /automerge endpoint joins with. */
const SERVER_PEER = 'symphony-sync-server';

/**
 * Resolves when the server has told `repo` it holds `handle`'s current heads (automerge-repo
 * records a storing peer's heads per storage id); then any other client can find the document.
 */
export async function serverHas<T>(repo: Repo, handle: DocHandle<T>): Promise<void> {
  await waitFor(() => {
    const storageId = repo.peerMetadataByPeerId[SERVER_PEER as PeerId]?.storageId;
    const theirs = storageId && handle.getSyncInfo(storageId)?.lastHeads;
    return !!theirs && JSON.stringify([...theirs].sort()) === JSON.stringify([...handle.heads()].sort());
  }, 'the server to hold the document');
}

/** A raw `/automerge` socket that has joined and been granted `documentId` (a small `request` answered). */
export async function grantedSocket(port: number, documentId: DocumentId) {
  const raw = await rawSocket({ port }, '/automerge');
  const senderId = `raw-${Math.random().toString(36).slice(2)}`;
  const send = (type: string, data: Uint8Array) =>
    raw.ws.send(cbor.encode({ type, senderId, targetId: SERVER_PEER, documentId, data }));
  raw.ws.send(cbor.encode({ type: 'join', senderId, peerMetadata: {}, supportedProtocolVersions: ['1'] }));
  const [, hello] = A.generateSyncMessage(A.init(), A.initSyncState());
  send('request', hello!);
  await waitFor(() => raw.received.length > 1, 'the server to answer the request');
  return { ...raw, send };
}

/** Sends `data` as a sync message for a document the socket was granted; how and how fast it was closed. */
export async function sendGranted(
  port: number,
  documentId: DocumentId,
  data: Uint8Array,
): Promise<{ code: number; ms: number }> {
  const raw = await grantedSocket(port, documentId);
  const sentAt = performance.now();
  raw.send('sync', data);
  const closed = await raw.closed;
  return { code: closed.code, ms: performance.now() - sentAt };
}
