// The callers of `acquire` waiting for an instance: first come, first served, each with its own
// deadline and abort signal. Only the slow path (nothing idle) comes here, so allocation is fine.

/** One waiting `acquire`. Settled once: served, timed out, aborted or rejected by a drain. */
export class Waiter<T> {
  settled = false;
  timer: ReturnType<typeof setTimeout> | undefined;
  onAbort: (() => void) | undefined;

  constructor(
    readonly resolve: (instance: T) => void,
    readonly reject: (error: unknown) => void,
    readonly signal: AbortSignal | undefined,
  ) {}

  /** Stops the deadline and the abort listener; true the first time only. */
  detach(): boolean {
    if (this.settled) return false;
    this.settled = true;
    clearTimeout(this.timer);
    if (this.onAbort) this.signal?.removeEventListener('abort', this.onAbort);
    return true;
  }
}

/** A FIFO of {@link Waiter}s. */
export class WaiterQueue<T> {
  private readonly queue: Waiter<T>[] = [];

  get length(): number {
    return this.queue.length;
  }

  /**
   * Adds a waiter that rejects with `timeoutError()` after `timeoutMs` or with the signal's reason
   * on abort, leaving the queue either way. The deadline is unref'd: a process with nothing else to
   * do exits rather than wait for an instance nobody can release.
   */
  enqueue(
    timeoutMs: number,
    signal: AbortSignal | undefined,
    timeoutError: () => Error,
  ): { waiter: Waiter<T>; promise: Promise<T> } {
    let waiter!: Waiter<T>;
    const promise = new Promise<T>((resolve, reject) => {
      waiter = new Waiter<T>(resolve, reject, signal);
      this.queue.push(waiter);
      waiter.timer = setTimeout(() => this.fail(waiter, timeoutError()), timeoutMs);
      waiter.timer.unref?.();
      if (signal) {
        waiter.onAbort = () => this.fail(waiter, signal.reason);
        signal.addEventListener('abort', waiter.onAbort, { once: true });
      }
    });
    return { waiter, promise };
  }

  /** Hands `instance` to the oldest waiter; false when nobody waits. */
  serve(instance: T): boolean {
    const waiter = this.queue.shift();
    if (waiter === undefined) return false;
    waiter.detach();
    waiter.resolve(instance);
    return true;
  }

  /** Takes `waiter` out and rejects it with `error`; false when it no longer waited. */
  fail(waiter: Waiter<T>, error: unknown): boolean {
    const index = this.queue.indexOf(waiter);
    if (index >= 0) this.queue.splice(index, 1);
    if (!waiter.detach()) return false;
    waiter.reject(error);
    return true;
  }

  /** Rejects every waiter with `error` (a drain). */
  failAll(error: unknown): void {
    for (const waiter of this.queue.splice(0)) if (waiter.detach()) waiter.reject(error);
  }
}
