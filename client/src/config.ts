import { WorkspaceId, workspaceIndexDocumentId } from '@symphony/schemas';

/** The one workspace this version of the client shows. */
export const DEFAULT_WORKSPACE_ID = WorkspaceId.parse('default');

/** The Y.Doc holding the default workspace's document list. */
export const WORKSPACE_INDEX_ID = workspaceIndexDocumentId(DEFAULT_WORKSPACE_ID);

/**
 * The sync-server's y-websocket base URL: `VITE_SYNC_URL` if set at build time, else `/yjs` on
 * the origin that served the app (the sync-server serves both).
 */
export function syncServerUrl(location: Pick<Location, 'protocol' | 'host'>): string {
  const configured: unknown = import.meta.env.VITE_SYNC_URL;
  if (typeof configured === 'string' && configured !== '') return configured;
  return `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/yjs`;
}
