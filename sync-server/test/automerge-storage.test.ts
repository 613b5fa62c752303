// Tests of /automerge with Workflows stored in a real OFB: first changes of a Workflow the server lacks
// are checked, a refused store (deleted Workflow) is told to peers, and saves carry their writers.
import { next as A } from '@automerge/automerge';
import { cbor, type DocHandle, type PeerId, Repo } from '@automerge/automerge-repo';
import { WebSocketClientAdapter } from '@automerge/automerge-repo-network-websocket';
import { instantiateTemplate, type NodeId, type Workflow, WorkflowTemplates } from '@symphony/schemas';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { OfbAccessControl } from '../src/access/OfbAccessControl.js';
import { MemoryDocumentPersistence, type SyncServer } from '../src/index.js';
import type { Logger } from '../src/logger.js';
import { OfbAutomergeStorage } from '../src/persistence/OfbAutomergeStorage.js';
import { startTestServer, waitFor } from '../src/testing.js';
import {
  call,
  createDocument,
  type Ofb,
  serviceToken,
  signUp,
  startOfb,
  stopOfb,
  type User,
  workspaceWith,
} from './ofb.js';

/** The stock client adapter, recording the `error` messages the server sends it. */
class RecordingAdapter extends WebSocketClientAdapter {
  readonly errors: string[] = [];
  override receiveMessage(messageBytes: Uint8Array): void {
    const message = cbor.decode(new Uint8Array(messageBytes)) as { type?: string; message?: string };
    if (message.type === 'error') this.errors.push(String(message.message));
    super.receiveMessage(messageBytes);
  }
}

describe('/automerge with workflows stored in a real OFB', () => {
  let ofb: Ofb;
  let server: SyncServer;
  let owner: User;
  let editor: User;
  let workspaceId: string;
  const repos: Repo[] = [];
  const logged: { msg: string; fields?: Record<string, unknown> }[] = [];
  const logger: Logger = {
    info: () => {},
    warn: (msg, fields) => void logged.push({ msg, fields }),
    error: (msg, fields) => void logged.push({ msg, fields }),
  };
  const rejections: unknown[] = [];
  const onRejection = (reason: unknown) => void rejections.push(reason);

  function client(user: User): { repo: Repo; adapter: RecordingAdapter } {
    const adapter = new RecordingAdapter(
      `ws://127.0.0.1:${server.port}/automerge?token=${encodeURIComponent(user.token)}`,
      200,
    );
    const repo = new Repo({ network: [adapter] });
    repos.push(repo);
    return { repo, adapter };
  }

  /** Whether the server has acknowledged every change of `handle`. */
  function serverHas<T>(repo: Repo, handle: DocHandle<T>): boolean {
    const storageId = repo.peerMetadataByPeerId['symphony-sync-server' as PeerId]?.storageId;
    const theirs = storageId && handle.getSyncInfo(storageId)?.lastHeads;
    return !!theirs && JSON.stringify([...theirs].sort()) === JSON.stringify([...handle.heads()].sort());
  }

  /** A workflow registered in OFB (no chunks yet), drafted offline with `initial` under the same id. */
  async function draft(initial: Workflow): Promise<{ id: string; bytes: Uint8Array }> {
    const offline = new Repo({ network: [] });
    const handle = offline.create<Workflow>(initial);
    await createDocument(ofb.url, owner, workspaceId, handle.documentId, 'workflow');
    return { id: handle.documentId, bytes: A.save(handle.doc()) };
  }

  beforeAll(async () => {
    ofb = await startOfb();
    [owner, editor] = await Promise.all([signUp(ofb.url, 'owner'), signUp(ofb.url, 'editor')]);
    workspaceId = await workspaceWith(ofb.url, owner, [{ user: editor, role: 'editor' }]);
  });
  afterAll(stopOfb);

  beforeEach(async () => {
    process.on('unhandledRejection', onRejection);
    const serviceRole = await serviceToken();
    server = await startTestServer(
      {},
      {
        persistence: new MemoryDocumentPersistence(),
        automergeStorage: new OfbAutomergeStorage({
          url: ofb.url,
          anonKey: 'anon',
          serviceToken: serviceRole,
        }),
        logger,
        access: new OfbAccessControl({ url: ofb.url, anonKey: 'anon', serviceToken: serviceRole }),
        // No re-check during a test: a deleted workflow must be noticed by storage.
        authorization: { authRecheckMs: 60_000 },
      },
    );
  });
  afterEach(async () => {
    for (const repo of repos.splice(0)) await repo.shutdown();
    await server.close();
    process.off('unhandledRejection', onRejection);
    logged.length = 0;
    rejections.length = 0;
  });

  it('checks the first changes of a workflow the server has no copy of, instead of letting them through', async () => {
    const workflow = instantiateTemplate(WorkflowTemplates[0]!, 'Invalid from the start');
    const nodeId = Object.keys(workflow.nodes)[0] as NodeId;
    workflow.nodes[nodeId]!.type = 'no-such-node-type';
    const { id, bytes } = await draft(workflow);
    const { repo, adapter } = client(editor);
    repo.import<Workflow>(bytes, { docId: id as never });
    await waitFor(() => adapter.errors.length > 0, 'the error message');
    expect(adapter.errors[0]).toMatch(/invalid workflow: nodes\..*type/);
    // Nothing entered the server's copy, so nothing was refused by storage behind the client's back.
    await new Promise((r) => setTimeout(r, 300));
    expect(logged.filter((l) => l.msg.includes('automerge changes'))).toEqual([]);
    expect(rejections).toEqual([]);

    // A valid first version is taken and stored.
    const valid = await draft(instantiateTemplate(WorkflowTemplates[0]!, 'Valid from the start'));
    const { repo: ownerRepo } = client(owner);
    const handle = ownerRepo.import<Workflow>(valid.bytes, { docId: valid.id as never });
    await waitFor(() => serverHas(ownerRepo, handle), 'the server to take the valid workflow');
    const storedChunks = async () =>
      (
        await call<{ chunks: unknown[] }>(
          ofb.url,
          'automerge-load-range',
          { prefix: [valid.id] },
          await serviceToken(),
        )
      ).chunks.length;
    const started = Date.now();
    while ((await storedChunks()) === 0 && Date.now() - started < 5000)
      await new Promise((r) => setTimeout(r, 50));
    expect(await storedChunks()).toBeGreaterThan(0);
  });

  it('tells the peers and drops its copy when OFB refuses to store a change (the workflow was deleted)', async () => {
    const { id, bytes } = await draft(instantiateTemplate(WorkflowTemplates[0]!, 'Soon deleted'));
    const { repo, adapter } = client(editor);
    const handle = repo.import<Workflow>(bytes, { docId: id as never });
    await waitFor(() => serverHas(repo, handle), 'the server to hold the workflow');
    await waitFor(() => server.openAutomergeDocuments === 1, 'the server copy');

    await call(ofb.url, 'delete-document', { documentId: id }, owner.token);
    handle.change((d) => {
      d.name = 'Renamed after the delete';
    });
    await waitFor(() => adapter.errors.length > 0, 'the error message');
    expect(adapter.errors[0]).toMatch(/storage refused changes to .*: document_not_found/);
    await waitFor(() => server.openAutomergeDocuments === 0, 'the server to drop its copy');
    expect(
      logged.some((l) => l.msg === 'storage refused automerge changes' && l.fields?.documentId === id),
    ).toBe(true);
    expect(rejections).toEqual([]);
  });

  it('passes the writers of a save, so OFB audits the editor who changed the workflow', async () => {
    const { id, bytes } = await draft(instantiateTemplate(WorkflowTemplates[0]!, 'Audited'));
    const { repo } = client(editor);
    const handle = repo.import<Workflow>(bytes, { docId: id as never });
    await waitFor(() => serverHas(repo, handle), 'the server to hold the workflow');
    const writes = async () =>
      (await ofb.store.listAudit({ workspaceId })).filter(
        (a) => a.resourceId === id && a.action === 'write' && a.reason !== 'allowed',
      );
    const started = Date.now();
    while (!(await writes()).some((a) => a.actor === editor.id) && Date.now() - started < 5000)
      await new Promise((r) => setTimeout(r, 50));
    expect((await writes()).map((a) => [a.actor, a.reason])).toContainEqual([editor.id, 'via service_role']);
  });
});
