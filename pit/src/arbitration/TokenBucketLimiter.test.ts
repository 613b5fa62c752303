// The limiter on a hand-moved clock: the concurrency cap, the rate, first come first served,
// a provider's retry-after, and abort.
import { describe, expect, it } from 'vitest';
import { type LimiterClock, TokenBucketLimiter } from './TokenBucketLimiter.js';

/** A clock whose time moves only when `advance` is called, running the timers that fall due. */
class FakeClock implements LimiterClock {
  #now = 1_000_000;
  #timers: { at: number; fn: () => void; live: boolean }[] = [];

  now(): number {
    return this.#now;
  }

  setTimer(fn: () => void, ms: number): () => void {
    const timer = { at: this.#now + ms, fn, live: true };
    this.#timers.push(timer);
    return () => {
      timer.live = false;
    };
  }

  /** Moves time by `ms`, running due timers in time order. */
  async advance(ms: number): Promise<void> {
    const end = this.#now + ms;
    for (;;) {
      const due = this.#timers.filter((t) => t.live && t.at <= end).sort((a, b) => a.at - b.at)[0];
      if (due === undefined) break;
      due.live = false;
      this.#now = due.at;
      due.fn();
      await settle();
    }
    this.#now = end;
    await settle();
  }
}

/** Lets resolved promises run their callbacks. */
async function settle(): Promise<void> {
  for (let i = 0; i < 5; i++) await Promise.resolve();
}

/** Admits `count` calls of `instrument`, noting which were let through, in order. */
function admitAll(limiter: TokenBucketLimiter, instrument: string, count: number, signal?: AbortSignal) {
  const admitted: number[] = [];
  const releases: (() => void)[] = [];
  const settled = Array.from({ length: count }, (_, i) =>
    limiter.admit(instrument, signal).then(
      (release) => {
        admitted.push(i);
        releases.push(release);
      },
      (error: unknown) => error,
    ),
  );
  return { admitted, releases, settled };
}

describe('TokenBucketLimiter', () => {
  it('keeps at most maxConcurrent calls out, admitting in arrival order', async () => {
    const clock = new FakeClock();
    const limiter = new TokenBucketLimiter({ clock });
    limiter.configure('openai', { maxConcurrent: 2, requestsPerMinute: 60_000 });
    const calls = admitAll(limiter, 'openai', 5);
    await settle();
    expect(calls.admitted).toEqual([0, 1]);
    expect(limiter.load('openai')).toEqual({ active: 2, waiting: 3 });
    calls.releases[0]!();
    calls.releases[0]!(); // a second release of the same call frees nothing more
    await settle();
    expect(calls.admitted).toEqual([0, 1, 2]);
    expect(limiter.load('openai').active).toBe(2);
  });

  it('admits at requestsPerMinute after a burst of one second', async () => {
    const clock = new FakeClock();
    const limiter = new TokenBucketLimiter({ clock });
    limiter.configure('openai', { maxConcurrent: 100, requestsPerMinute: 120 });
    const calls = admitAll(limiter, 'openai', 6);
    await settle();
    expect(calls.admitted).toHaveLength(2); // 120/min: a bucket of 2
    await clock.advance(499);
    expect(calls.admitted).toHaveLength(2);
    await clock.advance(1);
    expect(calls.admitted).toHaveLength(3);
    await clock.advance(1500);
    expect(calls.admitted).toEqual([0, 1, 2, 3, 4, 5]);
  });

  it('holds every call until a back-off has passed', async () => {
    const clock = new FakeClock();
    const limiter = new TokenBucketLimiter({ clock });
    limiter.backOff('anthropic', clock.now() + 30_000);
    const calls = admitAll(limiter, 'anthropic', 2);
    await clock.advance(29_999);
    expect(calls.admitted).toEqual([]);
    await clock.advance(1);
    expect(calls.admitted).toEqual([0, 1]);
    // Another instrument was never held.
    const other = admitAll(limiter, 'openai', 1);
    await settle();
    expect(other.admitted).toEqual([0]);
  });

  it('keeps the later of two back-offs', async () => {
    const clock = new FakeClock();
    const limiter = new TokenBucketLimiter({ clock });
    limiter.backOff('openai', clock.now() + 10_000);
    limiter.backOff('openai', clock.now() + 1_000);
    const calls = admitAll(limiter, 'openai', 1);
    await clock.advance(5_000);
    expect(calls.admitted).toEqual([]);
    await clock.advance(5_000);
    expect(calls.admitted).toEqual([0]);
  });

  it('rejects a waiting call when its signal aborts, and lets the next one go', async () => {
    const clock = new FakeClock();
    const limiter = new TokenBucketLimiter({ clock });
    limiter.configure('openai', { maxConcurrent: 1, requestsPerMinute: 60_000 });
    const first = await limiter.admit('openai');
    const controller = new AbortController();
    const aborted = limiter.admit('openai', controller.signal);
    const next = admitAll(limiter, 'openai', 1);
    controller.abort(new Error('node cancelled'));
    await expect(aborted).rejects.toThrow('node cancelled');
    first();
    await settle();
    expect(next.admitted).toEqual([0]);
    expect(limiter.load('openai')).toEqual({ active: 1, waiting: 0 });
  });

  it('rejects at once on an aborted signal', async () => {
    const limiter = new TokenBucketLimiter({ clock: new FakeClock() });
    await expect(limiter.admit('openai', AbortSignal.abort(new Error('gone')))).rejects.toThrow('gone');
  });

  it('refuses limits that make no sense, naming the instrument', () => {
    const limiter = new TokenBucketLimiter({ clock: new FakeClock() });
    expect(() => limiter.configure('openai', { maxConcurrent: 0, requestsPerMinute: 10 })).toThrow(
      /limits of openai: maxConcurrent/,
    );
  });

  it("waits and aborts on the system clock, whose timers are unref'd", async () => {
    const limiter = new TokenBucketLimiter();
    limiter.backOff('openai', Date.now() + 60_000);
    const controller = new AbortController();
    const waiting = limiter.admit('openai', controller.signal);
    controller.abort(new Error('done'));
    await expect(waiting).rejects.toThrow('done');
  });
});
