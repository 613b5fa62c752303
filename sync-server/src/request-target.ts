/**
 * The one place an HTTP request target (`req.url`) becomes a path and a query. Node hands the
 * request line's target over as it was sent, so it may be `//`, `*`, `http://other/x`,
 * `example.com:443` or carry broken percent-escapes; every handler reads the answer of
 * {@link parseRequestTarget} instead of calling `new URL` itself, which throws on some of them.
 */

/** A request target in origin form, parsed. */
export interface RequestTarget {
  /** The path as sent (still percent-encoded), always starting with `/`. */
  readonly pathname: string;
  readonly searchParams: URLSearchParams;
}

/** Why a request target was refused; the text is sent to the client with the 400. */
export type TargetRefusal = { readonly ok: false; readonly reason: string };

/**
 * 8 KiB: browsers and stock clients stay far below (a token in the query is ~1 KiB); Node itself
 * refuses request heads past 16 KiB.
 */
export const MAX_TARGET_LENGTH = 8 * 1024;

/**
 * Parses an origin-form target (`/path?query`, RFC 9112 §3.2.1), the only form a browser or a
 * stock client sends to an origin server. Absolute form (`http://host/path`, meant for proxies),
 * authority form (`host:port`, for CONNECT) and asterisk form (`*`) are refused, as are targets
 * that do not parse. Pure; never throws.
 */
export function parseRequestTarget(
  target: string | undefined,
): ({ readonly ok: true } & RequestTarget) | TargetRefusal {
  if (!target) return { ok: false, reason: 'the request has no target' };
  if (target.length > MAX_TARGET_LENGTH)
    return { ok: false, reason: `the request target is longer than ${MAX_TARGET_LENGTH} characters` };
  if (!target.startsWith('/'))
    return { ok: false, reason: 'the request target must be a path starting with "/" (origin form)' };
  try {
    // Prefixing an origin (instead of passing a base) keeps `//x` a path rather than a host.
    const url = new URL(`http://origin.invalid${target}`);
    if (url.host !== 'origin.invalid') return { ok: false, reason: 'the request target is not a path' };
    return { ok: true, pathname: url.pathname, searchParams: url.searchParams };
  } catch {
    return { ok: false, reason: 'the request target does not parse' };
  }
}

/** `decodeURIComponent`, or `undefined` for a malformed escape (`%zz`, a lone `%`, bad UTF-8). */
export function decodePathSegment(segment: string): string | undefined {
  try {
    return decodeURIComponent(segment);
  } catch {
    return undefined;
  }
}
