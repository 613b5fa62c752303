// OFB over plain HTTP for e2e setup: signs people up, creates Workspaces, adds members and changes roles
// without the UI, and turns a session into what the app stores.
import { randomUUID } from 'node:crypto';
import { IDEMPOTENCY_HEADER, idempotentOfbFunctions, type OfbFunctionName } from '@symphony/schemas';

/** The session OFB's `sign-up` / `sign-in` answer with (Supabase-style). */
export interface OfbSession {
  readonly access_token: string;
  readonly token_type: 'bearer';
  readonly expires_in: number;
  readonly user: { readonly id: string; readonly name: string };
}

/** What the app keeps in localStorage under `symphony:session`. */
export interface StoredSession {
  readonly access_token: string;
  /** ms since the epoch. */
  readonly expires_at: number;
  readonly user: { readonly id: string; readonly name: string };
}

/** A password every test account shares (OFB wants at least 8 characters). */
export const TEST_PASSWORD = 'correct-horse-battery';

/** OFB refused a call the test setup made: the message names the function and OFB's answer. */
export class OfbSetupError extends Error {
  override name = 'OfbSetupError';
}

/**
 * OFB's functions over plain HTTP (`POST <server>/functions/v1/<name>`), for test setup: sign
 * people up, create a workspace, invite and accept, without going through the UI.
 */
export class OfbApi {
  constructor(private readonly baseUrl: string) {}

  /** Calls `name` with `body` as `token`'s user; resolves with OFB's JSON answer. */
  async call<T>(name: string, body: unknown, token?: string): Promise<T> {
    const response = await fetch(new URL(`functions/v1/${name}`, this.baseUrl), {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        // OFB takes an idempotency key on these functions only, and refuses one on any other.
        ...(idempotentOfbFunctions.has(name as OfbFunctionName)
          ? { [IDEMPOTENCY_HEADER]: randomUUID() }
          : {}),
        ...(token === undefined ? {} : { authorization: `Bearer ${token}` }),
      },
      body: JSON.stringify(body),
    });
    const text = await response.text();
    if (!response.ok) throw new OfbSetupError(`OFB ${name} answered ${response.status}: ${text}`);
    return JSON.parse(text) as T;
  }

  signUp(name: string, password = TEST_PASSWORD): Promise<OfbSession> {
    return this.call<OfbSession>('sign-up', { name, password });
  }

  async createWorkspace(session: OfbSession, name: string): Promise<string> {
    const id = randomUUID();
    await this.call('create-workspace', { name, id }, session.access_token);
    return id;
  }

  /** `owner` invites `invitee` (by name) with `role`; `invitee` accepts. */
  async addMember(
    owner: OfbSession,
    workspaceId: string,
    invitee: OfbSession,
    role: 'owner' | 'editor' | 'viewer',
  ): Promise<void> {
    const { invitation } = await this.call<{ invitation: { id: string } }>(
      'invite-member',
      { workspaceId, userName: invitee.user.name, role },
      owner.access_token,
    );
    await this.call('accept-invitation', { invitationId: invitation.id }, invitee.access_token);
  }

  /** `owner` changes `member`'s role. */
  changeRole(owner: OfbSession, workspaceId: string, member: OfbSession, role: string): Promise<unknown> {
    return this.call('change-role', { workspaceId, userId: member.user.id, role }, owner.access_token);
  }
}

/** The localStorage form of a session OFB just issued. */
export function storedSession(session: OfbSession, now = Date.now()): StoredSession {
  return {
    access_token: session.access_token,
    expires_at: now + session.expires_in * 1000,
    user: { id: session.user.id, name: session.user.name },
  };
}
