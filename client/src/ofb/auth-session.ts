// The signed-in user's OFB session (AuthSession): kept in localStorage, refreshed before it expires,
// retried quietly offline, and asking to sign in again when OFB refuses it.
import { z } from 'zod';
import type { StringStore } from '../core/StringStore.js';
import type { OfbSession } from './ofb-client.js';
import { OfbRequestError } from './ofb-errors.js';

/** localStorage key of the signed-in session. */
export const SESSION_KEY = 'symphony:session';

/** The session as kept in localStorage: the token, when it expires (ms) and who it is. */
export const StoredSession = z.object({
  access_token: z.string().min(1),
  expires_at: z.number(),
  user: z.object({ id: z.string().min(1), name: z.string().min(1) }),
});
export type StoredSession = z.infer<typeof StoredSession>;

/** Refresh this long before expiry: 2 minutes covers a sleeping laptop's clock drift and a slow network. */
const REFRESH_MARGIN_MS = 2 * 60_000;
/** After a refresh that could not reach OFB, try again this often. */
const OFFLINE_RETRY_MS = 30_000;

/** Where the session stands. */
export const AuthStatus = {
  /** Nobody is signed in: show the sign-in screen. */
  signedOut: 'signed-out',
  /** Signed in (the token may be expired while offline; local work goes on). */
  signedIn: 'signed-in',
  /**
   * OFB refused the token (401): the person must sign in again. Their user and local edits stay;
   * nothing syncs until they do.
   */
  needsSignIn: 'needs-sign-in',
} as const;
export type AuthStatus = (typeof AuthStatus)[keyof typeof AuthStatus];

/** How a refresh ended. */
export type RefreshOutcome = 'refreshed' | 'offline' | 'refused' | 'signed-out';

/** Options for {@link AuthSession}. */
export interface AuthSessionOptions {
  readonly store: StringStore;
  /** Calls OFB's `refresh-session` with `token`. */
  readonly refresh: (token: string) => Promise<OfbSession>;
  readonly now: () => number;
  readonly setTimer?: (run: () => void, ms: number) => unknown;
  readonly clearTimer?: (handle: unknown) => void;
}

/**
 * The signed-in user's OFB session: kept in localStorage (`symphony:session`), refreshed through
 * `refresh-session` before it expires and whenever a socket reports an expired token. Offline, a
 * failed refresh is retried quietly; a refused one asks the person to sign in again.
 */
export class AuthSession {
  private value: StoredSession | null;
  private statusValue: AuthStatus;
  private readonly listeners = new Set<() => void>();
  private refreshing: Promise<RefreshOutcome> | null = null;
  private timer: unknown = null;
  private readonly setTimer: (run: () => void, ms: number) => unknown;
  private readonly clearTimer: (handle: unknown) => void;

  constructor(private readonly options: AuthSessionOptions) {
    this.setTimer = options.setTimer ?? ((run, ms) => setTimeout(run, ms));
    this.clearTimer = options.clearTimer ?? ((h) => clearTimeout(h as ReturnType<typeof setTimeout>));
    this.value = readSession(options.store);
    this.statusValue = this.value === null ? AuthStatus.signedOut : AuthStatus.signedIn;
    this.schedule();
  }

  /** The session, or `null` when signed out. */
  get session(): StoredSession | null {
    return this.value;
  }

  /** The current access token (possibly expired while offline), or `null`. */
  get token(): string | null {
    return this.value?.access_token ?? null;
  }

  get status(): AuthStatus {
    return this.statusValue;
  }

  /** Calls `listener` whenever the session or status changes. */
  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Keeps a session OFB just issued (sign-in, sign-up, refresh). */
  accept(session: OfbSession): void {
    this.value = {
      access_token: session.access_token,
      expires_at: this.options.now() + session.expires_in * 1000,
      user: { id: session.user.id, name: session.user.name },
    };
    this.options.store.setItem(SESSION_KEY, JSON.stringify(this.value));
    this.statusValue = AuthStatus.signedIn;
    this.schedule();
    this.emit();
  }

  /** Forgets the session (local documents stay in this browser). */
  signOut(): void {
    this.clearTimer(this.timer);
    this.timer = null;
    this.value = null;
    this.options.store.removeItem(SESSION_KEY);
    this.statusValue = AuthStatus.signedOut;
    this.emit();
  }

  /**
   * Trades the token for a fresh one. Concurrent calls share one request. `offline`: OFB could not
   * be reached (retried later on its own); `refused`: the person must sign in again.
   */
  refresh(): Promise<RefreshOutcome> {
    this.refreshing ??= this.doRefresh().finally(() => {
      this.refreshing = null;
    });
    return this.refreshing;
  }

  private async doRefresh(): Promise<RefreshOutcome> {
    const current = this.value;
    if (current === null) return 'signed-out';
    try {
      const fresh = await this.options.refresh(current.access_token);
      if (this.value?.user.id !== current.user.id) return 'signed-out';
      this.accept(fresh);
      return 'refreshed';
    } catch (error) {
      if (error instanceof OfbRequestError && error.isAuth) {
        this.statusValue = AuthStatus.needsSignIn;
        this.emit();
        return 'refused';
      }
      this.scheduleIn(OFFLINE_RETRY_MS);
      return 'offline';
    }
  }

  private schedule(): void {
    if (this.value === null) return;
    this.scheduleIn(Math.max(0, this.value.expires_at - REFRESH_MARGIN_MS - this.options.now()));
  }

  private scheduleIn(ms: number): void {
    this.clearTimer(this.timer);
    // Timers longer than 2^31-1 ms fire at once; a session that long needs no timer anyway.
    this.timer = this.setTimer(
      () => {
        this.timer = null;
        void this.refresh();
      },
      Math.min(ms, 2 ** 31 - 1),
    );
  }

  private emit(): void {
    for (const listener of [...this.listeners]) listener();
  }
}

function readSession(store: StringStore): StoredSession | null {
  try {
    const raw = store.getItem(SESSION_KEY);
    if (raw === null) return null;
    const parsed = StoredSession.safeParse(JSON.parse(raw));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}
