/** setTimeout's longest delay (about 24.8 days); longer waits are re-armed. */
const MAX_DELAY_MS = 2 ** 31 - 1;

/**
 * Calls `onExpire` when `exp` (seconds since the epoch) has passed: at once (synchronously) if it
 * already has, never if it is infinite. Returns the function that cancels.
 */
export function whenExpired(exp: number, onExpire: () => void, now: () => number = Date.now): () => void {
  if (!Number.isFinite(exp)) return () => {};
  let timer: NodeJS.Timeout | undefined;
  const arm = () => {
    const left = exp * 1000 - now();
    if (left <= 0) {
      timer = undefined;
      onExpire();
      return;
    }
    timer = setTimeout(arm, Math.min(left, MAX_DELAY_MS));
    timer.unref();
  };
  arm();
  return () => {
    if (timer) clearTimeout(timer);
    timer = undefined;
  };
}

/**
 * The `exp` claim of a JWT, read without checking its signature: only for a token the authority has
 * already accepted, to know when to close. `undefined` when the token is no JWT or has no `exp`.
 */
export function expOfJwt(token: string): number | undefined {
  const exp = claimOfJwt(token, 'exp');
  return typeof exp === 'number' && Number.isFinite(exp) ? exp : undefined;
}

/**
 * The `sub` claim (the user id) of a JWT, read without checking its signature: only for a token
 * the authority has already accepted. `undefined` when the token is no JWT or has no `sub`.
 */
export function subOfJwt(token: string): string | undefined {
  const sub = claimOfJwt(token, 'sub');
  return typeof sub === 'string' ? sub : undefined;
}

function claimOfJwt(token: string, claim: string): unknown {
  const payload = token.split('.')[1];
  if (payload === undefined) return undefined;
  try {
    const claims: unknown = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
    return typeof claims === 'object' && claims !== null
      ? (claims as Record<string, unknown>)[claim]
      : undefined;
  } catch {
    return undefined;
  }
}
