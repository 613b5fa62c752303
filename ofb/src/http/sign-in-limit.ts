import { RateLimiter } from './rate-limit.js';

/** The three limits of {@link SignInLimiter}, each per minute (token buckets). */
export interface SignInLimitConfig {
  /** Attempts (sign-up and sign-in, good or bad) from one address. */
  readonly perAddress: number;
  /** Failed sign-ins from one address for one name. */
  readonly failuresPerAddressAndName: number;
  /**
   * Failed sign-ins for one name from every address together. Past it the name is under attack:
   * an address that has failed for the name waits, one that has not may still try.
   */
  readonly failuresPerName: number;
}

/** The limits for a budget of `perMinute` attempts per address (`authRateLimit`). */
export function signInLimits(perMinute: number): SignInLimitConfig {
  return {
    perAddress: perMinute,
    // Half: one address guessing one name is the plainest attack, and the owner mistypes rarely.
    failuresPerAddressAndName: Math.max(1, Math.ceil(perMinute / 2)),
    failuresPerName: perMinute,
  };
}

/**
 * Decides whether a sign-in attempt may check a password. Counting every attempt per name (from
 * anywhere) would let ~10 wrong passwords a minute keep the real user out, so the per-name limit
 * counts failures only and, once exceeded, refuses only the addresses that failed for that name:
 * the owner signing in from an address that has not failed still gets through while the attack
 * goes on, and the attacker is slowed per address. One process only, like {@link RateLimiter}.
 */
export class SignInLimiter {
  private readonly attempts: RateLimiter;
  private readonly pairFailures: RateLimiter;
  private readonly nameFailures: RateLimiter;

  constructor(
    readonly config: SignInLimitConfig,
    now: () => number = Date.now,
  ) {
    this.attempts = new RateLimiter({ perMinute: config.perAddress }, now);
    this.pairFailures = new RateLimiter({ perMinute: config.failuresPerAddressAndName }, now);
    this.nameFailures = new RateLimiter({ perMinute: config.failuresPerName }, now);
  }

  /** Counts a sign-up from `address`: 0 when allowed, else the seconds to wait. */
  signUp(address: string): number {
    return this.attempts.take(address);
  }

  /** Counts an attempt for `name` from `address` before its password is checked: 0, or the seconds to wait. */
  attempt(address: string, name: string): number {
    const spent = this.attempts.take(address);
    if (spent > 0) return spent;
    const pair = pairKey(address, name);
    const own = this.pairFailures.wait(pair);
    if (own > 0) return own;
    const attacked = this.nameFailures.wait(name);
    if (attacked > 0 && !this.pairFailures.untouched(pair)) return attacked;
    return 0;
  }

  /** Records a wrong password for `name` from `address`. */
  failed(address: string, name: string): void {
    this.pairFailures.spend(pairKey(address, name));
    this.nameFailures.spend(name);
  }

  /** Records a right password: the address's failures for the name are forgiven. */
  succeeded(address: string, name: string): void {
    this.pairFailures.forget(pairKey(address, name));
  }
}

// A NUL cannot occur in a user name (UserName) nor in an address.
const pairKey = (address: string, name: string) => `${address}\u0000${name}`;
