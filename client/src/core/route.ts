import { DocumentId } from '@symphony/schemas';

/** Where the app is: the workspace home, or one document. */
export type Route = { readonly name: 'home' } | { readonly name: 'document'; readonly id: DocumentId };

/** The home route. */
export const homeRoute: Route = { name: 'home' };

/**
 * Parses a location hash (`#/doc/<id>`, `#/` or empty) into a {@link Route}. Anything else,
 * including a malformed document id, is the home route.
 */
export function parseRoute(hash: string): Route {
  const match = /^#\/doc\/([^/?#]+)\/?$/.exec(hash);
  if (match?.[1] === undefined) return homeRoute;
  let raw: string;
  try {
    raw = decodeURIComponent(match[1]);
  } catch {
    return homeRoute;
  }
  const id = DocumentId.safeParse(raw);
  return id.success ? { name: 'document', id: id.data } : homeRoute;
}

/** The hash for a {@link Route}; the inverse of {@link parseRoute}. */
export function routeHash(route: Route): string {
  return route.name === 'document' ? `#/doc/${encodeURIComponent(route.id)}` : '#/';
}
