// The editor engine's document port: where buffers get the Y.Doc of a Document, and the binding's status
// and options.
import type { DocumentId, Role } from '@symphony/schemas';
import type * as Y from 'yjs';
import type { EngineError } from './errors.js';

/** A document's link state, as a buffer reports it in `buffer.status`. */
export interface BindingStatus {
  connected: boolean;
  role: Role;
  /** Set when the link closed for good (refused token, removed member, deleted document). */
  error?: EngineError;
}

/**
 * A document a buffer edits: a `Y.Doc` replica kept in sync with its peers, and what the peers
 * said about the caller's role. Text lives in `doc.getText('content')`.
 */
export interface DocumentBinding {
  readonly doc: Y.Doc;
  /** The current status; `role` is `editor` until a server says otherwise. */
  status(): BindingStatus;
  /** Called whenever the status changes; returns a function that stops the calls. */
  onStatus(listener: (status: BindingStatus) => void): () => void;
  /** The state vector the server last said it stored durably (Symphony's `[100, stateVector]`), if any. */
  savedState?(): Uint8Array | undefined;
  /**
   * Called with each state vector the server reports as stored (with {@link savedState}, by
   * bindings whose far side reports storage); returns a function that stops the calls.
   */
  onSavedState?(listener: (stateVector: Uint8Array) => void): () => void;
  /** Leaves the document and frees the replica. */
  close(): void;
}

/** Options `buffer.open` passes through. */
export interface OpenOptions {
  /** The caller's OFB access token. */
  token?: string;
}

/**
 * Port: where buffers get their documents. Adapters: `WebsocketDocumentSource` (the sync-server,
 * as a stock y-websocket client), `PortDocumentSource` (the page's Y.Doc over a MessagePort) and
 * `MemoryDocumentSource` (documents in this process).
 * `open` resolves once the replica has synced, or rejects with an {@link EngineError}
 * (`Unauthorized`, `Forbidden`, `UnknownDocument`, `SyncFailed`).
 */
export interface DocumentSource {
  open(documentId: DocumentId, options: OpenOptions): Promise<DocumentBinding>;
  /** Key under which two opens share one buffer (same document, same credentials). */
  shareKey(documentId: DocumentId, options: OpenOptions): string;
}
