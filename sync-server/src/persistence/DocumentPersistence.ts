import type { DocumentId } from '@symphony/schemas';

/**
 * Where the sync-server keeps documents. The server applies every update in memory first, then
 * hands it here in batches; a batch is acknowledged to clients only once `append` resolves, so an
 * adapter must not resolve before the bytes survive a crash.
 */
export interface DocumentPersistence {
  /**
   * Everything stored for a document, as Yjs updates (v1) in the order they were stored; applying
   * them all gives the stored state. An unknown document gives `[]`.
   */
  load(documentId: DocumentId): Promise<Uint8Array[]>;
  /**
   * Durably stores updates after those already stored. Resolves once they would survive a crash.
   * `writers` are the user ids whose changes are in the batch, for an authority that audits (or
   * checks) who wrote; adapters without one ignore them.
   */
  append(documentId: DocumentId, updates: readonly Uint8Array[], writers?: readonly string[]): Promise<void>;
  /**
   * Replaces everything stored so far with `state`, which must contain every update appended
   * before this call (the server passes `Y.encodeStateAsUpdate(doc)`). Atomic: a crash during
   * compaction leaves either the old updates or the new state.
   */
  compact(documentId: DocumentId, state: Uint8Array): Promise<void>;
  /** Ids of every stored document. */
  list(): Promise<DocumentId[]>;
  /** Finishes pending writes and releases files or connections. */
  close(): Promise<void>;
}
