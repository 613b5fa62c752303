import type { DocumentId, Role } from '@symphony/schemas';
import * as Y from 'yjs';
import type { BindingStatus, DocumentBinding, DocumentSource, OpenOptions } from './DocumentSource.js';
import { EngineError } from './errors.js';

/** Origin of updates the memory source relays between a document and its replicas. */
const RELAY = Symbol('MemoryDocumentSource relay');

/**
 * Documents held in this process (tests, benchmarks, a standalone engine). Each open gets its own
 * replica `Y.Doc` kept in sync with the source's document by relaying updates both ways, so edits
 * made on {@link MemoryDocumentSource.document} arrive at buffers as remote changes.
 */
export class MemoryDocumentSource implements DocumentSource {
  readonly #docs = new Map<string, Y.Doc>();
  readonly #role: (documentId: DocumentId, token: string | undefined) => Role | undefined;

  /** `role` decides who may open what (`undefined`: refuse as unknown); everyone is an editor by default. */
  constructor(
    options: { role?: (documentId: DocumentId, token: string | undefined) => Role | undefined } = {},
  ) {
    this.#role = options.role ?? (() => 'editor');
  }

  /** The source's copy of a document, created empty on first use. */
  document(documentId: string): Y.Doc {
    let doc = this.#docs.get(documentId);
    if (!doc) {
      doc = new Y.Doc();
      this.#docs.set(documentId, doc);
    }
    return doc;
  }

  shareKey(documentId: DocumentId, options: OpenOptions): string {
    return `${documentId}\u0000${options.token ?? ''}`;
  }

  async open(documentId: DocumentId, options: OpenOptions): Promise<DocumentBinding> {
    const role = this.#role(documentId, options.token);
    if (role === undefined) {
      throw new EngineError('UnknownDocument', `no document "${documentId}"`, {
        closeCode: 4410,
        reason: 'Unknown document',
      });
    }
    const upstream = this.document(documentId);
    const replica = new Y.Doc();
    Y.applyUpdate(replica, Y.encodeStateAsUpdate(upstream), RELAY);
    const down = (update: Uint8Array, origin: unknown) => {
      if (origin !== RELAY) Y.applyUpdate(replica, update, RELAY);
    };
    const up = (update: Uint8Array, origin: unknown) => {
      if (origin !== RELAY) Y.applyUpdate(upstream, update, RELAY);
    };
    upstream.on('update', down);
    replica.on('update', up);
    const status: BindingStatus = { connected: true, role };
    return {
      doc: replica,
      status: () => status,
      onStatus: () => () => {},
      close: () => {
        upstream.off('update', down);
        replica.off('update', up);
        replica.destroy();
      },
    };
  }
}
