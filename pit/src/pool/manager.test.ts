// The PoolManager: one pool per kind, a mistake caught when two callers disagree on a kind,
// figures for the monitor, and one drain for all.
import { describe, expect, it } from 'vitest';
import { FakeFactory } from '../testing/pool-acceptance.js';
import { PoolManager } from './manager.js';
import { PoolError } from './PoolManager.js';

describe('PoolManager', () => {
  it('makes a pool per kind and returns the same one when asked again', async () => {
    const manager = new PoolManager();
    const factory = new FakeFactory();
    const pool = manager.pool({ kind: 'ext:a', factory, prewarm: 1 });
    expect(manager.pool({ kind: 'ext:a', factory, prewarm: 1 })).toBe(pool);
    expect(manager.get('ext:a')).toBe(pool);
    expect(manager.get('ext:b')).toBeUndefined();
    await manager.close();
  });

  it('refuses a second factory or other settings for a kind, naming the fix', async () => {
    const manager = new PoolManager();
    const factory = new FakeFactory();
    manager.pool({ kind: 'ext:a', factory, max: 2 });
    expect(() => manager.pool({ kind: 'ext:a', factory: new FakeFactory(), max: 2 })).toThrow(
      /already exists with another factory/,
    );
    expect(() => manager.pool({ kind: 'ext:a', factory, max: 3 })).toThrow(/already exists with other max/);
    await manager.close();
  });

  it('lists every pool’s stats, in the order they were made', async () => {
    const manager = new PoolManager();
    manager.pool({ kind: 'ext:a', factory: new FakeFactory(), prewarm: 2 });
    manager.pool({ kind: 'instrument:b', factory: new FakeFactory() });
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(manager.stats()).toMatchObject([
      { kind: 'ext:a', idle: 2 },
      { kind: 'instrument:b', idle: 0 },
    ]);
    await manager.close();
  });

  it('drains every pool, and makes no pools afterwards', async () => {
    const manager = new PoolManager();
    const a = new FakeFactory();
    const b = new FakeFactory();
    const poolA = manager.pool({ kind: 'ext:a', factory: a, prewarm: 1 });
    const poolB = manager.pool({ kind: 'ext:b', factory: b });
    const held = await poolB.acquire();
    const drained = manager.drain(5_000);
    poolB.release(held);
    await drained;
    expect([...a.made, ...b.made].every((instance) => instance.destroyed === 1)).toBe(true);
    await expect(poolA.acquire()).rejects.toMatchObject({ code: 'draining' });
    expect(() => manager.pool({ kind: 'ext:c', factory: new FakeFactory() })).toThrow(PoolError);
    await manager.close();
  });

  it('close() ends busy instances without waiting', async () => {
    const manager = new PoolManager();
    const factory = new FakeFactory();
    const pool = manager.pool({ kind: 'ext:a', factory });
    const held = await pool.acquire();
    await manager.close();
    expect(held.destroyed).toBe(1);
  });

  it('gives pools the manager’s error sink', async () => {
    const seen: string[] = [];
    const manager = new PoolManager({
      onError: (_error, { kind, during }) => seen.push(`${kind}:${during}`),
    });
    const factory = new FakeFactory();
    factory.failNext = 1;
    manager.pool({ kind: 'ext:a', factory, prewarm: 1 });
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(seen).toEqual(['ext:a:create']);
    await manager.close();
  });
});
