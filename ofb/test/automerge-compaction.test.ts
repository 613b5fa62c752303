// Tests of background Yjs compaction after persist-updates: fewer rows, the same Document, one at a time,
// failures reported to the sink.
import { base64ToBytes, bytesToBase64, type OfbFunctionName } from '@symphony/schemas';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import type { PgliteStore } from '../src/adapters/PgliteStore.js';
import { TokenService } from '../src/auth.js';
import { YjsCompactor } from '../src/http/yjs-compaction.js';
import type { OfbStore } from '../src/OfbStore.js';
import { startTestOfb, type TestOfb } from '../src/testing.js';

// Background compaction of Yjs updates (lives beside the Automerge functions: same owner).

let ofb: TestOfb;
let store: PgliteStore;
const tokens = new TokenService('compaction-test-secret-at-least-32-chars');
let owner: string;
/** persist-updates and load-document are the sync-server's: its service_role token. */
let service: string;
let workspaceId: string;

const b64 = bytesToBase64;

const ok = async (name: OfbFunctionName, body: unknown, token: string) =>
  (await ofb.ok(name, body, token)) as Record<string, unknown>;

async function until(check: () => Promise<boolean>, what: string): Promise<void> {
  for (let i = 0; i < 500; i++) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`timed out waiting for ${what}`);
}

beforeAll(async () => {
  ofb = await startTestOfb({ tokens, compactAfterRows: 200 });
  store = ofb.store;
  owner = (await ofb.signUp('compactor')).token;
  service = await tokens.sign({ sub: 'sync-server', role: 'service_role' });
  workspaceId = ((await ok('create-workspace', { name: 'C' }, owner)).workspace as { id: string }).id;
  // Sign-ups hash passwords with scrypt: slow on a loaded machine.
}, 30_000);
afterAll(async () => {
  await ofb?.close();
});

describe('background compaction after persist-updates', () => {
  it('after 500 appends the row count drops and the loaded document is identical', async () => {
    const documentId = 'compacted-doc';
    await ok('create-document', { workspaceId, id: documentId, kind: 'document', title: 'c' }, owner);
    const source = new Y.Doc();
    const updates: Uint8Array[] = [];
    source.on('update', (u: Uint8Array) => updates.push(u));
    const text = source.getText('t');
    const map = source.getMap('m');
    for (let i = 0; i < 500; i++) {
      source.transact(() => {
        if (i % 7 === 3) text.delete(0, 1);
        else text.insert(Math.floor(text.length / 2), `${i},`);
        map.set(`k${i % 13}`, i);
      });
      await ok('persist-updates', { documentId, updates: [b64(updates[updates.length - 1]!)] }, service);
    }
    expect(updates).toHaveLength(500);

    // Compaction runs outside the requests; wait until it has caught up with the last append.
    await until(async () => (await store.countDocumentUpdates(documentId)) <= 200, 'compaction');
    const rows = await store.countDocumentUpdates(documentId);
    expect(rows).toBeLessThan(500);
    expect(rows).toBeGreaterThan(0);

    const loaded = (await ok('load-document', { documentId }, service)).updates as string[];
    const replica = new Y.Doc();
    for (const u of loaded) Y.applyUpdate(replica, base64ToBytes(u));
    expect(replica.getText('t').toString()).toBe(text.toString());
    expect(replica.getMap('m').toJSON()).toEqual(map.toJSON());
    expect(Y.encodeStateVector(replica)).toEqual(Y.encodeStateVector(source));
    expect(Y.encodeStateAsUpdate(replica)).toEqual(Y.encodeStateAsUpdate(source));
  });

  it('runs one compaction at a time per document and reports failures to its sink, never throwing', async () => {
    const documentId = 'direct-doc';
    await ok('create-document', { workspaceId, id: documentId, kind: 'document', title: 'd' }, owner);
    const doc = new Y.Doc();
    const updates: Uint8Array[] = [];
    doc.on('update', (u: Uint8Array) => updates.push(u));
    for (let i = 0; i < 30; i++) doc.getArray<number>('a').push([i]);
    await store.appendDocumentUpdates(documentId, updates);

    let active = 0;
    let most = 0;
    let compactions = 0;
    const watched: OfbStore = Object.create(store);
    watched.compactDocumentUpdatesWith = async (...args) => {
      active++;
      most = Math.max(most, active);
      compactions++;
      await new Promise((r) => setTimeout(r, 20));
      try {
        return await store.compactDocumentUpdatesWith(...args);
      } finally {
        active--;
      }
    };
    const errors: unknown[] = [];
    const compactor = new YjsCompactor(watched, 10, (_id, error) => errors.push(error));
    for (let i = 0; i < 20; i++) compactor.persisted(documentId);
    await compactor.idle();
    expect(most).toBe(1);
    expect(compactions).toBe(1);
    expect(errors).toEqual([]);
    expect(await store.countDocumentUpdates(documentId)).toBe(1);
    const replica = new Y.Doc();
    for (const r of await store.loadDocumentUpdates(documentId)) Y.applyUpdate(replica, r.bytes);
    expect(replica.getArray('a').toJSON()).toEqual(doc.getArray('a').toJSON());

    const broken: OfbStore = Object.create(store);
    broken.countDocumentUpdates = async () => {
      throw new Error('database went away');
    };
    const failing = new YjsCompactor(broken, 10, (_id, error) => errors.push(error));
    expect(() => failing.persisted(documentId)).not.toThrow();
    await failing.idle();
    expect(errors).toHaveLength(1);
    expect(String(errors[0])).toContain('database went away');
  });
});
