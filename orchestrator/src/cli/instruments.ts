// `symphony instruments add | ls | rm | stats | rate`: the AI instruments configured on this machine
// (`<config dir>/instruments.json`); `stats` and `rate` (what the router learned, and rating an
// output) live in instruments-stats.ts.
import {
  CHAT_MODEL_NAMES,
  EMBEDDING_MODEL_NAMES,
  InstrumentConfig,
  type ModelPrice,
} from '@symphony/schemas';
import { z } from 'zod';
import { FileCredentialStore } from '../credentials/FileCredentialStore.js';
import { instrumentsPath, readInstruments, writeInstruments } from '../instruments/config-file.js';
import { dispatch, parseCommand, positiveInt } from './args.js';
import { CommandFailedError, UsageError } from './errors.js';
import type { CliIo } from './io.js';

const MODEL_NAMES = [...CHAT_MODEL_NAMES, ...EMBEDDING_MODEL_NAMES].filter((m) => m !== 'auto');

/** Usage of `symphony instruments add`. */
export const instrumentsAddUsage = `Usage: symphony instruments add <id> --api openai-chat|anthropic-messages --base-url URL
                               --model NAME=PROVIDER_ID ... [options]

Configures an AI instrument in $SYMPHONY_CONFIG_DIR/instruments.json (default
~/.config/symphony/instruments.json). Its key is not in this file: store it with
"symphony credentials set <name>" and name it with --credential.

  symphony instruments add openai --api openai-chat --base-url https://api.openai.com/v1 \\
    --credential openai --model gpt-4o=gpt-4o --model text-embedding-3-small=text-embedding-3-small
  symphony instruments add ollama --api openai-chat --base-url http://localhost:11434/v1 \\
    --model local-llama=llama3.1:8b
  symphony instruments add anthropic --api anthropic-messages --base-url https://api.anthropic.com \\
    --credential anthropic --model claude-sonnet=claude-sonnet-4-5

Options:
  --api API              openai-chat (OpenAI, Ollama, llama.cpp, vLLM, LM Studio) or anthropic-messages
  --base-url URL         the provider's base URL (OpenAI-compatible ones end in /v1)
  --credential NAME      the credential holding its key (none for a local server without one)
  --model NAME=ID        a node-library model it serves and the provider's id for it (repeatable);
                         NAME is one of: ${MODEL_NAMES.join(', ')}
  --price ID=IN/OUT      US$ per million input/output tokens of provider model ID (repeatable;
                         overrides the built-in price table)
  --max-concurrent N     calls at once (default 8)
  --rpm N                calls per minute (default 600)
  --timeout-ms N         per-call timeout (default 120000)
  --replace              replace an instrument with the same id
  -h, --help             show this text`;

/** Usage of `symphony instruments ls`. */
export const instrumentsLsUsage = `Usage: symphony instruments ls [--json]

Lists the configured instruments: id, wire format, base URL, credential (and whether it is set),
and the models each serves.

Options:
  --json        print the instruments file's entries as JSON
  -h, --help    show this text`;

/** Usage of `symphony instruments rm`. */
export const instrumentsRmUsage = `Usage: symphony instruments rm <id>

Removes the instrument <id> (its credential stays in the store).

Options:
  -h, --help    show this text`;

/** Usage of `symphony instruments`. */
export const instrumentsUsage = `Usage: symphony instruments <subcommand>

The AI instruments (model providers) AI nodes run on.

Subcommands:
  add <id> --api API --base-url URL --model NAME=ID ...   configure one
  ls                                                      list them
  rm <id>                                                 remove one
  stats [--task TYPE]                                     what the router has learned of each
  rate <run-id> <node-id> good|bad                        rate one node's output

Run "symphony instruments <subcommand> --help" for its options.`;

const stats = () => import('./instruments-stats.js');

/** `symphony instruments …`. */
export function instrumentsCommand(args: string[], io: CliIo): Promise<number> {
  return dispatch(
    {
      name: 'instruments',
      usage: instrumentsUsage,
      subcommands: {
        add: addCommand,
        ls: lsCommand,
        rm: rmCommand,
        stats: async (rest, sub) => (await stats()).instrumentsStatsCommand(rest, sub),
        rate: async (rest, sub) => (await stats()).instrumentsRateCommand(rest, sub),
      },
    },
    args,
    io,
  );
}

/** Each subcommand's usage, for `symphony help instruments <subcommand>`. */
export async function instrumentsSubcommandUsage(): Promise<Record<string, string>> {
  const m = await stats();
  return {
    add: instrumentsAddUsage,
    ls: instrumentsLsUsage,
    rm: instrumentsRmUsage,
    stats: m.instrumentsStatsUsage,
    rate: m.instrumentsRateUsage,
  };
}

const addSpec = {
  usage: instrumentsAddUsage,
  options: {
    api: { type: 'string' },
    'base-url': { type: 'string' },
    credential: { type: 'string' },
    model: { type: 'string', multiple: true },
    price: { type: 'string', multiple: true },
    'max-concurrent': { type: 'string' },
    rpm: { type: 'string' },
    'timeout-ms': { type: 'string' },
    replace: { type: 'boolean' },
    help: { type: 'boolean', short: 'h' },
  },
  positionals: { min: 1, max: 1, name: '<id>' },
} as const;

async function addCommand(args: string[], io: CliIo): Promise<number> {
  const line = parseCommand(args, addSpec, io);
  if (line === 'help') return 0;
  const v = line.values;
  const models = Object.fromEntries(
    (v.model ?? []).map((pair) => splitPair(pair, '--model', 'NAME=PROVIDER_ID')),
  );
  for (const name of Object.keys(models)) {
    if (!MODEL_NAMES.includes(name)) {
      throw new UsageError(
        `--model: "${name}" is not a node-library model; use one of ${MODEL_NAMES.join(', ')}`,
        instrumentsAddUsage,
      );
    }
  }
  const prices = Object.fromEntries((v.price ?? []).map(parsePrice));
  const parsed = InstrumentConfig.safeParse({
    id: line.positionals[0],
    api: v.api,
    baseUrl: v['base-url'],
    ...(v.credential === undefined ? {} : { credential: v.credential }),
    models,
    prices,
    ...optionalInt('maxConcurrent', v['max-concurrent'], '--max-concurrent'),
    ...optionalInt('requestsPerMinute', v.rpm, '--rpm'),
    ...optionalInt('timeoutMs', v['timeout-ms'], '--timeout-ms'),
  });
  if (!parsed.success) throw new UsageError(z.prettifyError(parsed.error), instrumentsAddUsage);
  const config = parsed.data;
  const path = instrumentsPath(io.env);
  const file = await readInstruments(path);
  const existing = file.instruments.some((i) => i.id === config.id);
  if (existing && v.replace !== true) {
    throw new CommandFailedError(
      `instrument "${config.id}" is already configured in ${path}; pass --replace to replace it`,
    );
  }
  const instruments = [...file.instruments.filter((i) => i.id !== config.id), config];
  await writeInstruments(path, { ...file, instruments });
  io.stdout(
    `${existing ? 'Replaced' : 'Added'} instrument "${config.id}" (${config.api}, ${config.baseUrl}) in ${path}.\n`,
  );
  if (config.credential !== undefined) {
    const set = (await FileCredentialStore.forEnv(io.env).names()).includes(config.credential);
    if (!set)
      io.stderr(
        `Its credential "${config.credential}" is not set yet: run "symphony credentials set ${config.credential}".\n`,
      );
  }
  return 0;
}

function splitPair(pair: string, option: string, shape: string): [string, string] {
  const at = pair.indexOf('=');
  if (at <= 0 || at === pair.length - 1)
    throw new UsageError(`${option} takes ${shape}, not "${pair}"`, instrumentsAddUsage);
  return [pair.slice(0, at), pair.slice(at + 1)];
}

function parsePrice(pair: string): [string, ModelPrice] {
  const [model, price] = splitPair(pair, '--price', 'PROVIDER_ID=IN/OUT (US$ per million tokens)');
  const match = /^(\d+(?:\.\d+)?)\/(\d+(?:\.\d+)?)$/.exec(price);
  if (match === null) {
    throw new UsageError(
      `--price ${model}: "${price}" is not IN/OUT, e.g. 2.5/10 (US$ per million tokens)`,
      instrumentsAddUsage,
    );
  }
  return [model, { inputPerMTok: Number(match[1]), outputPerMTok: Number(match[2]) }];
}

function optionalInt(key: string, value: string | undefined, option: string): Record<string, number> {
  const n = positiveInt(value, option, instrumentsAddUsage);
  return n === undefined ? {} : { [key]: n };
}

async function lsCommand(args: string[], io: CliIo): Promise<number> {
  const spec = {
    usage: instrumentsLsUsage,
    options: { json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
  } as const;
  const line = parseCommand(args, spec, io);
  if (line === 'help') return 0;
  const path = instrumentsPath(io.env);
  const { instruments } = await readInstruments(path);
  if (line.values.json === true) {
    io.stdout(`${JSON.stringify(instruments, null, 2)}\n`);
    return 0;
  }
  if (instruments.length === 0) {
    io.stderr(`No instruments in ${path}; add one with "symphony instruments add".\n`);
    return 0;
  }
  const stored = new Set(await FileCredentialStore.forEnv(io.env).names());
  for (const i of instruments) {
    const credential =
      i.credential === undefined
        ? 'no credential'
        : `credential ${i.credential}${stored.has(i.credential) ? '' : ' (not set)'}`;
    const models = Object.entries(i.models)
      .map(([name, id]) => (name === id ? name : `${name}=${id}`))
      .join(', ');
    io.stdout(`${i.id}  ${i.api}  ${i.baseUrl}  ${credential}\n  models: ${models}\n`);
  }
  return 0;
}

async function rmCommand(args: string[], io: CliIo): Promise<number> {
  const spec = {
    usage: instrumentsRmUsage,
    options: { help: { type: 'boolean', short: 'h' } },
    positionals: { min: 1, max: 1, name: '<id>' },
  } as const;
  const line = parseCommand(args, spec, io);
  if (line === 'help') return 0;
  const id = line.positionals[0] ?? '';
  const path = instrumentsPath(io.env);
  const file = await readInstruments(path);
  if (!file.instruments.some((i) => i.id === id))
    throw new CommandFailedError(`no instrument "${id}" in ${path}`);
  await writeInstruments(path, { ...file, instruments: file.instruments.filter((i) => i.id !== id) });
  io.stdout(`Removed instrument "${id}" from ${path}.\n`);
  return 0;
}
