// The DocumentPersistence port, where the sync-server keeps Yjs Documents, and StorageRefusedError, the
// refusal for good that both storage ports reject with.
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

/**
 * Storage refused a write for good: sending the same thing again would be refused again (the
 * document is over its size limit, deleted or not valid, or the writer lost the right to write).
 * Adapters of either storage port (this one, and automerge-repo's `StorageAdapterInterface` for
 * `/automerge`) reject with it for such refusals, and with any other error for a failure worth
 * retrying (an outage): the server then closes peers with `StorageRefused` (4413) and `code`, or
 * tells them their changes were refused, instead of asking them to resend.
 */
export class StorageRefusedError extends Error {
  override name = 'StorageRefusedError';
  /** The storage's code for the refusal (OFB's: `document_too_large`, `document_not_found`, …): what peers are told. */
  readonly code: string;
  /** The status the storage answered with, when it answers over HTTP (OFB's 4xx). */
  readonly status: number | undefined;
  /** The storage's error category (`validation`, `forbidden`, `not_found`, …), when it has one. */
  readonly category: string | undefined;

  constructor(
    code: string,
    message: string,
    details: { readonly status?: number; readonly category?: string; readonly cause?: unknown } = {},
  ) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.code = code;
    this.status = details.status;
    this.category = details.category;
  }
}
