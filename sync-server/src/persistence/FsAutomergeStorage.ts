// FsAutomergeStorage, automerge-repo's storage port on plain files (one per key), each save atomic
// and durable: the /automerge storage a sync-server uses when given none (`<dataDir>/automerge`).
import { randomBytes } from 'node:crypto';
import { mkdir, open, readdir, readFile, rename, rm, unlink } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { Chunk, StorageAdapterInterface, StorageKey } from '@automerge/automerge-repo';

/** 225: a file name is at most 255 bytes and a save appends `.bin.<12 hex digits>.tmp` (21). */
const MAX_ENCODED_PART = 225;

/**
 * automerge-repo's storage port on plain files: one file per key under `root` (the sync-server
 * uses `<dataDir>/automerge`). Every `save` is atomic and durable before it resolves (temporary
 * file, fsync, rename, directory fsync), so a crash leaves either the old value or the new one.
 * Key parts are percent-encoded, so any string is a safe key part (`..`, `/`, empty) up to about
 * 74 characters of any text or 224 of ASCII letters and digits.
 */
export class FsAutomergeStorage implements StorageAdapterInterface {
  readonly #root: string;
  /**
   * Order of first save, per key saved by this instance: `loadRange` returns those in that order
   * (then older keys by name), as automerge-repo's acceptance suite expects. Bounded by the keys
   * that exist: `remove` forgets them.
   */
  readonly #saved = new Map<string, number>();
  #sequence = 0;

  constructor(root: string) {
    this.#root = root;
  }

  async load(key: StorageKey): Promise<Uint8Array | undefined> {
    try {
      return new Uint8Array(await readFile(this.#fileOf(key)));
    } catch (error) {
      if (isMissing(error)) return undefined;
      throw error;
    }
  }

  async save(key: StorageKey, data: Uint8Array): Promise<void> {
    const file = this.#fileOf(key);
    await this.#ensureDir(dirname(file));
    const tmp = `${file}.${randomBytes(6).toString('hex')}.tmp`;
    const handle = await open(tmp, 'w');
    try {
      await handle.writeFile(data);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(tmp, file);
    await syncDir(dirname(file));
    const id = JSON.stringify(key);
    if (!this.#saved.has(id)) this.#saved.set(id, this.#sequence++);
  }

  async remove(key: StorageKey): Promise<void> {
    this.#saved.delete(JSON.stringify(key));
    const file = this.#fileOf(key);
    try {
      await unlink(file);
    } catch (error) {
      if (isMissing(error)) return;
      throw error;
    }
    await syncDir(dirname(file));
  }

  async loadRange(keyPrefix: StorageKey): Promise<Chunk[]> {
    const chunks: Chunk[] = [];
    if (keyPrefix.length > 0) {
      const exact = await this.load(keyPrefix);
      if (exact !== undefined) chunks.push({ key: [...keyPrefix], data: exact });
    }
    await this.#walk(this.#dirOf(keyPrefix), [...keyPrefix], chunks);
    const rank = (chunk: Chunk) => this.#saved.get(JSON.stringify(chunk.key)) ?? Number.POSITIVE_INFINITY;
    return chunks
      .map((chunk) => ({ chunk, rank: rank(chunk), name: JSON.stringify(chunk.key) }))
      .sort((a, b) => a.rank - b.rank || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
      .map(({ chunk }) => chunk);
  }

  async removeRange(keyPrefix: StorageKey): Promise<void> {
    if (keyPrefix.length > 0) await this.remove(keyPrefix);
    for (const id of this.#saved.keys()) {
      const key = JSON.parse(id) as string[];
      if (keyPrefix.every((part, i) => key[i] === part)) this.#saved.delete(id);
    }
    // A removal undone by a crash only brings back chunks automerge-repo already merged elsewhere.
    await rm(this.#dirOf(keyPrefix), { recursive: true, force: true });
  }

  async #walk(dir: string, prefix: string[], out: Chunk[]): Promise<void> {
    let entries: import('node:fs').Dirent[];
    try {
      entries = await readdir(dir, { withFileTypes: true });
    } catch (error) {
      if (isMissing(error)) return;
      throw error;
    }
    for (const entry of entries) {
      if (entry.isDirectory()) {
        const part = decodePart(entry.name);
        if (part !== undefined) await this.#walk(join(dir, entry.name), [...prefix, part], out);
      } else if (entry.isFile() && entry.name.endsWith('.bin')) {
        const part = decodePart(entry.name.slice(0, -4));
        if (part === undefined) continue;
        try {
          out.push({ key: [...prefix, part], data: new Uint8Array(await readFile(join(dir, entry.name))) });
        } catch (error) {
          if (!isMissing(error)) throw error;
        }
      }
    }
  }

  #dirOf(key: StorageKey): string {
    return join(this.#root, ...key.map(encodePart));
  }

  #fileOf(key: StorageKey): string {
    if (key.length === 0) throw new Error('FsAutomergeStorage: a storage key needs at least one part');
    return `${join(this.#root, ...key.slice(0, -1).map(encodePart), encodePart(key.at(-1)!))}.bin`;
  }

  /** Creates `dir` and makes each newly created directory's entry durable. */
  async #ensureDir(dir: string): Promise<void> {
    const first = await mkdir(dir, { recursive: true });
    if (first === undefined) return;
    const created: string[] = [];
    for (let d = dir; d.length >= first.length; d = dirname(d)) created.push(d);
    for (const d of created.reverse()) await syncDir(dirname(d));
  }
}

/** `_` + percent-encoding with `.` encoded too: never empty, never `.`/`..`, never a `.bin` suffix. */
function encodePart(part: string): string {
  const encoded = `_${encodeURIComponent(part).replaceAll('.', '%2E')}`;
  if (encoded.length > MAX_ENCODED_PART)
    throw new Error(
      `FsAutomergeStorage: storage key part too long to be a file name (${encoded.length} bytes encoded)`,
    );
  return encoded;
}

function decodePart(name: string): string | undefined {
  if (!name.startsWith('_')) return undefined;
  try {
    return decodeURIComponent(name.slice(1));
  } catch {
    return undefined;
  }
}

async function syncDir(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

function isMissing(error: unknown): boolean {
  return (
    (error as NodeJS.ErrnoException).code === 'ENOENT' || (error as NodeJS.ErrnoException).code === 'ENOTDIR'
  );
}
