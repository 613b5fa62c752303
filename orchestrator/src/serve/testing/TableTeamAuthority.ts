// A team authority for the monitor's tests: OFB's answers as a table the test fills (users by token,
// resources with their kind and members' roles), refusals as OFB's `OfbCallError`s, and a switch
// for a team server that does not answer or answers only when the test lets it.
import type { OfbRecordRun, Role } from '@symphony/schemas';
import { OfbCallError } from '../../cli/ofb-client.js';
import type { TeamAuthority, TeamIdentity, WorkflowAccess } from '../TeamAuthority.js';

/** One call the authority was asked. */
export interface AuthorityCall {
  readonly name: 'authorize' | 'identify' | 'recordRun';
  readonly token: string;
  readonly resourceId?: string;
}

interface Resource {
  readonly kind: WorkflowAccess['kind'];
  readonly workspaceId: string;
  readonly roles: Readonly<Record<string, Role>>;
}

/**
 * {@link TeamAuthority} from a table: an unknown token is refused 401 `invalid_token`, an unknown
 * resource 404, a user without a role on it 403, as OFB refuses them.
 */
export class TableTeamAuthority implements TeamAuthority {
  readonly calls: AuthorityCall[] = [];
  /** While true, every call fails as a team server that cannot be reached. */
  unreachable = false;
  readonly #users = new Map<string, TeamIdentity>();
  readonly #resources = new Map<string, Resource>();
  #held: Promise<void> | undefined;
  #release: () => void = () => {};

  /** `token` is `identity`'s. */
  user(token: string, identity: TeamIdentity): this {
    this.#users.set(token, identity);
    return this;
  }

  /** `resourceId` is a `kind` whose members (by user id) have these roles. */
  resource(resourceId: string, kind: WorkflowAccess['kind'], roles: Readonly<Record<string, Role>>): this {
    this.#resources.set(resourceId, { kind, workspaceId: 'lab', roles });
    return this;
  }

  /** Calls from now on wait (already asked) until {@link TableTeamAuthority.release}. */
  hold(): void {
    this.#held = new Promise((resolve) => {
      this.#release = resolve;
    });
  }

  release(): void {
    this.#held = undefined;
    this.#release();
  }

  /** The calls made with `token`. */
  callsWith(token: string): AuthorityCall[] {
    return this.calls.filter((call) => call.token === token);
  }

  async authorize(token: string, resourceId: string): Promise<WorkflowAccess> {
    const identity = await this.#answer({ name: 'authorize', token, resourceId });
    const resource = this.#resources.get(resourceId);
    if (resource === undefined)
      throw new OfbCallError(
        'refused',
        `no document, workflow or workspace index ${resourceId}`,
        404,
        'not_found',
      );
    const role = resource.roles[identity.userId];
    if (role === undefined)
      throw new OfbCallError('refused', `${identity.userId} may not open ${resourceId}`, 403, 'not_a_member');
    return { ...identity, role, workspaceId: resource.workspaceId, kind: resource.kind };
  }

  identify(token: string): Promise<TeamIdentity> {
    return this.#answer({ name: 'identify', token });
  }

  async recordRun(token: string, _record: OfbRecordRun): Promise<{ readonly created: boolean }> {
    await this.#answer({ name: 'recordRun', token });
    return { created: true };
  }

  async #answer(call: AuthorityCall): Promise<TeamIdentity> {
    this.calls.push(call);
    await this.#held;
    if (this.unreachable) throw new OfbCallError('unreachable', 'the team server does not answer');
    const identity = this.#users.get(call.token);
    if (identity === undefined) throw new OfbCallError('refused', 'not a token', 401, 'invalid_token');
    return identity;
  }
}
