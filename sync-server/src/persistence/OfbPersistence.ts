// OfbPersistence, the DocumentPersistence over OFB's functions: each batch of Yjs updates one
// persist-updates call, with compaction, loading and listing through OFB.
import { base64ToBytes, bytesToBase64, type DocumentId, OfbErrorCode, OfbLimits } from '@symphony/schemas';
import { type OfbConnectionOptions, OfbStorageCalls } from '../ofb-functions.js';
import { type DocumentPersistence, StorageRefusedError } from './DocumentPersistence.js';

/** Where OFB is and how the sync-server proves who it is. */
export type OfbPersistenceOptions = OfbConnectionOptions;

/**
 * {@link DocumentPersistence} through OFB's functions (`persist-updates`, `load-document`,
 * `compact-document`, `list-stored-documents`), called with supabase-js `functions.invoke` and a
 * service-role token. One HTTP call per `append` batch; OFB checks the role and the document size
 * limit, writes the updates and their audit row in one transaction, and answers.
 *
 * Documents must exist in OFB (`create-document`) before updates are appended: an append to an
 * unknown document is refused with `not_found`, while `load` of an unknown document gives `[]`.
 *
 * OFB's refusals for good (a 4xx: over the size limit, unknown document, no right) reject with
 * {@link StorageRefusedError} carrying OFB's code; an outage with `OfbFunctionError` (status 0 or 5xx).
 */
export class OfbPersistence implements DocumentPersistence {
  private readonly ofb: OfbStorageCalls;
  /** Per document, the tail of its chain of appends and compactions: they reach OFB in call order. */
  private readonly queues = new Map<string, Promise<unknown>>();
  /** Per document, the seq of the last update this instance stored or loaded. */
  private readonly lastSeq = new Map<string, number>();

  constructor(options: OfbPersistenceOptions) {
    this.ofb = new OfbStorageCalls(options);
  }

  async load(documentId: DocumentId): Promise<Uint8Array[]> {
    await this.queues.get(documentId)?.catch(() => {});
    const result = await this.ofb.call('load-document', { documentId }).catch((error: unknown) => {
      if (error instanceof StorageRefusedError && error.code === OfbErrorCode.documentNotFound) return null;
      throw error;
    });
    if (!result) return [];
    if (result.lastSeq !== null) this.lastSeq.set(documentId, result.lastSeq);
    return result.updates.map(base64ToBytes);
  }

  append(documentId: DocumentId, updates: readonly Uint8Array[], writers?: readonly string[]): Promise<void> {
    if (updates.length === 0) return this.enqueue(documentId, async () => {});
    return this.enqueue(documentId, async () => {
      // OFB decides and audits the batch under these users' names rather than only the service's.
      const { lastSeq } = await this.ofb.call('persist-updates', {
        documentId,
        updates: updates.map(bytesToBase64),
        ...(writers && writers.length > 0
          ? { writers: [...new Set(writers)].slice(0, OfbLimits.maxWritersPerBatch) }
          : {}),
      });
      if (lastSeq !== null) this.lastSeq.set(documentId, lastSeq);
    });
  }

  compact(documentId: DocumentId, state: Uint8Array): Promise<void> {
    return this.enqueue(documentId, async () => {
      // Everything appended before this call has been answered by now (the queue), so "up to the
      // last seq we know" covers it; when this instance knows none, the state replaces every row.
      const upToSeq = this.lastSeq.get(documentId);
      const { seq } = await this.ofb.call('compact-document', {
        documentId,
        state: bytesToBase64(state),
        ...(upToSeq === undefined ? {} : { upToSeq }),
      });
      if (upToSeq === undefined || seq > upToSeq) this.lastSeq.set(documentId, seq);
    });
  }

  async list(): Promise<DocumentId[]> {
    const { documentIds } = await this.ofb.call('list-stored-documents', {});
    return documentIds as DocumentId[];
  }

  async close(): Promise<void> {
    await Promise.allSettled([...this.queues.values()]);
    this.ofb.close();
  }

  private enqueue(documentId: string, task: () => Promise<void>): Promise<void> {
    const previous = this.queues.get(documentId) ?? Promise.resolve();
    const next = previous.catch(() => {}).then(task);
    this.queues.set(documentId, next);
    void next
      .catch(() => {})
      .then(() => {
        if (this.queues.get(documentId) === next) this.queues.delete(documentId);
      });
    return next;
  }
}
