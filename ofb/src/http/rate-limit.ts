/** How many calls a key may make per minute (a token bucket: bursts up to the limit, then refills). */
export interface RateLimitConfig {
  readonly perMinute: number;
}

/**
 * In-memory token buckets per key (an IP, a user name). One process only: a deployment with many
 * OFB processes limits per process. Full buckets are forgotten when the map grows past `maxKeys`.
 */
export class RateLimiter {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();
  constructor(
    readonly config: RateLimitConfig,
    private readonly now: () => number = Date.now,
    private readonly maxKeys = 10_000,
  ) {}

  /** Takes one token for `key`; returns 0 when allowed, else the seconds until one is back. */
  take(key: string): number {
    const wait = this.wait(key);
    if (wait === 0) this.spend(key);
    return wait;
  }

  /** The seconds until `key` has a token (0: it has one now); takes nothing. */
  wait(key: string): number {
    const tokens = this.tokens(key);
    if (tokens >= 1) return 0;
    return Math.max(1, Math.ceil((1 - tokens) / this.rate / 1000));
  }

  /** Whether `key` has spent nothing that has not refilled since (a full bucket). */
  untouched(key: string): boolean {
    return this.tokens(key) >= this.config.perMinute;
  }

  /** Takes one token for `key` whether or not it has one (never below zero): counts a failure. */
  spend(key: string): void {
    const now = this.now();
    this.buckets.set(key, { tokens: Math.max(0, this.tokens(key) - 1), at: now });
    if (this.buckets.size > this.maxKeys) this.sweep(now);
  }

  /** Refills `key` at once (forgets what it spent). */
  forget(key: string): void {
    this.buckets.delete(key);
  }

  private get rate(): number {
    return this.config.perMinute / 60_000;
  }

  private tokens(key: string): number {
    const bucket = this.buckets.get(key);
    if (!bucket) return this.config.perMinute;
    return Math.min(this.config.perMinute, bucket.tokens + (this.now() - bucket.at) * this.rate);
  }

  private sweep(now: number): void {
    for (const [key, b] of this.buckets)
      if (b.tokens + (now - b.at) * this.rate >= this.config.perMinute) this.buckets.delete(key);
  }
}
