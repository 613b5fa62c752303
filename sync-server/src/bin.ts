#!/usr/bin/env node
import { parseArgs } from 'node:util';
import { SyncServerConfig } from '@symphony/schemas';
import { consoleLogger } from './logger.js';
import { startSyncServer } from './server.js';

const usage = `Usage: symphony-sync-server [--host 127.0.0.1] [--port 4321] [--data-dir .symphony/docs]
                            [--static DIR] [--max-message-bytes N] [--max-update-cost N]
Environment: HOST, PORT, SYMPHONY_DATA_DIR, SYMPHONY_STATIC_DIR.`;

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      host: { type: 'string' },
      port: { type: 'string' },
      'data-dir': { type: 'string' },
      static: { type: 'string' },
      'max-message-bytes': { type: 'string' },
      'max-update-cost': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    console.log(usage);
    return;
  }
  const number = (s: string | undefined) => (s === undefined ? undefined : Number(s));
  const parsed = SyncServerConfig.safeParse({
    host: values.host ?? process.env.HOST,
    port: number(values.port ?? process.env.PORT),
    dataDir: values['data-dir'] ?? process.env.SYMPHONY_DATA_DIR,
    staticDir: values.static ?? process.env.SYMPHONY_STATIC_DIR,
    maxMessageBytes: number(values['max-message-bytes']),
    maxUpdateCost: number(values['max-update-cost']),
  });
  if (!parsed.success) {
    console.error(
      `symphony-sync-server: invalid settings:\n${parsed.error.issues.map((i) => `  --${i.path.join('.')}: ${i.message}`).join('\n')}\n\n${usage}`,
    );
    process.exit(2);
  }
  const server = await startSyncServer(parsed.data);
  consoleLogger.info('sync-server listening', { url: server.url, dataDir: parsed.data.dataDir });
  console.log(`Symphony is running at ${server.url}/`);

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    consoleLogger.info('stopping', { signal });
    server.close().then(
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

main().catch((error: unknown) => {
  console.error(`symphony-sync-server: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
