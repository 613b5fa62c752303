// OfbAutomergeStorage, automerge-repo's storage port over OFB's automerge-* functions: Workflow chunks
// kept in OFB, writes batched in call order, refusals for good as StorageRefusedError.
import type { Chunk, StorageAdapterInterface, StorageKey } from '@automerge/automerge-repo';
import { base64ToBytes, bytesToBase64, OfbErrorCode, OfbLimits } from '@symphony/schemas';
import { type OfbConnectionOptions, OfbStorageCalls } from '../ofb-functions.js';
import { StorageRefusedError } from './DocumentPersistence.js';

/** Where OFB is and how the sync-server proves who it is. */
export type OfbAutomergeStorageOptions = OfbConnectionOptions;

/** OFB's `automerge-save` / `automerge-remove` take at most this many chunks or keys per call. */
const MAX_BATCH_ITEMS = OfbLimits.maxChunksPerCall;
/** 4 MiB of chunk bytes per call (about 5.3 MiB of base64): one request stays far below OFB's limits. */
const MAX_BATCH_BYTES = 4 * 1024 * 1024;
/** OFB refusals that concern one document of a batch: the batch is retried per document. */
const PER_DOCUMENT_CODES: ReadonlySet<string> = new Set([
  OfbErrorCode.documentNotFound,
  OfbErrorCode.invalidWorkflow,
  OfbErrorCode.documentTooLarge,
]);

/** One key is a prefix of the other (whole parts): a write to one may change what a read of the other sees. */
const overlaps = (a: StorageKey, b: StorageKey): boolean => {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return false;
  return true;
};

/**
 * automerge-repo's {@link StorageAdapterInterface} over OFB's `automerge-*` functions (supabase-js
 * `functions.invoke`, service-role token). OFB keeps the chunks in Postgres and refuses any that
 * would leave a workflow invalid, so a refused `save` rejects with a {@link StorageRefusedError}
 * carrying OFB's code (`invalid_workflow`, `document_not_found`, `document_too_large`); an outage
 * rejects with `OfbFunctionError` (status 0 or 5xx).
 *
 * **Batching.** Writes queue in call order and go out one call at a time: `save`s made in the same
 * tick, or while a call is in flight, become one `automerge-save` (one transaction in OFB); `remove`s
 * likewise one `automerge-remove`. When OFB refuses a batch because of one document, the batch is
 * retried document by document, so only that document's writes fail. A `load` or `loadRange`
 * first waits for the queued writes it could observe, so it always reads its own writes.
 *
 * Documents must exist in OFB as workflows before their chunks are saved.
 */
export class OfbAutomergeStorage implements StorageAdapterInterface {
  private readonly ofb: OfbStorageCalls;
  private readonly queue: Pending[] = [];
  private flushing: Promise<void> | undefined;

  constructor(options: OfbAutomergeStorageOptions) {
    this.ofb = new OfbStorageCalls(options);
  }

  async load(key: StorageKey): Promise<Uint8Array | undefined> {
    await this.settled(key);
    const { bytes } = await this.ofb.call('automerge-load', { key });
    return bytes === null ? undefined : base64ToBytes(bytes);
  }

  async loadRange(keyPrefix: StorageKey): Promise<Chunk[]> {
    if (keyPrefix.length === 0)
      throw new Error('OfbAutomergeStorage.loadRange([]): OFB lists chunks by document; pass a prefix');
    await this.settled(keyPrefix);
    const { chunks } = await this.ofb.call('automerge-load-range', {
      prefix: keyPrefix,
    });
    return chunks.map((c) => ({ key: c.key, data: base64ToBytes(c.bytes) }));
  }

  /**
   * `writers` (beyond automerge-repo's interface; the sync-server passes them): the user ids whose
   * changes are in the chunk, so OFB decides and audits the save under their names.
   */
  save(key: StorageKey, data: Uint8Array, writers?: readonly string[]): Promise<void> {
    return this.enqueue({
      kind: 'save',
      key: [...key],
      data: new Uint8Array(data),
      ...(writers && writers.length > 0 ? { writers: [...writers] } : {}),
    });
  }

  remove(key: StorageKey): Promise<void> {
    return this.enqueue({ kind: 'remove', key: [...key] });
  }

  removeRange(keyPrefix: StorageKey): Promise<void> {
    if (keyPrefix.length === 0)
      return Promise.reject(
        new Error('OfbAutomergeStorage.removeRange([]): OFB removes chunks by document; pass a prefix'),
      );
    return this.enqueue({ kind: 'removeRange', key: [...keyPrefix] });
  }

  /** Resolves once every write made so far has been answered (failed ones included). */
  async flush(): Promise<void> {
    await Promise.allSettled(this.queue.map((p) => p.done));
    await this.flushing;
  }

  /** Sends what is queued, then stops using the client. */
  async close(): Promise<void> {
    await this.flush();
    this.ofb.close();
  }

  private enqueue(write: Write): Promise<void> {
    let resolve!: () => void;
    let reject!: (error: unknown) => void;
    const done = new Promise<void>((res, rej) => {
      resolve = res;
      reject = rej;
    });
    this.queue.push({ write, done, resolve, reject });
    // Started on the next tick, so every write of this tick joins the first batch.
    this.flushing ??= new Promise<void>((r) => setImmediate(r)).then(() => this.drain());
    return done;
  }

  /** Waits for queued and in-flight writes that overlap `key`. */
  private async settled(key: StorageKey): Promise<void> {
    const pending = this.queue.filter((p) => overlaps(p.write.key, key)).map((p) => p.done);
    if (pending.length > 0) await Promise.allSettled(pending);
  }

  /** Sends the queue as runs of same-kind writes, one call at a time, until it is empty. */
  private async drain(): Promise<void> {
    try {
      while (this.queue.length > 0) {
        const batch = this.takeBatch();
        try {
          await this.send(batch.map((p) => p.write));
          for (const p of batch) p.resolve();
        } catch (error) {
          await this.retryPerDocument(batch, error);
        } finally {
          this.queue.splice(0, batch.length);
        }
      }
    } finally {
      this.flushing = undefined;
    }
  }

  /** The longest run at the head of the queue that one call can carry. */
  private takeBatch(): Pending[] {
    const first = this.queue[0]!;
    if (first.write.kind === 'removeRange') return [first];
    const batch: Pending[] = [];
    let bytes = 0;
    // Writers are decided per document, so a save that names writers goes with its document's only.
    const named = (p: Pending) => p.write.kind === 'save' && p.write.writers !== undefined;
    for (const p of this.queue) {
      if (p.write.kind !== first.write.kind || batch.length === MAX_BATCH_ITEMS) break;
      if ((named(first) || named(p)) && p.write.key[0] !== first.write.key[0]) break;
      const size = p.write.kind === 'save' ? p.write.data.byteLength : 0;
      if (batch.length > 0 && bytes + size > MAX_BATCH_BYTES) break;
      bytes += size;
      batch.push(p);
    }
    return batch;
  }

  /** After a refused batch: when the refusal is about a document, each document's writes go again alone. */
  private async retryPerDocument(batch: Pending[], error: unknown): Promise<void> {
    const documents = new Map<string, Pending[]>();
    for (const p of batch) {
      const id = p.write.key[0]!;
      const group = documents.get(id);
      if (group) group.push(p);
      else documents.set(id, [p]);
    }
    const perDocument = error instanceof StorageRefusedError && PER_DOCUMENT_CODES.has(error.code);
    if (!perDocument || documents.size === 1) {
      for (const p of batch) p.reject(error);
      return;
    }
    for (const group of documents.values()) {
      try {
        await this.send(group.map((p) => p.write));
        for (const p of group) p.resolve();
      } catch (groupError) {
        for (const p of group) p.reject(groupError);
      }
    }
  }

  private async send(writes: readonly Write[]): Promise<void> {
    const first = writes[0]!;
    if (first.kind === 'removeRange') {
      await this.ofb.call('automerge-remove-range', { prefix: first.key });
    } else if (first.kind === 'remove') {
      await this.ofb.call('automerge-remove', { keys: writes.map((w) => w.key) });
    } else {
      const writers = new Set(writes.flatMap((w) => (w.kind === 'save' ? (w.writers ?? []) : [])));
      await this.ofb.call('automerge-save', {
        chunks: writes.map((w) => ({ key: w.key, bytes: bytesToBase64((w as { data: Uint8Array }).data) })),
        ...(writers.size > 0 ? { writers: [...writers].slice(0, OfbLimits.maxWritersPerBatch) } : {}),
      });
    }
  }
}

type Write =
  | {
      readonly kind: 'save';
      readonly key: StorageKey;
      readonly data: Uint8Array;
      readonly writers?: readonly string[] | undefined;
    }
  | { readonly kind: 'remove'; readonly key: StorageKey }
  | { readonly kind: 'removeRange'; readonly key: StorageKey };

interface Pending {
  readonly write: Write;
  readonly done: Promise<void>;
  resolve(): void;
  reject(error: unknown): void;
}
