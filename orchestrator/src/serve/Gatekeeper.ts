// Who is calling and what they may do: a token verified by the team authority (cached briefly),
// their role on a workflow, and OFB's RBAC decision — each refusal as the monitor's error.
import { decide } from '@symphony/ofb';
import { MonitorErrorCode, type Role, type WorkflowId } from '@symphony/schemas';
import { type AccessCache, isDecision, isOfbCallError } from './AccessCache.js';
import { anyMember, type UserPolicy } from './allowed-users.js';
import { MonitorError } from './monitor-error.js';
import type { TeamIdentity, WorkflowAccess } from './TeamAuthority.js';
import type { UserTokens } from './UserTokens.js';

/** A verified caller: their token and who it belongs to. */
export interface Caller extends TeamIdentity {
  readonly token: string;
}

/** A caller with their role on one workflow. */
export interface WorkflowCaller extends Caller {
  readonly role: Role;
}

/** What a caller wants to do with a workflow's runs: watch them, or run it (start, rerun, cancel, resume). */
export type RunAction = 'watch' | 'run';

/**
 * Turns tokens into callers. A user the {@link UserPolicy} does not allow is refused (403
 * `not_allowed_here`) and their token is kept nowhere; every other accepted token is presented to
 * {@link UserTokens} (the user's runs use it from then on); a refused one is forgotten there.
 */
export class Gatekeeper {
  constructor(
    private readonly access: AccessCache,
    private readonly tokens: UserTokens,
    /** The team server, named in messages. */
    private readonly server: string,
    private readonly users: UserPolicy = anyMember,
  ) {}

  /**
   * The caller `token` belongs to. Throws a {@link MonitorError} (invalid_token, not_allowed_here,
   * team_server_unreachable).
   */
  async identify(token: string): Promise<Caller> {
    let identity: TeamIdentity;
    try {
      identity = await this.access.identify(token);
    } catch (error) {
      throw this.#refusal(error, token, 'your sign-in');
    }
    this.#admit(identity, token);
    return { userId: identity.userId, userName: identity.userName, exp: identity.exp, token };
  }

  /**
   * The caller and their role on `workflowId`, when they may do `action` (RBAC as OFB decides it:
   * `read` to watch, `write` to run). Throws a {@link MonitorError}: invalid_token, not_allowed_here,
   * not_a_member, role_too_low, not_found (no such workflow: also a document or workspace id),
   * team_server_unreachable.
   */
  async authorize(token: string, workflowId: WorkflowId, action: RunAction): Promise<WorkflowCaller> {
    let access: WorkflowAccess;
    try {
      access = await this.access.authorize(token, workflowId);
    } catch (error) {
      throw this.#refusal(error, token, `workflow ${workflowId}`);
    }
    this.#admit(access, token);
    if (access.kind !== 'workflow') {
      throw new MonitorError(
        MonitorErrorCode.notFound,
        `the team server has no workflow ${workflowId}: it is a ${access.kind}`,
      );
    }
    const caller: WorkflowCaller = {
      userId: access.userId,
      userName: access.userName,
      exp: access.exp,
      role: access.role,
      token,
    };
    const decision = decide(caller.role, action === 'run' ? 'write' : 'read', 'workflow');
    if (!decision.allowed) {
      throw new MonitorError(
        decision.reason === MonitorErrorCode.notAMember
          ? MonitorErrorCode.notAMember
          : MonitorErrorCode.roleTooLow,
        `${caller.userName} is a ${caller.role} of workflow ${workflowId}'s workspace: a viewer may watch its runs, an editor or owner may run it`,
        { role: caller.role },
      );
    }
    return caller;
  }

  /**
   * The caller's role on `workflowId` when they may read it, undefined when they may not (not a
   * member, no such workflow). Throws only for a refused token or an unreachable team server.
   */
  async roleOn(caller: Caller, workflowId: WorkflowId): Promise<Role | undefined> {
    try {
      return (await this.authorize(caller.token, workflowId, 'watch')).role;
    } catch (error) {
      if (
        error instanceof MonitorError &&
        (error.code === MonitorErrorCode.notAMember ||
          error.code === MonitorErrorCode.notFound ||
          error.code === MonitorErrorCode.roleTooLow)
      )
        return undefined;
      throw error;
    }
  }

  /** Refuses a user this orchestrator does not answer; keeps the token of one it does. */
  #admit(identity: TeamIdentity, token: string): void {
    if (!this.users.allows(identity)) {
      throw new MonitorError(
        MonitorErrorCode.notAllowedHere,
        `this orchestrator runs workflows for ${this.users.described} only, not for ${identity.userName}: run your own (npx symphony serve), or ask whoever started it to add --allow-user ${identity.userName}`,
      );
    }
    this.tokens.present(identity, token);
  }

  #refusal(error: unknown, token: string, what: string): MonitorError {
    if (!isOfbCallError(error)) {
      return new MonitorError(
        MonitorErrorCode.teamServerUnreachable,
        `the team server at ${this.server} gave an answer the orchestrator cannot read about ${what}: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
    if (isDecision(error) && error.status === 401) {
      this.tokens.revoke(token);
      this.access.forget(token);
      return new MonitorError(
        MonitorErrorCode.invalidToken,
        `the team server refused your token (${error.code ?? 'refused'}): ${error.message}; sign in again`,
        { ofbCode: error.code ?? 'refused' },
      );
    }
    if (isDecision(error) && error.status === 403) {
      return new MonitorError(
        MonitorErrorCode.notAMember,
        `you are not a member of the workspace of ${what}; ask its owner to invite you`,
        { ofbCode: error.code ?? 'forbidden' },
      );
    }
    if (isDecision(error) && error.status === 404) {
      return new MonitorError(MonitorErrorCode.notFound, `the team server has no ${what}`, {
        ofbCode: error.code ?? 'not_found',
      });
    }
    return new MonitorError(
      MonitorErrorCode.teamServerUnreachable,
      `the team server at ${this.server} could not check ${what}: ${error.message}`,
    );
  }
}
