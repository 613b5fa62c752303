// The trash: delete-document keeps a document (and its content) restorable for 30 days, gone for
// every other function meanwhile; list-trash, restore-document, their rights, audit and the purge.
import { bytesToBase64, OfbErrorCode, TRASH_RETENTION_DAYS } from '@symphony/schemas';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { startTestOfb, TEST_OFB_PASSWORD, type TestOfb, type TestUser } from '../src/testing.js';

const DAY = 86_400_000;
let clock = Date.now();
let ofb: TestOfb;
let owner: TestUser;
let editor: TestUser;
let viewer: TestUser;
let outsider: TestUser;
let workspaceId: string;

beforeAll(async () => {
  ofb = await startTestOfb({ now: () => clock, authRateLimit: false });
  [owner, editor, viewer, outsider] = await Promise.all([
    ofb.signUp(),
    ofb.signUp(),
    ofb.signUp(),
    ofb.signUp(),
  ]);
  workspaceId = await ofb.createWorkspace(owner, [
    { user: editor, role: 'editor' },
    { user: viewer, role: 'viewer' },
  ]);
}, 30_000);
afterAll(() => ofb?.close());

/** `user` with a fresh token (the clock moves by days in these tests). */
async function signedIn(user: TestUser): Promise<TestUser> {
  const session = await ofb.ok('sign-in', { name: user.name, password: TEST_OFB_PASSWORD });
  return { ...user, token: session.access_token };
}

let counter = 0;
/** A document with the text `text` stored through persist-updates. */
async function storedDocument(text: string): Promise<string> {
  const service = await ofb.serviceToken();
  editor = await signedIn(editor);
  const id = `trash-doc-${++counter}`;
  await ofb.ok(
    'create-document',
    { workspaceId, id, kind: 'document', title: `Doc ${counter}` },
    editor.token,
  );
  const doc = new Y.Doc();
  doc.getText('content').insert(0, text);
  await ofb.ok(
    'persist-updates',
    { documentId: id, updates: [bytesToBase64(Y.encodeStateAsUpdate(doc))] },
    service,
  );
  return id;
}

async function storedText(id: string): Promise<string> {
  const { updates } = await ofb.ok('load-document', { documentId: id }, await ofb.serviceToken());
  const doc = new Y.Doc();
  for (const u of updates) Y.applyUpdate(doc, Buffer.from(u, 'base64'));
  return doc.getText('content').toString();
}

describe('the trash', () => {
  it('keeps a deleted document out of every other function, and restores it with its content', async () => {
    const id = await storedDocument('one beta two');
    const service = await ofb.serviceToken();
    await ofb.ok('delete-document', { documentId: id }, editor.token);

    // Gone as before: listings, loads, writes, renames, access.
    const { documents } = await ofb.ok('list-documents', { workspaceId }, owner.token);
    expect(documents.map((d) => d.id)).not.toContain(id);
    for (const [fn, body, token] of [
      ['load-document', { documentId: id }, service],
      ['persist-updates', { documentId: id, updates: [bytesToBase64(new Uint8Array([0, 0]))] }, service],
      ['rename-document', { documentId: id, title: 'x' }, owner.token],
      ['delete-document', { documentId: id }, owner.token],
    ] as const) {
      const reply = await ofb.call(fn, body, token);
      expect([fn, reply.status, reply.body.error.code]).toEqual([fn, 404, OfbErrorCode.documentNotFound]);
    }
    const access = await ofb.call('authorize', { token: editor.token, resourceId: id }, service);
    expect(access.body.error.code).toBe(OfbErrorCode.documentNotFound);

    // Listed in the trash, for any member, with who deleted it and when it goes.
    const { items } = await ofb.ok('list-trash', { workspaceId }, viewer.token);
    const item = items.find((i) => i.id === id)!;
    expect(item).toMatchObject({ kind: 'document', deletedBy: editor.id, deletedByName: editor.name });
    expect(Date.parse(item.purgeAt) - Date.parse(item.deletedAt)).toBe(TRASH_RETENTION_DAYS * DAY);

    const { document } = await ofb.ok('restore-document', { documentId: id }, editor.token);
    expect(document.id).toBe(id);
    expect(await storedText(id)).toBe('one beta two');
    const after = await ofb.ok('list-documents', { workspaceId }, owner.token);
    expect(after.documents.map((d) => d.id)).toContain(id);
    expect((await ofb.ok('list-trash', { workspaceId }, owner.token)).items.map((i) => i.id)).not.toContain(
      id,
    );
    // Audited: the delete and the restore.
    const audit = (await ofb.store.listAudit({ workspaceId })).filter((a) => a.resourceId === id);
    expect(audit.map((a) => [a.action, a.actor, a.allowed])).toEqual(
      expect.arrayContaining([
        ['delete', editor.id, true],
        ['restore', editor.id, true],
      ]),
    );
  });

  it('lets editors and owners restore, members list, and nobody else', async () => {
    const id = await storedDocument('x');
    await ofb.ok('delete-document', { documentId: id }, owner.token);
    const byViewer = await ofb.call('restore-document', { documentId: id }, viewer.token);
    expect([byViewer.status, byViewer.body.error.code]).toEqual([403, OfbErrorCode.roleTooLow]);
    const byOutsider = await ofb.call('restore-document', { documentId: id }, outsider.token);
    expect(byOutsider.body.error.code).toBe(OfbErrorCode.notAMember);
    const list = await ofb.call('list-trash', { workspaceId }, outsider.token);
    expect(list.body.error.code).toBe(OfbErrorCode.notAMember);
    await ofb.ok('restore-document', { documentId: id }, owner.token);
    const twice = await ofb.call('restore-document', { documentId: id }, owner.token);
    expect([twice.status, twice.body.error.code]).toEqual([404, OfbErrorCode.documentNotFound]);
    expect(twice.body.error.message).toMatch(/not in the trash/);
  });

  it('holds the id of a trashed document: create-document with it is refused', async () => {
    const id = await storedDocument('x');
    await ofb.ok('delete-document', { documentId: id }, owner.token);
    const again = await ofb.call(
      'create-document',
      { workspaceId, id, kind: 'document', title: 'Again' },
      owner.token,
    );
    expect([again.status, again.body.error.code]).toEqual([409, OfbErrorCode.documentExists]);
    expect(again.body.error.message).toMatch(/in the trash/);
  });

  it(`purges what was deleted more than ${TRASH_RETENTION_DAYS} days ago, content and all`, async () => {
    const old = await storedDocument('old');
    await ofb.ok('delete-document', { documentId: old }, owner.token);
    clock += 10 * DAY;
    const recent = await storedDocument('recent');
    owner = await signedIn(owner);
    await ofb.ok('delete-document', { documentId: recent }, owner.token);
    clock += (TRASH_RETENTION_DAYS - 10) * DAY + 1000;
    // A month on, every token has expired: sign in again.
    owner = await signedIn(owner);

    const { items } = await ofb.ok('list-trash', { workspaceId }, owner.token);
    expect(items.map((i) => i.id)).toContain(recent);
    expect(items.map((i) => i.id)).not.toContain(old);
    const restore = await ofb.call('restore-document', { documentId: old }, owner.token);
    expect(restore.body.error.code).toBe(OfbErrorCode.documentNotFound);
    expect(await ofb.store.loadDocumentUpdates(old)).toEqual([]);
    const purged = (await ofb.store.listAudit({ workspaceId })).filter((a) => a.resourceId === old);
    expect(purged.at(-1)).toMatchObject({ action: 'purge', actor: 'ofb', reason: 'trash_expired' });
    // The id is free again.
    await ofb.ok('create-document', { workspaceId, id: old, kind: 'document', title: 'Again' }, owner.token);
    await ofb.ok('restore-document', { documentId: recent }, owner.token);
    expect(await storedText(recent)).toBe('recent');
  });

  it('counts a restore against the documents quota; the trash does not count', async () => {
    const small = await startTestOfb({ rules: { maxDocumentsPerWorkspace: 1 } });
    try {
      const me = await small.signUp();
      const ws = await small.createWorkspace(me);
      await small.ok(
        'create-document',
        { workspaceId: ws, id: 'q1', kind: 'document', title: 'A' },
        me.token,
      );
      await small.ok('delete-document', { documentId: 'q1' }, me.token);
      await small.ok(
        'create-document',
        { workspaceId: ws, id: 'q2', kind: 'workflow', title: 'B' },
        me.token,
      );
      const refused = await small.call('restore-document', { documentId: 'q1' }, me.token);
      expect([refused.status, refused.body.error.code]).toEqual([409, OfbErrorCode.quotaExceeded]);
      expect((await small.ok('list-trash', { workspaceId: ws }, me.token)).items.map((i) => i.id)).toEqual([
        'q1',
      ]);
    } finally {
      await small.close();
    }
  });
});
