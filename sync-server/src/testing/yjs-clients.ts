// Clients of a running sync-server for tests: the stock y-websocket provider, a raw websocket that
// sends what no stock client would, and waiting for either.
import WebSocket from 'ws';
import { WebsocketProvider } from 'y-websocket';
import * as Y from 'yjs';

/**
 * The stock y-websocket client, as a Node app would use it (no BroadcastChannel shortcut); with a
 * `token`, it sends it as `?token=` (`params: { token }`), as Symphony's client does.
 */
export function connect(
  server: { port: number },
  documentId: string,
  doc = new Y.Doc(),
  token?: string,
): WebsocketProvider {
  return new WebsocketProvider(`ws://127.0.0.1:${server.port}/yjs`, documentId, doc, {
    WebSocketPolyfill: WebSocket as unknown as typeof globalThis.WebSocket,
    disableBc: true,
    maxBackoffTime: 200,
    ...(token === undefined ? {} : { params: { token } }),
  });
}

/** Resolves when the provider has completed its first sync with the server. */
export function synced(provider: WebsocketProvider): Promise<void> {
  return provider.synced
    ? Promise.resolve()
    : new Promise((resolve) => provider.once('sync', () => resolve()));
}

/** A raw websocket on `path` (`/yjs/<id>`, `/automerge`): sends frames and reports how the server closed it. */
export async function rawSocket(
  server: { port: number },
  path: string,
): Promise<{ ws: WebSocket; received: Uint8Array[]; closed: Promise<{ code: number; reason: string }> }> {
  const ws = new WebSocket(`ws://127.0.0.1:${server.port}${path}`);
  const received: Uint8Array[] = [];
  ws.on('message', (data: Buffer) => received.push(new Uint8Array(data)));
  const closed = new Promise<{ code: number; reason: string }>((resolve) =>
    ws.on('close', (code, reason) => resolve({ code, reason: reason.toString() })),
  );
  ws.on('error', () => {});
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
    ws.once('error', reject);
  });
  return { ws, received, closed };
}

/** Polls `condition` until it holds, or fails with `what` after `timeoutMs`. */
export async function waitFor(condition: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
  const start = Date.now();
  while (!condition()) {
    if (Date.now() - start > timeoutMs)
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}
