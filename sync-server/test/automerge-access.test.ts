// Tests of /automerge authorized by a real OFB: refusals at connect and per Document, token expiry,
// viewers' and invalid Workflow changes refused with an error message, removed members closed (4403).
import { next as A } from '@automerge/automerge';
import { cbor, type DocHandle, type DocumentId, type PeerId, Repo } from '@automerge/automerge-repo';
import { WebSocketClientAdapter } from '@automerge/automerge-repo-network-websocket';
import {
  CloseCode,
  instantiateTemplate,
  type NodeId,
  type Workflow,
  WorkflowTemplates,
} from '@symphony/schemas';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { SyncServer } from '../src/index.js';
import {
  documentBomb,
  rawSocket,
  startServerAuthorizedBy,
  syncMessageWith,
  waitFor,
} from '../src/testing.js';
import { call, createDocument, type Ofb, signUp, startTeam, stopOfb, tokens, type User } from './ofb.js';

/** The stock client adapter, recording the `error` messages the server sends it. */
class RecordingAdapter extends WebSocketClientAdapter {
  readonly errors: string[] = [];
  override receiveMessage(messageBytes: Uint8Array): void {
    const message = cbor.decode(new Uint8Array(messageBytes)) as { type?: string; message?: string };
    if (message.type === 'error') this.errors.push(String(message.message));
    super.receiveMessage(messageBytes);
  }
}

interface Notes {
  items: string[];
}

describe('/automerge authorized by a real OFB', () => {
  let ofb: Ofb;
  let server: SyncServer;
  let owner: User;
  let editor: User;
  let viewer: User;
  let stranger: User;
  let workspaceId: string;
  const repos: Repo[] = [];

  /** A stock automerge-repo client with `user`'s token. */
  function client(user: User): { repo: Repo; adapter: RecordingAdapter } {
    const adapter = new RecordingAdapter(
      `ws://127.0.0.1:${server.port}/automerge?token=${encodeURIComponent(user.token)}`,
      200,
    );
    const repo = new Repo({ network: [adapter] });
    repos.push(repo);
    return { repo, adapter };
  }

  /**
   * A document created offline, registered in OFB under its automerge id, then imported into the
   * owner's networked repo (so the server is never asked about an id OFB does not know yet).
   */
  async function shared<T>(initial: T, kind: 'document' | 'workflow'): Promise<DocHandle<T>> {
    const offline = new Repo({ network: [] });
    const draft = offline.create<T>(initial);
    await createDocument(ofb.url, owner, workspaceId, draft.documentId, kind);
    const { repo } = client(owner);
    const handle = repo.import<T>(A.save(draft.doc()), { docId: draft.documentId });
    await serverHas(repo, handle);
    return handle;
  }

  async function serverHas<T>(repo: Repo, handle: DocHandle<T>): Promise<void> {
    await waitFor(() => {
      const storageId = repo.peerMetadataByPeerId['symphony-sync-server' as PeerId]?.storageId;
      const theirs = storageId && handle.getSyncInfo(storageId)?.lastHeads;
      return !!theirs && JSON.stringify([...theirs].sort()) === JSON.stringify([...handle.heads()].sort());
    }, 'the server to hold the document');
  }

  /** What a fresh client of `user` finds on the server. */
  async function fresh<T>(user: User, documentId: DocumentId): Promise<T> {
    const { repo } = client(user);
    const handle = await repo.find<T>(documentId);
    return handle.doc();
  }

  /** The close code of a raw `/automerge` connection with `token` that joins and asks for `documentId`. */
  async function closeCode(token: string | undefined, documentId?: string): Promise<number> {
    const query = token === undefined ? '' : `?token=${encodeURIComponent(token)}`;
    const raw = await rawSocket(server, `/automerge${query}`);
    const senderId = `raw-${Math.random().toString(36).slice(2)}`;
    raw.ws.send(cbor.encode({ type: 'join', senderId, peerMetadata: {}, supportedProtocolVersions: ['1'] }));
    if (documentId) {
      const [, message] = A.generateSyncMessage(A.init(), A.initSyncState());
      raw.ws.send(
        cbor.encode({
          type: 'request',
          senderId,
          targetId: 'symphony-sync-server',
          documentId,
          data: message!,
        }),
      );
    }
    return (await raw.closed).code;
  }

  beforeAll(async () => {
    ({ ofb, owner, editor, viewer, stranger, workspaceId } = await startTeam());
  });
  afterAll(stopOfb);

  beforeEach(async () => {
    server = await startServerAuthorizedBy(ofb);
  });
  afterEach(async () => {
    for (const repo of repos.splice(0)) await repo.shutdown();
    await server.close();
  });

  it('refuses a connection without a valid token at connect, and a document the user may not open', async () => {
    expect(await closeCode(undefined)).toBe(CloseCode.Unauthenticated.code);
    expect(await closeCode('garbage')).toBe(CloseCode.Unauthenticated.code);
    expect(await closeCode(await tokens.sign({ sub: editor.id }, 0))).toBe(CloseCode.TokenExpired.code);
    const handle = await shared<Notes>({ items: ['a'] }, 'document');
    expect(await closeCode(stranger.token, handle.documentId)).toBe(CloseCode.Forbidden.code);
    const unknown = new Repo({ network: [] }).create<Notes>({ items: [] }).documentId;
    expect(await closeCode(editor.token, unknown)).toBe(CloseCode.UnknownDocument.code);
  });

  it('refuses a bomb for a document OFB does not know with 4410, before decoding any of it', async () => {
    const bomb = documentBomb(200 * 1024 * 1024);
    expect(bomb.byteLength).toBeLessThan(256 * 1024);
    const raw = await rawSocket(server, `/automerge?token=${encodeURIComponent(editor.token)}`);
    const senderId = 'bomber';
    raw.ws.send(cbor.encode({ type: 'join', senderId, peerMetadata: {}, supportedProtocolVersions: ['1'] }));
    await waitFor(() => raw.received.length > 0, 'the peer message');
    const unknown = new Repo({ network: [] }).create<Notes>({ items: [] }).documentId;
    const sentAt = performance.now();
    raw.ws.send(
      cbor.encode({
        type: 'sync',
        senderId,
        targetId: 'symphony-sync-server',
        documentId: unknown,
        data: syncMessageWith([bomb]),
      }),
    );
    expect((await raw.closed).code).toBe(CloseCode.UnknownDocument.code);
    expect(performance.now() - sentAt).toBeLessThan(1000);
  });

  it('closes a connection with 4419 when its token expires, even one that named no document', async () => {
    const shortLived = await tokens.sign({ sub: editor.id }, 2);
    const raw = await rawSocket(server, `/automerge?token=${shortLived}`);
    raw.ws.send(
      cbor.encode({ type: 'join', senderId: 'idle', peerMetadata: {}, supportedProtocolVersions: ['1'] }),
    );
    await waitFor(() => raw.received.length > 0, 'the peer message');
    const joinedAt = Date.now();
    expect((await raw.closed).code).toBe(CloseCode.TokenExpired.code);
    expect(Date.now() - joinedAt).toBeLessThan(3000);
  });

  it("refuses a viewer's changes with an error message; the server's document is unchanged and the viewer still receives", async () => {
    const handle = await shared<Notes>({ items: ['a'] }, 'document');
    const { repo, adapter } = client(viewer);
    const mine = await repo.find<Notes>(handle.documentId);
    expect(mine.doc().items).toEqual(['a']);

    mine.change((d) => {
      d.items.push('from the viewer');
    });
    await waitFor(() => adapter.errors.length > 0, 'the error message');
    expect(adapter.errors[0]).toMatch(/read-only/);
    expect((await fresh<Notes>(editor, handle.documentId)).items).toEqual(['a']);

    handle.change((d) => {
      d.items.push('from the owner');
    });
    await waitFor(() => mine.doc().items.includes('from the owner'), 'the viewer to receive');
  });

  it("refuses an editor's change that would leave a workflow invalid, and takes valid ones", async () => {
    const workflow = instantiateTemplate(WorkflowTemplates[0]!, 'Checked');
    const handle = await shared<Workflow>(workflow, 'workflow');
    const { repo, adapter } = client(editor);
    const mine = await repo.find<Workflow>(handle.documentId);
    await waitFor(() => Object.keys(mine.doc().nodes).length > 0, 'the workflow');

    mine.change((d) => {
      d.name = 'Renamed';
    });
    await waitFor(() => handle.doc().name === 'Renamed', 'a valid change to reach the owner');

    const nodeId = Object.keys(mine.doc().nodes)[0] as NodeId;
    mine.change((d) => {
      d.nodes[nodeId]!.type = 'no-such-node-type';
    });
    await waitFor(() => adapter.errors.length > 0, 'the error message');
    expect(adapter.errors[0]).toMatch(/invalid workflow: nodes\..*type/);
    const onServer = await fresh<Workflow>(owner, handle.documentId);
    expect(onServer.nodes[nodeId]!.type).toBe(workflow.nodes[nodeId]!.type);
    expect(onServer.name).toBe('Renamed');
  });

  it('closes a member removed from the workspace within a few seconds (4403)', async () => {
    const leaver = await signUp(ofb.url, 'leaver');
    const { invitation } = await call<{ invitation: { id: string } }>(
      ofb.url,
      'invite-member',
      { workspaceId, userId: leaver.id, role: 'editor' },
      owner.token,
    );
    await call(ofb.url, 'accept-invitation', { invitationId: invitation.id }, leaver.token);
    const handle = await shared<Notes>({ items: ['a'] }, 'document');
    const raw = await rawSocket(server, `/automerge?token=${leaver.token}`);
    const senderId = 'leaver-peer';
    raw.ws.send(cbor.encode({ type: 'join', senderId, peerMetadata: {}, supportedProtocolVersions: ['1'] }));
    const [, message] = A.generateSyncMessage(A.init(), A.initSyncState());
    raw.ws.send(
      cbor.encode({
        type: 'request',
        senderId,
        targetId: 'symphony-sync-server',
        documentId: handle.documentId,
        data: message!,
      }),
    );
    await waitFor(() => raw.received.length > 1, 'the document');
    const removedAt = Date.now();
    await call(ofb.url, 'remove-member', { workspaceId, userId: leaver.id }, owner.token);
    expect((await raw.closed).code).toBe(CloseCode.Forbidden.code);
    expect(Date.now() - removedAt).toBeLessThan(3000);
  });
});
