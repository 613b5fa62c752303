import { EditorEngineLimits } from '@symphony/schemas';
import type { EditorEngine } from './EditorEngine.js';
import { RpcConnection } from './RpcConnection.js';

/**
 * The part of a MessagePort the engine needs: a browser `MessagePort`, a `Worker`'s global scope
 * (`self`), or Node's `worker_threads` `MessagePort` / `parentPort`.
 */
export interface PortLike {
  postMessage(message: unknown): void;
  addEventListener?(type: 'message', listener: (event: { data: unknown }) => void): void;
  on?(event: 'message', listener: (data: unknown) => void): unknown;
  start?(): void;
  close?(): void;
}

/** Calls `listener` with each message's data, in a browser or in Node. */
export function onPortMessage(port: PortLike, listener: (data: unknown) => void): void {
  if (typeof port.on === 'function') port.on('message', listener);
  else if (typeof port.addEventListener === 'function') {
    port.addEventListener('message', (event) => listener(event.data));
    port.start?.();
  } else throw new TypeError('onPortMessage: the port has neither on() nor addEventListener()');
}

/**
 * Serves one caller over a MessagePort (in a Web Worker: `serveOnPort(engine, self)`; with Node's
 * worker_threads: `serveOnPort(engine, parentPort)`). Each message is one JSON-RPC text; a message
 * that is not a string is answered with `InvalidRequest`.
 */
export function serveOnPort(
  engine: EditorEngine,
  port: PortLike,
  options: { maxMessageBytes?: number } = {},
): RpcConnection {
  const connection = new RpcConnection(engine, (text) => port.postMessage(text), {
    maxMessageBytes: options.maxMessageBytes ?? EditorEngineLimits.maxMessageBytes,
  });
  onPortMessage(port, (data) => {
    if (typeof data === 'string') connection.receive(data);
    else if (data instanceof Uint8Array) connection.receive(data);
    else connection.receive('"messages on the port must be JSON text"');
  });
  return connection;
}
