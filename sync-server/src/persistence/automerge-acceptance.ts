import { next as A } from '@automerge/automerge';
import { Repo, type StorageAdapterInterface } from '@automerge/automerge-repo';
import { runStorageAdapterTests } from '@automerge/automerge-repo/helpers/tests/storage-adapter-tests.js';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

/** An automerge storage under test, and how to get a fresh instance over the same data ("restart"). */
export interface AutomergeStorageFixture {
  storage: StorageAdapterInterface;
  reopen(): Promise<StorageAdapterInterface>;
  cleanup(): Promise<void>;
}

const bytes = (...values: number[]) => Uint8Array.from(values);

/**
 * The behaviour every automerge-repo storage adapter in Symphony promises: automerge-repo's own
 * `runStorageAdapterTests`, plus what a server needs on top (a restart keeps everything, hostile
 * key parts stay keys, a Repo finds its documents again). Each adapter's test file calls this.
 */
export function runAutomergeStorageTests(
  name: string,
  makeFixture: () => Promise<AutomergeStorageFixture>,
): void {
  describe(`automerge-repo acceptance: ${name}`, () => {
    runStorageAdapterTests(async () => {
      const fixture = await makeFixture();
      return { adapter: fixture.storage, teardown: () => fixture.cleanup() };
    }, name);
  });

  describe(`AutomergeStorage: ${name}`, () => {
    let fixture: AutomergeStorageFixture;
    beforeEach(async () => {
      fixture = await makeFixture();
    });
    afterEach(() => fixture.cleanup());

    it('keeps every value and range after a reopen', async () => {
      await fixture.storage.save(['doc', 'incremental', 'a'], bytes(1));
      await fixture.storage.save(['doc', 'snapshot', 'b'], bytes(2));
      await fixture.storage.save(['storage-adapter-id'], bytes(3));
      await fixture.storage.remove(['doc', 'snapshot', 'b']);
      const reopened = await fixture.reopen();
      expect(await reopened.load(['storage-adapter-id'])).toEqual(bytes(3));
      expect(await reopened.loadRange(['doc'])).toEqual([
        { key: ['doc', 'incremental', 'a'], data: bytes(1) },
      ]);
    });

    it('matches whole key parts, not string prefixes', async () => {
      await fixture.storage.save(['ab', 'x'], bytes(1));
      await fixture.storage.save(['a', 'x'], bytes(2));
      expect(await fixture.storage.loadRange(['a'])).toEqual([{ key: ['a', 'x'], data: bytes(2) }]);
      await fixture.storage.removeRange(['a']);
      expect(await fixture.storage.load(['ab', 'x'])).toEqual(bytes(1));
    });

    it('treats any string as a key part, including path syntax', async () => {
      const keys = [
        ['..', 'x'],
        ['a/b', '.'],
        ['', 'ünïcødé ✓'],
        ['a', 'b.bin'],
        ['%2E', '_'],
      ];
      for (const [i, key] of keys.entries()) await fixture.storage.save(key, bytes(i));
      for (const [i, key] of keys.entries()) expect(await fixture.storage.load(key)).toEqual(bytes(i));
      const all = await fixture.storage.loadRange([]);
      expect(all.map((c) => JSON.stringify(c.key)).sort()).toEqual(keys.map((k) => JSON.stringify(k)).sort());
    });

    it('lets a Repo find a document again after a restart', async () => {
      const first = new Repo({ storage: fixture.storage });
      const handle = first.create<{ items: string[] }>({ items: [] });
      for (let i = 0; i < 20; i++) handle.change((d) => void d.items.push(`item ${i}`));
      const heads = A.getHeads(handle.doc());
      await first.shutdown();

      const second = new Repo({ storage: await fixture.reopen() });
      const found = await second.find<{ items: string[] }>(handle.url);
      expect(A.getHeads(found.doc())).toEqual(heads);
      expect(found.doc().items).toHaveLength(20);
      await second.shutdown();
    });
  });
}
