/**
 * Hosts one sync server, ours or the stock anchor, in a worker thread of the benchmark's process, so
 * the server gets a core of its own instead of queueing behind a hundred clients' event handlers.
 *
 * Plain JavaScript because Node 20 does not apply tsx's loader to worker threads.
 *
 * workerData: `{ kind: 'ours' | 'anchor', dataDir: string }`. Posts `{ type: 'ready', port }` once
 * listening, `{ type: 'log', level, msg, fields }` for each warning or error our server logs, and on
 * the message `'close'` closes the server and posts `{ type: 'closed' }`.
 */
import { createServer } from 'node:http';
import { parentPort, workerData } from 'node:worker_threads';

/** @typedef {{ port: number, close(): Promise<void> }} RunningServer */

/** @returns {Promise<RunningServer>} */
async function startAnchor() {
  // Stock @y/websocket-server in its default, in-memory configuration: its utils module persists to
  // LevelDB when YPERSISTENCE is set and posts to CALLBACK_URL when that is set, both read when the
  // module loads. Neither is part of the anchor.
  delete process.env.YPERSISTENCE;
  delete process.env.CALLBACK_URL;
  const { setupWSConnection } = await import('@y/websocket-server/utils');
  const { WebSocketServer } = await import('ws');

  const wss = new WebSocketServer({ noServer: true });
  wss.on('connection', setupWSConnection);
  const http = createServer((_request, response) => {
    response.writeHead(200, { 'Content-Type': 'text/plain' });
    response.end('okay');
  });
  // The same upgrade path as the package's own server.js.
  http.on('upgrade', (request, socket, head) => {
    wss.handleUpgrade(request, socket, head, (ws) => wss.emit('connection', ws, request));
  });
  await new Promise((resolve) => http.listen(0, '127.0.0.1', resolve));
  const address = http.address();
  return {
    port: typeof address === 'object' && address ? address.port : 0,
    close: async () => {
      for (const ws of wss.clients) ws.terminate();
      await new Promise((resolve) => wss.close(resolve));
      await new Promise((resolve) => http.close(resolve));
    },
  };
}

/** @returns {Promise<RunningServer>} */
async function startOurs() {
  const { startSyncServer, silentLogger } = await import('@symphony/sync-server');
  if (typeof startSyncServer !== 'function') {
    throw new Error(
      '@symphony/sync-server does not export startSyncServer yet; build it first (npx tsc -b) or run the anchor only with BENCH_ANCHOR_ONLY=1',
    );
  }
  // Default persistence: files under dataDir, fsynced. Info lines are dropped (the anchor logs
  // nothing either); warnings and errors go to the benchmark, which reports them with the run.
  const forward = (level) => (msg, fields) => parentPort.postMessage({ type: 'log', level, msg, fields });
  const logger = { info: silentLogger.info, warn: forward('warn'), error: forward('error') };
  return startSyncServer({ host: '127.0.0.1', port: 0, dataDir: workerData.dataDir }, { logger });
}

const server = workerData.kind === 'ours' ? await startOurs() : await startAnchor();
parentPort.on('message', async (message) => {
  if (message !== 'close') return;
  await server.close();
  parentPort.postMessage({ type: 'closed' });
});
parentPort.postMessage({ type: 'ready', port: server.port });
