// Tests of revoked OFB sessions (sign-out, sign-out everywhere, a password change): /yjs and /automerge
// refuse the token at connect and close its open sockets with 4401 within the re-check window.
import { next as A } from '@automerge/automerge';
import { cbor, Repo } from '@automerge/automerge-repo';
import { CloseCode } from '@symphony/schemas';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { SyncServer } from '../src/index.js';
import { rawSocket, startServerAuthorizedBy, waitFor } from '../src/testing.js';
import { call, createDocument, freshId, type Ofb, signUp, startTeam, stopOfb, type User } from './ofb.js';

/**
 * Issue 10, item 8: a token whose OFB session is revoked (sign-out, sign-out everywhere, a password
 * change) is refused at connect on both websocket endpoints, and an open connection holding it is
 * closed within the re-check window.
 */
describe('revoked sessions on /yjs and /automerge', () => {
  let ofb: Ofb;
  let owner: User;
  let workspaceId: string;
  let server: SyncServer;

  beforeAll(async () => {
    ({ ofb, owner, workspaceId } = await startTeam());
  });
  afterAll(stopOfb);
  beforeEach(async () => {
    server = await startServerAuthorizedBy(ofb);
  });
  afterEach(async () => {
    await server.close();
  });

  /** A fresh editor of the team's workspace, and a document and a workflow they may open. */
  async function member(): Promise<{ user: User; documentId: string; workflowId: string }> {
    const user = await signUp(ofb.url, 'member');
    const { invitation } = await call<{ invitation: { id: string } }>(
      ofb.url,
      'invite-member',
      { workspaceId, userId: user.id, role: 'editor' },
      owner.token,
    );
    await call(ofb.url, 'accept-invitation', { invitationId: invitation.id }, user.token);
    const documentId = freshId('doc');
    // An automerge-repo document id (the endpoint refuses any other form).
    const workflowId = new Repo({ network: [] }).create({}).documentId;
    await createDocument(ofb.url, owner, workspaceId, documentId);
    await createDocument(ofb.url, owner, workspaceId, workflowId, 'workflow');
    return { user, documentId, workflowId };
  }

  /** A raw `/yjs` socket that has received the server's first sync step. */
  async function yjs(token: string, documentId: string) {
    const raw = await rawSocket(server, `/yjs/${documentId}?token=${encodeURIComponent(token)}`);
    return raw;
  }

  /** A raw `/automerge` socket that joined and asked for `documentId`. */
  async function automerge(token: string, documentId: string) {
    const raw = await rawSocket(server, `/automerge?token=${encodeURIComponent(token)}`);
    const senderId = `peer-${Math.random().toString(36).slice(2)}`;
    raw.ws.send(cbor.encode({ type: 'join', senderId, peerMetadata: {}, supportedProtocolVersions: ['1'] }));
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
    return raw;
  }

  const revocations: [string, (user: User) => Promise<unknown>][] = [
    ['sign-out', (user) => call(ofb.url, 'sign-out', {}, user.token)],
    ['sign-out everywhere', (user) => call(ofb.url, 'sign-out', { everywhere: true }, user.token)],
    [
      'a password change',
      (user) =>
        call(
          ofb.url,
          'change-password',
          { currentPassword: 'password123', newPassword: 'new-password' },
          user.token,
        ),
    ],
  ];

  for (const [what, revoke] of revocations) {
    it(`after ${what}: open sockets close with 4401 within seconds, and the token is refused at connect`, async () => {
      const { user, documentId, workflowId } = await member();
      const doc = await yjs(user.token, documentId);
      const board = await automerge(user.token, workflowId);
      await waitFor(() => doc.received.length > 0, 'the first sync step on /yjs');
      await waitFor(() => board.received.length > 0, 'the peer message on /automerge');
      const revokedAt = Date.now();
      await revoke(user);
      expect((await doc.closed).code).toBe(CloseCode.Unauthenticated.code);
      expect((await board.closed).code).toBe(CloseCode.Unauthenticated.code);
      expect(Date.now() - revokedAt).toBeLessThan(3000);
      expect((await (await yjs(user.token, documentId)).closed).code).toBe(CloseCode.Unauthenticated.code);
      expect((await (await automerge(user.token, workflowId)).closed).code).toBe(
        CloseCode.Unauthenticated.code,
      );
    });
  }

  it("one person signing out leaves another's connections open", async () => {
    const a = await member();
    const b = await member();
    const other = await yjs(b.user.token, b.documentId);
    await waitFor(() => other.received.length > 0, 'sync step 1');
    await call(ofb.url, 'sign-out', { everywhere: true }, a.user.token);
    await new Promise((r) => setTimeout(r, 1500));
    expect(other.ws.readyState).toBe(other.ws.OPEN);
    other.ws.close();
  });
});
