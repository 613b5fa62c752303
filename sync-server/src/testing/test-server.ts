// Sync-servers for tests of this and other packages: one on a free loopback port that logs nowhere,
// one authorized by a real OFB, and a throwaway data folder.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SyncServerOptions } from '@symphony/schemas';
import { OfbAccessControl } from '../access/OfbAccessControl.js';
import { silentLogger } from '../logger.js';
import { MemoryAutomergeStorage } from '../persistence/MemoryAutomergeStorage.js';
import { MemoryDocumentPersistence } from '../persistence/MemoryDocumentPersistence.js';
import { type SyncServer, type SyncServerDependencies, startSyncServer } from '../server.js';

/** Starts a server on a free loopback port that logs nowhere unless told. */
export function startTestServer(
  options: SyncServerOptions,
  dependencies: SyncServerDependencies = {},
): Promise<SyncServer> {
  return startSyncServer(
    { host: '127.0.0.1', port: 0, ...options },
    { logger: silentLogger, ...dependencies },
  );
}

/** What {@link startServerAuthorizedBy} needs of an OFB: a test OFB from `@symphony/ofb/testing` fits. */
export interface AuthorizingOfb {
  readonly url: string;
  /** A service-role token, as the sync-server holds. */
  serviceToken(): Promise<string>;
}

/**
 * A sync-server in memory (both endpoints) whose access is `ofb`'s, re-checked every 200 ms:
 * what the access tests run against.
 */
export async function startServerAuthorizedBy(ofb: AuthorizingOfb): Promise<SyncServer> {
  return startTestServer(
    {},
    {
      persistence: new MemoryDocumentPersistence(),
      automergeStorage: new MemoryAutomergeStorage(),
      logger: silentLogger,
      access: new OfbAccessControl({ url: ofb.url, anonKey: 'anon', serviceToken: await ofb.serviceToken() }),
      authorization: { authRecheckMs: 200 },
    },
  );
}

/** A fresh data folder, removed by `cleanup`. */
export async function tempDir(
  prefix = 'symphony-sync-',
): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}
