import type { OfbRecordRun } from '@symphony/schemas';
import { describe, expect, it } from 'vitest';
import { OfbCallError } from '../cli/ofb-client.js';
import { AccessCache } from './AccessCache.js';
import type { TeamAuthority, TeamIdentity, WorkflowAccess } from './TeamAuthority.js';

/** An authority that counts its calls and answers from a table (a missing token is refused, `down` is unreachable). */
class TableAuthority implements TeamAuthority {
  calls = 0;
  down = false;
  readonly roles = new Map<string, WorkflowAccess>();

  async authorize(token: string, resourceId: string): Promise<WorkflowAccess> {
    this.calls++;
    if (this.down) throw new OfbCallError('unreachable', 'no answer');
    const access = this.roles.get(`${token}/${resourceId}`);
    if (access === undefined) throw new OfbCallError('refused', 'token refused', 401, 'invalid_token');
    return access;
  }

  async identify(token: string): Promise<TeamIdentity> {
    return this.authorize(token, 'me');
  }

  async recordRun(_token: string, _record: OfbRecordRun): Promise<{ created: boolean }> {
    this.calls++;
    return { created: true };
  }
}

const ada: WorkflowAccess = {
  userId: 'u1',
  userName: 'ada',
  exp: 2_000_000_000,
  role: 'editor',
  workspaceId: 'w',
  kind: 'workflow',
};

describe('AccessCache', () => {
  it('reuses an answer for the cache time per token and resource, then asks again', async () => {
    const authority = new TableAuthority();
    authority.roles.set('t/wf', ada);
    let now = 1000;
    const cache = new AccessCache(authority, () => now, 10_000);
    const [a, b] = await Promise.all([cache.authorize('t', 'wf'), cache.authorize('t', 'wf')]);
    expect(a).toEqual(ada);
    expect(b).toEqual(ada);
    expect(authority.calls).toBe(1);
    now += 9_999;
    await cache.authorize('t', 'wf');
    expect(authority.calls).toBe(1);
    now += 1;
    await cache.authorize('t', 'wf');
    expect(authority.calls).toBe(2);
    await expect(cache.authorize('t', 'other')).rejects.toThrow('token refused');
    expect(authority.calls).toBe(3);
  });

  it('keeps a refusal like an answer, and never keeps an unreachable server’s failure', async () => {
    const authority = new TableAuthority();
    const now = 0;
    const cache = new AccessCache(authority, () => now, 10_000);
    await expect(cache.authorize('bad', 'wf')).rejects.toMatchObject({ kind: 'refused', status: 401 });
    await expect(cache.authorize('bad', 'wf')).rejects.toMatchObject({ kind: 'refused' });
    expect(authority.calls).toBe(1);
    authority.down = true;
    authority.roles.set('t/wf', ada);
    await expect(cache.authorize('t', 'wf')).rejects.toMatchObject({ kind: 'unreachable' });
    authority.down = false;
    expect(await cache.authorize('t', 'wf')).toEqual(ada);
    expect(authority.calls).toBe(3);
  });

  it('forgets every answer about a token', async () => {
    const authority = new TableAuthority();
    authority.roles.set('t/wf', ada);
    const cache = new AccessCache(authority, () => 0, 10_000);
    await cache.authorize('t', 'wf');
    cache.forget('t');
    await cache.authorize('t', 'wf');
    expect(authority.calls).toBe(2);
  });
});
