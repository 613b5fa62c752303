// Access checks for the sync-server: authorize (one token, one resource) and authorize-many (a
// batch, service_role only). One read each, no audit row.
import { OfbErrorCode, type OfbResponse } from '@symphony/schemas';
import type { Claims } from '../../auth.js';
import { decide } from '../../domain/rbac.js';
import type { Handlers, OfbContext } from '../context.js';
import { authErrors, OfbError } from '../errors.js';
import { requireServiceRole, verifyToken } from '../guards.js';

/** The functions this group answers. */
export type AccessFunctionName = 'authorize' | 'authorize-many';

/** The access functions over the app's tokens, sessions and store. */
export function accessFunctions(ctx: OfbContext): Handlers<AccessFunctionName> {
  const { tokens, sessions } = ctx;
  return {
    authorize: async ({ token, resourceId }) => checkAccess(ctx, await verifyToken(ctx, token), resourceId),
    'authorize-many': async ({ checks }, { claims }) => {
      requireServiceRole(claims, 'authorize-many', { resourceKind: 'access', resourceId: 'authorize-many' });
      // The sync-server sends one check per open connection: many share a token, verify each
      // once, and read the sessions of all of them in one query.
      const decoded = new Map<string, Promise<Claims>>();
      for (const { token } of checks)
        if (!decoded.has(token))
          decoded.set(
            token,
            authErrors(() => tokens.verify(token)),
          );
      const settled = await Promise.allSettled(decoded.values());
      await sessions.prefetch(
        settled.flatMap((r) => (r.status === 'fulfilled' && r.value.sid ? [r.value.sid] : [])),
      );
      const verified = new Map<string, Promise<Claims>>();
      const results = await Promise.all(
        checks.map(async ({ token, resourceId }) => {
          try {
            let claims = verified.get(token);
            if (!claims) {
              claims = decoded.get(token)!.then((c) => authErrors(() => sessions.check(c)).then(() => c));
              verified.set(token, claims);
            }
            return { ok: true as const, ...(await checkAccess(ctx, await claims, resourceId)) };
          } catch (error) {
            if (!(error instanceof OfbError)) throw error;
            return { ok: false as const, status: error.status, code: error.code, message: error.message };
          }
        }),
      );
      return { results };
    },
  };
}

/**
 * One access check (`authorize`, each of `authorize-many`): a token check and one read, no audit
 * row (the sync-server re-checks every open connection every few seconds).
 */
async function checkAccess(
  ctx: OfbContext,
  claims: Claims,
  resourceId: string,
): Promise<OfbResponse<'authorize'>> {
  const access = await ctx.store.findAccess(claims.sub, resourceId);
  if (!access)
    throw new OfbError(
      404,
      'not_found',
      OfbErrorCode.documentNotFound,
      `no document, workflow or workspace index ${resourceId}`,
    );
  const decision = decide(access.role, 'read', access.kind);
  const refused = () => `${claims.sub} may not open ${resourceId}`;
  if (!decision.allowed) throw new OfbError(403, 'forbidden', decision.reason, refused());
  // Reading needs a role, so a non-member is never allowed; the check keeps `role` typed.
  if (access.role === null) throw new OfbError(403, 'forbidden', OfbErrorCode.notAMember, refused());
  return {
    role: access.role,
    workspaceId: access.workspaceId,
    kind: access.kind,
    userId: claims.sub,
    // A token minted for an id with no user row (`symphony token`) shows as its id.
    userName: access.userName ?? claims.sub,
    exp: claims.exp,
  };
}
