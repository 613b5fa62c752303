// Tests of the security review (issue 10) through the app with an injected clock: sign-in limits, control
// characters, session revocation, and ids that reveal nothing.
import { ErrorBody, MAX_SESSION_SECONDS, OfbRequests, OfbSession, OfbSignOutResult } from '@symphony/schemas';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PgliteStore } from '../src/adapters/PgliteStore.js';
import { TokenService } from '../src/auth.js';
import type { OfbStore } from '../src/OfbStore.js';
import { startTestOfb } from '../src/testing.js';

/** Issue 10 (security review), items 4, 6, 8 and 9a, through the app with an injected clock. */

let store: PgliteStore;
let clock = Date.parse('2025-06-01T08:00:00Z');
const now = () => clock;
const tokens = new TokenService('security-test-secret-at-least-32-characters', now);

beforeAll(async () => {
  store = await PgliteStore.open('memory://');
});
afterAll(async () => {
  await store?.close();
});

// biome-ignore lint/suspicious/noExplicitAny: a JSON body of any function
type Reply = { status: number; headers: Headers; body: any };

/**
 * A client of a fresh app over the shared store (or `options.store`), in process, at `address`
 * (what the Node server reports as the peer).
 */
async function clientWith(options: { store?: OfbStore; authRateLimit?: { perMinute: number } | false } = {}) {
  const ofb = await startTestOfb({
    store: options.store ?? store,
    tokens,
    now,
    serve: false,
    authRateLimit: options.authRateLimit ?? false,
  });
  return (
    name: string,
    body: unknown,
    { token, address = '127.0.0.1' }: { token?: string; address?: string } = {},
  ): Promise<Reply> => ofb.call(name, body, token, { address });
}

let names = 0;
const freshName = (prefix: string) => `${prefix}-${++names}-${Math.random().toString(36).slice(2, 8)}`;

function expectRefused(reply: Reply, status: number, code: string) {
  expect(reply.status, JSON.stringify(reply.body)).toBe(status);
  expect(ErrorBody.parse(reply.body).error.code).toBe(code);
}

describe('item 4: sign-in limits do not lock the owner out', () => {
  it('slows an attacker (429 with Retry-After) while the owner signs in from a clean address', async () => {
    const call = await clientWith({ authRateLimit: { perMinute: 10 } });
    const name = freshName('target');
    expect(
      (await call('sign-up', { name, password: 'owner-password' }, { address: '192.168.7.7' })).status,
    ).toBe(200);
    const wrong = (address: string) => call('sign-in', { name, password: 'guess-guess' }, { address });
    // One address guessing: slowed after 5 failures for this name, with a Retry-After.
    for (let i = 0; i < 5; i++) expectRefused(await wrong('10.9.0.1'), 401, 'invalid_credentials');
    const slowed = await wrong('10.9.0.1');
    expectRefused(slowed, 429, 'rate_limited');
    expect(Number(slowed.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(slowed.body.error.details.retryAfterSeconds).toBe(Number(slowed.headers.get('retry-after')));
    // Many addresses, ~10 wrong passwords a minute from anywhere: the name is under attack, and
    // every address that failed for it is refused before its password is checked.
    for (let i = 0; i < 5; i++) expectRefused(await wrong(`10.9.1.${i}`), 401, 'invalid_credentials');
    for (let i = 0; i < 5; i++) expectRefused(await wrong(`10.9.1.${i}`), 429, 'rate_limited');
    // Even the right password from an address that failed waits (it could be the attacker's).
    expectRefused(
      await call('sign-in', { name, password: 'owner-password' }, { address: '10.9.1.0' }),
      429,
      'rate_limited',
    );
    // The owner, from an address that has not failed, still signs in, minutes into the attack.
    for (let minute = 0; minute < 3; minute++) {
      clock += 60_000;
      for (let i = 0; i < 10; i++) await wrong(`10.9.${minute + 2}.${i}`);
      const owner = await call('sign-in', { name, password: 'owner-password' }, { address: '192.168.7.7' });
      expect(owner.status, JSON.stringify(owner.body)).toBe(200);
      expect(OfbSession.parse(owner.body).user.name).toBe(name);
    }
    // Another name behind the same attacking address is not locked out by it.
    const other = freshName('bystander');
    expect(
      (await call('sign-up', { name: other, password: 'password123' }, { address: '172.16.0.1' })).status,
    ).toBe(200);
    expect(
      (await call('sign-in', { name: other, password: 'password123' }, { address: '10.9.0.1' })).status,
    ).toBe(200);
  });

  it('limits every attempt from one address', async () => {
    const call = await clientWith({ authRateLimit: { perMinute: 3 } });
    for (let i = 0; i < 3; i++)
      expectRefused(
        await call('sign-in', { name: freshName('n'), password: 'password123' }, { address: '10.8.0.1' }),
        401,
        'invalid_credentials',
      );
    expectRefused(
      await call('sign-up', { name: freshName('n'), password: 'password123' }, { address: '10.8.0.1' }),
      429,
      'rate_limited',
    );
    expect(
      (await call('sign-up', { name: freshName('n'), password: 'password123' }, { address: '10.8.0.2' }))
        .status,
    ).toBe(200);
  });
});

describe('item 6: control characters are refused with 422, never 500', () => {
  const nasty = [
    '\u0000',
    'a\u0000b',
    '\ud800',
    'x\udfffy',
    '\u001b[31m',
    'tab\there',
    'new\nline',
    '\u007f',
    '\u0085',
  ];

  it('in workspace names, document and workflow titles, and storage keys', async () => {
    const call = await clientWith();
    const owner = OfbSession.parse(
      (await call('sign-up', { name: freshName('ctl'), password: 'password123' })).body,
    );
    const token = owner.access_token;
    const ws = (await call('create-workspace', { name: 'Clean' }, { token })).body.workspace.id as string;
    const doc = (
      await call('create-document', { workspaceId: ws, kind: 'document', title: 'Clean' }, { token })
    ).body.document.id as string;
    const service = await tokens.sign({ sub: 'sync-server', role: 'service_role' });
    for (const text of nasty) {
      for (const [fn, body, as] of [
        ['create-workspace', { name: text }, token],
        ['create-workspace', { name: `Team ${text}`, id: freshName('ws') }, token],
        ['create-document', { workspaceId: ws, kind: 'document', title: text }, token],
        ['create-document', { workspaceId: ws, kind: 'workflow', title: `Flow ${text}` }, token],
        ['rename-document', { documentId: doc, title: text }, token],
        ['automerge-load', { key: [doc, text] }, service],
        ['automerge-remove', { keys: [[text]] }, service],
      ] as const) {
        const reply = await call(fn, body, { token: as });
        expectRefused(reply, 422, 'invalid_request');
        expect(reply.body.error.details.issues[0].message).toMatch(/control characters/);
      }
      expectRefused(
        await call('sign-up', { name: `bad${text}`, password: 'password123' }),
        422,
        'invalid_request',
      );
    }
    // Paired surrogates (emoji) and other letters are fine.
    expect(
      (await call('rename-document', { documentId: doc, title: 'Notes 📝 — ü' }, { token })).status,
    ).toBe(200);
  });

  it('a NUL that reaches the database in a field no schema checks is a 422 invalid_text, not a 500', async () => {
    // A store that adds a NUL to whatever it stores as a workspace name: a field the schemas missed.
    const leaky = new Proxy(store, {
      get(target, prop, receiver) {
        if (prop === 'transaction')
          return (fn: (tx: OfbStore) => Promise<unknown>) =>
            target.transaction((tx) =>
              fn(
                new Proxy(tx, {
                  get: (t, p) =>
                    p === 'createWorkspace'
                      ? (w: { id: string; name: string; createdBy: string }) =>
                          t.createWorkspace({ ...w, name: `${w.name}\u0000` })
                      : Reflect.get(t, p).bind(t),
                }),
              ),
            );
        const value = Reflect.get(target, prop, receiver);
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
    const call = await clientWith({ store: leaky });
    const token = OfbSession.parse(
      (await call('sign-up', { name: freshName('net'), password: 'password123' })).body,
    ).access_token;
    expectRefused(await call('create-workspace', { name: 'Looks fine' }, { token }), 422, 'invalid_text');
    expect((await call('list-workspaces', {}, { token })).body.workspaces).toEqual([]);
  });
});

describe('item 8: sessions are revoked by sign-out, sign-out everywhere and a password change', () => {
  const userFunctions = Object.keys(OfbRequests).filter((n) => n !== 'sign-up' && n !== 'sign-in');

  it('refuses a signed-out token on every function that takes a token (and in authorize / authorize-many)', async () => {
    const call = await clientWith();
    const name = freshName('leaver');
    const first = OfbSession.parse((await call('sign-up', { name, password: 'password123' })).body);
    const second = OfbSession.parse((await call('sign-in', { name, password: 'password123' })).body);
    const ws = (await call('create-workspace', { name: 'Mine' }, { token: first.access_token })).body
      .workspace.id;
    // A token refreshed from the first sign-in belongs to the same session.
    const refreshed = OfbSession.parse(
      (await call('refresh-session', {}, { token: first.access_token })).body,
    );
    expect(
      OfbSignOutResult.parse((await call('sign-out', {}, { token: refreshed.access_token })).body),
    ).toEqual({
      revoked: 1,
    });
    for (const token of [first.access_token, refreshed.access_token]) {
      for (const fn of userFunctions) {
        const reply = await call(fn, fn === 'authorize' ? { token, resourceId: `workspace-${ws}` } : {}, {
          token,
        });
        expectRefused(reply, 401, 'session_revoked');
      }
      const service = await tokens.sign({ sub: 'sync-server', role: 'service_role' });
      const many = await call(
        'authorize-many',
        { checks: [{ token, resourceId: `workspace-${ws}` }] },
        { token: service },
      );
      expect(many.body.results).toEqual([
        expect.objectContaining({ ok: false, status: 401, code: 'session_revoked' }),
      ]);
    }
    // The other sign-in is another session: still good.
    expect((await call('list-workspaces', {}, { token: second.access_token })).status).toBe(200);
    // Signing out twice is harmless.
    expectRefused(await call('sign-out', {}, { token: first.access_token }), 401, 'session_revoked');
  });

  it('authorize-many reads the sessions of a whole batch in one query, and still refuses a revoked one', async () => {
    const reads = { one: 0, many: 0 };
    const counting = new Proxy(store, {
      get(target, prop, receiver) {
        if (prop === 'getSession') reads.one++;
        if (prop === 'getSessions') reads.many++;
        const value = Reflect.get(target, prop, receiver);
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
    const call = await clientWith({ store: counting });
    const people = await Promise.all(
      [0, 1, 2].map(async () =>
        OfbSession.parse((await call('sign-up', { name: freshName('batch'), password: 'password123' })).body),
      ),
    );
    const ws = (await call('create-workspace', { name: 'Batch' }, { token: people[0]!.access_token })).body
      .workspace.id;
    await call('sign-out', {}, { token: people[2]!.access_token });
    clock += 5000; // past the cache: every session must be read again
    reads.one = 0;
    reads.many = 0;
    const service = await tokens.sign({ sub: 'sync-server', role: 'service_role' });
    const many = await call(
      'authorize-many',
      {
        checks: [...people, ...people].map((p) => ({ token: p.access_token, resourceId: `workspace-${ws}` })),
      },
      { token: service },
    );
    expect(many.body.results.map((r: { ok: boolean; code?: string }) => r.code ?? r.ok)).toEqual([
      true,
      'not_a_member',
      'session_revoked',
      true,
      'not_a_member',
      'session_revoked',
    ]);
    // One batch read; the revoked one is read once more by the check that refuses it.
    expect(reads).toEqual({ one: 1, many: 1 });
  });

  it('sign-out everywhere revokes every session of the user, not the service role nor others', async () => {
    const call = await clientWith();
    const name = freshName('everywhere');
    const a = OfbSession.parse((await call('sign-up', { name, password: 'password123' })).body);
    const b = OfbSession.parse((await call('sign-in', { name, password: 'password123' })).body);
    const other = OfbSession.parse(
      (await call('sign-up', { name: freshName('other'), password: 'password123' })).body,
    );
    expect((await call('sign-out', { everywhere: true }, { token: b.access_token })).body).toEqual({
      revoked: 2,
    });
    for (const s of [a, b])
      expectRefused(await call('list-workspaces', {}, { token: s.access_token }), 401, 'session_revoked');
    expect((await call('list-workspaces', {}, { token: other.access_token })).status).toBe(200);
    const service = await tokens.sign({ sub: 'sync-server', role: 'service_role' });
    expect((await call('list-stored-documents', {}, { token: service })).status).toBe(200);
    // Signing in again starts a fresh session.
    const again = OfbSession.parse((await call('sign-in', { name, password: 'password123' })).body);
    expect((await call('list-workspaces', {}, { token: again.access_token })).status).toBe(200);
  });

  it('change-password needs the current password, revokes every session and answers a fresh one', async () => {
    const call = await clientWith();
    const name = freshName('changer');
    const a = OfbSession.parse((await call('sign-up', { name, password: 'old-password' })).body);
    const b = OfbSession.parse((await call('sign-in', { name, password: 'old-password' })).body);
    expectRefused(
      await call(
        'change-password',
        { currentPassword: 'not-the-password', newPassword: 'new-password' },
        { token: a.access_token },
      ),
      401,
      'invalid_credentials',
    );
    expectRefused(
      await call(
        'change-password',
        { currentPassword: 'old-password', newPassword: 'short' },
        { token: a.access_token },
      ),
      422,
      'invalid_request',
    );
    const changed = await call(
      'change-password',
      { currentPassword: 'old-password', newPassword: 'new-password' },
      { token: a.access_token },
    );
    expect(changed.status, JSON.stringify(changed.body)).toBe(200);
    const fresh = OfbSession.parse(changed.body);
    for (const s of [a, b])
      expectRefused(await call('list-workspaces', {}, { token: s.access_token }), 401, 'session_revoked');
    expect((await call('list-workspaces', {}, { token: fresh.access_token })).status).toBe(200);
    expectRefused(await call('sign-in', { name, password: 'old-password' }), 401, 'invalid_credentials');
    expect((await call('sign-in', { name, password: 'new-password' })).status).toBe(200);
  });

  it('caps a chain of refreshes at MAX_SESSION_SECONDS after the sign-in', async () => {
    const call = await clientWith();
    const name = freshName('chainer');
    let session = OfbSession.parse((await call('sign-up', { name, password: 'password123' })).body);
    const start = clock;
    const end = start + MAX_SESSION_SECONDS * 1000;
    // Refresh every 50 minutes, as the client does, for 30 days.
    while (clock + 50 * 60_000 < end) {
      clock += 50 * 60_000;
      const reply = await call('refresh-session', {}, { token: session.access_token });
      expect(reply.status, JSON.stringify(reply.body)).toBe(200);
      session = OfbSession.parse(reply.body);
      expect(clock + session.expires_in * 1000).toBeLessThanOrEqual(end);
    }
    // The last token ends with the session; after it nothing refreshes it.
    clock = end;
    expectRefused(await call('refresh-session', {}, { token: session.access_token }), 401, 'expired_token');
    expectRefused(await call('list-workspaces', {}, { token: session.access_token }), 401, 'expired_token');
    // A new sign-in is a new 30 days.
    expect((await call('sign-in', { name, password: 'password123' })).status).toBe(200);
  });

  it('a user token without a session (symphony token) works until exp but cannot be refreshed', async () => {
    const call = await clientWith();
    const user = OfbSession.parse(
      (await call('sign-up', { name: freshName('cli'), password: 'password123' })).body,
    ).user;
    const minted = await tokens.sign({ sub: user.id }, 600);
    expect((await call('list-workspaces', {}, { token: minted })).status).toBe(200);
    expectRefused(await call('refresh-session', {}, { token: minted }), 401, 'no_session');
    // It names no session, so sign-out has none to revoke; everywhere revokes the user's sign-ins.
    expect((await call('sign-out', {}, { token: minted })).body).toEqual({ revoked: 0 });
    expect((await call('sign-out', { everywhere: true }, { token: minted })).body).toEqual({ revoked: 1 });
  });
});

describe('item 9a: a create with a client-chosen id does not reveal what holds the id', () => {
  it("create-document with another workspace's document id gets a non-member's refusal, not document_exists", async () => {
    const call = await clientWith();
    const signUp = async (prefix: string) =>
      OfbSession.parse((await call('sign-up', { name: freshName(prefix), password: 'password123' })).body);
    const alice = await signUp('alice');
    const mallory = await signUp('mallory');
    const viewer = await signUp('viewer');
    const wsA = (await call('create-workspace', { name: 'A' }, { token: alice.access_token })).body.workspace
      .id;
    const wsM = (await call('create-workspace', { name: 'M' }, { token: mallory.access_token })).body
      .workspace.id;
    const wsV = (await call('create-workspace', { name: 'V' }, { token: viewer.access_token })).body.workspace
      .id;
    const inv = await call(
      'invite-member',
      { workspaceId: wsA, userId: viewer.user.id, role: 'viewer' },
      { token: alice.access_token },
    );
    await call('accept-invitation', { invitationId: inv.body.invitation.id }, { token: viewer.access_token });
    for (const kind of ['document', 'workflow'] as const) {
      const secret = freshName(`secret-${kind}`);
      const absent = freshName(`absent-${kind}`);
      expect(
        (
          await call(
            'create-document',
            { workspaceId: wsA, id: secret, kind, title: 'S' },
            { token: alice.access_token },
          )
        ).status,
      ).toBe(200);
      // What a non-member gets when creating that id in a workspace they are not in...
      const asNonMember = await call(
        'create-document',
        { workspaceId: wsA, id: absent, kind, title: 'x' },
        { token: mallory.access_token },
      );
      expectRefused(asNonMember, 403, 'not_a_member');
      // ...is what they get for the taken id in their own workspace (its kind and workspace unsaid).
      const probe = await call(
        'create-document',
        { workspaceId: wsM, id: secret, kind: 'document', title: 'x' },
        { token: mallory.access_token },
      );
      expectRefused(probe, 403, 'not_a_member');
      expect(probe.body.error.message).toBe(`write on document ${secret} is not allowed: not_a_member`);
      expect(JSON.stringify(probe.body)).not.toContain(wsA);
      expect(JSON.stringify(probe.body)).not.toContain('exists');
      expect(asNonMember.body.error.message).toBe(`write on ${kind} ${absent} is not allowed: not_a_member`);
      // A member of the holder's workspace may know it exists.
      expectRefused(
        await call(
          'create-document',
          { workspaceId: wsV, id: secret, kind, title: 'x' },
          { token: viewer.access_token },
        ),
        409,
        'document_exists',
      );
    }
    // create-workspace with a client-chosen id: the same reasoning.
    expectRefused(
      await call('create-workspace', { name: 'Steal', id: wsA }, { token: mallory.access_token }),
      403,
      'not_a_member',
    );
    expectRefused(
      await call('create-workspace', { name: 'Again', id: wsA }, { token: viewer.access_token }),
      409,
      'workspace_exists',
    );
    const denials = (await store.listAudit({ workspaceId: wsA, limit: 10_000 })).filter(
      (a) => a.reason === 'id_held_elsewhere',
    );
    expect(denials.map((a) => a.actor)).toEqual([mallory.user.id, mallory.user.id, mallory.user.id]);
  });
});
