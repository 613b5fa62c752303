// OFB's sign-in sessions: starting, refreshing, checking (with a short cache of live ones) and revoking
// them, so a signed-out session's tokens are refused.
import { randomUUID } from 'node:crypto';
import { MAX_SESSION_SECONDS, OfbErrorCode, OfbLimits } from '@symphony/schemas';
import { AuthError, type Claims, type TokenService } from '../auth.js';
import type { OfbStore, SessionRevocation } from '../OfbStore.js';

/**
 * 1 s: how long a session read as live is trusted without reading it again. The sync-server
 * re-checks every open connection every 2 s, so a session revoked by another OFB process is refused
 * within one re-check; a revocation made by this process drops the entry at once.
 */
export const SESSION_CHECK_CACHE_MS = 1000;
/** How many live sessions are remembered (least recently checked go first). */
const CACHE_SIZE = 4096;
/** Session ids OFB mints are UUIDs; anything else in a `sid` claim names no session. */
const SESSION_ID = new RegExp(`^[A-Za-z0-9_-]{1,${OfbLimits.maxIdLength}}$`);

/** A Supabase-style session body (`sign-up`, `sign-in`, `refresh-session`, `change-password`). */
export interface SessionBody {
  readonly access_token: string;
  readonly token_type: 'bearer';
  readonly expires_in: number;
  readonly user: { readonly id: string; readonly name: string };
}

/**
 * Sessions: each sign-in starts one, every token minted for it names it (`sid`), refreshing
 * never outlives it ({@link MAX_SESSION_SECONDS}), and a revoked one's tokens are refused.
 * Tokens without a `sid` (service role, `symphony token`) are not sessions' and pass unchecked.
 */
export class Sessions {
  private readonly live = new Map<string, { userId: string; until: number }>();

  constructor(
    private readonly store: OfbStore,
    private readonly tokens: TokenService,
    /** Lifetime of one token (1 hour, like Supabase); a session outlives many. */
    private readonly tokenSeconds: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Starts a session for `user` (in `db`, a transaction when given) and mints its first token. */
  async start(db: OfbStore, user: { id: string; name: string }): Promise<SessionBody> {
    const at = this.now();
    const id = randomUUID();
    const expiresAt = at + MAX_SESSION_SECONDS * 1000;
    await db.createSession({
      id,
      userId: user.id,
      createdAt: new Date(at).toISOString(),
      expiresAt: new Date(expiresAt).toISOString(),
    });
    return this.mint(user, id, expiresAt);
  }

  /**
   * A fresh token of the same session for `user`, ending at the session's end at the latest.
   * A token with no session (minted outside sign-in) cannot be refreshed: it would chain forever.
   */
  async refresh(claims: Claims, user: { id: string; name: string }): Promise<SessionBody> {
    if (claims.sid === undefined)
      throw new AuthError(
        OfbErrorCode.noSession,
        'this token was not issued by sign-in (it names no session), so it cannot be refreshed; sign in',
      );
    const session = await this.store.getSession(claims.sid);
    if (!session || session.revokedAt !== null) throw revoked();
    return this.mint(user, session.id, Date.parse(session.expiresAt));
  }

  /** Refuses (AuthError) a token whose session is unknown, revoked or over; passes one with none. */
  async check(claims: Claims): Promise<void> {
    const sid = claims.sid;
    if (sid === undefined) return;
    const now = this.now();
    const known = this.live.get(sid);
    if (known && known.until > now && known.userId === claims.sub) {
      this.live.delete(sid);
      this.live.set(sid, known);
      return;
    }
    this.live.delete(sid);
    const session = SESSION_ID.test(sid) ? await this.store.getSession(sid) : null;
    if (!session || session.userId !== claims.sub || session.revokedAt !== null) throw revoked();
    if (Date.parse(session.expiresAt) <= now) throw over();
    this.remember(sid, session.userId, now);
  }

  /** Trusts session `sid` of `userId` as live until {@link SESSION_CHECK_CACHE_MS} from `now`. */
  private remember(sid: string, userId: string, now: number): void {
    this.live.delete(sid);
    if (this.live.size >= CACHE_SIZE) {
      const oldest = this.live.keys().next();
      if (!oldest.done) this.live.delete(oldest.value);
    }
    this.live.set(sid, { userId, until: now + SESSION_CHECK_CACHE_MS });
  }

  /**
   * Reads the sessions of `sids` in one query and remembers the live ones for
   * {@link SESSION_CHECK_CACHE_MS}, so the {@link check}s of a batch (`authorize-many`: one per open
   * connection, every re-check round) cost one read instead of one each. Unknown, revoked and
   * expired ones are left for {@link check} to refuse.
   */
  async prefetch(sids: readonly string[]): Promise<void> {
    const now = this.now();
    const wanted = [...new Set(sids)].filter(
      (sid) => SESSION_ID.test(sid) && !((this.live.get(sid)?.until ?? 0) > now),
    );
    if (wanted.length === 0) return;
    for (const session of await this.store.getSessions(wanted)) {
      if (session.revokedAt !== null || Date.parse(session.expiresAt) <= now) continue;
      this.remember(session.id, session.userId, now);
    }
  }

  /** Revokes one session (in `db`); returns how many were live (0 or 1). */
  async revoke(db: OfbStore, sid: string, reason: SessionRevocation): Promise<number> {
    this.live.delete(sid);
    return (await db.revokeSession(sid, reason, new Date(this.now()).toISOString())) ? 1 : 0;
  }

  /** Revokes every session of `userId` (in `db`); returns how many were live. */
  async revokeAll(db: OfbStore, userId: string, reason: SessionRevocation): Promise<number> {
    for (const [sid, entry] of this.live) if (entry.userId === userId) this.live.delete(sid);
    return db.revokeUserSessions(userId, reason, new Date(this.now()).toISOString());
  }

  private async mint(user: { id: string; name: string }, sid: string, endsAt: number): Promise<SessionBody> {
    const seconds = Math.min(this.tokenSeconds, Math.floor((endsAt - this.now()) / 1000));
    if (seconds <= 0) throw over();
    return {
      access_token: await this.tokens.sign({ sub: user.id, sid }, seconds),
      token_type: 'bearer',
      expires_in: seconds,
      user: { id: user.id, name: user.name },
    };
  }
}

const revoked = () =>
  new AuthError(
    OfbErrorCode.sessionRevoked,
    "this token's session was signed out (or its password changed); sign in again",
  );
const over = () =>
  new AuthError(
    OfbErrorCode.sessionExpired,
    `this token's session began more than ${MAX_SESSION_SECONDS / 86_400} days ago; sign in again`,
  );
