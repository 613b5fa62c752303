// automerge-repo's storage chunks as OFB reads them: which keys are a document's, whether bytes
// decode chunk by chunk, and the cache of loaded workflows a save checks against.
import * as Automerge from '@automerge/automerge';

/**
 * First key parts that are the sync-server's own storage, not a document: automerge-repo's
 * `StorageSubsystem` keeps its adapter id under `['storage-adapter-id']`. Such rows have no document.
 */
export const SERVER_KEYS: ReadonlySet<string> = new Set(['storage-adapter-id']);

/** Second key parts whose chunks make up the document (`sync-state` chunks are peers' sync states). */
const DOCUMENT_CHUNK_TYPES: ReadonlySet<string> = new Set(['snapshot', 'incremental']);

/** A loaded Automerge document (OFB reads it only to check and validate it). */
export type Doc = Automerge.Doc<unknown>;

/** A key of the server's own (no document). */
export const isServerKey = (key: readonly string[]): boolean => key.length === 1 && SERVER_KEYS.has(key[0]!);
/** A key of a chunk that is part of a document's content (a snapshot or an incremental change). */
export const isDocumentChunk = (key: readonly string[]): boolean =>
  key.length >= 2 && DOCUMENT_CHUNK_TYPES.has(key[1]!);

/** The parts back to back. */
export function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.byteLength, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.byteLength;
  }
  return out;
}

/** Every Automerge chunk starts with these bytes, then a 4-byte checksum, a type byte and a length. */
const CHUNK_MAGIC = [0x85, 0x6f, 0x4a, 0x83] as const;
const CHUNK_TYPE_OFFSET = 8;

/**
 * Checks that a stored chunk (a snapshot or `saveSince` output: Automerge chunks back to back)
 * decodes, chunk by chunk: `loadIncremental` silently skips bytes it cannot parse, so without this a
 * corrupt chunk would be stored and fail every later load. Throws naming the problem.
 */
export function checkChunkBytes(bytes: Uint8Array): void {
  let at = 0;
  if (bytes.byteLength === 0) throw new Error('empty chunk');
  while (at < bytes.byteLength) {
    if (!CHUNK_MAGIC.every((b, i) => bytes[at + i] === b)) throw new Error(`no chunk magic bytes at ${at}`);
    let p = at + CHUNK_TYPE_OFFSET + 1;
    let length = 0;
    for (let shift = 0; ; shift += 7) {
      if (p >= bytes.byteLength || shift > 28) throw new Error(`a chunk header at ${at} is cut off`);
      const byte = bytes[p++]!;
      length += (byte & 0x7f) * 2 ** shift;
      if ((byte & 0x80) === 0) break;
    }
    const end = p + length;
    if (end > bytes.byteLength) throw new Error(`a chunk at ${at} declares ${length} bytes; fewer follow`);
    const chunk = bytes.subarray(at, end);
    if (chunk[CHUNK_TYPE_OFFSET] === 0) Automerge.load(chunk);
    else Automerge.decodeChange(chunk);
    at = end;
  }
}

/**
 * A tiny LRU of loaded workflows (a `Map` iterates in insertion order, so the first key is the
 * oldest). Each entry carries the document row's creation time: a workflow deleted and created
 * again under the same id never meets the old copy.
 */
export class DocCache {
  private readonly docs = new Map<string, { readonly createdAt: string; readonly doc: Doc }>();
  constructor(private readonly capacity: number) {}

  /** Removes and returns the document: an Automerge doc may not be used again once changed. */
  take(id: string, createdAt: string): Doc | undefined {
    const entry = this.docs.get(id);
    this.docs.delete(id);
    return entry?.createdAt === createdAt ? entry.doc : undefined;
  }

  put(id: string, createdAt: string, doc: Doc): void {
    this.docs.delete(id);
    this.docs.set(id, { createdAt, doc });
    while (this.docs.size > this.capacity) this.docs.delete(this.docs.keys().next().value!);
  }

  drop(id: string): void {
    this.docs.delete(id);
  }
}
