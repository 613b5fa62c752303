// Tests of `symphony login`, `whoami`, `logout` and `run <workflow-id>` against a real team server
// (the built `symphony-server` bin, OFB embedded): the session file and its permissions, refused
// and unreachable sign-ins, token refresh, and a workflow created by a stock automerge-repo client.
import { chmodSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { next as A } from '@automerge/automerge';
import { Repo } from '@automerge/automerge-repo';
import { WebSocketClientAdapter } from '@automerge/automerge-repo-network-websocket';
import type { Workflow } from '@symphony/schemas';
import { type RunningBin, startBin, stopped } from '@symphony/server/testing';
import { serverHas } from '@symphony/sync-server/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli, cliEnv, type Project, project, removeTempDirs, tempDir } from './cli-harness.js';

const PASSWORD = 'correct horse battery';

let bin: RunningBin;
beforeAll(async () => {
  bin = await startBin(tempDir('symphony-cli-server-'));
}, 60_000);
afterAll(async () => {
  bin?.child.kill('SIGTERM');
  if (bin) await stopped(bin.child);
  removeTempDirs();
});

/** Calls an OFB function on the team server as the browser would, answering its JSON or throwing. */
async function ofb<T>(name: string, body: unknown, token?: string): Promise<T> {
  const response = await fetch(`${bin.origin}/functions/v1/${name}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(body),
  });
  const json = (await response.json()) as T;
  if (!response.ok) throw new Error(`${name}: HTTP ${response.status} ${JSON.stringify(json)}`);
  return json;
}

function session(p: Project): {
  server: string;
  access_token: string;
  expires_at: number;
  user: { name: string };
} {
  return JSON.parse(readFileSync(join(p.configDir, 'session.json'), 'utf8'));
}

/** A workflow put on the team server by a stock automerge-repo client with `token`, in a new workspace. */
async function shareWorkflow(workflow: Workflow, token: string): Promise<string> {
  const { workspace } = await ofb<{ workspace: { id: string } }>('create-workspace', { name: 'Lab' }, token);
  const draft = new Repo({ network: [] }).create<Workflow>(workflow);
  await ofb(
    'create-document',
    { workspaceId: workspace.id, id: draft.documentId, kind: 'workflow', title: workflow.name },
    token,
  );
  const url = `${bin.origin.replace('http', 'ws')}/automerge?token=${encodeURIComponent(token)}`;
  const repo = new Repo({ network: [new WebSocketClientAdapter(url, 200)] });
  try {
    const handle = repo.import<Workflow>(A.save(draft.doc()), { docId: draft.documentId });
    await serverHas(repo, handle);
  } finally {
    await repo.shutdown();
  }
  return draft.documentId;
}

describe('symphony login against a team server', () => {
  it('signs in with --password-stdin, keeps the session readable by the user only, and refreshes it when close to expiry', async () => {
    await ofb('sign-up', { name: 'ada', password: PASSWORD });
    const p = project();
    const out = await p.run(
      ['login', '--server', `${bin.origin}/`, '--name', 'ada', '--password-stdin'],
      `${PASSWORD}\n`,
    );
    expect(out.stderr).toBe('');
    expect(out.code).toBe(0);
    expect(out.stdout).toContain(`Logged in to ${bin.origin} as ada`);
    expect(statSync(join(p.configDir, 'session.json')).mode & 0o777).toBe(0o600);
    expect(statSync(p.configDir).mode & 0o777).toBe(0o700);
    const stored = session(p);
    expect(stored).toMatchObject({ server: bin.origin, user: { name: 'ada' } });
    expect(stored.expires_at).toBeGreaterThan(Date.now() / 1000 + 600);

    const whoami = await p.run(['whoami']);
    expect(whoami.code).toBe(0);
    expect(whoami.stdout).toContain(`ada (`);

    // A token with five minutes left is refreshed when used; the new one is stored. Tokens carry
    // their issue time in whole seconds: one refreshed within the second it was issued would be
    // the same bytes, so wait for the next second first.
    const issuedAt = (
      JSON.parse(Buffer.from(stored.access_token.split('.')[1]!, 'base64url').toString()) as { iat: number }
    ).iat;
    while (Math.floor(Date.now() / 1000) <= issuedAt) await new Promise((resolve) => setTimeout(resolve, 50));
    writeFileSync(
      join(p.configDir, 'session.json'),
      JSON.stringify({ ...stored, expires_at: Math.floor(Date.now() / 1000) + 300 }),
      { mode: 0o600 },
    );
    expect((await p.run(['whoami'])).code).toBe(0);
    const refreshed = session(p);
    expect(refreshed.access_token).not.toBe(stored.access_token);
    expect(refreshed.expires_at).toBeGreaterThan(Date.now() / 1000 + 600);
    expect(statSync(join(p.configDir, 'session.json')).mode & 0o777).toBe(0o600);

    // Like ssh with a private key: a session file others may read is refused, not used.
    chmodSync(join(p.configDir, 'session.json'), 0o644);
    const loose = await p.run(['whoami']);
    expect(loose.code).toBe(1);
    expect(loose.stderr).toContain('is accessible by others (mode 0644)');
    expect(loose.stderr).toContain('chmod 600');
    chmodSync(join(p.configDir, 'session.json'), 0o600);

    const logout = await p.run(['logout']);
    expect(logout.code).toBe(0);
    expect(logout.stdout).toContain(`Logged out of ${bin.origin}`);
    await expect(ofb('refresh-session', {}, refreshed.access_token)).rejects.toThrow(/HTTP 401/);
    expect((await p.run(['whoami'])).code).toBe(1);
  }, 60_000);

  it('a wrong password and an unreachable server exit 1 saying so; a missing password exits 2', async () => {
    const p = project();
    const [wrong, unreachable, noPassword] = await Promise.all([
      p.run(['login', '--server', bin.origin, '--name', 'ada', '--password-stdin'], 'not the password\n'),
      p.run(
        ['login', '--server', 'http://127.0.0.1:59999', '--name', 'ada', '--password-stdin'],
        `${PASSWORD}\n`,
      ),
      p.run(['login', '--server', bin.origin, '--name', 'ada']),
    ]);
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toContain(`${bin.origin} refused the sign-in as ada`);
    expect(unreachable.code).toBe(1);
    expect(unreachable.stderr).toContain('cannot reach the team server at http://127.0.0.1:59999');
    expect(noPassword.code).toBe(2);
    expect(noPassword.stderr).toContain('no password: pass --password-stdin');
  }, 60_000);
});

describe('symphony run <workflow-id>', () => {
  it('runs a workflow from the team server, pinned to its heads, after login; re-runs fetch it again', async () => {
    const { access_token } = await ofb<{ access_token: string }>('sign-up', {
      name: 'grace',
      password: PASSWORD,
    });
    const p = project();
    const workflowId = await shareWorkflow(
      JSON.parse(readFileSync(p.workflowFile, 'utf8')).workflow,
      access_token,
    );

    const notLoggedIn = await p.run(['run', workflowId, '--grant', 'notes']);
    expect(notLoggedIn.code).toBe(2);
    expect(notLoggedIn.stderr).toContain('symphony login --server URL');

    expect(
      (await p.run(['login', '--server', bin.origin, '--name', 'grace', '--password-stdin'], PASSWORD)).code,
    ).toBe(0);
    const out = await p.run(['run', workflowId, '--grant', 'notes']);
    expect(out.stderr).toBe('');
    expect(out.code).toBe(0);
    expect(out.stdout).toContain(`from workflow ${workflowId} on ${bin.origin} (heads `);
    const runId = /^run (run_[a-z0-9]+):/m.exec(out.stdout)![1]!;
    const view = JSON.parse((await p.run(['runs', 'show', runId, '--json'])).stdout);
    expect(view).toMatchObject({
      status: 'succeeded',
      startedBy: 'grace',
      source: { kind: 'automerge', workflowId, server: bin.origin },
    });
    expect(view.source.heads.length).toBeGreaterThan(0);

    const rerun = await p.run(['runs', 'rerun', runId]);
    expect(rerun.code).toBe(0);
    expect(rerun.stdout).toContain(`re-running ${runId}`);

    const stranger = project();
    const elsewhere = await cli(['run', workflowId, '--server', bin.origin], {
      cwd: stranger.dir,
      env: cliEnv(join(stranger.dir, 'none')),
    });
    expect(elsewhere.code).toBe(2);
    expect(elsewhere.stderr).toContain(`symphony login --server ${bin.origin}`);
  }, 60_000);
});
