// Command-line parsing shared by every command: strict options (node:util parseArgs), `--help` and
// `-h` everywhere, positional counts, and subcommand dispatch. Misuse throws a UsageError that
// carries the usage text of the command that was misused.
import { type ParseArgsOptionsConfig, parseArgs } from 'node:util';
import { UsageError } from './errors.js';
import type { CliIo } from './io.js';

/** One command: its usage text (what `--help` prints), its options, how many positionals it takes. */
export interface CommandSpec<O extends ParseArgsOptionsConfig> {
  readonly usage: string;
  readonly options: O;
  /** The fewest and most positional arguments (default: none). */
  readonly positionals?: { readonly min: number; readonly max: number; readonly name: string };
}

/** What a command line parsed to, typed by the command's options. */
export type CommandLine<O extends ParseArgsOptionsConfig> = ReturnType<
  typeof parseArgs<{ args: string[]; options: O; strict: true; allowPositionals: true }>
>;

/** Whether `args` ask for help (`--help` or `-h` before any `--`). */
export function wantsHelp(args: readonly string[]): boolean {
  for (const arg of args) {
    if (arg === '--') return false;
    if (arg === '--help' || arg === '-h') return true;
  }
  return false;
}

/**
 * Parses `args` for the command `spec` describes. Returns `'help'` (having printed the usage on
 * stdout) when `--help` or `-h` was given; throws {@link UsageError} for an unknown option, a
 * missing value, or too few or too many positionals.
 */
export function parseCommand<O extends ParseArgsOptionsConfig>(
  args: readonly string[],
  spec: CommandSpec<O>,
  io: CliIo,
): CommandLine<O> | 'help' {
  if (wantsHelp(args)) {
    io.stdout(`${spec.usage}\n`);
    return 'help';
  }
  let parsed: CommandLine<O>;
  try {
    parsed = parseArgs({ args: [...args], options: spec.options, strict: true, allowPositionals: true });
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error), spec.usage);
  }
  const { min, max, name } = spec.positionals ?? { min: 0, max: 0, name: '' };
  const count = parsed.positionals.length;
  if (count < min) throw new UsageError(`missing ${name}`, spec.usage);
  if (count > max) {
    const extra = parsed.positionals[max];
    throw new UsageError(
      max === 0
        ? `unexpected argument "${extra}"`
        : `too many arguments: "${extra}" is one more than ${name} takes`,
      spec.usage,
    );
  }
  return parsed;
}

/** A command family's subcommands (`runs ls`, `runs show`, …), each run on the arguments after its name. */
export interface CommandFamily {
  readonly name: string;
  readonly usage: string;
  readonly subcommands: Readonly<Record<string, (args: string[], io: CliIo) => Promise<number>>>;
}

/** Runs the subcommand `args[0]` of `family`; `--help` before a subcommand prints the family's usage. */
export function dispatch(family: CommandFamily, args: readonly string[], io: CliIo): Promise<number> {
  const [sub, ...rest] = args;
  if (sub === undefined) throw new UsageError(`symphony ${family.name} needs a subcommand`, family.usage);
  if (sub === '--help' || sub === '-h' || sub === 'help') {
    io.stdout(`${family.usage}\n`);
    return Promise.resolve(0);
  }
  const run = Object.hasOwn(family.subcommands, sub) ? family.subcommands[sub] : undefined;
  if (run === undefined) {
    const known = Object.keys(family.subcommands).join(', ');
    throw new UsageError(`unknown ${family.name} subcommand "${sub}"; it has ${known}`, family.usage);
  }
  return run(rest, io);
}

/** A positive integer option value (`--limit`), or a UsageError naming the option. */
export function positiveInt(value: string | undefined, option: string, usage: string): number | undefined {
  if (value === undefined) return undefined;
  if (!/^[1-9][0-9]{0,8}$/.test(value)) {
    throw new UsageError(`${option} takes a positive whole number, not "${value}"`, usage);
  }
  return Number(value);
}
