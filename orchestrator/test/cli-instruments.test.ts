// `symphony run` with AI instruments and extensions, as real processes end to end: the bin, the
// bubblewrap sandbox, the instrument modules on the official SDKs, the host's fetch proxy adding the
// key, and a local server speaking the providers' wire formats. Usage and cost reach the journal,
// a 429's retry-after is honoured by the executor's retry, the key is never written or printed, and
// an installed extension's node type runs only once its manifest was accepted.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { EdgeId, NodeId, Workflow } from '@symphony/schemas';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ProviderTestServer } from '../src/instruments/testing/provider-server.js';
import { type Project, project, removeTempDirs } from './cli-harness.js';

const KEY = 'sk-symphony-test-7f3a9c2e1b';
const FIXTURES = new URL('../test-fixtures/extensions/', import.meta.url).pathname;

let server: ProviderTestServer;
beforeAll(async () => {
  server = await ProviderTestServer.start({ apiKey: KEY });
});
afterAll(async () => {
  await server.close();
  removeTempDirs();
});

function workflow(nodes: Workflow['nodes'], edges: Workflow['edges'] = {}): Workflow {
  return { name: 'instruments', nodes, edges } as Workflow;
}

const at = { x: 0, y: 0 };
const promptThenSummary = workflow(
  {
    ['ask' as NodeId]: {
      type: 'llm-prompt',
      kind: 'instrument',
      params: { model: 'auto', prompt: 'Greet the team' },
      position: at,
    },
    ['sum' as NodeId]: {
      type: 'summarize',
      kind: 'instrument',
      params: { model: 'gpt-4o-mini' },
      position: at,
    },
  },
  {
    ['e1' as EdgeId]: {
      from: { node: 'ask' as NodeId, port: 'text' },
      to: { node: 'sum' as NodeId, port: 'text' },
    },
  },
);

/** One llm-prompt node asking `model` to say hello. */
function askWith(model: string): Workflow {
  return workflow({
    ['ask' as NodeId]: {
      type: 'llm-prompt',
      kind: 'instrument',
      params: { model, prompt: 'Hello' },
      position: at,
    },
  });
}

/** A project with the key stored and one OpenAI-compatible instrument on the test server. */
async function configured(p: Project): Promise<void> {
  const set = await p.run(['credentials', 'set', 'test-openai', '--stdin'], KEY);
  expect(set.code, set.stderr).toBe(0);
  expect(set.stdout + set.stderr).not.toContain(KEY);
  const add = await p.run([
    'instruments',
    'add',
    'openai',
    '--api',
    'openai-chat',
    '--base-url',
    server.openAiBaseUrl,
    '--credential',
    'test-openai',
    '--model',
    'gpt-4o-mini=gpt-4o-mini',
    '--model',
    'gpt-4o=gpt-4o',
  ]);
  expect(add.code, add.stderr).toBe(0);
}

function runIdOf(stdout: string): string {
  const match = /^run (run_[a-z0-9]+):/m.exec(stdout);
  if (!match) throw new Error(`no run id in:\n${stdout}`);
  return match[1]!;
}

/** Every file under `dir`, recursively. */
function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? files(path) : [path];
  });
}

describe('symphony run on AI instruments, sandboxed', () => {
  it('runs llm-prompt (router) and summarize on the instrument, journals usage and cost, never writes the key', async () => {
    const p = project(promptThenSummary);
    await configured(p);
    const out = await p.run(['run', 'workflow.json']);
    expect(out.code, out.stdout + out.stderr).toBe(0);
    const runId = runIdOf(out.stdout);
    const shown = await p.run(['runs', 'show', runId, '--json']);
    const view = JSON.parse(shown.stdout) as {
      usage: { calls: number; inputTokens: number; outputTokens: number; costUsd: number };
      nodeStates: { nodeId: string; usage?: { instrument: string; model: string; costUsd?: number } }[];
    };
    expect(view.usage.calls).toBe(2);
    expect(view.usage.inputTokens).toBeGreaterThan(0);
    expect(view.usage.costUsd).toBeGreaterThan(0);
    const sum = view.nodeStates.find((n) => n.nodeId === 'sum');
    expect(sum?.usage).toMatchObject({ instrument: 'openai', model: 'gpt-4o-mini' });
    // Every request carried the key, added by the host (the sandbox never had it).
    expect(server.requests.length).toBeGreaterThanOrEqual(2);
    const text = (await p.run(['runs', 'show', runId])).stdout;
    expect(text).toMatch(/usage {5}\d+ input \+ \d+ output tokens in 2 instrument calls/);
    for (const file of files(join(p.dir, '.symphony')))
      expect(readFileSync(file).includes(KEY), file).toBe(false);
    const stats = await p.run(['instruments', 'stats', '--json']);
    expect(stats.code, stats.stderr).toBe(0);
    expect(stats.stdout).toContain('openai/gpt-4o-mini');
  });

  it("honours a 429's retry-after: the node is retried and succeeds", async () => {
    const p = project(askWith('gpt-4o'));
    await configured(p);
    server.failNext({ kind: '429', retryAfter: 1 });
    const out = await p.run(['run', 'workflow.json']);
    expect(out.code, out.stdout + out.stderr).toBe(0);
    const view = JSON.parse((await p.run(['runs', 'show', runIdOf(out.stdout), '--json'])).stdout) as {
      nodeStates: {
        attempts: { outcome?: string; error?: { code: string; details?: { reason?: string } } }[];
      }[];
    };
    const attempts = view.nodeStates[0]!.attempts;
    expect(attempts.map((a) => a.outcome)).toEqual(['retrying', 'succeeded']);
    expect(attempts[0]?.error).toMatchObject({
      code: 'instrument_failed',
      details: { reason: 'rate-limited' },
    });
  });

  it('fails with unauthorized, naming no key, when the stored key is wrong', async () => {
    const p = project(askWith('gpt-4o'));
    await configured(p);
    const wrong = 'sk-wrong-key-0000000000';
    expect((await p.run(['credentials', 'set', 'test-openai', '--stdin'], wrong)).code).toBe(0);
    const out = await p.run(['run', 'workflow.json']);
    expect(out.code).toBe(1);
    expect(out.stdout).toContain('instrument_failed');
    expect(out.stdout + out.stderr).not.toContain(wrong);
    const shown = await p.run(['runs', 'show', runIdOf(out.stdout), '--json']);
    expect(shown.stdout).toContain('unauthorized');
    expect(shown.stdout).not.toContain(wrong);
  });

  it('says which instrument to add when none serves the model', async () => {
    const p = project(askWith('claude-sonnet'));
    await configured(p);
    const out = await p.run(['run', 'workflow.json']);
    expect(out.code).toBe(1);
    expect(out.stdout).toMatch(/needs_instrument.*symphony instruments add/);
  });
});

describe('symphony extensions', () => {
  const echo = (): Workflow =>
    workflow({
      ['x' as NodeId]: {
        type: 'fixture.echo/run',
        kind: 'operator',
        params: { greeting: 'hi' },
        position: at,
      },
    });

  it('installs an extension, shows its manifest, runs its node type only once enabled', async () => {
    const p = project(echo());
    const refused = await p.run(['run', 'workflow.json']);
    expect(refused.code).toBe(2);
    expect(refused.stdout + refused.stderr).toMatch(/fixture\.echo\/run/);
    // Without a terminal and without --yes, installing shows the manifest and does not enable it.
    const installed = await p.run(['extensions', 'install', join(FIXTURES, 'echo')]);
    expect(installed.code).toBe(1);
    expect(installed.stdout).toContain('Fixture: echo 1.0.0 (fixture.echo), operator');
    expect(installed.stdout).toContain('fixture.echo/run: echo');
    expect(installed.stdout).toMatch(/It may reach these hosts[^\n]*\n {4}\(none\)/);
    expect(installed.stderr).toContain('symphony extensions enable fixture.echo --yes');
    expect((await p.run(['run', 'workflow.json'])).code).toBe(2);
    const enabled = await p.run(['extensions', 'enable', 'fixture.echo', '--yes']);
    expect(enabled.code, enabled.stderr).toBe(0);
    const ls = await p.run(['extensions', 'ls']);
    expect(ls.stdout).toMatch(/fixture\.echo\s+1\.0\.0\s+operator\s+enabled/);
    const out = await p.run(['run', 'workflow.json']);
    expect(out.code, out.stdout + out.stderr).toBe(0);
    expect(out.stdout).toMatch(/succeeded\s+fixture\.echo\/run \(x\)/);
  });

  it('refuses an extension folder holding a symbolic link', async () => {
    const p = project(echo());
    const { cpSync, symlinkSync } = await import('node:fs');
    const folder = join(p.dir, 'linked');
    cpSync(join(FIXTURES, 'echo'), folder, { recursive: true });
    symlinkSync('/etc/passwd', join(folder, 'passwd'));
    const out = await p.run(['extensions', 'install', folder, '--yes']);
    expect(out.code).toBe(2);
    expect(out.stderr).toContain('passwd is a symbolic link');
  });
});
