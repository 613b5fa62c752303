// `symphony extensions ls | show | install | enable | disable | rm`: the user's extensions. Nothing
// runs until its manifest — what it adds and everything it may touch — was shown and accepted.

import { resolve } from 'node:path';
import { describeManifest } from '../registry/describe-manifest.js';
import { ExtensionRegistry, type InstalledExtension, readManifest } from '../registry/ExtensionRegistry.js';
import { type CommandFamily, dispatch, parseCommand } from './args.js';
import { BadInputError, CommandFailedError, ExitCode } from './errors.js';
import { type CliIo, cwdOf } from './io.js';
import { canPrompt, prompt } from './password.js';
import { configDir } from './session-file.js';

const lsUsage = `Usage: symphony extensions ls [--json]

Lists installed extensions: id, version, kind, whether enabled, and how strongly this machine
isolates them (sandboxed with bubblewrap, or reduced isolation).

Options:
  --json              one JSON object per extension per line
  -h, --help          show this text`;

const showUsage = `Usage: symphony extensions show <id | folder>

Shows an extension's manifest in words: the node types it adds, the folders, hosts, environment
variables and credentials it may use, and its limits.`;

const installUsage = `Usage: symphony extensions install <folder> [--yes]

Copies the extension in <folder> into your extensions, shows what it may touch, and enables it
when you accept (or with --yes).

Options:
  --yes               enable without asking (you have read its manifest)
  -h, --help          show this text`;

const enableUsage = `Usage: symphony extensions enable <id> [--yes]

Shows what the extension may touch and enables it when you accept (or with --yes). An extension
whose manifest changed since you enabled it must be enabled again.

Options:
  --yes               enable without asking
  -h, --help          show this text`;

const disableUsage = `Usage: symphony extensions disable <id>

Stops running the extension; it stays installed.`;

const rmUsage = `Usage: symphony extensions rm <id>

Disables the extension and deletes its copy.`;

/** Usage of `symphony extensions`. */
export const extensionsUsage = `Usage: symphony extensions <subcommand>

Subcommands:
  ls                       installed extensions and the isolation this machine gives them
  show <id | folder>       what an extension adds and may touch
  install <folder> [--yes] install, show its manifest, enable on your word
  enable <id> [--yes]      enable (again) after reading its manifest
  disable <id>             stop running it
  rm <id>                  disable and delete it

Extensions live in $SYMPHONY_CONFIG_DIR (default ~/.config/symphony), never in a data dir.`;

/** Usage of each subcommand. */
export const extensionsSubcommandUsage: Readonly<Record<string, string>> = {
  ls: lsUsage,
  show: showUsage,
  install: installUsage,
  enable: enableUsage,
  disable: disableUsage,
  rm: rmUsage,
};

function registryOf(io: CliIo): ExtensionRegistry {
  return new ExtensionRegistry(configDir(io.env));
}

/** `symphony extensions …`. */
export function extensionsCommand(args: string[], io: CliIo): Promise<number> {
  const family: CommandFamily = {
    name: 'extensions',
    usage: extensionsUsage,
    subcommands: { ls, show, install, enable, disable, rm },
  };
  return dispatch(family, args, io).catch((error: unknown) => {
    if (error instanceof Error && error.name === 'ExtensionRegistryError')
      throw new BadInputError(error.message);
    throw error;
  });
}

async function isolationLine(): Promise<string> {
  const { detectIsolation, describeIsolation } = await import('../extensions/sandbox/isolation.js');
  return describeIsolation(await detectIsolation());
}

async function ls(args: string[], io: CliIo): Promise<number> {
  const line = parseCommand(args, { usage: lsUsage, options: { json: { type: 'boolean' } } }, io);
  if (line === 'help') return ExitCode.ok;
  const all = await registryOf(io).list((message) => io.stderr(`symphony: ${message}\n`));
  if (line.values.json) {
    for (const e of all) {
      io.stdout(
        `${JSON.stringify({
          id: e.manifest.id,
          version: e.manifest.version,
          kind: e.manifest.kind,
          enabled: e.enabled,
          changedSinceEnabled: e.changedSinceEnabled,
          folder: e.folder,
        })}\n`,
      );
    }
    return ExitCode.ok;
  }
  io.stdout(`${await isolationLine()}\n\n`);
  if (all.length === 0) {
    io.stdout('No extensions installed. Install one with "symphony extensions install <folder>".\n');
    return ExitCode.ok;
  }
  for (const e of all) {
    const state = e.enabled
      ? 'enabled'
      : e.changedSinceEnabled
        ? 'manifest changed: enable again'
        : 'disabled';
    io.stdout(
      `${e.manifest.id.padEnd(28)} ${e.manifest.version.padEnd(10)} ${e.manifest.kind.padEnd(11)} ${state}\n`,
    );
  }
  return ExitCode.ok;
}

async function show(args: string[], io: CliIo): Promise<number> {
  const line = parseCommand(
    args,
    { usage: showUsage, options: {}, positionals: { min: 1, max: 1, name: 'an extension id or folder' } },
    io,
  );
  if (line === 'help') return ExitCode.ok;
  const target = line.positionals[0]!;
  const manifest = target.includes('/')
    ? (await readManifest(resolvePath(io, target))).manifest
    : (await registryOf(io).get(target)).manifest;
  io.stdout(`${describeManifest(manifest)}\n`);
  return ExitCode.ok;
}

function resolvePath(io: CliIo, path: string): string {
  return resolve(cwdOf(io), path);
}

/** Shows the manifest and enables the extension if the person accepts (or gave --yes). */
async function confirmAndEnable(
  registry: ExtensionRegistry,
  extension: InstalledExtension,
  yes: boolean,
  io: CliIo,
): Promise<number> {
  io.stdout(`${describeManifest(extension.manifest)}\n\n${await isolationLine()}\n`);
  if (!yes) {
    if (!canPrompt(io)) {
      throw new CommandFailedError(
        `extension ${extension.manifest.id} is not enabled: read the above and run ` +
          `"symphony extensions enable ${extension.manifest.id} --yes" to accept it`,
      );
    }
    const answer = await prompt(io, `Enable ${extension.manifest.id} with these permissions? [y/N] `, false);
    if (!/^y(es)?$/i.test(answer.trim())) {
      io.stdout(`Not enabled. Enable it later with "symphony extensions enable ${extension.manifest.id}".\n`);
      return ExitCode.ok;
    }
  }
  await registry.enable(extension.manifest.id);
  io.stdout(`Enabled ${extension.manifest.id} ${extension.manifest.version}.\n`);
  return ExitCode.ok;
}

async function install(args: string[], io: CliIo): Promise<number> {
  const line = parseCommand(
    args,
    {
      usage: installUsage,
      options: { yes: { type: 'boolean' } },
      positionals: { min: 1, max: 1, name: 'a folder' },
    },
    io,
  );
  if (line === 'help') return ExitCode.ok;
  const registry = registryOf(io);
  const extension = await registry.install(resolvePath(io, line.positionals[0]!));
  io.stdout(`Installed ${extension.manifest.id} ${extension.manifest.version} in ${extension.folder}.\n\n`);
  return confirmAndEnable(registry, extension, line.values.yes === true, io);
}

async function enable(args: string[], io: CliIo): Promise<number> {
  const line = parseCommand(
    args,
    {
      usage: enableUsage,
      options: { yes: { type: 'boolean' } },
      positionals: { min: 1, max: 1, name: 'an extension id' },
    },
    io,
  );
  if (line === 'help') return ExitCode.ok;
  const registry = registryOf(io);
  return confirmAndEnable(registry, await registry.get(line.positionals[0]!), line.values.yes === true, io);
}

async function disable(args: string[], io: CliIo): Promise<number> {
  const line = parseCommand(
    args,
    { usage: disableUsage, options: {}, positionals: { min: 1, max: 1, name: 'an extension id' } },
    io,
  );
  if (line === 'help') return ExitCode.ok;
  await registryOf(io).disable(line.positionals[0]!);
  io.stdout(`Disabled ${line.positionals[0]}.\n`);
  return ExitCode.ok;
}

async function rm(args: string[], io: CliIo): Promise<number> {
  const line = parseCommand(
    args,
    { usage: rmUsage, options: {}, positionals: { min: 1, max: 1, name: 'an extension id' } },
    io,
  );
  if (line === 'help') return ExitCode.ok;
  await registryOf(io).remove(line.positionals[0]!);
  io.stdout(`Removed ${line.positionals[0]}.\n`);
  return ExitCode.ok;
}
