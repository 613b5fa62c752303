// Where documents live and who decides access, for each way of running `symphony-server`: OFB in
// this process (the default), a remote OFB, or plain files without access control.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { join } from 'node:path';
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
import {
  consoleLogger,
  FsDocumentPersistence,
  OfbAccessControl,
  OfbAutomergeStorage,
  type OfbConnectionOptions,
  OfbPersistence,
  OpenAccess,
  type SyncServerDependencies,
} from '@symphony/sync-server';
import { UsageError } from './options.js';

/** Where documents live and who decides access, for one way of running the server. */
export interface Backend {
  readonly dependencies: SyncServerDependencies;
  /** What the "listening" log line says about it. */
  readonly description: Record<string, unknown>;
  /** Called after the sync-server has stored everything and closed. */
  close(): Promise<void>;
}

/** 10 years: the embedded service token never leaves this process and is minted again at each start. */
const SERVICE_TOKEN_SECONDS = 10 * 365 * 24 * 3600;
const FUNCTIONS_PATH = '/functions/v1/';

/**
 * The product default: OFB in this process, its functions mounted on the sync-server's own HTTP
 * server at `/functions/v1/`, and the storage and access adapters calling the same Hono app
 * in-process through supabase-js (the requests a remote OFB would get, without a loopback hop).
 * PostgreSQL at `databaseUrl`, else PGlite in `<root>/db`.
 */
export async function embeddedOfb(root: string, databaseUrl: string | undefined): Promise<Backend> {
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

/**
 * A remote OFB or Supabase project at `url`; this server only calls it.
 * @throws UsageError without `SUPABASE_SERVICE_ROLE_KEY` and `SUPABASE_ANON_KEY` in `env`.
 */
export function remoteOfb(url: string, env: NodeJS.ProcessEnv): Backend {
  const serviceToken = env.SUPABASE_SERVICE_ROLE_KEY;
  const anonKey = env.SUPABASE_ANON_KEY;
  if (!serviceToken || !anonKey)
    throw new UsageError('--ofb-url needs SUPABASE_SERVICE_ROLE_KEY and SUPABASE_ANON_KEY');
  return {
    dependencies: ofbAdapters({ url, anonKey, serviceToken }),
    description: { ofb: new URL(url).origin },
    close: async () => {},
  };
}

/** `--storage fs`: the file adapters and no access control, for benchmarks. */
export function filesOnly(dataDir: string): Backend {
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

function ofbAdapters(ofb: OfbConnectionOptions): SyncServerDependencies {
  return {
    persistence: new OfbPersistence(ofb),
    access: new OfbAccessControl(ofb),
    automergeStorage: new OfbAutomergeStorage(ofb),
  };
}
