// `symphony credentials set | ls | rm`: the user's provider keys in the local credential store
// (`<config dir>/credentials.json`, owner-only). A value is read from stdin or a hidden prompt and is
// never printed, logged or shown back.
import { CredentialName, MAX_CREDENTIAL_LENGTH } from '../credentials/CredentialStore.js';
import { FileCredentialStore } from '../credentials/FileCredentialStore.js';
import { dispatch, parseCommand } from './args.js';
import { CommandFailedError, UsageError } from './errors.js';
import type { CliInput, CliIo } from './io.js';
import { canPrompt, prompt, readAllInput } from './password.js';

/** Usage of `symphony credentials set`. */
export const credentialsSetUsage = `Usage: symphony credentials set <name> [--stdin]

Stores a secret (an API key) under <name> in $SYMPHONY_CONFIG_DIR/credentials.json (default
~/.config/symphony/credentials.json), readable by you only and never synced. An instrument names it
with --credential <name>. The value is asked for on the terminal (not shown), or read from stdin
with --stdin, e.g. printf %s "$OPENAI_API_KEY" | symphony credentials set openai --stdin.
It is never printed back.

Options:
  --stdin       read the value from stdin (one line; a final line break is dropped)
  -h, --help    show this text`;

/** Usage of `symphony credentials ls`. */
export const credentialsLsUsage = `Usage: symphony credentials ls

Lists the names of the stored credentials (never their values).

Options:
  -h, --help    show this text`;

/** Usage of `symphony credentials rm`. */
export const credentialsRmUsage = `Usage: symphony credentials rm <name>

Forgets the credential <name>.

Options:
  -h, --help    show this text`;

/** Usage of `symphony credentials`. */
export const credentialsUsage = `Usage: symphony credentials <subcommand>

The API keys instruments use, kept on this machine only (owner-readable file, never synced,
never shown back).

Subcommands:
  set <name> [--stdin]    store a key (asked for hidden, or read from stdin)
  ls                      list the stored names
  rm <name>               forget one

Run "symphony credentials <subcommand> --help" for its options.`;

/** Each subcommand's usage, for `symphony help credentials <subcommand>`. */
export const credentialsSubcommandUsage: Readonly<Record<string, string>> = {
  set: credentialsSetUsage,
  ls: credentialsLsUsage,
  rm: credentialsRmUsage,
};

/** `symphony credentials …`. */
export function credentialsCommand(args: string[], io: CliIo): Promise<number> {
  return dispatch(
    {
      name: 'credentials',
      usage: credentialsUsage,
      subcommands: { set: setCommand, ls: lsCommand, rm: rmCommand },
    },
    args,
    io,
  );
}

function nameOf(given: string | undefined, usage: string): string {
  const parsed = CredentialName.safeParse(given);
  if (!parsed.success) throw new UsageError(parsed.error.issues[0]?.message ?? 'bad credential name', usage);
  return parsed.data;
}

async function setCommand(args: string[], io: CliIo): Promise<number> {
  const line = parseCommand(
    args,
    {
      usage: credentialsSetUsage,
      options: { stdin: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
      positionals: { min: 1, max: 1, name: '<name>' },
    },
    io,
  );
  if (line === 'help') return 0;
  const name = nameOf(line.positionals[0], credentialsSetUsage);
  let value: string;
  if (line.values.stdin === true) value = await readSecret(io.stdin);
  else if (canPrompt(io)) value = await prompt(io, `Value of ${name} (not shown): `, true);
  else {
    throw new UsageError(
      'stdin is not a terminal to ask on: pass --stdin and pipe the value in',
      credentialsSetUsage,
    );
  }
  value = value.trim();
  if (value === '') throw new UsageError('the value is empty; nothing was stored', credentialsSetUsage);
  const store = FileCredentialStore.forEnv(io.env);
  const replaced = (await store.names()).includes(name);
  await store.set(name, value);
  io.stdout(
    `${replaced ? 'Replaced' : 'Stored'} credential "${name}" in ${store.location} (readable by you only).\n`,
  );
  return 0;
}

async function lsCommand(args: string[], io: CliIo): Promise<number> {
  const spec = { usage: credentialsLsUsage, options: { help: { type: 'boolean', short: 'h' } } } as const;
  if (parseCommand(args, spec, io) === 'help') return 0;
  const store = FileCredentialStore.forEnv(io.env);
  const names = await store.names();
  if (names.length === 0)
    io.stderr(`No credentials in ${store.location}; add one with "symphony credentials set <name>".\n`);
  for (const name of names) io.stdout(`${name}\n`);
  return 0;
}

async function rmCommand(args: string[], io: CliIo): Promise<number> {
  const spec = {
    usage: credentialsRmUsage,
    options: { help: { type: 'boolean', short: 'h' } },
    positionals: { min: 1, max: 1, name: '<name>' },
  } as const;
  const line = parseCommand(args, spec, io);
  if (line === 'help') return 0;
  const name = nameOf(line.positionals[0], credentialsRmUsage);
  const store = FileCredentialStore.forEnv(io.env);
  if (!(await store.remove(name)))
    throw new CommandFailedError(`no credential "${name}" in ${store.location}`);
  io.stdout(`Removed credential "${name}" from ${store.location}.\n`);
  return 0;
}

/** All of `input` as one secret, without its final line break; more than a credential can be is refused. */
function readSecret(input: CliInput | undefined): Promise<string> {
  return readAllInput(input, { maxBytes: MAX_CREDENTIAL_LENGTH + 2, what: 'a credential is one key' });
}
