import { EditorEngineLimits } from '@symphony/schemas';
import type { EditorEngine } from './EditorEngine.js';
import { RpcConnection } from './RpcConnection.js';

/** Node's `worker_threads` `MessagePort`, `Worker` or `parentPort`. */
export interface NodePortLike {
  postMessage(message: unknown): void;
  on(event: 'message', listener: (data: unknown) => void): unknown;
  close?(): void;
}

/** A browser `MessagePort`, `Worker`, or a worker's global scope (`self`). */
export interface DomPortLike {
  postMessage(message: unknown): void;
  addEventListener(type: 'message', listener: (event: MessageEvent) => void): void;
  start?(): void;
  close?(): void;
}

/** The part of a message port the engine needs, in a browser or in Node. */
export type PortLike = NodePortLike | DomPortLike;

/** Calls `listener` with each message's data, in a browser or in Node. */
export function onPortMessage(port: PortLike, listener: (data: unknown) => void): void {
  if ('on' in port && typeof port.on === 'function') port.on('message', listener);
  else {
    const dom = port as DomPortLike;
    dom.addEventListener('message', (event) => listener(event.data));
    dom.start?.();
  }
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
