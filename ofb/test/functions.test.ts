// Tests of OFB's functions through a stock supabase-js client: idempotency keys, Workspace index Documents,
// invitations, sessions, authorize, and quotas (PGlite and PostgreSQL).
import { createClient, type SupabaseClient } from '@supabase/supabase-js';
import {
  bytesToBase64,
  ErrorBody,
  IDEMPOTENCY_HEADER,
  OfbAuthorizeManyResult,
  OfbAuthorizeResult,
  OfbListInvitationsResult,
  OfbListMembersResult,
  OfbSession,
} from '@symphony/schemas';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { PgliteStore } from '../src/adapters/PgliteStore.js';
import { PostgresStore } from '../src/adapters/PostgresStore.js';
import { TokenService } from '../src/auth.js';
import { defaultRules, type RulesConfig } from '../src/domain/rules.js';
import type { OfbStore } from '../src/OfbStore.js';
import { type PostgresServer, startPostgres, startTestOfb } from '../src/testing.js';

const tokens = new TokenService('functions-test-secret-at-least-32-characters');

/** An OFB app on a free port, reached by a stock supabase-js client. */
async function startApp(store: OfbStore, rules: RulesConfig = defaultRules) {
  const server = await startTestOfb({ store, tokens, rules });
  const supabase = createClient(server.url, 'anon-key', {
    // Node 20 has no global WebSocket; supabase-js needs one for realtime even when unused.
    realtime: { transport: WebSocket as unknown as typeof globalThis.WebSocket },
    auth: { persistSession: false },
  });
  return { server, supabase };
}

interface Reply {
  readonly status: number;
  // Tests read what they expect and check the shape where it matters.
  // biome-ignore lint/suspicious/noExplicitAny: a JSON body of any function
  readonly body: any;
}

/** `functions.invoke` with a bearer token and an idempotency key; a refusal comes back as its status and body. */
async function invoke(
  supabase: SupabaseClient,
  name: string,
  body: object,
  options: { token?: string; key?: string } = {},
): Promise<Reply> {
  const headers: Record<string, string> = {};
  if (options.token) headers.Authorization = `Bearer ${options.token}`;
  if (options.key) headers[IDEMPOTENCY_HEADER] = options.key;
  const { data, error } = await supabase.functions.invoke(name, { body, headers });
  if (!error) return { status: 200, body: data };
  const response = (error as { context?: Response }).context;
  if (!response) throw error;
  return { status: response.status, body: await response.json() };
}

/** Asserts a refusal: status, the shared error shape, category and code. */
function expectRefused(reply: Reply, status: number, category: string, code: string) {
  expect(reply.status, JSON.stringify(reply.body)).toBe(status);
  const parsed = ErrorBody.parse(reply.body);
  expect(parsed.error).toMatchObject({ category, code });
  expect(parsed.error.message.length).toBeGreaterThan(0);
}

let counter = 0;
/** A fresh idempotency key. */
const freshKey = () => `key-${Date.now()}-${++counter}`;

async function signUp(supabase: SupabaseClient, name: string) {
  const reply = await invoke(supabase, 'sign-up', { name, password: 'password123' });
  expect(reply.status).toBe(200);
  const session = OfbSession.parse(reply.body);
  return { token: session.access_token, id: session.user.id, name };
}

describe('OFB functions over supabase-js (PGlite)', () => {
  let store: PgliteStore;
  let app: Awaited<ReturnType<typeof startApp>>;
  beforeAll(async () => {
    store = await PgliteStore.open('memory://');
    app = await startApp(store);
  });
  afterAll(async () => {
    await app?.server.close();
    await store?.close();
  });
  const call = (name: string, body: object, options?: { token?: string; key?: string }) =>
    invoke(app.supabase, name, body, options);

  describe('idempotency keys', () => {
    it('create-workspace sent three times with one key creates one workspace and answers the same each time', async () => {
      const alice = await signUp(app.supabase, 'idem-alice');
      const key = freshKey();
      const auditBefore = (await store.listAudit({ limit: 100_000 })).length;
      const answers = [];
      for (let i = 0; i < 3; i++)
        answers.push(await call('create-workspace', { name: 'Once' }, { token: alice.token, key }));
      expect(answers.map((a) => a.status)).toEqual([200, 200, 200]);
      expect(answers[1]!.body).toEqual(answers[0]!.body);
      expect(answers[2]!.body).toEqual(answers[0]!.body);
      const listed = await call('list-workspaces', {}, { token: alice.token });
      expect(listed.body.workspaces.map((w: { name: string }) => w.name)).toEqual(['Once']);
      expect(listed.body.workspaces[0].id).toBe(answers[0]!.body.workspace.id);
      // The replays wrote nothing: one audit row, the creation's.
      expect((await store.listAudit({ limit: 100_000 })).length).toBe(auditBefore + 1);
    });

    it('concurrent duplicates apply once and all get the first answer', async () => {
      const bob = await signUp(app.supabase, 'idem-bob');
      const key = freshKey();
      const answers = await Promise.all(
        Array.from({ length: 6 }, () =>
          call('create-workspace', { name: 'Race' }, { token: bob.token, key }),
        ),
      );
      expect(answers.map((a) => a.status)).toEqual(Array(6).fill(200));
      for (const a of answers) expect(a.body).toEqual(answers[0]!.body);
      const listed = await call('list-workspaces', {}, { token: bob.token });
      expect(listed.body.workspaces.length).toBe(1);
    });

    it('a key is per user, bound to its function and request, and must be well formed', async () => {
      const carol = await signUp(app.supabase, 'idem-carol');
      const dave = await signUp(app.supabase, 'idem-dave');
      const key = freshKey();
      const first = await call('create-workspace', { name: 'Mine' }, { token: carol.token, key });
      expect(first.status).toBe(200);
      // Another user's identical key is another key.
      const other = await call('create-workspace', { name: 'Mine' }, { token: dave.token, key });
      expect(other.status).toBe(200);
      expect(other.body.workspace.id).not.toBe(first.body.workspace.id);

      expectRefused(
        await call('create-workspace', { name: 'Another' }, { token: carol.token, key }),
        422,
        'validation',
        'idempotency_key_reused',
      );
      expectRefused(
        await call(
          'create-document',
          { workspaceId: first.body.workspace.id, kind: 'document', title: 'x' },
          { token: carol.token, key },
        ),
        422,
        'validation',
        'idempotency_key_reused',
      );
      for (const bad of ['short', 'has space in it', 'x'.repeat(129), 'ünïcödé-key']) {
        const res = await fetch(`${app.server.url}/functions/v1/create-workspace`, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            authorization: `Bearer ${carol.token}`,
            [IDEMPOTENCY_HEADER]: encodeURIComponent(bad) === bad ? bad : 'bad key',
          },
          body: JSON.stringify({ name: 'Bad key' }),
        });
        expect(res.status, bad).toBe(422);
        expect(ErrorBody.parse(await res.json()).error.code).toBe('invalid_idempotency_key');
      }
      expectRefused(
        await call('list-workspaces', {}, { token: carol.token, key: freshKey() }),
        422,
        'validation',
        'idempotency_not_supported',
      );
      const names = (await call('list-workspaces', {}, { token: carol.token })).body.workspaces.map(
        (w: { name: string }) => w.name,
      );
      expect(names).toEqual(['Mine']);
    });

    it('a refused call is stored: its replay is refused the same way and never applied', async () => {
      const owner = await signUp(app.supabase, 'idem-owner');
      const editor = await signUp(app.supabase, 'idem-editor');
      const ws = (await call('create-workspace', { name: 'Refusals' }, { token: owner.token })).body.workspace
        .id as string;
      const inv = await call(
        'invite-member',
        { workspaceId: ws, userName: editor.name, role: 'viewer' },
        { token: owner.token },
      );
      await call('accept-invitation', { invitationId: inv.body.invitation.id }, { token: editor.token });
      const doc = await call(
        'create-document',
        { workspaceId: ws, kind: 'document', title: 'Before' },
        { token: owner.token },
      );
      const key = freshKey();
      const refused = await call(
        'rename-document',
        { documentId: doc.body.document.id, title: 'After' },
        { token: editor.token, key },
      );
      expectRefused(refused, 403, 'forbidden', 'role_too_low');
      await call(
        'change-role',
        { workspaceId: ws, userId: editor.id, role: 'editor' },
        { token: owner.token },
      );
      const replay = await call(
        'rename-document',
        { documentId: doc.body.document.id, title: 'After' },
        { token: editor.token, key },
      );
      expect(replay).toEqual(refused);
      const titles = (
        await call('list-documents', { workspaceId: ws }, { token: owner.token })
      ).body.documents.map((d: { title: string }) => d.title);
      expect(titles).toEqual(['Before']);
      // A fresh key is a fresh call: now allowed.
      expect(
        (
          await call(
            'rename-document',
            { documentId: doc.body.document.id, title: 'After' },
            { token: editor.token, key: freshKey() },
          )
        ).status,
      ).toBe(200);
    });

    it('every mutating function answers a replay with its first answer and applies once', async () => {
      const owner = await signUp(app.supabase, 'idem-all-owner');
      const member = await signUp(app.supabase, 'idem-all-member');
      const twice = async (name: string, body: object, token: string) => {
        const key = freshKey();
        const first = await call(name, body, { token, key });
        const second = await call(name, body, { token, key });
        expect(first.status, `${name}: ${JSON.stringify(first.body)}`).toBe(200);
        expect(second, name).toEqual(first);
        return first.body;
      };
      const ws = (await twice('create-workspace', { name: 'All', id: `ws-all-${counter}` }, owner.token))
        .workspace.id as string;
      const invitation = (
        await twice('invite-member', { workspaceId: ws, userName: member.name, role: 'viewer' }, owner.token)
      ).invitation;
      // Accepting deletes the invitation: without the key, a retry would be a 404.
      await twice('accept-invitation', { invitationId: invitation.id }, member.token);
      await twice('change-role', { workspaceId: ws, userId: member.id, role: 'editor' }, owner.token);
      const doc = (
        await twice(
          'create-document',
          { workspaceId: ws, id: `doc-all-${counter}`, kind: 'workflow', title: 'W' },
          member.token,
        )
      ).document;
      await twice('rename-document', { documentId: doc.id, title: 'W2' }, member.token);
      await twice('delete-document', { documentId: doc.id }, member.token);
      await twice('remove-member', { workspaceId: ws, userId: member.id }, owner.token);

      const members = OfbListMembersResult.parse(
        (await call('list-members', { workspaceId: ws }, { token: owner.token })).body,
      );
      expect(members.members.map((m) => m.name)).toEqual([owner.name]);
      expect(members.invitations).toEqual([]);
      expect(
        (await call('list-documents', { workspaceId: ws }, { token: owner.token })).body.documents,
      ).toEqual([]);
      const audit = await store.listAudit({ workspaceId: ws });
      expect(audit.filter((a) => a.action === 'create-workspace').length).toBe(1);
      expect(audit.filter((a) => a.action === 'accept-invitation').length).toBe(1);
      expect(audit.filter((a) => a.action === 'delete' && a.allowed).length).toBe(1);
    });
  });

  describe("a workspace's index document (workspace-<id>)", () => {
    it('is created with the workspace, stored like a document, never listed, renamed or deleted', async () => {
      const owner = await signUp(app.supabase, 'ida');
      const viewer = await signUp(app.supabase, 'ivo');
      await call('create-workspace', { name: 'Indexed', id: 'ws-indexed' }, { token: owner.token });
      const index = 'workspace-ws-indexed';
      const update = bytesToBase64(Uint8Array.of(0, 0)); // an empty Yjs update
      const service = await tokens.sign({ sub: 'sync-server', role: 'service_role' });
      expect(
        (await call('persist-updates', { documentId: index, updates: [update] }, { token: service })).status,
      ).toBe(200);
      // Its content is the sync-server's to store, like any document's: users reach it through the
      // sync-server (which asks authorize: editors write it, members read it).
      expectRefused(
        await call('persist-updates', { documentId: index, updates: [update] }, { token: owner.token }),
        403,
        'forbidden',
        'service_role_only',
      );
      expect(
        (await call('persist-updates', { documentId: index, updates: [update] }, { token: service })).status,
      ).toBe(200);
      const loaded = await call('load-document', { documentId: index }, { token: service });
      expect(loaded.body.updates).toEqual([update, update]);
      expect((await call('authorize', { token: owner.token, resourceId: index }, {})).body).toMatchObject({
        role: 'owner',
        kind: 'workspace',
      });
      expectRefused(
        await call('authorize', { token: viewer.token, resourceId: index }, {}),
        403,
        'forbidden',
        'not_a_member',
      );
      expect(
        (await call('list-documents', { workspaceId: 'ws-indexed' }, { token: owner.token })).body,
      ).toEqual({
        documents: [],
      });
      expectRefused(
        await call('rename-document', { documentId: index, title: 'x' }, { token: owner.token }),
        422,
        'validation',
        'reserved_id',
      );
      expectRefused(
        await call('delete-document', { documentId: index }, { token: owner.token }),
        422,
        'validation',
        'reserved_id',
      );
      const stored = await call('list-stored-documents', { workspaceId: 'ws-indexed' }, { token: service });
      expect(stored.body.documentIds).toEqual([index]);
    });
  });

  describe('workspaces with ids, invitations by name, listings and sessions', () => {
    it('create-workspace refuses an id whose index document id is already a document (409, nothing created)', async () => {
      const hana = await signUp(app.supabase, 'hana');
      await call('create-workspace', { name: 'Older', id: 'ws-older' }, { token: hana.token });
      // A row made before `workspace-` ids were reserved.
      await store.createDocument({
        id: 'workspace-ws-clash',
        workspaceId: 'ws-older',
        kind: 'document',
        title: 'old',
        sizeBytes: 0,
      });
      expectRefused(
        await call('create-workspace', { name: 'Clash', id: 'ws-clash' }, { token: hana.token }),
        409,
        'conflict',
        'workspace_exists',
      );
      const names = (await call('list-workspaces', {}, { token: hana.token })).body.workspaces.map(
        (w: { name: string }) => w.name,
      );
      expect(names).toEqual(['Older']);
    });

    it('create-workspace takes a client-chosen id and refuses a taken one', async () => {
      const erin = await signUp(app.supabase, 'erin');
      const frank = await signUp(app.supabase, 'frank');
      const created = await call(
        'create-workspace',
        { name: 'Offline', id: 'ws-offline-1' },
        { token: erin.token },
      );
      expect(created.body).toMatchObject({
        workspace: { id: 'ws-offline-1', name: 'Offline' },
        role: 'owner',
      });
      expectRefused(
        await call('create-workspace', { name: 'Offline', id: 'ws-offline-1' }, { token: erin.token }),
        409,
        'conflict',
        'workspace_exists',
      );
      // Someone who is not a member must not learn that the workspace exists: the refusal a
      // non-member gets, not `workspace_exists`.
      expectRefused(
        await call(
          'create-workspace',
          { name: 'Steal', id: 'ws-offline-1' },
          { token: frank.token, key: freshKey() },
        ),
        403,
        'forbidden',
        'not_a_member',
      );
      expect((await call('list-workspaces', {}, { token: frank.token })).body.workspaces).toEqual([]);
    });

    it('invites by name, lists members and invitations with names, and lists documents for members only', async () => {
      const owner = await signUp(app.supabase, 'list-owner');
      const guest = await signUp(app.supabase, 'list-guest');
      const outsider = await signUp(app.supabase, 'list-outsider');
      const ws = (await call('create-workspace', { name: 'Listed' }, { token: owner.token })).body.workspace
        .id as string;
      expectRefused(
        await call(
          'invite-member',
          { workspaceId: ws, userName: 'nobody-by-this-name', role: 'viewer' },
          { token: owner.token },
        ),
        404,
        'not_found',
        'user_not_found',
      );
      expectRefused(
        await call(
          'invite-member',
          { workspaceId: ws, userId: guest.id, userName: guest.name, role: 'viewer' },
          { token: owner.token },
        ),
        422,
        'validation',
        'invalid_request',
      );
      const inv = await call(
        'invite-member',
        { workspaceId: ws, userName: guest.name, role: 'editor' },
        { token: owner.token },
      );
      expect(inv.body.invitation).toMatchObject({ workspaceId: ws, inviteeId: guest.id, role: 'editor' });

      const pending = OfbListInvitationsResult.parse(
        (await call('list-invitations', {}, { token: guest.token })).body,
      );
      expect(pending.invitations).toEqual([
        {
          id: inv.body.invitation.id,
          workspaceId: ws,
          workspaceName: 'Listed',
          role: 'editor',
          invitedBy: owner.id,
          inviterName: owner.name,
        },
      ]);
      expect((await call('list-invitations', {}, { token: outsider.token })).body).toEqual({
        invitations: [],
      });

      const before = OfbListMembersResult.parse(
        (await call('list-members', { workspaceId: ws }, { token: owner.token })).body,
      );
      expect(before).toEqual({
        members: [{ userId: owner.id, name: owner.name, role: 'owner' }],
        invitations: [
          { id: inv.body.invitation.id, inviteeId: guest.id, inviteeName: guest.name, role: 'editor' },
        ],
      });
      await call('accept-invitation', { invitationId: inv.body.invitation.id }, { token: guest.token });
      const after = OfbListMembersResult.parse(
        (await call('list-members', { workspaceId: ws }, { token: guest.token })).body,
      );
      expect(after.members.map((m) => [m.name, m.role])).toEqual([
        [guest.name, 'editor'],
        [owner.name, 'owner'],
      ]);
      expect(after.invitations).toEqual([]);

      await call(
        'create-document',
        { workspaceId: ws, id: 'listed-doc', kind: 'document', title: 'D' },
        { token: guest.token },
      );
      await call(
        'create-document',
        { workspaceId: ws, id: 'listed-flow', kind: 'workflow', title: 'F' },
        { token: owner.token },
      );
      const docs = await call('list-documents', { workspaceId: ws }, { token: guest.token });
      expect(docs.body.documents.map((d: { id: string; kind: string }) => [d.id, d.kind])).toEqual([
        ['listed-doc', 'document'],
        ['listed-flow', 'workflow'],
      ]);
      expect(docs.body.documents[0]).toMatchObject({ workspaceId: ws, title: 'D', sizeBytes: 0 });

      for (const [name, body] of [
        ['list-members', { workspaceId: ws }],
        ['list-documents', { workspaceId: ws }],
      ] as const) {
        expectRefused(await call(name, body, { token: outsider.token }), 403, 'forbidden', 'not_a_member');
        expectRefused(
          await call(name, { workspaceId: 'no-such-ws' }, { token: owner.token }),
          404,
          'not_found',
          'workspace_not_found',
        );
      }
      expectRefused(
        await call(
          'create-document',
          { workspaceId: ws, id: `workspace-${ws}`, kind: 'document', title: 'x' },
          { token: owner.token },
        ),
        422,
        'validation',
        'reserved_id',
      );
    });

    it('refresh-session gives the same user a fresh full-lifetime token; a bad token gets none', async () => {
      const gina = await signUp(app.supabase, 'gina');
      const refreshed = OfbSession.parse((await call('refresh-session', {}, { token: gina.token })).body);
      expect(refreshed.user).toEqual({ id: gina.id, name: 'gina' });
      expect(refreshed.expires_in).toBe(3600);
      const claims = await tokens.verify(refreshed.access_token);
      expect(claims.sub).toBe(gina.id);
      expect(claims.exp).toBeGreaterThan(Date.now() / 1000 + 3500);
      expect((await call('list-workspaces', {}, { token: refreshed.access_token })).status).toBe(200);

      const expired = await tokens.sign({ sub: gina.id }, 0);
      expectRefused(await call('refresh-session', {}, { token: expired }), 401, 'auth', 'expired_token');
      expectRefused(await call('refresh-session', {}, { token: 'not-a-jwt' }), 401, 'auth', 'invalid_token');
      const ghost = await tokens.sign({ sub: 'no-such-user' });
      expectRefused(await call('refresh-session', {}, { token: ghost }), 401, 'auth', 'unknown_user');
    });
  });

  describe('authorize and authorize-many', () => {
    it('authorize answers a document, a workflow and a workspace index with role, userName and exp', async () => {
      const owner = await signUp(app.supabase, 'az-owner');
      const viewer = await signUp(app.supabase, 'az-viewer');
      const ws = (await call('create-workspace', { name: 'Az', id: 'ws-az' }, { token: owner.token })).body
        .workspace.id as string;
      const inv = await call(
        'invite-member',
        { workspaceId: ws, userName: viewer.name, role: 'viewer' },
        { token: owner.token },
      );
      await call('accept-invitation', { invitationId: inv.body.invitation.id }, { token: viewer.token });
      await call(
        'create-document',
        { workspaceId: ws, id: 'az-doc', kind: 'document', title: 'D' },
        { token: owner.token },
      );
      await call(
        'create-document',
        { workspaceId: ws, id: 'az-flow', kind: 'workflow', title: 'F' },
        { token: owner.token },
      );
      const { exp } = await tokens.verify(viewer.token);
      for (const [resourceId, kind] of [
        ['az-doc', 'document'],
        ['az-flow', 'workflow'],
        [`workspace-${ws}`, 'workspace'],
      ] as const) {
        const reply = await call('authorize', { token: viewer.token, resourceId });
        expect(OfbAuthorizeResult.parse(reply.body)).toEqual({
          role: 'viewer',
          workspaceId: ws,
          kind,
          userId: viewer.id,
          userName: viewer.name,
          exp,
        });
      }
      expectRefused(
        await call('authorize', { token: viewer.token, resourceId: 'workspace-nope' }),
        404,
        'not_found',
        'document_not_found',
      );
    });

    it('authorize-many answers each check in order, a bad one without failing the batch, for the service role only', async () => {
      const owner = await signUp(app.supabase, 'azm-owner');
      const stranger = await signUp(app.supabase, 'azm-stranger');
      const ws = (await call('create-workspace', { name: 'Azm' }, { token: owner.token })).body.workspace
        .id as string;
      await call(
        'create-document',
        { workspaceId: ws, id: 'azm-doc', kind: 'document', title: 'D' },
        { token: owner.token },
      );
      const service = await tokens.sign({ sub: 'sync-server', role: 'service_role' });
      const expired = await tokens.sign({ sub: owner.id }, 0);
      const checks = [
        { token: owner.token, resourceId: 'azm-doc' },
        { token: 'garbage', resourceId: 'azm-doc' },
        { token: expired, resourceId: 'azm-doc' },
        { token: stranger.token, resourceId: 'azm-doc' },
        { token: owner.token, resourceId: 'azm-missing' },
        { token: owner.token, resourceId: `workspace-${ws}` },
      ];
      const reply = await call('authorize-many', { checks }, { token: service });
      const { results } = OfbAuthorizeManyResult.parse(reply.body);
      expect(results.map((r) => (r.ok ? ['ok', r.kind, r.role] : [r.status, r.code]))).toEqual([
        ['ok', 'document', 'owner'],
        [401, 'invalid_token'],
        [401, 'expired_token'],
        [403, 'not_a_member'],
        [404, 'document_not_found'],
        ['ok', 'workspace', 'owner'],
      ]);
      expect(results[0]).toMatchObject({ userId: owner.id, userName: owner.name, workspaceId: ws });
      expectRefused(
        await call('authorize-many', { checks }, { token: owner.token }),
        403,
        'forbidden',
        'service_role_only',
      );

      // 1,000 checks (the schema's most) in one call, no audit rows written.
      const auditBefore = (await store.listAudit({ limit: 100_000 })).length;
      const many = Array.from({ length: 1000 }, (_, i) => checks[i % checks.length]!);
      const started = performance.now();
      const big = OfbAuthorizeManyResult.parse(
        (await call('authorize-many', { checks: many }, { token: service })).body,
      );
      const elapsed = performance.now() - started;
      expect(big.results.length).toBe(1000);
      expect(big.results.filter((r) => r.ok).length).toBe(2 * Math.ceil(1000 / 6) - 1);
      expect((await store.listAudit({ limit: 100_000 })).length).toBe(auditBefore);
      expect(elapsed).toBeLessThan(10_000);
    });
  });
});

describe('business-rule quotas through supabase-js', () => {
  let store: PgliteStore;
  let app: Awaited<ReturnType<typeof startApp>>;
  const tight: RulesConfig = {
    maxWorkspacesPerUser: 1,
    maxMembersPerWorkspace: 2,
    maxDocumentsPerWorkspace: 2,
    maxDocumentBytes: 64,
  };
  beforeAll(async () => {
    store = await PgliteStore.open('memory://');
    app = await startApp(store, tight);
  });
  afterAll(async () => {
    await app?.server.close();
    await store?.close();
  });
  const call = (name: string, body: object, options?: { token?: string; key?: string }) =>
    invoke(app.supabase, name, body, options);

  it('refuses the workspace, member, document and size over each limit with the error shape', async () => {
    const owner = await signUp(app.supabase, 'quota-owner');
    const a = await signUp(app.supabase, 'quota-a');
    const b = await signUp(app.supabase, 'quota-b');
    const ws = (await call('create-workspace', { name: 'Only one' }, { token: owner.token })).body.workspace
      .id as string;
    const secondWorkspace = await call(
      'create-workspace',
      { name: 'Two' },
      { token: owner.token, key: freshKey() },
    );
    expectRefused(secondWorkspace, 409, 'conflict', 'quota_exceeded');
    expect(secondWorkspace.body.error.details).toMatchObject({ quota: 'maxWorkspacesPerUser', limit: 1 });

    // Members plus pending invitations: the owner and one invitation fill two places.
    expect(
      (
        await call(
          'invite-member',
          { workspaceId: ws, userName: a.name, role: 'viewer' },
          { token: owner.token },
        )
      ).status,
    ).toBe(200);
    const thirdMember = await call(
      'invite-member',
      { workspaceId: ws, userName: b.name, role: 'viewer' },
      { token: owner.token },
    );
    expectRefused(thirdMember, 409, 'conflict', 'quota_exceeded');
    expect(thirdMember.body.error.details).toMatchObject({ quota: 'maxMembersPerWorkspace', limit: 2 });

    for (const title of ['one', 'two'])
      expect(
        (await call('create-document', { workspaceId: ws, kind: 'document', title }, { token: owner.token }))
          .status,
      ).toBe(200);
    const thirdDoc = await call(
      'create-document',
      { workspaceId: ws, kind: 'workflow', title: 'three' },
      { token: owner.token },
    );
    expectRefused(thirdDoc, 409, 'conflict', 'quota_exceeded');
    expect(thirdDoc.body.error.details).toMatchObject({ quota: 'maxDocumentsPerWorkspace', limit: 2 });

    const tooBig = await call(
      'create-document',
      { workspaceId: ws, kind: 'document', title: 'big', sizeBytes: 65 },
      { token: owner.token },
    );
    expectRefused(tooBig, 422, 'validation', 'document_too_large');
    expect(tooBig.body.error.details).toEqual({ sizeBytes: 65, maxDocumentBytes: 64 });
    const docs = (await call('list-documents', { workspaceId: ws }, { token: owner.token })).body.documents;
    const bigUpdate = bytesToBase64(new Uint8Array(65));
    expectRefused(
      await call(
        'persist-updates',
        { documentId: docs[0].id, updates: [bigUpdate] },
        { token: await tokens.sign({ sub: 'sync-server', role: 'service_role' }) },
      ),
      422,
      'validation',
      'document_too_large',
    );
    // Nothing over a limit was applied.
    expect(docs.length).toBe(2);
    expect((await call('list-workspaces', {}, { token: owner.token })).body.workspaces.length).toBe(1);
  });
});

describe('idempotency keys on PostgreSQL 15: concurrent duplicates on a connection pool', () => {
  let pg: PostgresServer;
  let store: PostgresStore;
  let app: Awaited<ReturnType<typeof startApp>>;
  beforeAll(async () => {
    pg = await startPostgres();
    store = await PostgresStore.open(await pg.createDatabase('idempotency'), { max: 10 });
    app = await startApp(store);
  });
  afterAll(async () => {
    await app?.server.close();
    await store?.close();
    pg?.stop();
  });
  const call = (name: string, body: object, options?: { token?: string; key?: string }) =>
    invoke(app.supabase, name, body, options);

  it('ten simultaneous calls with one key apply once and all answer the same, with and without a client id', async () => {
    const user = await signUp(app.supabase, 'pg-idem');
    for (const body of [{ name: 'Pool' }, { name: 'Pool with id', id: 'ws-pg-pool' }]) {
      const key = freshKey();
      const answers = await Promise.all(
        Array.from({ length: 10 }, () => call('create-workspace', body, { token: user.token, key })),
      );
      for (const a of answers) expect(a, JSON.stringify(a.body)).toEqual(answers[0]);
      expect(answers[0]!.status).toBe(200);
    }
    const listed = (await call('list-workspaces', {}, { token: user.token })).body.workspaces;
    expect(listed.map((w: { name: string }) => w.name).sort()).toEqual(['Pool', 'Pool with id']);
    expect(
      (await store.listAudit({ limit: 100_000 })).filter((a) => a.action === 'create-workspace').length,
    ).toBe(2);
  });

  it('quotas hold under concurrent creates: one of five simultaneous calls gets the last place', async () => {
    const tight = await startApp(store, {
      ...defaultRules,
      maxWorkspacesPerUser: 1,
      maxDocumentsPerWorkspace: 1,
    });
    try {
      const racer = await signUp(tight.supabase, 'pg-quota');
      const workspaces = await Promise.all(
        Array.from({ length: 5 }, (_, i) =>
          invoke(tight.supabase, 'create-workspace', { name: `Q${i}` }, { token: racer.token }),
        ),
      );
      expect(workspaces.map((r) => r.status).sort()).toEqual([200, 409, 409, 409, 409]);
      const ws = workspaces.find((r) => r.status === 200)!.body.workspace.id as string;
      const documents = await Promise.all(
        Array.from({ length: 5 }, (_, i) =>
          invoke(
            tight.supabase,
            'create-document',
            { workspaceId: ws, kind: 'document', title: `D${i}` },
            { token: racer.token },
          ),
        ),
      );
      expect(documents.map((r) => r.status).sort()).toEqual([200, 409, 409, 409, 409]);
      for (const r of [...workspaces, ...documents].filter((r) => r.status === 409))
        expectRefused(r, 409, 'conflict', 'quota_exceeded');
    } finally {
      await tight.server.close();
    }
  });
});
