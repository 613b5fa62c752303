// Tests that the audit hash expression OFB exports is the migration trigger's own, row for row.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AUDIT_GENESIS_HASH, auditCanonicalSql, auditHashSql } from '../src/adapters/audit-chain.js';
import { migrationsDir } from '../src/adapters/migrations.js';
import type { PgliteStore } from '../src/adapters/PgliteStore.js';
import { startTestOfb, type TestOfb } from '../src/testing.js';

// The audit hash as OFB exports it (what `symphony audit verify` runs) is the trigger's own.

let ofb: TestOfb;
let store: PgliteStore;
beforeAll(async () => {
  ofb = await startTestOfb({ serve: false });
  store = ofb.store;
  const owner = await ofb.signUp();
  await ofb.createWorkspace(owner, [{ user: await ofb.signUp(), role: 'editor' }]);
}, 30_000);
afterAll(() => ofb?.close());

const squash = (sql: string) => sql.replace(/\s+/g, ' ').trim();

describe('the audit chain expression', () => {
  it("is the canonical content of the migrations' ofb_audit_canonical", () => {
    const init = readFileSync(join(migrationsDir, '20250101000000_init.sql'), 'utf8');
    const body =
      /ofb_audit_canonical\(a public\.audit_log\) returns text\s+language sql immutable as \$\$\s*select ([\s\S]*?)\$\$/.exec(
        init,
      )?.[1];
    expect(squash(body ?? '')).toBe(squash(auditCanonicalSql('a')));
  });

  it('recomputes the hash the trigger stored for every row, chained from the genesis hash', async () => {
    const rows = (
      await store.pglite.query<{ prev_hash: string; hash: string; recomputed: string }>(
        `select a.prev_hash, a.hash, ${auditHashSql('a')} as recomputed from audit_log a order by a.seq`,
      )
    ).rows;
    expect(rows.length).toBeGreaterThan(2);
    expect(rows[0]!.prev_hash).toBe(AUDIT_GENESIS_HASH);
    for (const [i, row] of rows.entries()) {
      expect(row.recomputed).toBe(row.hash);
      if (i > 0) expect(row.prev_hash).toBe(rows[i - 1]!.hash);
    }
  });

  it('refuses an alias that is not a plain identifier', () => {
    expect(() => auditHashSql('a; drop table audit_log')).toThrow(/plain lower-case identifier/);
  });
});
