// Outside the sandbox, between calls: an idle extension's whole process tree is stopped (SIGSTOP)
// and started again (SIGCONT) for its next call, so timers and loops it left behind never run
// unwatched, past every time limit.
import { treePids } from './watchdog.js';

/**
 * Idle time after a call before the sandbox is frozen: what an extension leaves running after its
 * answer gets at most this much time unwatched, and a caller making calls back to back never waits
 * for a freeze and a thaw.
 */
export const FREEZE_AFTER_MS = 50;

/** Freezes one process tree when idle, thaws it for work; every freeze and thaw in order. */
export class TreeFreezer {
  #frozen = false;
  #timer: NodeJS.Timeout | undefined;
  /** Freezes and thaws, in order: a freeze that began before a call cannot land after its thaw. */
  #signals: Promise<void> = Promise.resolve();

  /** `pid`: the tree's root (bwrap); `mayFreeze`: false while the process is alive and busy, or gone. */
  constructor(
    private readonly pid: number | undefined,
    private readonly mayFreeze: () => boolean,
  ) {}

  /** Freezes the tree once it has been idle {@link FREEZE_AFTER_MS}. */
  soon(): void {
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => void this.#freeze(), FREEZE_AFTER_MS);
    this.#timer.unref();
  }

  /** Cancels a pending freeze and thaws the tree if it is frozen; resolves once it runs again. */
  thaw(): Promise<void> {
    this.cancel();
    return this.#signal(() => {
      if (!this.#frozen) return undefined;
      this.#frozen = false;
      return 'SIGCONT';
    });
  }

  /** Cancels a pending freeze (the process is gone, or a call begins). */
  cancel(): void {
    clearTimeout(this.#timer);
  }

  #freeze(): Promise<void> {
    return this.#signal(() => {
      if (this.#frozen || !this.mayFreeze()) return undefined;
      this.#frozen = true;
      return 'SIGSTOP';
    });
  }

  /** Sends the signal `decide` picks (if any) to the whole tree, after every earlier one. */
  #signal(decide: () => NodeJS.Signals | undefined): Promise<void> {
    const { pid } = this;
    const next = this.#signals.then(async () => {
      const signal = pid === undefined ? undefined : decide();
      if (signal === undefined || pid === undefined) return;
      for (const one of await treePids(pid)) {
        try {
          process.kill(one, signal);
        } catch {
          // Gone meanwhile.
        }
      }
    });
    this.#signals = next.catch(() => {});
    return next;
  }
}
