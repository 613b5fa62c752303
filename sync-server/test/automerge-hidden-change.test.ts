// A change whose edits are all hidden in the merged document (an edit of a node someone already
// deleted) still reaches every peer. automerge-repo pushes a received change to the other peers only
// when it is visible (its `change` event needs patches); an idle peer in sync would otherwise stay
// one change behind for good — the rare workflow-convergence failure of seed 34.
import { next as A } from '@automerge/automerge';
import { type DocHandle, type PeerId, Repo } from '@automerge/automerge-repo';
import { WebSocketClientAdapter } from '@automerge/automerge-repo-network-websocket';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OfbAccessControl } from '../src/access/OfbAccessControl.js';
import {
  MemoryAutomergeStorage,
  MemoryDocumentPersistence,
  type SyncServer,
  silentLogger,
} from '../src/index.js';
import { startTestServer, waitFor } from '../src/testing.js';
import {
  createDocument,
  type Ofb,
  serviceToken,
  signUp,
  startOfb,
  stopOfb,
  type User,
  workspaceWith,
} from './ofb.js';

interface Nodes {
  nodes: Record<string, { x: number }>;
}

describe('/automerge forwards changes that change nothing visible', () => {
  let ofb: Ofb;
  let server: SyncServer;
  let owner: User;
  let workspaceId: string;
  const repos: Repo[] = [];

  function client(name: string): Repo {
    const adapter = new WebSocketClientAdapter(
      `ws://127.0.0.1:${server.port}/automerge?token=${encodeURIComponent(owner.token)}`,
      200,
    );
    const repo = new Repo({
      network: [adapter],
      peerId: `${name}-${Math.random().toString(36).slice(2)}` as PeerId,
    });
    repos.push(repo);
    return repo;
  }

  const heads = (handle: DocHandle<Nodes>) => A.getHeads(handle.doc()).sort().join(',');

  beforeAll(async () => {
    ofb = await startOfb();
    owner = await signUp(ofb.url, 'owner');
    workspaceId = await workspaceWith(ofb.url, owner, []);
    server = await startTestServer(
      {},
      {
        persistence: new MemoryDocumentPersistence(),
        automergeStorage: new MemoryAutomergeStorage(),
        logger: silentLogger,
        access: new OfbAccessControl({ url: ofb.url, anonKey: 'anon', serviceToken: await serviceToken() }),
      },
    );
  });
  afterAll(async () => {
    for (const repo of repos.splice(0)) await repo.shutdown();
    await server?.close();
    await stopOfb();
  });

  it('brings two idle peers the edit of a node another peer deleted meanwhile', async () => {
    const initial = A.from<Nodes>({ nodes: { n1: { x: 1 }, n2: { x: 2 } } });
    const draft = new Repo({ network: [] }).import<Nodes>(A.save(initial));
    await createDocument(ofb.url, owner, workspaceId, draft.documentId, 'document');
    const a = client('idle-a').import<Nodes>(A.save(initial), { docId: draft.documentId });
    const b = await client('idle-b').find<Nodes>(draft.documentId);
    // b deletes n1; a receives it, and both go quiet.
    b.change((doc) => {
      delete doc.nodes.n1;
    });
    await waitFor(() => heads(a) === heads(b), 'a to receive the deletion');
    // c was offline since the start and edited n1: against the merged document the edit is hidden.
    const offline = A.change(A.load<Nodes>(A.save(initial)), (doc) => {
      doc.nodes.n1!.x = 99;
    });
    const c = client('late-c').import<Nodes>(A.save(offline), { docId: draft.documentId });
    await waitFor(() => A.getHeads(c.doc()).length === 2, 'c to merge with the server');
    await waitFor(
      () => heads(a) === heads(c) && heads(b) === heads(c),
      'the idle peers to receive the hidden edit',
      5_000,
    );
    expect(a.doc().nodes.n1).toBeUndefined();
    expect(heads(a)).toBe(heads(c));
  });
});
