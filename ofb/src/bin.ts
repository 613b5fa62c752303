#!/usr/bin/env node
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { PgliteStore } from './adapters/PgliteStore.js';
import { PostgresStore } from './adapters/PostgresStore.js';
import { loadJwtSecret, TokenService } from './auth.js';
import { defaultRules } from './domain/rules.js';
import { createOfbApp } from './http/app.js';
import { listen } from './http/serve.js';
import type { OfbStore } from './OfbStore.js';

const usage = `Usage: symphony-ofb [--host 127.0.0.1] [--port 54321] [--data-dir .symphony]

Serves OFB's functions at http://HOST:PORT/functions/v1/<name> (port 0 = any free port).
Database: PostgreSQL at DATABASE_URL when set, otherwise embedded PGlite in <data-dir>/db.
JWT secret: SUPABASE_JWT_SECRET when set, otherwise <data-dir>/jwt-secret (generated on first start).`;

function fail(message: string): never {
  console.error(`symphony-ofb: ${message}\n\n${usage}`);
  process.exit(2);
}

async function main(): Promise<void> {
  let values: { host?: string; port?: string; 'data-dir'?: string; help?: boolean };
  try {
    ({ values } = parseArgs({
      options: {
        host: { type: 'string', default: '127.0.0.1' },
        port: { type: 'string', default: '54321' },
        'data-dir': { type: 'string', default: '.symphony' },
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
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65_535)
    fail(`--port must be an integer from 0 to 65535, got "${values.port}"`);
  const host = values.host!;
  const dataDir = values['data-dir']!;

  const databaseUrl = process.env.DATABASE_URL;
  const store: OfbStore = databaseUrl
    ? await PostgresStore.open(databaseUrl)
    : await PgliteStore.open(join(dataDir, 'db'));
  const tokens = new TokenService(loadJwtSecret(dataDir));
  const app = createOfbApp({ store, tokens, rules: defaultRules });
  if (!app.routes.some((r) => r.path === '/healthz' && (r.method === 'GET' || r.method === 'ALL'))) {
    app.get('/healthz', (c) => c.json({ ok: true }));
  }
  const server = await listen(app, port, host);
  console.log(`OFB is running at ${server.url}/functions/v1/`);

  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    try {
      await server.close();
      await store.close();
      process.exit(0);
    } catch (error) {
      console.error(`symphony-ofb: failed to stop cleanly: ${String(error)}`);
      process.exit(1);
    }
  };
  process.on('SIGTERM', () => void stop());
  process.on('SIGINT', () => void stop());
}

main().catch((error: unknown) => {
  console.error(`symphony-ofb: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
