// Tests of OFB's functions over plain HTTP: roles, rules and audit end to end, malformed bodies, persist
// on sync, bounded bodies and sign-in limits, and the service-role key.
import { createClient } from '@supabase/supabase-js';
import { base64ToBytes, bytesToBase64, ErrorBody, OfbRequests } from '@symphony/schemas';
import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import * as Y from 'yjs';
import type { PgliteStore } from '../src/adapters/PgliteStore.js';
import { TokenService } from '../src/auth.js';
import { startTestOfb, type TestOfb } from '../src/testing.js';

let ofb: TestOfb;
let store: PgliteStore;
let server: { url: string };
const tokens = new TokenService('test-secret-at-least-32-characters-long!');

beforeAll(async () => {
  ofb = await startTestOfb({ tokens, rules: { maxDocumentBytes: 1000 } });
  store = ofb.store;
  server = { url: ofb.url };
});
afterAll(async () => {
  await ofb?.close();
});

async function call(name: string, body: unknown, token?: string, raw = false, key?: string) {
  const res = await ofb.call(name, raw ? (body as string) : JSON.stringify(body), token, { key });
  return { status: res.status, body: res.body as Record<string, unknown> };
}

describe('OFB functions over HTTP', () => {
  it('a stock supabase-js client signs up, creates a workspace and lists it via functions.invoke', async () => {
    const supabase = createClient(server.url, 'anon-key', {
      // Node 20 has no global WebSocket; supabase-js needs one for realtime even when unused.
      realtime: { transport: WebSocket as unknown as typeof globalThis.WebSocket },
      auth: { persistSession: false },
    });
    const signUp = await supabase.functions.invoke('sign-up', {
      body: { name: 'sb-user', password: 'password123' },
    });
    expect(signUp.error).toBeNull();
    const token = signUp.data.access_token as string;
    const headers = { Authorization: `Bearer ${token}` };
    const created = await supabase.functions.invoke('create-workspace', {
      body: { name: 'From supabase-js' },
      headers,
    });
    expect(created.error).toBeNull();
    expect(created.data.role).toBe('owner');
    const listed = await supabase.functions.invoke('list-workspaces', { body: {}, headers });
    expect(listed.data.workspaces.map((w: { name: string }) => w.name)).toEqual(['From supabase-js']);
    const denied = await supabase.functions.invoke('list-workspaces', { body: {} });
    expect(denied.error).not.toBeNull();
    expect(await (denied.error as { context: Response }).context.json()).toMatchObject({
      error: { category: 'auth' },
    });
  });

  it('enforces roles, rules and the audit trail end to end', async () => {
    const owner = (await call('sign-up', { name: 'owner1', password: 'password123' })).body;
    const viewer = (await call('sign-up', { name: 'viewer1', password: 'password123' })).body;
    const ot = owner.access_token as string;
    const vt = viewer.access_token as string;
    const vid = (viewer.user as { id: string }).id;
    expect((await call('sign-in', { name: 'viewer1', password: 'wrong-password' })).status).toBe(401);
    expect((await call('sign-in', { name: 'viewer1', password: 'password123' })).status).toBe(200);
    expect((await call('sign-up', { name: 'viewer1', password: 'password123' })).status).toBe(409);

    const ws = ((await call('create-workspace', { name: 'Team' }, ot)).body.workspace as { id: string }).id;
    const inv = await call('invite-member', { workspaceId: ws, userId: vid, role: 'viewer' }, ot);
    expect(inv.status).toBe(200);
    expect((await call('invite-member', { workspaceId: ws, userId: vid, role: 'viewer' }, ot)).status).toBe(
      409,
    );
    const invitationId = (inv.body.invitation as { id: string }).id;
    expect((await call('accept-invitation', { invitationId }, vt)).status).toBe(200);

    const doc = await call('create-document', { workspaceId: ws, kind: 'document', title: 'Notes' }, ot);
    expect(doc.status).toBe(200);
    const docId = (doc.body.document as { id: string }).id;
    const forbidden = await call('rename-document', { documentId: docId, title: 'Mine' }, vt);
    expect(forbidden.status).toBe(403);
    expect(ErrorBody.parse(forbidden.body).error.code).toBe('role_too_low');
    expect(
      (await call('create-document', { workspaceId: ws, kind: 'document', title: 'x', sizeBytes: 5000 }, ot))
        .status,
    ).toBe(422);
    expect((await call('authorize', { token: vt, resourceId: docId }, undefined)).body).toMatchObject({
      role: 'viewer',
    });

    expect((await call('change-role', { workspaceId: ws, userId: vid, role: 'editor' }, ot)).status).toBe(
      200,
    );
    expect((await call('rename-document', { documentId: docId, title: 'Ours' }, vt)).status).toBe(200);
    const ownerId = (owner.user as { id: string }).id;
    expect(
      (await call('change-role', { workspaceId: ws, userId: ownerId, role: 'viewer' }, ot)).body,
    ).toMatchObject({
      error: { code: 'last_owner' },
    });
    expect((await call('remove-member', { workspaceId: ws, userId: vid }, ot)).status).toBe(200);
    expect((await call('authorize', { token: vt, resourceId: docId })).status).toBe(403);
    expect((await call('delete-document', { documentId: docId }, ot)).status).toBe(200);
    expect((await call('delete-document', { documentId: docId }, ot)).status).toBe(404);

    const expired = await tokens.sign({ sub: ownerId }, 0);
    expect((await call('list-workspaces', {}, expired)).body).toMatchObject({
      error: { code: 'expired_token' },
    });

    const audit = await store.listAudit({ workspaceId: ws });
    expect(audit.some((a) => !a.allowed && a.action === 'rename' && a.reason === 'role_too_low')).toBe(true);
    expect(audit.some((a) => a.allowed && a.action === 'delete')).toBe(true);
  });

  it('answers ≥1,000 generated malformed bodies with a 4xx and the error shape, and stays up', async () => {
    // Control characters (NUL among them) and unpaired surrogates: a NUL in a name once reached
    // PostgreSQL and came back as a 500.
    const controlTexts = [
      '\u0000',
      'a\u0000b',
      '\ud800',
      'x\udfffy',
      '\u001b[2J',
      '\t',
      'line\nbreak',
      '\u007f',
      '\u009f',
    ];
    const token = (await call('sign-up', { name: 'fuzzer', password: 'password123' })).body
      .access_token as string;
    let seed = 20_250_101;
    const rand = () => {
      seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
      return seed / 2_147_483_648;
    };
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
    const junk: unknown[] = [
      null,
      0,
      -1,
      1e308,
      true,
      'x',
      '',
      [],
      {},
      [1, 2],
      { a: 1 },
      'x'.repeat(300),
      '../../etc',
      '\u0000',
      { __proto__: 1 },
      ...controlTexts,
    ];
    const rawBodies = [
      '{',
      'null',
      '[]',
      '"str"',
      '{"a":',
      '\u0000\u0001',
      '{"name": NaN}',
      '}{',
      '123abc',
      'true',
    ];
    const names = Object.keys(OfbRequests);
    const perFunction = new Map<string, number>();
    let count = 0;
    const expectRefused = async (name: string, body: string, token: string, key?: string) => {
      const res = await call(name, body, token, true, key);
      if (res.status < 400 || res.status >= 500) {
        throw new Error(`${name} ${body} (key ${key}) -> ${res.status} ${JSON.stringify(res.body)}`);
      }
      expect(ErrorBody.safeParse(res.body).success, JSON.stringify(res.body)).toBe(true);
      perFunction.set(name, (perFunction.get(name) ?? 0) + 1);
      count++;
    };
    for (let i = 0; i < 1_100; i++) {
      // Round robin, so every function (the new ones included) gets its share of garbage.
      const name = names[i % names.length]!;
      const shape = OfbRequests[name as keyof typeof OfbRequests].shape as Record<string, unknown>;
      const keys = Object.keys(shape);
      let body: string;
      const mode = i % 4;
      if (mode === 0) body = pick(rawBodies);
      else if (mode === 1) body = JSON.stringify(pick(junk.filter((j) => JSON.stringify(j) !== '{}')));
      else {
        const obj: Record<string, unknown> = {};
        for (const k of keys) if (rand() < 0.7) obj[k] = pick(junk);
        if (mode === 3 || keys.length === 0) obj[`extra${i}`] = pick(junk);
        // At least one field holds a value no field accepts, so every body is really malformed.
        else obj[pick(keys)] = pick([null, [], { a: 1 }, -1.5]);
        body = JSON.stringify(obj);
      }
      await expectRefused(name, body, rand() < 0.8 ? token : pick(['garbage', 'a.b.c', '']));
    }
    // Bodies that are well-formed JSON objects of the right fields but break a rule of the schema.
    const ok = 'ws-fuzz';
    const nearMisses: [string, unknown][] = [
      ['create-workspace', { name: 'x', id: 'has space' }],
      ['create-workspace', { name: 'x', id: 'x'.repeat(129) }],
      ['create-workspace', { name: '', id: ok }],
      ['invite-member', { workspaceId: ok, role: 'viewer' }],
      ['invite-member', { workspaceId: ok, userId: 'u1', userName: 'bob', role: 'viewer' }],
      ['invite-member', { workspaceId: ok, userName: 'no spaces allowed', role: 'viewer' }],
      ['invite-member', { workspaceId: ok, userName: 'bob', role: 'admin' }],
      ['refresh-session', { token: 'x' }],
      ['list-members', {}],
      ['list-members', { workspaceId: '../etc' }],
      ['list-invitations', { workspaceId: ok }],
      ['list-documents', { workspaceId: '' }],
      ['list-documents', { workspaceId: ok, kind: 'document' }],
      ['authorize', { token: '', resourceId: 'doc' }],
      ['authorize', { token: 'x', resourceId: 'workspace-../x' }],
      ['authorize-many', { checks: [] }],
      ['authorize-many', { checks: [{ token: 'x' }] }],
      ['authorize-many', { checks: [{ token: 'x', resourceId: 'd', extra: 1 }] }],
      ['authorize-many', { checks: Array.from({ length: 1001 }, () => ({ token: 'x', resourceId: 'd' })) }],
      ['authorize-many', { checks: 'all' }],
    ];
    for (const [name, body] of nearMisses) await expectRefused(name, JSON.stringify(body), token);
    // Bodies that fit their schema but for one control character or unpaired surrogate spliced into
    // a text field at a random place: refused by the schema (422), never a 500 from the database.
    const splice = (text: string) => {
      const at = Math.floor(rand() * (text.length + 1));
      return text.slice(0, at) + pick(controlTexts) + text.slice(at);
    };
    const withText: ((t: string) => [string, unknown])[] = [
      (t) => ['create-workspace', { name: t }],
      (t) => ['create-workspace', { name: t, id: `ws-${Math.floor(rand() * 1e9)}` }],
      (t) => ['create-document', { workspaceId: ok, kind: 'document', title: t }],
      (t) => ['create-document', { workspaceId: ok, id: 'd-ctl', kind: 'workflow', title: t }],
      (t) => ['rename-document', { documentId: 'd', title: t }],
      (t) => ['sign-up', { name: t, password: 'password123' }],
      (t) => ['sign-in', { name: t, password: 'password123' }],
      (t) => ['invite-member', { workspaceId: ok, userName: t, role: 'viewer' }],
    ];
    for (let i = 0; i < 200; i++) {
      const [name, body] = pick(withText)(splice(pick(['Notes', 'Team 📝', 'ü', 'a b c'])));
      const res = await call(name, JSON.stringify(body), token, true);
      expect(res.status, `${name} ${JSON.stringify(body)}`).toBe(422);
      expect(ErrorBody.parse(res.body).error.code).toBe('invalid_request');
      count++;
    }
    // The service role's storage keys reach PostgreSQL as text too.
    const serviceForKeys = await tokens.sign({ sub: 'sync-server', role: 'service_role' });
    for (let i = 0; i < 50; i++) {
      const part = splice('snapshot');
      const [name, body] = pick<[string, unknown]>([
        ['automerge-load', { key: ['doc', part] }],
        ['automerge-load-range', { prefix: [part] }],
        ['automerge-remove', { keys: [['doc', part]] }],
        ['automerge-remove-range', { prefix: ['doc', part] }],
        ['automerge-save', { chunks: [{ key: ['storage-adapter-id', part], bytes: 'AQ==' }] }],
      ]);
      const res = await call(name, JSON.stringify(body), serviceForKeys, true);
      expect(res.status, `${name} ${JSON.stringify(body)}`).toBe(422);
      count++;
    }
    // Schema-valid bodies whose bytes are not Yjs: refused (422 invalid_update) even for the
    // service role, before any document is looked up, so nothing undecodable is ever stored.
    const service = await tokens.sign({ sub: 'sync-server', role: 'service_role' });
    const b64 = (...bytes: number[]) => bytesToBase64(Uint8Array.from(bytes));
    const notYjs = [
      b64(1, 2),
      b64(255, 255, 255),
      bytesToBase64(new TextEncoder().encode('not a yjs update')),
      b64(...Array.from({ length: 64 }, (_, i) => (i * 37 + 11) % 256)),
    ];
    for (const bytes of notYjs) {
      for (const [name, body] of [
        ['persist-updates', { documentId: 'fuzz-doc', updates: [bytes] }],
        ['persist-updates', { documentId: 'fuzz-doc', updates: [b64(0, 0), bytes] }],
        ['compact-document', { documentId: 'fuzz-doc', state: bytes }],
        ['compact-document', { documentId: 'fuzz-doc', state: bytes, upToSeq: 1 }],
      ] as const) {
        const res = await call(name, body, service);
        expect(res.status, `${name} ${JSON.stringify(body)}`).toBe(422);
        expect(ErrorBody.parse(res.body).error.code).toBe('invalid_update');
        count++;
      }
    }
    // Malformed idempotency keys on mutating functions, and any key on a function that takes none.
    const badKeys = ['short', 'x'.repeat(129), 'with space', 'semi;colon', 'dots.are.out', ''];
    const mutations: [string, unknown][] = [
      ['create-workspace', { name: 'Keyed' }],
      ['invite-member', { workspaceId: ok, userName: 'bob', role: 'viewer' }],
      ['accept-invitation', { invitationId: 'inv' }],
      ['decline-invitation', { invitationId: 'inv' }],
      ['change-role', { workspaceId: ok, userId: 'u', role: 'editor' }],
      ['remove-member', { workspaceId: ok, userId: 'u' }],
      ['create-document', { workspaceId: ok, kind: 'document', title: 't' }],
      ['rename-document', { documentId: 'd', title: 't' }],
      ['delete-document', { documentId: 'd' }],
    ];
    for (const [name, body] of mutations)
      for (const key of badKeys) await expectRefused(name, JSON.stringify(body), token, key);
    for (const name of ['sign-in', 'refresh-session', 'list-workspaces', 'list-members', 'authorize-many'])
      await expectRefused(name, '{}', token, 'a-valid-looking-key');
    expect(count).toBeGreaterThanOrEqual(1000);
    for (const name of names) expect(perFunction.get(name) ?? 0, name).toBeGreaterThanOrEqual(30);
    // Nothing above was applied.
    expect((await call('list-workspaces', {}, token)).body.workspaces).toEqual([]);
    expect((await call('list-workspaces', {}, token)).status).toBe(200);
  });
});

describe('persist on sync: persist-updates, load-document, compact-document', () => {
  const b64 = (...bytes: number[]) => bytesToBase64(Uint8Array.from(bytes));
  /** A real Yjs update (v1) inserting `text`, from a fresh client. */
  const yjs = (text: string) => {
    const doc = new Y.Doc();
    doc.getText('t').insert(0, text);
    return bytesToBase64(Y.encodeStateAsUpdate(doc));
  };
  const [u1, u2, u3, u4, u7] = ['one', 'two', 'three', 'four', 'seven'].map(yjs) as [
    string,
    string,
    string,
    string,
    string,
  ];

  it('stores, loads and compacts Yjs updates for the service role only, and refuses bytes that are not Yjs', async () => {
    const owner = (await call('sign-up', { name: 'persist-owner', password: 'password123' })).body;
    const viewer = (await call('sign-up', { name: 'persist-viewer', password: 'password123' })).body;
    const outsider = (await call('sign-up', { name: 'persist-outsider', password: 'password123' })).body;
    const ot = owner.access_token as string;
    const vt = viewer.access_token as string;
    const xt = outsider.access_token as string;
    const vid = (viewer.user as { id: string }).id;
    const service = await tokens.sign({ sub: 'sync-server', role: 'service_role' });

    const ws = ((await call('create-workspace', { name: 'Persist' }, ot)).body.workspace as { id: string })
      .id;
    const invitationId = (
      (await call('invite-member', { workspaceId: ws, userId: vid, role: 'viewer' }, ot)).body.invitation as {
        id: string;
      }
    ).id;
    await call('accept-invitation', { invitationId }, vt);
    const created = await call(
      'create-document',
      { workspaceId: ws, id: 'room-1', kind: 'document', title: 'R' },
      ot,
    );
    expect(created.body).toMatchObject({ document: { id: 'room-1' } });
    expect(
      (await call('create-document', { workspaceId: ws, id: 'room-1', kind: 'document', title: 'R' }, ot))
        .body,
    ).toMatchObject({ error: { category: 'conflict', code: 'document_exists' } });

    const first = await call('persist-updates', { documentId: 'room-1', updates: [u1, u2] }, service);
    expect(first.status).toBe(200);
    expect(first.body.stored).toBe(2);
    expect((await call('persist-updates', { documentId: 'room-1', updates: [u3] }, service)).status).toBe(
      200,
    );

    // These are the sync-server's storage: any user token is refused, the owner's too (an editor
    // could otherwise store bytes that break every later load, or replace the history), and audited.
    for (const [fn, body] of [
      ['persist-updates', { documentId: 'room-1', updates: [u4] }],
      ['load-document', { documentId: 'room-1' }],
      ['compact-document', { documentId: 'room-1', state: u4 }],
      ['list-stored-documents', { workspaceId: ws }],
      ['list-stored-documents', {}],
    ] as const)
      for (const token of [ot, vt, xt]) {
        const refused = await call(fn, body, token);
        expect(refused.status, `${fn} as a user`).toBe(403);
        expect(ErrorBody.parse(refused.body).error.code).toBe('service_role_only');
      }
    const ownerId = (owner.user as { id: string }).id;
    const denials = (await store.listAudit()).filter((a) => a.actor === ownerId && !a.allowed);
    expect(denials.map((a) => a.action).sort()).toEqual([
      'compact-document',
      'list-stored-documents',
      'list-stored-documents',
      'load-document',
      'persist-updates',
    ]);

    // Bytes that are not a Yjs update are refused before anything is stored, naming the index.
    const notYjs = await call('persist-updates', { documentId: 'room-1', updates: [u4, b64(1, 2)] }, service);
    expect(notYjs.status).toBe(422);
    expect(ErrorBody.parse(notYjs.body).error).toMatchObject({
      code: 'invalid_update',
      details: { field: 'updates', index: 1 },
    });
    const garbageState = await call(
      'compact-document',
      { documentId: 'room-1', state: b64(255, 255) },
      service,
    );
    expect(ErrorBody.parse(garbageState.body).error).toMatchObject({
      code: 'invalid_update',
      details: { field: 'state', index: 0 },
    });
    const loaded = await call('load-document', { documentId: 'room-1' }, service);
    expect(loaded.body.updates).toEqual([u1, u2, u3]);

    // A batch that names its writers is decided on each writer's role and audited under their names.
    // It is stored even when a writer's role no longer allows writing (the sync-server accepted it
    // within its re-check window and its peers hold it); the audit says so.
    expect(
      (await call('persist-updates', { documentId: 'room-1', updates: [u4], writers: [ownerId] }, service))
        .status,
    ).toBe(200);
    for (const who of [vid, (outsider.user as { id: string }).id]) {
      const late = await call(
        'persist-updates',
        { documentId: 'room-1', updates: [u4], writers: [ownerId, who] },
        service,
      );
      expect(late.status).toBe(200);
    }
    const afterWriters = await call('load-document', { documentId: 'room-1' }, service);
    expect(afterWriters.body.updates).toEqual([u1, u2, u3, u4, u4, u4]);
    const byWriter = (await store.listAudit({ workspaceId: ws })).filter(
      (a) => a.resourceId === 'room-1' && a.action === 'write' && a.actor !== 'sync-server',
    );
    expect(byWriter.slice(1).map((a) => [a.actor, a.allowed, a.reason])).toEqual([
      [ownerId, true, 'via service_role'],
      [ownerId, true, 'via service_role'],
      [vid, true, 'via service_role; now role_too_low'],
      [ownerId, true, 'via service_role'],
      [(outsider.user as { id: string }).id, true, 'via service_role; now not_a_member'],
    ]);

    const compacted = await call(
      'compact-document',
      { documentId: 'room-1', state: u7, upToSeq: afterWriters.body.lastSeq },
      service,
    );
    expect(compacted.status).toBe(200);
    // The rows replaced are merged into the caller's state (read in the compaction's transaction), so
    // nothing the caller had not loaded can be lost: one row with every update's content.
    const afterCompaction = (await call('load-document', { documentId: 'room-1' }, service)).body
      .updates as string[];
    expect(afterCompaction).toHaveLength(1);
    const replica = new Y.Doc();
    Y.applyUpdate(replica, base64ToBytes(afterCompaction[0]!));
    expect([...replica.getText('t').toString()].sort().join('')).toBe(
      [...'onetwothreefourseven'].sort().join(''),
    );

    expect((await call('load-document', { documentId: 'no-such-room' }, service)).body).toMatchObject({
      error: { category: 'not_found', code: 'document_not_found' },
    });
    expect((await call('list-stored-documents', {}, service)).body.documentIds).toContain('room-1');
    expect((await call('list-stored-documents', { workspaceId: ws }, service)).body.documentIds).toEqual([
      'room-1',
    ]);

    // The rules' document limit (1000 bytes in this app) bounds what a document stores.
    const big = yjs('x'.repeat(1000));
    expect(
      (await call('persist-updates', { documentId: 'room-1', updates: [big] }, service)).body,
    ).toMatchObject({
      error: { code: 'document_too_large' },
    });
    const huge = await call(
      'persist-updates',
      { documentId: 'room-1', updates: ['A'.repeat(200_000)] },
      service,
    );
    expect(huge.status).toBe(413);
    expect(ErrorBody.parse(huge.body).error.code).toBe('body_too_large');

    // One audit row per authorised write, committed with it: creation, each batch, the compaction
    // (the refused oversized batch rolled back with its row).
    const audit = await store.listAudit({ workspaceId: ws });
    const writes = audit.filter((a) => a.resourceId === 'room-1' && a.action === 'write' && a.allowed);
    expect(writes.map((a) => [a.actor, a.reason])).toEqual([
      [ownerId, 'allowed'],
      ['sync-server', 'service_role'],
      ['sync-server', 'service_role'],
      [ownerId, 'via service_role'],
      [ownerId, 'via service_role'],
      [vid, 'via service_role; now role_too_low'],
      [ownerId, 'via service_role'],
      [(outsider.user as { id: string }).id, 'via service_role; now not_a_member'],
      ['sync-server', 'service_role'],
    ]);
  });
});

describe('bounded bodies and sign-in attempts', () => {
  it('reads at most 64 KiB of a non-byte function body, and rate-limits sign-up and sign-in per IP and name', async () => {
    const limited = await startTestOfb({ store, tokens, authRateLimit: { perMinute: 3 } });
    try {
      const post = async (name: string, body: string) => {
        const res = await fetch(`${limited.url}/functions/v1/${name}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body,
        });
        return { status: res.status, body: ErrorBody.parse(await res.json()).error };
      };
      const big = JSON.stringify({ name: 'x', password: 'p'.repeat(70 * 1024) });
      for (const name of ['sign-in', 'sign-up', 'authorize', 'list-workspaces']) {
        const refused = await post(name, big);
        expect(refused.status, name).toBe(413);
        expect(refused.body.code).toBe('body_too_large');
      }
      const attempt = (name: string) => post('sign-in', JSON.stringify({ name, password: 'wrong-password' }));
      for (let i = 0; i < 3; i++) expect((await attempt(`someone${i}`)).status).toBe(401);
      const fourth = await attempt('someone-else');
      expect(fourth.status).toBe(429);
      expect(fourth.body).toMatchObject({ category: 'validation', code: 'rate_limited' });
      expect((fourth.body.details as { retryAfterSeconds: number }).retryAfterSeconds).toBeGreaterThan(0);
      expect(
        (await post('sign-up', JSON.stringify({ name: 'new-one', password: 'password123' }))).status,
      ).toBe(429);
    } finally {
      await limited.close();
    }
  });
});

describe("a Supabase project's service-role key", () => {
  it('is accepted without a sub (actor service_role); a user token without a sub is still refused', async () => {
    const key = new TextEncoder().encode('test-secret-at-least-32-characters-long!');
    const iat = Math.floor(Date.now() / 1000);
    const serviceKey = await new SignJWT({ iss: 'supabase', ref: 'x', role: 'service_role' })
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .setIssuedAt(iat)
      .setExpirationTime(iat + 3600)
      .sign(key);
    const listed = await call('list-stored-documents', {}, serviceKey);
    expect(listed.status).toBe(200);
    const refused = await call(
      'persist-updates',
      { documentId: 'no-such-doc', updates: ['AAA='] },
      serviceKey,
    );
    expect(refused.status).toBe(404);
    expect((await tokens.verify(serviceKey)).sub).toBe('service_role');

    const noSub = await new SignJWT({ role: 'authenticated' })
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .setIssuedAt(iat)
      .setExpirationTime(iat + 3600)
      .sign(key);
    const anonymous = await call('list-workspaces', {}, noSub);
    expect(anonymous.status).toBe(401);
    expect(ErrorBody.parse(anonymous.body).error.code).toBe('invalid_token');
  });
});
