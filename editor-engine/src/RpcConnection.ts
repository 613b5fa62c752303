// One JSON-RPC connection to the editor engine, whatever carries it: size, JSON and envelope checks,
// a direct path for requests, json-rpc-peer for the rest.
import { EditorEngineLimits, type EngineErrorObject } from '@symphony/schemas';
import { format, type ParsedMessage, Peer } from 'json-rpc-peer';
import type { EditorEngine, EngineSession } from './EditorEngine.js';
import { EngineError } from './errors.js';
import { utf8Length } from './utf8.js';

/** Options of one connection. */
export interface RpcConnectionOptions {
  /** Largest message accepted, in bytes; larger ones are answered with `PayloadTooLarge` unparsed. */
  maxMessageBytes?: number;
}

const decoder = new TextDecoder('utf-8', { fatal: true });

/**
 * One JSON-RPC connection to the engine, whatever carries it: transports hand it each incoming
 * message and give it a function to send text. Size, JSON and envelope are checked here; params
 * and everything after in the session. Nothing a caller sends can make it throw.
 *
 * json-rpc-peer carries the protocol: requests the engine sends, the responses to them, batches,
 * JSON-RPC 1.0 envelopes and every malformed message. A well-formed 2.0 request takes a direct
 * path: it is dispatched synchronously and answered with json-rpc-peer's own `format`, without
 * the peer's asynchronous `exec` and stream; notifications go out the same way. That path is what
 * every edit takes, and the peer's machinery was a third of an edit's time (bench/editor-engine).
 */
export class RpcConnection {
  readonly #peer: Peer;
  readonly #session: EngineSession;
  readonly #send: (text: string) => void;
  readonly #engine: EditorEngine;
  readonly #limit: number;
  #closed = false;
  /** Messages waiting while an earlier one is still being answered (an asynchronous method). */
  readonly #queue: Incoming[] = [];
  #busy = false;
  #draining = false;
  /** Waiting for every message received so far to be answered. */
  readonly #idle: (() => void)[] = [];

  constructor(engine: EditorEngine, send: (text: string) => void, options: RpcConnectionOptions = {}) {
    this.#engine = engine;
    this.#send = send;
    this.#limit = options.maxMessageBytes ?? EditorEngineLimits.maxMessageBytes;
    this.#peer = new Peer((message: ParsedMessage) => this.#handle(message));
    this.#peer.on('data', (text: string) => this.#write(text));
    this.#session = engine.connect((method, params) => this.#write(format.notification(method, params)));
  }

  /** Sends the caller a request (either side may); resolves with its result. */
  request(method: string, params?: unknown): Promise<unknown> {
    return this.#peer.request(method, params);
  }

  /**
   * Handles one incoming message (a string, or UTF-8 bytes). Answers go out through `send`.
   * A connection's messages are handled one after the other, in the order they arrived, so a
   * caller may pipeline `buffer.open` and the edits that use its buffer.
   */
  receive(message: string | Uint8Array): void {
    this.#enqueue(message);
  }

  /** Answers, in its turn, a message the transport dropped unread because it was `bytes` long. */
  refuseOversized(bytes: number): void {
    this.#enqueue({ refuse: this.#oversized(bytes) });
  }

  /** Answers, in its turn, a message the transport could not read as JSON text: `InvalidRequest`. */
  refuseUnreadable(reason: string): void {
    this.#enqueue({ refuse: invalidRequest(reason) });
  }

  #enqueue(item: Incoming): void {
    if (this.#closed) return;
    if (this.#busy || this.#draining) {
      this.#queue.push(item);
      return;
    }
    this.#run(item);
  }

  /**
   * Resolves once every message received so far has been answered (or the connection closed), so
   * a transport whose input ended can send the last answers before it closes.
   */
  whenIdle(): Promise<void> {
    if (this.#closed || (!this.#busy && this.#queue.length === 0)) return Promise.resolve();
    return new Promise((resolve) => this.#idle.push(resolve));
  }

  /** Handles messages until one needs to wait, then resumes the queue when it is answered. */
  #run(first: Incoming): void {
    // A transport that delivers synchronously may hand over the next message while this one is
    // being answered; it waits in the queue behind the ones already there.
    this.#draining = true;
    try {
      this.#drain(first);
    } finally {
      this.#draining = false;
    }
    this.#settleIdle();
  }

  #settleIdle(): void {
    if (this.#closed || (!this.#busy && this.#queue.length === 0)) {
      for (const resolve of this.#idle.splice(0)) resolve();
    }
  }

  #drain(first: Incoming): void {
    let message: Incoming | undefined = first;
    while (message !== undefined && !this.#closed) {
      let pending: Promise<void> | undefined;
      try {
        pending = this.#process(message);
      } catch (error) {
        this.#failed(error);
      }
      if (pending) {
        this.#busy = true;
        pending
          .catch((error: unknown) => this.#failed(error))
          .finally(() => {
            this.#busy = false;
            const next = this.#queue.shift();
            if (next !== undefined) this.#run(next);
            else this.#settleIdle();
          });
        return;
      }
      message = this.#queue.shift();
    }
  }

  #failed(error: unknown): void {
    this.#engine.log({ level: 'error', message: 'failed to handle a message', error: String(error) });
  }

  #process(message: Incoming): Promise<void> | undefined {
    if (this.#closed) return undefined;
    if (typeof message === 'object' && !(message instanceof Uint8Array)) {
      this.#reply(null, message.refuse);
      return undefined;
    }
    const bytes = typeof message === 'string' ? utf8Length(message, this.#limit) : message.byteLength;
    if (bytes > this.#limit) {
      this.#reply(null, this.#oversized(bytes));
      return undefined;
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(typeof message === 'string' ? message : decoder.decode(message));
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      this.#reply(null, new EngineError('ParseError', `message is not valid JSON (UTF-8): ${reason}`));
      return undefined;
    }
    if (Array.isArray(parsed)) {
      if (parsed.length === 0) {
        this.#reply(null, invalidRequest('an empty batch; send at least one request'));
        return undefined;
      }
      return Promise.all(parsed.map((m) => this.#exec(m))).then((answers) => {
        const texts = answers.filter((a): a is string => a !== undefined);
        if (texts.length > 0) this.#write(`[${texts.join(',')}]`);
      });
    }
    if (isRequest(parsed)) return this.#request(parsed);
    return this.#exec(parsed).then((answer) => {
      if (answer !== undefined) this.#write(answer);
    });
  }

  /** A well-formed JSON-RPC 2.0 request: answered at once, or when its result settles. */
  #request(message: Request): Promise<void> | undefined {
    let result: unknown;
    try {
      result = this.#session.handle(message.method, message.params);
    } catch (error) {
      this.#write(format.error(message.id, this.#engineError(message.method, error)));
      return undefined;
    }
    if (!(result instanceof Promise)) {
      this.#write(format.response(message.id, result ?? null));
      return undefined;
    }
    return result.then(
      (value: unknown) => this.#write(format.response(message.id, value ?? null)),
      (error: unknown) => this.#write(format.error(message.id, this.#engineError(message.method, error))),
    );
  }

  #oversized(bytes: number): EngineError {
    return new EngineError(
      'PayloadTooLarge',
      `message of ${bytes} bytes is larger than the limit of ${this.#limit} bytes; split the edit or read in ranges`,
      { bytes, limit: this.#limit },
    );
  }

  /** Ends the connection: its buffers are released and pending requests fail. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#session.close();
    this.#peer.failPendingRequests(new Error('connection closed'));
    this.#settleIdle();
  }

  /** One message through json-rpc-peer; resolves to the text to send back, if any. */
  async #exec(message: unknown): Promise<string | undefined> {
    if (typeof message !== 'object' || message === null || Array.isArray(message)) {
      return errorText(null, invalidRequest('a JSON-RPC message must be an object'));
    }
    try {
      const answer = await this.#peer.exec(message);
      return typeof answer === 'string' ? answer : undefined;
    } catch (error) {
      // json-rpc-peer rejects with the formatted error for envelopes it refuses…
      if (typeof error === 'string') return error;
      // …and with a TypeError for a response to a request nobody sent: nothing to answer.
      this.#engine.log({ level: 'warn', message: 'ignored an unexpected message', error: String(error) });
      return undefined;
    }
  }

  #handle(message: ParsedMessage): unknown {
    try {
      const result = this.#session.handle(message.method, message.params);
      return result instanceof Promise
        ? result.catch((error: unknown) => this.#internal(message, error))
        : result;
    } catch (error) {
      return this.#internal(message, error);
    }
  }

  #internal(message: ParsedMessage, error: unknown): never {
    throw this.#engineError(message.method, error);
  }

  /** The error to answer with: an {@link EngineError} as is, anything else logged as internal. */
  #engineError(method: string, error: unknown): EngineError {
    if (error instanceof EngineError) return error;
    this.#engine.log({ level: 'error', message: `internal error in ${method}`, error: String(error) });
    return new EngineError('InternalError', `internal error in ${method}: ${String(error)}`);
  }

  #reply(id: null, error: EngineError): void {
    this.#write(errorText(id, error));
  }

  #write(text: string): void {
    if (this.#closed) return;
    try {
      this.#send(text);
    } catch (error) {
      this.#engine.log({ level: 'warn', message: 'could not send a message', error: String(error) });
    }
  }
}

/** What a transport hands over: a message's text or bytes, or a refusal to answer in its turn. */
type Incoming = string | Uint8Array | { refuse: EngineError };

/** A JSON-RPC 2.0 request, exactly as json-rpc-protocol's `parse` would accept one. */
interface Request {
  jsonrpc: '2.0';
  id: string | number;
  method: string;
  params?: object;
}

function isRequest(message: unknown): message is Request {
  if (typeof message !== 'object' || message === null || Array.isArray(message)) return false;
  const m = message as Record<string, unknown>;
  const params = m.params;
  return (
    m.jsonrpc === '2.0' &&
    typeof m.method === 'string' &&
    (typeof m.id === 'number' || typeof m.id === 'string') &&
    (params === undefined || (typeof params === 'object' && params !== null))
  );
}

function invalidRequest(reason: string): EngineError {
  return new EngineError('InvalidRequest', `invalid JSON-RPC 2.0 request: ${reason}`);
}

function errorText(id: string | number | null, error: EngineError): string {
  const payload: EngineErrorObject = error.toJsonRpcError();
  return JSON.stringify({ jsonrpc: '2.0', id, error: payload });
}
