import type { SupabaseClient } from '@supabase/supabase-js';
import type { DocumentId, OfbFunctionName } from '@symphony/schemas';
import {
  createOfbClient,
  DEFAULT_OFB_TIMEOUT_MS,
  invokeOfb,
  type OfbConnectionOptions,
  OfbFunctionError,
} from '../ofb-functions.js';
import type { DocumentPersistence } from './DocumentPersistence.js';

/** Where OFB is and how the sync-server proves who it is. */
export type OfbPersistenceOptions = OfbConnectionOptions;

const toBase64 = (u: Uint8Array) => Buffer.from(u.buffer, u.byteOffset, u.byteLength).toString('base64');
const fromBase64 = (s: string) => new Uint8Array(Buffer.from(s, 'base64'));

/**
 * {@link DocumentPersistence} through OFB's functions (`persist-updates`, `load-document`,
 * `compact-document`, `list-stored-documents`), called with supabase-js `functions.invoke` and a
 * service-role token. One HTTP call per `append` batch; OFB checks the role and the document size
 * limit, writes the updates and their audit row in one transaction, and answers.
 *
 * Documents must exist in OFB (`create-document`) before updates are appended: an append to an
 * unknown document is refused with `not_found`, while `load` of an unknown document gives `[]`.
 */
export class OfbPersistence implements DocumentPersistence {
  private readonly client: SupabaseClient;
  private readonly timeoutMs: number;
  /** Per document, the tail of its chain of appends and compactions: they reach OFB in call order. */
  private readonly queues = new Map<string, Promise<unknown>>();
  /** Per document, the seq of the last update this instance stored or loaded. */
  private readonly lastSeq = new Map<string, number>();

  constructor(options: OfbPersistenceOptions) {
    this.client = createOfbClient(options);
    this.timeoutMs = options.timeoutMs ?? DEFAULT_OFB_TIMEOUT_MS;
  }

  async load(documentId: DocumentId): Promise<Uint8Array[]> {
    await this.queues.get(documentId)?.catch(() => {});
    const result = await this.call<{ updates: string[]; lastSeq: number | null }>('load-document', {
      documentId,
    }).catch((error: unknown) => {
      if (error instanceof OfbFunctionError && error.code === 'document_not_found') return null;
      throw error;
    });
    if (!result) return [];
    if (result.lastSeq !== null) this.lastSeq.set(documentId, result.lastSeq);
    return result.updates.map(fromBase64);
  }

  append(documentId: DocumentId, updates: readonly Uint8Array[], writers?: readonly string[]): Promise<void> {
    if (updates.length === 0) return this.enqueue(documentId, async () => {});
    return this.enqueue(documentId, async () => {
      // OFB decides and audits the batch under these users' names rather than only the service's.
      const { lastSeq } = await this.call<{ lastSeq: number | null }>('persist-updates', {
        documentId,
        updates: updates.map(toBase64),
        ...(writers && writers.length > 0 ? { writers: [...new Set(writers)].slice(0, 1000) } : {}),
      });
      if (lastSeq !== null) this.lastSeq.set(documentId, lastSeq);
    });
  }

  compact(documentId: DocumentId, state: Uint8Array): Promise<void> {
    return this.enqueue(documentId, async () => {
      // Everything appended before this call has been answered by now (the queue), so "up to the
      // last seq we know" covers it; when this instance knows none, the state replaces every row.
      const upToSeq = this.lastSeq.get(documentId);
      const { seq } = await this.call<{ seq: number }>('compact-document', {
        documentId,
        state: toBase64(state),
        ...(upToSeq === undefined ? {} : { upToSeq }),
      });
      if (upToSeq === undefined || seq > upToSeq) this.lastSeq.set(documentId, seq);
    });
  }

  async list(): Promise<DocumentId[]> {
    const { documentIds } = await this.call<{ documentIds: string[] }>('list-stored-documents', {});
    return documentIds as DocumentId[];
  }

  async close(): Promise<void> {
    await Promise.allSettled([...this.queues.values()]);
    this.client.removeAllChannels();
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

  private call<T>(fn: OfbFunctionName, body: Record<string, unknown>): Promise<T> {
    return invokeOfb<T>(this.client, fn, body, this.timeoutMs);
  }
}
