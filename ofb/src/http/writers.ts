import type { Claims } from '../auth.js';
import { decide, type ResourceKind } from '../domain/rbac.js';
import type { AuditEntry, OfbStore } from '../OfbStore.js';
import { OfbError } from './app.js';

/** The reason on a writer's audit row: the batch came from the service role on their behalf. */
export const VIA_SERVICE_ROLE = 'via service_role';

/**
 * The audit rows of a service-role batch that names its `writers` (the users whose changes it
 * carries): OFB decides each writer's `write` right on the resource from their own role in the
 * workspace, as it would for them, and the batch is audited under their names, one allowed row
 * each (reason {@link VIA_SERVICE_ROLE}). Throws 403 `writer_not_allowed` naming the first writer
 * who may not write, carrying that denial's audit row. Returns `null` when the batch names no
 * writers (the caller audits it under its own name).
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
  const entries: AuditEntry[] = [];
  for (const writer of new Set(writers)) {
    const role = roles.get(writer) ?? null;
    const decision = decide(role, 'write', kind);
    const entry = { actor: writer, action: 'write', resourceKind: kind, resourceId, workspaceId };
    if (!decision.allowed)
      throw new OfbError(
        403,
        'forbidden',
        'writer_not_allowed',
        `the batch carries changes by ${writer}, who may not write ${kind} ${resourceId} (${decision.reason}); nothing was stored`,
        { userId: writer, role, reason: decision.reason },
        { ...entry, allowed: false, reason: decision.reason },
      );
    entries.push({ ...entry, allowed: true, reason: VIA_SERVICE_ROLE });
  }
  return entries;
}
