import type { Logger } from '../logger.js';
import {
  type Access,
  type AccessCheck,
  type AccessControl,
  type Denial,
  DenialReason,
} from './AccessControl.js';

/** One open connection's standing question, and what to do with each fresh answer. */
export interface Watched extends AccessCheck {
  /** Called with every answer other than `unavailable` (an outage does not close connections). */
  onAnswer(answer: Access | Denial): void;
}

/**
 * Re-asks the authority about every watched (token, resource) every `intervalMs`, with one
 * `authorizeMany` call per round (identical questions asked once), so a removed member or a
 * changed role takes effect within about one interval. Runs only while something is watched; a
 * round starts only after the previous one answered.
 */
export class Revalidator {
  private readonly watched = new Set<Watched>();
  private timer: NodeJS.Timeout | undefined;
  private running = false;
  private closed = false;

  constructor(
    private readonly access: AccessControl,
    private readonly intervalMs: number,
    private readonly log: Logger,
  ) {}

  /** Starts watching; returns the function that stops. */
  watch(watched: Watched): () => void {
    this.watched.add(watched);
    this.schedule();
    return () => {
      this.watched.delete(watched);
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
  }

  private schedule(): void {
    if (this.timer || this.running || this.closed || this.watched.size === 0) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.round();
    }, this.intervalMs);
    this.timer.unref();
  }

  private async round(): Promise<void> {
    this.running = true;
    try {
      const groups = new Map<string, Watched[]>();
      for (const w of this.watched) {
        const key = `${w.resourceId}\u0000${w.token}`;
        const group = groups.get(key);
        if (group) group.push(w);
        else groups.set(key, [w]);
      }
      const questions = [...groups.values()];
      const answers = await this.access.authorizeMany(
        questions.map(([w]) => ({ token: w!.token, resourceId: w!.resourceId })),
      );
      let outage = 0;
      questions.forEach((group, i) => {
        const answer = answers[i];
        if (!answer || (!answer.ok && answer.reason === DenialReason.unavailable)) {
          outage++;
          return;
        }
        for (const w of group) if (this.watched.has(w)) w.onAnswer(answer);
      });
      if (outage > 0) this.log.warn('could not re-check access; connections kept', { checks: outage });
    } catch (error) {
      this.log.warn('could not re-check access; connections kept', { error: String(error) });
    } finally {
      this.running = false;
      this.schedule();
    }
  }
}
