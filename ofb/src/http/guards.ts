// The access guards every OFB function goes through: a signed-in caller, the service role, and the
// RBAC decision (membership and role) with its audit row. One place, so every function checks alike.
import { OfbErrorCode, type Role } from '@symphony/schemas';
import type { Claims } from '../auth.js';
import { type Action, DecisionReason, decide, type ResourceKind } from '../domain/rbac.js';
import type { AuditEntry, OfbStore } from '../OfbStore.js';
import type { OfbContext } from './context.js';
import { authErrors, OfbError } from './errors.js';

/** The caller's claims; 401 `missing_token` when the call carries no token. */
export function requireUser(claims: Claims | null): Claims {
  if (!claims)
    throw new OfbError(
      401,
      'auth',
      OfbErrorCode.missingToken,
      'this function needs a signed-in user: send Authorization: Bearer <access token>',
    );
  return claims;
}

/** What a refused service-role call is audited as, and what it tells the caller. */
export interface ServiceRoleGuard {
  /** The audit row's resource kind (`document-storage`, `automerge-storage`, `access`, …). */
  readonly resourceKind: string;
  /** The audit row's resource id: the resource the call named, or the function. */
  readonly resourceId: string;
  /** The refusal's message; by default it names the function and the token it needs. */
  readonly message?: string;
}

/**
 * The sync-server's functions: the caller must hold a `service_role` token. A refusal (403
 * `service_role_only`) is audited, after the call's transaction like every denial, with the
 * function as action and the resource it named.
 */
export function requireServiceRole(claims: Claims | null, fn: string, guard: ServiceRoleGuard): Claims {
  const caller = requireUser(claims);
  if (caller.role !== 'service_role')
    throw new OfbError(
      403,
      'forbidden',
      OfbErrorCode.serviceRoleOnly,
      guard.message ?? `only a service_role token (the sync-server's) may call ${fn}`,
      undefined,
      {
        actor: caller.sub,
        action: fn,
        resourceKind: guard.resourceKind,
        resourceId: guard.resourceId,
        workspaceId: null,
        allowed: false,
        reason: OfbErrorCode.serviceRoleOnly,
      },
    );
  return caller;
}

/**
 * Decides `caller`'s `action` on a resource, its role in the workspace given (`role`; ignored for
 * a `service_role` token, the sync-server's, which may act in any workspace, as it bypasses RLS in
 * Supabase). Returns the audit row of an allowed decision; throws 403 when denied, carrying the
 * denial's audit row for the route to record after the transaction rolls back (PGlite has one
 * connection: writing outside `tx` here would wait for `tx` forever), so the rollback cannot erase it.
 */
export function decideAudited(
  caller: Claims,
  role: Role | null,
  workspaceId: string,
  action: Action,
  kind: ResourceKind,
  resourceId: string,
): AuditEntry {
  const actor = caller.sub;
  const entry = { actor, action, resourceKind: kind, resourceId, workspaceId };
  if (caller.role === 'service_role') return { ...entry, allowed: true, reason: 'service_role' };
  const decision = decide(role, action, kind);
  if (!decision.allowed)
    throw new OfbError(
      403,
      'forbidden',
      decision.reason,
      `${action} on ${kind} ${resourceId} is not allowed: ${decision.reason}`,
      { role },
      { ...entry, allowed: false, reason: decision.reason },
    );
  return { ...entry, allowed: true, reason: decision.reason };
}

/**
 * Decides, audits the decision (in `tx`), and throws 403 when denied (see {@link decideAudited});
 * returns the caller's role (`null` for the service role). A `service_role` caller is still audited.
 * Listings pass `auditAllowed: false`: reading metadata writes no audit row (denials still do).
 */
export async function authorize(
  tx: OfbStore,
  caller: Claims,
  workspaceId: string,
  action: Action,
  kind: ResourceKind,
  resourceId: string,
  { auditAllowed = true }: { auditAllowed?: boolean } = {},
): Promise<Role | null> {
  const role =
    caller.role === 'service_role' ? null : ((await tx.getMember(workspaceId, caller.sub))?.role ?? null);
  const allowed = decideAudited(caller, role, workspaceId, action, kind, resourceId);
  if (auditAllowed) await tx.appendAudit(allowed);
  return role;
}

/** Verifies the token's signature and expiry and that its session (if it names one) is live; 401 if not. */
export function verifyToken(ctx: OfbContext, token: string): Promise<Claims> {
  return authErrors(async () => {
    const claims = await ctx.tokens.verify(token);
    await ctx.sessions.check(claims);
    return claims;
  });
}

/**
 * The refusal of a client-chosen id that an existing resource holds. Ids share one namespace
 * across workspaces, so the id cannot be granted; but a caller who may not read the holder must
 * not learn that it exists, nor its kind or workspace: they get the refusal a non-member of a
 * workspace gets for the id (`write on <kind> <id> is not allowed: not_a_member`, what `authorize`
 * tells them about the id too). A caller who may read it hears that it exists (`conflict`).
 */
export async function takenIdRefusal(
  tx: OfbStore,
  caller: Claims,
  holder: { workspaceId: string; kind: ResourceKind },
  asked: { kind: ResourceKind; id: string },
  exists: () => OfbError,
): Promise<OfbError> {
  const role = (await tx.getMember(holder.workspaceId, caller.sub))?.role ?? null;
  if (caller.role === 'service_role' || decide(role, 'read', holder.kind).allowed) return exists();
  const reason = DecisionReason.notAMember;
  return new OfbError(
    403,
    'forbidden',
    reason,
    `write on ${asked.kind} ${asked.id} is not allowed: ${reason}`,
    { role: null },
    {
      actor: caller.sub,
      action: 'write',
      resourceKind: asked.kind,
      resourceId: asked.id,
      workspaceId: holder.workspaceId,
      allowed: false,
      reason: 'id_held_elsewhere',
    },
  );
}
