// The embedded OfbStore adapter: PGlite (PostgreSQL in WASM) in-process, behind the SqlDriver of SqlOfbStore.
import { mkdirSync } from 'node:fs';
import { PGlite, type Transaction } from '@electric-sql/pglite';
import { migrate } from './migrations.js';
import type { SqlDriver } from './SqlDriver.js';
import { SqlOfbStore } from './SqlOfbStore.js';

/** Where the embedded database lives unless told otherwise. */
export const defaultPgliteDir = '.symphony/db';

/** The embedded adapter: PostgreSQL compiled to WASM, in-process, nothing to install. */
export class PgliteStore extends SqlOfbStore {
  private constructor(readonly pglite: PGlite) {
    super(driver(pglite, pglite));
  }

  /**
   * Opens (creating and migrating if needed) the database in `dataDir`; `memory://` keeps it in memory.
   * A fresh directory takes a few seconds to initialise; reopening is fast.
   */
  static async open(dataDir: string = defaultPgliteDir): Promise<PgliteStore> {
    if (!dataDir.startsWith('memory://')) mkdirSync(dataDir, { recursive: true });
    const pglite = await PGlite.create(dataDir);
    await migrate(driver(pglite, pglite));
    return new PgliteStore(pglite);
  }
}

function driver(db: PGlite | Transaction, root: PGlite | null): SqlDriver {
  return {
    async query<R>(text: string, params: readonly unknown[] = []) {
      return (await db.query<R>(text, params as unknown[])).rows;
    },
    async exec(text: string) {
      await db.exec(text);
    },
    async transaction<T>(fn: (tx: SqlDriver) => Promise<T>): Promise<T> {
      if (root === null) return fn(driver(db, null));
      return root.transaction((tx) => fn(driver(tx, null)));
    },
    async close() {
      await root?.close();
    },
  };
}
