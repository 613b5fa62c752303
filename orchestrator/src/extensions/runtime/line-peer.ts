// JSON-RPC 2.0 over one message per line, for both ends of an extension's stdio: the engine's framing
// (LineSplitter, coalescingSender) carrying a minimal peer of the protocol's single messages.
import { type CoalescingSender, coalescingSender, LineSplitter } from '@symphony/editor-engine/framing';

/** A request or a notification that arrived, as the handler sees it. */
export interface RpcIncoming {
  readonly type: 'request' | 'notification';
  readonly method: string;
  readonly params: unknown;
}

/** What one end does with what arrives. */
export interface LinePeerHandlers {
  /**
   * A request (its return value, or what its promise resolves to, is the answer; a throw or a
   * rejection the error answer) or a notification (its return value and errors are ignored).
   */
  onMessage(message: RpcIncoming): unknown;
  /** A line longer than the limit arrived; only its length was read. */
  onOversized(bytes: number): void;
  /** A line that is not a JSON-RPC 2.0 message, or an answer to nothing asked. */
  onMalformed(error: unknown): void;
}

/** The `error` member of a JSON-RPC answer. */
export interface RpcErrorObject {
  readonly code: number;
  readonly message: string;
  readonly data?: unknown;
}

/**
 * An error answer: what a handler throws to answer with `code`, and what `request` rejects with when
 * the far end answered with an error. (`toJsonRpcError` is json-rpc-protocol's convention, so its
 * `JsonRpcError`, thrown by the fetch proxy, is answered the same way.)
 */
export class RpcError extends Error {
  override name = 'RpcError';
  readonly code: number;
  readonly data: unknown;

  constructor(message: string, code: number, data?: unknown) {
    super(message);
    this.code = code;
    this.data = data;
  }

  toJsonRpcError(): RpcErrorObject {
    return this.data === undefined
      ? { code: this.code, message: this.message }
      : { code: this.code, message: this.message, data: this.data };
  }
}

/** JSON-RPC's "method not found". */
export const METHOD_NOT_FOUND = -32601;
/** JSON-RPC's "internal error": an answer that could not be written. */
const INTERNAL_ERROR = -32603;
/** What an error without `toJsonRpcError` is answered with: its text stays on this side. */
const HIDDEN_ERROR: RpcErrorObject = { code: -32000, message: 'unknown error from the peer' };

type Id = string | number;

interface Pending {
  resolve(result: unknown): void;
  reject(error: unknown): void;
}

const decoder = new TextDecoder('utf-8', { fatal: true });

/**
 * One end of a JSON-RPC 2.0 connection over a byte stream split into lines. Incoming lines longer
 * than `limit` are never buffered whole (see `LineSplitter`); outgoing messages sent in one turn are
 * written together, and an answer goes out at once with whatever the turn held before it.
 *
 * Both ends are Symphony's, so it speaks only what they send: single 2.0 requests, notifications and
 * answers. A batch, a 1.0 envelope, invalid JSON or UTF-8, or an answer to no request is a breach
 * (`onMalformed`), never answered. Handlers run synchronously as each line arrives, and an answer
 * that is ready at once is written at once: `node.run` takes no detour through a promise chain.
 */
export class LinePeer {
  readonly #send: CoalescingSender;
  readonly #lines: LineSplitter;
  readonly #handlers: LinePeerHandlers;
  readonly #pending = new Map<Id, Pending>();
  #nextId = 0;
  #closed = false;
  #closeReason: unknown;

  constructor(limit: number, write: (text: string) => void, handlers: LinePeerHandlers) {
    this.#handlers = handlers;
    this.#send = coalescingSender(
      (text) => write(`${text}\n`),
      (texts) => write(`${texts.join('\n')}\n`),
      (error) => handlers.onMalformed(error),
    );
    this.#lines = new LineSplitter(limit, (line) => {
      if (this.#closed) return;
      if (typeof line === 'number') handlers.onOversized(line);
      else this.#receive(line);
    });
  }

  /** Feeds bytes read from the far end. */
  push(chunk: Buffer): void {
    if (!this.#closed) this.#lines.push(chunk);
  }

  /** Sends a request; resolves with its result, rejects with an {@link RpcError} or the close reason. */
  request(method: string, params?: unknown): Promise<unknown> {
    if (this.#closed) return Promise.reject(this.#closeReason);
    const id = ++this.#nextId;
    return new Promise((resolve, reject) => {
      this.#pending.set(id, { resolve, reject });
      this.#send(JSON.stringify({ jsonrpc: '2.0', id, method, params }));
    });
  }

  notify(method: string, params?: unknown): void {
    if (!this.#closed) this.#send(JSON.stringify({ jsonrpc: '2.0', method, params }));
  }

  /** Sends at once whatever is held for the end of the turn (before the process exits). */
  flush(): void {
    this.#send.flush();
  }

  /** Stops reading and fails the requests still waiting for an answer with `reason`. */
  close(reason: unknown): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#closeReason = reason;
    const pending = [...this.#pending.values()];
    this.#pending.clear();
    for (const one of pending) one.reject(reason);
  }

  #receive(line: Uint8Array): void {
    let message: unknown;
    try {
      message = JSON.parse(decoder.decode(line));
    } catch (error) {
      this.#handlers.onMalformed(new Error(`a line that is not JSON (UTF-8): ${String(error)}`));
      return;
    }
    if (typeof message !== 'object' || message === null || Array.isArray(message)) {
      this.#handlers.onMalformed(new Error('a message that is not a JSON-RPC object (batches are not used)'));
      return;
    }
    const m = message as Record<string, unknown>;
    const { id, method, params } = m;
    const validId = typeof id === 'number' || typeof id === 'string';
    if (m.jsonrpc !== '2.0') this.#handlers.onMalformed(new Error('a message that is not JSON-RPC 2.0'));
    else if (typeof method === 'string' && validId) this.#request(id, method, params);
    else if (typeof method === 'string' && id === undefined) this.#notification(method, params);
    else if (validId && ('result' in m || 'error' in m)) this.#answer(id, m);
    else
      this.#handlers.onMalformed(
        new Error('a message that is neither a request, a notification nor an answer'),
      );
  }

  #request(id: Id, method: string, params: unknown): void {
    let result: unknown;
    try {
      result = this.#handlers.onMessage({ type: 'request', method, params });
    } catch (error) {
      this.#reply(id, undefined, error);
      return;
    }
    if (result instanceof Promise)
      result.then(
        (value: unknown) => this.#reply(id, value),
        (error: unknown) => this.#reply(id, undefined, error ?? new Error('rejected')),
      );
    else this.#reply(id, result);
  }

  #notification(method: string, params: unknown): void {
    try {
      const result = this.#handlers.onMessage({ type: 'notification', method, params });
      // A notification is never answered: what its handler rejects with stays here.
      if (result instanceof Promise) result.catch(() => {});
    } catch {
      // As above.
    }
  }

  #answer(id: Id, message: Record<string, unknown>): void {
    const pending = this.#pending.get(id);
    if (!pending) {
      this.#handlers.onMalformed(
        new Error(`an answer to request ${JSON.stringify(id)}, which was never sent`),
      );
      return;
    }
    this.#pending.delete(id);
    if (!('error' in message)) {
      pending.resolve(message.result);
      return;
    }
    const error = message.error as Partial<RpcErrorObject> | null;
    if (typeof error !== 'object' || error === null || typeof error.code !== 'number') {
      pending.reject(new RpcError('a malformed error answer', HIDDEN_ERROR.code));
      return;
    }
    pending.reject(new RpcError(String(error.message ?? ''), error.code, error.data));
  }

  /** Answers request `id` and sends it at once, with what the turn held before it. */
  #reply(id: Id, result: unknown, error?: unknown): void {
    if (this.#closed) return;
    let text: string;
    try {
      text =
        error === undefined
          ? JSON.stringify({ jsonrpc: '2.0', id, result: result ?? null })
          : JSON.stringify({ jsonrpc: '2.0', id, error: errorObject(error) });
    } catch (cause) {
      const reason = new RpcError(`the answer is not JSON: ${String(cause)}`, INTERNAL_ERROR);
      text = JSON.stringify({ jsonrpc: '2.0', id, error: reason.toJsonRpcError() });
    }
    this.#send(text);
    this.#send.flush();
  }
}

/** The `error` member an answer carries for `error`: its own, when it has one, else a hidden one. */
function errorObject(error: unknown): RpcErrorObject {
  const own = (error as { toJsonRpcError?: unknown } | null)?.toJsonRpcError;
  return typeof own === 'function' ? (own.call(error) as RpcErrorObject) : HIDDEN_ERROR;
}
