// The PoolManager port: warm instances per kind (extension processes, instrument clients), handed out
// and taken back. An acquire that finds an idle instance is synchronous and allocation-free.

/** How a pool makes, checks and ends its instances: one per kind. */
export interface PoolFactory<T> {
  /** Starts one instance (spawns a process, opens a client). Rejects when it cannot. */
  create(signal: AbortSignal): Promise<T>;
  /** Ends one instance; must not throw for one that already died. */
  destroy(instance: T): Promise<void>;
  /** Whether the instance still works (a live process, an open socket). Cheap; called on idle instances. */
  healthy?(instance: T): boolean | Promise<boolean>;
}

/** A pool's settings. */
export interface PoolOptions<T> {
  readonly kind: string;
  readonly factory: PoolFactory<T>;
  /** Instances started ahead of demand and kept ready. Default 0. */
  readonly prewarm?: number;
  /** At most this many instances at once, busy and idle. Default 8. */
  readonly max?: number;
  /** An idle instance older than this (ms) is ended, down to `prewarm`. Default 60 000. */
  readonly idleTimeoutMs?: number;
  /** How often idle instances are health-checked (ms); 0: never. Default 10 000. */
  readonly healthCheckMs?: number;
  /** How long `acquire` waits for an instance when the pool is at its cap (ms). Default 30 000. */
  readonly acquireTimeoutMs?: number;
}

/** What a pool has, for stats and the monitor. */
export interface PoolStats {
  readonly kind: string;
  readonly idle: number;
  readonly busy: number;
  readonly starting: number;
  readonly waiting: number;
  readonly created: number;
  readonly destroyed: number;
  /** Instances found dead (failed health check, or released as broken) and replaced. */
  readonly replaced: number;
}

/** One kind's pool. */
export interface Pool<T> {
  readonly kind: string;
  /**
   * An idle healthy instance now, or undefined: the synchronous fast path (no promise, no
   * allocation). The caller must `release` what it got.
   */
  tryAcquire(): T | undefined;
  /**
   * An instance: an idle one, a new one when under the cap, or the next released one, waiting at
   * most `acquireTimeoutMs`. Rejects with `PoolError` (`timeout`, `draining`, `create-failed`) or
   * the signal's reason.
   */
  acquire(signal?: AbortSignal): Promise<T>;
  /** Gives an instance back. `broken: true` (it crashed, was killed): it is ended and replaced. */
  release(instance: T, broken?: boolean): void;
  stats(): PoolStats;
  /** Stops handing out, waits for busy instances to come back (at most `timeoutMs`), ends them all. */
  drain(timeoutMs?: number): Promise<void>;
}

/** Why a pool could not give an instance. */
export class PoolError extends Error {
  override name = 'PoolError';
  constructor(
    readonly code: 'timeout' | 'draining' | 'create-failed' | 'not-from-pool',
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}
