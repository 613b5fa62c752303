// Port: what the orchestrator asks the team server's authority (OFB) about a caller — who a token
// belongs to, their role on a workflow, and storing a finished run's record as them.
import type { OfbRecordRun, Role } from '@symphony/schemas';

/** The user a token belongs to, as OFB verified it. */
export interface TeamIdentity {
  readonly userId: string;
  /** The user's sign-in name (what collaborators see, and what a run's `startedBy` says). */
  readonly userName: string;
  /** When the token expires (seconds since the epoch). */
  readonly exp: number;
}

/** A user's access to one resource (a workflow, when `kind` says so). */
export interface WorkflowAccess extends TeamIdentity {
  readonly role: Role;
  readonly workspaceId: string;
  /** What the resource is: only a `workflow` has runs. */
  readonly kind: 'document' | 'workflow' | 'workspace';
}

/**
 * Port: the team server's authority. Every answer is OFB's own decision: a token is verified as
 * OFB verifies every token (signature, expiry, revoked session) and a role is the member's role in
 * the workflow's workspace. A refusal or an unreachable server rejects with an `OfbCallError`
 * (`kind` `refused` with OFB's status and code, or `unreachable`). Adapter: {@link OfbTeamAuthority}.
 */
export interface TeamAuthority {
  /** The token's user and role on `resourceId` (401: the token; 403: not a member; 404: no such resource). */
  authorize(token: string, resourceId: string): Promise<WorkflowAccess>;
  /** The token's user, whatever they may open (401: the token). */
  identify(token: string): Promise<TeamIdentity>;
  /** Stores `record` as the token's user; `created: false` when the run was recorded before. */
  recordRun(token: string, record: OfbRecordRun): Promise<{ readonly created: boolean }>;
}
