// The acceptance suite every automerge-repo storage adapter runs (runAutomergeStorageTests): automerge-repo's
// own, plus restarts, hostile key parts and a Repo finding its Documents again.
import { next as A } from '@automerge/automerge';
import { Repo, type StorageAdapterInterface, type StorageKey } from '@automerge/automerge-repo';
import { runStorageAdapterTests } from '@automerge/automerge-repo/helpers/tests/storage-adapter-tests.js';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

/** An automerge storage under test, and how to get a fresh instance over the same data ("restart"). */
export interface AutomergeStorageFixture {
  storage: StorageAdapterInterface;
  reopen(): Promise<StorageAdapterInterface>;
  cleanup(): Promise<void>;
}

/**
 * What a store that keeps only workflows (OFB) needs from the suite. Without options the suite
 * expects a plain key-value store.
 */
export interface AutomergeStorageSuiteOptions {
  /**
   * Called once per test with each first key part the suite is about to use (a document id, or
   * `storage-adapter-id`), before it touches any key under it: a store that keeps chunks only of
   * documents it knows registers them here.
   */
  prepare?(firstKeyPart: string): Promise<void>;
  /**
   * The store keeps only real Automerge data of a valid workflow under `snapshot` / `incremental`
   * keys, document ids of letters, digits, `_` and `-`, and non-empty key parts (OFB). The suite
   * then wraps each arbitrary test payload stored under such a key in a workflow chunk and unwraps
   * it on load (key handling, order, overwrite and removal are what is under test), puts hostile
   * key parts after a document id, and never asks for the range `[]`. The Repo test stores real
   * chunks either way.
   */
  workflowStore?: boolean;
}

const bytes = (...values: number[]) => Uint8Array.from(values);

const isDocumentChunkKey = (key: StorageKey) => key[1] === 'snapshot' || key[1] === 'incremental';

/** A valid workflow document holding `data`: what a workflow store accepts under a chunk key. */
const wrapPayload = (data: Uint8Array): Uint8Array =>
  A.save(A.from({ name: 'payload', nodes: {}, edges: {}, payload: new Uint8Array(data) }));
const unwrapPayload = (data: Uint8Array): Uint8Array =>
  new Uint8Array(A.load<{ payload: Uint8Array }>(data).payload);

/**
 * The behaviour every automerge-repo storage adapter in Symphony promises: automerge-repo's own
 * `runStorageAdapterTests`, plus what a server needs on top (a restart keeps everything, hostile
 * key parts stay keys, a Repo finds its documents again). Each adapter's test file calls this.
 */
export function runAutomergeStorageTests(
  name: string,
  makeFixture: () => Promise<AutomergeStorageFixture>,
  options: AutomergeStorageSuiteOptions = {},
): void {
  const { prepare } = options;
  const workflowStore = options.workflowStore ?? false;

  describe(`automerge-repo acceptance: ${name}`, () => {
    runStorageAdapterTests(async () => {
      const fixture = await makeFixture();
      return {
        adapter: adapted(fixture.storage, prepare, new Map(), workflowStore),
        teardown: () => fixture.cleanup(),
      };
    }, name);
  });

  describe(`AutomergeStorage: ${name}`, () => {
    let fixture: AutomergeStorageFixture;
    let prepared: Map<string, Promise<void>>;
    /** The storage as the key-value tests use it. */
    let storage: StorageAdapterInterface;
    const reopen = async (wrap = workflowStore) => adapted(await fixture.reopen(), prepare, prepared, wrap);
    beforeEach(async () => {
      fixture = await makeFixture();
      prepared = new Map();
      storage = adapted(fixture.storage, prepare, prepared, workflowStore);
    });
    afterEach(() => fixture.cleanup());

    it('keeps every value and range after a reopen', async () => {
      await storage.save(['doc', 'incremental', 'a'], bytes(1));
      await storage.save(['doc', 'snapshot', 'b'], bytes(2));
      await storage.save(['storage-adapter-id'], bytes(3));
      await storage.remove(['doc', 'snapshot', 'b']);
      const reopened = await reopen();
      expect(await reopened.load(['storage-adapter-id'])).toEqual(bytes(3));
      expect(await reopened.loadRange(['doc'])).toEqual([
        { key: ['doc', 'incremental', 'a'], data: bytes(1) },
      ]);
    });

    it('matches whole key parts, not string prefixes', async () => {
      await storage.save(['ab', 'x'], bytes(1));
      await storage.save(['a', 'x'], bytes(2));
      expect(await storage.loadRange(['a'])).toEqual([{ key: ['a', 'x'], data: bytes(2) }]);
      await storage.removeRange(['a']);
      expect(await storage.load(['ab', 'x'])).toEqual(bytes(1));
    });

    it('treats any string as a key part, including path syntax', async () => {
      const hostile = [
        ['..', 'x'],
        ['a/b', '.'],
        ['', 'ünïcødé ✓'],
        ['a', 'b.bin'],
        ['%2E', '_'],
      ];
      // A workflow store keys everything under a document id and refuses empty parts.
      const keys = workflowStore
        ? hostile.map((k) => ['hostile', ...k.filter((part) => part !== '')])
        : hostile;
      for (const [i, key] of keys.entries()) await storage.save(key, bytes(i));
      for (const [i, key] of keys.entries()) expect(await storage.load(key)).toEqual(bytes(i));
      const all = await storage.loadRange(workflowStore ? ['hostile'] : []);
      expect(all.map((c) => JSON.stringify(c.key)).sort()).toEqual(keys.map((k) => JSON.stringify(k)).sort());
    });

    it('lets a Repo find a document again after a restart', async () => {
      // Real chunks, never wrapped; a valid workflow (the extra `items` is allowed) for a workflow store.
      const first = new Repo({ storage: adapted(fixture.storage, prepare, prepared, false) });
      const handle = first.create<{ name: string; nodes: object; edges: object; items: string[] }>({
        name: 'Repo',
        nodes: {},
        edges: {},
        items: [],
      });
      for (let i = 0; i < 20; i++) handle.change((d) => void d.items.push(`item ${i}`));
      const heads = A.getHeads(handle.doc());
      await first.shutdown();

      const second = new Repo({ storage: await reopen(false) });
      const found = await second.find<{ items: string[] }>(handle.url);
      expect(A.getHeads(found.doc())).toEqual(heads);
      expect(found.doc().items).toHaveLength(20);
      await second.shutdown();
    });
  });
}

/** `storage` with each first key part prepared once and, when `wrap`, test payloads wrapped. */
function adapted(
  storage: StorageAdapterInterface,
  prepare: AutomergeStorageSuiteOptions['prepare'],
  prepared: Map<string, Promise<void>>,
  wrap: boolean,
): StorageAdapterInterface {
  if (!prepare && !wrap) return storage;
  const ready = (key: StorageKey): Promise<void> => {
    const first = key[0];
    if (!prepare || first === undefined) return Promise.resolve();
    let done = prepared.get(first);
    if (!done) {
      done = prepare(first);
      prepared.set(first, done);
    }
    return done;
  };
  const pack = (key: StorageKey, data: Uint8Array) =>
    wrap && isDocumentChunkKey(key) ? wrapPayload(data) : data;
  const unpack = (key: StorageKey, data: Uint8Array) =>
    wrap && isDocumentChunkKey(key) ? unwrapPayload(data) : data;
  return {
    load: async (key) => {
      await ready(key);
      const data = await storage.load(key);
      return data && unpack(key, data);
    },
    save: async (key, data) => {
      await ready(key);
      await storage.save(key, pack(key, data));
    },
    remove: async (key) => {
      await ready(key);
      await storage.remove(key);
    },
    loadRange: async (prefix) => {
      await ready(prefix);
      const chunks = await storage.loadRange(prefix);
      return chunks.map((c) => ({ key: c.key, data: c.data && unpack(c.key, c.data) }));
    },
    removeRange: async (prefix) => {
      await ready(prefix);
      await storage.removeRange(prefix);
    },
  };
}
