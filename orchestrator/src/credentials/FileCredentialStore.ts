// Credentials in `<config dir>/credentials.json`, readable by its owner only: the folder is 0700, the
// file 0600, written atomically (a temporary file fsynced, renamed, the folder fsynced). A file that
// group or others can reach is refused, as ssh refuses a private key with loose permissions.
import { join } from 'node:path';
import { z } from 'zod';
import { readPrivateFile, writePrivateFile } from '../cli/private-file.js';
import { configDir } from '../cli/session-file.js';
import { CredentialName, type CredentialStore, CredentialValue } from './CredentialStore.js';

/** The file's name in the config dir. */
export const CREDENTIALS_FILE = 'credentials.json';

const CredentialsFile = z.object({
  version: z.literal(1),
  credentials: z.record(CredentialName, CredentialValue),
});
type CredentialsFile = z.infer<typeof CredentialsFile>;

/** Why the credential store cannot be used; the message says how to fix it and never holds a value. */
export class CredentialStoreError extends Error {
  override name = 'CredentialStoreError';
}

/** The credentials file of the config dir `env` names (`$SYMPHONY_CONFIG_DIR`, XDG, `~/.config/symphony`). */
export function credentialsPath(env: NodeJS.ProcessEnv): string {
  return join(configDir(env), CREDENTIALS_FILE);
}

/** A {@link CredentialStore} in one owner-only JSON file. */
export class FileCredentialStore implements CredentialStore {
  constructor(readonly location: string) {}

  /** The store of the user's config dir. */
  static forEnv(env: NodeJS.ProcessEnv): FileCredentialStore {
    return new FileCredentialStore(credentialsPath(env));
  }

  async get(name: string): Promise<string | undefined> {
    const file = await this.read();
    return Object.hasOwn(file.credentials, name) ? file.credentials[name] : undefined;
  }

  async set(name: string, value: string): Promise<void> {
    const validName = parseOrThrow(CredentialName, name, 'name');
    const validValue = parseOrThrow(CredentialValue, value, 'value');
    const file = await this.read();
    await this.write({ ...file, credentials: { ...file.credentials, [validName]: validValue } });
  }

  async remove(name: string): Promise<boolean> {
    const file = await this.read();
    if (!Object.hasOwn(file.credentials, name)) return false;
    const { [name]: _removed, ...rest } = file.credentials;
    await this.write({ ...file, credentials: rest });
    return true;
  }

  async names(): Promise<string[]> {
    return Object.keys((await this.read()).credentials).sort();
  }

  /** The file's contents; empty when it does not exist. Refuses a file others can reach. */
  private async read(): Promise<CredentialsFile> {
    const path = this.location;
    const text = await readPrivateFile(path, (problem) =>
      problem.includes('another user')
        ? new CredentialStoreError(`${problem}; it is not used. Remove it and set your credentials again`)
        : new CredentialStoreError(
            `${problem}; it holds your API keys, so it is not used. ` +
              `Run "chmod 600 ${path}" (and consider replacing the keys in it)`,
          ),
    );
    if (text === undefined) return { version: 1, credentials: {} };
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      throw new CredentialStoreError(`${path} is not JSON; remove it and set your credentials again`);
    }
    const parsed = CredentialsFile.safeParse(json);
    if (!parsed.success) {
      // The zod message could quote a value: say only where the file is wrong.
      const where = parsed.error.issues.map((issue) => issue.path.join('.') || '(top)').join(', ');
      throw new CredentialStoreError(`${path} is not a Symphony credentials file (wrong at ${where})`);
    }
    return parsed.data;
  }

  private async write(file: CredentialsFile): Promise<void> {
    await writePrivateFile(this.location, `${JSON.stringify(file, null, 2)}\n`);
  }
}

function parseOrThrow<T>(schema: z.ZodType<T>, value: unknown, what: 'name' | 'value'): T {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  // Only the first issue's message: never the value itself.
  throw new CredentialStoreError(`credential ${what}: ${parsed.error.issues[0]?.message ?? 'invalid'}`);
}
