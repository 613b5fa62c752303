// The host side of an extension's `fetch`: the allow-list, the address check at connect time, the
// declared credentials, redirects re-checked hop by hop, and the body relayed in bounded chunks.
import { lookup as dnsLookup } from 'node:dns';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { isIP, type LookupFunction } from 'node:net';
import { type CredentialUse, ExtensionFetch, ExtensionLimits } from '@symphony/schemas';
import { isPrivateAddress, matchNetworkGrant, type NetworkMatch } from './network-policy.js';
import { RpcError } from './runtime/line-peer.js';

/** JSON-RPC error code of a refused fetch; `data.code` is `ERR_ACCESS_DENIED` as Node's own refusals. */
export const FETCH_DENIED = -32010;
/** JSON-RPC error code of a fetch that failed on the way (DNS, connection, TLS, limits). */
export const FETCH_FAILED = -32011;

/** Hops a fetch follows before it fails (as browsers' limit of 20, smaller: an API redirects once or twice). */
const MAX_REDIRECTS = 5;
/** Bytes of body per `fetch.chunk` (base64 makes it a third larger on the wire). */
const CHUNK_BYTES = 256 * 1024;

/** Where the proxy sends a response body, and how it reports a denial. */
export interface FetchProxySink {
  chunk(fetchId: string, data: string): void;
  end(fetchId: string): void;
  error(fetchId: string, message: string): void;
  /** A request the grant does not allow (recorded so the call fails `denied` if the extension gives up). */
  denied(message: string): void;
  /**
   * Whether what was sent is still waiting to be read by the extension past a bound; `drained`
   * calls back once it is not. Bodies pause meanwhile, so an extension that stops reading holds at
   * most the bound in the host, not every open body.
   */
  backlogged(): boolean;
  drained(callback: () => void): void;
}

/** What one extension process may fetch, and how. */
export interface FetchProxyOptions {
  readonly extension: string;
  /** `permissions.network`. */
  readonly network: readonly string[];
  /** `permissions.credentials`. */
  readonly credentials: readonly CredentialUse[];
  /** The user's credential store. */
  readonly lookupCredential: (name: string) => Promise<string | undefined>;
  readonly sink: FetchProxySink;
  /** Name resolution (tests inject one); `dns.lookup` by default. */
  readonly lookup?: LookupFunction;
}

/** The head of a response, as the `fetch` request is answered. */
export interface FetchHead {
  status: number;
  statusText: string;
  headers: Record<string, string>;
}

/** One extension process's fetch proxy. */
export class FetchProxy {
  readonly #options: FetchProxyOptions;
  readonly #open = new Map<string, AbortController>();
  /** Credential values handed out so far: redacted from everything the extension sends back. */
  readonly secrets = new Set<string>();
  #closed = false;

  constructor(options: FetchProxyOptions) {
    this.#options = options;
  }

  /** Answers a `fetch` request: resolves with the head, then streams the body through the sink. */
  async fetch(params: unknown): Promise<FetchHead> {
    const request = ExtensionFetch.parse(params);
    if (this.#closed) throw new RpcError('the extension process is closing', FETCH_FAILED);
    if (this.#open.has(request.fetchId))
      throw new RpcError(`fetch id ${request.fetchId} is already open`, FETCH_FAILED);
    if (this.#open.size >= ExtensionLimits.maxOpenFetches)
      throw new RpcError(`more than ${ExtensionLimits.maxOpenFetches} fetches open at once`, FETCH_FAILED);
    const controller = new AbortController();
    this.#open.set(request.fetchId, controller);
    try {
      const response = await this.#follow(request, controller.signal);
      this.#relay(request.fetchId, response, controller);
      return head(response);
    } catch (error) {
      this.#open.delete(request.fetchId);
      if (error instanceof RpcError && error.code === FETCH_DENIED) this.#options.sink.denied(error.message);
      throw error instanceof RpcError
        ? error
        : new RpcError(
            `fetch ${request.url} failed: ${String((error as Error)?.message ?? error)}`,
            FETCH_FAILED,
          );
    }
  }

  /** `fetch.abort`: the extension stopped reading. */
  abort(fetchId: string): void {
    this.#open.get(fetchId)?.abort();
    this.#open.delete(fetchId);
  }

  /** The call ended: every fetch it opened stops (the proxy stays open for the next call). */
  abortAll(): void {
    for (const controller of this.#open.values()) controller.abort();
    this.#open.clear();
  }

  /** The process is gone: every fetch stops. */
  close(): void {
    this.#closed = true;
    for (const controller of this.#open.values()) controller.abort();
    this.#open.clear();
  }

  async #follow(request: ExtensionFetch, signal: AbortSignal): Promise<IncomingMessage> {
    let url = new URL(request.url);
    let method = request.method;
    let body = request.body === undefined ? undefined : Buffer.from(request.body, 'base64');
    const first = this.#check(url);
    let withCredentials = true;
    for (let hop = 0; ; hop++) {
      const match = hop === 0 ? first : this.#check(url);
      const headers: Record<string, string> = { ...request.headers };
      delete headers.host;
      if (withCredentials) Object.assign(headers, await this.#credentialHeaders(url));
      const response = await send(url, method, headers, body, match, signal, this.#options.lookup);
      const location = response.headers.location;
      if (
        !location ||
        response.statusCode === undefined ||
        ![301, 302, 303, 307, 308].includes(response.statusCode)
      )
        return response;
      response.resume();
      if (hop >= MAX_REDIRECTS)
        throw new RpcError(`fetch ${request.url}: more than ${MAX_REDIRECTS} redirects`, FETCH_FAILED);
      const next = new URL(location, url);
      // Credentials are for the origin the request was made to: a redirect to another host, port or
      // scheme (https → http on the same host would send the key in clear) goes without them.
      if (next.origin !== url.origin) withCredentials = false;
      if (
        response.statusCode === 303 ||
        ((response.statusCode === 301 || response.statusCode === 302) && method === 'POST')
      ) {
        method = 'GET';
        body = undefined;
      }
      url = next;
    }
  }

  #check(url: URL): NetworkMatch {
    const match = matchNetworkGrant(url, this.#options.network);
    if (match) return match;
    const message = `${this.#options.extension} may not fetch ${url.origin}: it is not in the extension's permissions.network (${this.#options.network.join(', ') || 'none'})`;
    throw new RpcError(message, FETCH_DENIED, { code: 'ERR_ACCESS_DENIED' });
  }

  /**
   * The declared credentials meant for `url`'s host, and only
   * over https, or plain http to this machine itself (a local model server): a key never crosses a
   * network in clear.
   */
  async #credentialHeaders(url: URL): Promise<Record<string, string>> {
    const headers: Record<string, string> = {};
    if (url.protocol !== 'https:' && !isLoopbackName(url.hostname)) return headers;
    for (const use of this.#options.credentials) {
      if (!matchNetworkGrant(url, use.hosts)) continue;
      const value = await this.#options.lookupCredential(use.name);
      if (value === undefined)
        throw new RpcError(
          `${this.#options.extension} needs the credential "${use.name}", which is not set: run \`symphony credentials set ${use.name}\``,
          FETCH_FAILED,
        );
      this.secrets.add(value);
      headers[use.header] = `${use.prefix}${value}`;
    }
    return headers;
  }

  #relay(fetchId: string, response: IncomingMessage, controller: AbortController): void {
    const sink = this.#options.sink;
    let bytes = 0;
    let done = false;
    const finish = (error?: string) => {
      if (done) return;
      done = true;
      this.#open.delete(fetchId);
      if (error === undefined) sink.end(fetchId);
      else sink.error(fetchId, error);
    };
    controller.signal.addEventListener('abort', () => {
      done = true;
      response.destroy();
    });
    response.on('data', (chunk: Buffer) => {
      if (done) return;
      bytes += chunk.length;
      if (bytes > ExtensionLimits.maxFetchBytes) {
        response.destroy();
        finish(
          `the response body is over the ${ExtensionLimits.maxFetchBytes}-byte limit of a relayed fetch`,
        );
        return;
      }
      for (let at = 0; at < chunk.length; at += CHUNK_BYTES)
        sink.chunk(fetchId, chunk.subarray(at, at + CHUNK_BYTES).toString('base64'));
      if (sink.backlogged()) {
        response.pause();
        sink.drained(() => {
          if (!done) response.resume();
        });
      }
    });
    response.on('end', () => finish());
    response.on('error', (error) => finish(error.message));
    response.on('close', () =>
      finish(response.complete ? undefined : 'the connection closed before the body ended'),
    );
  }
}

function head(response: IncomingMessage): FetchHead {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(response.headers)) {
    if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return { status: response.statusCode ?? 502, statusText: response.statusMessage ?? '', headers };
}

/**
 * A name resolution that refuses private addresses (unless the grant names a private host): checked
 * when the socket connects, on the addresses it connects to, so DNS rebinding between a check and the
 * connection cannot slip through.
 */
function checkedLookup(match: NetworkMatch, lookup: LookupFunction): LookupFunction {
  return (hostname, options, callback) => {
    lookup(hostname, { ...options, all: true }, (error, addresses) => {
      if (error) return callback(error, '', 0);
      const list = addresses as unknown as { address: string; family: number }[];
      const bad = match.allowPrivate ? undefined : list.find((one) => isPrivateAddress(one.address));
      if (bad || list.length === 0) {
        const refused = Object.assign(
          new Error(
            `${hostname} resolves to ${bad?.address ?? 'nothing'}, a private address its grant (${match.grant}) does not name`,
          ),
          { code: 'ERR_ACCESS_DENIED' },
        );
        return callback(refused, '', 0);
      }
      if (options.all) return (callback as unknown as (e: null, a: typeof list) => void)(null, list);
      callback(null, list[0]!.address, list[0]!.family);
    });
  };
}

function send(
  url: URL,
  method: string,
  headers: Record<string, string>,
  body: Buffer | undefined,
  match: NetworkMatch,
  signal: AbortSignal,
  lookup: LookupFunction = dnsLookup as LookupFunction,
): Promise<IncomingMessage> {
  const literal = url.hostname.replace(/^\[(.*)\]$/, '$1');
  if (isIP(literal) && !match.allowPrivate && isPrivateAddress(literal))
    return Promise.reject(
      new RpcError(
        `${url.host} is a private address its grant (${match.grant}) does not name`,
        FETCH_DENIED,
        {
          code: 'ERR_ACCESS_DENIED',
        },
      ),
    );
  const request = url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const outgoing = request(url, { method, headers, signal, lookup: checkedLookup(match, lookup) }, resolve);
    outgoing.on('error', (error: Error & { code?: string }) =>
      reject(
        error.code === 'ERR_ACCESS_DENIED'
          ? new RpcError(error.message, FETCH_DENIED, { code: 'ERR_ACCESS_DENIED' })
          : error,
      ),
    );
    outgoing.end(body);
  });
}

/** `localhost`, `127.x.y.z` or `[::1]`, as a URL's hostname writes them. */
function isLoopbackName(hostname: string): boolean {
  return (
    hostname === 'localhost' || hostname === '[::1]' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(hostname)
  );
}
