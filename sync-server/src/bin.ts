#!/usr/bin/env node
import type { IncomingMessage, ServerResponse } from 'node:http';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { getRequestListener } from '@hono/node-server';
import {
  createOfbApp,
  defaultRules,
  loadJwtSecret,
  type OfbStore,
  PgliteStore,
  PostgresStore,
  TokenService,
} from '@symphony/ofb';
import { SyncServerConfig } from '@symphony/schemas';
import { OfbAccessControl } from './access/OfbAccessControl.js';
import { OpenAccess } from './access/OpenAccess.js';
import { consoleLogger } from './logger.js';
import type { OfbConnectionOptions } from './ofb-functions.js';
import { FsDocumentPersistence } from './persistence/FsDocumentPersistence.js';
import { OfbAutomergeStorage } from './persistence/OfbAutomergeStorage.js';
import { OfbPersistence } from './persistence/OfbPersistence.js';
import { type SyncServerDependencies, startSyncServer } from './server.js';

const usage = `Usage: symphony-sync-server [--host 127.0.0.1] [--port 4321] [--data-dir .symphony] [--static DIR]
                            [--ofb-url URL | --storage fs] [--max-message-bytes N] [--max-update-cost N]
                            [--allowed-hosts NAME,…] [--allowed-origins ORIGIN,…]

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
Environment: HOST, PORT, SYMPHONY_DATA_DIR, SYMPHONY_STATIC_DIR, SYMPHONY_ALLOWED_HOSTS,
SYMPHONY_ALLOWED_ORIGINS.`;

/** 10 years: the embedded service token never leaves this process and is minted again at each start. */
const SERVICE_TOKEN_SECONDS = 10 * 365 * 24 * 3600;
const FUNCTIONS_PATH = '/functions/v1/';

/** Where documents live and who decides access, for one way of running the server. */
interface Backend {
  readonly dependencies: SyncServerDependencies;
  readonly description: Record<string, unknown>;
  /** Called after the sync-server has stored everything and closed. */
  close(): Promise<void>;
}

function fail(message: string): never {
  console.error(`symphony-sync-server: ${message}\n\n${usage}`);
  process.exit(2);
}

async function main(): Promise<void> {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
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
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (error) {
    fail(error instanceof Error ? error.message : String(error));
  }
  if (values.help) {
    console.log(usage);
    return;
  }
  const text = (name: string) => values[name] as string | undefined;
  const number = (s: string | undefined) => (s === undefined ? undefined : Number(s));
  const list = (s: string | undefined) =>
    s
      ?.split(',')
      .map((item) => item.trim())
      .filter((item) => item !== '');
  const root = text('data-dir') ?? process.env.SYMPHONY_DATA_DIR ?? '.symphony';
  const storage = text('storage') ?? 'ofb';
  if (storage !== 'ofb' && storage !== 'fs') fail(`--storage must be ofb or fs, got "${storage}"`);
  const ofbUrl = text('ofb-url');
  if (ofbUrl !== undefined && storage === 'fs') fail('--ofb-url and --storage fs exclude each other');

  const parsed = SyncServerConfig.safeParse({
    host: text('host') ?? process.env.HOST,
    port: number(text('port') ?? process.env.PORT),
    dataDir: join(root, 'docs'),
    staticDir: text('static') ?? process.env.SYMPHONY_STATIC_DIR,
    maxMessageBytes: number(text('max-message-bytes')),
    maxUpdateCost: number(text('max-update-cost')),
    allowedHosts: list(text('allowed-hosts') ?? process.env.SYMPHONY_ALLOWED_HOSTS),
    allowedOrigins: list(text('allowed-origins') ?? process.env.SYMPHONY_ALLOWED_ORIGINS),
  });
  if (!parsed.success) {
    fail(
      `invalid settings:\n${parsed.error.issues.map((i) => `  --${i.path.join('.')}: ${i.message}`).join('\n')}`,
    );
  }
  const config = parsed.data;

  const backend =
    storage === 'fs' ? filesOnly(config.dataDir) : ofbUrl ? await remoteOfb(ofbUrl) : await embeddedOfb(root);
  const server = await startSyncServer(config, backend.dependencies).catch(async (error: unknown) => {
    await backend.close();
    throw error;
  });
  consoleLogger.info('sync-server listening', { url: server.url, dataDir: root, ...backend.description });
  console.log(`Symphony is running at ${server.url}/`);

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    consoleLogger.info('stopping', { signal });
    server
      .close()
      .then(() => backend.close())
      .then(
        () => process.exit(0),
        (error: unknown) => {
          consoleLogger.error('failed to stop cleanly', { error: String(error) });
          process.exit(1);
        },
      );
  };
  // automerge-repo's batched saves run outside any caller: a failed write (disk full, permissions)
  // would otherwise end the process and every other document's connections with it. Log it; the
  // client still holds the change and resends it on reconnect.
  process.on('unhandledRejection', (reason) => {
    consoleLogger.error('unhandled rejection (the server keeps running)', {
      error: reason instanceof Error ? (reason.stack ?? reason.message) : String(reason),
    });
  });
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

/**
 * The product default: OFB in this process, its functions mounted on the sync-server's own HTTP
 * server at `/functions/v1/`, and the storage and access adapters calling the same Hono app
 * in-process through supabase-js (the requests a remote OFB would get, without a loopback hop).
 */
async function embeddedOfb(root: string): Promise<Backend> {
  const databaseUrl = process.env.DATABASE_URL;
  const store: OfbStore = databaseUrl
    ? await PostgresStore.open(databaseUrl)
    : await PgliteStore.open(join(root, 'db'));
  const tokens = new TokenService(loadJwtSecret(root));
  const app = createOfbApp({ store, tokens, rules: defaultRules });
  const listener = getRequestListener(app.fetch);
  const ofb: OfbConnectionOptions = {
    url: 'http://ofb.internal',
    anonKey: 'embedded',
    serviceToken: await tokens.sign(
      { sub: 'symphony-sync-server', role: 'service_role' },
      SERVICE_TOKEN_SECONDS,
    ),
    fetch: async (input, init) => app.fetch(new Request(input, init)),
  };
  return {
    dependencies: {
      ...ofbAdapters(ofb),
      handleHttp(req: IncomingMessage, res: ServerResponse, path: string) {
        if (!path.startsWith(FUNCTIONS_PATH)) return false;
        void listener(req, res);
        return true;
      },
    },
    description: { ofb: 'embedded', database: databaseUrl ? 'postgres' : join(root, 'db') },
    close: () => store.close(),
  };
}

/** A remote OFB or Supabase project at `url`; this server only calls it. */
async function remoteOfb(url: string): Promise<Backend> {
  const serviceToken = process.env.SUPABASE_SERVICE_ROLE_KEY;
  const anonKey = process.env.SUPABASE_ANON_KEY;
  if (!serviceToken || !anonKey) fail('--ofb-url needs SUPABASE_SERVICE_ROLE_KEY and SUPABASE_ANON_KEY');
  return {
    dependencies: ofbAdapters({ url, anonKey, serviceToken }),
    description: { ofb: new URL(url).origin },
    close: async () => {},
  };
}

function ofbAdapters(ofb: OfbConnectionOptions): SyncServerDependencies {
  return {
    persistence: new OfbPersistence(ofb),
    access: new OfbAccessControl(ofb),
    automergeStorage: new OfbAutomergeStorage(ofb),
  };
}

/** `--storage fs`: today's file adapters and no access control, for benchmarks. */
function filesOnly(dataDir: string): Backend {
  consoleLogger.warn(
    '--storage fs: no access control; anyone who reaches this port may read and write everything',
  );
  return {
    dependencies: {
      persistence: new FsDocumentPersistence(dataDir, consoleLogger),
      access: new OpenAccess(),
    },
    description: { storage: 'fs' },
    close: async () => {},
  };
}

main().catch((error: unknown) => {
  console.error(`symphony-sync-server: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
