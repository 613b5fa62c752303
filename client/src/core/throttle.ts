/**
 * Wraps `action` so it runs at most once per `intervalMs`: at once on the first call, then once
 * more at the end of the interval if calls arrived meanwhile. `cancel` drops a pending run;
 * `flush` runs it now. Timers are injected so tests control time.
 */
export function throttle(
  action: () => void,
  intervalMs: number,
  timers: {
    setTimeout: (fn: () => void, ms: number) => unknown;
    clearTimeout: (handle: unknown) => void;
  } = {
    setTimeout: (fn, ms) => globalThis.setTimeout(fn, ms),
    clearTimeout: (handle) => globalThis.clearTimeout(handle as ReturnType<typeof setTimeout>),
  },
): { (): void; cancel(): void; flush(): void } {
  let timer: unknown = null;
  let pending = false;
  const fire = (): void => {
    timer = null;
    if (pending) {
      pending = false;
      action();
      timer = timers.setTimeout(fire, intervalMs);
    }
  };
  const run = (): void => {
    if (timer === null) {
      action();
      timer = timers.setTimeout(fire, intervalMs);
    } else {
      pending = true;
    }
  };
  run.cancel = (): void => {
    if (timer !== null) timers.clearTimeout(timer);
    timer = null;
    pending = false;
  };
  run.flush = (): void => {
    const had = pending;
    run.cancel();
    if (had) action();
  };
  return run;
}
