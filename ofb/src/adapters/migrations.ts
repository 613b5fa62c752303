// Applies OFB's migrations (ofb/supabase/migrations) in order, recording them as the Supabase CLI does.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { SqlDriver } from './SqlDriver.js';

/** `ofb/supabase/migrations`, found from both `src/adapters` and `dist/adapters`. */
export const migrationsDir = fileURLToPath(new URL('../../supabase/migrations/', import.meta.url));

/**
 * Applies the migrations not yet recorded in `supabase_migrations.schema_migrations` (the table
 * the Supabase CLI keeps), each in its own transaction, in file-name order.
 */
export async function migrate(db: SqlDriver): Promise<string[]> {
  await db.exec(`create schema if not exists supabase_migrations;
    create table if not exists supabase_migrations.schema_migrations (version text primary key, name text)`);
  const done = new Set(
    (await db.query<{ version: string }>('select version from supabase_migrations.schema_migrations')).map(
      (r) => r.version,
    ),
  );
  const applied: string[] = [];
  for (const file of readdirSync(migrationsDir)
    .filter((f) => f.endsWith('.sql'))
    .sort()) {
    const [version, ...rest] = file.replace(/\.sql$/, '').split('_');
    if (version === undefined || done.has(version)) continue;
    const text = readFileSync(join(migrationsDir, file), 'utf8');
    await db.transaction(async (tx) => {
      await tx.exec(text);
      await tx.query('insert into supabase_migrations.schema_migrations (version, name) values ($1, $2)', [
        version,
        rest.join('_'),
      ]);
    });
    applied.push(file);
  }
  return applied;
}
