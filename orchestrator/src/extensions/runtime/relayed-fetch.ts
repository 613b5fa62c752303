// Inside the sandbox: the WHATWG `fetch` an extension is handed, relayed through the host (the
// sandbox has no network of its own). The head comes back as the answer to a `fetch` request, the
// body as `fetch.chunk` notifications (base64) and one `fetch.end` or `fetch.error`.
import { type FetchHead, Method, parseFetchHead } from './protocol.js';

/** How the relay talks to the host. */
export interface FetchRelayPort {
  request(method: string, params: unknown): Promise<unknown>;
  notify(method: string, params: unknown): void;
}

interface OpenFetch {
  controller: ReadableStreamDefaultController<Uint8Array> | undefined;
  /** Chunks that arrived before the stream's controller existed (never, in practice; kept safe). */
  early: Uint8Array[];
  done: 'end' | Error | undefined;
}

/** Statuses whose response has no body (the `Response` constructor refuses one). */
const NULL_BODY = new Set([101, 103, 204, 205, 304]);

/**
 * The relay of one extension process: `fetch` for every call, and the handlers of the body
 * notifications the host sends back.
 */
export class FetchRelay {
  readonly #port: FetchRelayPort;
  readonly #open = new Map<string, OpenFetch>();
  #next = 0;

  constructor(port: FetchRelayPort) {
    this.#port = port;
  }

  /** The `fetch` handed to extension code. */
  readonly fetch: typeof globalThis.fetch = async (input, init) => {
    const request = new Request(input, init);
    const signal = request.signal;
    signal.throwIfAborted();
    const fetchId = `f${++this.#next}`;
    const body =
      request.method === 'GET' || request.method === 'HEAD'
        ? undefined
        : Buffer.from(await request.arrayBuffer()).toString('base64');
    const headers: Record<string, string> = {};
    request.headers.forEach((value, name) => {
      headers[name] = value;
    });
    const open: OpenFetch = { controller: undefined, early: [], done: undefined };
    this.#open.set(fetchId, open);
    const stream = new ReadableStream<Uint8Array>({
      start: (controller) => {
        open.controller = controller;
        for (const chunk of open.early.splice(0)) controller.enqueue(chunk);
        this.#settle(fetchId, open);
      },
      cancel: () => this.#abort(fetchId),
    });
    const onAbort = () => {
      this.#abort(fetchId);
      open.controller?.error(signal.reason);
    };
    signal.addEventListener('abort', onAbort, { once: true });
    let head: FetchHead;
    try {
      head = parseFetchHead(
        await this.#port.request(Method.fetch, {
          fetchId,
          url: request.url,
          method: request.method,
          headers,
          ...(body === undefined ? {} : { body }),
        }),
      );
    } catch (error) {
      this.#open.delete(fetchId);
      signal.removeEventListener('abort', onAbort);
      if (signal.aborted) throw signal.reason;
      // As the platform's fetch does for a network failure: a TypeError, the reason in its message.
      const message = error instanceof Error ? error.message : String(error);
      throw Object.assign(new TypeError(`fetch ${request.url} failed: ${message}`), {
        cause: error,
        code: (error as { data?: { code?: unknown } }).data?.code,
      });
    }
    const hasBody = request.method !== 'HEAD' && !NULL_BODY.has(head.status);
    // The host ends a bodiless response at once; nothing is left to read or to abort.
    if (!hasBody) this.#open.delete(fetchId);
    const response = new Response(hasBody ? stream : null, {
      status: head.status,
      statusText: head.statusText,
      headers: head.headers,
    });
    Object.defineProperty(response, 'url', { value: request.url });
    return response;
  };

  /** `fetch.chunk`: more body bytes. */
  chunk(fetchId: string, data: string): void {
    const open = this.#open.get(fetchId);
    if (!open) return;
    const bytes = new Uint8Array(Buffer.from(data, 'base64'));
    if (open.controller) open.controller.enqueue(bytes);
    else open.early.push(bytes);
  }

  /** `fetch.end` (no `message`) or `fetch.error`. */
  end(fetchId: string, message?: string): void {
    const open = this.#open.get(fetchId);
    if (!open) return;
    open.done = message === undefined ? 'end' : new TypeError(`fetch body failed: ${message}`);
    this.#settle(fetchId, open);
  }

  #settle(fetchId: string, open: OpenFetch): void {
    if (!open.controller || open.done === undefined) return;
    this.#open.delete(fetchId);
    if (open.done === 'end') open.controller.close();
    else open.controller.error(open.done);
  }

  #abort(fetchId: string): void {
    if (!this.#open.delete(fetchId)) return;
    this.#port.notify(Method.fetchAbort, { fetchId });
  }
}
