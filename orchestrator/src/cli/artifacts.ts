// `symphony artifacts ls | get | verify | search`: the data dir's artifact store, opened read-only
// (a run may be writing it meanwhile).
import { randomUUID } from 'node:crypto';
import { open, rename, rm } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import type { ArtifactStore } from '@symphony/pit';
import { ArtifactHash } from '@symphony/schemas';
import cliProgress from 'cli-progress';
import { type CommandFamily, dispatch, parseCommand, positiveInt } from './args.js';
import { dataDirHelp, dataDirOption, dataPaths, readStore } from './data-dir.js';
import { BadInputError, ExitCode, UsageError } from './errors.js';
import { type CliIo, cwdOf, writeStdoutBytes } from './io.js';
import { formatDuration } from './run-format.js';
import { table } from './runs-view.js';

/** Usage of `symphony artifacts ls`. */
export const artifactsLsUsage = `Usage: symphony artifacts ls [--tag T] [--limit N] [--json] [--data-dir DIR]

Lists stored artifacts, newest first: hash, size, media type, when first stored, tags, and the
run and node that made it.

Options:
  --tag T             only artifacts with this tag
  --limit N           at most N (default 100)
  --json              one JSON object per artifact per line
${dataDirHelp}
  -h, --help          show this text`;

/** Usage of `symphony artifacts get`. */
export const artifactsGetUsage = `Usage: symphony artifacts get <hash> [--output FILE] [--data-dir DIR]

Writes an artifact's bytes to stdout, or to FILE, checked against its hash as they are read. A
corrupt artifact is reported (exit 1) and nothing is written: FILE is only created once every
byte has been verified, and stdout only gets bytes that were verified first.

Options:
  --output FILE       write to FILE (replaced atomically) instead of stdout
${dataDirHelp}
  -h, --help          show this text`;

/** Usage of `symphony artifacts verify`. */
export const artifactsVerifyUsage = `Usage: symphony artifacts verify [--data-dir DIR]

Re-reads every stored artifact and checks it against its hash. Exit 0 when all are intact, 1
listing the corrupt or missing ones.

Options:
${dataDirHelp}
  -h, --help          show this text`;

/** Usage of `symphony artifacts search`. */
export const artifactsSearchUsage = `Usage: symphony artifacts search <text…> [--limit N] [--json] [--data-dir DIR]

Full-text search over text artifacts and every artifact's names, tags and media type, best first.

Options:
  --limit N           at most N hits (default 20)
  --json              one JSON object per hit per line
${dataDirHelp}
  -h, --help          show this text`;

/** Usage of `symphony artifacts`. */
export const artifactsUsage = `Usage: symphony artifacts <subcommand> [options]

Subcommands:
  ls                       list stored artifacts
  get <hash>               an artifact's bytes, verified
  verify                   check every artifact against its hash
  search <text…>           full-text search

Each takes --help and --data-dir DIR.`;

const help = { help: { type: 'boolean', short: 'h' } } as const;
const lsSpec = {
  usage: artifactsLsUsage,
  options: {
    tag: { type: 'string' },
    limit: { type: 'string' },
    json: { type: 'boolean' },
    ...dataDirOption,
    ...help,
  },
} as const;
const getSpec = {
  usage: artifactsGetUsage,
  options: { output: { type: 'string', short: 'o' }, ...dataDirOption, ...help },
  positionals: { min: 1, max: 1, name: 'the artifact hash' },
} as const;
const verifySpec = { usage: artifactsVerifyUsage, options: { ...dataDirOption, ...help } } as const;
const searchSpec = {
  usage: artifactsSearchUsage,
  options: { limit: { type: 'string' }, json: { type: 'boolean' }, ...dataDirOption, ...help },
  positionals: { min: 1, max: 100, name: 'the text to search for' },
} as const;

/** `symphony artifacts …`. */
export function artifactsCommand(args: string[], io: CliIo): Promise<number> {
  const family: CommandFamily = {
    name: 'artifacts',
    usage: artifactsUsage,
    subcommands: { ls, get, verify, search },
  };
  return dispatch(family, args, io);
}

/** The usage of each `artifacts` subcommand, for `symphony help artifacts <sub>`. */
export const artifactsSubcommandUsage: Readonly<Record<string, string>> = {
  ls: artifactsLsUsage,
  get: artifactsGetUsage,
  verify: artifactsVerifyUsage,
  search: artifactsSearchUsage,
};

async function ls(args: string[], io: CliIo): Promise<number> {
  const line = parseCommand(args, lsSpec, io);
  if (line === 'help') return 0;
  const limit = positiveInt(line.values.limit, '--limit', artifactsLsUsage);
  const { tag } = line.values;
  const list = await withStore(line.values['data-dir'], io, (store) =>
    store.list({ ...(limit ? { limit } : {}), ...(tag ? { tag } : {}) }),
  );
  if (line.values.json) {
    for (const info of list ?? []) io.stdout(`${JSON.stringify(info)}\n`);
    return ExitCode.ok;
  }
  if (!list || list.length === 0) {
    io.stdout(tag ? `no artifacts tagged ${tag}\n` : 'no artifacts stored yet\n');
    return ExitCode.ok;
  }
  const rows = list.map((info) => {
    const made = info.producedBy.at(-1);
    return [
      info.hash,
      sizeText(info.size),
      info.mediaType,
      new Date(info.created).toISOString().replace(/\.\d+Z$/, 'Z'),
      info.tags.join(',') || '-',
      made ? `${made.runId} ${made.nodeId}.${made.port}` : '-',
    ];
  });
  io.stdout(`${table(['HASH', 'SIZE', 'TYPE', 'CREATED', 'TAGS', 'MADE BY'], rows)}\n`);
  return ExitCode.ok;
}

async function get(args: string[], io: CliIo): Promise<number> {
  const line = parseCommand(args, getSpec, io);
  if (line === 'help') return 0;
  const hash = hashArg(line.positionals[0]!);
  const output = line.values.output;
  const found = await withStore(line.values['data-dir'], io, async (store) => {
    if ((await store.info(hash)) === undefined) return false;
    if (output !== undefined) {
      await writeVerified(store, hash, resolve(cwdOf(io), output));
      return true;
    }
    // Read once to verify, then again to write: stdout cannot take back bytes of a corrupt blob.
    for await (const _ of store.stream(hash)) {
      // discarded: only the verdict of the whole read matters here
    }
    for await (const chunk of store.stream(hash)) await writeStdoutBytes(io, chunk);
    return true;
  });
  if (!found) {
    throw new BadInputError(`no artifact ${hash} in the store; list them with "symphony artifacts ls"`);
  }
  return ExitCode.ok;
}

/** Streams `hash` into a temp file beside `path`, fsyncs it, and renames it over `path` once every byte was verified. */
async function writeVerified(store: ArtifactStore, hash: ArtifactHash, path: string): Promise<void> {
  const temporary = join(dirname(path), `.${basename(path)}.${randomUUID()}.tmp`);
  const file = await open(temporary, 'wx', 0o644);
  try {
    try {
      for await (const chunk of store.stream(hash)) await file.write(chunk);
      await file.sync();
    } finally {
      await file.close();
    }
    await rename(temporary, path);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
}

async function verify(args: string[], io: CliIo): Promise<number> {
  const line = parseCommand(args, verifySpec, io);
  if (line === 'help') return 0;
  const started = Date.now();
  const bar = io.stderrIsTty
    ? new cliProgress.SingleBar(
        {
          stream: io.stderrStream ?? process.stderr,
          format: ' {bar} {value}/{total} artifacts | {duration_formatted}',
          // Ctrl-C keeps its default (exit), so the cursor is never left hidden.
          hideCursor: false,
          clearOnComplete: true,
          gracefulExit: false,
        },
        cliProgress.Presets.shades_classic,
      )
    : undefined;
  let barStarted = false;
  const report = await withStore(line.values['data-dir'], io, (store) =>
    store.verify((checked, total) => {
      if (bar === undefined) return;
      if (!barStarted) {
        bar.start(total, checked);
        barStarted = true;
      } else bar.update(checked);
    }),
  ).finally(() => bar?.stop());
  const checked = report?.checked ?? 0;
  const took = formatDuration(Date.now() - started);
  if (report === undefined || report.corrupt.length === 0) {
    io.stdout(`${checked} artifact${checked === 1 ? '' : 's'} checked in ${took}: all intact\n`);
    return ExitCode.ok;
  }
  const lines = report.corrupt.map(
    (c) =>
      `  ${c.hash}: ${c.problem === 'missing' ? 'its blob is missing' : 'its bytes no longer match its hash'}`,
  );
  io.stdout(
    `${checked} artifacts checked in ${took}: ${report.corrupt.length} corrupt\n${lines.join('\n')}\n` +
      'Re-run the nodes that made them ("symphony runs rerun <run> --from <node>") to store them again.\n',
  );
  return ExitCode.failed;
}

async function search(args: string[], io: CliIo): Promise<number> {
  const line = parseCommand(args, searchSpec, io);
  if (line === 'help') return 0;
  const limit = positiveInt(line.values.limit, '--limit', artifactsSearchUsage) ?? 20;
  const query = line.positionals.join(' ').trim();
  if (query === '') throw new UsageError('give the text to search for', artifactsSearchUsage);
  const hits =
    (await withStore(line.values['data-dir'], io, (store) => store.search(query, { limit }))) ?? [];
  if (line.values.json) {
    for (const hit of hits) io.stdout(`${JSON.stringify(hit)}\n`);
    return ExitCode.ok;
  }
  if (hits.length === 0) {
    io.stdout(`no artifact matches "${query}"\n`);
    return ExitCode.ok;
  }
  const rows = hits.map((hit) => [
    hit.hash,
    hit.score.toFixed(2),
    sizeText(hit.size),
    hit.mediaType,
    hit.names.join(', ') || '-',
  ]);
  io.stdout(`${table(['HASH', 'SCORE', 'SIZE', 'TYPE', 'NAMES'], rows)}\n`);
  return ExitCode.ok;
}

/** Runs `use` on the data dir's store opened read-only; undefined when nothing was ever stored. */
async function withStore<T>(
  dataDir: string | undefined,
  io: CliIo,
  use: (store: ArtifactStore) => Promise<T>,
): Promise<T | undefined> {
  const store = await readStore(dataPaths(dataDir, io));
  if (store === undefined) return undefined;
  try {
    return await use(store);
  } finally {
    await store.close();
  }
}

function hashArg(value: string): ArtifactHash {
  const parsed = ArtifactHash.safeParse(value.toLowerCase());
  if (!parsed.success) {
    throw new UsageError(
      `"${value}" is not an artifact hash (64 hex digits, as "symphony artifacts ls" lists them)`,
      artifactsGetUsage,
    );
  }
  return parsed.data;
}

function sizeText(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  if (bytes < 1024 ** 3) return `${(bytes / 1024 ** 2).toFixed(1)} MiB`;
  return `${(bytes / 1024 ** 3).toFixed(1)} GiB`;
}
