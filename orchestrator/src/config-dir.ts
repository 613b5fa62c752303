// The user's own Symphony folder: credentials, instruments and extensions live here, never in a
// data dir a project might sync or a document a team shares.
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';

/** `$SYMPHONY_CONFIG_DIR`, else `$XDG_CONFIG_HOME/symphony`, else `~/.config/symphony`. */
export function configDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.SYMPHONY_CONFIG_DIR) return resolve(env.SYMPHONY_CONFIG_DIR);
  if (env.XDG_CONFIG_HOME) return join(resolve(env.XDG_CONFIG_HOME), 'symphony');
  return join(env.HOME ? resolve(env.HOME) : homedir(), '.config', 'symphony');
}
