// `symphony serve`: the orchestrator as a local service for the Harmony Board, on a loopback port,
// until SIGTERM or Ctrl-C.
import { MONITOR_DEFAULT_PORT } from '@symphony/schemas';
import { parseCommand } from './args.js';
import { dataDirHelp, dataDirOption, dataPaths } from './data-dir.js';
import { UsageError } from './errors.js';
import { type CliIo, cwdOf, onInterrupt } from './io.js';
import { normalizeServer } from './session.js';
import { readSession, sessionPath } from './session-file.js';

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
A run left unfinished by a crash is resumed when the user who started it is next signed in.

It prints "Symphony orchestrator is running at <url>" once it listens. SIGTERM or Ctrl-C stops it;
runs still executing then stay resumable.

Options:
  --port N            the port (default ${MONITOR_DEFAULT_PORT}; 0: a free one)
  --host ADDR         a loopback address to listen on (default 127.0.0.1; nothing else is accepted)
  --server URL        the team server (default $SYMPHONY_SERVER, else the server you are logged
                      in to, else ${DEFAULT_TEAM_SERVER})
  --allow-origin URL  also answer pages of this origin (repeat for more; $SYMPHONY_ALLOWED_ORIGINS
                      adds a comma-separated list); the team server's origin is always allowed
${dataDirHelp}
  -h, --help          show this text`;

const spec = {
  usage: serveUsage,
  options: {
    port: { type: 'string' },
    host: { type: 'string' },
    server: { type: 'string' },
    'allow-origin': { type: 'string', multiple: true },
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
  const server = await teamServer(line.values.server, io);
  const extra = [
    ...(line.values['allow-origin'] ?? []),
    ...(io.env.SYMPHONY_ALLOWED_ORIGINS ?? '')
      .split(',')
      .map((origin) => origin.trim())
      .filter((origin) => origin !== ''),
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
  const warn = (message: string) => io.stderr(`symphony serve: ${message}\n`);
  const monitor = await startMonitor({
    server,
    paths: dataPaths(line.values['data-dir'], io),
    port,
    address,
    origins,
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
async function teamServer(option: string | undefined, io: CliIo): Promise<string> {
  if (option !== undefined) return normalizeServer(option, serveUsage);
  if (io.env.SYMPHONY_SERVER) return normalizeServer(io.env.SYMPHONY_SERVER, serveUsage);
  const session = await readSession(sessionPath(io.env)).catch(() => undefined);
  return session?.server ?? DEFAULT_TEAM_SERVER;
}
