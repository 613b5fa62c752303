// Revalidator, the periodic re-check of every open connection's access in one authorizeMany call a round,
// so a removed member or a changed role takes effect within seconds.
import type { Logger } from '../logger.js';
import {
  type Access,
  type AccessCheck,
  type AccessControl,
  accessCheckKey,
  type Denial,
  DenialReason,
} from './AccessControl.js';

/** One open connection's standing question, and what to do with each fresh answer. */
export interface Watched extends AccessCheck {
  /**
   * Called with every answer other than `unavailable` (a short outage does not close connections),
   * and with an `unavailable` denial once the last confirmed answer is older than `maxStaleMs`.
   */
  onAnswer(answer: Access | Denial): void;
}

/** 30 s: how long a connection stays open on access nobody could confirm (OFB unreachable). */
export const DEFAULT_MAX_STALE_MS = 30_000;

/**
 * Re-asks the authority about every watched (token, resource) every `intervalMs`, with one
 * `authorizeMany` call per round (identical questions asked once), so a removed member or a
 * changed role takes effect within about one interval. Runs only while something is watched; a
 * round starts only after the previous one answered.
 */
export class Revalidator {
  private readonly watched = new Set<Watched>();
  /** When each watched question was last answered (anything but `unavailable`). */
  private readonly confirmedAt = new Map<Watched, number>();
  private timer: NodeJS.Timeout | undefined;
  private running = false;
  private closed = false;

  constructor(
    private readonly access: AccessControl,
    private readonly intervalMs: number,
    private readonly log: Logger,
    /**
     * A connection whose access has not been confirmed for this long (the authority unreachable)
     * is told `unavailable` (closed with 4503): a removed member must not keep access for as long
     * as OFB is down.
     */
    private readonly maxStaleMs: number = DEFAULT_MAX_STALE_MS,
    private readonly now: () => number = Date.now,
  ) {}

  /** Starts watching; returns the function that stops. */
  watch(watched: Watched): () => void {
    this.watched.add(watched);
    this.confirmedAt.set(watched, this.now());
    this.schedule();
    return () => {
      this.watched.delete(watched);
      this.confirmedAt.delete(watched);
      if (this.watched.size === 0 && this.timer) {
        clearTimeout(this.timer);
        this.timer = undefined;
      }
    };
  }

  /** Stops every round. */
  close(): void {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.watched.clear();
    this.confirmedAt.clear();
  }

  private schedule(): void {
    if (this.timer || this.running || this.closed || this.watched.size === 0) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.round();
    }, this.intervalMs);
    this.timer.unref();
  }

  /** Tells every watcher among `unconfirmed` whose access is too old to keep that it is unavailable. */
  private expireUnconfirmed(unconfirmed: readonly Watched[]): void {
    const at = this.now();
    let closed = 0;
    for (const w of unconfirmed) {
      const since = this.confirmedAt.get(w);
      if (!this.watched.has(w) || since === undefined || at - since <= this.maxStaleMs) continue;
      closed++;
      w.onAnswer({
        ok: false,
        reason: DenialReason.unavailable,
        message: `access not confirmed for ${Math.round((at - since) / 1000)} s (authority unreachable)`,
      });
    }
    if (closed > 0)
      this.log.warn('closing connections whose access could not be confirmed', { checks: closed });
  }

  private async round(): Promise<void> {
    this.running = true;
    try {
      const groups = new Map<string, Watched[]>();
      for (const w of this.watched) {
        const key = accessCheckKey(w.token, w.resourceId);
        const group = groups.get(key);
        if (group) group.push(w);
        else groups.set(key, [w]);
      }
      const questions = [...groups.values()];
      const answers = await this.access.authorizeMany(
        questions.map(([w]) => ({ token: w!.token, resourceId: w!.resourceId })),
      );
      let outage = 0;
      const unconfirmed: Watched[] = [];
      const at = this.now();
      questions.forEach((group, i) => {
        const answer = answers[i];
        if (!answer || (!answer.ok && answer.reason === DenialReason.unavailable)) {
          outage++;
          unconfirmed.push(...group);
          return;
        }
        for (const w of group) {
          if (!this.watched.has(w)) continue;
          this.confirmedAt.set(w, at);
          w.onAnswer(answer);
        }
      });
      if (outage > 0) this.log.warn('could not re-check access; connections kept', { checks: outage });
      this.expireUnconfirmed(unconfirmed);
    } catch (error) {
      this.log.warn('could not re-check access; connections kept', { error: String(error) });
      this.expireUnconfirmed([...this.watched]);
    } finally {
      this.running = false;
      this.schedule();
    }
  }
}
