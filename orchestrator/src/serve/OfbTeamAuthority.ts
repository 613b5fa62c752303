// The team authority through OFB's functions (supabase-js `functions.invoke`, as the CLI calls them).
import type { OfbRecordRun } from '@symphony/schemas';
import type { OfbClient } from '../cli/ofb-client.js';
import type { TeamAuthority, TeamIdentity, WorkflowAccess } from './TeamAuthority.js';

/** {@link TeamAuthority} on OFB's `authorize`, `list-workspaces` and `record-run`. */
export class OfbTeamAuthority implements TeamAuthority {
  constructor(private readonly ofb: OfbClient) {}

  async authorize(token: string, resourceId: string): Promise<WorkflowAccess> {
    const answer = await this.ofb.authorize(token, resourceId);
    return {
      userId: answer.userId,
      userName: answer.userName,
      exp: answer.exp,
      role: answer.role,
      workspaceId: answer.workspaceId,
      kind: answer.kind,
    };
  }

  /**
   * `list-workspaces` verifies the token (and names the user's workspaces); the user's name comes
   * from `authorize` on one of them. A user in no workspace yet has no name OFB would tell: they
   * are named by their id, as OFB names a token's user with no user row.
   */
  async identify(token: string): Promise<TeamIdentity> {
    const { workspaces } = await this.ofb.listWorkspaces(token);
    const first = workspaces[0];
    if (first !== undefined) {
      const { userId, userName, exp } = await this.ofb.authorize(token, `workspace-${first.id}`);
      return { userId, userName, exp };
    }
    const claims = claimsOf(token);
    return { userId: claims.sub, userName: claims.sub, exp: claims.exp };
  }

  async recordRun(token: string, record: OfbRecordRun): Promise<{ readonly created: boolean }> {
    const { created } = await this.ofb.recordRun(token, record);
    return { created };
  }
}

/** The `sub` and `exp` of a token OFB has just accepted (so they are OFB's claims). */
function claimsOf(token: string): { sub: string; exp: number } {
  const payload = JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8')) as {
    sub?: unknown;
    exp?: unknown;
  };
  if (typeof payload.sub !== 'string' || typeof payload.exp !== 'number') {
    throw new TypeError('OFB accepted a token without sub and exp claims');
  }
  return { sub: payload.sub, exp: payload.exp };
}
