// OFB's business rules: configurable limits (Document size, quotas), name and password schemas,
// and the checks that answer a RuleViolation.
import { MAX_DOCUMENT_BYTES, OfbErrorCode, type Role, RoleSchema, Title } from '@symphony/schemas';
import { z } from 'zod';

/** Limits OFB enforces authoritatively. Every field has a default; deployments may tighten them. */
export const RulesConfig = z.object({
  /** {@link MAX_DOCUMENT_BYTES} (10 MiB) unless a deployment says otherwise. */
  maxDocumentBytes: z.number().int().positive().default(MAX_DOCUMENT_BYTES),
  /** Documents and workflows together, per workspace. */
  maxDocumentsPerWorkspace: z.number().int().positive().default(10_000),
  /** Members plus pending invitations, per workspace. */
  maxMembersPerWorkspace: z.number().int().positive().default(200),
  /** Workspaces one user may own. */
  maxWorkspacesPerUser: z.number().int().positive().default(100),
});
export type RulesConfig = z.infer<typeof RulesConfig>;

/** The default limits. */
export const defaultRules: RulesConfig = RulesConfig.parse({});

/** A user name for local sign-in: 1–64 characters of letters, digits, `.`, `_`, `-` or `@`. */
export const UserName = z
  .string()
  .regex(/^[A-Za-z0-9._@-]{1,64}$/, 'name must be 1–64 characters of letters, digits, ".", "_", "-" or "@"');

/** 8–200 characters. */
export const Password = z.string().min(8, 'password must be at least 8 characters').max(200);

/** A workspace or document name: {@link Title}, trimmed. */
export const Name = Title.transform((t) => t.trim());

/** A role as sent on the wire. */
export { RoleSchema };

/** A broken business rule: the code names it, `details` says by how much. */
export interface RuleViolation {
  readonly code:
    | typeof OfbErrorCode.documentTooLarge
    | typeof OfbErrorCode.quotaExceeded
    | typeof OfbErrorCode.lastOwner;
  readonly message: string;
  readonly details: Record<string, unknown>;
}

/** Checks a document's size against the limit. */
export function checkDocumentSize(rules: RulesConfig, sizeBytes: number): RuleViolation | null {
  if (sizeBytes <= rules.maxDocumentBytes) return null;
  return {
    code: OfbErrorCode.documentTooLarge,
    message: `a document may hold at most ${rules.maxDocumentBytes} bytes; this one has ${sizeBytes}`,
    details: { sizeBytes, maxDocumentBytes: rules.maxDocumentBytes },
  };
}

/** Checks that one more item fits under a quota. */
export function checkQuota(
  quota: 'maxDocumentsPerWorkspace' | 'maxMembersPerWorkspace' | 'maxWorkspacesPerUser',
  rules: RulesConfig,
  current: number,
): RuleViolation | null {
  if (current < rules[quota]) return null;
  return {
    code: OfbErrorCode.quotaExceeded,
    message: `${quota} is ${rules[quota]} and already reached`,
    details: { quota, limit: rules[quota], current },
  };
}

/**
 * A workspace must always keep at least one owner: demoting or removing the last one is refused.
 * `owners` counts the owners before the change.
 */
export function checkKeepsOwner(
  targetRole: Role,
  newRole: Role | null,
  owners: number,
): RuleViolation | null {
  if (targetRole !== 'owner' || newRole === 'owner' || owners > 1) return null;
  return {
    code: OfbErrorCode.lastOwner,
    message: 'a workspace needs at least one owner; make someone else owner first',
    details: { owners },
  };
}
