/**
 * The sync-server's y-websocket base URL: `VITE_SYNC_URL` if set at build time, else `/yjs` on
 * the origin that served the app (the sync-server serves both).
 */
export function syncServerUrl(location: Pick<Location, 'protocol' | 'host'>): string {
  const configured: unknown = import.meta.env.VITE_SYNC_URL;
  if (typeof configured === 'string' && configured !== '') return configured;
  return `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/yjs`;
}
