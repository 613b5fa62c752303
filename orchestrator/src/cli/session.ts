// The signed-in session as commands use it: for the server asked for, refreshed through OFB's
// `refresh-session` when its token is close to expiry, refused with what to do when it is gone.
import { TeamServerUrl } from '../sources/team-server.js';
import { BadInputError, messageOf, UsageError } from './errors.js';
import type { CliIo } from './io.js';
import { readSession, type StoredSession, sessionPath, writeSession } from './session-file.js';

/** 10 minutes: a token with less left is refreshed before use, so a run started now does not outlive it soon. */
export const REFRESH_WITHIN_SECONDS = 600;

/** A team server URL as sessions store it: checked, without a trailing slash. Throws UsageError. */
export function normalizeServer(url: string, usage?: string): string {
  const parsed = TeamServerUrl.safeParse(url);
  if (!parsed.success) {
    throw new UsageError(
      `--server ${JSON.stringify(url)}: ${parsed.error.issues[0]?.message ?? 'not a URL'}`,
      usage,
    );
  }
  return parsed.data.replace(/\/+$/, '');
}

/** What {@link currentSession} found. */
export type SessionLookup =
  | { readonly kind: 'ok'; readonly session: StoredSession }
  /** No session file, or one for another server. */
  | { readonly kind: 'none'; readonly server: string | undefined }
  /** The token expired (or was revoked) and could not be refreshed. */
  | { readonly kind: 'expired'; readonly session: StoredSession };

/**
 * The stored session for `server` (any server when undefined), its token refreshed first when
 * it expires within {@link REFRESH_WITHIN_SECONDS} (the new one is stored). A refresh the server
 * cannot be reached for keeps the old token while it is valid, with a warning on stderr.
 */
export async function currentSession(
  io: CliIo,
  server: string | undefined,
  now: () => number = Date.now,
): Promise<SessionLookup> {
  const path = sessionPath(io.env);
  const stored = await readSession(path);
  if (stored === undefined || (server !== undefined && stored.server !== server)) {
    return { kind: 'none', server };
  }
  const seconds = Math.floor(now() / 1000);
  if (stored.expires_at - seconds > REFRESH_WITHIN_SECONDS) return { kind: 'ok', session: stored };
  if (stored.expires_at <= seconds) return { kind: 'expired', session: stored };
  try {
    const { OfbClient } = await import('./ofb-client.js');
    const fresh = await new OfbClient(stored.server, io.env).refresh(stored.access_token);
    const session: StoredSession = {
      server: stored.server,
      access_token: fresh.access_token,
      expires_at: seconds + Math.floor(fresh.expires_in),
      user: fresh.user,
    };
    await writeSession(path, session);
    return { kind: 'ok', session };
  } catch (error) {
    const refusal = error as { name?: unknown; kind?: unknown; status?: unknown };
    if (refusal.name === 'OfbCallError' && refusal.kind === 'refused' && refusal.status === 401) {
      return { kind: 'expired', session: stored };
    }
    io.stderr(`symphony: warning: could not refresh the session (${messageOf(error)}); using it as it is\n`);
    return { kind: 'ok', session: stored };
  }
}

/** What to tell someone without a usable session for `server`. */
export function loginHint(lookup: Exclude<SessionLookup, { kind: 'ok' }>): string {
  if (lookup.kind === 'expired') {
    return `your session at ${lookup.session.server} has expired; log in again with "symphony login --server ${lookup.session.server}"`;
  }
  return lookup.server === undefined
    ? 'you are not logged in; log in with "symphony login --server URL"'
    : `you are not logged in to ${lookup.server}; log in with "symphony login --server ${lookup.server}"`;
}

/** The usable session for `server`, or a BadInputError saying how to log in. */
export async function requireSession(io: CliIo, server: string | undefined): Promise<StoredSession> {
  const lookup = await currentSession(io, server);
  if (lookup.kind === 'ok') return lookup.session;
  throw new BadInputError(loginHint(lookup));
}
