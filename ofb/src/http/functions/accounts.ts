// Accounts and sessions: sign-up, sign-in, refresh-session, sign-out and change-password, under
// the sign-in limits.
import { randomUUID } from 'node:crypto';
import { OfbErrorCode, userNameKey } from '@symphony/schemas';
import { type Claims, hashPassword, verifyPassword } from '../../auth.js';
import { ConflictError, type OfbStore } from '../../OfbStore.js';
import type { Handlers, OfbContext } from '../context.js';
import { authErrors, OfbError } from '../errors.js';
import { requireUser } from '../guards.js';

/** The functions this group answers. */
export type AccountFunctionName = 'sign-up' | 'sign-in' | 'refresh-session' | 'sign-out' | 'change-password';

/** The account functions over the app's store, tokens, sessions and sign-in limits. */
export function accountFunctions(ctx: OfbContext): Handlers<AccountFunctionName> {
  const { sessions } = ctx;
  return {
    'sign-up': async ({ name, password }, { store, address }) => {
      refuseOverLimit(ctx, ctx.signInLimiter?.signUp(address) ?? 0);
      const id = randomUUID();
      const passwordHash = await hashPassword(password);
      return store.transaction(async (tx) => {
        try {
          await tx.createUser({ id, name, passwordHash });
        } catch (error) {
          if (error instanceof ConflictError)
            throw new OfbError(
              409,
              'conflict',
              OfbErrorCode.nameTaken,
              `the name "${name}" is taken (names are the same whatever their case); choose another`,
            );
          throw error;
        }
        return sessions.start(tx, { id, name });
      });
    },
    'sign-in': async ({ name, password }, { store, address }) => {
      // Any case of the name signs in (userNameKey); the session carries the name as signed up.
      const user = await store.findUserByName(name);
      await checkPassword(ctx, address, name, user, password);
      return sessions.start(store, { id: user!.id, name: user!.name });
    },
    'refresh-session': async (_input, { claims, store }) => {
      const caller = requireUser(claims);
      const user = await existingUser(store, caller);
      return authErrors(() => sessions.refresh(caller, { id: user.id, name: user.name }));
    },
    'sign-out': async ({ everywhere = false }, { claims, store }) => {
      const caller = requireUser(claims);
      return store.transaction(async (tx) => {
        const revoked = everywhere
          ? await sessions.revokeAll(tx, caller.sub, 'sign_out_everywhere')
          : caller.sid === undefined
            ? 0
            : await sessions.revoke(tx, caller.sid, 'sign_out');
        await tx.appendAudit({
          actor: caller.sub,
          action: 'sign-out',
          resourceKind: 'session',
          resourceId: everywhere ? '*' : (caller.sid ?? '-'),
          workspaceId: null,
          allowed: true,
          reason: everywhere ? 'everywhere' : 'this_session',
        });
        return { revoked };
      });
    },
    'change-password': async ({ currentPassword, newPassword }, { claims, store, address }) => {
      const caller = requireUser(claims);
      const user = await existingUser(store, caller);
      await checkPassword(ctx, address, user.name, user, currentPassword);
      const passwordHash = await hashPassword(newPassword);
      return store.transaction(async (tx) => {
        await tx.setPasswordHash(user.id, passwordHash);
        await sessions.revokeAll(tx, user.id, 'password_changed');
        await tx.appendAudit({
          actor: user.id,
          action: 'change-password',
          resourceKind: 'user',
          resourceId: user.id,
          workspaceId: null,
          allowed: true,
          reason: 'allowed',
        });
        return sessions.start(tx, { id: user.id, name: user.name });
      });
    },
  };
}

/** Throws 429 `rate_limited` when `wait` (seconds, from the sign-in limiter) is not 0. */
function refuseOverLimit(ctx: OfbContext, wait: number): void {
  if (wait > 0 && ctx.signInLimiter)
    throw new OfbError(
      429,
      'validation',
      OfbErrorCode.rateLimited,
      `too many sign-up or sign-in attempts; retry in ${wait} s`,
      { retryAfterSeconds: wait, perMinute: ctx.signInLimiter.config.perAddress },
    );
}

/**
 * Checks `password` against `user` as sign-in does, under the sign-in limits for (`address`,
 * `name`): 429 before any check when over them, 401 `invalid_credentials` (counted) when wrong.
 */
async function checkPassword(
  ctx: OfbContext,
  address: string,
  name: string,
  user: { passwordHash: string } | null,
  password: string,
): Promise<void> {
  const limiter = ctx.signInLimiter;
  // Counted per name key, so trying "ALICE", "Alice", … is one name's attempts.
  const key = userNameKey(name);
  refuseOverLimit(ctx, limiter?.attempt(address, key) ?? 0);
  const ok = user
    ? await verifyPassword(password, user.passwordHash)
    : await hashPassword(password).then(() => false);
  if (!ok) {
    limiter?.failed(address, key);
    throw new OfbError(401, 'auth', OfbErrorCode.invalidCredentials, 'name or password is wrong');
  }
  limiter?.succeeded(address, key);
}

/** The caller's user row; 401 `unknown_user` when the token names a user that is gone. */
async function existingUser(db: OfbStore, caller: Claims) {
  const user = await db.getUser(caller.sub);
  if (!user)
    throw new OfbError(
      401,
      'auth',
      OfbErrorCode.unknownUser,
      `the token's user ${caller.sub} does not exist; sign in again`,
    );
  return user;
}
