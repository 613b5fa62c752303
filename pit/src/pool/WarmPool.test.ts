// Runs the Pool acceptance suite against WarmPool, then what only real processes show: a child
// killed with SIGKILL is found by the health check and replaced, and a drain ends them all.
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { PitInputError } from '../errors.js';
import { poolAcceptance } from '../testing/pool-acceptance.js';
import type { PoolFactory } from './PoolManager.js';
import { WarmPool } from './WarmPool.js';

const errors: unknown[] = [];
poolAcceptance('WarmPool', (options) => new WarmPool({ ...options, onError: (error) => errors.push(error) }));

describe('WarmPool options', () => {
  const factory: PoolFactory<object> = { create: async () => ({}), destroy: async () => {} };

  it('refuses bad settings, naming each', () => {
    expect(() => new WarmPool({ kind: '', factory })).toThrow(PitInputError);
    expect(() => new WarmPool({ kind: 'k', factory, max: 0 })).toThrow(/max/);
    expect(() => new WarmPool({ kind: 'k', factory, prewarm: 3, max: 2 })).toThrow(
      /prewarm must not exceed max/,
    );
    expect(() => new WarmPool({ kind: 'k', factory: {} as PoolFactory<object> })).toThrow(/factory must be/);
  });

  it('reports a failing destroy to onError and still counts the instance ended', async () => {
    const seen: unknown[] = [];
    const pool = new WarmPool({
      kind: 'flaky',
      factory: { ...factory, destroy: async () => Promise.reject(new Error('will not die')) },
      onError: (error, context) => seen.push([(error as Error).message, context]),
    });
    const instance = await pool.acquire();
    pool.release(instance, true);
    await pool.drain();
    expect(seen).toEqual([['will not die', { kind: 'flaky', during: 'destroy' }]]);
    expect(pool.stats().destroyed).toBe(1);
  });
});

/** A child process that idles forever: the shape of an extension host's worker. */
const childFactory: PoolFactory<ChildProcess> = {
  async create() {
    const child = spawn(process.execPath, ['-e', 'setInterval(()=>{},1e9)'], { stdio: 'ignore' });
    await once(child, 'spawn');
    return child;
  },
  async destroy(child) {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = once(child, 'exit');
    child.kill('SIGKILL');
    await exited;
  },
  healthy: (child) => child.exitCode === null && child.signalCode === null,
};

describe('WarmPool of real child processes', () => {
  let pool: WarmPool<ChildProcess> | undefined;
  afterEach(async () => {
    await pool?.drain(0);
  });

  it('replaces a process killed with SIGKILL and kills all on drain', async () => {
    pool = new WarmPool({ kind: 'child', factory: childFactory, prewarm: 2, healthCheckMs: 50 });
    await vi.waitFor(() => expect(pool!.stats().idle).toBe(2), { timeout: 10_000 });
    const first = pool.tryAcquire()!;
    const second = pool.tryAcquire()!;
    pool.release(second);
    pool.release(first);
    const exited = once(second, 'exit');
    second.kill('SIGKILL');
    await exited;
    await vi.waitFor(() => expect(pool!.stats()).toMatchObject({ idle: 2, replaced: 1, destroyed: 1 }), {
      timeout: 10_000,
    });
    const live = [pool.tryAcquire()!, pool.tryAcquire()!];
    expect(live).toContain(first);
    expect(live.every((child) => childFactory.healthy!(child))).toBe(true);
    pool.release(live[0]!);
    // live[1] stays busy: the drain's deadline must kill it too.
    await pool.drain(100);
    for (const child of live) expect(child.signalCode ?? child.exitCode).not.toBeNull();
    expect(pool.stats()).toMatchObject({ idle: 0, busy: 0, created: 3, destroyed: 3 });
  });
});

describe('WarmPool timers', () => {
  it('never keep a process alive: prewarmed, checked, evicting and with a waiter, it still exits', async () => {
    const module = fileURLToPath(new URL('./WarmPool.ts', import.meta.url));
    const script = `
      import { WarmPool } from ${JSON.stringify(module)};
      const factory = { create: async () => ({}), destroy: async () => {}, healthy: () => true };
      const pool = new WarmPool({ kind: 'k', factory, prewarm: 1, max: 1, healthCheckMs: 10, idleTimeoutMs: 20 });
      await pool.acquire();
      pool.acquire().catch(() => {});
      console.log('waiting');`;
    // Generous: the script itself takes well under a second; only a pool that holds the process hangs.
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ['--import', 'tsx', '--input-type=module', '-e', script],
      { timeout: 20_000 },
    );
    expect(stdout.trim()).toBe('waiting');
  });
});
