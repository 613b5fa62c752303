// The client's own Dexie (IndexedDB) database: the OFB outbox and each user's cached Workspace list.
import { Dexie, type EntityTable } from 'dexie';
import type { OfbWorkspaceRow } from './ofb-client.js';
import type { OutboxEntry } from './outbox.js';

/** The workspaces a user had when last online, so the app starts offline on the right workspace. */
export interface CachedWorkspaces {
  readonly userId: string;
  readonly workspaces: readonly OfbWorkspaceRow[];
  /** When OFB last answered `list-workspaces` (ms since the epoch). */
  readonly fetchedAt: number;
}

/**
 * The name of the app's Dexie database without accounts; signed in, each account has its own
 * (`localStoreNames(userId).app`). Documents keep their own y-indexeddb databases.
 */
export const APP_DATABASE = 'symphony-app';

/** The app's own IndexedDB data: the OFB outbox and the cached workspace lists. */
export class SymphonyDb extends Dexie {
  outbox!: EntityTable<OutboxEntry, 'seq'>;
  workspaces!: EntityTable<CachedWorkspaces, 'userId'>;

  constructor(name: string = APP_DATABASE) {
    super(name);
    this.version(1).stores({ outbox: '++seq, &key, userId', workspaces: 'userId' });
  }
}
