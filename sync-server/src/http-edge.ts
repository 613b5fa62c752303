/**
 * What every HTTP request and websocket upgrade is checked against before any route sees it:
 * the `Host` it names (DNS rebinding), the `Origin` of a websocket (cross-site pages), and the
 * headers every answer carries. Pure.
 */

/**
 * Names that always reach this machine only: a page can make a browser send `Host: evil.example`
 * to 127.0.0.1 by rebinding `evil.example`'s DNS, never `Host: localhost`.
 */
const LOOPBACK_NAMES = new Set(['localhost', '127.0.0.1', '::1', '[::1]']);

/** Which `Host` names and websocket `Origin`s a server answers, from its configuration. */
export interface EdgePolicy {
  /** Lower-case host names (no port) besides the loopback ones; `'*'` allows any. */
  readonly allowedHosts: readonly string[];
  /** Exact origins (`https://app.example`) whose pages may open websockets; `'*'` allows any. */
  readonly allowedOrigins: readonly string[];
}

/** The host name of a `Host` header value, lower-cased, without the port; `undefined` if malformed. */
export function hostName(host: string): string | undefined {
  const value = host.trim().toLowerCase();
  const match = /^(\[[0-9a-f:.]+\]|[a-z0-9.-]+)(?::(\d{1,5}))?$/.exec(value);
  return match ? match[1] : undefined;
}

/**
 * Whether a request naming `host` (its `Host` header) is meant for this server: a loopback name,
 * any name under `.localhost`, a 127.0.0.0/8 address, or one the policy allows. A missing or
 * malformed `Host` is refused: HTTP/1.1 requires it, and a rebinding page always sends one.
 */
export function isAllowedHost(host: string | undefined, policy: EdgePolicy): boolean {
  if (host === undefined) return false;
  const name = hostName(host);
  if (name === undefined) return false;
  if (LOOPBACK_NAMES.has(name) || name.endsWith('.localhost') || /^127(\.\d{1,3}){3}$/.test(name))
    return true;
  return policy.allowedHosts.includes('*') || policy.allowedHosts.includes(name);
}

/**
 * Whether a websocket upgrade from `origin` may go on. No `Origin` (a stock Node client, a CLI) is
 * allowed: only browsers send one, and they cannot leave it out. A browser page may connect when it
 * was served by this server (its origin names the same host and port as the request's `Host`) or
 * when its origin is configured. `null` (a sandboxed frame, a `file:` page) never is.
 */
export function isAllowedOrigin(
  origin: string | undefined,
  host: string | undefined,
  policy: EdgePolicy,
): boolean {
  if (origin === undefined) return true;
  if (policy.allowedOrigins.includes('*') || policy.allowedOrigins.includes(origin)) return true;
  if (host === undefined) return false;
  let parsed: URL;
  try {
    parsed = new URL(origin);
  } catch {
    return false;
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') return false;
  return parsed.host === host.trim().toLowerCase();
}

/**
 * The Content-Security-Policy the built client runs under (checked in Chromium by the e2e run, which
 * fails on any violation). Scripts only from this origin (`wasm-unsafe-eval` for Automerge's
 * WebAssembly); styles may be inline because Lit binds `style` attributes and `index.html` holds the
 * theme, but images and fonts stay on this origin, so an injected style cannot fetch a foreign URL;
 * connections go to this origin and to this machine's loopback (the person's own orchestrator,
 * `symphony serve`, on 127.0.0.1 — on any port, as they may have configured it), never elsewhere;
 * no plugins; never framed by another site.
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self' 'wasm-unsafe-eval'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "font-src 'self' data:",
  "connect-src 'self' http://127.0.0.1:* ws://127.0.0.1:* http://localhost:* ws://localhost:*",
  "worker-src 'self' blob:",
  "manifest-src 'self'",
  "object-src 'none'",
  "base-uri 'self'",
  "form-action 'self'",
  "frame-ancestors 'self'",
].join('; ');

/** Headers on every HTTP answer: the CSP, no MIME sniffing, no framing by other sites, no referrers out. */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'content-security-policy': CONTENT_SECURITY_POLICY,
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'SAMEORIGIN',
  'referrer-policy': 'same-origin',
  'cross-origin-opener-policy': 'same-origin',
};
