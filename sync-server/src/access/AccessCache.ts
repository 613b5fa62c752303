// AccessCache, the AccessControl that remembers the authority's answers for a couple of seconds, so
// reconnects and several connections to one Document ask it once.
import {
  type Access,
  type AccessCheck,
  type AccessControl,
  accessCheckKey,
  type Denial,
  DenialReason,
} from './AccessControl.js';

/**
 * An {@link AccessControl} that remembers each (token, resource) answer for `ttlMs`, so a client
 * that opens a document over several connections, or reconnects at once, asks the authority once.
 * Concurrent questions share one call. `unavailable` and `unknown` answers are not remembered: an
 * outage may end and a document may be registered at any moment (a client creates a document and
 * connects while its registration is in flight), and asking again costs one indexed read.
 * {@link AccessCache.authorizeMany} always asks (it is the periodic re-check) and refreshes the cache.
 */
export class AccessCache implements AccessControl {
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly inner: AccessControl,
    private readonly ttlMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  authorize(token: string, resourceId: string): Promise<Access | Denial> {
    const key = accessCheckKey(token, resourceId);
    const at = this.now();
    const cached = this.entries.get(key);
    if (cached && at - cached.at < this.ttlMs) return cached.answer;
    this.sweep(at);
    const answer = this.inner
      .authorize(token, resourceId)
      .catch(
        (error: unknown): Denial => ({ ok: false, reason: DenialReason.unavailable, message: String(error) }),
      );
    this.entries.set(key, { at, answer });
    void answer.then((a) => {
      if (!a.ok && !remembered(a) && this.entries.get(key)?.answer === answer) this.entries.delete(key);
    });
    return answer;
  }

  async authorizeMany(checks: readonly AccessCheck[]): Promise<(Access | Denial)[]> {
    const results = await this.inner.authorizeMany(checks);
    const at = this.now();
    results.forEach((result, i) => {
      const check = checks[i]!;
      if (!result.ok && !remembered(result)) return;
      this.entries.set(accessCheckKey(check.token, check.resourceId), {
        at,
        answer: Promise.resolve(result),
      });
    });
    return results;
  }

  private sweep(at: number): void {
    if (this.entries.size < 1024) return;
    for (const [key, entry] of this.entries) if (at - entry.at >= this.ttlMs) this.entries.delete(key);
  }
}

interface Entry {
  readonly at: number;
  readonly answer: Promise<Access | Denial>;
}

/** Whether a denial may be answered from the cache (see {@link AccessCache}). */
function remembered(denial: Denial): boolean {
  return denial.reason !== DenialReason.unavailable && denial.reason !== DenialReason.unknown;
}
