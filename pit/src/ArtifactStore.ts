// ArtifactStore's port: content-addressed bytes with metadata, names, lineage, search and the run cache.
import type {
  ArtifactHash,
  ArtifactInfo,
  ArtifactPutOptions,
  ArtifactVersion,
  NodeOutputs,
  RunId,
} from '@symphony/schemas';

/** What `put` takes: bytes, text (stored as UTF-8), or a stream of chunks (a large blob). */
export type ArtifactContent = Uint8Array | string | AsyncIterable<Uint8Array>;

/** One search hit: an artifact whose text or metadata matches, with its score. */
export interface ArtifactHit {
  readonly hash: ArtifactHash;
  readonly score: number;
  readonly mediaType: string;
  readonly size: number;
  /** Names this artifact has (any version). */
  readonly names: readonly string[];
}

/** One entry of the run cache: the outputs a successful node produced under a cache key. */
export interface CacheEntry {
  readonly outputs: NodeOutputs;
  readonly runId: RunId;
  readonly at: number;
}

/** What `verify` found. */
export interface VerifyReport {
  readonly checked: number;
  /** Artifacts whose bytes no longer hash to their address, or whose blob is missing. */
  readonly corrupt: readonly { readonly hash: ArtifactHash; readonly problem: 'mismatch' | 'missing' }[];
}

/**
 * Port: the Pit's content-addressed artifact store. Bytes are addressed by their SHA-256; the same
 * bytes are stored once, and each `put` of them adds its provenance and tags. Every read checks the
 * bytes against their hash: a corrupted blob throws `ArtifactCorruptError`, it is never returned
 * (a stream holds its last chunk back until the hash matched). Adapters: `FsArtifactStore` (sharded
 * folders, temp file + fsync + rename + directory fsync; the embedded default) and
 * `PostgresArtifactStore`. Every adapter passes `runArtifactStoreTests`.
 */
export interface ArtifactStore {
  /**
   * Stores `content` durably and resolves to its metadata; streams are never held in memory whole.
   * Bytes already stored are not written again, unless the stored copy is damaged or missing: then
   * it is replaced, so re-running the node that made a corrupt artifact repairs it.
   */
  put(content: ArtifactContent, options: ArtifactPutOptions): Promise<ArtifactInfo>;
  /** The bytes of `hash`, verified. Throws `ArtifactNotFoundError` or `ArtifactCorruptError`. */
  get(hash: ArtifactHash): Promise<Uint8Array>;
  /** The bytes of `hash` as chunks, verified as they pass (the last chunk only once the hash matched). */
  stream(hash: ArtifactHash): AsyncIterable<Uint8Array>;
  /** Metadata of `hash`, or undefined. */
  info(hash: ArtifactHash): Promise<ArtifactInfo | undefined>;
  /** Whether bytes with this hash are stored (not verified). */
  has(hash: ArtifactHash): Promise<boolean>;
  /** Every artifact's metadata, newest first, at most `limit` (default 100). */
  list(options?: { limit?: number; tag?: string }): Promise<ArtifactInfo[]>;
  /** Makes `hash` the next version of `name`. Throws `ArtifactNotFoundError` if `hash` is not stored. */
  name(name: string, hash: ArtifactHash): Promise<ArtifactVersion>;
  /** The versions of `name`, oldest first. */
  versions(name: string): Promise<ArtifactVersion[]>;
  /**
   * Every named version these bytes are, by name (code-unit order) then version; empty when the
   * artifact has no name or is not stored.
   */
  versionsOf(hash: ArtifactHash): Promise<ArtifactVersion[]>;
  /**
   * The input artifacts `hash` was made from, and the artifacts made from it (one step each way),
   * each in the order first recorded. Throws `ArtifactNotFoundError` if `hash` is not stored.
   */
  lineage(hash: ArtifactHash): Promise<{ inputs: ArtifactHash[]; outputs: ArtifactHash[] }>;
  /** Full-text search over text artifacts' content and every artifact's metadata (names, tags, media type). */
  search(query: string, options?: { limit?: number }): Promise<ArtifactHit[]>;
  /** Re-reads every blob and reports those that no longer match. */
  verify(onProgress?: (checked: number, total: number) => void): Promise<VerifyReport>;
  /**
   * The run cache entry under `key`, from memory (loaded at open): synchronous, so a cache hit
   * costs about a `Map.get`. The executor checks the outputs are still stored before trusting it.
   */
  cached(key: ArtifactHash): CacheEntry | undefined;
  /** Records a cache entry durably. */
  remember(key: ArtifactHash, entry: CacheEntry): Promise<void>;
  /** Waits for writes in flight and releases files or connections. */
  close(): Promise<void>;
}
