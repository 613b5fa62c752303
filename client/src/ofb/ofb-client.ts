// The browser's typed OFB client: every function's answer parsed with the shared OfbResponses schemas.
import {
  type OfbFunctionName,
  OfbListRuns,
  type OfbResponse,
  OfbResponses,
  type OfbRunRecord,
  type WorkflowId,
} from '@symphony/schemas';
import type { OfbTransport } from './OfbTransport.js';
import { OfbRequestError } from './ofb-errors.js';

/** One row of `list-workspaces`: a workspace and the caller's role in it. */
export type OfbWorkspaceRow = OfbResponse<'list-workspaces'>['workspaces'][number];
export type OfbSession = OfbResponse<'sign-in'>;
export type OfbMembers = OfbResponse<'list-members'>;
export type OfbMyInvitation = OfbResponse<'list-invitations'>['invitations'][number];

interface CallOptions {
  readonly anonymous?: boolean;
  readonly token?: string;
  readonly idempotencyKey?: string;
}

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
    return this.call('sign-up', { name, password }, { anonymous: true });
  }

  /** Signs in with name and password. */
  signIn(name: string, password: string): Promise<OfbSession> {
    return this.call('sign-in', { name, password }, { anonymous: true });
  }

  /** Trades a still-valid `token` for a fresh session of the same user. */
  refreshSession(token: string): Promise<OfbSession> {
    return this.call('refresh-session', {}, { token });
  }

  /**
   * Changes the caller's password (`current` must be right): OFB signs out every session of the
   * user and answers a fresh one for this browser.
   */
  changePassword(currentPassword: string, newPassword: string): Promise<OfbSession> {
    return this.call('change-password', { currentPassword, newPassword });
  }

  /**
   * Revokes the session of `token` at OFB (every token refreshed from the same sign-in), or with
   * `everywhere` every session of its user; answers how many were live.
   */
  async signOut(token: string, everywhere: boolean): Promise<number> {
    return (await this.call('sign-out', everywhere ? { everywhere } : {}, { token })).revoked;
  }

  /** The caller's workspaces and role in each. */
  async listWorkspaces(): Promise<OfbWorkspaceRow[]> {
    return (await this.call('list-workspaces', {})).workspaces;
  }

  /** Members (with names) and pending invitations of a workspace. */
  listMembers(workspaceId: string): Promise<OfbMembers> {
    return this.call('list-members', { workspaceId });
  }

  /** The caller's own pending invitations. */
  async listInvitations(): Promise<OfbMyInvitation[]> {
    return (await this.call('list-invitations', {})).invitations;
  }

  /** Accepts one of the caller's invitations. */
  async acceptInvitation(invitationId: string): Promise<void> {
    await this.call('accept-invitation', { invitationId });
  }

  /** Declines one of the caller's invitations (OFB deletes it). */
  async declineInvitation(invitationId: string): Promise<void> {
    await this.call('decline-invitation', { invitationId });
  }

  /** The workspace's trash: deleted documents and workflows, restorable for 30 days. */
  async listTrash(workspaceId: string): Promise<OfbResponse<'list-trash'>['items']> {
    return (await this.call('list-trash', { workspaceId })).items;
  }

  /** Brings a document or workflow back from the trash (editors and owners); answers it as it now is. */
  restoreDocument(documentId: string): Promise<OfbResponse<'restore-document'>> {
    return this.call('restore-document', { documentId });
  }

  /**
   * The team's records of `workflowId`'s finished runs (viewer+), newest first: at most `limit`, or
   * OFB's default for a board's history when omitted. Each says who started the run, when, the
   * pinned version, its status, each node's output hashes, tokens and cost. A request OFB would
   * refuse (a limit out of range, an id OFB never issues) is refused here, naming what is wrong.
   */
  async listRuns(workflowId: WorkflowId, limit?: number): Promise<OfbRunRecord[]> {
    const request = OfbListRuns.safeParse(limit === undefined ? { workflowId } : { workflowId, limit });
    if (!request.success) {
      const issue = request.error.issues[0];
      throw new RangeError(
        `OfbClient.listRuns: ${issue?.path.join('.') ?? 'request'}: ${issue?.message ?? 'invalid'}`,
      );
    }
    return (await this.call('list-runs', request.data)).runs;
  }

  /**
   * Calls a mutating function with an idempotency key (the outbox's entry point). The outbox only
   * needs to know the call was applied, so the answer is passed on unread.
   */
  mutate(name: OfbFunctionName, body: unknown, idempotencyKey: string): Promise<unknown> {
    return this.send(name, body, { idempotencyKey });
  }

  private async call<N extends OfbFunctionName>(
    name: N,
    body: unknown,
    options: CallOptions = {},
  ): Promise<OfbResponse<N>> {
    const answer = await this.send(name, body, options);
    const parsed = OfbResponses[name].safeParse(answer);
    if (!parsed.success)
      throw new OfbRequestError(
        200,
        'internal',
        'bad_response',
        `OFB's answer to ${name} has an unexpected shape`,
      );
    return parsed.data as OfbResponse<N>;
  }

  private send(name: OfbFunctionName, body: unknown, options: CallOptions): Promise<unknown> {
    const token = options.anonymous ? undefined : (options.token ?? this.token() ?? undefined);
    return this.transport.invoke(name, body, {
      ...(token === undefined ? {} : { token }),
      ...(options.idempotencyKey === undefined ? {} : { idempotencyKey: options.idempotencyKey }),
    });
  }
}
