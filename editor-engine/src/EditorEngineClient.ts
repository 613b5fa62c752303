import type {
  EngineMethod,
  EngineNotification,
  EngineNotificationParams,
  EngineParams,
  EngineResult,
} from '@symphony/schemas';
import { type ParsedMessage, Peer } from 'json-rpc-peer';

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

type Listener<N extends EngineNotification> = (params: EngineNotificationParams<N>) => void;

/**
 * A typed client of the editor engine: `request(method, params)` takes and returns the types of
 * `EngineRequests` in `@symphony/schemas`; `on(notification, listener)` receives `buffer.update`,
 * `buffer.selections` and `buffer.status`. Results are not re-validated (the engine is trusted and
 * the bench measures the round trip).
 */
export class EditorEngineClient {
  readonly #peer: Peer;
  readonly #channel: EngineChannel;
  readonly #listeners = new Map<string, Set<(params: never) => void>>();
  /** Handles requests the engine sends this client (none today); unknown ones are refused. */
  onRequest: ((method: string, params: unknown) => unknown) | undefined;

  constructor(channel: EngineChannel) {
    this.#channel = channel;
    this.#peer = new Peer((message: ParsedMessage) => {
      if (message.type === 'notification') {
        for (const listener of this.#listeners.get(message.method) ?? []) listener(message.params as never);
        return undefined;
      }
      if (this.onRequest) return this.onRequest(message.method, message.params);
      throw new EngineRequestError(`the client has no method ${message.method}`, -32601, message.method);
    });
    this.#peer.on('data', (text: string) => channel.send(text));
    channel.onMessage((text) => {
      this.#peer.exec(text).then(
        (answer) => {
          if (typeof answer === 'string') channel.send(answer);
        },
        () => {},
      );
    });
  }

  /** Sends a request; rejects with an {@link EngineRequestError} if the engine answers an error. */
  async request<M extends EngineMethod>(method: M, params: EngineParams<M>): Promise<EngineResult<M>> {
    try {
      return (await this.#peer.request(method, params)) as EngineResult<M>;
    } catch (error) {
      const e = error as { message?: string; code?: number; data?: unknown };
      throw new EngineRequestError(e.message ?? String(error), e.code ?? -32603, e.data);
    }
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
    this.#peer.failPendingRequests(new EngineRequestError('the client was closed', -32603, undefined));
    this.#channel.close();
  }
}
