// The OFB the sync-server's tests run against: one test OFB per file (`startTestOfb` of
// `@symphony/ofb/testing`), a team of its users, and shortcuts to call its functions by URL.
import { TokenService } from '@symphony/ofb';
import { freshName, startTestOfb, type TestOfb, type TestUser } from '@symphony/ofb/testing';
import type { OfbFunctionName } from '@symphony/schemas';

/** The project secret of the OFB these tests start. */
export const secret = 'sync-server-test-secret-at-least-32-chars';
export const tokens = new TokenService(secret);

/** A real OFB on loopback with an in-memory PGlite. */
export type Ofb = TestOfb;

/** A signed-up user. */
export type User = TestUser;

let shared: Promise<Ofb> | undefined;

/** One in-memory OFB per test file (PGlite takes seconds to start); tests use fresh users. */
export function startOfb(): Promise<Ofb> {
  shared ??= startTestOfb({ tokens });
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
  return (await (await ofbAt(url)).ok(name as OfbFunctionName, body, token)) as T;
}

/** Signs up a fresh user (random name with `prefix`). */
export async function signUp(url: string, prefix = 'user'): Promise<User> {
  return (await ofbAt(url)).signUp(freshName(prefix));
}

/** A workspace owned by `owner`, with `members` invited at their roles (and accepted). */
export async function workspaceWith(
  url: string,
  owner: User,
  members: readonly { user: User; role: 'owner' | 'editor' | 'viewer' }[] = [],
): Promise<string> {
  return (await ofbAt(url)).createWorkspace(owner, members);
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

/** The file's OFB, which must be the one at `url` (these shortcuts call no other). */
async function ofbAt(url: string): Promise<Ofb> {
  const ofb = await shared;
  if (ofb?.url !== url) throw new Error(`${url} is not the OFB of this test file: startOfb() first`);
  return ofb;
}
