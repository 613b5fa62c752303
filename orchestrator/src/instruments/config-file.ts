// `instruments.json` in the user's config dir: the configured instruments (endpoints, model maps,
// prices), never their keys (those are in the credential store) and never in a synced document.
// Written atomically and owner-only: it says which providers a user pays for.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type InstrumentConfig, InstrumentsFile } from '@symphony/schemas';
import { z } from 'zod';
import { writePrivateFile } from '../cli/private-file.js';
import { configDir } from '../cli/session-file.js';

/** The file's name in the config dir. */
export const INSTRUMENTS_FILE = 'instruments.json';

/** `instruments.json` cannot be read or does not hold instruments; the message names the file and the fix. */
export class InstrumentsFileError extends Error {
  override name = 'InstrumentsFileError';
}

/** The instruments file of the config dir `env` names. */
export function instrumentsPath(env: NodeJS.ProcessEnv): string {
  return join(configDir(env), INSTRUMENTS_FILE);
}

/** The configured instruments at `path`; none when the file does not exist. */
export async function readInstruments(path: string): Promise<InstrumentsFile> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return InstrumentsFile.parse({});
    throw error;
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new InstrumentsFileError(`${path} is not JSON; fix it or remove it and add the instruments again`);
  }
  const parsed = InstrumentsFile.safeParse(json);
  if (!parsed.success) {
    throw new InstrumentsFileError(
      `${path} is not a valid instruments file: ${z.prettifyError(parsed.error)}`,
    );
  }
  const ids = parsed.data.instruments.map((i) => i.id);
  const twice = ids.find((id, i) => ids.indexOf(id) !== i);
  if (twice !== undefined) throw new InstrumentsFileError(`${path} configures instrument "${twice}" twice`);
  return parsed.data;
}

/** The instrument `id` at `path`, or undefined. */
export async function findInstrument(path: string, id: string): Promise<InstrumentConfig | undefined> {
  return (await readInstruments(path)).instruments.find((i) => i.id === id);
}

/** Stores `file` at `path` atomically (temporary file, fsync, rename), mode 0600 in a 0700 folder. */
export async function writeInstruments(path: string, file: InstrumentsFile): Promise<void> {
  await writePrivateFile(path, `${JSON.stringify(InstrumentsFile.parse(file), null, 2)}\n`);
}
