// FsArtifactStore, the embedded ArtifactStore: blobs as sharded files under one folder, and their
// metadata (provenance, tags, names, cache entries) as JSON records in one append log, replayed into
// memory at open.
import { mkdir, readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { ArtifactHash, ArtifactInfo, ArtifactPutOptions, ArtifactVersion } from '@symphony/schemas';
import { z } from 'zod';
import type {
  ArtifactContent,
  ArtifactHit,
  ArtifactStore,
  CacheEntry,
  VerifyReport,
} from '../ArtifactStore.js';
import { AppendLog, decodeRecords, isTornTail } from '../append-log.js';
import { ArtifactNotFoundError, JournalCorruptError, parseInput } from '../errors.js';
import { ArtifactCatalog, CatalogRecord, versionOf } from './catalog.js';
import { isTextMediaType, utf8, verifiedChunks } from './content.js';
import { FsBlobs } from './fs-blobs.js';
import {
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

/** The metadata log's file name inside the store folder. */
const META_LOG = 'meta.log';
/** Artifacts whose text the search index reads at once while it builds (bounded memory, a full libuv pool). */
const TEXT_BATCH = 256;

/** Options of {@link FsArtifactStore.open}. */
export interface FsArtifactStoreOptions {
  /** The clock for `created` and name versions; `Date.now` by default. */
  readonly now?: () => number;
  /**
   * Open to read only, beside the process that writes the folder (`symphony artifacts ls` during a
   * run): nothing on disk is changed (no temp file removed, no torn record cut), and `put`, `name`
   * and `remember` throw {@link ReadOnlyStoreError}.
   */
  readonly readOnly?: boolean;
}

const OpenInput = z.object({
  dir: z.string().min(1, 'the store folder must be a path, e.g. ".symphony/artifacts"'),
  options: z
    .object({
      now: z.custom<() => number>((v) => typeof v === 'function', 'now must be a function').optional(),
      readOnly: z.boolean().optional(),
    })
    .strict()
    .default({}),
});

/** A write to a store opened with `readOnly`. */
export class ReadOnlyStoreError extends Error {
  override name = 'ReadOnlyStoreError';
  constructor(
    readonly dir: string,
    api: string,
  ) {
    super(`${api}: the artifact store in ${dir} was opened read-only; open it without \`readOnly\` to write`);
  }
}

/**
 * The ArtifactStore on the filesystem, the embedded default (the orchestrator opens
 * `.symphony/artifacts/`). Layout: `blobs/ab/<sha256>` (one file per distinct content),
 * `tmp/` (puts in progress) and `meta.log` (metadata records, see {@link CatalogRecord}).
 *
 * A put is durable when it resolves: the blob was fsynced before its rename, and the fsync of its
 * shard folder runs beside the metadata append (whose group commit shares one fsync among
 * concurrent puts). A crash between the two leaves either a blob no record names (stored again by
 * the next put of those bytes) or, if only the record survived, an artifact `verify` reports
 * missing; neither put was acknowledged. One process writes a store folder at a time; another may
 * open it to read what was stored before it opened.
 */
export class FsArtifactStore implements ArtifactStore {
  readonly #catalog: ArtifactCatalog;
  readonly #blobs: FsBlobs;
  readonly #log: AppendLog;
  readonly #now: () => number;
  readonly #naming = new SerialQueue();
  readonly #search: ArtifactSearchIndex;
  readonly #writes = new Set<Promise<unknown>>();

  private constructor(
    /** The store folder, absolute. */
    readonly dir: string,
    /** What `open` cleaned up after a crash: temp files of puts, and bytes of a torn last metadata record. */
    readonly recovered: { readonly removedTemps: number; readonly tornBytes: number },
    private readonly readOnly: boolean,
    blobs: FsBlobs,
    catalog: ArtifactCatalog,
    now: () => number,
  ) {
    this.#blobs = blobs;
    this.#catalog = catalog;
    this.#now = now;
    // `repair`: the torn tail `open` found is cut before the first append lands behind it.
    this.#log = new AppendLog(join(dir, META_LOG), { syncDir: true, repair: true });
    this.#search = new ArtifactSearchIndex(this.#feed());
  }

  /**
   * Opens (creating if needed) the store in `dir`: removes temp files of crashed puts, loads every
   * metadata record into memory, and drops a torn last one (a crash mid-append; the put it belonged
   * to never resolved). Throws `JournalCorruptError` when the log is damaged before its end, or an
   * intact record is not a metadata record (a damaged file, or one written by a newer Symphony).
   */
  static async open(dir: string, options?: FsArtifactStoreOptions): Promise<FsArtifactStore> {
    const parsed = parseInput('FsArtifactStore.open', OpenInput, { dir, options });
    const root = resolve(parsed.dir);
    const readOnly = parsed.options.readOnly ?? false;
    if (!readOnly) await mkdir(root, { recursive: true });
    const { blobs, removedTemps } = await FsBlobs.open(root, { readOnly });
    const { catalog, tornBytes } = await loadCatalog(join(root, META_LOG));
    const recovered = { removedTemps, tornBytes };
    return new FsArtifactStore(root, recovered, readOnly, blobs, catalog, parsed.options.now ?? Date.now);
  }

  async put(content: ArtifactContent, options: ArtifactPutOptions): Promise<ArtifactInfo> {
    const parsed = parsePut(content, options);
    this.#writable('ArtifactStore.put');
    return this.#tracked(async () => {
      const known = (hash: ArtifactHash) => this.#catalog.has(hash);
      const body = parsed.content;
      const written =
        typeof body === 'string' || body instanceof Uint8Array
          ? await this.#blobs.writeBytes(typeof body === 'string' ? utf8(body) : body, known)
          : await this.#blobs.writeStream(body, known);
      const { hash, size } = written;
      const record = () => this.#append(this.#catalog.putRecords(hash, size, parsed.options, this.#now()));
      await Promise.all([this.#blobs.syncShard(written), this.#whenNamed(parsed.options, record)]);
      return this.#catalog.info(hash)!;
    });
  }

  async get(hash: ArtifactHash): Promise<Uint8Array> {
    const info = this.#stored(parseHash('ArtifactStore.get', hash));
    return this.#blobs.read(info.hash, info.size);
  }

  stream(hash: ArtifactHash): AsyncIterable<Uint8Array> {
    const parsed = parseHash('ArtifactStore.stream', hash);
    const stored = () => this.#stored(parsed);
    const blobs = this.#blobs;
    return (async function* () {
      stored();
      yield* verifiedChunks(parsed, blobs.chunks(parsed));
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
    this.#writable('ArtifactStore.name');
    return this.#tracked(() =>
      this.#naming.run(async () => {
        if (!this.#catalog.has(parsed.hash)) throw new ArtifactNotFoundError(parsed.hash);
        const record = this.#catalog.nameRecord(parsed.name, parsed.hash, this.#now());
        await this.#append([record]);
        return versionOf(record);
      }),
    );
  }

  async versions(name: string): Promise<ArtifactVersion[]> {
    return this.#catalog.versions(parseArtifactName('ArtifactStore.versions', name));
  }

  async versionsOf(hash: ArtifactHash): Promise<ArtifactVersion[]> {
    return this.#catalog.versionsOf(parseHash('ArtifactStore.versionsOf', hash));
  }

  async lineage(hash: ArtifactHash): Promise<{ inputs: ArtifactHash[]; outputs: ArtifactHash[] }> {
    return this.#catalog.lineage(this.#stored(parseHash('ArtifactStore.lineage', hash)).hash);
  }

  async search(query: string, options?: { limit?: number }): Promise<ArtifactHit[]> {
    const parsed = parseInput('ArtifactStore.search', SearchInput, { query, options });
    return this.#search.search(parsed.query, parsed.options.limit);
  }

  async verify(onProgress?: (checked: number, total: number) => void): Promise<VerifyReport> {
    const progress = parseProgress(onProgress);
    const hashes = [...this.#catalog.hashes()];
    const corrupt: VerifyReport['corrupt'][number][] = [];
    for (const [i, hash] of hashes.entries()) {
      const found = await this.#blobs.check(hash, this.#catalog.info(hash)!.size);
      if (found !== 'ok') corrupt.push({ hash, problem: found });
      progress?.(i + 1, hashes.length);
    }
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
    this.#writable('ArtifactStore.remember');
    return this.#tracked(() => this.#append([{ type: 'cache', key: parsed.key, ...parsed.entry }]));
  }

  async close(): Promise<void> {
    while (this.#writes.size > 0) await Promise.allSettled([...this.#writes]);
    await this.#log.close();
  }

  /** Appends `records` durably, then folds them into the catalog. */
  async #append(records: readonly CatalogRecord[]): Promise<void> {
    await this.#log.append(records.map((record) => utf8(JSON.stringify(record))));
    for (const record of records) this.#catalog.apply(record);
  }

  /** Runs `record` after earlier named puts when the put names its artifact (versions are numbered in order). */
  #whenNamed(options: PutOptions, record: () => Promise<void>): Promise<void> {
    return options.name === undefined ? record() : this.#naming.run(record);
  }

  #writable(api: string): void {
    if (this.readOnly) throw new ReadOnlyStoreError(this.dir, api);
  }

  #stored(hash: ArtifactHash): ArtifactInfo {
    const info = this.#catalog.info(hash);
    if (!info) throw new ArtifactNotFoundError(hash);
    return info;
  }

  /** Runs a write so that `close` waits for it. */
  #tracked<T>(write: () => Promise<T>): Promise<T> {
    const running = write();
    this.#writes.add(running);
    void running.then(
      () => this.#writes.delete(running),
      () => this.#writes.delete(running),
    );
    return running;
  }

  #feed(): SearchFeed {
    const catalog = this.#catalog;
    const blobs = this.#blobs;
    return {
      async *changes(cursor, wantsText): AsyncGenerator<SearchBatch> {
        const revision = catalog.revision;
        const hashes = catalog.changedSince(cursor);
        for (let i = 0; i === 0 || i < hashes.length; i += TEXT_BATCH) {
          const entries = await Promise.all(
            hashes.slice(i, i + TEXT_BATCH).map(async (hash) => {
              const fields = catalog.searchFields(hash)!;
              if (!isTextMediaType(fields.mediaType) || !wantsText(hash)) return fields;
              return { ...fields, text: await blobs.text(hash, fields.size) };
            }),
          );
          yield { entries, cursor: i + TEXT_BATCH >= hashes.length ? revision : cursor };
        }
      },
    };
  }
}

/**
 * Replays the metadata log at `path` into a catalog. A torn last record is left out (and cut by the
 * first append); damage before the end, or a record that is not metadata, throws JournalCorruptError.
 */
async function loadCatalog(path: string): Promise<{ catalog: ArtifactCatalog; tornBytes: number }> {
  const catalog = new ArtifactCatalog();
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { catalog, tornBytes: 0 };
    throw error;
  }
  const { records, validBytes } = decodeRecords(bytes);
  const remedy = `move ${path} aside to start an empty catalog (blobs stay, and are listed again once put again)`;
  if (validBytes < bytes.length && !isTornTail(bytes, validBytes)) {
    throw new JournalCorruptError(
      `${path}: damaged at byte ${validBytes} of ${bytes.length}, with records after the damage; restore it from a backup, or ${remedy}`,
    );
  }
  const decoder = new TextDecoder();
  records.forEach((record, i) => {
    let parsed: CatalogRecord;
    try {
      parsed = CatalogRecord.parse(JSON.parse(decoder.decode(record)));
    } catch (cause) {
      throw new JournalCorruptError(
        `${path}: record ${i + 1} is not an artifact metadata record; ${remedy}`,
        {
          cause,
        },
      );
    }
    catalog.apply(parsed);
  });
  return { catalog, tornBytes: bytes.length - validBytes };
}
