// Limits on sign-up and sign-in per address, per address and name, and per name: guessing a password
// is slowed without locking the owner out.
import { isIPv6 } from 'node:net';
import { RateLimiter } from './rate-limit.js';

/**
 * The part of `address` that one party controls: an IPv4 address, or the /64 network of an IPv6
 * one (a single host is usually given a whole /64, so counting each address apart would hand an
 * attacker 2^64 fresh addresses). IPv4-mapped IPv6 (`::ffff:1.2.3.4`) counts as its IPv4 address.
 */
export function addressKey(address: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped) return mapped[1]!;
  if (!isIPv6(address)) return address;
  const [head = '', tail = ''] = address.toLowerCase().split('%')[0]!.split('::');
  const left = head === '' ? [] : head.split(':');
  const right = address.includes('::') ? (tail === '' ? [] : tail.split(':')) : [];
  const groups = address.includes('::')
    ? [...left, ...Array<string>(8 - left.length - right.length).fill('0'), ...right]
    : left;
  return `${groups
    .slice(0, 4)
    .map((g) => g.replace(/^0+(?=.)/, ''))
    .join(':')}::/64`;
}

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
    return this.attempts.take(addressKey(address));
  }

  /** Counts an attempt for `name` from `address` before its password is checked: 0, or the seconds to wait. */
  attempt(address: string, name: string): number {
    const spent = this.attempts.take(addressKey(address));
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
const pairKey = (address: string, name: string) => `${addressKey(address)}\u0000${name}`;
