// Concurrency and rate per instrument: a call waits, first come first served, for a free slot and a
// token of a continuously refilling bucket, and for any `retry-after` the provider gave. Time comes
// from an injected clock, so tests move it by hand.

import type { InstrumentLimiter } from './ArbitrationEngine.js';

/** How many calls an instrument takes at once and per minute (an `InstrumentConfig`'s two fields). */
export interface InstrumentLimits {
  readonly maxConcurrent: number;
  readonly requestsPerMinute: number;
}

/** Time as the limiter sees it. */
export interface LimiterClock {
  /** Milliseconds since the epoch. */
  now(): number;
  /** Calls `fn` after `ms`; the returned function cancels it. Must not keep the process alive. */
  setTimer(fn: () => void, ms: number): () => void;
}

/** The process's clock, with unref'd timers: a waiting call never keeps Node running by itself. */
export const systemClock: LimiterClock = {
  now: () => Date.now(),
  setTimer(fn, ms) {
    const timer = setTimeout(fn, ms);
    timer.unref();
    return () => clearTimeout(timer);
  },
};

/** The defaults of `InstrumentConfig`: what an instrument nobody configured gets. */
export const DEFAULT_LIMITS: InstrumentLimits = { maxConcurrent: 8, requestsPerMinute: 600 };

/** How a {@link TokenBucketLimiter} is built. */
export interface TokenBucketLimiterOptions {
  readonly clock?: LimiterClock;
  /** Limits of an instrument not {@link TokenBucketLimiter.configure}d (default {@link DEFAULT_LIMITS}). */
  readonly defaults?: InstrumentLimits;
}

interface Waiter {
  readonly resolve: (release: () => void) => void;
  readonly reject: (reason: unknown) => void;
  readonly signal: AbortSignal | undefined;
  readonly onAbort: () => void;
}

/** One instrument's slots, bucket, back-off and queue. */
interface Lane {
  limits: InstrumentLimits;
  active: number;
  tokens: number;
  refilledAt: number;
  blockedUntil: number;
  readonly queue: Waiter[];
  cancelTimer: (() => void) | undefined;
  timerAt: number;
}

/**
 * The bucket holds one second of the rate (at least one token): providers state limits per minute
 * but enforce them over shorter windows, so a full minute's burst at once would be refused.
 */
function capacityOf(limits: InstrumentLimits): number {
  return Math.max(1, limits.requestsPerMinute / 60);
}

function checkLimits(instrument: string, limits: InstrumentLimits): void {
  const { maxConcurrent, requestsPerMinute } = limits;
  if (!(Number.isInteger(maxConcurrent) && maxConcurrent >= 1))
    throw new RangeError(
      `limits of ${instrument}: maxConcurrent must be an integer ≥ 1, got ${maxConcurrent}`,
    );
  if (!(requestsPerMinute > 0))
    throw new RangeError(
      `limits of ${instrument}: requestsPerMinute must be positive, got ${requestsPerMinute}`,
    );
}

/**
 * An {@link InstrumentLimiter} of token buckets. Per instrument: at most `maxConcurrent` calls out
 * at once, tokens refilling continuously at `requestsPerMinute`, waiting calls admitted in arrival
 * order (a call never overtakes an earlier one for the same instrument), and `backOff` holding
 * every call until the provider's `retry-after` has passed.
 */
export class TokenBucketLimiter implements InstrumentLimiter {
  readonly #lanes = new Map<string, Lane>();
  readonly #clock: LimiterClock;
  readonly #defaults: InstrumentLimits;

  constructor(options: TokenBucketLimiterOptions = {}) {
    this.#clock = options.clock ?? systemClock;
    this.#defaults = options.defaults ?? DEFAULT_LIMITS;
    checkLimits('the defaults', this.#defaults);
  }

  /** Sets `instrument`'s limits; calls already out keep their slots, a fuller bucket is cut to the new size. */
  configure(instrument: string, limits: InstrumentLimits): void {
    checkLimits(instrument, limits);
    const lane = this.#lane(instrument);
    this.#refill(lane);
    lane.limits = { maxConcurrent: limits.maxConcurrent, requestsPerMinute: limits.requestsPerMinute };
    lane.tokens = Math.min(lane.tokens, capacityOf(lane.limits));
    this.#pump(lane);
  }

  admit(instrument: string, signal?: AbortSignal): Promise<() => void> {
    if (signal?.aborted) return Promise.reject(signal.reason);
    const lane = this.#lane(instrument);
    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        resolve,
        reject,
        signal,
        onAbort: () => {
          const index = lane.queue.indexOf(waiter);
          if (index < 0) return;
          lane.queue.splice(index, 1);
          reject(signal!.reason);
          // The head may have changed: the next one may go now.
          this.#pump(lane);
        },
      };
      signal?.addEventListener('abort', waiter.onAbort, { once: true });
      lane.queue.push(waiter);
      this.#pump(lane);
    });
  }

  backOff(instrument: string, untilMs: number): void {
    const lane = this.#lane(instrument);
    lane.blockedUntil = Math.max(lane.blockedUntil, untilMs);
    this.#pump(lane);
  }

  /** Calls of `instrument` out now and waiting: for stats and tests. */
  load(instrument: string): { readonly active: number; readonly waiting: number } {
    const lane = this.#lanes.get(instrument);
    return { active: lane?.active ?? 0, waiting: lane?.queue.length ?? 0 };
  }

  #lane(instrument: string): Lane {
    let lane = this.#lanes.get(instrument);
    if (lane === undefined) {
      lane = {
        limits: this.#defaults,
        active: 0,
        tokens: capacityOf(this.#defaults),
        refilledAt: this.#clock.now(),
        blockedUntil: 0,
        queue: [],
        cancelTimer: undefined,
        timerAt: Number.POSITIVE_INFINITY,
      };
      this.#lanes.set(instrument, lane);
    }
    return lane;
  }

  #refill(lane: Lane): void {
    const now = this.#clock.now();
    const elapsed = Math.max(0, now - lane.refilledAt);
    lane.tokens = Math.min(
      capacityOf(lane.limits),
      lane.tokens + (elapsed * lane.limits.requestsPerMinute) / 60_000,
    );
    lane.refilledAt = now;
  }

  /** Admits waiting calls while a slot, a token and no back-off allow; otherwise waits for the earliest of them. */
  #pump(lane: Lane): void {
    this.#refill(lane);
    while (lane.queue.length > 0 && lane.active < lane.limits.maxConcurrent) {
      const now = this.#clock.now();
      if (now < lane.blockedUntil) {
        this.#wake(lane, lane.blockedUntil - now);
        return;
      }
      if (lane.tokens < 1) {
        this.#wake(lane, Math.ceil(((1 - lane.tokens) * 60_000) / lane.limits.requestsPerMinute));
        return;
      }
      const waiter = lane.queue.shift()!;
      waiter.signal?.removeEventListener('abort', waiter.onAbort);
      lane.tokens -= 1;
      lane.active += 1;
      waiter.resolve(this.#releaser(lane));
    }
  }

  /** A release function that frees its slot once, however often it is called. */
  #releaser(lane: Lane): () => void {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      lane.active -= 1;
      this.#pump(lane);
    };
  }

  /** Runs `#pump` in `ms` (at least 1), keeping one timer per lane: the earliest one asked for. */
  #wake(lane: Lane, ms: number): void {
    const delay = Math.max(1, ms);
    const at = this.#clock.now() + delay;
    if (lane.cancelTimer !== undefined && lane.timerAt <= at) return;
    lane.cancelTimer?.();
    lane.timerAt = at;
    lane.cancelTimer = this.#clock.setTimer(() => {
      lane.cancelTimer = undefined;
      lane.timerAt = Number.POSITIVE_INFINITY;
      this.#pump(lane);
    }, delay);
  }
}
