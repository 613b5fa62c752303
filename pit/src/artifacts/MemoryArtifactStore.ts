// MemoryArtifactStore, the ArtifactStore in memory: for tests of the executor, with the same semantics
// as the durable adapters (it copies what it keeps and hands out, and checks hashes on every read).
import type { ArtifactHash, ArtifactInfo, ArtifactPutOptions, ArtifactVersion } from '@symphony/schemas';
import type {
  ArtifactContent,
  ArtifactHit,
  ArtifactStore,
  CacheEntry,
  VerifyReport,
} from '../ArtifactStore.js';
import { ArtifactNotFoundError, parseInput } from '../errors.js';
import { ArtifactCatalog, type CatalogRecord, versionOf } from './catalog.js';
import { CHUNK_BYTES, checkBytes, decodeText, isTextMediaType, sha256Hex, utf8 } from './content.js';
import {
  ArtifactChunkInput,
  checkCacheKey,
  ListOptionsInput,
  type PutOptions,
  parseArtifactName,
  parseHash,
  parseName,
  parseProgress,
  parsePut,
  parseRemember,
  SearchInput,
} from './input.js';
import { ArtifactSearchIndex, type SearchBatch, type SearchFeed } from './search.js';
import { SerialQueue } from './serial.js';

/** What a MemoryArtifactStore keeps. Hand the same one to a new store to see what a restart would. */
export class MemoryArtifactStorage {
  /** The stored bytes by hash (tests flip a byte here to simulate a corrupt blob). */
  readonly blobs = new Map<ArtifactHash, Uint8Array>();
  /** Metadata records in the order they were made durable. */
  readonly records: CatalogRecord[] = [];
}

/** Options of {@link MemoryArtifactStore}. */
export interface MemoryArtifactStoreOptions {
  /** Storage to open (a restart); a fresh one by default. */
  readonly storage?: MemoryArtifactStorage;
  /** The clock for `created` and name versions; `Date.now` by default. */
  readonly now?: () => number;
}

/** An ArtifactStore whose bytes and metadata live in a {@link MemoryArtifactStorage}. */
export class MemoryArtifactStore implements ArtifactStore {
  /** The storage this store keeps its bytes and records in. */
  readonly storage: MemoryArtifactStorage;
  readonly #catalog = new ArtifactCatalog();
  readonly #now: () => number;
  readonly #naming = new SerialQueue();
  readonly #search: ArtifactSearchIndex;

  constructor(options: MemoryArtifactStoreOptions = {}) {
    this.storage = options.storage ?? new MemoryArtifactStorage();
    this.#now = options.now ?? Date.now;
    for (const record of this.storage.records) this.#catalog.apply(record);
    this.#search = new ArtifactSearchIndex(this.#feed());
  }

  /** A new store over the same storage, as after a restart. */
  reopen(): MemoryArtifactStore {
    return new MemoryArtifactStore({ storage: this.storage, now: this.#now });
  }

  async put(content: ArtifactContent, options: ArtifactPutOptions): Promise<ArtifactInfo> {
    const parsed = parsePut(content, options);
    const bytes = await collect(parsed.content);
    const hash = sha256Hex(bytes);
    // Stored once; a damaged copy is replaced, so re-running the node that made it repairs it.
    const stored = this.storage.blobs.get(hash);
    if (!stored || sha256Hex(stored) !== hash) this.storage.blobs.set(hash, bytes);
    const record = () =>
      this.#record(this.#catalog.putRecords(hash, bytes.length, parsed.options, this.#now()));
    await this.#whenNamed(parsed.options, record);
    return this.#catalog.info(hash)!;
  }

  async get(hash: ArtifactHash): Promise<Uint8Array> {
    const bytes = this.#blob(parseHash('ArtifactStore.get', hash));
    checkBytes(hash, bytes);
    return new Uint8Array(bytes);
  }

  stream(hash: ArtifactHash): AsyncIterable<Uint8Array> {
    const parsed = parseHash('ArtifactStore.stream', hash);
    const blob = (): Uint8Array => this.#blob(parsed);
    return (async function* () {
      const bytes = blob();
      checkBytes(parsed, bytes);
      for (let offset = 0; offset < bytes.length; offset += CHUNK_BYTES) {
        yield bytes.slice(offset, offset + CHUNK_BYTES);
      }
    })();
  }

  async info(hash: ArtifactHash): Promise<ArtifactInfo | undefined> {
    return this.#catalog.info(parseHash('ArtifactStore.info', hash));
  }

  async has(hash: ArtifactHash): Promise<boolean> {
    return this.#catalog.has(parseHash('ArtifactStore.has', hash));
  }

  async list(options?: { limit?: number; tag?: string }): Promise<ArtifactInfo[]> {
    const { limit, tag } = parseInput('ArtifactStore.list', ListOptionsInput, options);
    return this.#catalog.list(limit, tag);
  }

  async name(name: string, hash: ArtifactHash): Promise<ArtifactVersion> {
    const parsed = parseName(name, hash);
    return this.#naming.run(async () => {
      if (!this.#catalog.has(parsed.hash)) throw new ArtifactNotFoundError(parsed.hash);
      const record = this.#catalog.nameRecord(parsed.name, parsed.hash, this.#now());
      this.#record([record]);
      return versionOf(record);
    });
  }

  async versions(name: string): Promise<ArtifactVersion[]> {
    return this.#catalog.versions(parseArtifactName('ArtifactStore.versions', name));
  }

  async versionsOf(hash: ArtifactHash): Promise<ArtifactVersion[]> {
    return this.#catalog.versionsOf(parseHash('ArtifactStore.versionsOf', hash));
  }

  async lineage(hash: ArtifactHash): Promise<{ inputs: ArtifactHash[]; outputs: ArtifactHash[] }> {
    const parsed = parseHash('ArtifactStore.lineage', hash);
    if (!this.#catalog.has(parsed)) throw new ArtifactNotFoundError(parsed);
    return this.#catalog.lineage(parsed);
  }

  async search(query: string, options?: { limit?: number }): Promise<ArtifactHit[]> {
    const parsed = parseInput('ArtifactStore.search', SearchInput, { query, options });
    return this.#search.search(parsed.query, parsed.options.limit);
  }

  async verify(onProgress?: (checked: number, total: number) => void): Promise<VerifyReport> {
    const progress = parseProgress(onProgress);
    const hashes = [...this.#catalog.hashes()];
    const corrupt: VerifyReport['corrupt'][number][] = [];
    hashes.forEach((hash, i) => {
      const bytes = this.storage.blobs.get(hash);
      if (!bytes) corrupt.push({ hash, problem: 'missing' });
      else if (sha256Hex(bytes) !== hash) corrupt.push({ hash, problem: 'mismatch' });
      progress?.(i + 1, hashes.length);
    });
    return { checked: hashes.length, corrupt };
  }

  cached(key: ArtifactHash): CacheEntry | undefined {
    // A hit proves the key well-formed; only a miss pays for the check (it is ~90% of a hit's cost).
    const hit = this.#catalog.cached(key);
    if (hit === undefined) checkCacheKey(key);
    return hit;
  }

  async remember(key: ArtifactHash, entry: CacheEntry): Promise<void> {
    const parsed = parseRemember(key, entry);
    this.#record([{ type: 'cache', key: parsed.key, ...parsed.entry }]);
  }

  async close(): Promise<void> {
    await this.#naming.idle();
  }

  #record(records: CatalogRecord[]): void {
    for (const record of records) {
      this.storage.records.push(structuredClone(record));
      this.#catalog.apply(record);
    }
  }

  /** Runs `record` after earlier named puts when the put names its artifact (versions are numbered in order). */
  async #whenNamed(options: PutOptions, record: () => void): Promise<void> {
    if (options.name === undefined) record();
    else await this.#naming.run(async () => record());
  }

  #blob(hash: ArtifactHash): Uint8Array {
    const bytes = this.#catalog.has(hash) ? this.storage.blobs.get(hash) : undefined;
    if (!bytes) throw new ArtifactNotFoundError(hash);
    return bytes;
  }

  #feed(): SearchFeed {
    const catalog = this.#catalog;
    const blobs = this.storage.blobs;
    return {
      async *changes(cursor, wantsText): AsyncGenerator<SearchBatch> {
        const revision = catalog.revision;
        const entries = catalog.changedSince(cursor).map((hash) => {
          const fields = catalog.searchFields(hash)!;
          const bytes = blobs.get(hash);
          const readable =
            bytes && isTextMediaType(fields.mediaType) && wantsText(hash) && sha256Hex(bytes) === hash;
          return readable ? { ...fields, text: decodeText(bytes) } : fields;
        });
        yield { entries, cursor: revision };
      },
    };
  }
}

/** The whole content as one fresh buffer (the memory store holds it whole anyway). */
async function collect(content: ArtifactContent): Promise<Uint8Array> {
  if (typeof content === 'string') return utf8(content);
  if (content instanceof Uint8Array) return new Uint8Array(content);
  const chunks: Uint8Array[] = [];
  for await (const chunk of content) {
    parseInput('ArtifactStore.put', ArtifactChunkInput, chunk);
    chunks.push(new Uint8Array(chunk));
  }
  return Buffer.concat(chunks);
}
