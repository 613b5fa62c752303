// The monitor's HTTP face against what the security review found: the real monitor (startMonitor on
// a data dir with a real journal, artifact store and router log) with the team server's answers as
// a table. An artifact of a workflow the caller may not read stays unread even when another run
// made the same bytes; an artifact's detail names only readable producers; raw bytes are never a
// page; the router shows only the caller's tasks; a document is no workflow; an overlong token
// never reaches the team server; a member this orchestrator does not serve is refused; and an
// upgrade request whose target is not a URL ends that socket, not the process.
import { mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ArbitrationEngine, FileDagTracker, FileRouterStore, FsArtifactStore } from '@symphony/pit';
import {
  ArtifactDetailResponse,
  type ArtifactHash,
  ArtifactSearchResponse,
  InstrumentStatsResponse,
  OfbLimits,
  type RunEvent,
  type RunId,
  type Workflow,
  type WorkflowId,
} from '@symphony/schemas';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { onlyUsers } from '../src/serve/allowed-users.js';
import { allowedOrigins } from '../src/serve/loopback.js';
import { type RunningMonitor, startMonitor } from '../src/serve/MonitorServer.js';
import { TableTeamAuthority } from '../src/serve/testing/TableTeamAuthority.js';
import { cliEnv } from '../src/testing/serve-process.js';
import { call, codeOf, node } from './serve-harness.js';

const SERVER = 'http://team.test';
const SECRET = 'wf-secret' as WorkflowId;
const MINE = 'wf-mine' as WorkflowId;
const NOTES = 'doc-notes';
const SECRET_RUN = 'run_secret000001' as RunId;
const MY_RUN = 'run_mine00000001' as RunId;
const [ADA, EVE, OUT] = ['ada-token', 'eve-token', 'out-token'];

let root: string;
let monitor: RunningMonitor;
let authority: TableTeamAuthority;
const warnings: string[] = [];
/** What the runs made: the secret run read `secret` and checked it (`ok`); eve's run made `ok` from `hello`. */
const made: Record<'secret' | 'ok' | 'hello' | 'html' | 'text', ArtifactHash> = {} as never;

/** A finished run of `workflowId` by `startedBy` whose nodes are of `types`. */
function finishedRun(runId: RunId, workflowId: WorkflowId, startedBy: string, types: string[]): RunEvent[] {
  const at = Date.now();
  const workflow = {
    name: workflowId,
    nodes: Object.fromEntries(types.map((type, i) => [`n${i}`, node(type)])),
    edges: {},
  } as unknown as Workflow;
  return [
    {
      type: 'run.started',
      runId,
      at,
      workflow,
      source: { kind: 'automerge', server: SERVER, workflowId, heads: ['h1'] },
      options: { cache: true, grants: [] },
      startedBy,
    },
    { type: 'run.finished', runId, at: at + 1, status: 'succeeded' },
  ];
}

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'symphony-serve-security-'));
  const paths = { root, runs: join(root, 'runs'), artifacts: join(root, 'artifacts') };
  const tracker = await FileDagTracker.open(paths.runs);
  await tracker.record(...finishedRun(SECRET_RUN, SECRET, 'ada', ['read-document', 'translate']));
  await tracker.record(...finishedRun(MY_RUN, MINE, 'eve', ['split-text', 'summarize']));
  await tracker.close();

  const store = await FsArtifactStore.open(paths.artifacts);
  const by = (runId: RunId, nodeId: string, inputs: ArtifactHash[] = []) => ({
    producedBy: { runId, nodeId, port: 'text', inputs },
  });
  const text = 'text/plain';
  made.secret = (
    await store.put('TOP SECRET: the launch code is 0000-alpha', {
      mediaType: text,
      name: 'launch-plan',
      ...by(SECRET_RUN, 'read'),
    })
  ).hash;
  made.ok = (
    await store.put('ok', {
      mediaType: text,
      tags: ['acquisition'],
      ...by(SECRET_RUN, 'check', [made.secret]),
    })
  ).hash;
  made.hello = (await store.put('hello', { mediaType: text, ...by(MY_RUN, 'a') })).hash;
  await store.put('ok', { mediaType: text, ...by(MY_RUN, 'b', [made.hello]) });
  made.html = (
    await store.put('<script>alert(1)</script>', { mediaType: 'text/html', ...by(MY_RUN, 'c') })
  ).hash;
  made.text = (
    await store.put('plain words', { mediaType: 'text/plain; charset=utf-8', ...by(MY_RUN, 'd') })
  ).hash;
  await store.close();

  const routerStore = await FileRouterStore.open(join(root, 'router'));
  const router = await ArbitrationEngine.open({ store: routerStore });
  for (const task of ['translate', 'summarize'])
    router.record({ arm: 'openai/gpt-4o-mini', task, success: true, latencyMs: 400, costUsd: 0.001, at: 1 });
  await router.flush();
  await routerStore.close();

  const exp = Math.floor(Date.now() / 1000) + 3600;
  authority = new TableTeamAuthority()
    .user(ADA, { userId: 'u-ada', userName: 'ada', exp })
    .user(EVE, { userId: 'u-eve', userName: 'eve', exp })
    .user(OUT, { userId: 'u-out', userName: 'out', exp })
    .resource(SECRET, 'workflow', { 'u-ada': 'owner' })
    .resource(MINE, 'workflow', { 'u-eve': 'owner', 'u-out': 'owner' })
    .resource(NOTES, 'document', { 'u-eve': 'editor' });
  monitor = await startMonitor({
    server: SERVER,
    paths,
    port: 0,
    address: '127.0.0.1',
    origins: allowedOrigins(SERVER, []),
    users: onlyUsers({ names: ['ada', 'eve'] }),
    env: cliEnv(join(root, 'config')),
    workspaceDir: root,
    warn: (message) => warnings.push(message),
    authority,
  });
}, 60_000);
afterAll(async () => {
  await monitor?.close();
  rmSync(root, { recursive: true, force: true });
});

const get = (path: string, token: string) => call(monitor, path, { token });

describe('symphony serve: artifacts of runs the caller may not read', () => {
  it('keeps an input of a private run unread, even where the caller’s own run made its output’s bytes', async () => {
    const search = ArtifactSearchResponse.parse((await get('/v1/artifacts/search?q=launch', EVE)).json);
    expect(search.hits).toEqual([]);
    for (const path of ['', '/raw', '/lineage']) {
      const answer = await get(`/v1/artifacts/${made.secret}${path}`, EVE);
      expect(answer.status, path).toBe(404);
      expect(codeOf(answer), path).toBe('not_found');
    }
    expect((await get('/v1/artifacts/names/launch-plan', EVE)).status).toBe(404);
    // Its own readers still read it, and eve her own output.
    expect((await get(`/v1/artifacts/${made.secret}`, ADA)).status).toBe(200);
    expect((await get('/v1/artifacts/names/launch-plan', ADA)).status).toBe(200);
    expect((await get(`/v1/artifacts/${made.ok}`, EVE)).status).toBe(200);
  });

  it('names only the producers the caller may read, and no tags', async () => {
    const answer = await get(`/v1/artifacts/${made.ok}`, EVE);
    const { info } = ArtifactDetailResponse.parse(answer.json);
    expect(info.producedBy).toEqual([{ runId: MY_RUN, nodeId: 'b', port: 'text', inputs: [made.hello] }]);
    expect(info.tags).toEqual([]);
    expect(answer.body).not.toContain(made.secret);
    expect(answer.body).not.toContain(SECRET_RUN);
    const ada = ArtifactDetailResponse.parse((await get(`/v1/artifacts/${made.ok}`, ADA)).json);
    expect(ada.info.producedBy.map((p) => p.runId)).toEqual([SECRET_RUN]);
  });

  it('sends raw bytes as a download that no browser treats as a page', async () => {
    const html = await get(`/v1/artifacts/${made.html}/raw`, EVE);
    expect(html.status).toBe(200);
    expect(html.body).toBe('<script>alert(1)</script>');
    expect(html.headers).toMatchObject({
      'content-type': 'application/octet-stream',
      'content-security-policy': "default-src 'none'; sandbox",
      'cross-origin-resource-policy': 'same-origin',
      'x-content-type-options': 'nosniff',
    });
    expect(html.headers['content-disposition']).toMatch(/^attachment/);
    const plain = await get(`/v1/artifacts/${made.text}/raw`, EVE);
    expect(plain.headers['content-type']).toBe('text/plain');
  });
});

describe('symphony serve: instruments', () => {
  it('shows the router’s tasks of the runs the caller may read, no others', async () => {
    const tasks = async (token: string) =>
      InstrumentStatsResponse.parse((await get('/v1/instruments/stats', token)).json).routing.map(
        (r) => r.task,
      );
    expect(await tasks(EVE)).toEqual(['summarize']);
    expect(await tasks(ADA)).toEqual(['translate']);
  });

  it('refuses a window cut into too many buckets: 422 invalid_request on bucketMs', async () => {
    const answer = await get(`/v1/instruments/stats?sinceMs=${90 * 86_400_000}&bucketMs=1000`, EVE);
    expect(answer.status).toBe(422);
    expect(answer.json).toMatchObject({ error: { details: { issues: [{ path: ['query', 'bucketMs'] }] } } });
  });
});

describe('symphony serve: tokens, resources and users', () => {
  it('refuses a token longer than any access token without sending it to the team server: 401 invalid_token', async () => {
    const long = 'a'.repeat(OfbLimits.maxTokenLength + 1);
    const answer = await get(`/v1/runs?workflowId=${MINE}`, long);
    expect(answer.status).toBe(401);
    expect(codeOf(answer)).toBe('invalid_token');
    expect(authority.callsWith(long)).toEqual([]);
  });

  it('has no workflow where the team server has a document: 404 not_found, listing and starting', async () => {
    const list = await get(`/v1/runs?workflowId=${NOTES}`, EVE);
    expect(list.status).toBe(404);
    expect(codeOf(list)).toBe('not_found');
    const start = await call(monitor, '/v1/runs', { token: EVE, body: { workflowId: NOTES } });
    expect(start.status).toBe(404);
    expect(codeOf(start)).toBe('not_found');
  });

  it('refuses a member it does not run workflows for: 403 not_allowed_here, on every route', async () => {
    for (const path of [`/v1/runs?workflowId=${MINE}`, `/v1/runs/${MY_RUN}`, '/v1/artifacts/search?q=ok']) {
      const answer = await get(path, OUT);
      expect(answer.status, path).toBe(403);
      expect(codeOf(answer), path).toBe('not_allowed_here');
      expect(answer.body).toContain('ada and eve only');
    }
    expect((await get(`/v1/runs?workflowId=${MINE}`, EVE)).status).toBe(200);
  });
});

describe('symphony serve: upgrade requests', () => {
  it('answers an upgrade whose target is not a URL with 404, and stays up', async () => {
    for (const target of ['//%', '//[', '/v1/live/../%']) {
      const answer = await rawUpgrade(monitor.port, target);
      expect(answer, target).toMatch(/^HTTP\/1\.1 404 /);
    }
    expect((await call(monitor, '/v1/health')).status).toBe(200);
  });
});

/** The first line of the answer to a WebSocket upgrade of `target`, sent as written. */
function rawUpgrade(port: number, target: string): Promise<string> {
  return new Promise((resolve, reject) => {
    let answer = '';
    const socket = connect(port, '127.0.0.1', () =>
      socket.write(
        `GET ${target} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n` +
          'Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n',
      ),
    );
    socket.on('data', (chunk: Buffer) => {
      answer += chunk.toString('latin1');
    });
    socket.on('error', reject);
    socket.on('close', () => resolve(answer.split('\r\n', 1)[0] ?? ''));
  });
}
