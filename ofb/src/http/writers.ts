// The audit rows of a service-role batch that names its writers: each writer's right, decided and recorded.
import type { Claims } from '../auth.js';
import { decide, type ResourceKind } from '../domain/rbac.js';
import type { AuditEntry, OfbStore } from '../OfbStore.js';

/** The reason on a writer's audit row: the batch came from the service role on their behalf. */
export const VIA_SERVICE_ROLE = 'via service_role';

/**
 * The audit rows of a service-role batch that names its `writers` (the users whose changes it
 * carries): OFB decides each writer's `write` right on the resource from their own role in the
 * workspace, as it would for them, and audits the batch under their names (reason
 * {@link VIA_SERVICE_ROLE}). The batch is stored either way: the sync-server is where a user's
 * writes are enforced, it accepted these under access it confirmed at most one re-check (~2 s)
 * earlier, and its peers already hold them — refusing to store them would only make storage
 * disagree with every replica. A writer whose current role would not allow the write is recorded
 * as such in the reason (`via service_role; now role_too_low`), so the audit shows exactly what
 * happened. Returns `null` when the batch names no writers (the caller audits it under its own name).
 */
export async function writerAudits(
  store: OfbStore,
  caller: Claims,
  writers: readonly string[] | undefined,
  target: { readonly workspaceId: string; readonly kind: ResourceKind; readonly resourceId: string },
): Promise<AuditEntry[] | null> {
  if (caller.role !== 'service_role' || !writers || writers.length === 0) return null;
  const { workspaceId, kind, resourceId } = target;
  const roles = new Map((await store.listMembers(workspaceId)).map((m) => [m.userId, m.role] as const));
  return [...new Set(writers)].map((writer) => {
    const decision = decide(roles.get(writer) ?? null, 'write', kind);
    return {
      actor: writer,
      action: 'write',
      resourceKind: kind,
      resourceId,
      workspaceId,
      allowed: true,
      reason: decision.allowed ? VIA_SERVICE_ROLE : `${VIA_SERVICE_ROLE}; now ${decision.reason}`,
    };
  });
}
