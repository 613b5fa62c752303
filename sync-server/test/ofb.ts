import { createOfbApp, defaultRules, listen, PgliteStore, TokenService } from '@symphony/ofb';
import { OfbAccessControl } from '../src/access/OfbAccessControl.js';
import {
  MemoryAutomergeStorage,
  MemoryDocumentPersistence,
  type SyncServer,
  silentLogger,
} from '../src/index.js';
import { startTestServer } from './helpers.js';

/** The project secret of the OFB these tests start. */
export const secret = 'sync-server-test-secret-at-least-32-chars';
export const tokens = new TokenService(secret);

/** A real OFB on loopback with an in-memory PGlite. */
export interface Ofb {
  readonly url: string;
  readonly store: PgliteStore;
  close(): Promise<void>;
}

let shared: Promise<Ofb> | undefined;

/** One in-memory OFB per test file (PGlite takes seconds to start); tests use fresh users. */
export function startOfb(): Promise<Ofb> {
  shared ??= (async () => {
    const store = await PgliteStore.open('memory://');
    const server = await listen(createOfbApp({ store, tokens, rules: defaultRules, authRateLimit: false }));
    return {
      url: server.url,
      store,
      close: async () => {
        await server.close();
        await store.close();
      },
    };
  })();
  return shared;
}

/** Stops the file's OFB, if one was started. */
export async function stopOfb(): Promise<void> {
  const ofb = await shared;
  shared = undefined;
  await ofb?.close();
}

/** A service-role token, as the sync-server holds. */
export const serviceToken = () => tokens.sign({ sub: 'sync-server', role: 'service_role' });

/** Calls an OFB function as `token` (none for public functions); throws with OFB's answer on error. */
export async function call<T = Record<string, unknown>>(
  url: string,
  name: string,
  body: unknown,
  token?: string,
): Promise<T> {
  const res = await fetch(`${url}/functions/v1/${name}`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(token === undefined ? {} : { authorization: `Bearer ${token}` }),
    },
    body: JSON.stringify(body),
  });
  const json = (await res.json()) as T;
  if (!res.ok) throw new Error(`${name}: ${res.status} ${JSON.stringify(json)}`);
  return json;
}

/** A signed-up user. */
export interface User {
  readonly id: string;
  readonly name: string;
  readonly token: string;
}

/** Signs up a fresh user (random name with `prefix`). */
export async function signUp(url: string, prefix = 'user'): Promise<User> {
  const name = `${prefix}-${Math.random().toString(36).slice(2, 10)}`;
  const session = await call<{ access_token: string; user: { id: string; name: string } }>(url, 'sign-up', {
    name,
    password: 'password123',
  });
  return { id: session.user.id, name: session.user.name, token: session.access_token };
}

/** A workspace owned by `owner`, with `members` invited at their roles (and accepted). */
export async function workspaceWith(
  url: string,
  owner: User,
  members: readonly { user: User; role: 'owner' | 'editor' | 'viewer' }[] = [],
): Promise<string> {
  const { workspace } = await call<{ workspace: { id: string } }>(
    url,
    'create-workspace',
    { name: 'Team' },
    owner.token,
  );
  for (const { user, role } of members) {
    const { invitation } = await call<{ invitation: { id: string } }>(
      url,
      'invite-member',
      { workspaceId: workspace.id, userId: user.id, role },
      owner.token,
    );
    await call(url, 'accept-invitation', { invitationId: invitation.id }, user.token);
  }
  return workspace.id;
}

/** An embedded OFB with four users; `editor` and `viewer` are members of `owner`'s workspace. */
export interface Team {
  ofb: Ofb;
  owner: User;
  editor: User;
  viewer: User;
  stranger: User;
  workspaceId: string;
}

/** Starts OFB and signs up a {@link Team} (stop it with {@link stopOfb}). */
export async function startTeam(): Promise<Team> {
  const ofb = await startOfb();
  const [owner, editor, viewer, stranger] = await Promise.all([
    signUp(ofb.url, 'owner'),
    signUp(ofb.url, 'editor'),
    signUp(ofb.url, 'viewer'),
    signUp(ofb.url, 'stranger'),
  ]);
  const workspaceId = await workspaceWith(ofb.url, owner, [
    { user: editor, role: 'editor' },
    { user: viewer, role: 'viewer' },
  ]);
  return { ofb, owner, editor, viewer, stranger, workspaceId };
}

/** Creates a document (or workflow) with the given id in the workspace. */
export async function createDocument(
  url: string,
  owner: User,
  workspaceId: string,
  id: string,
  kind: 'document' | 'workflow' = 'document',
): Promise<void> {
  await call(url, 'create-document', { workspaceId, id, kind, title: id }, owner.token);
}

/** A fresh document id. */
export const freshId = (prefix = 'doc') => `${prefix}-${Math.random().toString(36).slice(2, 12)}`;

/** A `fetch` for OFB adapters that fails as a network error (an OFB outage) while `down` is true. */
export class OfbOutage {
  down = false;
  readonly fetch: typeof fetch = (input, init) =>
    this.down ? Promise.reject(new TypeError('fetch failed')) : fetch(input, init);
}

/**
 * A sync-server in memory (both endpoints) whose access is `ofb`'s, re-checked every 200 ms:
 * what the access tests run against.
 */
export async function startServerAuthorizedBy(ofb: Ofb): Promise<SyncServer> {
  return startTestServer(
    {},
    {
      persistence: new MemoryDocumentPersistence(),
      automergeStorage: new MemoryAutomergeStorage(),
      logger: silentLogger,
      access: new OfbAccessControl({ url: ofb.url, anonKey: 'anon', serviceToken: await serviceToken() }),
      authorization: { authRecheckMs: 200 },
    },
  );
}
