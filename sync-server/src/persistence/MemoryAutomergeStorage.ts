// MemoryAutomergeStorage, automerge-repo's storage port in memory, for tests.
import type { Chunk, StorageAdapterInterface, StorageKey } from '@automerge/automerge-repo';

/** automerge-repo's storage port in memory, for tests: lost when the process ends. */
export class MemoryAutomergeStorage implements StorageAdapterInterface {
  readonly #values = new Map<string, { key: StorageKey; data: Uint8Array }>();

  async load(key: StorageKey): Promise<Uint8Array | undefined> {
    const data = this.#values.get(JSON.stringify(key))?.data;
    return data && new Uint8Array(data);
  }

  async save(key: StorageKey, data: Uint8Array): Promise<void> {
    this.#values.set(JSON.stringify(key), { key: [...key], data: new Uint8Array(data) });
  }

  async remove(key: StorageKey): Promise<void> {
    this.#values.delete(JSON.stringify(key));
  }

  async loadRange(keyPrefix: StorageKey): Promise<Chunk[]> {
    return [...this.#values.values()]
      .filter(({ key }) => startsWith(key, keyPrefix))
      .map(({ key, data }) => ({ key: [...key], data: new Uint8Array(data) }));
  }

  async removeRange(keyPrefix: StorageKey): Promise<void> {
    for (const [id, { key }] of this.#values) if (startsWith(key, keyPrefix)) this.#values.delete(id);
  }
}

function startsWith(key: StorageKey, prefix: StorageKey): boolean {
  return prefix.length <= key.length && prefix.every((part, i) => key[i] === part);
}
