// The ArtifactCatalog: an artifact store's metadata as a fold of records (puts, names, cache entries).
// Pure: records in, answers out. FsArtifactStore keeps the records in an append log and
// MemoryArtifactStore in an array; both replay them into a catalog at open.
import {
  ArtifactHash,
  type ArtifactInfo,
  ArtifactName,
  ArtifactProvenance,
  type ArtifactVersion,
  NodeOutputs,
  RunId,
} from '@symphony/schemas';
import { z } from 'zod';
import type { CacheEntry } from '../ArtifactStore.js';
import { freezeEntry, type PutOptions } from './input.js';

const at = z.number().int().nonnegative();

/** One metadata record. A store's metadata is the fold of its records, in order. */
export const CatalogRecord = z.discriminatedUnion('type', [
  z.object({
    /** These bytes were stored (again): the first such record gives size, media type and `created`. */
    type: z.literal('put'),
    hash: ArtifactHash,
    size: z.number().int().nonnegative(),
    mediaType: z.string(),
    at,
    tags: z.array(z.string()),
    producedBy: ArtifactProvenance.optional(),
  }),
  z.object({
    type: z.literal('name'),
    name: ArtifactName,
    version: z.number().int().min(1),
    hash: ArtifactHash,
    at,
  }),
  z.object({ type: z.literal('cache'), key: ArtifactHash, outputs: NodeOutputs, runId: RunId, at }),
]);
export type CatalogRecord = z.infer<typeof CatalogRecord>;

interface Entry {
  readonly hash: ArtifactHash;
  readonly size: number;
  readonly mediaType: string;
  readonly created: number;
  /** Few per artifact: an array with `includes` loads 100,000 artifacts faster than a Set each. */
  readonly tags: string[];
  readonly producedBy: ArtifactProvenance[];
}

/** Whether two provenances are the same run, node, port and inputs (a retried node's put is not a second producer). */
function sameProvenance(a: ArtifactProvenance, b: ArtifactProvenance): boolean {
  return (
    a.runId === b.runId &&
    a.nodeId === b.nodeId &&
    a.port === b.port &&
    a.inputs.length === b.inputs.length &&
    a.inputs.every((input, i) => input === b.inputs[i])
  );
}

/** What the search index needs of one artifact's metadata. */
export interface CatalogSearchFields {
  readonly hash: ArtifactHash;
  readonly mediaType: string;
  readonly size: number;
  readonly names: readonly string[];
  readonly tags: readonly string[];
  readonly producers: readonly string[];
}

/**
 * An artifact store's metadata in memory. `apply` folds a record in; the queries answer from maps,
 * so `cached` is a `Map.get`. Identical bytes are one entry whose tags and provenance accumulate;
 * a name's versions are numbered 1, 2, … in the order their records were applied.
 */
export class ArtifactCatalog {
  readonly #artifacts = new Map<ArtifactHash, Entry>();
  /** Hashes in the order first stored: `list` walks it backwards. */
  readonly #order: ArtifactHash[] = [];
  readonly #versions = new Map<string, ArtifactVersion[]>();
  readonly #namesOf = new Map<ArtifactHash, Set<string>>();
  /** input → the artifacts made from it. */
  readonly #madeFrom = new Map<ArtifactHash, Set<ArtifactHash>>();
  readonly #cache = new Map<ArtifactHash, CacheEntry>();
  /** The artifact each applied put or name record touched: the search index catches up from it. */
  readonly #changes: ArtifactHash[] = [];

  /** Folds `record` in. */
  apply(record: CatalogRecord): void {
    switch (record.type) {
      case 'put':
        this.#applyPut(record);
        this.#changes.push(record.hash);
        return;
      case 'name': {
        const versions = this.#versions.get(record.name) ?? [];
        this.#versions.set(record.name, versions);
        versions.push(
          Object.freeze({
            name: record.name,
            version: record.version,
            hash: record.hash,
            created: record.at,
          }),
        );
        const names = this.#namesOf.get(record.hash) ?? new Set();
        this.#namesOf.set(record.hash, names.add(record.name));
        this.#changes.push(record.hash);
        return;
      }
      case 'cache':
        this.#cache.set(record.key, freezeEntry(record));
        return;
    }
  }

  #applyPut(record: Extract<CatalogRecord, { type: 'put' }>): void {
    let entry = this.#artifacts.get(record.hash);
    if (!entry) {
      entry = {
        hash: record.hash,
        size: record.size,
        mediaType: record.mediaType,
        created: record.at,
        tags: [],
        producedBy: [],
      };
      this.#artifacts.set(record.hash, entry);
      this.#order.push(record.hash);
    }
    for (const tag of record.tags) if (!entry.tags.includes(tag)) entry.tags.push(tag);
    const provenance = record.producedBy;
    if (!provenance || entry.producedBy.some((known) => sameProvenance(known, provenance))) return;
    entry.producedBy.push(provenance);
    for (const input of provenance.inputs) {
      const outputs = this.#madeFrom.get(input) ?? new Set();
      this.#madeFrom.set(input, outputs.add(record.hash));
    }
  }

  /** Whether `hash` is stored. */
  has(hash: ArtifactHash): boolean {
    return this.#artifacts.has(hash);
  }

  /** How many artifacts are stored. */
  get size(): number {
    return this.#order.length;
  }

  /** A copy of `hash`'s metadata, or undefined. */
  info(hash: ArtifactHash): ArtifactInfo | undefined {
    const entry = this.#artifacts.get(hash);
    if (!entry) return undefined;
    return {
      hash: entry.hash,
      size: entry.size,
      mediaType: entry.mediaType,
      created: entry.created,
      tags: [...entry.tags],
      producedBy: entry.producedBy.map((p) => ({ ...p, inputs: [...p.inputs] })),
    };
  }

  /** Newest first, at most `limit`, only those tagged `tag` when given. */
  list(limit: number, tag?: string): ArtifactInfo[] {
    const out: ArtifactInfo[] = [];
    for (let i = this.#order.length - 1; i >= 0 && out.length < limit; i--) {
      const hash = this.#order[i]!;
      if (tag !== undefined && !this.#artifacts.get(hash)!.tags.includes(tag)) continue;
      out.push(this.info(hash)!);
    }
    return out;
  }

  /** Every stored hash, oldest first. */
  hashes(): readonly ArtifactHash[] {
    return this.#order;
  }

  /** The versions of `name`, oldest first. */
  versions(name: string): ArtifactVersion[] {
    return [...(this.#versions.get(name) ?? [])];
  }

  /** Every version of every name `hash` has had, by name (code-unit order) then version. */
  versionsOf(hash: ArtifactHash): ArtifactVersion[] {
    const names = [...(this.#namesOf.get(hash) ?? [])].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    return names.flatMap((name) => this.#versions.get(name)!.filter((v) => v.hash === hash));
  }

  /** The number `name`'s next version gets. */
  nextVersion(name: string): number {
    return (this.#versions.get(name)?.length ?? 0) + 1;
  }

  /** The names `hash` has had. */
  namesOf(hash: ArtifactHash): string[] {
    return [...(this.#namesOf.get(hash) ?? [])];
  }

  /** What `hash` was made from and what was made from it, each in the order first recorded. */
  lineage(hash: ArtifactHash): { inputs: ArtifactHash[]; outputs: ArtifactHash[] } {
    const inputs = new Set<ArtifactHash>();
    for (const provenance of this.#artifacts.get(hash)?.producedBy ?? []) {
      for (const input of provenance.inputs) inputs.add(input);
    }
    return { inputs: [...inputs], outputs: [...(this.#madeFrom.get(hash) ?? [])] };
  }

  /** The cache entry under `key`. */
  cached(key: ArtifactHash): CacheEntry | undefined {
    return this.#cache.get(key);
  }

  /** How many put and name records were applied: the search index's cursor. */
  get revision(): number {
    return this.#changes.length;
  }

  /** The artifacts touched by records after `revision` (each once, in the order first touched). */
  changedSince(revision: number): ArtifactHash[] {
    return [...new Set(this.#changes.slice(revision))];
  }

  /** What the search index takes of `hash`'s metadata. */
  searchFields(hash: ArtifactHash): CatalogSearchFields | undefined {
    const entry = this.#artifacts.get(hash);
    if (!entry) return undefined;
    return {
      hash,
      mediaType: entry.mediaType,
      size: entry.size,
      names: this.namesOf(hash),
      tags: [...entry.tags],
      // Run and node, not the port: port names (`text`, `summary`) are shared by nearly every artifact.
      producers: entry.producedBy.map((p) => `${p.runId} ${p.nodeId}`),
    };
  }

  /**
   * The records one `put` appends: the put itself, and when `options.name` is given the name's next
   * version (numbered from what this catalog holds, so callers serialise named puts).
   */
  putRecords(hash: ArtifactHash, size: number, options: PutOptions, now: number): CatalogRecord[] {
    const records: CatalogRecord[] = [
      {
        type: 'put',
        hash,
        size,
        mediaType: options.mediaType,
        at: now,
        tags: [...options.tags],
        ...(options.producedBy ? { producedBy: options.producedBy } : {}),
      },
    ];
    if (options.name !== undefined) records.push(this.nameRecord(options.name, hash, now));
    return records;
  }

  /** The record that makes `hash` the next version of `name`. */
  nameRecord(name: ArtifactName, hash: ArtifactHash, now: number): CatalogRecord {
    return { type: 'name', name, version: this.nextVersion(name), hash, at: now };
  }
}

/** The version a name record made. */
export function versionOf(record: CatalogRecord): ArtifactVersion {
  if (record.type !== 'name') throw new TypeError('versionOf takes a name record');
  return { name: record.name, version: record.version, hash: record.hash, created: record.at };
}
