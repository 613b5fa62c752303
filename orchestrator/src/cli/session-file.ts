// The session `symphony login` keeps: `<config dir>/session.json`, readable by its owner only
// (folder 0700, file 0600, written atomically). A file others could read is refused, as ssh
// refuses a private key with loose permissions.
import { rm } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { syncDirectory } from '@symphony/pit';
import { z } from 'zod';
import { BadInputError, CommandFailedError } from './errors.js';
import { readPrivateFile, writePrivateFile } from './private-file.js';

/** What the session file holds: the team server, the access token and when it expires, the user. */
export const StoredSession = z.object({
  /** The team server's base URL, without a trailing slash. */
  server: z.string().min(1).max(2048),
  access_token: z.string().min(1).max(8192),
  /** When the token expires, in seconds since the epoch. */
  expires_at: z.number().int().nonnegative(),
  user: z.object({ id: z.string().min(1), name: z.string().min(1) }),
});
export type StoredSession = z.infer<typeof StoredSession>;

/** The folder the session file lives in: `$SYMPHONY_CONFIG_DIR`, `$XDG_CONFIG_HOME/symphony` or `~/.config/symphony`. */
export function configDir(env: NodeJS.ProcessEnv): string {
  if (env.SYMPHONY_CONFIG_DIR) return resolve(env.SYMPHONY_CONFIG_DIR);
  if (env.XDG_CONFIG_HOME) return resolve(env.XDG_CONFIG_HOME, 'symphony');
  return join(env.HOME || homedir(), '.config', 'symphony');
}

/** The session file's path. */
export function sessionPath(env: NodeJS.ProcessEnv): string {
  return join(configDir(env), 'session.json');
}

/**
 * The stored session, or undefined when there is none. Throws {@link CommandFailedError} when the
 * file is readable or writable by group or others, or owned by another user (nothing is read from
 * it then), and {@link BadInputError} when it is not a session file.
 */
export async function readSession(path: string): Promise<StoredSession | undefined> {
  const text = await readPrivateFile(path, (problem) =>
    problem.includes('another user')
      ? new CommandFailedError(`${problem}; it is not used. Remove it and run "symphony login" again`)
      : new CommandFailedError(
          `${problem}; it holds your access token, so it is not used. ` +
            `Run "chmod 600 ${path}", or "symphony logout" and log in again`,
        ),
  );
  if (text === undefined) return undefined;
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new BadInputError(`${path} is not JSON; remove it and run "symphony login" again`);
  }
  const parsed = StoredSession.safeParse(json);
  if (!parsed.success) {
    throw new BadInputError(`${path} is not a Symphony session; remove it and run "symphony login" again`);
  }
  return parsed.data;
}

/**
 * Stores `session` at `path` atomically: a new file created with mode 0600 beside it, fsynced, then
 * renamed over the old one and the folder fsynced. The folder is created with mode 0700.
 */
export async function writeSession(path: string, session: StoredSession): Promise<void> {
  await writePrivateFile(path, `${JSON.stringify(StoredSession.parse(session), null, 2)}\n`);
}

/** Removes the session file; false when there was none. */
export async function removeSession(path: string): Promise<boolean> {
  try {
    await rm(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw error;
  }
  await syncDirectory(dirname(path));
  return true;
}
