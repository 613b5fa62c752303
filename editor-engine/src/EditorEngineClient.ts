// A typed JSON-RPC client of the editor engine over any channel (stdio, MessagePort, WebSocket).
import {
  EditorEngineLimits,
  EngineErrorCode,
  type EngineMethod,
  type EngineNotification,
  type EngineNotificationParams,
  type EngineParams,
  type EngineResult,
} from '@symphony/schemas';
import { format, type ParsedMessage, Peer } from 'json-rpc-peer';
import { utf8Length } from './utf8.js';

/** Something that carries JSON-RPC text both ways: a stdio pipe, a MessagePort, a WebSocket. */
export interface EngineChannel {
  send(text: string): void;
  /** Registers the receiver of every incoming message. */
  onMessage(listener: (text: string) => void): void;
  close(): void;
}

/** A failed request: the engine's error code (see `EngineErrorCode`), message and data. */
export class EngineRequestError extends Error {
  override name = 'EngineRequestError';
  readonly code: number;
  readonly data: unknown;

  constructor(message: string, code: number, data: unknown) {
    super(message);
    this.code = code;
    this.data = data;
  }
}

/**
 * A typed client of the editor engine: `request(method, params)` takes and returns the types of
 * `EngineRequests` in `@symphony/schemas`; `on(notification, listener)` receives `buffer.update`,
 * `buffer.selections` and `buffer.status`. Results are not re-validated (the engine is trusted and
 * the bench measures the round trip).
 *
 * Requests go out in json-rpc-peer's `format` with this client's own ids, and the answers to them
 * and notifications are dispatched directly; json-rpc-peer's `Peer` handles everything else (requests
 * the engine sends, malformed messages). Its asynchronous `exec` per message cost as much as the
 * engine's edit itself (bench/editor-engine).
 */
export class EditorEngineClient {
  readonly #peer: Peer;
  readonly #channel: EngineChannel;
  readonly #listeners = new Map<string, Set<(params: never) => void>>();
  /** Requests waiting for their answer, by id (positive; json-rpc-peer's own ids are negative). */
  readonly #pending = new Map<number, { resolve(value: unknown): void; reject(error: unknown): void }>();
  #nextId = 1;
  #closed = false;
  /** The engine's message limit (`engine.hello` says it); larger requests are refused here. */
  maxMessageBytes: number = EditorEngineLimits.maxMessageBytes;
  /** Handles requests the engine sends this client (none today); unknown ones are refused. */
  onRequest: ((method: string, params: unknown) => unknown) | undefined;

  constructor(channel: EngineChannel) {
    this.#channel = channel;
    this.#peer = new Peer((message: ParsedMessage) => {
      if (message.type === 'notification') {
        this.#dispatch(message.method, message.params);
        return undefined;
      }
      if (this.onRequest) return this.onRequest(message.method, message.params);
      throw new EngineRequestError(`the client has no method ${message.method}`, -32601, message.method);
    });
    this.#peer.on('data', (text: string) => channel.send(text));
    channel.onMessage((text) => this.#receive(text));
  }

  #receive(text: string): void {
    let message: unknown;
    try {
      message = JSON.parse(text);
    } catch {
      return; // Not JSON: nothing to answer (json-rpc-peer would answer a ParseError to an engine).
    }
    if (typeof message === 'object' && message !== null && !Array.isArray(message)) {
      const m = message as {
        id?: unknown;
        method?: unknown;
        params?: unknown;
        result?: unknown;
        error?: unknown;
      };
      if (m.method === undefined && typeof m.id === 'number') {
        const waiting = this.#pending.get(m.id);
        if (waiting) {
          this.#pending.delete(m.id);
          if (m.error === undefined) waiting.resolve(m.result);
          else waiting.reject(requestError(m.error));
          return;
        }
      } else if (typeof m.method === 'string' && m.id === undefined) {
        this.#dispatch(m.method, m.params);
        return;
      }
    }
    this.#peer.exec(message as object).then(
      (answer) => {
        if (typeof answer === 'string') this.#channel.send(answer);
      },
      () => {},
    );
  }

  #dispatch(method: string, params: unknown): void {
    const listeners = this.#listeners.get(method);
    if (!listeners) return;
    for (const listener of listeners) {
      // A listener that throws must not cost the messages behind it (they may share one port
      // message or stdout chunk); its error surfaces on its own, as an uncaught one.
      try {
        listener(params as never);
      } catch (error) {
        queueMicrotask(() => {
          throw error;
        });
      }
    }
  }

  /** Sends a request; rejects with an {@link EngineRequestError} if the engine answers an error. */
  request<M extends EngineMethod>(method: M, params: EngineParams<M>): Promise<EngineResult<M>> {
    if (this.#closed)
      return Promise.reject(new EngineRequestError('the client was closed', -32603, undefined));
    const id = this.#nextId++;
    const text = format.request(id, method, params);
    // The engine answers a message over its limit with an error it cannot tie to any request
    // (`id: null`, the message was never parsed); refused here, the request fails instead of hanging.
    const bytes = utf8Length(text, this.maxMessageBytes);
    if (bytes > this.maxMessageBytes) {
      return Promise.reject(
        new EngineRequestError(
          `${method} is ${bytes} bytes, over the engine's limit of ${this.maxMessageBytes} bytes per message; split the edit or read in ranges`,
          EngineErrorCode.PayloadTooLarge,
          { bytes, limit: this.maxMessageBytes },
        ),
      );
    }
    return new Promise((resolve, reject) => {
      this.#pending.set(id, { resolve: resolve as (value: unknown) => void, reject });
      this.#channel.send(text);
    });
  }

  /** Sends a request as a notification: it takes effect and is not answered. */
  notify<M extends EngineMethod>(method: M, params: EngineParams<M>): void {
    void this.#peer.notify(method, params);
  }

  /** Calls `listener` for each notification `method`; returns a function that stops it. */
  on<N extends EngineNotification>(method: N, listener: Listener<N>): () => void {
    let set = this.#listeners.get(method);
    if (!set) {
      set = new Set();
      this.#listeners.set(method, set);
    }
    set.add(listener as (params: never) => void);
    return () => set.delete(listener as (params: never) => void);
  }

  /** Fails pending requests and closes the channel. */
  close(): void {
    this.#closed = true;
    const closed = new EngineRequestError('the client was closed', -32603, undefined);
    for (const waiting of this.#pending.values()) waiting.reject(closed);
    this.#pending.clear();
    this.#peer.failPendingRequests(closed);
    this.#channel.close();
  }
}

/** The error of an answer, whatever shape the engine gave it. */
function requestError(error: unknown): EngineRequestError {
  const e = (typeof error === 'object' && error !== null ? error : {}) as {
    message?: unknown;
    code?: unknown;
    data?: unknown;
  };
  return new EngineRequestError(
    typeof e.message === 'string' ? e.message : String(error),
    typeof e.code === 'number' ? e.code : -32603,
    e.data,
  );
}

type Listener<N extends EngineNotification> = (params: EngineNotificationParams<N>) => void;
