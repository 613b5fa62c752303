// The app's routes and their location hashes: the Workspace home, one Document (`#/doc/<id>`) or one
// Workflow (`#/workflow/<automerge URL>`).
import { DocumentId } from '@symphony/schemas';
import { looksLikeAutomergeUrl } from './workflow-index.js';

/** Where the app is: the workspace home, one document, or one workflow (by automerge URL). */
export type Route =
  | { readonly name: 'home' }
  | { readonly name: 'document'; readonly id: DocumentId }
  | { readonly name: 'workflow'; readonly url: string };

/** The home route. */
export const homeRoute: Route = { name: 'home' };

/**
 * Parses a location hash (`#/doc/<id>`, `#/workflow/<automerge URL or bare id>`, `#/` or empty)
 * into a {@link Route}. Anything else, including a malformed id, is the home route.
 */
export function parseRoute(hash: string): Route {
  const match = /^#\/(doc|workflow)\/([^/?#]+)\/?$/.exec(hash);
  if (match?.[2] === undefined) return homeRoute;
  let raw: string;
  try {
    raw = decodeURIComponent(match[2]);
  } catch {
    return homeRoute;
  }
  if (match[1] === 'workflow') {
    const url = raw.startsWith('automerge:') ? raw : `automerge:${raw}`;
    return looksLikeAutomergeUrl(url) ? { name: 'workflow', url } : homeRoute;
  }
  const id = DocumentId.safeParse(raw);
  return id.success ? { name: 'document', id: id.data } : homeRoute;
}

/** The hash for a {@link Route}; the inverse of {@link parseRoute}. */
export function routeHash(route: Route): string {
  switch (route.name) {
    case 'document':
      return `#/doc/${encodeURIComponent(route.id)}`;
    case 'workflow':
      return `#/workflow/${route.url}`;
    default:
      return '#/';
  }
}
