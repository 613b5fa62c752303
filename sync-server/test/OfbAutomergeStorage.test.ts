// Tests of OfbAutomergeStorage against a real OFB: the Automerge storage acceptance suite on registered
// Workflows, and one tick's saves and removes batched into one call each, in order, refused per document.
import { next as A } from '@automerge/automerge';
import { startTestOfb, type TestOfb } from '@symphony/ofb/testing';
import type { OfbFunctionName } from '@symphony/schemas';
import { afterAll, describe, expect, it } from 'vitest';
import { runAutomergeStorageTests } from '../src/persistence/automerge-acceptance.js';
import { StorageRefusedError } from '../src/persistence/DocumentPersistence.js';
import { OfbAutomergeStorage } from '../src/persistence/OfbAutomergeStorage.js';

const secret = 'automerge-storage-test-secret-at-least-32';

/** The file's test OFB, with a user and their workspace. */
interface Ofb extends TestOfb {
  readonly ownerToken: string;
  readonly workspaceId: string;
}

/** One in-memory OFB for the whole file (PGlite takes seconds to start), with a user and a workspace. */
let ofb: Promise<Ofb> | undefined;
const startOfb = (): Promise<Ofb> => {
  ofb ??= (async () => {
    const server = await startTestOfb({ secret });
    const owner = await server.signUp('automerge-owner');
    const workspaceId = await server.createWorkspace(owner, [], 'Workflows');
    return { ...server, ownerToken: owner.token, workspaceId };
  })();
  return ofb;
};
afterAll(async () => {
  await (await ofb)?.close();
});

const call = (server: Ofb, name: OfbFunctionName, body: unknown, token = server.ownerToken) =>
  server.ok(name, body, token);

/** Workflows registered in OFB for the current test; the fixture's cleanup deletes them. */
const registered = new Set<string>();
async function registerWorkflow(id: string): Promise<void> {
  const server = await startOfb();
  await call(server, 'create-document', { workspaceId: server.workspaceId, id, kind: 'workflow', title: id });
  registered.add(id);
}

const serviceToken = async () => (await startOfb()).serviceToken();
const open = async (server: Ofb) =>
  new OfbAutomergeStorage({ url: server.url, anonKey: 'anon', serviceToken: await serviceToken() });

async function cleanup(): Promise<void> {
  const server = await startOfb();
  // Deleting a workflow moves it to the trash; purging the trash removes its chunks (on delete
  // cascade) and frees its id. The server's own key goes by hand.
  for (const id of registered) await call(server, 'delete-document', { documentId: id });
  await server.store.purgeTrash(new Date(Date.now() + 60_000).toISOString());
  registered.clear();
  await call(server, 'automerge-remove-range', { prefix: ['storage-adapter-id'] }, await serviceToken());
}

runAutomergeStorageTests(
  'OfbAutomergeStorage',
  async () => {
    const server = await startOfb();
    const storage = await open(server);
    return {
      storage,
      reopen: async () => {
        await storage.flush();
        return open(server);
      },
      cleanup: async () => {
        await storage.close();
        await cleanup();
      },
    };
  },
  {
    // OFB keeps chunks only of registered workflows: the suite registers each id before using it.
    prepare: async (firstKeyPart) => {
      if (firstKeyPart !== 'storage-adapter-id') await registerWorkflow(firstKeyPart);
    },
    workflowStore: true,
  },
);

/**
 * The audit rows OFB wrote after `afterSeq`, as `action resourceId`: a storage call writes one row
 * per document it touches, so rows count calls (per document).
 */
const auditSince = async (server: Ofb, afterSeq: number) =>
  (await server.store.listAudit({ afterSeq, limit: 10_000 })).map((r) => `${r.action} ${r.resourceId}`);
const lastAuditSeq = async (server: Ofb) =>
  (await server.store.listAudit({ limit: 100_000 })).at(-1)?.seq ?? 0;

const workflowChunk = (name = 'W') => A.save(A.from({ name, nodes: {}, edges: {} }));

describe('OfbAutomergeStorage batching', () => {
  it('sends the saves of one tick as one automerge-save, and the removes as one automerge-remove', async () => {
    const server = await startOfb();
    const storage = await open(server);
    try {
      for (const id of ['batch-a', 'batch-b']) await registerWorkflow(id);
      let since = await lastAuditSeq(server);
      await Promise.all(
        Array.from({ length: 40 }, (_, i) =>
          storage.save([i % 2 ? 'batch-a' : 'batch-b', 'sync-state', `peer-${i}`], Uint8Array.of(i)),
        ),
      );
      // One call: one audit row per document, not forty.
      expect(await auditSince(server, since)).toEqual(['write batch-a', 'write batch-b']);
      expect(await storage.loadRange(['batch-a'])).toHaveLength(20);

      since = await lastAuditSeq(server);
      await Promise.all(
        Array.from({ length: 40 }, (_, i) =>
          storage.remove([i % 2 ? 'batch-a' : 'batch-b', 'sync-state', `peer-${i}`]),
        ),
      );
      expect(await auditSince(server, since)).toEqual(['write batch-a', 'write batch-b']);
      expect(await storage.loadRange(['batch-b'])).toEqual([]);
    } finally {
      await storage.close();
      await cleanup();
    }
  });

  it('coalesces saves made while a call is in flight into the next call', async () => {
    const server = await startOfb();
    const storage = await open(server);
    try {
      await registerWorkflow('inflight');
      const since = await lastAuditSeq(server);
      const first = storage.save(['inflight', 'sync-state', 'p0'], Uint8Array.of(0));
      await new Promise((r) => setImmediate(r)); // the first call is now in flight
      const rest = Array.from({ length: 10 }, (_, i) =>
        storage.save(['inflight', 'sync-state', `p${i + 1}`], Uint8Array.of(i + 1)),
      );
      await Promise.all([first, ...rest]);
      // The first save alone, then the ten made while it was in flight together.
      expect(await auditSince(server, since)).toEqual(['write inflight', 'write inflight']);
    } finally {
      await storage.close();
      await cleanup();
    }
  });

  it('keeps call order across kinds, and a load waits for the writes before it', async () => {
    const server = await startOfb();
    const storage = await open(server);
    try {
      await registerWorkflow('order');
      const key = ['order', 'sync-state', 'p'];
      void storage.save(key, Uint8Array.of(1));
      void storage.remove(key);
      expect(await storage.load(key)).toBeUndefined();
      void storage.remove(key);
      void storage.save(key, Uint8Array.of(2));
      expect(await storage.load(key)).toEqual(Uint8Array.of(2));
      void storage.save(['order', 'snapshot', 's'], workflowChunk());
      void storage.removeRange(['order', 'sync-state']);
      expect((await storage.loadRange(['order'])).map((c) => c.key)).toEqual([['order', 'snapshot', 's']]);
    } finally {
      await storage.close();
      await cleanup();
    }
  });

  it("refuses only the offending document's writes when OFB refuses a batch", async () => {
    const server = await startOfb();
    const storage = await open(server);
    try {
      for (const id of ['good', 'bad']) await registerWorkflow(id);
      const notAWorkflow = A.save(A.from({ title: 'a plain note' }));
      const results = await Promise.allSettled([
        storage.save(['good', 'snapshot', '1'], workflowChunk('Good')),
        storage.save(['bad', 'snapshot', '1'], notAWorkflow),
        storage.save(['never-registered', 'snapshot', '1'], workflowChunk()),
        storage.save(['good', 'sync-state', 'p'], Uint8Array.of(1)),
      ]);
      expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'rejected', 'fulfilled']);
      const reasons = results.flatMap((r) => (r.status === 'rejected' ? [r.reason] : []));
      expect(reasons[0]).toBeInstanceOf(StorageRefusedError);
      expect(reasons.map((e: StorageRefusedError) => [e.status, e.code])).toEqual([
        [422, 'invalid_workflow'],
        [404, 'document_not_found'],
      ]);
      expect((await storage.loadRange(['good'])).map((c) => c.key[1])).toEqual(['snapshot', 'sync-state']);
      expect(await storage.loadRange(['bad'])).toEqual([]);
    } finally {
      await storage.close();
      await cleanup();
    }
  });

  it('is refused with 403 for a token without the service role', async () => {
    const server = await startOfb();
    const asOwner = new OfbAutomergeStorage({
      url: server.url,
      anonKey: 'anon',
      serviceToken: server.ownerToken,
    });
    try {
      await expect(asOwner.load(['x', 'snapshot'])).rejects.toMatchObject({
        status: 403,
        code: 'service_role_only',
      });
      await expect(asOwner.save(['storage-adapter-id'], Uint8Array.of(1))).rejects.toMatchObject({
        status: 403,
      });
    } finally {
      await asOwner.close();
    }
  });
});
