// Tests of the symphony-ofb bin as a real process: it serves, stops on SIGTERM, keeps its data across
// a restart, and exits 2 on a bad flag.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

/** The built bin; the test command builds (`tsc -b`) before vitest runs. */
const bin = fileURLToPath(new URL('../dist/bin.js', import.meta.url));
const dataDir = mkdtempSync(join(tmpdir(), 'symphony-ofb-bin-'));
const children: ChildProcess[] = [];

afterAll(() => {
  for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
  rmSync(dataDir, { recursive: true, force: true });
});

/** Starts the bin on a free port and resolves with its functions URL once it prints it. */
function start(): Promise<{ child: ChildProcess; url: string }> {
  const env = { ...process.env };
  delete env.DATABASE_URL;
  delete env.SUPABASE_JWT_SECRET;
  const child = spawn(process.execPath, [bin, '--port', '0', '--data-dir', dataDir], { env });
  children.push(child);
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const match = /OFB is running at (http:\/\/127\.0\.0\.1:\d+\/functions\/v1\/)/.exec(out);
      if (match) resolve({ child, url: match[1]! });
    });
    child.stderr!.on('data', (chunk: Buffer) => {
      err += chunk.toString();
    });
    child.on('exit', (code) =>
      reject(new Error(`symphony-ofb exited with ${code} before listening:\n${err}`)),
    );
  });
}

function stop(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => {
    child.on('exit', (code) => resolve(code));
    child.kill('SIGTERM');
  });
}

async function call(url: string, name: string, body: unknown, token?: string) {
  const res = await fetch(`${url}${name}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

describe('symphony-ofb', () => {
  it('serves the functions, stops cleanly on SIGTERM and keeps its data across a restart', async () => {
    const first = await start();
    const health = await fetch(new URL('/healthz', first.url));
    expect(health.status).toBe(200);
    const signUp = await call(first.url, 'sign-up', { name: 'bin-user', password: 'password123' });
    expect(signUp.status).toBe(200);
    const created = await call(
      first.url,
      'create-workspace',
      { name: 'Survives restart' },
      signUp.body.access_token as string,
    );
    expect(created.status).toBe(200);
    expect(await stop(first.child)).toBe(0);

    const second = await start();
    // The secret was persisted in the data dir too, so the old token still verifies.
    const listed = await call(second.url, 'list-workspaces', {}, signUp.body.access_token as string);
    expect(listed.status).toBe(200);
    expect((listed.body.workspaces as { name: string }[]).map((w) => w.name)).toEqual(['Survives restart']);
    expect(await stop(second.child)).toBe(0);
  }, 60_000);

  it('exits 2 with usage on a bad flag', async () => {
    const child = spawn(process.execPath, [bin, '--port', 'abc']);
    let err = '';
    child.stderr.on('data', (chunk: Buffer) => {
      err += chunk.toString();
    });
    const code = await new Promise((resolve) => child.on('exit', resolve));
    expect(code).toBe(2);
    expect(err).toMatch(/--port must be an integer/);
    expect(err).toMatch(/Usage: symphony-ofb/);
  });
});
