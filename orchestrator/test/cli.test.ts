// Tests of the `symphony` CLI: dev tokens and their claims, usage errors with exit code 2, and
// `audit verify` on an intact and a tampered OFB audit log.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadJwtSecret, PgliteStore, TokenService } from '@symphony/ofb';
import { startTestOfb } from '@symphony/ofb/testing';
import { afterAll, describe, expect, it } from 'vitest';
import { type CliIo, main } from '../src/main.js';

/** The built bin; the test command builds (`tsc -b`) before vitest runs. */
const cli = fileURLToPath(new URL('../dist/cli.js', import.meta.url));
const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'symphony-cli-'));
  dirs.push(dir);
  return dir;
}

const env = { ...process.env };
delete env.DATABASE_URL;
delete env.SUPABASE_JWT_SECRET;

/** Runs `node orchestrator/dist/cli.js ...args` as a real process. */
function run(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [cli, ...args], { env });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => {
    stdout += c.toString();
  });
  child.stderr.on('data', (c: Buffer) => {
    stderr += c.toString();
  });
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })));
}

/** Runs main() in-process with captured output. */
async function runMain(argv: string[]) {
  let stdout = '';
  let stderr = '';
  const io: CliIo = {
    stdout: (t) => {
      stdout += t;
    },
    stderr: (t) => {
      stderr += t;
    },
    stderrIsTty: false,
    env,
  };
  const code = await main(argv, io);
  return { code, stdout, stderr };
}

describe('symphony token', () => {
  it('prints a token that verifies with the data dir secret and carries the claims', async () => {
    const dir = tempDir();
    const out = await run([
      'token',
      '--sub',
      'user-1',
      '--email',
      'a@example.com',
      '--expires',
      '10m',
      '--data-dir',
      dir,
    ]);
    expect(out.code).toBe(0);
    const claims = await new TokenService(loadJwtSecret(dir, {})).verify(out.stdout.trim());
    expect(claims).toMatchObject({ sub: 'user-1', email: 'a@example.com', role: 'authenticated' });
    expect(claims.exp - Date.now() / 1000).toBeGreaterThan(590);
    expect(claims.exp - Date.now() / 1000).toBeLessThanOrEqual(600);
  });

  it('exits 2 with usage on bad usage', async () => {
    const missing = await runMain(['token']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/needs --sub/);
    expect(missing.stderr).toMatch(/Usage: symphony/);
    expect((await runMain(['token', '--sub', 'x', '--expires', 'soon'])).code).toBe(2);
    expect((await runMain(['token', '--sub', 'x', '--bogus'])).code).toBe(2);
    expect((await runMain(['frobnicate'])).code).toBe(2);
    expect((await runMain(['audit', 'check'])).code).toBe(2);
    expect((await runMain([])).code).toBe(2);
  });
});

describe('symphony audit verify', () => {
  it('passes on a log written by OFB, then names the first row a superuser tampered with', async () => {
    const dir = tempDir();
    const dbDir = join(dir, 'db');
    let store = await PgliteStore.open(dbDir);
    const ofb = await startTestOfb({
      store,
      tokens: new TokenService(loadJwtSecret(dir, {})),
      authRateLimit: { perMinute: 10 },
      serve: false,
    });
    const call = async (name: string, body: unknown, token?: string) =>
      (await ofb.call(name, body, token)).body as Record<string, unknown>;
    const token = (await call('sign-up', { name: 'auditor', password: 'password123' }))
      .access_token as string;
    const ws = ((await call('create-workspace', { name: 'Audited' }, token)).workspace as { id: string }).id;
    await call('create-document', { workspaceId: ws, kind: 'document', title: 'One' }, token);
    await call('create-document', { workspaceId: ws, kind: 'document', title: 'Two' }, token);
    await call('create-workspace', { name: 'Second' }, token);
    const seqs = (
      await store.db.query<{ seq: string }>('select seq::text as seq from audit_log order by seq')
    ).map((r) => r.seq);
    expect(seqs.length).toBeGreaterThanOrEqual(4);
    await store.close();

    const intact = await run(['audit', 'verify', '--data-dir', dir]);
    expect(intact.stderr).toBe('');
    expect(intact.code).toBe(0);
    expect(intact.stdout).toContain(`audit log intact: ${seqs.length} rows`);

    // Tamper as the superuser: switch off the append-only trigger, rewrite one row, switch it back.
    const victim = seqs[2]!;
    store = await PgliteStore.open(dbDir);
    await store.pglite.exec(`alter table audit_log disable trigger audit_log_append_only;
      update audit_log set reason = 'nothing to see here' where seq = ${victim};
      alter table audit_log enable trigger audit_log_append_only;`);
    await store.close();

    const broken = await run(['audit', 'verify', '--data-dir', dir]);
    expect(broken.code).toBe(1);
    expect(broken.stdout).toBe('');
    expect(broken.stderr).toContain(`row seq=${victim}`);
    expect(broken.stderr).toContain('content no longer matches its hash');
  }, 60_000);

  it('reports a missing database instead of creating one', async () => {
    const out = await runMain(['audit', 'verify', '--data-dir', join(tempDir(), 'nowhere')]);
    expect(out.code).toBe(1);
    expect(out.stderr).toMatch(/no database at/);
  });
});
