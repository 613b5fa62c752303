// The PoolManager: one pool per kind of instance (an extension's processes, an instrument's
// clients), made on first ask, listed for the monitor, drained together on shutdown.
import type { PoolErrorSink, WarmPoolOptions } from './options.js';
import { type Pool, PoolError, type PoolOptions, type PoolStats } from './PoolManager.js';
import { WarmPool } from './WarmPool.js';

/** How a {@link PoolManager} makes its pools. */
export interface PoolManagerOptions {
  /** Makes one kind's pool; default: a {@link WarmPool}. */
  readonly makePool?: <T>(options: WarmPoolOptions<T>) => Pool<T>;
  /** Given to every pool that has no `onError` of its own. */
  readonly onError?: PoolErrorSink;
}

/** The settings two `pool()` calls for one kind must agree on. */
const SETTINGS = ['prewarm', 'max', 'idleTimeoutMs', 'healthCheckMs', 'acquireTimeoutMs'] as const;

interface Registered {
  readonly pool: Pool<unknown>;
  readonly options: PoolOptions<unknown>;
}

/** Every pool of the process, by kind. */
export class PoolManager {
  private readonly pools = new Map<string, Registered>();
  private closing: Promise<void> | undefined;

  constructor(private readonly managerOptions: PoolManagerOptions = {}) {}

  /**
   * The pool of `options.kind`, made now if there is none. Asking again with the same factory and
   * settings returns the same pool; a different factory or setting for a kind is a mistake (two
   * callers disagree on what the kind is) and throws.
   */
  pool<T>(options: WarmPoolOptions<T>): Pool<T> {
    if (this.closing) {
      throw new PoolError('draining', `PoolManager.pool("${options.kind}") after drain()/close()`);
    }
    const existing = this.pools.get(options.kind);
    if (existing) {
      this.checkSame(existing.options, options);
      return existing.pool as Pool<T>;
    }
    const makePool = this.managerOptions.makePool ?? (<U>(o: WarmPoolOptions<U>) => new WarmPool<U>(o));
    const onError = options.onError ?? this.managerOptions.onError;
    const pool = makePool<T>(onError ? { ...options, onError } : options);
    this.pools.set(options.kind, { pool: pool as Pool<unknown>, options: options as PoolOptions<unknown> });
    return pool;
  }

  /** The pool of `kind`, if one was made. */
  get<T = unknown>(kind: string): Pool<T> | undefined {
    return this.pools.get(kind)?.pool as Pool<T> | undefined;
  }

  /** Every pool's figures, in the order the pools were made. */
  stats(): PoolStats[] {
    return [...this.pools.values()].map((entry) => entry.pool.stats());
  }

  /** Drains every pool at once (each waits at most `timeoutMs` for its busy instances); no pools after. */
  drain(timeoutMs?: number): Promise<void> {
    this.closing ??= Promise.all([...this.pools.values()].map((entry) => entry.pool.drain(timeoutMs))).then(
      () => {},
    );
    return this.closing;
  }

  /** Ends everything now, busy instances too: for process exit and test teardown. */
  close(): Promise<void> {
    return this.drain(0);
  }

  private checkSame(existing: PoolOptions<unknown>, asked: PoolOptions<unknown>): void {
    if (existing.factory !== asked.factory) {
      throw new Error(
        `PoolManager.pool("${asked.kind}"): a pool of this kind already exists with another factory; ` +
          'use one factory per kind, or give the second its own kind',
      );
    }
    const differs = SETTINGS.filter((key) => existing[key] !== asked[key]);
    if (differs.length > 0) {
      throw new Error(
        `PoolManager.pool("${asked.kind}"): a pool of this kind already exists with other ${differs.join(', ')}; ` +
          'ask with the same settings or use get()',
      );
    }
  }
}
