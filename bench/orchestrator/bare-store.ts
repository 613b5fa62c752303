/**
 * The least an ArtifactStore can do for the executor, so the benchmark measures the executor and
 * its journal rather than a store (the stores have their own benchmark, `bench/pit`): `put` hashes
 * the bytes (their address) and keeps them in a Map, `get` returns them after checking the hash,
 * the run cache is a Map. Nothing is durable, parsed, indexed or searchable.
 */
import { hash } from 'node:crypto';
import type { ArtifactContent, ArtifactHit, ArtifactStore, CacheEntry, VerifyReport } from '@symphony/pit';
import type { ArtifactHash, ArtifactInfo, ArtifactPutOptions, ArtifactVersion } from '@symphony/schemas';

const sha256 = (bytes: Uint8Array): ArtifactHash => hash('sha256', bytes, 'hex') as ArtifactHash;

async function bytesOf(content: ArtifactContent): Promise<Uint8Array> {
  if (typeof content === 'string') return Buffer.from(content, 'utf8');
  if (content instanceof Uint8Array) return content;
  const chunks: Uint8Array[] = [];
  for await (const chunk of content) chunks.push(chunk);
  return Buffer.concat(chunks);
}

/** See the module comment. Methods the executor never calls throw. */
export class BareArtifactStore implements ArtifactStore {
  readonly #blobs = new Map<ArtifactHash, Uint8Array>();
  readonly #cache = new Map<ArtifactHash, CacheEntry>();

  async put(content: ArtifactContent, options: ArtifactPutOptions): Promise<ArtifactInfo> {
    const bytes = await bytesOf(content);
    const hash = sha256(bytes);
    this.#blobs.set(hash, bytes);
    return { hash, size: bytes.length, mediaType: options.mediaType, created: 0, tags: [], producedBy: [] };
  }

  async get(hash: ArtifactHash): Promise<Uint8Array> {
    const bytes = this.#blobs.get(hash);
    if (bytes === undefined || sha256(bytes) !== hash)
      throw new Error(`BareArtifactStore: no intact ${hash}`);
    return bytes;
  }

  cached(key: ArtifactHash): CacheEntry | undefined {
    return this.#cache.get(key);
  }

  async remember(key: ArtifactHash, entry: CacheEntry): Promise<void> {
    this.#cache.set(key, entry);
  }

  async close(): Promise<void> {}

  stream(): AsyncIterable<Uint8Array> {
    return unused('stream');
  }
  info(): Promise<ArtifactInfo | undefined> {
    return unused('info');
  }
  has(hash: ArtifactHash): Promise<boolean> {
    return Promise.resolve(this.#blobs.has(hash));
  }
  list(): Promise<ArtifactInfo[]> {
    return unused('list');
  }

  versionsOf(): Promise<ArtifactVersion[]> {
    return unused('versionsOf');
  }
  name(): Promise<ArtifactVersion> {
    return unused('name');
  }
  versions(): Promise<ArtifactVersion[]> {
    return unused('versions');
  }
  lineage(): Promise<{ inputs: ArtifactHash[]; outputs: ArtifactHash[] }> {
    return unused('lineage');
  }
  search(): Promise<ArtifactHit[]> {
    return unused('search');
  }
  verify(): Promise<VerifyReport> {
    return unused('verify');
  }
}

function unused(method: string): never {
  throw new Error(
    `BareArtifactStore.${method}: not used by the executor; the benchmark does not implement it`,
  );
}
