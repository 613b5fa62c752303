// The latest token each user presented to this orchestrator (a request, a socket's hello or token
// message): what their runs' documents, resumes and run records are done with.
import type { TeamIdentity } from './TeamAuthority.js';

interface Held {
  readonly token: string;
  readonly userId: string;
  /** Seconds since the epoch. */
  readonly exp: number;
}

/**
 * Tokens by user name (a run's `startedBy`), kept in memory only: a restarted orchestrator waits
 * for each user to present one again. Of two tokens the one that expires later is kept (a stale tab
 * presenting an old token does not replace a refreshed one); an expired token is never answered.
 * Time is injected (milliseconds since the epoch).
 */
export class UserTokens {
  readonly #held = new Map<string, Held>();
  readonly #listeners = new Set<(userName: string) => void>();

  constructor(private readonly now: () => number) {}

  /** Keeps `token` of `user` (OFB just accepted it) and tells the listeners that `user` is here. */
  present(user: TeamIdentity, token: string): void {
    const held = this.#held.get(user.userName);
    if (held === undefined || held.exp <= user.exp || this.#expired(held)) {
      this.#held.set(user.userName, { token, userId: user.userId, exp: user.exp });
    }
    for (const listener of [...this.#listeners]) listener(user.userName);
  }

  /** The user's latest unexpired token, or undefined. */
  tokenOf(userName: string): string | undefined {
    const held = this.#held.get(userName);
    if (held === undefined) return undefined;
    if (this.#expired(held)) {
      this.#held.delete(userName);
      return undefined;
    }
    return held.token;
  }

  /** Forgets `token` wherever it is held (OFB refused it: revoked, signed out). */
  revoke(token: string): void {
    for (const [name, held] of this.#held) if (held.token === token) this.#held.delete(name);
  }

  /** Calls `listener` with the user's name every time a user presents a token; returns the stop function. */
  onPresent(listener: (userName: string) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  #expired(held: Held): boolean {
    return held.exp * 1000 <= this.now();
  }
}
