// Tests of AccessCache: one question to the authority per (token, resource) within the ttl, outages and
// unknown Documents never remembered, authorizeMany refreshing the cache.
import { describe, expect, it } from 'vitest';
import { AccessCache } from './AccessCache.js';
import type { Access, AccessCheck, AccessControl, Denial } from './AccessControl.js';

/** A fake authority that counts questions and answers from a table. */
class CountingAccess implements AccessControl {
  calls = 0;
  many = 0;
  answer: Access | Denial = {
    ok: true,
    role: 'editor',
    workspaceId: 'w',
    kind: 'document',
    userId: 'u',
    userName: 'ada',
    exp: Number.POSITIVE_INFINITY,
  };
  async authorize(): Promise<Access | Denial> {
    this.calls++;
    return this.answer;
  }
  async authorizeMany(checks: readonly AccessCheck[]): Promise<(Access | Denial)[]> {
    this.many++;
    return checks.map(() => this.answer);
  }
}

describe('AccessCache', () => {
  it('asks once per (token, resource) within the ttl, and again after it', async () => {
    let now = 0;
    const inner = new CountingAccess();
    const cache = new AccessCache(inner, 2000, () => now);
    await Promise.all([cache.authorize('t', 'd'), cache.authorize('t', 'd')]);
    await cache.authorize('t', 'd');
    expect(inner.calls).toBe(1);
    await cache.authorize('t', 'other');
    await cache.authorize('other-token', 'd');
    expect(inner.calls).toBe(3);
    now = 2000;
    await cache.authorize('t', 'd');
    expect(inner.calls).toBe(4);
  });

  it('does not remember an outage, and refreshes from authorizeMany', async () => {
    const now = 0;
    const inner = new CountingAccess();
    const cache = new AccessCache(inner, 2000, () => now);
    inner.answer = { ok: false, reason: 'unavailable', message: 'down' };
    await cache.authorize('t', 'd');
    await new Promise((r) => setTimeout(r, 0));
    inner.answer = { ok: false, reason: 'forbidden', message: 'removed' };
    await expect(cache.authorize('t', 'd')).resolves.toMatchObject({ reason: 'forbidden' });
    expect(inner.calls).toBe(2);
    inner.answer = { ...inner.answer, reason: 'expired' } as Denial;
    await cache.authorizeMany([{ token: 't', resourceId: 'd' }]);
    await expect(cache.authorize('t', 'd')).resolves.toMatchObject({ reason: 'expired' });
    expect(inner.calls).toBe(2);
  });

  it('does not remember an unknown document: one registered a moment later opens at once', async () => {
    const inner = new CountingAccess();
    const cache = new AccessCache(inner, 2000, () => 0);
    const registered = inner.answer;
    inner.answer = { ok: false, reason: 'unknown', message: 'no document d' };
    await cache.authorize('t', 'd');
    await new Promise((r) => setTimeout(r, 0));
    inner.answer = registered;
    await expect(cache.authorize('t', 'd')).resolves.toMatchObject({ ok: true });
    expect(inner.calls).toBe(2);
  });
});
