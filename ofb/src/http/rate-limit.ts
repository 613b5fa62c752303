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
    const now = this.now();
    const rate = this.config.perMinute / 60_000;
    const bucket = this.buckets.get(key) ?? { tokens: this.config.perMinute, at: now };
    bucket.tokens = Math.min(this.config.perMinute, bucket.tokens + (now - bucket.at) * rate);
    bucket.at = now;
    if (bucket.tokens < 1) {
      this.buckets.set(key, bucket);
      return Math.max(1, Math.ceil((1 - bucket.tokens) / rate / 1000));
    }
    bucket.tokens -= 1;
    this.buckets.set(key, bucket);
    if (this.buckets.size > this.maxKeys) this.sweep(now, rate);
    return 0;
  }

  private sweep(now: number, rate: number): void {
    for (const [key, b] of this.buckets)
      if (b.tokens + (now - b.at) * rate >= this.config.perMinute) this.buckets.delete(key);
  }
}
