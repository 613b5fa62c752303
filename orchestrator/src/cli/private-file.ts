// Files only their owner may read: the session, the credential store, the instruments file. Written
// atomically with mode 0600 in a 0700 folder; refused on read, as ssh refuses a loose private key,
// when another user owns them or group or others can reach them.
import { randomUUID } from 'node:crypto';
import { mkdir, open, readFile, rename, rm, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { syncDirectory } from '@symphony/pit';

/**
 * Stores `text` at `path` atomically: a new file created with mode 0600 beside it, fsynced, then
 * renamed over the old one and the folder fsynced. The folder is created with mode 0700.
 */
export async function writePrivateFile(path: string, text: string): Promise<void> {
  const dir = dirname(path);
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const temporary = join(dir, `.${basename(path)}.${randomUUID()}.tmp`);
  const file = await open(temporary, 'wx', 0o600);
  try {
    try {
      await file.writeFile(text);
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
  await syncDirectory(dir);
}

/**
 * The text of `path`, or undefined when it does not exist. When another user owns it or group or
 * others can reach it, nothing is read and `refuse(problem)` is thrown; `problem` names the file
 * and what is wrong, the caller adds what it holds and what to do.
 */
export async function readPrivateFile(
  path: string,
  refuse: (problem: string) => Error,
): Promise<string | undefined> {
  let info: Awaited<ReturnType<typeof stat>>;
  try {
    info = await stat(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  const uid = process.getuid?.();
  if (uid !== undefined && info.uid !== uid)
    throw refuse(`${path} belongs to another user (uid ${info.uid})`);
  if ((info.mode & 0o077) !== 0) {
    throw refuse(
      `${path} is accessible by others (mode ${(info.mode & 0o777).toString(8).padStart(4, '0')})`,
    );
  }
  return readFile(path, 'utf8');
}
