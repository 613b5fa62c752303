// Names of everything the browser keeps per signed-in account (IndexedDB databases, localStorage keys),
// and removing one account's offline copies.
import type { StringStore } from './StringStore.js';
import { keysWithPrefix } from './StringStore.js';

/**
 * Names of everything this browser keeps for one signed-in account, so two accounts on a shared
 * browser never read each other's offline copies, and one account's unsent edits are never sent
 * with another's token. Every name carries the account's user id.
 *
 * `userId` `null` (a sync-server without accounts, and tests) keeps the original, shared names.
 */
export interface LocalStoreNames {
  /** y-indexeddb database of Yjs document `docId`: `symphony:<userId>:<docId>`. */
  document(docId: string): string;
  /** Prefix of the `localStorage` keys of unsaved-change markers: `<prefix><docId>:<clientId>`. */
  readonly pendingPrefix: string;
  /** The automerge-repo IndexedDB database of workflows. */
  readonly workflows: string;
  /** The Dexie database of the outbox and cached workspace lists. */
  readonly app: string;
  /** Prefix shared by every document database of this account (to find them for removal). */
  readonly documentPrefix: string;
}

export function localStoreNames(userId: string | null): LocalStoreNames {
  const documentPrefix = userId === null ? 'symphony:' : `symphony:${userId}:`;
  return {
    document: (docId) => `${documentPrefix}${docId}`,
    documentPrefix,
    pendingPrefix: userId === null ? 'symphony:pending:' : `symphony:pending:${userId}:`,
    workflows: userId === null ? 'symphony-workflows' : `symphony-workflows:${userId}`,
    app: userId === null ? 'symphony-app' : `symphony-app:${userId}`,
  };
}

/** The part of `IDBFactory` {@link removeAccountData} needs. */
export interface DatabaseFactory {
  databases(): Promise<readonly { name?: string }[]>;
  deleteDatabase(name: string): IDBOpenDBRequest;
}

/**
 * Removes every offline copy this browser keeps for `userId`: its document, workflow and app
 * databases and its unsaved-change markers. Other accounts' data is left alone. Close the
 * account's open databases first (a deletion waits for them).
 */
export async function removeAccountData(
  userId: string,
  { indexedDB, store }: { indexedDB: DatabaseFactory; store: StringStore },
): Promise<string[]> {
  const names = localStoreNames(userId);
  for (const key of keysWithPrefix(store, names.pendingPrefix)) store.removeItem(key);
  const existing = (await indexedDB.databases()).flatMap((d) => (d.name === undefined ? [] : [d.name]));
  const doomed = existing.filter(
    (name) => name.startsWith(names.documentPrefix) || name === names.workflows || name === names.app,
  );
  await Promise.all(
    doomed.map(
      (name) =>
        new Promise<void>((resolve, reject) => {
          const request = indexedDB.deleteDatabase(name);
          request.onsuccess = () => resolve();
          request.onerror = () => reject(request.error);
        }),
    ),
  );
  return doomed;
}
