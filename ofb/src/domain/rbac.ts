// OFB's role-based access decisions: actions, resource kinds, the policy table and the pure `decide`.
import { OfbErrorCode, type Role } from '@symphony/schemas';

/** What a caller wants to do. */
export const Action = {
  read: 'read',
  write: 'write',
  rename: 'rename',
  delete: 'delete',
  invite: 'invite',
  changeRole: 'change-role',
  removeMember: 'remove-member',
  createWorkspace: 'create-workspace',
  readAudit: 'read-audit',
} as const;
export type Action = (typeof Action)[keyof typeof Action];

/** The kind of thing an action is applied to. */
export const ResourceKind = {
  workspace: 'workspace',
  document: 'document',
  workflow: 'workflow',
  member: 'member',
  audit: 'audit',
} as const;
export type ResourceKind = (typeof ResourceKind)[keyof typeof ResourceKind];

/**
 * Why {@link decide} answered as it did; stored in the audit log. A denial's reason is also the
 * code of the 403 that refuses it (`OfbErrorCode`).
 */
export const DecisionReason = {
  allowed: 'allowed',
  notAMember: OfbErrorCode.notAMember,
  roleTooLow: OfbErrorCode.roleTooLow,
  notApplicable: OfbErrorCode.notApplicable,
} as const;
export type DecisionReason = (typeof DecisionReason)[keyof typeof DecisionReason];

/** The answer to "may this role do this action on this kind of resource?". */
export type Decision =
  | { readonly allowed: true; readonly reason: typeof DecisionReason.allowed }
  | { readonly allowed: false; readonly reason: Exclude<DecisionReason, typeof DecisionReason.allowed> };

const rank: Record<Role, number> = { viewer: 1, editor: 2, owner: 3 };

/**
 * The least role each (resource, action) pair needs; `null` means any signed-in caller, member or
 * not. A pair missing here does not apply to that resource kind.
 */
const policy: Record<ResourceKind, Partial<Record<Action, Role | null>>> = {
  workspace: { 'create-workspace': null, read: 'viewer', rename: 'owner', delete: 'owner', invite: 'owner' },
  document: { read: 'viewer', write: 'editor', rename: 'editor', delete: 'editor' },
  workflow: { read: 'viewer', write: 'editor', rename: 'editor', delete: 'editor' },
  member: { read: 'viewer', invite: 'owner', 'change-role': 'owner', 'remove-member': 'owner' },
  audit: { 'read-audit': 'owner' },
};

/**
 * Decides whether a caller holding `role` in the resource's workspace (`null`: not a member) may
 * perform `action` on a resource of kind `resource`. Pure: the same inputs always give the same answer.
 */
export function decide(role: Role | null, action: Action, resource: ResourceKind): Decision {
  const byAction = policy[resource];
  if (!Object.hasOwn(byAction, action)) return { allowed: false, reason: DecisionReason.notApplicable };
  const needed = byAction[action] ?? null;
  if (needed === null) return { allowed: true, reason: DecisionReason.allowed };
  if (role === null) return { allowed: false, reason: DecisionReason.notAMember };
  if (rank[role] < rank[needed]) return { allowed: false, reason: DecisionReason.roleTooLow };
  return { allowed: true, reason: DecisionReason.allowed };
}
