import {
  type OfbFunctionName,
  OfbListInvitationsResult,
  OfbListMembersResult,
  OfbSession as OfbSessionSchema,
  OfbSignOutResult,
  RoleSchema,
} from '@symphony/schemas';
import { z } from 'zod';
import type { OfbTransport } from './OfbTransport.js';
import { OfbRequestError } from './ofb-errors.js';

/** One row of `list-workspaces`: a workspace and the caller's role in it. */
export const OfbWorkspaceRow = z.object({
  id: z.string(),
  name: z.string(),
  createdBy: z.string(),
  createdAt: z.string(),
  role: RoleSchema,
});
export type OfbWorkspaceRow = z.infer<typeof OfbWorkspaceRow>;
const ListWorkspacesResult = z.object({ workspaces: z.array(OfbWorkspaceRow) });

export type OfbSession = z.infer<typeof OfbSessionSchema>;
export type OfbMembers = z.infer<typeof OfbListMembersResult>;
export type OfbMyInvitation = z.infer<typeof OfbListInvitationsResult>['invitations'][number];

/**
 * OFB's functions, typed: requests go through an {@link OfbTransport} with the current token, and
 * answers are parsed with the shared schemas, so a server that answers in another shape is an
 * {@link OfbRequestError} (`bad_response`) here rather than a crash later.
 */
export class OfbClient {
  constructor(
    private readonly transport: OfbTransport,
    /** The signed-in user's current access token, or `null`. */
    private readonly token: () => string | null,
  ) {}

  /** Creates an account and signs it in. */
  signUp(name: string, password: string): Promise<OfbSession> {
    return this.call('sign-up', { name, password }, OfbSessionSchema, { anonymous: true });
  }

  /** Signs in with name and password. */
  signIn(name: string, password: string): Promise<OfbSession> {
    return this.call('sign-in', { name, password }, OfbSessionSchema, { anonymous: true });
  }

  /** Trades a still-valid `token` for a fresh session of the same user. */
  refreshSession(token: string): Promise<OfbSession> {
    return this.call('refresh-session', {}, OfbSessionSchema, { token });
  }

  /**
   * Changes the caller's password (`current` must be right): OFB signs out every session of the
   * user and answers a fresh one for this browser.
   */
  changePassword(currentPassword: string, newPassword: string): Promise<OfbSession> {
    return this.call('change-password', { currentPassword, newPassword }, OfbSessionSchema);
  }

  /**
   * Revokes the session of `token` at OFB (every token refreshed from the same sign-in), or with
   * `everywhere` every session of its user; answers how many were live.
   */
  async signOut(token: string, everywhere: boolean): Promise<number> {
    return (await this.call('sign-out', everywhere ? { everywhere } : {}, OfbSignOutResult, { token }))
      .revoked;
  }

  /** The caller's workspaces and role in each. */
  async listWorkspaces(): Promise<OfbWorkspaceRow[]> {
    return (await this.call('list-workspaces', {}, ListWorkspacesResult)).workspaces;
  }

  /** Members (with names) and pending invitations of a workspace. */
  listMembers(workspaceId: string): Promise<OfbMembers> {
    return this.call('list-members', { workspaceId }, OfbListMembersResult);
  }

  /** The caller's own pending invitations. */
  async listInvitations(): Promise<OfbMyInvitation[]> {
    return (await this.call('list-invitations', {}, OfbListInvitationsResult)).invitations;
  }

  /** Accepts one of the caller's invitations. */
  async acceptInvitation(invitationId: string): Promise<void> {
    await this.call('accept-invitation', { invitationId }, z.unknown());
  }

  /** Calls a mutating function with an idempotency key (the outbox's entry point). */
  mutate(name: OfbFunctionName, body: unknown, idempotencyKey: string): Promise<unknown> {
    return this.call(name, body, z.unknown(), { idempotencyKey });
  }

  private async call<T>(
    name: OfbFunctionName,
    body: unknown,
    schema: z.ZodType<T>,
    options: { anonymous?: boolean; token?: string; idempotencyKey?: string } = {},
  ): Promise<T> {
    const token = options.anonymous ? undefined : (options.token ?? this.token() ?? undefined);
    const answer = await this.transport.invoke(name, body, {
      ...(token === undefined ? {} : { token }),
      ...(options.idempotencyKey === undefined ? {} : { idempotencyKey: options.idempotencyKey }),
    });
    const parsed = schema.safeParse(answer);
    if (!parsed.success)
      throw new OfbRequestError(
        200,
        'internal',
        'bad_response',
        `OFB's answer to ${name} has an unexpected shape`,
      );
    return parsed.data;
  }
}
