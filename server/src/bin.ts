#!/usr/bin/env node
// `symphony-server`: the composition root that runs the sync-server, OFB (embedded by default) and
// the built client as one process, with the orchestrator (`symphony serve`) as its child, and stops
// them in order on SIGTERM / SIGINT.
import { consoleLogger, startSyncServer } from '@symphony/sync-server';
import { type Backend, embeddedOfb, filesOnly, remoteOfb } from './backends.js';
import { parseServerOptions, UsageError, usage } from './options.js';
import { locateOrchestratorBin, OrchestratorChild } from './orchestrator-child.js';

const NAME = 'symphony-server';

async function main(argv: readonly string[], env: NodeJS.ProcessEnv): Promise<void> {
  const options = parseServerOptions(argv, env);
  if (options.help) {
    console.log(usage);
    return;
  }
  const { config, root, storage, ofbUrl, orchestrator } = options;
  const backend: Backend =
    storage === 'fs'
      ? filesOnly(config.dataDir)
      : ofbUrl
        ? remoteOfb(ofbUrl, env)
        : await embeddedOfb(root, env.DATABASE_URL);
  const server = await startSyncServer(config, backend.dependencies).catch(async (error: unknown) => {
    await backend.close();
    throw error;
  });
  consoleLogger.info('sync-server listening', { url: server.url, dataDir: root, ...backend.description });
  console.log(`Symphony is running at ${server.url}/`);
  const child = orchestrator && startOrchestrator(server.url, orchestrator.port, root, env);

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    consoleLogger.info('stopping', { signal });
    Promise.resolve(child?.stop())
      .then(() => server.close())
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
 * The orchestrator beside the server, running workflows from it; a missing build is a warning (the
 * board then says the orchestrator is not running), never a reason not to serve.
 */
function startOrchestrator(
  serverUrl: string,
  port: number,
  dataDir: string,
  env: NodeJS.ProcessEnv,
): OrchestratorChild | undefined {
  const bin = locateOrchestratorBin(env);
  if ('missing' in bin) {
    const message = 'the orchestrator is not built, so the board cannot run workflows: run `npm run build`';
    consoleLogger.warn(message, { lookedFor: bin.missing });
    return undefined;
  }
  const child = new OrchestratorChild({
    bin: bin.found,
    settings: { serverUrl, port, dataDir },
    env,
    log: consoleLogger,
    onReady: (url) => console.log(`Orchestrator is running at ${url}`),
  });
  child.start();
  return child;
}

main(process.argv.slice(2), process.env).catch((error: unknown) => {
  if (error instanceof UsageError) {
    console.error(`${NAME}: ${error.message}\n\n${usage}`);
    process.exit(2);
  }
  console.error(`${NAME}: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
