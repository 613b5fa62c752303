// A Pool that keeps warm instances of one kind on a stack: a hit is a pop and a write, a release a
// Map lookup and a push. Everything that can wait (creating, waiting, checking, evicting, draining)
// lives off that path.
import {
  type PoolActivity,
  type ResolvedPoolOptions,
  resolvePoolOptions,
  type WarmPoolOptions,
} from './options.js';
import { type Pool, PoolError, type PoolStats } from './PoolManager.js';
import { WaiterQueue } from './waiters.js';

/** Where an instance is. Numbers, so the hot path compares small integers. */
const State = { idle: 0, busy: 1, gone: 2 } as const;
type State = (typeof State)[keyof typeof State];

/**
 * How many sweeps an idle-timeout spans. Eviction runs on a coarse clock (a counter the sweep
 * timer advances) so `release` never reads the time: an instance is ended after between 1 and 1.25
 * times `idleTimeoutMs` idle.
 */
const SWEEPS_PER_IDLE_TIMEOUT = 4;

/** One instance and its bookkeeping, made once when the instance is created. */
class Entry<T> {
  state: State = State.busy;
  /** The sweep count when it last became idle. */
  idleSweep = 0;
  constructor(readonly instance: T) {}
}

/**
 * The warm pool adapter of {@link Pool}. Idle instances sit on a LIFO stack (the most recently used
 * one goes out first, its caches warm; the bottom of the stack is the oldest, so eviction cuts a
 * prefix). Timers are unref'd, so a pool never keeps a process alive.
 */
export class WarmPool<T> implements Pool<T> {
  readonly kind: string;
  private readonly options: ResolvedPoolOptions<T>;
  private readonly idle: Entry<T>[] = [];
  /** Every live instance, idle or busy; instances a drain ended by force stay as `gone`. */
  private readonly entries = new Map<T, Entry<T>>();
  private readonly waiters = new WaiterQueue<T>();
  /** Aborted by `drain`: creates in flight see it. */
  private readonly lifetime = new AbortController();
  private readonly destroying = new Set<Promise<void>>();
  private busy = 0;
  private starting = 0;
  private created = 0;
  private destroyed = 0;
  private replaced = 0;
  /** Dead instances ended while the pool needed one: the next creates count as replacements. */
  private owedReplacements = 0;
  private sweeps = 0;
  private createFailures = 0;
  private checking = false;
  private draining = false;
  private drained: Promise<void> | undefined;
  /** Called when the last busy instance or create settles during a drain. */
  private onQuiet: (() => void) | undefined;
  private readonly timers: ReturnType<typeof setInterval>[] = [];
  private retryTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(options: WarmPoolOptions<T>) {
    this.options = resolvePoolOptions(options);
    this.kind = this.options.kind;
    const { idleTimeoutMs, healthCheckMs } = this.options;
    if (idleTimeoutMs > 0) {
      this.every(Math.max(1, Math.ceil(idleTimeoutMs / SWEEPS_PER_IDLE_TIMEOUT)), () => this.sweep());
    }
    if (healthCheckMs > 0 && this.options.factory.healthy)
      this.every(healthCheckMs, () => this.checkHealth());
    this.fill();
  }

  tryAcquire(): T | undefined {
    const entry = this.idle.pop();
    if (entry === undefined) return undefined;
    entry.state = State.busy;
    this.busy++;
    return entry.instance;
  }

  acquire(signal?: AbortSignal): Promise<T> {
    if (signal?.aborted) return Promise.reject(signal.reason);
    const hit = this.tryAcquire();
    if (hit !== undefined) return Promise.resolve(hit);
    if (this.draining) return Promise.reject(this.drainingError('acquire()'));
    const { waiter, promise } = this.waiters.enqueue(this.options.acquireTimeoutMs, signal, () =>
      this.timeoutError(),
    );
    // The waiter counts in the deficit: a create already in flight may be enough to serve it.
    if (this.deficit() > 0) {
      this.spawn((error) => {
        const message = `pool "${this.kind}": could not start an instance: ${messageOf(error)}`;
        return this.waiters.fail(waiter, new PoolError('create-failed', message, { cause: error }));
      });
    }
    return promise;
  }

  release(instance: T, broken = false): void {
    const entry = this.entries.get(instance);
    if (entry === undefined || entry.state !== State.busy) {
      this.misreleased(entry);
      return;
    }
    this.busy--;
    if (broken || this.draining) {
      this.retire(entry, broken);
      return;
    }
    if (this.waiters.length !== 0) {
      this.offer(entry);
      return;
    }
    entry.state = State.idle;
    entry.idleSweep = this.sweeps;
    this.idle.push(entry);
  }

  stats(): PoolStats {
    return {
      kind: this.kind,
      idle: this.idle.length,
      busy: this.busy,
      starting: this.starting,
      waiting: this.waiters.length,
      created: this.created,
      destroyed: this.destroyed,
      replaced: this.replaced,
    };
  }

  drain(timeoutMs = this.options.drainTimeoutMs): Promise<void> {
    this.drained ??= this.drainNow(timeoutMs);
    return this.drained;
  }

  private async drainNow(timeoutMs: number): Promise<void> {
    this.draining = true;
    for (const timer of this.timers) clearInterval(timer);
    clearTimeout(this.retryTimer);
    this.lifetime.abort(this.drainingError('create()'));
    this.waiters.failAll(this.drainingError('acquire()'));
    for (const entry of this.idle.splice(0)) this.retire(entry, false);
    if (this.busy + this.starting > 0) {
      // A ref'd timer on purpose: a drain on shutdown must get to end the busy instances.
      let deadline: ReturnType<typeof setTimeout> | undefined;
      await new Promise<void>((resolve) => {
        this.onQuiet = resolve;
        deadline = setTimeout(resolve, timeoutMs);
      });
      clearTimeout(deadline);
      this.onQuiet = undefined;
    }
    for (const entry of this.entries.values()) {
      if (entry.state === State.busy) {
        this.busy--;
        this.retire(entry, false, true);
      }
    }
    while (this.destroying.size > 0) await Promise.allSettled([...this.destroying]);
  }

  /** Ends `entry`'s instance; `dead`: it failed, so a replacement is owed if the pool needs one. */
  private retire(entry: Entry<T>, dead: boolean, forced = false): void {
    entry.state = State.gone;
    if (!forced) this.entries.delete(entry.instance);
    this.destroyed++;
    const ending = this.destroyQuietly(entry.instance);
    this.destroying.add(ending);
    void ending.finally(() => this.destroying.delete(ending));
    if (this.draining) {
      this.quietCheck();
      return;
    }
    if (dead && this.deficit() > 0) this.owedReplacements++;
    this.fill();
  }

  private async destroyQuietly(instance: T): Promise<void> {
    try {
      await this.options.factory.destroy(instance);
    } catch (error) {
      this.report(error, 'destroy');
    }
  }

  /** Gives a fresh or returned instance to the oldest waiter, or puts it on the idle stack. */
  private offer(entry: Entry<T>): void {
    entry.state = State.busy;
    this.busy++;
    if (this.waiters.serve(entry.instance)) return;
    this.busy--;
    entry.state = State.idle;
    entry.idleSweep = this.sweeps;
    this.idle.push(entry);
  }

  /** Instances the pool should have and does not: up to `prewarm`, or one per waiter, within the cap. */
  private deficit(): number {
    const target = Math.min(
      this.options.max,
      Math.max(this.options.prewarm, this.busy + this.waiters.length),
    );
    return target - (this.idle.length + this.busy + this.starting);
  }

  /** Starts the creates the deficit asks for, unless a failed one is backing off. */
  private fill(): void {
    if (this.draining || this.retryTimer !== undefined) return;
    for (let need = this.deficit(); need > 0; need--) this.spawn(undefined);
  }

  /**
   * Creates one instance in the background for whoever needs one first. A failure goes to `onFail`
   * (the acquire that asked for it: true if it still waited to hear), else to the error sink; a
   * retry follows while the pool is short.
   */
  private spawn(onFail: ((error: unknown) => boolean) | undefined): void {
    this.starting++;
    this.options.factory.create(this.lifetime.signal).then(
      (instance) => {
        this.starting--;
        this.created++;
        this.createFailures = 0;
        const entry = new Entry(instance);
        this.entries.set(instance, entry);
        if (this.draining) {
          this.retire(entry, false);
          return;
        }
        if (this.owedReplacements > 0) {
          this.owedReplacements--;
          this.replaced++;
        }
        this.offer(entry);
      },
      (error: unknown) => {
        this.starting--;
        if (this.draining) {
          this.quietCheck();
          return;
        }
        this.createFailures++;
        if (!onFail?.(error)) this.report(error, 'create');
        this.scheduleRetry();
      },
    );
  }

  /** After a failed create: tries again later, doubling the delay, while the pool still lacks instances. */
  private scheduleRetry(): void {
    if (this.retryTimer !== undefined || this.deficit() <= 0) return;
    const { retryInitialMs, retryMaxMs } = this.options;
    const delay = Math.min(retryMaxMs, retryInitialMs * 2 ** Math.min(30, this.createFailures - 1));
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      this.fill();
    }, delay);
    this.retryTimer.unref?.();
  }

  /** Advances the coarse clock and ends instances idle for a whole timeout, oldest first, down to `prewarm`. */
  private sweep(): void {
    this.sweeps++;
    const oldEnough = this.sweeps - SWEEPS_PER_IDLE_TIMEOUT;
    let surplus = this.idle.length + this.busy + this.starting - this.options.prewarm;
    let cut = 0;
    while (cut < this.idle.length && surplus > 0 && this.idle[cut]!.idleSweep < oldEnough) {
      cut++;
      surplus--;
    }
    for (const entry of this.idle.splice(0, cut)) this.retire(entry, false);
  }

  /** Asks the factory about every idle instance; ends and replaces those it calls dead. */
  private async checkHealth(): Promise<void> {
    const healthy = this.options.factory.healthy;
    if (this.checking || !healthy) return;
    this.checking = true;
    try {
      const snapshot = this.idle.slice();
      const verdicts = await Promise.all(
        snapshot.map(async (entry) => {
          try {
            return await healthy(entry.instance);
          } catch (error) {
            this.report(error, 'health-check');
            return false;
          }
        }),
      );
      snapshot.forEach((entry, i) => {
        // One taken meanwhile is its holder's now: they will find it broken and say so.
        if (verdicts[i] || entry.state !== State.idle || this.draining) return;
        this.idle.splice(this.idle.indexOf(entry), 1);
        this.retire(entry, true);
      });
    } finally {
      this.checking = false;
    }
  }

  private every(ms: number, run: () => void | Promise<void>): void {
    const timer = setInterval(run, ms);
    timer.unref?.();
    this.timers.push(timer);
  }

  private quietCheck(): void {
    if (this.busy + this.starting === 0) this.onQuiet?.();
  }

  private misreleased(entry: Entry<T> | undefined): void {
    if (entry?.state === State.gone) return; // Ended by a drain's deadline while its holder still had it.
    throw new PoolError(
      'not-from-pool',
      entry === undefined
        ? `pool "${this.kind}": release() of an instance this pool did not hand out (or already ended); release it to the pool it came from`
        : `pool "${this.kind}": release() of an instance that is idle: it was released twice`,
    );
  }

  private timeoutError(): PoolError {
    const { max, acquireTimeoutMs } = this.options;
    return new PoolError(
      'timeout',
      `pool "${this.kind}": no instance within ${acquireTimeoutMs} ms; all ${max} (the cap) are busy or starting ` +
        `(${this.busy} busy, ${this.starting} starting, ${this.waiters.length} waiting). ` +
        'Raise max or acquireTimeoutMs, or release instances sooner',
    );
  }

  private drainingError(api: string): PoolError {
    return new PoolError('draining', `pool "${this.kind}": ${api} after drain(): the pool is shutting down`);
  }

  private report(error: unknown, during: PoolActivity): void {
    try {
      this.options.onError(error, { kind: this.kind, during });
    } catch {
      // A sink that throws must not break the pool; there is nowhere left to report it.
    }
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
