// The `symphony` CLI: `token` prints a dev access token, `audit verify` checks OFB's audit log;
// `main(argv, io)` resolves to the exit code, so tests drive it in-process.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import {
  loadJwtSecret,
  PgliteStore,
  PostgresStore,
  parseDuration,
  type SqlOfbStore,
  TokenService,
} from '@symphony/ofb';
import { verifyAuditChain } from './audit-verify.js';

/** Full usage text, printed by `symphony help` and after every usage error. */
export const usage = `Usage: symphony <command> [options]

Commands:
  token --sub ID [--email E] [--role authenticated] [--expires 1h] [--data-dir .symphony]
      Print a dev access token (HS256) signed with SUPABASE_JWT_SECRET, or with the secret in
      <data-dir>/jwt-secret (generated if missing). --expires takes 3600, 30s, 15m, 1h or 2d.
  audit verify [--data-dir .symphony] [--database-url URL]
      Recompute the audit_log hash chain. Reads PostgreSQL at --database-url or DATABASE_URL,
      otherwise the embedded database in <data-dir>/db. Exit 0 when intact, 1 at the first bad row.
  help
      Show this text.`;

/** Where the CLI writes; a test passes its own to capture output. */
export interface CliIo {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  /** Whether stderr is a terminal: progress is shown only then. */
  readonly stderrIsTty: boolean;
  readonly env: NodeJS.ProcessEnv;
}

const processIo: CliIo = {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  stderrIsTty: process.stderr.isTTY === true,
  env: process.env,
};

/** Misuse of the command line: reported with the usage text and exit code 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/**
 * Runs the `symphony` CLI on `argv` (without `node` and the script) and resolves to the exit code:
 * 0 success, 1 failure (for `audit verify`: a broken chain), 2 bad usage.
 */
export async function main(argv: readonly string[], io: CliIo = processIo): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case 'token':
        return await token(rest, io);
      case 'audit':
        if (rest[0] !== 'verify')
          throw new UsageError(`unknown audit subcommand "${rest[0] ?? ''}"; try "audit verify"`);
        return await auditVerify(rest.slice(1), io);
      case 'help':
      case '--help':
      case '-h':
        io.stdout(`${usage}\n`);
        return 0;
      case undefined:
        throw new UsageError('missing command');
      default:
        throw new UsageError(`unknown command "${command}"`);
    }
  } catch (error) {
    if (error instanceof UsageError) {
      io.stderr(`symphony: ${error.message}\n\n${usage}\n`);
      return 2;
    }
    io.stderr(`symphony: ${error instanceof Error ? error.message : String(error)}\n`);
    return 1;
  }
}

/** Every option of every command takes a string value. */
function parse(
  args: string[],
  options: Record<string, { type: 'string'; default?: string }>,
): Record<string, string | undefined> {
  try {
    return parseArgs({ args, options, strict: true, allowPositionals: false }).values as Record<
      string,
      string | undefined
    >;
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
}

async function token(args: string[], io: CliIo): Promise<number> {
  const values = parse(args, {
    sub: { type: 'string' },
    email: { type: 'string' },
    role: { type: 'string', default: 'authenticated' },
    expires: { type: 'string', default: '1h' },
    'data-dir': { type: 'string', default: '.symphony' },
  });
  const sub = values.sub;
  if (!sub) throw new UsageError('symphony token needs --sub ID (the user id the token is for)');
  let seconds: number;
  try {
    seconds = parseDuration(values.expires!);
  } catch (error) {
    throw new UsageError(`--expires: ${(error as Error).message}`);
  }
  const tokens = new TokenService(loadJwtSecret(values['data-dir']!, io.env));
  const email = values.email;
  const jwt = await tokens.sign({ sub, role: values.role!, ...(email ? { email } : {}) }, seconds);
  io.stdout(`${jwt}\n`);
  return 0;
}

async function auditVerify(args: string[], io: CliIo): Promise<number> {
  const values = parse(args, {
    'data-dir': { type: 'string', default: '.symphony' },
    'database-url': { type: 'string' },
  });
  const url = values['database-url'] ?? io.env.DATABASE_URL;
  let store: SqlOfbStore;
  if (url) {
    store = await PostgresStore.open(url, { max: 1 });
  } else {
    const dir = join(values['data-dir']!, 'db');
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
