// The client's entry point: OFB (transport, auth session) and the app shell, then once signed in the
// session registry, outbox, Workspace directory and Workflow repo; the service worker.
import { registerSW } from 'virtual:pwa-register';
import { type DocumentId, WorkspaceId, workspaceIndexDocumentId } from '@symphony/schemas';
import { syncServerUrl } from './config.js';
import { localStoreNames, removeAccountData } from './core/local-stores.js';
import { MemoryStringStore, type StringStore } from './core/StringStore.js';
import { loadUserProfile, saveUserProfile } from './core/user-profile.js';
import { createMonitor } from './monitor/monitor.js';
import './elements/symphony-app.js';
import type { SymphonyApp } from './elements/symphony-app.js';
import type { SignOutDetail } from './elements/user-menu.js';
import { AuthSession } from './ofb/auth-session.js';
import { SymphonyDb } from './ofb/local-db.js';
import { OfbClient } from './ofb/ofb-client.js';
import { Outbox, OutboxFunction } from './ofb/outbox.js';
import { ofbUrl, SupabaseOfbTransport } from './ofb/SupabaseOfbTransport.js';
import { WorkspaceDirectory } from './ofb/workspace-directory.js';
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
const app: SymphonyApp =
  document.querySelector('symphony-app') ?? document.body.appendChild(document.createElement('symphony-app'));

// OFB (sign-in, workspaces, members, document registration) on the app's origin by default.
const ofb: OfbClient = new OfbClient(new SupabaseOfbTransport(ofbUrl(location)), () => auth.token);
const auth = new AuthSession({ store, refresh: (token) => ofb.refreshSession(token), now: Date.now });
const session = auth.session;
app.ofb = ofb;
app.auth = auth;

app.addEventListener('signed-in', (e) => {
  const sameUser = auth.session?.user.id === e.detail.user.id;
  auth.accept(e.detail);
  // Another account: start afresh, so nothing of the previous one (outbox, sessions) carries over.
  if (!sameUser) location.reload();
});
app.addEventListener('sign-out', (e: CustomEvent<SignOutDetail>) => {
  const userId = auth.session?.user.id ?? null;
  const token = auth.token;
  auth.signOut();
  void (async () => {
    if (token !== null) await revokeAtOfb(token, e.detail.everywhere);
    if (e.detail.removeOfflineCopies && userId !== null) {
      // Close this account's databases first: a deletion waits for open connections.
      await closeLocalStores?.();
      try {
        await removeAccountData(userId, { indexedDB, store });
      } catch (error) {
        console.warn('Symphony: removing offline copies failed', error);
      }
    }
    location.reload();
  })();
});

/** How long sign-out waits for OFB to revoke the session before it goes on without it. */
const REVOKE_TIMEOUT_MS = 5000;

/**
 * Revokes the session at OFB, so the token stops working everywhere at once (not only in this
 * browser). Offline or slow, sign-out goes on locally: the token then lapses at its expiry (an hour
 * at most) instead.
 */
async function revokeAtOfb(token: string, everywhere: boolean): Promise<void> {
  const timeout = new Promise<never>((_, fail) =>
    setTimeout(() => fail(new Error(`no answer within ${REVOKE_TIMEOUT_MS} ms`)), REVOKE_TIMEOUT_MS),
  );
  try {
    await Promise.race([ofb.signOut(token, everywhere), timeout]);
  } catch (error) {
    console.warn('Symphony: OFB could not revoke the session; it lapses when the token expires', error);
  }
}

/** Closes the signed-in account's open local databases (set once signed in). */
let closeLocalStores: (() => Promise<void>) | null = null;

if (session !== null) startSignedIn(auth, session.user);

function startSignedIn(auth: AuthSession, user: { id: string; name: string }): void {
  const names = localStoreNames(user.id);
  const registry = new SessionRegistry({
    serverUrl: syncServerUrl(location),
    store,
    networkAvailable: navigator.onLine,
    // The sync-server stamps presence with the OFB name; show the same name locally.
    profile: { ...loadUserProfile(store, Math.random), name: user.name },
    token: () => auth.token,
    refreshToken: () => auth.refresh(),
    // Every local store is the account's own: another account on this browser never reads it.
    userId: user.id,
  });
  wireBrowserEvents(registry);
  registry.resumePendingDocuments();

  // Workflows (Automerge + its WASM) load on first use: the documents never pay for them.
  let workflowSync: Promise<WorkflowSync> | null = null;
  let loadedWorkflowSync: WorkflowSync | null = null;
  app.loadWorkflows = () =>
    (workflowSync ??= import('./sync/workflow-sync.js').then((m) => {
      const sync = new m.WorkflowSync({
        url: m.automergeServerUrl(location),
        databaseName: names.workflows,
        networkAvailable: navigator.onLine,
        token: () => auth.token,
        onTokenRejected: () => void auth.refresh(),
        isRegistered: (documentId) => !outbox.isCreationPending(documentId),
      });
      loadedWorkflowSync = sync;
      // Chromium keeps sockets open in offline emulation; close the workflow socket like the Yjs ones.
      window.addEventListener('online', () => sync.setNetworkAvailable(true));
      window.addEventListener('offline', () => sync.setNetworkAvailable(false));
      return sync;
    }));

  const db = new SymphonyDb(names.app);
  const outbox: Outbox = new Outbox({
    db,
    send: (entry) => ofb.mutate(entry.name, entry.body, entry.key),
    userId: () => auth.session?.user.id ?? null,
    now: Date.now,
    newKey: () => crypto.randomUUID(),
    onApplied: (entry) => {
      const id = entry.body.id;
      if (typeof id !== 'string') return;
      if (entry.name === OutboxFunction.createWorkspace) {
        const workspaceId = WorkspaceId.safeParse(id);
        if (workspaceId.success) registry.reconnect(workspaceIndexDocumentId(workspaceId.data));
        void directory.refresh();
      } else if (entry.name === OutboxFunction.createDocument) {
        if (entry.body.kind === 'workflow') loadedWorkflowSync?.registrationChanged();
        else registry.reconnect(id as DocumentId);
      }
    },
    onAuthRequired: () => void auth.refresh(),
  });
  const directory = new WorkspaceDirectory({
    user,
    client: ofb,
    outbox,
    db,
    store,
    newId: () => crypto.randomUUID(),
    now: Date.now,
    // Invitations are polled only while someone can see them.
    isActive: () => navigator.onLine && document.visibilityState === 'visible',
  });
  // …and asked for at once when the person comes back to the page.
  const pokeInbox = (): void => directory.inbox.poke();
  window.addEventListener('focus', pokeInbox);
  document.addEventListener('visibilitychange', pokeInbox);

  // The orchestrator (runs from the board): one HTTP client and one live stream for the page, with
  // the same token; nothing connects until a board watches a workflow.
  const monitor = createMonitor(store, auth);

  let lastToken = auth.token;
  auth.subscribe(() => {
    if (auth.token === lastToken) return;
    lastToken = auth.token;
    monitor.connection.updateToken();
    registry.updateToken();
    registry.reconnect();
    loadedWorkflowSync?.updateToken();
    void outbox.replay();
  });

  const replay = (): void => {
    void outbox.replay();
    void directory.refresh().catch(() => {});
    pokeInbox();
  };
  window.addEventListener('online', replay);
  // A slow heartbeat besides the outbox's own backoff: catches a network that came back quietly.
  setInterval(() => {
    if (navigator.onLine && outbox.pendingCount > 0) void outbox.replay();
  }, 30_000);
  void outbox.load().then(() => {
    void outbox.replay();
    void directory
      .start()
      .catch((error: unknown) => console.warn('Symphony: listing workspaces failed', error));
  });

  closeLocalStores = async () => {
    outbox.stop();
    directory.stop();
    window.removeEventListener('focus', pokeInbox);
    document.removeEventListener('visibilitychange', pokeInbox);
    monitor.connection.close();
    await registry.closeAll();
    db.close();
    await loadedWorkflowSync?.repo.shutdown();
  };

  app.registry = registry;
  app.outbox = outbox;
  app.directory = directory;
  app.monitor = monitor;
  app.addEventListener('profile-change', (e) => saveUserProfile(store, e.detail));
}

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
