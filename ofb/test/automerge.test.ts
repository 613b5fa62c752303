// Tests of Automerge chunks through OFB: service role only, writers' audit rows, Workflow schema and size
// checks, validate-workflow, and concurrent saves.
import * as Automerge from '@automerge/automerge';
import { base64ToBytes, bytesToBase64, OfbErrorCode, type OfbFunctionName } from '@symphony/schemas';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PgliteStore } from '../src/adapters/PgliteStore.js';
import { TokenService } from '../src/auth.js';
import { startTestOfb, type TestOfb } from '../src/testing.js';

const MAX_DOCUMENT_BYTES = 20_000;
let ofb: TestOfb;
let store: PgliteStore;
const tokens = new TokenService('automerge-test-secret-at-least-32-chars');
let service: string;
let owner: string;
let viewer: string;
let stranger: string;
let workspaceId: string;

const b64 = bytesToBase64;
const unb64 = base64ToBytes;

async function call(name: string, body: unknown, token: string) {
  const res = await ofb.call(name, JSON.stringify(body), token);
  return { status: res.status, body: res.body as Record<string, unknown> };
}

const ok = async (name: OfbFunctionName, body: unknown, token: string) =>
  (await ofb.ok(name, body, token)) as Record<string, unknown>;

const signUp = async (name: string): Promise<string> => (await ofb.signUp(name)).token;

let counter = 0;
async function createWorkflow(kind: 'workflow' | 'document' = 'workflow'): Promise<string> {
  const id = `wf-${++counter}`;
  await ok('create-document', { workspaceId, id, kind, title: id }, owner);
  return id;
}

const workflow = {
  name: 'Summaries',
  nodes: {
    n1: {
      type: 'read-document',
      kind: 'operator',
      params: { documentId: 'doc-1' },
      position: { x: 0, y: 0 },
    },
    n2: {
      type: 'summarize',
      kind: 'instrument',
      params: { model: 'claude-sonnet', length: 'short', focus: '' },
      position: { x: 200, y: 0 },
    },
  },
  edges: { e1: { from: { node: 'n1', port: 'document' }, to: { node: 'n2', port: 'text' } } },
};

const save = (chunks: { key: string[]; bytes: Uint8Array }[], token = service) =>
  call('automerge-save', { chunks: chunks.map((c) => ({ key: c.key, bytes: b64(c.bytes) })) }, token);

const keysOf = async (prefix: string[]) =>
  ((await ok('automerge-load-range', { prefix }, service)).chunks as { key: string[] }[]).map((c) =>
    c.key.join('/'),
  );

beforeAll(async () => {
  ofb = await startTestOfb({ tokens, rules: { maxDocumentBytes: MAX_DOCUMENT_BYTES } });
  store = ofb.store;
  service = await tokens.sign({ sub: 'sync-server', role: 'service_role' });
  owner = await signUp('am-owner');
  viewer = await signUp('am-viewer');
  stranger = await signUp('am-stranger');
  workspaceId = ((await ok('create-workspace', { name: 'Automerge' }, owner)).workspace as { id: string }).id;
  const viewerId = JSON.parse(Buffer.from(viewer.split('.')[1]!, 'base64url').toString()).sub as string;
  const { invitation } = (await ok(
    'invite-member',
    { workspaceId, userId: viewerId, role: 'viewer' },
    owner,
  )) as {
    invitation: { id: string };
  };
  await ok('accept-invitation', { invitationId: invitation.id }, viewer);
  // Sign-ups hash passwords with scrypt: slow on a loaded machine.
}, 30_000);
afterAll(async () => {
  await ofb?.close();
});

describe('Automerge chunks through OFB', () => {
  it("audits a save under its writers' names after deciding each one's role, and records a writer whose role no longer allows it", async () => {
    const id = 'wf-writers';
    await ok('create-document', { workspaceId, id, kind: 'workflow', title: id }, owner);
    const sub = (token: string) =>
      JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()).sub as string;
    const chunk = {
      key: [id, 'snapshot', 'w1'],
      bytes: b64(Automerge.save(Automerge.from(structuredClone(workflow)))),
    };
    const saved = await call('automerge-save', { chunks: [chunk], writers: [sub(owner)] }, service);
    expect(saved.status).toBe(200);
    const rows = (await store.listAudit({ workspaceId })).filter(
      (a) => a.resourceId === id && a.action === 'write' && a.reason !== 'allowed',
    );
    expect(rows.map((a) => [a.actor, a.allowed, a.reason])).toEqual([[sub(owner), true, 'via service_role']]);

    // A writer whose role no longer allows writing is still stored (the sync-server accepted the
    // change within its re-check window), and audited as such.
    for (const [n, who] of [viewer, stranger].entries()) {
      const late = await call(
        'automerge-save',
        { chunks: [{ ...chunk, key: [id, 'snapshot', `w${n + 2}`] }], writers: [sub(owner), sub(who)] },
        service,
      );
      expect(late.status).toBe(200);
    }
    const late = (await store.listAudit()).filter(
      (a) => a.resourceId === id && a.reason.startsWith('via service_role; now'),
    );
    expect(late.map((a) => [a.actor, a.allowed, a.reason])).toEqual([
      [sub(viewer), true, 'via service_role; now role_too_low'],
      [sub(stranger), true, 'via service_role; now not_a_member'],
    ]);
    // The field is optional and bounded.
    const tooMany = await call(
      'automerge-save',
      { chunks: [chunk], writers: Array.from({ length: 1001 }, (_, i) => `u${i}`) },
      service,
    );
    expect(tooMany.status).toBe(422);
  });

  it('stores, loads, ranges and removes chunks of a workflow for the service role', async () => {
    const id = await createWorkflow();
    const doc = Automerge.from(structuredClone(workflow));
    const snapshot = Automerge.save(doc);
    const next = Automerge.change(doc, (d) => {
      d.name = 'Renamed';
    });
    const incremental = Automerge.saveSince(next, Automerge.getHeads(doc));
    const syncState = new Uint8Array([0x43, 1, 2]);
    const saved = await save([
      { key: [id, 'snapshot', 'h1'], bytes: snapshot },
      { key: [id, 'incremental', 'h2'], bytes: incremental },
      { key: [id, 'sync-state', 'peer-storage-id'], bytes: syncState },
      { key: ['storage-adapter-id'], bytes: new TextEncoder().encode('server-1') },
    ]);
    expect(saved).toEqual({ status: 200, body: { stored: 4 } });

    const loaded = await ok('automerge-load', { key: [id, 'snapshot', 'h1'] }, service);
    expect(unb64(loaded.bytes as string)).toEqual(snapshot);
    expect(await ok('automerge-load', { key: [id, 'snapshot', 'nope'] }, service)).toEqual({ bytes: null });
    expect(
      unb64((await ok('automerge-load', { key: ['storage-adapter-id'] }, service)).bytes as string),
    ).toEqual(new TextEncoder().encode('server-1'));
    // In the order the keys were first saved, like automerge-repo's own storage adapters.
    expect(await keysOf([id])).toEqual([
      `${id}/snapshot/h1`,
      `${id}/incremental/h2`,
      `${id}/sync-state/peer-storage-id`,
    ]);
    expect(await keysOf([id, 'snapshot'])).toEqual([`${id}/snapshot/h1`]);
    // Whole key parts: `wf-1` is not a prefix of `wf-10`.
    expect(await keysOf([id.slice(0, -1)])).toEqual([]);

    const range = (await ok('automerge-load-range', { prefix: [id] }, service)).chunks as { bytes: string }[];
    const reloaded = Automerge.load<typeof workflow>(
      Buffer.concat(range.slice(0, 2).map((c) => unb64(c.bytes))),
    );
    expect(reloaded.name).toBe('Renamed');

    expect(
      await ok(
        'automerge-remove',
        {
          keys: [
            [id, 'incremental', 'h2'],
            [id, 'absent'],
          ],
        },
        service,
      ),
    ).toEqual({
      removed: 1,
    });
    expect(await ok('automerge-remove-range', { prefix: [id, 'sync-state'] }, service)).toEqual({
      removed: 1,
    });
    expect(await keysOf([id])).toEqual([`${id}/snapshot/h1`]);

    // Deleting the workflow in OFB moves it to the trash: its chunks stay (for a restore) and
    // cannot be removed meanwhile; the server's own key stays too.
    await ok('delete-document', { documentId: id }, owner);
    expect(await keysOf([id])).toEqual([`${id}/snapshot/h1`]);
    expect((await call('automerge-remove-range', { prefix: [id] }, service)).body.error.code).toBe(
      OfbErrorCode.documentNotFound,
    );
    expect(await keysOf([id])).toEqual([`${id}/snapshot/h1`]);
    expect(await keysOf(['storage-adapter-id'])).toEqual(['storage-adapter-id']);
  });

  it('answers only a service_role token, and audits the refusal', async () => {
    const id = await createWorkflow();
    const chunk = {
      key: [id, 'snapshot', 'h'],
      bytes: Automerge.save(Automerge.from(structuredClone(workflow))),
    };
    for (const token of [owner, viewer]) {
      const refused = await save([chunk], token);
      expect(refused.status).toBe(403);
      expect(refused.body).toMatchObject({ error: { code: 'service_role_only' } });
      for (const [fn, body] of [
        ['automerge-load', { key: [id] }],
        ['automerge-load-range', { prefix: [id] }],
        ['automerge-remove', { keys: [[id]] }],
        ['automerge-remove-range', { prefix: [id] }],
      ] as const)
        expect((await call(fn, body, token)).status, fn).toBe(403);
    }
    const audit = await store.listAudit({ limit: 10_000 });
    expect(audit.filter((a) => a.action === 'automerge-save' && !a.allowed)).toHaveLength(2);
    expect(await keysOf([id])).toEqual([]);
  });

  it('refuses chunks of a document OFB does not know, or of a text document (404)', async () => {
    const textDoc = await createWorkflow('document');
    const bytes = Automerge.save(Automerge.from(structuredClone(workflow)));
    for (const id of ['never-created', textDoc]) {
      const refused = await save([{ key: [id, 'snapshot', 'h'], bytes }]);
      expect(refused.status).toBe(404);
      expect(refused.body).toMatchObject({ error: { code: 'document_not_found' } });
    }
    // Other keys of the server's own are not documents either.
    expect((await save([{ key: ['some-plugin', 'x'], bytes }])).status).toBe(404);
  });

  it('refuses a batch that would leave the workflow outside the schema, storing none of it (422)', async () => {
    const id = await createWorkflow();
    const good = Automerge.from(structuredClone(workflow));
    expect((await save([{ key: [id, 'snapshot', 'h1'], bytes: Automerge.save(good) }])).status).toBe(200);

    const broken = Automerge.change(Automerge.clone(good), (d) => {
      (d as Record<string, unknown>).name = 42;
      d.nodes.n3 = { type: 'teleport', kind: 'operator', params: {}, position: { x: 0, y: 0 } };
    });
    const refused = await save([
      { key: [id, 'incremental', 'bad'], bytes: Automerge.saveSince(broken, Automerge.getHeads(good)) },
      { key: [id, 'sync-state', 's'], bytes: new Uint8Array([1]) },
    ]);
    expect(refused.status).toBe(422);
    expect(refused.body).toMatchObject({
      error: {
        code: 'invalid_workflow',
        details: { documentId: id, issues: [{ path: 'name', message: expect.any(String) }] },
      },
    });
    expect(await keysOf([id])).toEqual([`${id}/snapshot/h1`]);

    // An unknown node type and a counter in params are refused too; a half-typed param is not.
    const unknownType = Automerge.change(Automerge.clone(good), (d) => {
      d.nodes.n3 = { type: 'teleport', kind: 'operator', params: {}, position: { x: 0, y: 0 } };
    });
    const typeRefused = await save([
      { key: [id, 'incremental', 'u'], bytes: Automerge.saveSince(unknownType, Automerge.getHeads(good)) },
    ]);
    expect(typeRefused.body).toMatchObject({
      error: { code: 'invalid_workflow', details: { issues: [{ path: 'nodes.n3.type' }] } },
    });
    const halfTyped = Automerge.change(Automerge.clone(good), (d) => {
      d.nodes.n2!.params.length = 'enormous';
    });
    expect(
      (
        await save([
          { key: [id, 'incremental', 'ok'], bytes: Automerge.saveSince(halfTyped, Automerge.getHeads(good)) },
        ])
      ).status,
    ).toBe(200);

    // A chunk that is not Automerge at all.
    const garbage = await save([{ key: [id, 'incremental', 'junk'], bytes: new Uint8Array([1, 2, 3, 4]) }]);
    expect(garbage.status).toBe(422);
    expect(garbage.body).toMatchObject({ error: { code: 'invalid_workflow' } });
    expect(await keysOf([id])).toEqual([`${id}/snapshot/h1`, `${id}/incremental/ok`]);
  });

  it('checks against the stored workflow: a later valid change still passes after a refusal', async () => {
    const id = await createWorkflow();
    let doc = Automerge.from(structuredClone(workflow));
    expect((await save([{ key: [id, 'snapshot', 's'], bytes: Automerge.save(doc) }])).status).toBe(200);
    for (let i = 0; i < 5; i++) {
      const before = Automerge.getHeads(doc);
      doc = Automerge.change(doc, (d) => {
        d.nodes[`m${i}`] = {
          type: 'note',
          kind: 'addon',
          params: { text: `${i}` },
          position: { x: i, y: 0 },
        };
      });
      const res = await save([
        { key: [id, 'incremental', `i${i}`], bytes: Automerge.saveSince(doc, before) },
      ]);
      expect(res.status).toBe(200);
    }
    // Deleting the name in a change whose parent is only in storage (not in this batch) is caught.
    const bad = Automerge.change(Automerge.clone(doc), (d) => {
      delete (d as Partial<typeof d>).name;
    });
    const refused = await save([
      { key: [id, 'incremental', 'x'], bytes: Automerge.saveSince(bad, Automerge.getHeads(doc)) },
    ]);
    expect(refused.status).toBe(422);
    const fine = Automerge.change(doc, (d) => {
      d.name = 'Still fine';
    });
    expect(
      (
        await save([
          { key: [id, 'incremental', 'y'], bytes: Automerge.saveSince(fine, Automerge.getHeads(doc)) },
        ])
      ).status,
    ).toBe(200);
  });

  it('checks a workflow deleted and created again under the same id against its new content only', async () => {
    const id = await createWorkflow();
    await save([
      { key: [id, 'snapshot', 's'], bytes: Automerge.save(Automerge.from(structuredClone(workflow))) },
    ]);
    await ok('delete-document', { documentId: id }, owner);
    // In the trash it still holds its id; once purged (as after 30 days), the id is free again.
    expect(
      (await call('create-document', { workspaceId, id, kind: 'workflow', title: id }, owner)).status,
    ).toBe(409);
    await ofb.store.purgeTrash(new Date(Date.now() + 1000).toISOString());
    await ok('create-document', { workspaceId, id, kind: 'workflow', title: id }, owner);
    // Valid only if merged with the deleted workflow (which had edges): alone it has none.
    const partial = Automerge.save(Automerge.from({ name: 'Again', nodes: {} }));
    const refused = await save([{ key: [id, 'snapshot', 't'], bytes: partial }]);
    expect(refused.status).toBe(422);
    expect(refused.body).toMatchObject({ error: { details: { issues: [{ path: 'edges' }] } } });
  });

  it("respects the rules' document size; a snapshot counts as the whole document", async () => {
    const id = await createWorkflow();
    let doc = Automerge.from(structuredClone(workflow));
    expect((await save([{ key: [id, 'snapshot', 's0'], bytes: Automerge.save(doc) }])).status).toBe(200);
    const before = Automerge.getHeads(doc);
    doc = Automerge.change(doc, (d) => {
      d.nodes.n1!.params.documentId = 'x'.repeat(MAX_DOCUMENT_BYTES);
    });
    const tooLarge = await save([
      { key: [id, 'incremental', 'big'], bytes: Automerge.saveSince(doc, before) },
    ]);
    expect(tooLarge.status).toBe(422);
    expect(tooLarge.body).toMatchObject({ error: { code: 'document_too_large' } });
  });

  it('writes one audit row per document per batch, in the batch transaction', async () => {
    const a = await createWorkflow();
    const b = await createWorkflow();
    const before = (await store.listAudit({ limit: 100_000 })).length;
    const bytes = Automerge.save(Automerge.from(structuredClone(workflow)));
    await save([
      { key: [a, 'snapshot', '1'], bytes },
      { key: [a, 'sync-state', '1'], bytes: new Uint8Array([1]) },
      { key: [b, 'snapshot', '1'], bytes },
    ]);
    const rows = (await store.listAudit({ limit: 100_000 })).slice(before);
    expect(rows.map((r) => [r.resourceId, r.action, r.reason, r.workspaceId])).toEqual([
      [a, 'write', 'service_role', workspaceId],
      [b, 'write', 'service_role', workspaceId],
    ]);
  });

  it('validate-workflow gives any member the findings and edge verdicts of the stored workflow', async () => {
    const id = await createWorkflow();
    const withCycle = structuredClone(workflow) as typeof workflow & { edges: Record<string, unknown> };
    withCycle.edges.e2 = { from: { node: 'n2', port: 'summary' }, to: { node: 'n2', port: 'text' } };
    await save([{ key: [id, 'snapshot', 's'], bytes: Automerge.save(Automerge.from(withCycle)) }]);
    const report = await ok('validate-workflow', { documentId: id }, viewer);
    expect(report.edges).toEqual({ e1: 'accepted', e2: 'extra-input' });
    expect(report.findings).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ code: 'extra-input', target: { kind: 'edge', id: 'e2' } }),
      ]),
    );
    expect((await call('validate-workflow', { documentId: id }, stranger)).status).toBe(403);
    const empty = await createWorkflow();
    expect((await call('validate-workflow', { documentId: empty }, owner)).body).toMatchObject({
      error: { code: 'workflow_not_stored' },
    });
    expect((await call('validate-workflow', { documentId: 'nope' }, owner)).status).toBe(404);
  });

  it('concurrent saves of one workflow are checked one after another, none lost', async () => {
    const id = await createWorkflow();
    let doc = Automerge.from(structuredClone(workflow));
    await save([{ key: [id, 'snapshot', 's'], bytes: Automerge.save(doc) }]);
    const batches: Uint8Array[] = [];
    for (let i = 0; i < 10; i++) {
      const before = Automerge.getHeads(doc);
      doc = Automerge.change(doc, (d) => {
        d.nodes[`c${i}`] = { type: 'note', kind: 'addon', params: {}, position: { x: i, y: i } };
      });
      batches.push(Automerge.saveSince(doc, before));
    }
    const results = await Promise.all(
      batches.map((bytes, i) => save([{ key: [id, 'incremental', `c${i}`], bytes }])),
    );
    expect(results.map((r) => r.status)).toEqual(Array(10).fill(200));
    const range = (await ok('automerge-load-range', { prefix: [id] }, service)).chunks as { bytes: string }[];
    const stored = Automerge.load<typeof workflow>(Buffer.concat(range.map((c) => unb64(c.bytes))));
    expect(Object.keys(stored.nodes)).toHaveLength(12);
  });
});
