// The `symphony` CLI: a thin dispatcher over one module per command family (src/cli/), each loaded
// only when its command runs. `main(argv, io)` resolves to the exit code, so tests drive it in-process.
import { wantsHelp } from './cli/args.js';
import { ExitCode, exitCodeOf, messageOf, UsageError } from './cli/errors.js';
import { type CliIo, processIo } from './cli/io.js';

export type { CliInput, CliIo } from './cli/io.js';
export { UsageError };

/** A command: what `symphony help` says of it, and how to load it. */
interface Command {
  /** The command line, e.g. `run <workflow.json | workflow-id> [options]`. */
  readonly synopsis: string;
  readonly summary: string;
  readonly load: () => Promise<{
    run(args: string[], io: CliIo): Promise<number>;
    usage: string;
    /** Usage of its subcommands, by name. */
    subcommands?: Readonly<Record<string, string>>;
  }>;
}

const commands: Readonly<Record<string, Command>> = {
  login: {
    synopsis: 'login --server URL [--name N] [--password-stdin]',
    summary: 'sign in to a team server',
    load: async () => {
      const m = await import('./cli/login.js');
      return { run: m.loginCommand, usage: m.loginUsage };
    },
  },
  logout: {
    synopsis: 'logout',
    summary: 'sign out and forget the session',
    load: async () => {
      const m = await import('./cli/login.js');
      return { run: m.logoutCommand, usage: m.logoutUsage };
    },
  },
  whoami: {
    synopsis: 'whoami',
    summary: 'the session: server, user, expiry',
    load: async () => {
      const m = await import('./cli/login.js');
      return { run: m.whoamiCommand, usage: m.whoamiUsage };
    },
  },
  run: {
    synopsis: 'run <workflow.json | workflow-id> [options]',
    summary: 'run a workflow',
    load: async () => {
      const m = await import('./cli/run.js');
      return { run: m.runCommand, usage: m.runUsage };
    },
  },
  serve: {
    synopsis: 'serve [--port N] [--server URL] [options]',
    summary: 'run the orchestrator for the Harmony Board (127.0.0.1)',
    load: async () => {
      const m = await import('./cli/serve.js');
      return { run: m.serveCommand, usage: m.serveUsage };
    },
  },
  runs: {
    synopsis: 'runs ls | show | resume | cancel | rerun',
    summary: 'the runs in the data dir',
    load: async () => {
      const m = await import('./cli/runs.js');
      return { run: m.runsCommand, usage: m.runsUsage, subcommands: m.runsSubcommandUsage };
    },
  },
  artifacts: {
    synopsis: 'artifacts ls | get | verify | search',
    summary: 'the artifact store',
    load: async () => {
      const m = await import('./cli/artifacts.js');
      return { run: m.artifactsCommand, usage: m.artifactsUsage, subcommands: m.artifactsSubcommandUsage };
    },
  },
  credentials: {
    synopsis: 'credentials set | ls | rm',
    summary: 'the API keys instruments use (local, never shown)',
    load: async () => {
      const m = await import('./cli/credentials.js');
      return {
        run: m.credentialsCommand,
        usage: m.credentialsUsage,
        subcommands: m.credentialsSubcommandUsage,
      };
    },
  },
  instruments: {
    synopsis: 'instruments add | ls | rm | stats | rate',
    summary: 'the AI instruments (model providers)',
    load: async () => {
      const m = await import('./cli/instruments.js');
      return {
        run: m.instrumentsCommand,
        usage: m.instrumentsUsage,
        subcommands: await m.instrumentsSubcommandUsage(),
      };
    },
  },
  extensions: {
    synopsis: 'extensions ls|show|install|enable|disable|rm',
    summary: 'extensions: what each may touch, enabled on your word',
    load: async () => {
      const m = await import('./cli/extensions.js');
      return { run: m.extensionsCommand, usage: m.extensionsUsage, subcommands: m.extensionsSubcommandUsage };
    },
  },
  token: {
    synopsis: 'token --sub ID [options]',
    summary: 'print a dev access token',
    load: async () => {
      const m = await import('./cli/token.js');
      return { run: m.tokenCommand, usage: m.tokenUsage };
    },
  },
  audit: {
    synopsis: 'audit verify [options]',
    summary: "check OFB's audit log hash chain",
    load: async () => {
      const m = await import('./cli/audit.js');
      return { run: m.auditCommand, usage: m.auditUsage, subcommands: { verify: m.auditVerifyUsage } };
    },
  },
};

const SYNOPSIS_WIDTH = 48;

/** The overview, printed by `symphony help` and after misuse of no particular command. */
export const usage = `Usage: symphony <command> [options]

Commands:
${[
  ...Object.values(commands),
  { synopsis: 'help [command [subcommand]]', summary: "this text, or a command's usage" },
]
  .map((c) => `  ${c.synopsis.padEnd(SYNOPSIS_WIDTH)}  ${c.summary}`)
  .join('\n')}

Every command and subcommand takes --help. Exit codes: 0 success; 1 a run failed or was
cancelled, a check failed, or a server refused; 2 bad usage or bad input.`;

/**
 * Runs the `symphony` CLI on `argv` (without `node` and the script) and resolves to the exit code:
 * 0 success, 1 failure (a run failed or was cancelled, a check failed), 2 bad usage or bad input.
 */
export async function main(argv: readonly string[], io: CliIo = processIo): Promise<number> {
  const [name, ...rest] = argv;
  try {
    if (name === undefined) throw new UsageError('missing command');
    if (name === 'help' || name === '--help' || name === '-h') return await help(rest, io);
    const command = Object.hasOwn(commands, name) ? commands[name] : undefined;
    if (command === undefined) {
      throw new UsageError(
        name.startsWith('-') ? `unknown option "${name}" before a command` : `unknown command "${name}"`,
      );
    }
    const loaded = await command.load();
    return await loaded.run(rest, io);
  } catch (error) {
    return report(error, io);
  }
}

/** `symphony help [command [subcommand]]`. */
async function help(args: readonly string[], io: CliIo): Promise<number> {
  const [name, sub] = args;
  if (name === undefined || wantsHelp([name])) {
    io.stdout(`${usage}\n`);
    return ExitCode.ok;
  }
  const command = Object.hasOwn(commands, name) ? commands[name] : undefined;
  if (command === undefined) throw new UsageError(`no command "${name}" to help with`);
  const loaded = await command.load();
  const text = sub === undefined ? loaded.usage : loaded.subcommands?.[sub];
  if (text === undefined) throw new UsageError(`symphony ${name} has no subcommand "${sub}"`, loaded.usage);
  io.stdout(`${text}\n`);
  return ExitCode.ok;
}

/** Writes what went wrong to stderr and returns its exit code. */
function report(error: unknown, io: CliIo): number {
  const code = exitCodeOf(error);
  if (error instanceof UsageError) {
    io.stderr(`symphony: ${error.message}\n\n${error.usage ?? usage}\n`);
  } else {
    io.stderr(`symphony: ${messageOf(error)}\n`);
    if (io.env.SYMPHONY_DEBUG && error instanceof Error && error.stack) io.stderr(`${error.stack}\n`);
  }
  return code;
}
