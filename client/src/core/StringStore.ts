/**
 * A small synchronous string key-value store: the part of the DOM `Storage` interface the client
 * uses. `localStorage` implements it in the browser; tests pass a `Map`-backed fake.
 */
export interface StringStore {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
  /** Number of keys, and the key at an index: lets callers list keys by prefix. */
  readonly length: number;
  key(index: number): string | null;
}

/** Keys of `store` that start with `prefix`, in storage order. */
export function keysWithPrefix(store: StringStore, prefix: string): string[] {
  const keys: string[] = [];
  for (let i = 0; i < store.length; i++) {
    const key = store.key(i);
    if (key?.startsWith(prefix)) keys.push(key);
  }
  return keys;
}

/** A {@link StringStore} held in memory: for tests, and for browsers that refuse `localStorage`. */
export class MemoryStringStore implements StringStore {
  private readonly entries = new Map<string, string>();

  get length(): number {
    return this.entries.size;
  }

  key(index: number): string | null {
    return [...this.entries.keys()][index] ?? null;
  }

  getItem(key: string): string | null {
    return this.entries.get(key) ?? null;
  }

  setItem(key: string, value: string): void {
    this.entries.set(key, value);
  }

  removeItem(key: string): void {
    this.entries.delete(key);
  }
}
