import { registerSW } from 'virtual:pwa-register';
import { syncServerUrl } from './config.js';
import { MemoryStringStore, type StringStore } from './core/StringStore.js';
import { loadUserProfile, saveUserProfile } from './core/user-profile.js';
import './elements/symphony-app.js';
import type { SymphonyApp } from './elements/symphony-app.js';
import { wireBrowserEvents } from './sync/browser-events.js';
import { SessionRegistry } from './sync/session-registry.js';
import type { WorkflowSync } from './sync/workflow-sync.js';

/** `localStorage`, or memory when the browser refuses it (some privacy modes). */
function browserStore(): StringStore {
  try {
    const probe = 'symphony:probe';
    localStorage.setItem(probe, '1');
    localStorage.removeItem(probe);
    return localStorage;
  } catch {
    return new MemoryStringStore();
  }
}

const store = browserStore();
const registry = new SessionRegistry({
  serverUrl: syncServerUrl(location),
  store,
  networkAvailable: navigator.onLine,
  profile: loadUserProfile(store, Math.random),
});
wireBrowserEvents(registry);
registry.resumePendingDocuments();

const app: SymphonyApp =
  document.querySelector('symphony-app') ?? document.body.appendChild(document.createElement('symphony-app'));
app.registry = registry;
app.addEventListener('profile-change', (e) => saveUserProfile(store, e.detail));

// Workflows (Automerge + its WASM) load on first use: the documents never pay for them.
let workflowSync: Promise<WorkflowSync> | null = null;
app.loadWorkflows = () =>
  (workflowSync ??= import('./sync/workflow-sync.js').then((m) => {
    const sync = new m.WorkflowSync({
      url: m.automergeServerUrl(location),
      networkAvailable: navigator.onLine,
    });
    // Chromium keeps sockets open in offline emulation; close the workflow socket like the Yjs ones.
    window.addEventListener('online', () => sync.setNetworkAvailable(true));
    window.addEventListener('offline', () => sync.setNetworkAvailable(false));
    return sync;
  }));

/**
 * Dev hook for performance checks: `?generate=1000` (or `symphony.generateWorkflow(1000)` in the
 * console) creates a generated workflow of that many nodes and opens it.
 */
const generateWorkflow = async (count: number): Promise<string | undefined> => {
  const { generateWorkflow: generate } = await import('./core/generate-workflow.js');
  return app.createWorkflow(generate(count));
};
(window as unknown as { symphony: object }).symphony = { generateWorkflow };
const generateParam = Number(new URLSearchParams(location.search).get('generate'));
if (Number.isInteger(generateParam) && generateParam > 0 && generateParam <= 10_000) {
  history.replaceState(null, '', location.pathname + location.hash);
  void app.updateComplete.then(() => generateWorkflow(generateParam));
}

const markOfflineReady = (): void => {
  app.device = { ...app.device, offlineReady: true };
};

// Ask the browser not to evict IndexedDB under storage pressure: documents may exist only here.
if (navigator.storage?.persist !== undefined) {
  navigator.storage.persist().then(
    (persisted) => {
      app.device = { ...app.device, storagePersisted: persisted };
    },
    () => {
      app.device = { ...app.device, storagePersisted: false };
    },
  );
}

if ('serviceWorker' in navigator) {
  registerSW({
    immediate: true,
    onOfflineReady: markOfflineReady,
    onRegisteredSW: (_url, registration) => {
      if (registration?.active) markOfflineReady();
    },
  });
}
