// The session `symphony login` keeps: `<config dir>/session.json`, readable by its owner only
// (folder 0700, file 0600, written atomically). A file others could read is refused, as ssh
// refuses a private key with loose permissions.
import { randomUUID } from 'node:crypto';
import { mkdir, open, readFile, rename, rm, stat } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { z } from 'zod';
import { BadInputError, CommandFailedError } from './errors.js';

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
  let info: Awaited<ReturnType<typeof stat>>;
  try {
    info = await stat(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  const uid = process.getuid?.();
  if (uid !== undefined && info.uid !== uid) {
    throw new CommandFailedError(
      `${path} belongs to another user (uid ${info.uid}); it is not used. Remove it and run "symphony login" again`,
    );
  }
  if ((info.mode & 0o077) !== 0) {
    const mode = (info.mode & 0o777).toString(8).padStart(4, '0');
    throw new CommandFailedError(
      `${path} is accessible by others (mode ${mode}); it holds your access token, so it is not used. ` +
        `Run "chmod 600 ${path}", or "symphony logout" and log in again`,
    );
  }
  const text = await readFile(path, 'utf8');
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
  const value = StoredSession.parse(session);
  const dir = dirname(path);
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const temporary = join(dir, `.session.${randomUUID()}.tmp`);
  const file = await open(temporary, 'wx', 0o600);
  try {
    try {
      await file.writeFile(`${JSON.stringify(value, null, 2)}\n`);
      // The mode given to open is masked by the umask; make sure it is exactly 0600.
      await file.chmod(0o600);
      await file.sync();
    } finally {
      await file.close();
    }
    await rename(temporary, path);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
  await syncDir(dir);
}

/** Removes the session file; false when there was none. */
export async function removeSession(path: string): Promise<boolean> {
  try {
    await rm(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw error;
  }
  await syncDir(dirname(path));
  return true;
}

async function syncDir(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
