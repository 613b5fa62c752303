// Who may talk to `symphony serve`: it listens on a loopback address only, answers only requests
// whose `Host` names that address (a DNS-rebinding name is refused), and only pages of the allowed
// origins (any web page can send requests to 127.0.0.1). Pure: headers in, decisions out.

/** The names a request to this machine's loopback interface may carry in `Host`. */
const LOOPBACK_NAMES = ['127.0.0.1', 'localhost', '[::1]'] as const;

/**
 * The address to bind for `--host`: an IPv4 loopback address (127.0.0.0/8), `::1`, or `localhost`
 * (bound as 127.0.0.1); undefined for anything else, which would expose the orchestrator beyond
 * this machine.
 */
export function loopbackBindAddress(host: string): string | undefined {
  const value = host.trim().replace(/^\[(.*)\]$/, '$1');
  if (value === 'localhost') return '127.0.0.1';
  if (value === '::1') return '::1';
  const octets = /^127\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(value);
  if (octets?.slice(1).every((octet) => Number(octet) <= 255)) return value;
  return undefined;
}

/** The URL a client reaches a server bound to `address` on `port` at (no trailing slash). */
export function loopbackUrl(address: string, port: number): string {
  return `http://${address.includes(':') ? `[${address}]` : address}:${port}`;
}

/**
 * Whether a `Host` header names this machine's loopback interface on `port`: `127.0.0.1:<port>`,
 * `localhost:<port>` or `[::1]:<port>`, or the address it is bound to. Anything else (a name that
 * resolves here only through DNS rebinding) is refused.
 */
export function hostAllowed(host: string | undefined, port: number, bound: string): boolean {
  if (host === undefined) return false;
  const value = host.toLowerCase();
  const names = new Set<string>([...LOOPBACK_NAMES, bound.includes(':') ? `[${bound}]` : bound]);
  for (const name of names) if (value === `${name}:${port}`) return true;
  return false;
}

/** `value` as a URL origin (`scheme://host[:port]`), or undefined when it is not an http(s) URL. */
export function originOf(value: string): string | undefined {
  try {
    const url = new URL(value);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') return undefined;
    return url.origin;
  } catch {
    return undefined;
  }
}

/**
 * The origins whose pages may call the orchestrator: the team server's (the board is served from
 * it) with its `localhost` / `127.0.0.1` twin, and every `extra` one (`--allow-origin`,
 * `SYMPHONY_ALLOWED_ORIGINS`). Throws a `TypeError` naming an extra value that is not an origin.
 */
export function allowedOrigins(server: string, extra: readonly string[]): Set<string> {
  const origins = new Set<string>();
  const add = (value: string, label: string): void => {
    const origin = originOf(value);
    if (origin === undefined)
      throw new TypeError(`${label} ${JSON.stringify(value)} is not an http(s) origin`);
    origins.add(origin);
    const twin = twinOf(origin);
    if (twin !== undefined) origins.add(twin);
  };
  add(server, 'the team server');
  for (const value of extra) add(value, 'the allowed origin');
  return origins;
}

/** `http://localhost:P` for `http://127.0.0.1:P` and the other way round; undefined for other hosts. */
function twinOf(origin: string): string | undefined {
  const url = new URL(origin);
  if (url.hostname === 'localhost') url.hostname = '127.0.0.1';
  else if (url.hostname === '127.0.0.1') url.hostname = 'localhost';
  else return undefined;
  return url.origin;
}

/**
 * Whether a request with this `Origin` header may be answered: no header (curl, the CLI, a
 * same-origin GET) passes on to the token check; a page of an allowed origin passes; any other
 * page, and the opaque origin `null`, are refused.
 */
export function originAllowed(origin: string | undefined, allowed: ReadonlySet<string>): boolean {
  // Browsers send the serialized origin, compared exactly: `http://127.0.0.1:4321`.
  return origin === undefined || allowed.has(origin);
}

/** The CORS answer headers for a request from the allowed page `origin` (never `*`). */
export function corsHeaders(origin: string): Record<string, string> {
  return { 'Access-Control-Allow-Origin': origin, Vary: 'Origin' };
}

/**
 * The headers of an answer to a CORS preflight from the allowed page `origin`, including Chrome's
 * Private Network Access opt-in (a public page asking a loopback address is refused without it).
 */
export function preflightHeaders(origin: string): Record<string, string> {
  return {
    ...corsHeaders(origin),
    'Access-Control-Allow-Headers': 'authorization, content-type',
    'Access-Control-Allow-Methods': 'GET, POST',
    'Access-Control-Allow-Private-Network': 'true',
    'Access-Control-Max-Age': '600',
  };
}
