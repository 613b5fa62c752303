import { registerSW } from 'virtual:pwa-register';
import { syncServerUrl } from './config.js';
import { MemoryStringStore, type StringStore } from './core/StringStore.js';
import { loadUserProfile, saveUserProfile } from './core/user-profile.js';
import './elements/symphony-app.js';
import type { SymphonyApp } from './elements/symphony-app.js';
import { wireBrowserEvents } from './sync/browser-events.js';
import { SessionRegistry } from './sync/session-registry.js';

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
