// Tests of the OfbStore's Automerge chunk methods (save, load, range, remove) on PGlite and PostgreSQL.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PgliteStore } from '../src/adapters/PgliteStore.js';
import { PostgresStore } from '../src/adapters/PostgresStore.js';
import type { OfbStore } from '../src/OfbStore.js';
import { type PostgresServer, startPostgres } from '../src/testing.js';

const b = (...values: number[]) => Uint8Array.from(values);

/** The store's Automerge chunk methods, the same on every SQL driver. */
function runAutomergeStoreTests(name: string, open: () => Promise<OfbStore>): void {
  describe(`automerge chunks in ${name}`, () => {
    let store: OfbStore;
    beforeAll(async () => {
      store = await open();
      await store.createUser({ id: 'u', name: 'u', passwordHash: 'x' });
      await store.createWorkspace({ id: 'w', name: 'w', createdBy: 'u' });
      for (const id of ['wf', 'wf2', 'wf-other'])
        await store.createDocument({ id, workspaceId: 'w', kind: 'workflow', title: id, sizeBytes: 0 });
    });
    afterAll(() => store?.close());

    it('saves (last write of a key wins), loads, ranges in first-save order, and removes', async () => {
      await store.saveAutomergeChunks([
        { key: ['wf', 'snapshot', 'b'], documentId: 'wf', bytes: b(1) },
        { key: ['wf', 'incremental', 'a'], documentId: 'wf', bytes: b(2) },
        { key: ['wf', 'snapshot', 'b'], documentId: 'wf', bytes: b(3) },
        { key: ['wf2', 'sync-state', 'it\'s "quoted", {braced}'], documentId: 'wf2', bytes: b(4) },
        { key: ['storage-adapter-id'], documentId: null, bytes: b(5) },
      ]);
      await store.saveAutomergeChunks([
        { key: ['wf', 'incremental', 'a'], documentId: 'wf', bytes: b(6, 7) },
      ]);
      expect(await store.loadAutomergeChunk(['wf', 'snapshot', 'b'])).toEqual(b(3));
      expect(await store.loadAutomergeChunk(['wf2', 'sync-state', 'it\'s "quoted", {braced}'])).toEqual(b(4));
      expect(await store.loadAutomergeChunk(['wf', 'snapshot'])).toBeNull();
      expect(await store.loadAutomergeRange(['wf'])).toEqual([
        { key: ['wf', 'snapshot', 'b'], documentId: 'wf', bytes: b(3) },
        { key: ['wf', 'incremental', 'a'], documentId: 'wf', bytes: b(6, 7) },
      ]);
      expect((await store.loadAutomergeRange([])).map((c) => c.key[0])).toEqual([
        'wf',
        'wf',
        'wf2',
        'storage-adapter-id',
      ]);
      expect(await store.loadAutomergeRange(['w'])).toEqual([]);
      expect(await store.storedAutomergeBytes('wf')).toBe(3);
      expect(await store.storedAutomergeBytes('wf2')).toBe(0); // sync states are not the document

      expect(
        await store.removeAutomergeChunks([
          ['wf', 'snapshot', 'b'],
          ['wf', 'nope'],
        ]),
      ).toBe(1);
      expect(await store.removeAutomergeRange(['wf2'])).toBe(1);
      expect((await store.loadAutomergeRange(['wf'])).map((c) => c.key)).toEqual([
        ['wf', 'incremental', 'a'],
      ]);
    });

    it("refuses a chunk filed under another document's id", async () => {
      await expect(
        store.saveAutomergeChunks([{ key: ['wf-other', 'snapshot', 'x'], documentId: 'wf', bytes: b(1) }]),
      ).rejects.toThrow();
    });

    it('counts the update rows of a document', async () => {
      expect(await store.countDocumentUpdates('wf')).toBe(0);
      await store.appendDocumentUpdates('wf', [b(1), b(2), b(3)]);
      expect(await store.countDocumentUpdates('wf')).toBe(3);
    });
  });
}

runAutomergeStoreTests('PGlite', () => PgliteStore.open('memory://'));

let server: PostgresServer | undefined;
afterAll(() => server?.stop());
runAutomergeStoreTests('PostgreSQL 15', async () => {
  server = await startPostgres();
  return PostgresStore.open(await server.createDatabase('automerge'));
});
