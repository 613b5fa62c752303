// PostgresArtifactStore, the ArtifactStore for a team: blobs and metadata in PostgreSQL through
// postgres.js, shared by every orchestrator that opens the same database.
import type { ArtifactHash, ArtifactInfo, ArtifactPutOptions, ArtifactVersion } from '@symphony/schemas';
import postgres from 'postgres';
import { z } from 'zod';
import type {
  ArtifactContent,
  ArtifactHit,
  ArtifactStore,
  CacheEntry,
  VerifyReport,
} from '../ArtifactStore.js';
import { ArtifactNotFoundError, parseInput } from '../errors.js';
import { sha256Hex, utf8, verifiedChunks } from './content.js';
import {
  checkCacheKey,
  freezeEntry,
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
import { blobChunks, checkBlob, deleteBlob, readBlob, type Upload, uploadBlob } from './postgres-blobs.js';
import {
  type BlobRef,
  blobOf,
  createTables,
  type InfoRow,
  infoColumns,
  REVISION_LOCK,
  toInfo,
  toVersion,
} from './postgres-schema.js';
import { searchFeed } from './postgres-search.js';
import { ArtifactSearchIndex } from './search.js';

type Sql = postgres.Sql | postgres.TransactionSql;

/** Options of {@link PostgresArtifactStore.open}. */
export interface PostgresArtifactStoreOptions {
  /** Connections in the pool; 10 by default. */
  readonly max?: number;
  /** The clock for `created` and name versions; `Date.now` by default. */
  readonly now?: () => number;
}

const OpenInput = z.object({
  url: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'the database URL must start with postgres:// or postgresql://'),
  options: z
    .object({
      max: z.number().int().min(1).max(100).optional(),
      now: z.custom<() => number>((v) => typeof v === 'function', 'now must be a function').optional(),
    })
    .strict()
    .default({}),
});

/** What a put found before it took the metadata lock: whether to upload, and whether that repairs a damaged copy. */
type PutPlan = 'reuse' | 'upload' | 'repair';

/** Whether bytes with `hash` need uploading: not stored, stored intact (reuse), or stored damaged (repair). */
async function planPut(sql: Sql, hash: ArtifactHash): Promise<PutPlan> {
  const stored = await blobOf(sql, hash);
  if (!stored) return 'upload';
  return (await checkBlob(sql, stored)) === 'ok' ? 'reuse' : 'repair';
}

/**
 * The ArtifactStore on PostgreSQL. Tables (`pit_artifacts`, `pit_artifact_chunks`, provenance,
 * lineage, names, cache) are created at open if missing. A put runs in one transaction: its chunks
 * are inserted, then the metadata under an advisory lock; a crash rolls it all back. Reads hash the
 * chunks as they arrive, as the file store does. `cached` answers from the entries loaded at open
 * and those this process remembered since (another process's new entries are seen after a reopen).
 */
export class PostgresArtifactStore implements ArtifactStore {
  readonly #cache = new Map<ArtifactHash, CacheEntry>();
  readonly #search: ArtifactSearchIndex;
  readonly #writes = new Set<Promise<unknown>>();

  private constructor(
    /** The connection pool (tests use it to inspect or damage rows). */
    readonly sql: postgres.Sql,
    private readonly now: () => number,
  ) {
    this.#search = new ArtifactSearchIndex(searchFeed(sql));
  }

  /** Connects to `url`, creates the tables that are missing and loads the run cache. */
  static async open(url: string, options?: PostgresArtifactStoreOptions): Promise<PostgresArtifactStore> {
    const parsed = parseInput('PostgresArtifactStore.open', OpenInput, { url, options });
    const sql = postgres(parsed.url, { max: parsed.options.max ?? 10, onnotice: () => {} });
    try {
      await createTables(sql);
      const store = new PostgresArtifactStore(sql, parsed.options.now ?? Date.now);
      const rows = await sql`select key, outputs, run_id, at::float8 as at from pit_artifact_cache`;
      for (const row of rows) {
        store.#cache.set(row.key, freezeEntry({ outputs: row.outputs, runId: row.run_id, at: row.at }));
      }
      return store;
    } catch (error) {
      await sql.end({ timeout: 5 });
      throw error;
    }
  }

  async put(content: ArtifactContent, options: ArtifactPutOptions): Promise<ArtifactInfo> {
    const parsed = parsePut(content, options);
    return this.#tracked(async () => {
      const body = parsed.content;
      if (typeof body !== 'string' && !(body instanceof Uint8Array)) {
        // A stream is uploaded as it hashes; only then is it known whether the bytes were stored.
        return this.sql.begin(async (tx) => {
          const upload = await uploadBlob(tx, body);
          // Read through `tx`: waiting for a second connection could deadlock a pool full of puts.
          const plan = await planPut(tx, upload.hash);
          return this.#record(tx, upload.hash, upload.size, plan, upload, parsed.options);
        }) as Promise<ArtifactInfo>;
      }
      const bytes = typeof body === 'string' ? utf8(body) : body;
      const hash = sha256Hex(bytes);
      const plan = await planPut(this.sql, hash);
      return this.sql.begin(async (tx) => {
        const upload = plan === 'reuse' ? undefined : await uploadBlob(tx, bytes);
        return this.#record(tx, hash, bytes.length, plan, upload, parsed.options);
      }) as Promise<ArtifactInfo>;
    });
  }

  async get(hash: ArtifactHash): Promise<Uint8Array> {
    return readBlob(this.sql, await this.#blob(parseHash('ArtifactStore.get', hash)));
  }

  stream(hash: ArtifactHash): AsyncIterable<Uint8Array> {
    const parsed = parseHash('ArtifactStore.stream', hash);
    const blob = () => this.#blob(parsed);
    const sql = this.sql;
    return (async function* () {
      yield* verifiedChunks(parsed, blobChunks(sql, await blob()));
    })();
  }

  async info(hash: ArtifactHash): Promise<ArtifactInfo | undefined> {
    return this.#info(this.sql, parseHash('ArtifactStore.info', hash));
  }

  async has(hash: ArtifactHash): Promise<boolean> {
    return (await blobOf(this.sql, parseHash('ArtifactStore.has', hash))) !== undefined;
  }

  async list(options?: { limit?: number; tag?: string }): Promise<ArtifactInfo[]> {
    const { limit, tag } = parseInput('ArtifactStore.list', ListOptionsInput, options);
    const where = tag === undefined ? this.sql`` : this.sql`where ${tag} = any(a.tags)`;
    const rows = await this
      .sql`select ${infoColumns(this.sql)} from pit_artifacts a ${where} order by a.seq desc limit ${limit}`;
    return rows.map((row) => toInfo(row as unknown as InfoRow));
  }

  async name(name: string, hash: ArtifactHash): Promise<ArtifactVersion> {
    const parsed = parseName(name, hash);
    return this.#tracked(
      () =>
        this.sql.begin(async (tx) => {
          await tx`select pg_advisory_xact_lock(${REVISION_LOCK})`;
          if (!(await blobOf(tx, parsed.hash))) throw new ArtifactNotFoundError(parsed.hash);
          return this.#nameIn(tx, parsed.name, parsed.hash, this.now());
        }) as Promise<ArtifactVersion>,
    );
  }

  async versions(name: string): Promise<ArtifactVersion[]> {
    const parsed = parseArtifactName('ArtifactStore.versions', name);
    const rows = await this.sql`
      select name, version, hash, created::float8 as created from pit_artifact_names
      where name = ${parsed} order by version`;
    return rows.map(toVersion);
  }

  async versionsOf(hash: ArtifactHash): Promise<ArtifactVersion[]> {
    const parsed = parseHash('ArtifactStore.versionsOf', hash);
    const rows = await this.sql`
      select name, version, hash, created::float8 as created from pit_artifact_names
      where hash = ${parsed} order by name collate "C", version`;
    return rows.map(toVersion);
  }

  async lineage(hash: ArtifactHash): Promise<{ inputs: ArtifactHash[]; outputs: ArtifactHash[] }> {
    const info = await this.#info(this.sql, parseHash('ArtifactStore.lineage', hash));
    if (!info) throw new ArtifactNotFoundError(hash);
    const inputs = new Set(info.producedBy.flatMap((p) => p.inputs));
    const rows = await this.sql`select output from pit_artifact_lineage where input = ${hash} order by seq`;
    return { inputs: [...inputs], outputs: rows.map((row) => row.output as ArtifactHash) };
  }

  async search(query: string, options?: { limit?: number }): Promise<ArtifactHit[]> {
    const parsed = parseInput('ArtifactStore.search', SearchInput, { query, options });
    return this.#search.search(parsed.query, parsed.options.limit);
  }

  async verify(onProgress?: (checked: number, total: number) => void): Promise<VerifyReport> {
    const progress = parseProgress(onProgress);
    const [{ total }] = (await this.sql`select count(*)::int as total from pit_artifacts`) as unknown as [
      { total: number },
    ];
    const corrupt: VerifyReport['corrupt'][number][] = [];
    let checked = 0;
    let after = '0';
    for (;;) {
      const rows = await this.sql`
        select hash, blob_id::text as blob_id, chunks, size::float8 as size, seq::text as seq from pit_artifacts
        where seq > ${after} order by seq limit 500`;
      for (const row of rows) {
        const blob: BlobRef = { hash: row.hash, blobId: row.blob_id, chunks: row.chunks, size: row.size };
        const found = await checkBlob(this.sql, blob);
        if (found !== 'ok') corrupt.push({ hash: blob.hash, problem: found });
        checked++;
        progress?.(checked, Math.max(total, checked));
      }
      if (rows.length < 500) break;
      after = rows.at(-1)!.seq;
    }
    return { checked, corrupt };
  }

  cached(key: ArtifactHash): CacheEntry | undefined {
    // A hit proves the key well-formed; only a miss pays for the check (it is ~90% of a hit's cost).
    const hit = this.#cache.get(key);
    if (hit === undefined) checkCacheKey(key);
    return hit;
  }

  async remember(key: ArtifactHash, entry: CacheEntry): Promise<void> {
    const parsed = parseRemember(key, entry);
    await this.#tracked(async () => {
      const { outputs, runId, at } = parsed.entry;
      await this.sql`
        insert into pit_artifact_cache (key, outputs, run_id, at)
        values (${parsed.key}, ${this.sql.json(outputs)}, ${runId}, ${at})
        on conflict (key) do update set outputs = excluded.outputs, run_id = excluded.run_id, at = excluded.at`;
      this.#cache.set(parsed.key, parsed.entry);
    });
  }

  async close(): Promise<void> {
    while (this.#writes.size > 0) await Promise.allSettled([...this.#writes]);
    await this.sql.end({ timeout: 5 });
  }

  /**
   * The metadata half of a put, under the revision lock: the artifact row (new, or its tags merged
   * and, for a repair, pointed at the fresh upload), provenance, lineage and the name's next version.
   */
  async #record(
    tx: postgres.TransactionSql,
    hash: ArtifactHash,
    size: number,
    plan: PutPlan,
    upload: Upload | undefined,
    options: PutOptions,
  ): Promise<ArtifactInfo> {
    const now = this.now();
    await tx`select pg_advisory_xact_lock(${REVISION_LOCK})`;
    const stored = await blobOf(tx, hash);
    const tags = [...options.tags];
    if (!stored) {
      if (!upload)
        throw new Error(`artifact ${hash} vanished while it was being stored again; retry the put`);
      await tx`
        insert into pit_artifacts (hash, size, media_type, created, tags, blob_id, chunks, revision)
        values (${hash}, ${size}, ${options.mediaType}, ${now}, ${tags}::text[], ${upload.blobId}, ${upload.chunks},
          nextval('pit_artifact_revisions'))`;
    } else {
      if (upload && plan === 'repair') {
        await tx`update pit_artifacts set blob_id = ${upload.blobId}, chunks = ${upload.chunks} where hash = ${hash}`;
        await deleteBlob(tx, stored.blobId);
      } else if (upload) {
        // Another writer stored these bytes since this put looked: keep theirs.
        await deleteBlob(tx, upload.blobId);
      }
      await tx`
        update pit_artifacts set revision = nextval('pit_artifact_revisions'), tags = array(
          select t from unnest(tags || ${tags}::text[]) with ordinality as u(t, i) group by t order by min(i))
        where hash = ${hash}`;
    }
    const provenance = options.producedBy;
    if (provenance) {
      const key = JSON.stringify([provenance.runId, provenance.nodeId, provenance.port, provenance.inputs]);
      const added = await tx`
        insert into pit_artifact_provenance (hash, key, run_id, node_id, port, inputs)
        values (${hash}, ${key}, ${provenance.runId}, ${provenance.nodeId}, ${provenance.port}, ${provenance.inputs}::text[])
        on conflict (hash, key) do nothing returning 1`;
      if (added.length > 0 && provenance.inputs.length > 0) {
        await tx`
          insert into pit_artifact_lineage (input, output)
          select i, ${hash} from unnest(${provenance.inputs}::text[]) with ordinality as u(i, n) order by n
          on conflict do nothing`;
      }
    }
    if (options.name !== undefined) await this.#nameIn(tx, options.name, hash, now);
    return (await this.#info(tx, hash))!;
  }

  /** Makes `hash` the next version of `name` inside `tx` (which holds the revision lock). */
  async #nameIn(tx: Sql, name: string, hash: ArtifactHash, now: number): Promise<ArtifactVersion> {
    const [row] = await tx`
      insert into pit_artifact_names (name, version, hash, created)
      select ${name}, coalesce(max(version), 0) + 1, ${hash}, ${now} from pit_artifact_names where name = ${name}
      returning name, version, hash, created::float8 as created`;
    await tx`update pit_artifacts set revision = nextval('pit_artifact_revisions') where hash = ${hash}`;
    return toVersion(row!);
  }

  async #info(sql: Sql, hash: ArtifactHash): Promise<ArtifactInfo | undefined> {
    const [row] =
      await sql`select ${infoColumns(sql as postgres.Sql)} from pit_artifacts a where a.hash = ${hash}`;
    return row ? toInfo(row as unknown as InfoRow) : undefined;
  }

  async #blob(hash: ArtifactHash): Promise<BlobRef> {
    const blob = await blobOf(this.sql, hash);
    if (!blob) throw new ArtifactNotFoundError(hash);
    return blob;
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
}
