// The server OfbStore adapter: a real PostgreSQL or Supabase database through postgres.js.
import postgres from 'postgres';
import { migrate } from './migrations.js';
import type { SqlDriver } from './SqlDriver.js';
import { SqlOfbStore } from './SqlOfbStore.js';

/** The server adapter: a real PostgreSQL or Supabase database at `DATABASE_URL`. */
export class PostgresStore extends SqlOfbStore {
  private constructor(readonly sql: postgres.Sql) {
    super(driver(sql, sql));
  }

  /** Connects and applies pending migrations. */
  static async open(url: string, options: { max?: number } = {}): Promise<PostgresStore> {
    const sql = postgres(url, { max: options.max ?? 10, onnotice: () => {} });
    await migrate(driver(sql, sql));
    return new PostgresStore(sql);
  }
}

type Sql = postgres.Sql | postgres.TransactionSql;

function driver(sql: Sql, root: postgres.Sql | null): SqlDriver {
  return {
    async query<R>(text: string, params: readonly unknown[] = []) {
      // postgres.js types parameters loosely; our statements only pass strings, numbers, booleans and null.
      return (await sql.unsafe(text, params as postgres.ParameterOrJSON<never>[])) as unknown as R[];
    },
    async exec(text: string) {
      await sql.unsafe(text);
    },
    async transaction<T>(fn: (tx: SqlDriver) => Promise<T>): Promise<T> {
      if (root === null) return fn(driver(sql, null));
      return (await root.begin((tx) => fn(driver(tx, null)))) as T;
    },
    async close() {
      await root?.end({ timeout: 5 });
    },
  };
}
