// The acceptance suite every Pool adapter runs (poolAcceptance): prewarm, the synchronous hit, the
// cap, waiting (FIFO, timeout, abort), idle eviction, health checks and replacement, create
// failures and their backoff, misuse, and drain. Instances are fakes; time is vitest's fake clock.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { type Pool, PoolError, type PoolFactory, type PoolOptions } from '../pool/PoolManager.js';

/** A fake instance: a plain object that is alive until it dies or is destroyed. */
export interface FakeInstance {
  readonly id: number;
  alive: boolean;
  /** How many times `destroy` was called on it: a correct pool calls it once. */
  destroyed: number;
}

/** A factory of {@link FakeInstance}s that can fail, hold its creates, and tell what it was asked. */
export class FakeFactory implements PoolFactory<FakeInstance> {
  readonly made: FakeInstance[] = [];
  readonly signals: AbortSignal[] = [];
  /** The next this-many creates reject. */
  failNext = 0;
  /** While true, creates wait until {@link releaseHeld}. */
  hold = false;
  private held: (() => void)[] = [];
  private nextId = 1;

  async create(signal: AbortSignal): Promise<FakeInstance> {
    this.signals.push(signal);
    if (this.hold) await new Promise<void>((resolve) => this.held.push(resolve));
    if (this.failNext > 0) {
      this.failNext--;
      throw new Error('fake create failed');
    }
    const instance: FakeInstance = { id: this.nextId++, alive: true, destroyed: 0 };
    this.made.push(instance);
    return instance;
  }

  async destroy(instance: FakeInstance): Promise<void> {
    instance.destroyed++;
    instance.alive = false;
  }

  healthy(instance: FakeInstance): boolean {
    return instance.alive;
  }

  /** Lets every held create go on. */
  releaseHeld(): void {
    this.hold = false;
    for (const go of this.held.splice(0)) go();
  }

  /** Instances made and not yet destroyed. */
  live(): FakeInstance[] {
    return this.made.filter((instance) => instance.destroyed === 0);
  }
}

/** Makes the adapter under test from the port's options. */
export type MakePool = <T>(options: PoolOptions<T>) => Pool<T>;

/** Lets promises and zero-delay timers run, on the fake clock. */
const flush = () => vi.advanceTimersByTimeAsync(0);

/** Runs the suite against `makePool`. */
export function poolAcceptance(name: string, makePool: MakePool): void {
  describe(`Pool acceptance: ${name}`, () => {
    let pools: Pool<FakeInstance>[] = [];

    /** A pool of fakes with short test settings (no timers unless a test asks). */
    function setup(
      options: Partial<PoolOptions<FakeInstance>> = {},
      prepare?: (factory: FakeFactory) => void,
    ) {
      const factory = new FakeFactory();
      prepare?.(factory);
      const pool = makePool<FakeInstance>({
        kind: 'fake',
        factory,
        idleTimeoutMs: 0,
        healthCheckMs: 0,
        acquireTimeoutMs: 1_000,
        ...options,
      });
      pools.push(pool);
      return { factory, pool };
    }

    beforeEach(() => {
      vi.useFakeTimers();
      pools = [];
    });
    afterEach(async () => {
      const draining = Promise.all(pools.map((pool) => pool.drain(0)));
      await vi.runAllTimersAsync();
      await draining;
      vi.useRealTimers();
    });

    describe('prewarm and the synchronous hit', () => {
      it('starts `prewarm` instances ahead of demand', async () => {
        const { pool, factory } = setup({ prewarm: 3 });
        await flush();
        expect(pool.stats()).toMatchObject({ kind: 'fake', idle: 3, busy: 0, starting: 0, created: 3 });
        expect(factory.made).toHaveLength(3);
      });

      it('tryAcquire returns an idle instance at once, and undefined when none is idle', async () => {
        const { pool } = setup({ prewarm: 1 });
        expect(pool.tryAcquire()).toBeUndefined(); // Still starting.
        await flush();
        const instance = pool.tryAcquire();
        expect(instance).toMatchObject({ alive: true });
        expect(pool.tryAcquire()).toBeUndefined();
        expect(pool.stats()).toMatchObject({ idle: 0, busy: 1 });
        pool.release(instance!);
        expect(pool.stats()).toMatchObject({ idle: 1, busy: 0 });
      });

      it('hands out the most recently released instance first (warm caches)', async () => {
        const { pool } = setup({ prewarm: 2 });
        await flush();
        const a = pool.tryAcquire()!;
        const b = pool.tryAcquire()!;
        pool.release(b);
        pool.release(a);
        expect(pool.tryAcquire()).toBe(a);
        expect(pool.tryAcquire()).toBe(b);
      });

      it('acquire resolves with an idle instance without creating one', async () => {
        const { pool, factory } = setup({ prewarm: 1 });
        await flush();
        const instance = await pool.acquire();
        expect(instance).toBe(factory.made[0]);
        expect(pool.stats().created).toBe(1);
      });
    });

    describe('the cap and waiting', () => {
      it('creates on demand up to max, then waits for a release', async () => {
        const { pool } = setup({ max: 2 });
        const a = await pool.acquire();
        const b = await pool.acquire();
        expect(a).not.toBe(b);
        let third: FakeInstance | undefined;
        void pool.acquire().then((x) => (third = x));
        await flush();
        expect(third).toBeUndefined();
        expect(pool.stats()).toMatchObject({ busy: 2, waiting: 1, created: 2 });
        pool.release(a);
        await flush();
        expect(third).toBe(a);
        expect(pool.stats()).toMatchObject({ busy: 2, idle: 0, waiting: 0, created: 2 });
      });

      it('never holds more than max instances, however many ask at once', async () => {
        const { pool, factory } = setup({ max: 3 });
        const served: FakeInstance[] = [];
        for (let i = 0; i < 10; i++) void pool.acquire().then((instance) => served.push(instance));
        await flush();
        expect(factory.made).toHaveLength(3);
        expect(pool.stats()).toMatchObject({ busy: 3, waiting: 7 });
        for (let released = 0; released < served.length; released++) {
          pool.release(served[released]!);
          await flush();
          expect(pool.stats().busy + pool.stats().idle).toBeLessThanOrEqual(3);
        }
        expect(served).toHaveLength(10);
        expect(factory.made).toHaveLength(3);
      });

      it('an acquire while a create is in flight waits for it rather than starting another', async () => {
        const { pool, factory } = setup({ prewarm: 1 }, (f) => (f.hold = true));
        const asked = pool.acquire();
        await flush();
        expect(pool.stats()).toMatchObject({ starting: 1, waiting: 1 });
        factory.releaseHeld();
        const instance = await asked;
        expect(factory.made).toEqual([instance]);
        expect(pool.stats()).toMatchObject({ created: 1, busy: 1, starting: 0 });
      });

      it('serves waiters first come, first served', async () => {
        const { pool } = setup({ max: 1 });
        const holder = await pool.acquire();
        const order: string[] = [];
        const first = pool.acquire().then((x) => {
          order.push('first');
          return x;
        });
        const second = pool.acquire().then((x) => {
          order.push('second');
          return x;
        });
        pool.release(holder);
        pool.release(await first);
        pool.release(await second);
        expect(order).toEqual(['first', 'second']);
      });

      it('rejects a waiter with PoolError timeout after acquireTimeoutMs, naming kind, cap and wait', async () => {
        const { pool } = setup({ max: 1, acquireTimeoutMs: 5_000 });
        await pool.acquire();
        const waiting = pool.acquire();
        const outcome = waiting.then(
          () => 'served',
          (error: unknown) => error,
        );
        await vi.advanceTimersByTimeAsync(4_999);
        expect(pool.stats().waiting).toBe(1);
        await vi.advanceTimersByTimeAsync(1);
        const error = await outcome;
        expect(error).toBeInstanceOf(PoolError);
        expect(error).toMatchObject({ code: 'timeout' });
        expect((error as Error).message).toMatch(/"fake"/);
        expect((error as Error).message).toMatch(/5000 ms/);
        expect((error as Error).message).toMatch(/\b1\b.*cap/);
        expect(pool.stats().waiting).toBe(0);
      });

      it('a waiter that timed out does not swallow the next release', async () => {
        const { pool } = setup({ max: 1, acquireTimeoutMs: 100 });
        const holder = await pool.acquire();
        const late = pool.acquire().catch((error: unknown) => error);
        await vi.advanceTimersByTimeAsync(100);
        await expect(late).resolves.toMatchObject({ code: 'timeout' });
        pool.release(holder);
        expect(pool.tryAcquire()).toBe(holder);
      });

      it('rejects with the signal’s reason on abort, and leaves the queue', async () => {
        const { pool } = setup({ max: 1 });
        const holder = await pool.acquire();
        const controller = new AbortController();
        const waiting = pool.acquire(controller.signal).catch((error: unknown) => error);
        await flush();
        expect(pool.stats().waiting).toBe(1);
        const reason = new Error('user cancelled');
        controller.abort(reason);
        await expect(waiting).resolves.toBe(reason);
        expect(pool.stats().waiting).toBe(0);
        pool.release(holder);
        expect(pool.stats().idle).toBe(1);
      });

      it('rejects at once for a signal that is already aborted, even with an idle instance', async () => {
        const { pool } = setup({ prewarm: 1 });
        await flush();
        const reason = new Error('too late');
        await expect(pool.acquire(AbortSignal.abort(reason))).rejects.toBe(reason);
        expect(pool.stats()).toMatchObject({ idle: 1, busy: 0 });
      });
    });

    describe('idle eviction', () => {
      it('ends instances idle longer than idleTimeoutMs, down to prewarm', async () => {
        const { pool, factory } = setup({ prewarm: 1, max: 4, idleTimeoutMs: 1_000 });
        const held = await Promise.all([pool.acquire(), pool.acquire(), pool.acquire()]);
        for (const instance of held) pool.release(instance);
        expect(pool.stats().idle).toBe(3);
        await vi.advanceTimersByTimeAsync(999);
        expect(pool.stats().idle).toBe(3);
        await vi.advanceTimersByTimeAsync(1_000);
        expect(pool.stats()).toMatchObject({ idle: 1, destroyed: 2 });
        expect(factory.live()).toHaveLength(1);
      });

      it('keeps an instance that is used again before its timeout', async () => {
        const { pool } = setup({ max: 2, idleTimeoutMs: 1_000 });
        const instance = await pool.acquire();
        pool.release(instance);
        for (let i = 0; i < 5; i++) {
          await vi.advanceTimersByTimeAsync(700);
          const again = pool.tryAcquire();
          expect(again).toBe(instance);
          pool.release(again!);
        }
        expect(pool.stats().destroyed).toBe(0);
      });

      it('never ends a busy instance for being old', async () => {
        const { pool } = setup({ idleTimeoutMs: 1_000 });
        const instance = await pool.acquire();
        await vi.advanceTimersByTimeAsync(10_000);
        expect(instance.destroyed).toBe(0);
        pool.release(instance);
        expect(pool.stats()).toMatchObject({ idle: 1, destroyed: 0 });
      });
    });

    describe('health checks and replacement', () => {
      it('finds an idle instance that died, ends it and starts a replacement', async () => {
        const { pool, factory } = setup({ prewarm: 2, healthCheckMs: 500 });
        await flush();
        factory.made[0]!.alive = false;
        await vi.advanceTimersByTimeAsync(500);
        expect(factory.made[0]!.destroyed).toBe(1);
        expect(pool.stats()).toMatchObject({ idle: 2, created: 3, destroyed: 1, replaced: 1 });
        const handed = [pool.tryAcquire(), pool.tryAcquire()];
        expect(handed.every((instance) => instance?.alive)).toBe(true);
      });

      it('a release marked broken ends the instance and refills up to prewarm', async () => {
        const { pool, factory } = setup({ prewarm: 1 });
        await flush();
        const instance = pool.tryAcquire()!;
        pool.release(instance, true);
        await flush();
        expect(instance.destroyed).toBe(1);
        expect(pool.stats()).toMatchObject({ idle: 1, busy: 0, created: 2, destroyed: 1, replaced: 1 });
        expect(pool.tryAcquire()).toBe(factory.made[1]);
      });

      it('a broken release replaces the instance for a waiter', async () => {
        const { pool } = setup({ max: 1 });
        const instance = await pool.acquire();
        const waiting = pool.acquire();
        pool.release(instance, true);
        const replacement = await waiting;
        expect(replacement).not.toBe(instance);
        expect(replacement.alive).toBe(true);
        expect(pool.stats()).toMatchObject({ busy: 1, replaced: 1 });
      });

      it('a broken release with nobody needing one is not replaced', async () => {
        const { pool } = setup();
        const instance = await pool.acquire();
        pool.release(instance, true);
        await flush();
        expect(pool.stats()).toMatchObject({ idle: 0, created: 1, destroyed: 1, replaced: 0 });
      });
    });

    describe('create failures', () => {
      it('an acquire whose create fails rejects with PoolError create-failed and the cause', async () => {
        const { pool, factory } = setup();
        factory.failNext = 1;
        const error = await pool.acquire().catch((e: unknown) => e);
        expect(error).toBeInstanceOf(PoolError);
        expect(error).toMatchObject({ code: 'create-failed' });
        expect((error as Error).message).toMatch(/"fake".*fake create failed/);
        expect((error as Error).cause).toMatchObject({ message: 'fake create failed' });
        expect(pool.stats()).toMatchObject({ starting: 0, waiting: 0 });
        await expect(pool.acquire()).resolves.toMatchObject({ alive: true });
      });

      it('retries a failing prewarm with growing delays until it succeeds', async () => {
        const { pool, factory } = setup({ prewarm: 1 }, (f) => (f.failNext = 3));
        await flush();
        expect(pool.stats()).toMatchObject({ idle: 0, created: 0 });
        const attempts = () => factory.signals.length;
        expect(attempts()).toBe(1);
        await vi.advanceTimersByTimeAsync(60_000);
        expect(attempts()).toBe(4);
        expect(pool.stats()).toMatchObject({ idle: 1, created: 1 });
      });

      it('does not retry in a tight loop', async () => {
        const { pool, factory } = setup({ prewarm: 1 }, (f) => (f.failNext = 1_000));
        await vi.advanceTimersByTimeAsync(60_000);
        expect(factory.signals.length).toBeLessThan(20);
        expect(pool.stats().idle).toBe(0);
      });
    });

    describe('misuse', () => {
      it('throws not-from-pool synchronously for an instance it did not hand out', async () => {
        const { pool } = setup();
        const stranger: FakeInstance = { id: 99, alive: true, destroyed: 0 };
        expect(() => pool.release(stranger)).toThrow(PoolError);
        try {
          pool.release(stranger);
        } catch (error) {
          expect(error).toMatchObject({ code: 'not-from-pool' });
          expect((error as Error).message).toMatch(/"fake".*release\(\)/);
        }
      });

      it('throws not-from-pool for a second release of one instance', async () => {
        const { pool } = setup();
        const instance = await pool.acquire();
        pool.release(instance);
        expect(() => pool.release(instance)).toThrow(/released twice/);
        expect(pool.stats()).toMatchObject({ idle: 1, busy: 0 });
      });

      it('throws not-from-pool for an instance of another pool', async () => {
        const one = setup();
        const other = setup();
        const instance = await one.pool.acquire();
        expect(() => other.pool.release(instance)).toThrow(PoolError);
        one.pool.release(instance);
      });
    });

    describe('drain', () => {
      it('refuses new acquires, rejects waiters, waits for busy ones and ends everything', async () => {
        const { pool, factory } = setup({ prewarm: 2, max: 2 });
        await flush();
        const busy = pool.tryAcquire()!;
        const other = pool.tryAcquire()!;
        const waiter = pool.acquire().catch((e: unknown) => e);
        let drained = false;
        const draining = pool.drain(10_000).then(() => (drained = true));
        await expect(waiter).resolves.toMatchObject({ code: 'draining' });
        await expect(pool.acquire()).rejects.toMatchObject({ code: 'draining' });
        expect(pool.tryAcquire()).toBeUndefined();
        pool.release(busy);
        await flush();
        expect(busy.destroyed).toBe(1);
        expect(drained).toBe(false);
        pool.release(other);
        await draining;
        expect(factory.live()).toHaveLength(0);
        expect(factory.made.every((instance) => instance.destroyed === 1)).toBe(true);
        expect(pool.stats()).toMatchObject({ idle: 0, busy: 0, created: 2, destroyed: 2 });
      });

      it('ends busy instances at the timeout, and a late release is harmless', async () => {
        const { pool } = setup();
        const instance = await pool.acquire();
        let drained = false;
        const draining = pool.drain(2_000).then(() => (drained = true));
        await vi.advanceTimersByTimeAsync(1_999);
        expect(drained).toBe(false);
        expect(instance.destroyed).toBe(0);
        await vi.advanceTimersByTimeAsync(1);
        await draining;
        expect(instance.destroyed).toBe(1);
        expect(() => pool.release(instance)).not.toThrow();
        expect(instance.destroyed).toBe(1);
      });

      it('aborts creates in flight and ends what they make', async () => {
        const { pool, factory } = setup({ prewarm: 1 }, (f) => (f.hold = true));
        await flush();
        expect(pool.stats().starting).toBe(1);
        const draining = pool.drain(1_000);
        expect(factory.signals[0]!.aborted).toBe(true);
        factory.releaseHeld();
        await vi.advanceTimersByTimeAsync(1_000);
        await draining;
        expect(factory.live()).toHaveLength(0);
      });

      it('is idempotent and stops the timers', async () => {
        const { pool, factory } = setup({ prewarm: 1, healthCheckMs: 100, idleTimeoutMs: 100 });
        await flush();
        await Promise.all([pool.drain(), pool.drain()]);
        const after = factory.signals.length;
        await vi.advanceTimersByTimeAsync(10_000);
        expect(factory.signals.length).toBe(after);
        expect(pool.stats()).toMatchObject({ idle: 0, destroyed: 1 });
      });
    });
  });
}
