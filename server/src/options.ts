// The command line of `symphony-server`: its usage text and how argv and the environment become
// the sync-server's settings and the choice of backend.
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { MONITOR_DEFAULT_PORT, SyncServerConfig } from '@symphony/schemas';

/** The `--help` text. */
export const usage = `Usage: symphony-server [--host 127.0.0.1] [--port 4321] [--data-dir .symphony] [--static DIR]
                       [--ofb-url URL | --storage fs] [--max-message-bytes N] [--max-update-cost N]
                       [--allowed-hosts NAME,…] [--allowed-origins ORIGIN,…]
                       [--orchestrator-port 4322 | --no-orchestrator]

By default OFB runs in this process: its functions are served on the same origin at
/functions/v1/<name> (so a client's Supabase URL is this server's origin), and every document,
workflow and access check goes through them.
  Database:   PostgreSQL at DATABASE_URL, otherwise PGlite in <data-dir>/db.
  JWT secret: SUPABASE_JWT_SECRET, otherwise <data-dir>/jwt-secret (generated on first start).
--ofb-url URL  use a remote OFB or Supabase project instead; needs SUPABASE_SERVICE_ROLE_KEY and
               SUPABASE_ANON_KEY in the environment.
--storage fs   files under <data-dir>/docs and NO access control: anyone who reaches the port may
               read and write every document. For benchmarks only.
--allowed-hosts NAME,…      host names clients may use to reach this server besides localhost and
                            127.0.0.1 (and --host); others get 421, against DNS rebinding. '*': any.
--allowed-origins ORIGIN,…  sites (https://app.example) whose pages may open the websockets besides
                            the pages this server serves; others get 403. '*': any.
--orchestrator-port N       the port of the orchestrator (\`symphony serve\`) this server starts beside
                            itself on 127.0.0.1, for the board's Run button (default ${MONITOR_DEFAULT_PORT}).
                            It runs workflows from this server; if it stops, it is restarted.
--no-orchestrator           do not start it (a laptop can run \`symphony serve --server URL\` alone).
                            --storage fs never starts it.
Environment: HOST, PORT, SYMPHONY_DATA_DIR, SYMPHONY_STATIC_DIR, SYMPHONY_ALLOWED_HOSTS,
SYMPHONY_ALLOWED_ORIGINS, SYMPHONY_ORCHESTRATOR (on | off), SYMPHONY_ORCHESTRATOR_PORT.`;

/** Bad usage: the bin prints it with {@link usage} and exits 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** What the command line asks for. */
export type ServerOptions =
  | { readonly help: true }
  | {
      readonly help: false;
      /** The sync-server's settings (documents under `<root>/docs`). */
      readonly config: SyncServerConfig;
      /** `--data-dir`: where the database, the JWT secret and documents live. */
      readonly root: string;
      /** `ofb` (embedded, or remote with `ofbUrl`) or `fs` (files, no access control). */
      readonly storage: 'ofb' | 'fs';
      readonly ofbUrl: string | undefined;
      /** The orchestrator to start beside the server, on 127.0.0.1; undefined: none. */
      readonly orchestrator: { readonly port: number } | undefined;
    };

/**
 * Reads `argv` (without the node and script paths) and the environment.
 * @throws UsageError for an unknown flag, a bad value or flags that exclude each other.
 */
export function parseServerOptions(argv: readonly string[], env: NodeJS.ProcessEnv): ServerOptions {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      options: {
        host: { type: 'string' },
        port: { type: 'string' },
        'data-dir': { type: 'string' },
        static: { type: 'string' },
        storage: { type: 'string' },
        'ofb-url': { type: 'string' },
        'max-message-bytes': { type: 'string' },
        'max-update-cost': { type: 'string' },
        'allowed-hosts': { type: 'string' },
        'allowed-origins': { type: 'string' },
        orchestrator: { type: 'boolean' },
        'orchestrator-port': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      allowNegative: true,
    }));
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
  if (values.help) return { help: true };
  const text = (name: string) => values[name] as string | undefined;
  const root = text('data-dir') ?? env.SYMPHONY_DATA_DIR ?? '.symphony';
  const storage = text('storage') ?? 'ofb';
  if (storage !== 'ofb' && storage !== 'fs')
    throw new UsageError(`--storage must be ofb or fs, got "${storage}"`);
  const ofbUrl = text('ofb-url');
  if (ofbUrl !== undefined && storage === 'fs')
    throw new UsageError('--ofb-url and --storage fs exclude each other');

  const parsed = SyncServerConfig.safeParse({
    host: text('host') ?? env.HOST,
    port: number(text('port') ?? env.PORT),
    dataDir: join(root, 'docs'),
    staticDir: text('static') ?? env.SYMPHONY_STATIC_DIR,
    maxMessageBytes: number(text('max-message-bytes')),
    maxUpdateCost: number(text('max-update-cost')),
    allowedHosts: list(text('allowed-hosts') ?? env.SYMPHONY_ALLOWED_HOSTS),
    allowedOrigins: list(text('allowed-origins') ?? env.SYMPHONY_ALLOWED_ORIGINS),
  });
  if (!parsed.success) {
    throw new UsageError(
      `invalid settings:\n${parsed.error.issues.map((i) => `  --${i.path.join('.')}: ${i.message}`).join('\n')}`,
    );
  }
  const orchestrator = orchestratorOptions(values, storage, env);
  return { help: false, config: parsed.data, root, storage, ofbUrl, orchestrator };
}

/**
 * Whether to start the orchestrator, and on which port: `--[no-]orchestrator` before
 * `SYMPHONY_ORCHESTRATOR`; on by default except with `--storage fs`, which has no access control for
 * it to check tokens against.
 */
function orchestratorOptions(
  values: Record<string, string | boolean | undefined>,
  storage: 'ofb' | 'fs',
  env: NodeJS.ProcessEnv,
): { readonly port: number } | undefined {
  const flag = values.orchestrator as boolean | undefined;
  const portFlag = values['orchestrator-port'] as string | undefined;
  if (storage === 'fs' && (flag === true || portFlag !== undefined))
    throw new UsageError('--storage fs runs no orchestrator: drop --orchestrator / --orchestrator-port');
  if (flag === false && portFlag !== undefined)
    throw new UsageError('--no-orchestrator and --orchestrator-port exclude each other');
  const enabled = flag ?? switchValue(env.SYMPHONY_ORCHESTRATOR) ?? storage !== 'fs';
  if (!enabled || storage === 'fs') return undefined;
  const text = portFlag ?? env.SYMPHONY_ORCHESTRATOR_PORT;
  if (text === undefined || text === '') return { port: MONITOR_DEFAULT_PORT };
  const port = Number(text);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new UsageError(`--orchestrator-port must be a port number (0-65535), got "${text}"`);
  return { port };
}

/** `SYMPHONY_ORCHESTRATOR`: on or off (also 1/0, true/false); unset or empty: the default. */
function switchValue(text: string | undefined): boolean | undefined {
  const value = text?.trim().toLowerCase();
  if (value === undefined || value === '') return undefined;
  if (['on', '1', 'true'].includes(value)) return true;
  if (['off', '0', 'false'].includes(value)) return false;
  throw new UsageError(`SYMPHONY_ORCHESTRATOR must be on or off, got "${text}"`);
}

const number = (s: string | undefined) => (s === undefined ? undefined : Number(s));

const list = (s: string | undefined) =>
  s
    ?.split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '');
