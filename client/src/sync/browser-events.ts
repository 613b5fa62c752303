// Wires the session registry to the browser: online and offline events, and a warning before the page
// closes with edits the server has not saved.
import type { SessionRegistry } from './session-registry.js';

/**
 * Connects the registry to the browser: goes offline the moment the browser reports it (instead of
 * waiting for the socket to time out), reconnects when the network returns, and warns before the
 * page closes while edits have not reached the server. Returns a function that undoes it all.
 */
export function wireBrowserEvents(registry: SessionRegistry, target: Window = window): () => void {
  const online = (): void => registry.setNetworkAvailable(true);
  const offline = (): void => registry.setNetworkAvailable(false);
  const beforeUnload = (event: BeforeUnloadEvent): void => {
    if (!registry.hasUnsavedChanges) return;
    event.preventDefault();
    // Older browsers show the prompt only when returnValue is set.
    event.returnValue = '';
  };
  target.addEventListener('online', online);
  target.addEventListener('offline', offline);
  target.addEventListener('beforeunload', beforeUnload);
  return () => {
    target.removeEventListener('online', online);
    target.removeEventListener('offline', offline);
    target.removeEventListener('beforeunload', beforeUnload);
  };
}
