// Tests of /automerge peer identity: a join with another user's open peer id is refused (4409), a user
// may take over its own, and board presence is stamped with the sender's real user.
import { next as A } from '@automerge/automerge';
import { cbor, type DocHandle, type PeerId, Repo } from '@automerge/automerge-repo';
import { WebSocketClientAdapter } from '@automerge/automerge-repo-network-websocket';
import { CloseCode } from '@symphony/schemas';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { OfbAccessControl } from '../src/access/OfbAccessControl.js';
import {
  MemoryAutomergeStorage,
  MemoryDocumentPersistence,
  type SyncServer,
  silentLogger,
} from '../src/index.js';
import { rawSocket, startTestServer, waitFor } from '../src/testing.js';
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

interface Notes {
  items: string[];
}

describe('/automerge peers speak only for themselves', () => {
  let ofb: Ofb;
  let server: SyncServer;
  let owner: User;
  let viewer: User;
  let workspaceId: string;
  const repos: Repo[] = [];

  function client(user: User, peerId?: string): { repo: Repo; adapter: WebSocketClientAdapter } {
    const adapter = new WebSocketClientAdapter(
      `ws://127.0.0.1:${server.port}/automerge?token=${encodeURIComponent(user.token)}`,
      200,
    );
    const repo = new Repo({ network: [adapter], ...(peerId ? { peerId: peerId as PeerId } : {}) });
    repos.push(repo);
    return { repo, adapter };
  }

  async function shared(): Promise<DocHandle<Notes>> {
    const offline = new Repo({ network: [] });
    const draft = offline.create<Notes>({ items: ['a'] });
    await createDocument(ofb.url, owner, workspaceId, draft.documentId, 'document');
    const { repo } = client(owner, `owner-${Math.random().toString(36).slice(2)}`);
    const handle = repo.import<Notes>(A.save(draft.doc()), { docId: draft.documentId });
    await waitFor(() => server.openAutomergeDocuments > 0, 'the server to hold the document');
    return handle;
  }

  /** A raw connection with `token` that joins as `peerId`; resolves with how it was closed, if it was. */
  async function joinAs(token: string, peerId: string) {
    const raw = await rawSocket(server, `/automerge?token=${encodeURIComponent(token)}`);
    raw.ws.send(
      cbor.encode({ type: 'join', senderId: peerId, peerMetadata: {}, supportedProtocolVersions: ['1'] }),
    );
    return raw;
  }

  beforeAll(async () => {
    ofb = await startOfb();
    [owner, viewer] = await Promise.all([signUp(ofb.url, 'owner'), signUp(ofb.url, 'viewer')]);
    workspaceId = await workspaceWith(ofb.url, owner, [{ user: viewer, role: 'viewer' }]);
  });
  afterAll(stopOfb);
  beforeEach(async () => {
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
  afterEach(async () => {
    for (const repo of repos.splice(0)) await repo.shutdown();
    await server.close();
  });

  it("refuses a join with a peer id another user's open connection holds (4409); the holder stays connected", async () => {
    await shared();
    const victimPeer = `victim-${Math.random().toString(36).slice(2)}`;
    const { adapter } = client(owner, victimPeer);
    await waitFor(() => adapter.isReady(), 'the victim to join');
    const victimSocket = adapter.socket;
    const attacker = await joinAs(viewer.token, victimPeer);
    expect((await attacker.closed).code).toBe(CloseCode.UnexpectedPeer.code);
    await new Promise((r) => setTimeout(r, 200));
    expect(adapter.socket).toBe(victimSocket);
    expect(adapter.socket?.readyState).toBe(WebSocket.OPEN);
  });

  it('lets the same user take over its own peer id (a reconnect before the old socket is noticed dead)', async () => {
    const peerId = `mine-${Math.random().toString(36).slice(2)}`;
    const first = await joinAs(owner.token, peerId);
    await waitFor(() => first.received.length > 0, 'the peer message');
    const second = await joinAs(owner.token, peerId);
    await waitFor(() => second.received.length > 0, 'the peer message on the new socket');
    second.ws.close();
    first.ws.close();
  });

  it("stamps board presence with the sender's real user: a viewer cannot appear as someone else", async () => {
    const handle = await shared();
    const { repo: viewerRepo } = client(viewer);
    const theirs = await viewerRepo.find<Notes>(handle.documentId);
    const received: { user?: { id?: string; name?: string; color?: string }; pointer?: unknown }[] = [];
    handle.on('ephemeral-message', ({ message }) => void received.push(message as (typeof received)[number]));
    const forged = {
      type: 'board-presence',
      user: { id: owner.id, name: owner.name, color: '#112233' },
      selection: [],
      pointer: { x: 1, y: 2 },
      dragging: [],
    };
    await waitFor(() => {
      theirs.broadcast(forged);
      return received.length > 0;
    }, 'the presence to reach the owner');
    expect(received[0]).toMatchObject({
      type: 'board-presence',
      user: { id: viewer.id, name: viewer.name, color: '#112233' },
      pointer: { x: 1, y: 2 },
    });
  });
});
