// Tests on PostgreSQL that Yjs compaction never loses an append that drew a lower seq and committed late.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { PostgresStore } from '../src/adapters/PostgresStore.js';
import { YjsCompactor } from '../src/http/yjs-compaction.js';
import type { OfbStore } from '../src/OfbStore.js';
import { type PostgresServer, startPostgres } from '../src/testing.js';

// On PostgreSQL an append draws its seq when it inserts and becomes visible when it commits: an
// append can hold a lower seq than a row committed before it. Compaction must never delete such a
// row without having merged it.

let server: PostgresServer;
let store: PostgresStore;

beforeAll(async () => {
  server = await startPostgres();
  store = await PostgresStore.open(await server.createDatabase('compaction_race'), { max: 6 });
  await store.createUser({ id: 'u-race', name: 'race', passwordHash: 'h' });
  await store.createWorkspace({ id: 'ws-race', name: 'Race', createdBy: 'u-race' });
}, 120_000);
afterAll(async () => {
  await store?.close();
  server?.stop();
});

const insert = (text: string) => {
  const doc = new Y.Doc();
  doc.getText('t').insert(0, text);
  return Y.encodeStateAsUpdate(doc);
};
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function contentOf(documentId: string): Promise<string> {
  const replica = new Y.Doc();
  for (const row of await store.loadDocumentUpdates(documentId)) Y.applyUpdate(replica, row.bytes);
  return [...replica.getText('t').toString()].sort().join('');
}

describe('Yjs compaction against an append that commits late (PostgreSQL)', () => {
  it('background compaction keeps an append that drew a lower seq and committed after the read', async () => {
    const id = 'race-doc';
    await store.createDocument({ id, workspaceId: 'ws-race', kind: 'document', title: 'r', sizeBytes: 0 });
    await store.appendDocumentUpdates(id, [insert('a')]);

    let release = () => {};
    const gate = new Promise<void>((r) => {
      release = r;
    });
    let inserted = () => {};
    const inFlight = new Promise<void>((r) => {
      inserted = r;
    });
    // An append that has drawn its seq but not committed yet.
    const slow = store.transaction(async (tx) => {
      await tx.appendDocumentUpdates(id, [insert('b')]);
      inserted();
      await gate;
    });
    await inFlight;
    // A later append: a higher seq (without the document lock it commits at once).
    const later = store.appendDocumentUpdates(id, [insert('c')]);
    await Promise.race([later, sleep(300)]);

    // The slow append commits right after a compaction that reads outside its transaction has read;
    // a compaction that takes the document's lock first waits for it instead (released by the timer).
    const watched: OfbStore = Object.create(store);
    watched.loadDocumentUpdates = async (documentId) => {
      const rows = await store.loadDocumentUpdates(documentId);
      release();
      await slow;
      return rows;
    };
    const timer = setTimeout(release, 1500);
    const errors: unknown[] = [];
    const compactor = new YjsCompactor(watched, 0, (_id, error) => errors.push(error));
    compactor.persisted(id);
    await compactor.idle();
    await slow;
    await later;
    clearTimeout(timer);

    expect(errors).toEqual([]);
    expect(await contentOf(id)).toBe('abc');
    // And the compaction did replace rows.
    compactor.persisted(id);
    await compactor.idle();
    expect(await store.countDocumentUpdates(id)).toBe(1);
    expect(await contentOf(id)).toBe('abc');
  }, 60_000);

  it('keeps every append when compactions and appends of one document run concurrently', async () => {
    const id = 'race-many';
    await store.createDocument({ id, workspaceId: 'ws-race', kind: 'document', title: 'm', sizeBytes: 0 });
    const compactor = new YjsCompactor(store, 2);
    const letters = 'abcdefghijklmnopqrstuvwxyz'.split('');
    await Promise.all(
      letters.map(async (letter) => {
        await store.appendDocumentUpdates(id, [insert(letter)]);
        compactor.persisted(id);
      }),
    );
    await compactor.idle();
    expect(await contentOf(id)).toBe(letters.join(''));
  }, 60_000);
});
