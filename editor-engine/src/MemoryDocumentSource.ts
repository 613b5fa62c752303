// The in-process DocumentSource: Documents held as Y.Docs in this process (tests, benchmarks, `--memory`).
import type { DocumentId, Role } from '@symphony/schemas';
import * as Y from 'yjs';
import type { BindingStatus, DocumentBinding, DocumentSource, OpenOptions } from './DocumentSource.js';
import { EngineError } from './errors.js';

/**
 * Documents held in this process (tests, benchmarks, `--memory`). Buffers edit the source's own
 * `Y.Doc`, so a change made on {@link MemoryDocumentSource.document} (with any origin that is not a
 * caller's) reaches buffers as a remote change, as it would from a peer.
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
    const status: BindingStatus = { connected: true, role };
    return {
      doc: this.document(documentId),
      status: () => status,
      onStatus: () => () => {},
      // The document stays with the source; the buffer only stops observing it.
      close: () => {},
    };
  }
}
