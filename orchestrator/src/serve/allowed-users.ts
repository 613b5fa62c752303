// Who this orchestrator runs workflows for: the users it was started for, or every member the team
// server vouches for. It runs them with the machine owner's instruments, keys and extensions, so
// by default a signed-in owner's orchestrator answers only them. Pure: identities in, decisions out.
import type { TeamIdentity } from './TeamAuthority.js';
import type { RunUser } from './UserTokens.js';

/** Who may use this orchestrator (every request and socket of anyone else is 403 `not_allowed_here`). */
export interface UserPolicy {
  /** Whether `user` (as OFB verified them) may use it. */
  allows(user: TeamIdentity): boolean;
  /** Who it answers, for messages and its start-up line: `ada and bob`, `every member of …`. */
  readonly described: string;
}

/** Every member the team server vouches for: an orchestrator beside a team server several people share. */
export const anyMember: UserPolicy = {
  allows: () => true,
  described: "every member of the team server's workspaces",
};

/**
 * Only `session` (the user `symphony login` signed in, matched by id) and the users of `names`
 * (sign-in names, as `--allow-user` gives them). A name is matched against the name OFB gives the
 * token's user, never against an id: a sign-in name may look like someone's id.
 */
export function onlyUsers(options: { session?: RunUser; names: readonly string[] }): UserPolicy {
  const names = new Set(options.names);
  const { session } = options;
  const listed = [...new Set([...(session === undefined ? [] : [session.userName]), ...names])];
  return {
    allows: (user) => user.userId === session?.userId || names.has(user.userName),
    described: listed.length === 1 ? listed[0]! : `${listed.slice(0, -1).join(', ')} and ${listed.at(-1)}`,
  };
}
