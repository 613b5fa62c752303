// `symphony audit verify`: recomputes OFB's audit log hash chain.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { PgliteStore, PostgresStore, type SqlOfbStore } from '@symphony/ofb';
import { verifyAuditChain } from '../audit-verify.js';
import { dispatch, parseCommand } from './args.js';
import type { CliIo } from './io.js';

/** Usage of `symphony audit verify`. */
export const auditVerifyUsage = `Usage: symphony audit verify [--data-dir .symphony] [--database-url URL]

Recomputes the audit_log hash chain. Reads PostgreSQL at --database-url or DATABASE_URL,
otherwise the embedded database in <data-dir>/db. Exit 0 when intact, 1 at the first bad row.

Options:
  --data-dir DIR        the team server's data folder (default .symphony)
  --database-url URL    a PostgreSQL database instead of the embedded one
  -h, --help            show this text`;

/** Usage of `symphony audit`. */
export const auditUsage = `Usage: symphony audit verify [options]

Subcommands:
  verify    recompute the audit log's hash chain (symphony audit verify --help)`;

const verifySpec = {
  usage: auditVerifyUsage,
  options: {
    'data-dir': { type: 'string', default: '.symphony' },
    'database-url': { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  },
} as const;

/** `symphony audit …`. */
export function auditCommand(args: string[], io: CliIo): Promise<number> {
  return dispatch({ name: 'audit', usage: auditUsage, subcommands: { verify: auditVerify } }, args, io);
}

async function auditVerify(args: string[], io: CliIo): Promise<number> {
  const line = parseCommand(args, verifySpec, io);
  if (line === 'help') return 0;
  const url = line.values['database-url'] ?? io.env.DATABASE_URL;
  let store: SqlOfbStore;
  if (url) {
    store = await PostgresStore.open(url, { max: 1 });
  } else {
    const dir = join(line.values['data-dir'], 'db');
    if (!existsSync(dir)) {
      io.stderr(`symphony audit verify: no database at ${dir}; pass --data-dir or --database-url\n`);
      return 1;
    }
    store = await PgliteStore.open(dir);
  }
  try {
    const progress = io.stderrIsTty
      ? (checked: number, total: number) => io.stderr(`\rchecked ${checked} / ${total} rows`)
      : undefined;
    const verdict = await verifyAuditChain(store.db, progress);
    if (progress) io.stderr('\n');
    if (verdict.ok) {
      io.stdout(`audit log intact: ${verdict.rows} rows\nhead hash: ${verdict.head}\n`);
      return 0;
    }
    const { seq, kind, expected, actual } = verdict.broken;
    const what =
      kind === 'content'
        ? `its content no longer matches its hash (stored ${actual}, recomputed ${expected}): a field was changed`
        : `its prev_hash ${actual} is not the previous row's hash ${expected}: a row before it was removed, inserted or rewritten`;
    io.stderr(`audit log BROKEN at row seq=${seq} (${verdict.rows} rows before it are intact): ${what}\n`);
    return 1;
  } finally {
    await store.close();
  }
}
