// `symphony login`, `logout` and `whoami`: a session with a team server, signed in through OFB and
// kept in a file only the user can read.
import { parseCommand } from './args.js';
import { CommandFailedError, messageOf, UsageError } from './errors.js';
import type { CliIo } from './io.js';
import { OfbCallError, OfbClient } from './ofb-client.js';
import { canPrompt, prompt, readAllInput } from './password.js';
import { currentSession, loginHint, normalizeServer } from './session.js';
import { readSession, removeSession, type StoredSession, sessionPath, writeSession } from './session-file.js';

/** Usage of `symphony login`. */
export const loginUsage = `Usage: symphony login --server URL [--name NAME] [--password-stdin]

Signs in to a team server through OFB and keeps the session in $SYMPHONY_CONFIG_DIR/session.json
(default ~/.config/symphony/session.json), readable by you only. Later commands use it for the
team server's workflows and documents, refreshing its token when it is close to expiry.

The password is read from stdin with --password-stdin, else asked for on the terminal (not shown),
else taken from SYMPHONY_PASSWORD.

Options:
  --server URL        the team server, e.g. http://127.0.0.1:4321 (default: the last one logged in to)
  --name NAME         your user name (asked for on a terminal when absent)
  --password-stdin    read the password from stdin, e.g. printf %s "$PW" | symphony login …
  -h, --help          show this text`;

/** Usage of `symphony logout`. */
export const logoutUsage = `Usage: symphony logout

Signs out of the team server (revokes the session's token) and removes the session file.

Options:
  -h, --help    show this text`;

/** Usage of `symphony whoami`. */
export const whoamiUsage = `Usage: symphony whoami

Shows the team server and user of the stored session, and until when its token is valid
(refreshing it when it is close to expiry). Exit 1 when not logged in.

Options:
  -h, --help    show this text`;

const loginSpec = {
  usage: loginUsage,
  options: {
    server: { type: 'string' },
    name: { type: 'string' },
    'password-stdin': { type: 'boolean' },
    help: { type: 'boolean', short: 'h' },
  },
} as const;

const bareSpec = (usage: string) => ({ usage, options: { help: { type: 'boolean', short: 'h' } } }) as const;

/** `symphony login …`: 0 signed in; 1 refused or unreachable; 2 bad usage. */
export async function loginCommand(args: string[], io: CliIo): Promise<number> {
  const line = parseCommand(args, loginSpec, io);
  if (line === 'help') return 0;
  const path = sessionPath(io.env);
  const previous = await readSession(path).catch(() => undefined);
  const given = line.values.server ?? previous?.server;
  if (given === undefined) throw new UsageError('symphony login needs --server URL', loginUsage);
  const server = normalizeServer(given, loginUsage);
  const name = line.values.name ?? (canPrompt(io) ? await prompt(io, 'Name: ', false) : undefined);
  if (!name)
    throw new UsageError('symphony login needs --name NAME (stdin is not a terminal to ask on)', loginUsage);
  const password = await readPassword(io, line.values['password-stdin'] === true);
  let answer: Awaited<ReturnType<OfbClient['signIn']>>;
  try {
    answer = await new OfbClient(server, io.env).signIn(name, password);
  } catch (error) {
    if (error instanceof OfbCallError && error.kind === 'refused') {
      throw new CommandFailedError(`${server} refused the sign-in as ${name}: ${error.message}`);
    }
    throw error;
  }
  const session: StoredSession = {
    server,
    access_token: answer.access_token,
    expires_at: Math.floor(Date.now() / 1000) + Math.floor(answer.expires_in),
    user: answer.user,
  };
  await writeSession(path, session);
  io.stdout(
    `Logged in to ${server} as ${session.user.name}; the session is in ${path} (token valid until ${isoTime(session.expires_at)}).\n`,
  );
  return 0;
}

/** The password: from stdin, a hidden prompt, or SYMPHONY_PASSWORD, in that order. */
async function readPassword(io: CliIo, fromStdin: boolean): Promise<string> {
  if (fromStdin) {
    const password = await readAllInput(io.stdin);
    if (password === '') throw new UsageError('--password-stdin: stdin was empty', loginUsage);
    return password;
  }
  if (canPrompt(io)) return prompt(io, 'Password: ', true);
  const fromEnv = io.env.SYMPHONY_PASSWORD;
  if (fromEnv) return fromEnv;
  throw new UsageError(
    'no password: pass --password-stdin, run on a terminal to be asked, or set SYMPHONY_PASSWORD',
    loginUsage,
  );
}

/** `symphony logout`: 0 whether or not there was a session; sign-out failures are warnings. */
export async function logoutCommand(args: string[], io: CliIo): Promise<number> {
  if (parseCommand(args, bareSpec(logoutUsage), io) === 'help') return 0;
  const path = sessionPath(io.env);
  // A session file with loose permissions is still removed; its token is still revoked.
  let stored: StoredSession | undefined;
  try {
    stored = await readSession(path);
  } catch (error) {
    io.stderr(`symphony: warning: ${messageOf(error)}\n`);
  }
  if (stored !== undefined && stored.expires_at > Date.now() / 1000) {
    try {
      await new OfbClient(stored.server, io.env).signOut(stored.access_token);
    } catch (error) {
      io.stderr(
        `symphony: warning: could not sign out at ${stored.server} (${messageOf(error)}); the token stays valid until ${isoTime(stored.expires_at)}\n`,
      );
    }
  }
  const removed = await removeSession(path);
  io.stdout(
    removed
      ? `Logged out${stored ? ` of ${stored.server}` : ''}; removed ${path}.\n`
      : `Not logged in (no ${path}).\n`,
  );
  return 0;
}

/** `symphony whoami`: 0 with a usable session, 1 without one. */
export async function whoamiCommand(args: string[], io: CliIo): Promise<number> {
  if (parseCommand(args, bareSpec(whoamiUsage), io) === 'help') return 0;
  const lookup = await currentSession(io, undefined);
  if (lookup.kind !== 'ok') {
    io.stderr(`symphony: ${loginHint(lookup)}\n`);
    return 1;
  }
  const { server, user, expires_at } = lookup.session;
  io.stdout(`${user.name} (${user.id}) at ${server}; token valid until ${isoTime(expires_at)}\n`);
  return 0;
}

function isoTime(seconds: number): string {
  return new Date(seconds * 1000).toISOString();
}
