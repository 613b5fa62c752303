// Tests of /yjs authorized by a real OFB: close codes for missing, expired and forbidden tokens, viewers'
// edits dropped, presence stamped with the token's user, downgrades and removals, pre-auth limits (4408).
import { CloseCode } from '@symphony/schemas';
import * as decoding from 'lib0/decoding';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import type { WebsocketProvider } from 'y-websocket';
import * as Y from 'yjs';
import type { AccessControl } from '../src/access/AccessControl.js';
import { OfbAccessControl } from '../src/access/OfbAccessControl.js';
import { type Logger, MemoryDocumentPersistence, type SyncServer } from '../src/index.js';
import { connect, rawSocket, startTestServer, synced, waitFor } from '../src/testing.js';
import { awarenessFrame, updateFrame } from './crafted-updates.js';
import {
  call,
  createDocument,
  freshId,
  type Ofb,
  serviceToken,
  signUp,
  startTeam,
  stopOfb,
  tokens,
  type User,
} from './ofb.js';

/** The roles announced by `access` frames [101, role] among `frames`. */
function rolesIn(frames: Uint8Array[]): string[] {
  return frames.flatMap((frame) => {
    const d = decoding.createDecoder(frame);
    return decoding.readVarUint(d) === 101 ? [decoding.readVarString(d)] : [];
  });
}

describe('/yjs authorized by a real OFB', () => {
  let ofb: Ofb;
  let server: SyncServer;
  let owner: User;
  let editor: User;
  let viewer: User;
  let stranger: User;
  let workspaceId: string;
  let documentId: string;
  const logged: string[] = [];
  const logger: Logger = {
    info: (msg, fields) => void logged.push(JSON.stringify({ msg, ...fields })),
    warn: (msg, fields) => void logged.push(JSON.stringify({ msg, ...fields })),
    error: (msg, fields) => void logged.push(JSON.stringify({ msg, ...fields })),
  };
  const providers: WebsocketProvider[] = [];
  const track = (p: WebsocketProvider) => {
    providers.push(p);
    return p;
  };
  /** Connects a stock client with `user`'s token and no reconnects (a close is final). */
  const as = (user: User | string, id = documentId, doc = new Y.Doc()) => {
    const provider = track(connect(server, id, doc, typeof user === 'string' ? user : user.token));
    provider.shouldConnect = true;
    return provider;
  };
  /** The code the server closed a raw connection with `token` on `id` with. */
  const closeCodeFor = async (token: string | undefined, id = documentId) => {
    const query = token === undefined ? '' : `?token=${encodeURIComponent(token)}`;
    const raw = await rawSocket(server, `/yjs/${id}${query}`);
    return (await raw.closed).code;
  };

  beforeAll(async () => {
    ({ ofb, owner, editor, viewer, stranger, workspaceId } = await startTeam());
  });
  afterAll(stopOfb);

  beforeEach(async () => {
    documentId = freshId();
    await createDocument(ofb.url, owner, workspaceId, documentId);
    server = await startTestServer(
      { maxMessageBytes: 512 * 1024 },
      {
        persistence: new MemoryDocumentPersistence(),
        logger,
        access: new OfbAccessControl({ url: ofb.url, anonKey: 'anon', serviceToken: await serviceToken() }),
        authorization: { authRecheckMs: 200 },
      },
    );
  });
  afterEach(async () => {
    for (const p of providers.splice(0)) p.destroy();
    await server.close();
    vi.restoreAllMocks();
    // Tokens never reach the log (nor do URLs, which carry them).
    for (const user of [owner, editor, viewer, stranger]) {
      expect(logged.filter((line) => line.includes(user.token))).toEqual([]);
    }
    logged.length = 0;
  });

  it('closes connections without a valid token with a named code, before opening the document', async () => {
    expect(await closeCodeFor(undefined)).toBe(CloseCode.Unauthenticated.code);
    expect(await closeCodeFor('')).toBe(CloseCode.Unauthenticated.code);
    expect(await closeCodeFor('garbage.not.jwt')).toBe(CloseCode.Unauthenticated.code);
    const forged = await new (await import('@symphony/ofb')).TokenService(
      'another-secret-of-at-least-32-chars',
    ).sign({
      sub: editor.id,
    });
    expect(await closeCodeFor(forged)).toBe(CloseCode.Unauthenticated.code);
    expect(await closeCodeFor(await tokens.sign({ sub: editor.id }, -60))).toBe(CloseCode.TokenExpired.code);
    expect(await closeCodeFor(await tokens.sign({ sub: editor.id }, 0))).toBe(CloseCode.TokenExpired.code);
    expect(await closeCodeFor(stranger.token)).toBe(CloseCode.Forbidden.code);
    expect(await closeCodeFor(editor.token, freshId('never-created'))).toBe(CloseCode.UnknownDocument.code);
    expect(server.openDocuments).toBe(0);
  });

  it('refuses a workflow id at /yjs (4410): workflows are Automerge documents', async () => {
    const workflowId = freshId('wf');
    await createDocument(ofb.url, owner, workspaceId, workflowId, 'workflow');
    expect(await closeCodeFor(editor.token, workflowId)).toBe(CloseCode.UnknownDocument.code);
    expect(server.openDocuments).toBe(0);
  });

  it('closes a connection with 4419 when its token expires', async () => {
    const shortLived = await tokens.sign({ sub: editor.id }, 2);
    const raw = await rawSocket(server, `/yjs/${documentId}?token=${shortLived}`);
    await waitFor(() => raw.received.length > 0, 'sync step 1');
    const started = Date.now();
    expect((await raw.closed).code).toBe(CloseCode.TokenExpired.code);
    expect(Date.now() - started).toBeLessThan(3000);
  });

  it('closes 4503 when OFB cannot be reached', async () => {
    await server.close();
    server = await startTestServer(
      {},
      {
        persistence: new MemoryDocumentPersistence(),
        logger,
        access: new OfbAccessControl({ url: 'http://127.0.0.1:9', anonKey: 'anon', serviceToken: 'x' }),
      },
    );
    expect(await closeCodeFor(editor.token)).toBe(CloseCode.AuthorizationUnavailable.code);
  });

  it("drops a viewer's edits with permission-denied; the viewer still receives everyone else's", async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const e = as(editor);
    const v = as(viewer);
    await Promise.all([synced(e), synced(v)]);
    e.doc.getText('content').insert(0, 'from the editor');
    await waitFor(() => v.doc.getText('content').toString() === 'from the editor', 'the viewer to receive');

    v.doc.getText('content').insert(0, 'VIEWER ');
    await waitFor(
      () =>
        warn.mock.calls.some(
          ([m]) => String(m).includes('Permission denied') && String(m).includes('viewer'),
        ),
      'the stock client to log permission-denied',
    );
    e.doc.getText('content').insert(e.doc.getText('content').length, ' again');
    await waitFor(
      () => v.doc.getText('content').toString().endsWith(' again'),
      'the viewer to keep receiving',
    );
    // The server never took the viewer's edit: a fresh editor sees only the editor's text.
    const fresh = as(owner);
    await synced(fresh);
    expect(fresh.doc.getText('content').toString()).toBe('from the editor again');
    expect(e.doc.getText('content').toString()).toBe('from the editor again');
  });

  it('stamps presence with the token user, and refuses a client id another connection holds', async () => {
    const e = as(editor);
    const v = as(viewer);
    await Promise.all([synced(e), synced(v)]);
    v.awareness.setLocalStateField('user', { id: owner.id, name: owner.name, color: '#008080' });
    await waitFor(
      () =>
        [...e.awareness.getStates().values()].some(
          (s) => s.user?.name === viewer.name && s.user?.id === viewer.id && s.user?.color === '#008080',
        ),
      "the viewer's presence under their real name",
    );
    expect([...e.awareness.getStates().values()].some((s) => s.user?.name === owner.name)).toBe(false);

    // A raw connection of the stranger-turned-editor tries to overwrite the viewer's client id.
    const raw = await rawSocket(server, `/yjs/${documentId}?token=${editor.token}`);
    await waitFor(() => raw.received.length > 0, 'sync step 1');
    raw.ws.send(awarenessFrame(v.doc.clientID, 999, { user: { name: 'spoof' }, cursor: 'hijacked' }));
    await waitFor(() => logged.some((l) => l.includes('another connection holds')), 'the drop to be logged');
    expect(e.awareness.getStates().get(v.doc.clientID)?.cursor).toBeUndefined();
    raw.ws.close();
  });

  it('tells a savedState client its role, and makes a downgraded editor read-only within seconds', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const raw = await rawSocket(server, `/yjs/${documentId}?token=${editor.token}`);
    raw.ws.send(Uint8Array.of(100));
    await waitFor(() => rolesIn(raw.received).length > 0, 'the access frame');
    expect(rolesIn(raw.received)).toEqual(['editor']);

    const e = as(editor);
    const o = as(owner);
    await Promise.all([synced(e), synced(o)]);
    e.doc.getText('content').insert(0, 'while editor;');
    await waitFor(() => o.doc.getText('content').toString() === 'while editor;', 'the edit to arrive');

    await call(ofb.url, 'change-role', { workspaceId, userId: editor.id, role: 'viewer' }, owner.token);
    try {
      await waitFor(() => rolesIn(raw.received).at(-1) === 'viewer', 'the access frame saying viewer', 4000);
      const before = o.doc.getText('content').toString();
      e.doc.getText('content').insert(0, 'after downgrade;');
      await waitFor(
        () => warn.mock.calls.some(([m]) => String(m).includes('Permission denied')),
        'permission-denied',
      );
      await new Promise((r) => setTimeout(r, 200));
      expect(o.doc.getText('content').toString()).toBe(before);
      expect(raw.ws.readyState).toBe(raw.ws.OPEN);
    } finally {
      await call(ofb.url, 'change-role', { workspaceId, userId: editor.id, role: 'editor' }, owner.token);
    }
  });

  it('closes a removed member within a few seconds (4403)', async () => {
    const leaver = await signUp(ofb.url, 'leaver');
    await call(
      ofb.url,
      'accept-invitation',
      {
        invitationId: (
          await call<{ invitation: { id: string } }>(
            ofb.url,
            'invite-member',
            { workspaceId, userId: leaver.id, role: 'editor' },
            owner.token,
          )
        ).invitation.id,
      },
      leaver.token,
    );
    const raw = await rawSocket(server, `/yjs/${documentId}?token=${leaver.token}`);
    await waitFor(() => raw.received.length > 0, 'sync step 1');
    const removedAt = Date.now();
    await call(ofb.url, 'remove-member', { workspaceId, userId: leaver.id }, owner.token);
    expect((await raw.closed).code).toBe(CloseCode.Forbidden.code);
    expect(Date.now() - removedAt).toBeLessThan(3000);
  });

  it("closes an unauthenticated flood with 4408 while another user's document keeps working", async () => {
    // OFB answers slowly (a loaded authority): what a connection may queue meanwhile is bounded.
    const ofbAccess = new OfbAccessControl({
      url: ofb.url,
      anonKey: 'anon',
      serviceToken: await serviceToken(),
    });
    const slow: AccessControl = {
      authorize: (token, id) =>
        new Promise((r) => setTimeout(r, 500)).then(() => ofbAccess.authorize(token, id)),
      authorizeMany: (checks) => ofbAccess.authorizeMany(checks),
    };
    await server.close();
    server = await startTestServer(
      {},
      {
        persistence: new MemoryDocumentPersistence(),
        logger,
        access: slow,
        authorization: { timeoutMs: 1500 },
      },
    );
    const otherDocument = freshId();
    await createDocument(ofb.url, owner, workspaceId, otherDocument);
    const e = as(editor, otherDocument);
    const other = as(owner, otherDocument);
    await Promise.all([synced(e), synced(other)]);

    const frame = updateFrame(Y.encodeStateAsUpdate(new Y.Doc()));
    const floods = await Promise.all(
      Array.from({ length: 5 }, () => rawSocket(server, `/yjs/${documentId}?token=${editor.token}`)),
    );
    for (const flood of floods) for (let i = 0; i < 100; i++) flood.ws.send(frame);
    const big = await rawSocket(server, `/yjs/${documentId}?token=${editor.token}`);
    for (let i = 0; i < 3; i++) big.ws.send(new Uint8Array(120 * 1024));
    const silent = await rawSocket(server, `/yjs/${documentId}?token=${editor.token}`);
    for (const flood of floods) expect((await flood.closed).code).toBe(CloseCode.UnauthenticatedLimit.code);
    expect((await big.closed).code).toBe(CloseCode.UnauthenticatedLimit.code);
    e.doc.getText('content').insert(0, 'still here');
    await waitFor(
      () => other.doc.getText('content').toString() === 'still here',
      'the document to keep working',
    );
    // A connection that sends nothing is authorized normally (the limits are not a timeout on it).
    await waitFor(() => silent.received.length > 0, 'sync step 1 for a quiet connection');
    silent.ws.close();
  });

  /** Restarts the server with an authority that never answers, giving up after `timeoutMs`. */
  async function restartWhereAuthorizationNeverSettles(timeoutMs: number): Promise<void> {
    await server.close();
    const never: AccessControl = { authorize: () => new Promise(() => {}), authorizeMany: async () => [] };
    server = await startTestServer(
      {},
      { persistence: new MemoryDocumentPersistence(), logger, access: never, authorization: { timeoutMs } },
    );
  }

  it('stops reading a frame of several MiB from a peer not yet authorized, at the pre-auth byte limit', async () => {
    // Default limits: frames may be 16 MiB once authorized.
    await restartWhereAuthorizationNeverSettles(10_000);
    const raw = await rawSocket(server, `/yjs/${documentId}?token=${editor.token}`);
    raw.ws.send(new Uint8Array(8 * 1024 * 1024));
    // The server stops reading and ends the socket; this client, still pushing its frame into a
    // connection nobody reads, would only notice at its own timeout, so the server's log is watched.
    const refusalOf = () => logged.map((line) => JSON.parse(line)).find((entry) => entry.code === 4408);
    await waitFor(() => refusalOf() !== undefined, 'the server to refuse the connection');
    raw.ws.terminate();
    const refusal = refusalOf();
    // Counted on the socket as bytes arrived, not after `ws` had buffered the whole 8 MiB frame.
    expect(refusal.detail).toMatch(/^\d+ bytes received before authorization settled$/);
    expect(Number.parseInt(refusal.detail, 10)).toBeLessThan(1024 * 1024);
  });

  it('closes a connection whose authorization never settles with 4408', async () => {
    await restartWhereAuthorizationNeverSettles(300);
    expect(await closeCodeFor(editor.token)).toBe(CloseCode.UnauthenticatedLimit.code);
  });
});
