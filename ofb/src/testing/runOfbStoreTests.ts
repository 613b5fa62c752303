// The acceptance suite of the OfbStore port: every adapter's test file calls it (imports vitest).
import { randomUUID } from 'node:crypto';
import { OfbRecordRun } from '@symphony/schemas';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ConflictError,
  InvalidTextError,
  MissingReferenceError,
  type NewRunRecord,
  type OfbStore,
} from '../OfbStore.js';

/**
 * The acceptance suite every {@link OfbStore} adapter must pass. `makeStore` is called once;
 * the suite shares that store (fresh PGlite takes seconds) and uses unique ids per test.
 */
export function runOfbStoreTests(name: string, makeStore: () => Promise<OfbStore>): void {
  describe(`OfbStore acceptance: ${name}`, () => {
    let store: OfbStore;
    beforeAll(async () => {
      store = await makeStore();
    });
    afterAll(async () => {
      await store?.close();
    });

    const id = (prefix: string) => `${prefix}-${randomUUID()}`;

    it('creates users and refuses a taken name', async () => {
      const name = id('alice');
      const created = await store.createUser({ id: id('u'), name, passwordHash: 'h' });
      expect(await store.findUserByName(name)).toEqual(created);
      await expect(store.createUser({ id: id('u'), name, passwordHash: 'h' })).rejects.toBeInstanceOf(
        ConflictError,
      );
      expect(await store.findUserByName(id('nobody'))).toBeNull();
    });

    it('compares user names by their key: any case finds the user, and no look-alike joins', async () => {
      const name = id('carol');
      const created = await store.createUser({ id: id('u'), name, passwordHash: 'h' });
      expect(await store.findUserByName(name.toUpperCase())).toEqual(created);
      await expect(
        store.createUser({ id: id('u'), name: name.toUpperCase(), passwordHash: 'h' }),
      ).rejects.toBeInstanceOf(ConflictError);
    });

    it('keeps workspaces, members and roles', async () => {
      const ws = id('ws');
      const owner = id('u');
      const editor = id('u');
      await store.transaction(async (tx) => {
        await tx.createWorkspace({ id: ws, name: 'Team', createdBy: owner });
        await tx.putMember({ workspaceId: ws, userId: owner, role: 'owner' });
      });
      await store.putMember({ workspaceId: ws, userId: editor, role: 'viewer' });
      await store.putMember({ workspaceId: ws, userId: editor, role: 'editor' });
      expect(await store.getMember(ws, editor)).toEqual({ workspaceId: ws, userId: editor, role: 'editor' });
      expect((await store.listMembers(ws)).length).toBe(2);
      const listed = await store.listWorkspacesFor(owner);
      expect(listed.map((l) => [l.workspace.id, l.role])).toEqual([[ws, 'owner']]);
      expect(await store.countWorkspacesOwnedBy(owner)).toBe(1);
      expect(await store.removeMember(ws, editor)).toBe(true);
      expect(await store.removeMember(ws, editor)).toBe(false);
      expect(await store.getMember(ws, editor)).toBeNull();
      expect(await store.getWorkspace(id('none'))).toBeNull();
    });

    it('keeps invitations', async () => {
      const ws = id('ws');
      await store.createWorkspace({ id: ws, name: 'Inv', createdBy: 'x' });
      const inv = await store.createInvitation({
        id: id('inv'),
        workspaceId: ws,
        inviteeId: 'bob',
        role: 'viewer',
        invitedBy: 'x',
      });
      expect(await store.getInvitation(inv.id)).toEqual(inv);
      expect(await store.countInvitations(ws)).toBe(1);
      await expect(
        store.createInvitation({
          id: id('inv'),
          workspaceId: ws,
          inviteeId: 'bob',
          role: 'owner',
          invitedBy: 'x',
        }),
      ).rejects.toBeInstanceOf(ConflictError);
      expect(await store.deleteInvitation(inv.id)).toBe(true);
      expect(await store.getInvitation(inv.id)).toBeNull();
    });

    it('creates, renames, lists and deletes document metadata', async () => {
      const ws = id('ws');
      await store.createWorkspace({ id: ws, name: 'Docs', createdBy: 'x' });
      const doc = await store.createDocument({
        id: id('d'),
        workspaceId: ws,
        kind: 'document',
        title: 'A',
        sizeBytes: 3,
      });
      await store.createDocument({
        id: id('f'),
        workspaceId: ws,
        kind: 'workflow',
        title: 'B',
        sizeBytes: 0,
      });
      expect(await store.countDocuments(ws)).toBe(2);
      const renamed = await store.renameDocument(doc.id, 'A2');
      expect(renamed?.title).toBe('A2');
      expect(await store.getDocument(doc.id)).toEqual(renamed);
      expect((await store.listDocuments(ws)).map((d) => d.kind).sort()).toEqual(['document', 'workflow']);
      expect(await store.deleteDocument(doc.id)).toBe(true);
      expect(await store.getDocument(doc.id)).toBeNull();
      expect(await store.renameDocument(doc.id, 'x')).toBeNull();
    });

    it('appends, loads in order, compacts and lists stored document updates', async () => {
      const ws = id('ws');
      await store.createWorkspace({ id: ws, name: 'Bytes', createdBy: 'x' });
      const doc = await store.createDocument({
        id: id('d'),
        workspaceId: ws,
        kind: 'document',
        title: 'A',
        sizeBytes: 0,
      });
      const other = await store.createDocument({
        id: id('d'),
        workspaceId: ws,
        kind: 'document',
        title: 'B',
        sizeBytes: 0,
      });
      const u = (...b: number[]) => new Uint8Array(b);
      expect(await store.loadDocumentUpdates(doc.id)).toEqual([]);
      expect(await store.listStoredDocuments(ws)).toEqual([]);
      const first = await store.appendDocumentUpdates(doc.id, [u(1), u(2, 0, 255), u(3)]);
      expect(first).toHaveLength(3);
      const [later] = await store.appendDocumentUpdates(doc.id, [u(4)]);
      await store.appendDocumentUpdates(other.id, [u(9)]);
      const loaded = await store.loadDocumentUpdates(doc.id);
      expect(loaded.map((r) => [...r.bytes])).toEqual([[1], [2, 0, 255], [3], [4]]);
      expect(loaded.map((r) => r.seq)).toEqual([...first, later]);
      expect(loaded[0]!.bytes).toBeInstanceOf(Uint8Array);
      expect(await store.storedDocumentBytes(doc.id)).toBe(6);

      // Up to the third update: the state replaces three rows and stays before the fourth.
      await store.compactDocumentUpdates(doc.id, u(7, 7), first[2]);
      expect((await store.loadDocumentUpdates(doc.id)).map((r) => [...r.bytes])).toEqual([[7, 7], [4]]);
      await store.compactDocumentUpdates(doc.id, u(8));
      expect((await store.loadDocumentUpdates(doc.id)).map((r) => [...r.bytes])).toEqual([[8]]);
      expect((await store.loadDocumentUpdates(other.id)).map((r) => [...r.bytes])).toEqual([[9]]);
      expect(await store.listStoredDocuments(ws)).toEqual([doc.id, other.id].sort());
      expect(await store.listStoredDocuments(null)).toEqual(expect.arrayContaining([doc.id, other.id]));

      // A failed transaction leaves the stored updates as they were.
      await expect(
        store.transaction(async (tx) => {
          await tx.compactDocumentUpdates(doc.id, u(5));
          throw new Error('forced failure after compaction');
        }),
      ).rejects.toThrow('forced failure');
      expect((await store.loadDocumentUpdates(doc.id)).map((r) => [...r.bytes])).toEqual([[8]]);
      await store.deleteDocument(other.id);
      expect(await store.loadDocumentUpdates(other.id)).toEqual([]);
    });

    it('chains audit rows: each prev_hash is the previous hash', async () => {
      const ws = id('ws');
      const base = {
        actor: 'a',
        action: 'read',
        resourceKind: 'document',
        resourceId: 'd',
        reason: 'allowed',
      };
      const first = await store.appendAudit({ ...base, workspaceId: ws, allowed: true });
      const second = await store.appendAudit({
        ...base,
        workspaceId: ws,
        allowed: false,
        reason: 'role_too_low',
      });
      expect(second.seq).toBeGreaterThan(first.seq);
      expect(second.prevHash).toBe(first.hash);
      expect(first.hash).toMatch(/^[0-9a-f]{64}$/);
      const listed = await store.listAudit({ workspaceId: ws });
      expect(listed).toEqual([first, second]);
    });

    it('rolls back every write of a failed transaction', async () => {
      const ws = id('ws');
      const before = (await store.listAudit({ limit: 100_000 })).length;
      await expect(
        store.transaction(async (tx) => {
          await tx.createWorkspace({ id: ws, name: 'Doomed', createdBy: 'x' });
          await tx.appendAudit({
            actor: 'x',
            action: 'create-workspace',
            resourceKind: 'workspace',
            resourceId: ws,
            workspaceId: ws,
            allowed: true,
            reason: 'allowed',
          });
          throw new Error('forced failure after the write');
        }),
      ).rejects.toThrow('forced failure');
      expect(await store.getWorkspace(ws)).toBeNull();
      expect((await store.listAudit({ limit: 100_000 })).length).toBe(before);
    });

    // --- Sessions, listings, access checks and idempotency keys ---

    it('finds users by id and lists members and invitations with names', async () => {
      const owner = await store.createUser({ id: id('u'), name: id('owner'), passwordHash: 'h' });
      const guest = await store.createUser({ id: id('u'), name: id('guest'), passwordHash: 'h' });
      expect(await store.getUser(owner.id)).toEqual(owner);
      expect(await store.getUser(id('nobody'))).toBeNull();
      const ws = id('ws');
      await store.createWorkspace({ id: ws, name: 'Named', createdBy: owner.id });
      await store.putMember({ workspaceId: ws, userId: owner.id, role: 'owner' });
      // A member without a user row (a token minted for a bare id) is listed under its id.
      await store.putMember({ workspaceId: ws, userId: 'bare-id', role: 'viewer' });
      expect((await store.listNamedMembers(ws)).map((m) => [m.userId, m.name, m.role])).toEqual(
        [
          [owner.id, owner.name, 'owner'],
          ['bare-id', 'bare-id', 'viewer'],
        ].sort((a, b) => (a[1]! < b[1]! ? -1 : 1)),
      );
      const invitation = await store.createInvitation({
        id: id('inv'),
        workspaceId: ws,
        inviteeId: guest.id,
        role: 'editor',
        invitedBy: owner.id,
      });
      expect(await store.listSentInvitations(ws)).toEqual([{ ...invitation, inviteeName: guest.name }]);
      expect(await store.listReceivedInvitations(guest.id)).toEqual([
        { ...invitation, workspaceName: 'Named', inviterName: owner.name },
      ]);
      expect(await store.listReceivedInvitations(owner.id)).toEqual([]);
    });

    it('finds access to a document, a workflow and a workspace index in one read', async () => {
      const u = await store.createUser({ id: id('u'), name: id('reader'), passwordHash: 'h' });
      const ws = id('ws');
      await store.createWorkspace({ id: ws, name: 'Access', createdBy: u.id });
      await store.putMember({ workspaceId: ws, userId: u.id, role: 'editor' });
      const doc = id('doc');
      const flow = id('flow');
      await store.createDocument({ id: doc, workspaceId: ws, kind: 'document', title: 'd', sizeBytes: 0 });
      await store.createDocument({ id: flow, workspaceId: ws, kind: 'workflow', title: 'f', sizeBytes: 0 });
      const expected = { workspaceId: ws, role: 'editor', userName: u.name };
      expect(await store.findAccess(u.id, doc)).toEqual({ ...expected, kind: 'document' });
      expect(await store.findAccess(u.id, flow)).toEqual({ ...expected, kind: 'workflow' });
      expect(await store.findAccess(u.id, `workspace-${ws}`)).toEqual({ ...expected, kind: 'workspace' });
      expect(await store.findAccess('stranger', doc)).toEqual({
        workspaceId: ws,
        kind: 'document',
        role: null,
        userName: null,
      });
      expect(await store.findAccess(u.id, id('missing'))).toBeNull();
      expect(await store.findAccess(u.id, `workspace-${id('missing')}`)).toBeNull();
      // A workspace's index wins over a document that happens to carry its id.
      await store.createDocument({
        id: `workspace-${ws}`,
        workspaceId: ws,
        kind: 'document',
        title: 'x',
        sizeBytes: 0,
      });
      expect((await store.findAccess(u.id, `workspace-${ws}`))?.kind).toBe('workspace');
    });

    it('stores one answer per user and idempotency key, and refuses a second', async () => {
      const user = id('u');
      const key = id('key');
      expect(await store.getIdempotencyRecord(user, key)).toBeNull();
      const record = {
        userId: user,
        key,
        function: 'create-workspace',
        requestHash: 'a'.repeat(64),
        status: 200,
        response: { workspace: { id: 'w', name: 'ü "quoted"' }, role: 'owner', list: [1, null, true] },
      };
      await store.putIdempotencyRecord(record);
      const stored = await store.getIdempotencyRecord(user, key);
      expect(stored).toMatchObject(record);
      expect(Number.isNaN(Date.parse(stored!.createdAt))).toBe(false);
      await expect(store.putIdempotencyRecord({ ...record, status: 409 })).rejects.toBeInstanceOf(
        ConflictError,
      );
      expect((await store.getIdempotencyRecord(user, key))?.status).toBe(200);
      // The same key of another user is another row.
      await store.putIdempotencyRecord({ ...record, userId: id('u'), status: 403, response: { error: {} } });
      // Stored with the write: a failed transaction stores nothing.
      const other = id('key');
      await expect(
        store.transaction(async (tx) => {
          await tx.putIdempotencyRecord({ ...record, key: other });
          throw new Error('forced failure after the answer');
        }),
      ).rejects.toThrow('forced failure');
      expect(await store.getIdempotencyRecord(user, other)).toBeNull();
    });

    it('keeps sessions: revokes one, or all of a user, and forgets them with the user', async () => {
      const alice = await store.createUser({ id: id('u'), name: id('alice'), passwordHash: 'h' });
      const bob = await store.createUser({ id: id('u'), name: id('bob'), passwordHash: 'h' });
      const at = '2025-03-01T10:00:00.000Z';
      const until = '2025-03-31T10:00:00.000Z';
      const [a1, a2, a3, b1] = await Promise.all(
        [alice, alice, alice, bob].map((u) =>
          store.createSession({ id: id('s'), userId: u.id, createdAt: at, expiresAt: until }),
        ),
      );
      expect(a1).toEqual({
        id: a1!.id,
        userId: alice.id,
        createdAt: at,
        expiresAt: until,
        revokedAt: null,
        revokedReason: null,
      });
      expect(await store.getSession(a1!.id)).toEqual(a1);
      expect(await store.getSession(id('none'))).toBeNull();
      expect((await store.getSessions([a1!.id, b1!.id, id('none'), a1!.id])).map((x) => x.id).sort()).toEqual(
        [a1!.id, b1!.id].sort(),
      );
      expect(await store.getSessions([])).toEqual([]);
      await expect(
        store.createSession({ id: a1!.id, userId: alice.id, createdAt: at, expiresAt: until }),
      ).rejects.toBeInstanceOf(ConflictError);

      const later = '2025-03-02T10:00:00.000Z';
      expect(await store.revokeSession(a1!.id, 'sign_out', later)).toBe(true);
      expect(await store.revokeSession(a1!.id, 'sign_out_everywhere', at)).toBe(false);
      expect(await store.getSession(a1!.id)).toMatchObject({ revokedAt: later, revokedReason: 'sign_out' });
      // Everywhere: the two live ones (the revoked one keeps its first reason); bob's untouched.
      expect(await store.revokeUserSessions(alice.id, 'password_changed', later)).toBe(2);
      expect((await store.getSession(a2!.id))?.revokedReason).toBe('password_changed');
      expect((await store.getSession(a3!.id))?.revokedAt).toBe(later);
      expect((await store.getSession(a1!.id))?.revokedReason).toBe('sign_out');
      expect((await store.getSession(b1!.id))?.revokedAt).toBeNull();
      expect(await store.revokeUserSessions(alice.id, 'sign_out_everywhere', later)).toBe(0);

      expect(await store.setPasswordHash(bob.id, 'h2')).toBe(true);
      expect((await store.getUser(bob.id))?.passwordHash).toBe('h2');
      expect(await store.setPasswordHash(id('none'), 'h2')).toBe(false);
      // A session belongs to an existing user.
      await expect(
        store.createSession({ id: id('s'), userId: id('ghost'), createdAt: at, expiresAt: until }),
      ).rejects.toThrow();
    });

    it('keeps run records: stored once, read back exactly, listed newest first, gone with their workflow', async () => {
      const starter = await store.createUser({ id: id('u'), name: id('starter'), passwordHash: 'h' });
      const ws = id('ws');
      await store.createWorkspace({ id: ws, name: 'Runs', createdBy: starter.id });
      const flow = id('flow');
      const other = id('flow');
      for (const workflowId of [flow, other])
        await store.createDocument({
          id: workflowId,
          workspaceId: ws,
          kind: 'workflow',
          title: 'f',
          sizeBytes: 0,
        });
      const runId = () => `run_${randomUUID().replaceAll('-', '').slice(0, 20)}`;
      const newRecord = (fields: Record<string, unknown>, startedBy = starter.id): NewRunRecord => ({
        ...OfbRecordRun.parse({
          workflowId: flow,
          runId: runId(),
          status: 'succeeded',
          startedAt: 1_712_345_678_901,
          finishedAt: 1_712_345_680_002,
          heads: ['3f2a', 'b7c1'],
          outputs: { n1: { text: 'a'.repeat(64) }, n2: {} },
          nodes: 2,
          inputTokens: 1234,
          outputTokens: 56,
          costUsd: 0.012_345,
          ...fields,
        }),
        workspaceId: ws,
        startedBy,
        recordedAt: 1_712_345_690_123,
      });
      const asStored = ({ startedBy, ...r }: NewRunRecord, name: string) => ({
        ...r,
        startedBy: { userId: startedBy, name },
      });

      const first = newRecord({});
      expect(await store.createRunRecord(first)).toEqual(asStored(first, starter.name));
      expect(await store.getRunRecord(first.runId)).toEqual(asStored(first, starter.name));
      // A taken run id writes nothing, whatever the second record says.
      expect(await store.createRunRecord({ ...first, status: 'failed', workflowId: other })).toBeNull();
      expect(await store.getRunRecord(first.runId)).toEqual(asStored(first, starter.name));
      expect(await store.getRunRecord(runId())).toBeNull();

      // Times to the millisecond at the far end of what a JSON integer holds; the starter without a
      // user row is named by id; a re-run keeps what it re-ran.
      const later = newRecord(
        {
          startedAt: 8_000_000_000_000_000,
          finishedAt: Number.MAX_SAFE_INTEGER,
          rerunOf: first.runId,
          costUsd: 0,
        },
        'bare-id',
      );
      expect(await store.createRunRecord(later)).toEqual(asStored(later, 'bare-id'));
      const earliest = newRecord({
        startedAt: 0,
        finishedAt: 0,
        status: 'cancelled',
        heads: [],
        outputs: {},
      });
      await store.createRunRecord(earliest);
      expect((await store.listRunRecords(flow, 10)).map((r) => r.runId)).toEqual([
        later.runId,
        first.runId,
        earliest.runId,
      ]);
      expect((await store.listRunRecords(flow, 1)).map((r) => r.runId)).toEqual([later.runId]);
      expect(await store.listRunRecords(other, 10)).toEqual([]);

      await expect(
        store.createRunRecord({ ...newRecord({}), workflowId: id('missing') }),
      ).rejects.toBeInstanceOf(MissingReferenceError);
      const doomed = newRecord({});
      await expect(
        store.transaction(async (tx) => {
          await tx.createRunRecord(doomed);
          throw new Error('forced failure after the record');
        }),
      ).rejects.toThrow('forced failure');
      expect(await store.getRunRecord(doomed.runId)).toBeNull();

      expect(await store.deleteDocument(flow)).toBe(true);
      expect(await store.listRunRecords(flow, 10)).toEqual([]);
      expect(await store.getRunRecord(first.runId)).toBeNull();
    });

    it('refuses text the database cannot store with InvalidTextError, and stays usable', async () => {
      const ws = id('ws');
      await expect(
        store.createWorkspace({ id: ws, name: 'a\u0000b', createdBy: 'x' }),
      ).rejects.toBeInstanceOf(InvalidTextError);
      await expect(
        store.saveAutomergeChunks([
          { key: ['storage-adapter-id', 'a\u0000'], documentId: null, bytes: new Uint8Array([1]) },
        ]),
      ).rejects.toBeInstanceOf(InvalidTextError);
      await expect(
        store.transaction((tx) =>
          tx.createDocument({
            id: id('d'),
            workspaceId: ws,
            kind: 'document',
            title: '\u0000',
            sizeBytes: 0,
          }),
        ),
      ).rejects.toBeInstanceOf(InvalidTextError);
      expect((await store.createWorkspace({ id: ws, name: 'fine', createdBy: 'x' })).name).toBe('fine');
    });
  });
}
