// The /yjs/<documentId> endpoint of the sync-server: its websockets, the shared documents they
// hold open, and how both end when the server stops.
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { CloseCode, DocumentId } from '@symphony/schemas';
import { WebSocketServer } from 'ws';
import {
  type Access,
  type AccessControl,
  type Denial,
  DenialReason,
  ResourceKind,
} from '../access/AccessControl.js';
import type { Revalidator } from '../access/Revalidator.js';
import type { Logger } from '../logger.js';
import type { DocumentPersistence } from '../persistence/DocumentPersistence.js';
import { decodePathSegment } from '../request-target.js';
import { type ConnectionContext, type ConnectionLimits, serveConnection } from './connection.js';
import { type Peer, SharedDocument, type SharedDocumentOptions } from './shared-document.js';

/** What {@link YjsEndpoint} needs. */
export interface YjsEndpointOptions {
  /** Where documents are stored. */
  readonly persistence: DocumentPersistence;
  readonly log: Logger;
  /** How every document behaves (compaction, held-back updates, size limit). */
  readonly documentOptions: SharedDocumentOptions;
  /** Limits every connection is held to. */
  readonly limits: ConnectionLimits;
  /** Who may open which document (the server's cache over the authority). */
  readonly access: AccessControl;
  /** Re-checks every open connection's access. */
  readonly revalidator: Revalidator;
  /** Frames larger than this close their connection with 1009 before they are buffered. */
  readonly maxMessageBytes: number;
}

/** `/yjs/<documentId>`: the path of a Yjs document's websocket. */
const YJS_PATH = /^\/yjs\/([^/?#]*)$/;

/**
 * The y-websocket endpoint: each upgrade to `/yjs/<documentId>` becomes a connection
 * (`serveConnection`) on the document, which is loaded on the first connection and stored and
 * dropped after the last one leaves. A broken instance (storage failed, an update failed half-way)
 * is replaced by a fresh one loaded from storage.
 */
export class YjsEndpoint {
  private readonly documentsById = new Map<DocumentId, SharedDocument>();
  private readonly wss: WebSocketServer;
  private readonly context: ConnectionContext;
  private open = 0;

  constructor(private readonly options: YjsEndpointOptions) {
    this.wss = new WebSocketServer({ noServer: true, maxPayload: options.maxMessageBytes });
    this.context = {
      log: options.log,
      limits: options.limits,
      authorize: (token, documentId) => this.authorize(token, documentId),
      watch: (watched) => options.revalidator.watch(watched),
      open: (documentId) => this.openDocument(documentId),
      leave: (document, peer) => this.leave(document, peer),
    };
  }

  /** Whether `path` is a Yjs document's websocket path. */
  static serves(path: string): boolean {
    return YJS_PATH.test(path);
  }

  /** Documents held in memory. */
  get documents(): number {
    return this.documentsById.size;
  }

  /** Open websocket connections. */
  get connections(): number {
    return this.open;
  }

  /**
   * Takes over one HTTP upgrade whose path {@link serves} says is ours (its host, origin and target
   * already checked); a document id that is not valid closes the websocket with 4400.
   */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer, path: string, token: string): void {
    const match = YJS_PATH.exec(path)!;
    const { log } = this.options;
    this.wss.handleUpgrade(req, socket, head, (ws) => {
      const remote = `${req.socket.remoteAddress}:${req.socket.remotePort}`;
      this.open++;
      ws.on('close', () => this.open--);
      const parsed = DocumentId.safeParse(decodePathSegment(match[1]!));
      if (!parsed.success) {
        log.warn(`closing connection: ${CloseCode.InvalidDocumentId.reason}`, {
          remote,
          code: CloseCode.InvalidDocumentId.code,
          detail: parsed.error.issues[0]?.message,
        });
        ws.close(CloseCode.InvalidDocumentId.code, CloseCode.InvalidDocumentId.reason);
        return;
      }
      serveConnection(ws, parsed.data, this.context, remote, token, req.socket);
    });
  }

  /** Closes every connection (1001), stores every document, then stops. */
  async close(): Promise<void> {
    const { wss } = this;
    for (const ws of wss.clients) ws.close(CloseCode.ServerShutdown.code, CloseCode.ServerShutdown.reason);
    await Promise.all([...this.documentsById.values()].map((d) => d.flush()));
    // A peer that does not answer the close frame is not waited for (ws would wait 30 s).
    const stragglers = setTimeout(() => {
      for (const ws of wss.clients) ws.terminate();
    }, 1000);
    for (const d of this.documentsById.values()) d.destroy();
    this.documentsById.clear();
    await new Promise<void>((resolve) => wss.close(() => resolve()));
    clearTimeout(stragglers);
  }

  /**
   * A workflow is an Automerge document: Yjs updates stored under its id would be a second,
   * unvalidated copy, so `/yjs` treats it as no document at all.
   */
  private authorize(token: string, documentId: DocumentId): Promise<Access | Denial> {
    return this.options.access.authorize(token, documentId).then((answer): Access | Denial =>
      answer.ok && answer.kind === ResourceKind.workflow
        ? {
            ok: false,
            reason: DenialReason.unknown,
            message: `${documentId} is a workflow: open it at /automerge`,
          }
        : answer,
    );
  }

  /** The document, loaded or loading, held open for one more connection. */
  private openDocument(documentId: DocumentId): SharedDocument {
    const { persistence, log, documentOptions } = this.options;
    const existing = this.documentsById.get(documentId);
    let document = existing;
    if (!document || document.broken) {
      // A broken instance may still be storing its last good batch: load after it.
      document = new SharedDocument(documentId, persistence, log, documentOptions, existing?.flush());
      this.documentsById.set(documentId, document);
    }
    document.hold();
    return document;
  }

  /** A connection is gone: its presence goes, and the document is stored and dropped after the last. */
  private leave(document: SharedDocument, peer: Peer): void {
    const documents = this.documentsById;
    document.peers.delete(peer);
    const claimed = document.awarenessOf.get(peer);
    document.awarenessOf.delete(peer);
    if (claimed && claimed.size > 0) document.removeAwareness([...claimed]);
    if (document.broken && documents.get(document.id) === document) documents.delete(document.id);
    if (document.release() > 0) return;
    void document.flush().then(() => {
      if (document.held > 0) return;
      if (documents.get(document.id) === document) documents.delete(document.id);
      document.destroy();
    });
  }
}
