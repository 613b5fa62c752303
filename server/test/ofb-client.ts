// OFB's functions called over HTTP at any origin, for tests of the composed process: the bin's
// embedded OFB answers on the bin's own origin, where no test OFB object is at hand.
import { freshName, TEST_OFB_PASSWORD, type TestUser } from '@symphony/ofb/testing';

/** A signed-up user. */
export type User = TestUser;

/** Calls OFB function `name` at `url` as `token` (none for public functions); throws with OFB's answer on error. */
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

/** Signs up a fresh user (random name with `prefix`). */
export async function signUp(url: string, prefix = 'user'): Promise<User> {
  const session = await call<{ access_token: string; user: { id: string; name: string } }>(url, 'sign-up', {
    name: freshName(prefix),
    password: TEST_OFB_PASSWORD,
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
