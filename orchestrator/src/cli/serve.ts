// `symphony serve`: the orchestrator as a local service for the Harmony Board, on a loopback port,
// until SIGTERM or Ctrl-C.
import { MONITOR_DEFAULT_PORT, UserName } from '@symphony/schemas';
import { anyMember, onlyUsers, type UserPolicy } from '../serve/allowed-users.js';
import { parseCommand } from './args.js';
import { dataDirHelp, dataDirOption, dataPaths } from './data-dir.js';
import { UsageError } from './errors.js';
import { type CliIo, cwdOf, onInterrupt } from './io.js';
import { normalizeServer } from './session.js';
import { readSession, type StoredSession, sessionPath } from './session-file.js';

/** The team server when neither `--server`, `SYMPHONY_SERVER` nor a session names one: `npm start`'s. */
export const DEFAULT_TEAM_SERVER = 'http://127.0.0.1:4321';

/** Usage of `symphony serve`. */
export const serveUsage = `Usage: symphony serve [options]

Runs the orchestrator as a local service for the Harmony Board: an HTTP + WebSocket API on this
machine's loopback address that the board's Run button, run panel, artifact inspector and
performance view use. It runs the workflows of one team server, each with the token of the user
who asks (a viewer may watch runs, an editor or owner may run them); pages of other origins, and
requests naming another host, are refused. Runs are journaled in the data dir as "symphony run"'s
are, and the board shows those of the team server's workflows (not runs of workflow files).
A run left unfinished by a crash is resumed when the user who started it is next signed in (and
still may run it).

Whose workflows it runs (on this machine's instruments, keys and extensions): when you are logged
in to the team server ("symphony login"), only yours, and those of each --allow-user; when you are
not (an orchestrator beside a team server several people on this machine share, as "npm start"
runs it), those of every member the team server vouches for. Anyone else is refused
(not_allowed_here).

It prints "Symphony orchestrator is running at <url>" once it listens. SIGTERM or Ctrl-C stops it;
runs still executing then stay resumable.

Options:
  --port N            the port (default ${MONITOR_DEFAULT_PORT}; 0: a free one)
  --host ADDR         a loopback address to listen on (default 127.0.0.1; nothing else is accepted)
  --server URL        the team server (default $SYMPHONY_SERVER, else the server you are logged
                      in to, else ${DEFAULT_TEAM_SERVER})
  --allow-origin URL  also answer pages of this origin (repeat for more;
                      $SYMPHONY_ORCHESTRATOR_ALLOWED_ORIGINS adds a comma-separated list); the team
                      server's origin is always allowed
  --allow-user NAME   also run workflows for this user (a sign-in name; repeat for more;
                      $SYMPHONY_ORCHESTRATOR_USERS adds a comma-separated list; * : every member)
${dataDirHelp}
  -h, --help          show this text`;

const spec = {
  usage: serveUsage,
  options: {
    port: { type: 'string' },
    host: { type: 'string' },
    server: { type: 'string' },
    'allow-origin': { type: 'string', multiple: true },
    'allow-user': { type: 'string', multiple: true },
    ...dataDirOption,
    help: { type: 'boolean', short: 'h' },
  },
} as const;

/** `symphony serve …`: resolves with 0 once stopped by a signal. */
export async function serveCommand(args: string[], io: CliIo): Promise<number> {
  const line = parseCommand(args, spec, io);
  if (line === 'help') return 0;
  const [{ allowedOrigins, loopbackBindAddress }, { startMonitor }] = await Promise.all([
    import('../serve/loopback.js'),
    import('../serve/MonitorServer.js'),
  ]);
  const port = portOf(line.values.port);
  const host = line.values.host ?? '127.0.0.1';
  const address = loopbackBindAddress(host);
  if (address === undefined) {
    throw new UsageError(
      `--host ${host}: the orchestrator listens on a loopback address only (127.0.0.1, ::1 or localhost), so that no other machine can reach it`,
      serveUsage,
    );
  }
  const warn = (message: string) => io.stderr(`symphony serve: ${message}\n`);
  const session = await readSession(sessionPath(io.env)).catch((error: unknown) => {
    warn(`the login session is not used: ${error instanceof Error ? error.message : String(error)}`);
    return undefined;
  });
  const server = teamServer(line.values.server, io, session);
  // Serve's own variable: the team server's SYMPHONY_ALLOWED_ORIGINS names who may open its
  // sockets, not who may run workflows here.
  const extra = [
    ...(line.values['allow-origin'] ?? []),
    ...listOf(io.env.SYMPHONY_ORCHESTRATOR_ALLOWED_ORIGINS),
  ];
  let origins: Set<string>;
  try {
    origins = allowedOrigins(server, extra);
  } catch (error) {
    throw new UsageError(
      `--allow-origin: ${error instanceof Error ? error.message : String(error)}`,
      serveUsage,
    );
  }
  const users = userPolicy(
    [...(line.values['allow-user'] ?? []), ...listOf(io.env.SYMPHONY_ORCHESTRATOR_USERS)],
    session?.server === server ? session : undefined,
  );
  io.stderr(`symphony serve: runs workflows for ${users.described}\n`);
  const monitor = await startMonitor({
    server,
    paths: dataPaths(line.values['data-dir'], io),
    port,
    address,
    origins,
    users,
    env: io.env,
    workspaceDir: cwdOf(io),
    warn,
  });
  io.stdout(`Symphony orchestrator is running at ${monitor.url}/\n`);
  await new Promise<void>((resolve) => {
    const stopInterrupt = onInterrupt(io, () => done());
    const done = () => {
      stopInterrupt();
      process.off('SIGTERM', done);
      resolve();
    };
    process.once('SIGTERM', done);
  });
  await monitor.close();
  return 0;
}

/** `--port`: 0–65535. */
function portOf(value: string | undefined): number {
  if (value === undefined) return MONITOR_DEFAULT_PORT;
  if (!/^\d{1,5}$/.test(value) || Number(value) > 65_535) {
    throw new UsageError(
      `--port takes a port number from 0 (a free one) to 65535, not "${value}"`,
      serveUsage,
    );
  }
  return Number(value);
}

/** `--server`, else `SYMPHONY_SERVER`, else the session's server, else {@link DEFAULT_TEAM_SERVER}. */
function teamServer(option: string | undefined, io: CliIo, session: StoredSession | undefined): string {
  if (option !== undefined) return normalizeServer(option, serveUsage);
  if (io.env.SYMPHONY_SERVER) return normalizeServer(io.env.SYMPHONY_SERVER, serveUsage);
  return session?.server ?? DEFAULT_TEAM_SERVER;
}

/** The non-empty items of a comma-separated variable. */
function listOf(value: string | undefined): string[] {
  return (value ?? '')
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '');
}

/**
 * Whose workflows it runs: `*` among `names`, every member; else the session's user (logged in to
 * this team server) and `names`; with neither, every member. Throws a UsageError for a name that
 * cannot be a sign-in name.
 */
function userPolicy(names: readonly string[], session: StoredSession | undefined): UserPolicy {
  if (names.includes('*')) return anyMember;
  for (const name of names) {
    const parsed = UserName.safeParse(name);
    if (!parsed.success) {
      throw new UsageError(
        `--allow-user ${JSON.stringify(name)}: ${parsed.error.issues[0]?.message ?? 'not a user name'}`,
        serveUsage,
      );
    }
  }
  if (session === undefined && names.length === 0) return anyMember;
  return onlyUsers({
    ...(session === undefined ? {} : { session: { userId: session.user.id, userName: session.user.name } }),
    names,
  });
}
