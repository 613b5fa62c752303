// The MessagePort DocumentSource: the worker edits replicas of the page's Y.Docs, kept in sync by
// y-protocols messages; `shareDocuments` is the page's side.
import type { DocumentId, Role } from '@symphony/schemas';
import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';
import * as syncProtocol from 'y-protocols/sync';
import * as Y from 'yjs';
import type { BindingStatus, DocumentBinding, DocumentSource, OpenOptions } from './DocumentSource.js';
import { EngineError, type EngineErrorName } from './errors.js';
import { onPortMessage, type PortLike } from './PortTransport.js';

/**
 * Messages on a document port (structured clone). The worker opens a document by id; both sides
 * then exchange y-protocols sync messages (step 1, step 2, updates) for it until it is closed.
 */
export type DocumentPortMessage =
  | { type: 'open'; id: number; documentId: string; token?: string }
  | { type: 'opened'; id: number; role: Role }
  | { type: 'refused'; id: number; error: EngineErrorName; message: string }
  | { type: 'sync'; id: number; data: Uint8Array }
  | { type: 'role'; id: number; role: Role }
  | { type: 'close'; id: number };

/**
 * Origin of the transactions that apply updates arriving over a document port, on both sides: they
 * are not sent back, and the page can tell the engine's edits from its own and from the server's
 * (the client counts them as unsaved until the server has stored them).
 */
export const DOCUMENT_PORT_ORIGIN: unique symbol = Symbol('symphony editor-engine document port');
const PORT = DOCUMENT_PORT_ORIGIN;

/** Builds a sync message (`writeSyncStep1` or an update) for a doc. */
function syncMessage(write: (encoder: encoding.Encoder) => void): Uint8Array {
  const e = encoding.createEncoder();
  write(e);
  return encoding.toUint8Array(e);
}

/**
 * Reads one sync message into `doc` and returns the reply to send (step 2 for a step 1), if any.
 */
function readSync(doc: Y.Doc, data: Uint8Array): { reply: Uint8Array | undefined; type: number } {
  const reply = encoding.createEncoder();
  const type = syncProtocol.readSyncMessage(decoding.createDecoder(data), reply, doc, PORT);
  return { reply: encoding.length(reply) > 0 ? encoding.toUint8Array(reply) : undefined, type };
}

/**
 * Keeps `doc` and the far side in step: sends local updates, applies remote ones. `cameFromHere`
 * tells an update that arrived over this very link (not sent back) from any other; by default any
 * update applied from a port did.
 */
function link(
  doc: Y.Doc,
  send: (data: Uint8Array) => void,
  cameFromHere: (origin: unknown) => boolean = (origin) => origin === PORT,
): () => void {
  const onUpdate = (update: Uint8Array, origin: unknown) => {
    if (!cameFromHere(origin)) send(syncMessage((e) => syncProtocol.writeUpdate(e, update)));
  };
  doc.on('update', onUpdate);
  return () => doc.off('update', onUpdate);
}

/**
 * The worker side of the MessagePort binding: `buffer.open` asks the page for a document over
 * `port`; the buffer edits a replica `Y.Doc` kept in sync with the page's through sync steps and
 * updates. Pair it with {@link shareDocuments} on the page.
 */
export class PortDocumentSource implements DocumentSource {
  readonly #port: PortLike;
  readonly #pending = new Map<number, (message: DocumentPortMessage) => void>();
  #nextId = 1;

  constructor(port: PortLike) {
    this.#port = port;
    onPortMessage(port, (data) => {
      const message = data as DocumentPortMessage;
      if (typeof message === 'object' && message !== null && typeof message.id === 'number') {
        this.#pending.get(message.id)?.(message);
      }
    });
  }

  shareKey(documentId: DocumentId, options: OpenOptions): string {
    return `${documentId}\u0000${options.token ?? ''}`;
  }

  open(documentId: DocumentId, options: OpenOptions): Promise<DocumentBinding> {
    const id = this.#nextId++;
    const doc = new Y.Doc();
    const post = (message: DocumentPortMessage) => this.#port.postMessage(message);
    let status: BindingStatus = { connected: true, role: 'editor' };
    const listeners = new Set<(status: BindingStatus) => void>();
    let unlink = () => {};
    const binding: DocumentBinding = {
      doc,
      status: () => status,
      onStatus: (listener) => {
        listeners.add(listener);
        return () => listeners.delete(listener);
      },
      close: () => {
        unlink();
        this.#pending.delete(id);
        post({ type: 'close', id });
        doc.destroy();
      },
    };
    return new Promise((resolve, reject) => {
      let synced = false;
      this.#pending.set(id, (message) => {
        switch (message.type) {
          case 'opened':
            status = { connected: true, role: message.role };
            unlink = link(doc, (data) => post({ type: 'sync', id, data }));
            post({ type: 'sync', id, data: syncMessage((e) => syncProtocol.writeSyncStep1(e, doc)) });
            return;
          case 'refused':
            this.#pending.delete(id);
            doc.destroy();
            reject(new EngineError(message.error, message.message, { reason: message.message }));
            return;
          case 'role':
            status = { ...status, role: message.role };
            for (const listener of listeners) listener(status);
            return;
          case 'sync': {
            const { reply, type } = readSync(doc, message.data);
            if (reply) post({ type: 'sync', id, data: reply });
            if (!synced && type === syncProtocol.messageYjsSyncStep2) {
              synced = true;
              resolve(binding);
            }
            return;
          }
          default:
            return;
        }
      });
      post({
        type: 'open',
        id,
        documentId,
        ...(options.token === undefined ? {} : { token: options.token }),
      });
    });
  }
}

/** What the page shares for a document the worker asks for. */
export interface SharedDocument {
  doc: Y.Doc;
  role: Role;
}

/**
 * The page side of the MessagePort binding: answers a {@link PortDocumentSource}'s opens with the
 * page's own `Y.Doc`s (`resolve` returns `undefined` to refuse as unknown) and keeps each in sync
 * with the worker's replica. Returns a function that stops sharing and a way to announce role changes.
 */
export function shareDocuments(
  port: PortLike,
  resolve: (documentId: string, token: string | undefined) => SharedDocument | undefined,
): { setRole(documentId: string, role: Role): void; stop(): void } {
  const open = new Map<number, { doc: Y.Doc; documentId: string; unlink: () => void }>();
  const post = (message: DocumentPortMessage) => port.postMessage(message);
  let stopped = false;
  /**
   * The open whose sync message is being applied. Every open's updates carry the one port origin
   * (the page counts them as the engine's), so this is what keeps one open's edits flowing to
   * another open of the same document while not echoing them to their sender.
   */
  let applyingFor: number | undefined;
  onPortMessage(port, (data) => {
    if (stopped) return;
    const message = data as DocumentPortMessage;
    if (typeof message !== 'object' || message === null) return;
    switch (message.type) {
      case 'open': {
        const shared = resolve(message.documentId, message.token);
        if (!shared) {
          post({
            type: 'refused',
            id: message.id,
            error: 'UnknownDocument',
            message: `no document "${message.documentId}" on the page`,
          });
          return;
        }
        const id = message.id;
        const unlink = link(
          shared.doc,
          (d) => post({ type: 'sync', id, data: d }),
          (origin) => origin === PORT && applyingFor === id,
        );
        open.set(message.id, { doc: shared.doc, documentId: message.documentId, unlink });
        post({ type: 'opened', id: message.id, role: shared.role });
        return;
      }
      case 'sync': {
        const entry = open.get(message.id);
        if (!entry) return;
        applyingFor = message.id;
        let answer: ReturnType<typeof readSync>;
        try {
          answer = readSync(entry.doc, message.data);
        } finally {
          applyingFor = undefined;
        }
        const { reply, type } = answer;
        if (reply) post({ type: 'sync', id: message.id, data: reply });
        // Answer the worker's step 1 with our own, so it learns what the page lacks too.
        if (type === syncProtocol.messageYjsSyncStep1) {
          post({
            type: 'sync',
            id: message.id,
            data: syncMessage((e) => syncProtocol.writeSyncStep1(e, entry.doc)),
          });
        }
        return;
      }
      case 'close': {
        open.get(message.id)?.unlink();
        open.delete(message.id);
        return;
      }
      default:
        return;
    }
  });
  return {
    setRole(documentId, role) {
      for (const [id, entry] of open) if (entry.documentId === documentId) post({ type: 'role', id, role });
    },
    stop() {
      stopped = true;
      for (const entry of open.values()) entry.unlink();
      open.clear();
    },
  };
}
