// Serves the editor engine over WebSocket: one caller per connection, one JSON-RPC message per text frame.
import type { AddressInfo } from 'node:net';
import { EditorEngineLimits } from '@symphony/schemas';
import { WebSocketServer } from 'ws';
import type { EditorEngine } from './EditorEngine.js';
import { RpcConnection } from './RpcConnection.js';

/** A running WebSocket endpoint of the engine. */
export interface EngineWebSocketServer {
  readonly port: number;
  readonly url: string;
  close(): Promise<void>;
}

/**
 * Serves callers over WebSocket, one caller per connection, one JSON-RPC message per text frame.
 * Frames up to 4× the message limit are read and answered with `PayloadTooLarge`; larger ones are
 * refused by `ws` itself (close 1009) so no frame is ever buffered without bound.
 */
export function listenWebSocket(
  engine: EditorEngine,
  options: { port?: number; host?: string; maxMessageBytes?: number } = {},
): Promise<EngineWebSocketServer> {
  const limit = options.maxMessageBytes ?? EditorEngineLimits.maxMessageBytes;
  const server = new WebSocketServer({
    port: options.port ?? 0,
    host: options.host ?? '127.0.0.1',
    maxPayload: limit * 4,
  });
  server.on('connection', (socket) => {
    const connection = new RpcConnection(
      engine,
      (text) => {
        if (socket.readyState === socket.OPEN) socket.send(text);
      },
      { maxMessageBytes: limit },
    );
    socket.on('message', (data) => {
      connection.receive(Array.isArray(data) ? Buffer.concat(data) : new Uint8Array(data as ArrayBuffer));
    });
    socket.on('close', () => connection.close());
    socket.on('error', () => connection.close());
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.once('listening', () => {
      const { port } = server.address() as AddressInfo;
      const host = options.host ?? '127.0.0.1';
      resolve({
        port,
        url: `ws://${host}:${port}`,
        close: () =>
          new Promise<void>((done) => {
            for (const client of server.clients) client.terminate();
            server.close(() => done());
          }),
      });
    });
  });
}
