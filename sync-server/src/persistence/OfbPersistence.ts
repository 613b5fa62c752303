import { createClient, FunctionsHttpError, type SupabaseClient } from '@supabase/supabase-js';
import { type DocumentId, ErrorBody } from '@symphony/schemas';
import WebSocket from 'ws';
import type { DocumentPersistence } from './DocumentPersistence.js';

/** Where OFB is and how the sync-server proves who it is. */
export interface OfbPersistenceOptions {
  /** The Supabase project URL or a local `symphony-ofb` (`http://127.0.0.1:54321`). */
  readonly url: string;
  /** The project's anon key (any string for a local OFB). */
  readonly anonKey: string;
  /** A JWT with `role: service_role`, signed with the project secret: it may act in any workspace. */
  readonly serviceToken: string;
}

/** OFB answered a persistence call with an error; `category` and `code` are from its error body. */
export class OfbPersistenceError extends Error {
  override name = 'OfbPersistenceError';
  constructor(
    readonly fn: string,
    readonly status: number,
    readonly category: string,
    readonly code: string,
    message: string,
  ) {
    super(`OFB ${fn} failed (${status} ${category}/${code}): ${message}`);
  }
}

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
  /** Per document, the tail of its chain of appends and compactions: they reach OFB in call order. */
  private readonly queues = new Map<string, Promise<unknown>>();
  /** Per document, the seq of the last update this instance stored or loaded. */
  private readonly lastSeq = new Map<string, number>();

  constructor(options: OfbPersistenceOptions) {
    this.client = createClient(options.url, options.anonKey, {
      // A global Authorization header wins over the anon key in every functions.invoke call.
      global: { headers: { Authorization: `Bearer ${options.serviceToken}` } },
      // Node 20 has no global WebSocket; supabase-js wants one for realtime even when unused.
      realtime: { transport: WebSocket as unknown as typeof globalThis.WebSocket },
      auth: { persistSession: false, autoRefreshToken: false },
    });
  }

  async load(documentId: DocumentId): Promise<Uint8Array[]> {
    await this.queues.get(documentId)?.catch(() => {});
    const result = await this.call<{ updates: string[]; lastSeq: number | null }>('load-document', {
      documentId,
    }).catch((error: unknown) => {
      if (error instanceof OfbPersistenceError && error.code === 'document_not_found') return null;
      throw error;
    });
    if (!result) return [];
    if (result.lastSeq !== null) this.lastSeq.set(documentId, result.lastSeq);
    return result.updates.map(fromBase64);
  }

  append(documentId: DocumentId, updates: readonly Uint8Array[]): Promise<void> {
    if (updates.length === 0) return this.enqueue(documentId, async () => {});
    return this.enqueue(documentId, async () => {
      const { lastSeq } = await this.call<{ lastSeq: number | null }>('persist-updates', {
        documentId,
        updates: updates.map(toBase64),
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

  private async call<T>(fn: string, body: Record<string, unknown>): Promise<T> {
    const { data, error } = await this.client.functions.invoke(fn, { body });
    if (!error) return data as T;
    if (error instanceof FunctionsHttpError) {
      const response = error.context as Response;
      const parsed = ErrorBody.safeParse(await response.json().catch(() => null));
      if (parsed.success) {
        const e = parsed.data.error;
        throw new OfbPersistenceError(fn, response.status, e.category, e.code, e.message);
      }
      throw new OfbPersistenceError(fn, response.status, 'unknown', 'unknown', 'no OFB error body');
    }
    throw new OfbPersistenceError(fn, 0, 'network', 'unreachable', String(error.message ?? error));
  }
}
