// Serves the editor engine over a MessagePort or Worker, in a browser or in Node, and the port helpers
// its client channel shares.
import { EditorEngineLimits } from '@symphony/schemas';
import { coalescingSender } from './coalesce.js';
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
 * Calls `receive` with each JSON text of a port message: a message is one text, or an array of texts
 * in order (what a coalescing sender posts for a burst). Anything else is handed over as `undefined`.
 */
export function eachPortText(data: unknown, receive: (text: string | Uint8Array | undefined) => void): void {
  if (typeof data === 'string' || data instanceof Uint8Array) receive(data);
  else if (Array.isArray(data)) {
    for (const item of data)
      receive(typeof item === 'string' || item instanceof Uint8Array ? item : undefined);
  } else receive(undefined);
}

/** A sender over a port: one text per `postMessage`, or the texts of a burst as one array. */
export function portSender(port: PortLike, onError: (error: unknown) => void): (text: string) => void {
  return coalescingSender(
    (text) => port.postMessage(text),
    (texts) => port.postMessage(texts),
    onError,
  );
}

/**
 * Serves one caller over a MessagePort (in a Web Worker: `serveOnPort(engine, self)`; with Node's
 * worker_threads: `serveOnPort(engine, parentPort)`). A message is one JSON-RPC text or an array of
 * them; anything else is answered with `InvalidRequest`.
 */
export function serveOnPort(
  engine: EditorEngine,
  port: PortLike,
  options: { maxMessageBytes?: number } = {},
): RpcConnection {
  const send = portSender(port, (error) =>
    engine.log({ level: 'warn', message: 'could not send a message', error: String(error) }),
  );
  const connection = new RpcConnection(engine, send, {
    maxMessageBytes: options.maxMessageBytes ?? EditorEngineLimits.maxMessageBytes,
  });
  onPortMessage(port, (data) =>
    eachPortText(data, (text) => {
      if (text === undefined) {
        connection.refuseUnreadable(
          'a port message must be JSON text (a string or UTF-8 bytes) or an array of JSON texts',
        );
      } else connection.receive(text);
    }),
  );
  return connection;
}
