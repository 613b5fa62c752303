// The latest token each user presented to this orchestrator (a request, a socket's hello or token
// message): what their runs' documents, resumes and run records are done with.
import type { TeamIdentity } from './TeamAuthority.js';

/** A user as a run remembers them: OFB's id (what tokens are held by) and their sign-in name. */
export interface RunUser {
  readonly userId: string;
  readonly userName: string;
}

interface Held {
  readonly token: string;
  readonly userName: string;
  /** Seconds since the epoch. */
  readonly exp: number;
}

/**
 * Tokens by user id, kept in memory only: a restarted orchestrator waits for each user to present
 * one again. Names are not identities (a user OFB has no name for is named by their id, and a name
 * may look like an id), so a token is only ever answered for the id it was issued to; a name is
 * turned into a user only when exactly one user holding a token here goes by it
 * ({@link UserTokens.userNamed}). Of two tokens of one user the one that expires later is kept (a
 * stale tab presenting an old token does not replace a refreshed one); an expired token is never
 * answered. Time is injected (milliseconds since the epoch).
 */
export class UserTokens {
  readonly #held = new Map<string, Held>();
  readonly #listeners = new Set<(user: RunUser) => void>();

  constructor(private readonly now: () => number) {}

  /** Keeps `token` of `user` (OFB just accepted it) and tells the listeners that `user` is here. */
  present(user: TeamIdentity, token: string): void {
    const held = this.#held.get(user.userId);
    if (held === undefined || held.exp <= user.exp || this.#expired(held)) {
      this.#held.set(user.userId, { token, userName: user.userName, exp: user.exp });
    }
    const here: RunUser = { userId: user.userId, userName: user.userName };
    for (const listener of [...this.#listeners]) listener(here);
  }

  /** The latest unexpired token of the user with id `userId`, or undefined. */
  tokenOf(userId: string): string | undefined {
    const held = this.#held.get(userId);
    if (held === undefined) return undefined;
    if (this.#expired(held)) {
      this.#held.delete(userId);
      return undefined;
    }
    return held.token;
  }

  /**
   * The one user holding an unexpired token here who goes by `userName`; undefined when none does,
   * or more than one (then the name says not whose it is). For a run whose journal names its starter
   * by name only (one `symphony run` started).
   */
  userNamed(userName: string): RunUser | undefined {
    let found: RunUser | undefined;
    for (const [userId, held] of this.#held) {
      if (held.userName !== userName || this.#expired(held)) continue;
      if (found !== undefined) return undefined;
      found = { userId, userName };
    }
    return found;
  }

  /** Forgets `token` wherever it is held (OFB refused it: revoked, signed out). */
  revoke(token: string): void {
    for (const [userId, held] of this.#held) if (held.token === token) this.#held.delete(userId);
  }

  /** Calls `listener` with the user every time a user presents a token; returns the stop function. */
  onPresent(listener: (user: RunUser) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  #expired(held: Held): boolean {
    return held.exp * 1000 <= this.now();
  }
}
