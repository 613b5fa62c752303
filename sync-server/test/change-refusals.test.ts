// Tests of change refusals on /automerge: a viewer, an invalid Workflow and refused storage each leave the
// stock client on its one socket, told once with the refusal's code; the server keeps the valid version.
import { next as A } from '@automerge/automerge';
import { cbor, type DocHandle, type DocumentId, type PeerId, Repo } from '@automerge/automerge-repo';
import { WebSocketClientAdapter } from '@automerge/automerge-repo-network-websocket';
import {
  type ChangeRefusal,
  ChangeRefusalCode,
  instantiateTemplate,
  type NodeId,
  parseChangeRefusal,
  type Workflow,
  WorkflowTemplates,
} from '@symphony/schemas';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { OfbAccessControl } from '../src/access/OfbAccessControl.js';
import {
  MemoryAutomergeStorage,
  MemoryDocumentPersistence,
  type SyncServer,
  silentLogger,
} from '../src/index.js';
import { StorageRefusedError } from '../src/persistence/DocumentPersistence.js';
import { startTestServer, waitFor } from '../src/testing.js';
import { createDocument, type Ofb, serviceToken, startTeam, stopOfb, type User } from './ofb.js';

/**
 * The stock client adapter, counting the sockets it opens and the closes it sees, and keeping the
 * refusals (`error` messages) the server sends it.
 */
class WatchedAdapter extends WebSocketClientAdapter {
  opens = 0;
  closes: number[] = [];
  readonly refusals: ChangeRefusal[] = [];
  readonly errors: unknown[] = [];

  override connect(...args: Parameters<WebSocketClientAdapter['connect']>): void {
    super.connect(...args);
    this.socket?.addEventListener('open', () => this.opens++);
    this.socket?.addEventListener('close', (e) => this.closes.push(e.code));
  }

  override receiveMessage(messageBytes: Uint8Array): void {
    const message = cbor.decode(new Uint8Array(messageBytes)) as { type?: string };
    if (message.type === 'error') {
      this.errors.push(message);
      const refusal = parseChangeRefusal(message);
      if (refusal) this.refusals.push(refusal);
    }
    super.receiveMessage(messageBytes);
  }
}

/** Saves of the documents in `refused` fail as `OfbAutomergeStorage` does for OFB's 413 `document_too_large`. */
class RefusingStorage extends MemoryAutomergeStorage {
  readonly refused = new Set<string>();
  override async save(key: string[], data: Uint8Array): Promise<void> {
    if (this.refused.has(key[0] ?? ''))
      throw new StorageRefusedError('document_too_large', 'the workflow would pass maxDocumentBytes', {
        status: 413,
        category: 'validation',
      });
    return super.save(key, data);
  }
}

/** How long each client goes on editing after its first refusal. */
const EDITING_MS = 4000;

describe('/automerge refusals keep the stock client connected and tell it once', () => {
  let ofb: Ofb;
  let server: SyncServer;
  let owner: User;
  let editor: User;
  let viewer: User;
  let workspaceId: string;
  let storage: RefusingStorage;
  const repos: Repo[] = [];

  function client(user: User): { repo: Repo; adapter: WatchedAdapter } {
    const adapter = new WatchedAdapter(
      `ws://127.0.0.1:${server.port}/automerge?token=${encodeURIComponent(user.token)}`,
      200,
    );
    const repo = new Repo({ network: [adapter] });
    repos.push(repo);
    return { repo, adapter };
  }

  async function serverHas<T>(repo: Repo, handle: DocHandle<T>): Promise<void> {
    await waitFor(() => {
      const storageId = repo.peerMetadataByPeerId['symphony-sync-server' as PeerId]?.storageId;
      const theirs = storageId && handle.getSyncInfo(storageId)?.lastHeads;
      return !!theirs && JSON.stringify([...theirs].sort()) === JSON.stringify([...handle.heads()].sort());
    }, 'the server to hold the document');
  }

  /** A workflow registered in OFB and on the server, as its owner made it. */
  async function sharedWorkflow(name: string): Promise<DocHandle<Workflow>> {
    const draft = new Repo({ network: [] }).create<Workflow>(
      instantiateTemplate(WorkflowTemplates[0]!, name),
    );
    await createDocument(ofb.url, owner, workspaceId, draft.documentId, 'workflow');
    const { repo } = client(owner);
    const handle = repo.import<Workflow>(A.save(draft.doc()), { docId: draft.documentId });
    await serverHas(repo, handle);
    return handle;
  }

  /** `user`'s copy of `documentId`, found through the server. */
  async function open(user: User, documentId: DocumentId) {
    const { repo, adapter } = client(user);
    const handle = await repo.find<Workflow>(documentId);
    await waitFor(() => Object.keys(handle.doc().nodes).length > 0, 'the workflow');
    return { handle, adapter };
  }

  /** Renames the workflow every 100 ms for {@link EDITING_MS}: valid changes on top of refused ones. */
  async function keepEditing(handle: DocHandle<Workflow>): Promise<void> {
    const until = Date.now() + EDITING_MS;
    for (let i = 0; Date.now() < until; i++) {
      handle.change((d) => {
        d.name = `Edit ${i}`;
      });
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  /** One socket, opened once and never closed; exactly one refusal, with `code`. */
  function expectOneSocketAndOneRefusal(adapter: WatchedAdapter, code: ChangeRefusalCode): void {
    expect(adapter.closes).toEqual([]);
    expect(adapter.opens).toBe(1);
    expect(adapter.socket?.readyState).toBe(1); // OPEN
    expect(adapter.refusals.map((r) => r.code)).toEqual([code]);
    expect(adapter.errors).toHaveLength(1);
  }

  beforeAll(async () => {
    ({ ofb, owner, editor, viewer, workspaceId } = await startTeam());
  });
  afterAll(stopOfb);

  beforeEach(async () => {
    storage = new RefusingStorage();
    server = await startTestServer(
      {},
      {
        persistence: new MemoryDocumentPersistence(),
        automergeStorage: storage,
        logger: silentLogger,
        access: new OfbAccessControl({ url: ofb.url, anonKey: 'anon', serviceToken: await serviceToken() }),
      },
    );
  });
  afterEach(async () => {
    for (const repo of repos.splice(0)) await repo.shutdown();
    await server.close();
  });

  it("a viewer who goes on editing is told once that the workflow is read-only, and still receives the owner's edits", async () => {
    const owned = await sharedWorkflow('Viewed');
    const { handle, adapter } = await open(viewer, owned.documentId);
    await keepEditing(handle);
    await waitFor(() => adapter.refusals.length > 0, 'the refusal');
    expectOneSocketAndOneRefusal(adapter, ChangeRefusalCode.readOnly);
    expect(adapter.refusals[0]).toMatchObject({ documentId: owned.documentId, detail: 'viewer' });
    expect(owned.doc().name).toBe('Viewed');

    const nodeId = Object.keys(owned.doc().nodes)[0] as NodeId;
    owned.change((d) => {
      d.nodes[nodeId]!.position.x = 4242;
    });
    await waitFor(() => handle.doc().nodes[nodeId]!.position.x === 4242, 'the viewer to receive');
  });

  it('an editor whose change would leave the workflow invalid is told once, and the server keeps the valid version', async () => {
    const owned = await sharedWorkflow('Checked');
    const { handle, adapter } = await open(editor, owned.documentId);
    const nodeId = Object.keys(handle.doc().nodes)[0] as NodeId;
    const type = handle.doc().nodes[nodeId]!.type;
    handle.change((d) => {
      d.nodes[nodeId]!.type = 'no-such-node-type';
    });
    await keepEditing(handle);
    await waitFor(() => adapter.refusals.length > 0, 'the refusal');
    expectOneSocketAndOneRefusal(adapter, ChangeRefusalCode.invalidWorkflow);
    expect(adapter.refusals[0]!.detail).toMatch(/^nodes\..*type/);
    expect(owned.doc().nodes[nodeId]!.type).toBe(type);
  });

  it('an editor whose changes storage refuses is told once with OFB’s code, and stays connected', async () => {
    const owned = await sharedWorkflow('Too large');
    const { handle, adapter } = await open(editor, owned.documentId);
    // Stored first: a workflow whose very first save is refused has nothing to check later changes
    // against, and those are then refused as an invalid workflow on their own (another test).
    let storedFirst = 0;
    await waitFor(() => {
      void storage.loadRange([owned.documentId]).then((chunks) => {
        storedFirst = chunks.filter((c) => c.key[1] !== 'sync-state').length;
      });
      return storedFirst > 0;
    }, 'the server to store the workflow');
    storage.refused.add(owned.documentId);
    await keepEditing(handle);
    await waitFor(() => adapter.refusals.length > 0, 'the refusal');
    expectOneSocketAndOneRefusal(adapter, ChangeRefusalCode.storageRefused);
    expect(adapter.refusals[0]).toMatchObject({
      documentId: owned.documentId,
      detail: 'document_too_large',
    });
    // Storage still holds the last version it took: no compaction removed it behind the refusals.
    const chunks = await storage.loadRange([owned.documentId]);
    const stored = chunks.filter((c) => c.key[1] !== 'sync-state' && c.data !== undefined);
    expect(stored.length).toBeGreaterThan(0);
    let doc = A.init<Workflow>();
    for (const chunk of stored) doc = A.loadIncremental(doc, chunk.data!);
    expect(doc.name).toBe('Too large');
  });
});
