// `symphony serve` running workflows stored on a real team server (OFB embedded) for the users who
// ask: a run started over HTTP is watched over the WebSocket to `run.finished` (by its starter and
// by a viewer), shown in full, its write-document edit lands in the document with the starter's
// token, and its record reaches OFB; a re-run from a node takes the rest from the old run; streamed
// tokens arrive as progress; a slow node is cancelled; a run the orchestrator was SIGKILLed in is
// resumed when its starter is back, without re-running what had succeeded; a run started by the
// CLI on the same data dir reaches the boards too.
import {
  ArtifactDetailResponse,
  ArtifactLineageResponse,
  type DocumentId,
  InstrumentStatsResponse,
  type MonitorServerMessage,
  type NodeId,
  RunDetailResponse,
  type RunEvent,
  RunListResponse,
  RunStartedResponse,
  type Workflow,
  type WorkflowId,
} from '@symphony/schemas';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EngineDocuments } from '../src/documents/EngineDocuments.js';
import { ProviderTestServer } from '../src/instruments/testing/provider-server.js';
import { cli, cliEnv, removeTempDirs, tempDir } from './cli-harness.js';
import {
  call,
  codeOf,
  createDocument,
  LiveClient,
  node,
  PASSWORD,
  type Serve,
  shareWorkflow,
  signUp,
  startServe,
  startTeamServer,
  stopTeamServer,
  summarizeDocument,
  type TeamServer,
  type User,
  workspace,
} from './serve-harness.js';

const KEY = 'sk-symphony-serve-test-41c9';
const NOTES =
  'Symphony runs workflows durably. Every state change is journaled before it is acted on. ' +
  'The artifact store is content addressed, and every read is verified against its hash. ' +
  'A node whose inputs did not change is not run again: its outputs come from the cache.';

let team: TeamServer;
let provider: ProviderTestServer;
let serve: Serve;
let configDir: string;
let ada: User;
let bob: User;
let eve: User;
let cy: User;
let source: DocumentId;
let target: DocumentId;
let summarizeId: WorkflowId;
let promptId: WorkflowId;

/** read-document (source) → llm-prompt on the test provider → write-document (append to target). */
function promptWorkflow(): Workflow {
  const edge = (from: string, fromPort: string, to: string, toPort: string) => ({
    from: { node: from as NodeId, port: fromPort },
    to: { node: to as NodeId, port: toPort },
  });
  return {
    name: 'Ask about a document',
    nodes: {
      read: node('read-document', { documentId: source }),
      ask: node('llm-prompt', { model: 'gpt-4o-mini', prompt: 'What does this say?' }),
      write: node('write-document', { documentId: target, mode: 'append' }),
    },
    edges: { e1: edge('read', 'document', 'ask', 'context'), e2: edge('ask', 'text', 'write', 'text') },
  } as unknown as Workflow;
}

/** The text of `documentId`, read with `user`'s token. */
async function documentText(user: User, documentId: DocumentId): Promise<string> {
  const documents = EngineDocuments.forServer({ server: team.origin, token: user.token });
  try {
    return await documents.read(documentId, new AbortController().signal);
  } finally {
    await documents.close();
  }
}

/** A socket of `user` watching `workflowId`, past its `runs` answer. */
async function watching(user: User, workflowId: WorkflowId): Promise<LiveClient> {
  const live = LiveClient.open(serve);
  await live.opened();
  live.send({ type: 'hello', token: user.token });
  await live.next((m) => m.type === 'welcome');
  live.send({ type: 'watch', workflowId });
  await live.next((m) => m.type === 'runs' && m.workflowId === workflowId);
  return live;
}

type Events = Extract<MonitorServerMessage, { type: 'events' }>;

/** The records of `runId` that `live` receives, up to and including the one `last` accepts. */
async function eventsUntil(
  live: LiveClient,
  runId: string,
  last: (event: RunEvent) => boolean,
): Promise<RunEvent[]> {
  const seen: RunEvent[] = [];
  for (;;) {
    const batch = await live.next((m): m is Events => m.type === 'events');
    for (const event of batch.events) {
      if (event.runId !== runId) continue;
      seen.push(event);
      if (last(event)) return seen;
    }
  }
}

const finished = (event: RunEvent) => event.type === 'run.finished';

async function start(user: User, workflowId: WorkflowId): Promise<string> {
  const answer = await call(serve, '/v1/runs', { token: user.token, body: { workflowId } });
  expect(answer.status, answer.body).toBe(200);
  return RunStartedResponse.parse(answer.json).run.runId;
}

async function detail(user: User, runId: string): Promise<RunDetailResponse> {
  const answer = await call(serve, `/v1/runs/${runId}`, { token: user.token });
  expect(answer.status, answer.body).toBe(200);
  return RunDetailResponse.parse(answer.json);
}

/** The run once it has finished, asked again every 50 ms (the test's timeout bounds the wait). */
async function settled(user: User, runId: string): Promise<RunDetailResponse> {
  for (;;) {
    const view = await detail(user, runId);
    if (view.run.status !== 'running') return view;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

beforeAll(async () => {
  [team, provider] = await Promise.all([startTeamServer(), ProviderTestServer.start({ apiKey: KEY })]);
  [ada, bob, eve, cy] = await Promise.all(['ada', 'bob', 'eve', 'cy'].map((name) => signUp(team, name)));
  const lab = await workspace(team, ada, [
    { user: bob, role: 'viewer' },
    { user: cy, role: 'editor' },
  ]);
  [source, target] = await Promise.all([createDocument(team, ada, lab), createDocument(team, ada, lab)]);
  const seed = EngineDocuments.forServer({ server: team.origin, token: ada.token });
  await seed.write(source, { text: NOTES, mode: 'replace', marker: 'seed' }, new AbortController().signal);
  await seed.close();
  summarizeId = await shareWorkflow(team, ada, lab, summarizeDocument(source, target));
  promptId = await shareWorkflow(team, ada, lab, promptWorkflow());
  configDir = tempDir('symphony-serve-instruments-');
  const env = cliEnv(configDir);
  const set = await cli(['credentials', 'set', 'test-openai', '--stdin'], {
    cwd: configDir,
    env,
    stdin: KEY,
  });
  expect(set.code, set.stderr).toBe(0);
  const add = await cli(
    ['instruments', 'add', 'openai', '--api', 'openai-chat', '--base-url', provider.openAiBaseUrl].concat([
      '--credential',
      'test-openai',
      '--model',
      'gpt-4o-mini=gpt-4o-mini',
    ]),
    { cwd: configDir, env },
  );
  expect(add.code, add.stderr).toBe(0);
  serve = await startServe(team, { env: { SYMPHONY_CONFIG_DIR: configDir } });
}, 90_000);
afterAll(async () => {
  await serve?.stop();
  await Promise.all([stopTeamServer(team), provider?.close()]);
  removeTempDirs();
});

describe('symphony serve runs a team workflow', () => {
  let firstRun: string;

  it('starts it, streams every record to the boards watching, shows it, and writes its document', async () => {
    const [adaLive, bobLive] = await Promise.all([watching(ada, summarizeId), watching(bob, summarizeId)]);
    firstRun = await start(ada, summarizeId);
    const [seen, bobSeen] = await Promise.all([
      eventsUntil(adaLive, firstRun, finished),
      eventsUntil(bobLive, firstRun, finished),
    ]);
    expect(seen[0]).toMatchObject({
      type: 'run.started',
      startedBy: 'ada',
      source: { workflowId: summarizeId },
    });
    expect(seen.at(-1)).toMatchObject({ type: 'run.finished', status: 'succeeded' });
    expect(bobSeen).toEqual(seen);
    adaLive.close();
    bobLive.close();

    const { run, role } = await detail(ada, firstRun);
    expect(role).toBe('owner');
    expect(run).toMatchObject({ status: 'succeeded', startedBy: 'ada', source: { server: team.origin } });
    const byId = Object.fromEntries(run.nodeStates.map((n) => [n.nodeId, n]));
    expect(Object.values(byId).map((n) => n.state)).toEqual(['succeeded', 'succeeded', 'succeeded']);
    const read = byId.read!;
    const sum = byId.sum!;
    expect(sum.inputs).toEqual({ text: [read.outputs!.document] });
    expect(byId.write!.inputs).toEqual({ text: [sum.outputs!.summary] });

    const artifact = await call(serve, `/v1/artifacts/${sum.outputs!.summary}`, { token: ada.token });
    expect(artifact.status, artifact.body).toBe(200);
    const summary = ArtifactDetailResponse.parse(artifact.json).preview.text!;
    expect(summary.length).toBeGreaterThan(0);
    expect(await documentText(ada, target)).toContain(summary);
  });

  it('shows a run’s artifacts to whoever may read the run, and to nobody else', async () => {
    const { run } = await detail(ada, firstRun);
    const summary = run.nodeStates.find((n) => n.nodeId === 'sum')!.outputs!.summary!;
    expect((await call(serve, `/v1/artifacts/${summary}`, { token: bob.token })).status).toBe(200);
    const stranger = await call(serve, `/v1/artifacts/${summary}`, { token: eve.token });
    expect(stranger.status).toBe(404);
    expect(codeOf(stranger)).toBe('not_found');
    const raw = await call(serve, `/v1/artifacts/${summary}/raw`, { token: ada.token });
    expect(raw.status).toBe(200);
    expect(raw.headers['content-disposition']).toMatch(/^attachment/);
    expect(raw.headers['x-content-type-options']).toBe('nosniff');
    expect(raw.headers['content-type']).toMatch(/^text\//);
    const lineage = ArtifactLineageResponse.parse(
      (await call(serve, `/v1/artifacts/${summary}/lineage`, { token: ada.token })).json,
    );
    expect(lineage.runs).toContainEqual(expect.objectContaining({ runId: firstRun, relation: 'produced' }));
    const search = await call(serve, `/v1/artifacts/search?q=journaled`, { token: eve.token });
    expect(search.status).toBe(200);
    expect((search.json as { hits: unknown[] }).hits).toEqual([]);
    const found = await call(serve, `/v1/artifacts/search?q=journaled`, { token: ada.token });
    expect((found.json as { hits: unknown[] }).hits.length).toBeGreaterThan(0);
    const stats = await call(serve, '/v1/instruments/stats', { token: ada.token });
    expect(stats.status, stats.body).toBe(200);
    InstrumentStatsResponse.parse(stats.json);
  });

  it('records the finished run on the team server with the starter’s name', async () => {
    type Listed = { runs: { runId: string; startedBy: { name: string }; status: string }[] };
    // Recorded after `run.finished`, in the background: asked for until it is there.
    let record: Listed['runs'][number] | undefined;
    while (record === undefined) {
      const listed = await team.ofb<Listed>('list-runs', { workflowId: summarizeId }, bob.token);
      record = listed.runs.find((r) => r.runId === firstRun);
      if (record === undefined) await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(record).toMatchObject({
      status: 'succeeded',
      startedBy: { name: 'ada' },
    });
  });

  it('re-runs from a node: upstream nodes come from the old run, the node and its descendants run', async () => {
    const answer = await call(serve, `/v1/runs/${firstRun}/rerun`, {
      token: ada.token,
      body: { from: 'sum' },
    });
    expect(answer.status, answer.body).toBe(200);
    const rerun = RunStartedResponse.parse(answer.json).run.runId;
    const view = await settled(ada, rerun);
    expect(view.run).toMatchObject({ status: 'succeeded', options: { rerunOf: firstRun, from: 'sum' } });
    const states = Object.fromEntries(view.run.nodeStates.map((n) => [n.nodeId, n]));
    expect(states.read).toMatchObject({ state: 'cached', fromRun: firstRun });
    expect(states.sum).toMatchObject({ state: 'succeeded' });
    expect(states.write).toMatchObject({ state: 'succeeded' });
    const bad = await call(serve, `/v1/runs/${firstRun}/rerun`, { token: ada.token, body: { from: 'nope' } });
    expect(bad.status).toBe(422);
  });
});

describe('symphony serve streams, cancels and resumes', () => {
  it('sends a running node’s streamed tokens as progress, and keeps them for the run panel', async () => {
    const live = await watching(ada, promptId);
    const runId = await start(ada, promptId);
    let tokens = '';
    const progressed = (async () => {
      for (;;) {
        const message = await live.next((m) => m.type === 'progress');
        if (message.type !== 'progress') continue;
        for (const p of message.progress)
          if (p.runId === runId && p.nodeId === 'ask') tokens += p.tokens ?? '';
        if (tokens.includes('You said')) return;
      }
    })();
    await progressed;
    live.close();
    const view = await settled(ada, runId);
    expect(view.run.status).toBe('succeeded');
    expect(view.live['ask' as NodeId]?.tokens).toContain('You said');
    expect(view.run.usage.calls).toBe(1);
  });

  it('cancels a slow node: the run ends cancelled, and a second cancel is 409 run_finished', async () => {
    provider.failNext({ kind: 'slow', ms: 120_000 });
    const asked = provider.requests.length;
    const live = await watching(ada, promptId);
    const runId = await start(ada, promptId);
    await eventsUntil(live, runId, (e) => e.type === 'node.running' && e.nodeId === 'ask');
    // Cancelled while the provider holds the call.
    while (provider.requests.length === asked) await new Promise((resolve) => setTimeout(resolve, 20));
    const cancel = await call(serve, `/v1/runs/${runId}/cancel`, {
      token: ada.token,
      body: { nodeId: 'ask' },
    });
    expect(cancel.status, cancel.body).toBe(200);
    expect(cancel.json).toEqual({ outcome: 'requested' });
    const seen = await eventsUntil(live, runId, finished);
    expect(seen.at(-1)).toMatchObject({ type: 'run.finished', status: 'cancelled' });
    live.close();
    const again = await call(serve, `/v1/runs/${runId}/cancel`, { token: ada.token, body: {} });
    expect(again.status).toBe(409);
    expect(codeOf(again)).toBe('run_finished');
  });

  it('resumes a run the orchestrator was SIGKILLed in once its starter is back, without re-running what succeeded', async () => {
    provider.failNext({ kind: 'slow', ms: 120_000 });
    const asked = provider.requests.length;
    const live = await watching(ada, promptId);
    const runId = await start(ada, promptId);
    await eventsUntil(live, runId, (e) => e.type === 'node.running' && e.nodeId === 'ask');
    // Killed while the provider holds the node's call (the slow answer), not before it was made.
    while (provider.requests.length === asked) await new Promise((resolve) => setTimeout(resolve, 20));
    expect(await serve.stop('SIGKILL')).toBeNull();
    serve = await startServe(team, { dataDir: serve.dataDir, env: { SYMPHONY_CONFIG_DIR: configDir } });

    // A viewer sees it unfinished, executed by nobody: resumable.
    const listed = RunListResponse.parse(
      (await call(serve, `/v1/runs?workflowId=${promptId}`, { token: bob.token })).json,
    );
    const left = listed.runs.find((r) => r.runId === runId)!;
    expect(left.status).toBe('running');
    expect(left.executedBy).toBeUndefined();

    // Its starter comes back: it is resumed by itself and finishes.
    const view = await settled(ada, runId);
    expect(view.run.status).toBe('succeeded');
    const states = Object.fromEntries(view.run.nodeStates.map((n) => [n.nodeId, n]));
    expect(states.read!.attempts).toHaveLength(1);
    expect(states.ask!.attempts.map((a) => a.attempt)).toEqual([1]);
    expect(await documentText(ada, target)).toContain('You said');
  });

  it('resumes on demand for another editor while its starter is away; its record waits for the starter', async () => {
    provider.failNext({ kind: 'slow', ms: 120_000 });
    const asked = provider.requests.length;
    const live = await watching(ada, promptId);
    const runId = await start(ada, promptId);
    await eventsUntil(live, runId, (e) => e.type === 'node.running' && e.nodeId === 'ask');
    while (provider.requests.length === asked) await new Promise((resolve) => setTimeout(resolve, 20));
    expect(await serve.stop('SIGKILL')).toBeNull();
    serve = await startServe(team, { dataDir: serve.dataDir, env: { SYMPHONY_CONFIG_DIR: configDir } });

    const resumed = await call(serve, `/v1/runs/${runId}/resume`, { token: cy.token, body: {} });
    expect(resumed.status, resumed.body).toBe(200);
    expect(RunStartedResponse.parse(resumed.json).run.runId).toBe(runId);
    expect((await settled(cy, runId)).run).toMatchObject({ status: 'succeeded', startedBy: 'ada' });
    const again = await call(serve, `/v1/runs/${runId}/resume`, { token: cy.token, body: {} });
    expect(codeOf(again)).toBe('run_finished');

    // Recorded as ada's run, with ada's token: once ada is signed in here again.
    await detail(ada, runId);
    type Listed = { runs: { runId: string; startedBy: { name: string } }[] };
    let record: Listed['runs'][number] | undefined;
    while (record === undefined) {
      record = (await team.ofb<Listed>('list-runs', { workflowId: promptId }, bob.token)).runs.find(
        (r) => r.runId === runId,
      );
      if (record === undefined) await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(record.startedBy.name).toBe('ada');
  });

  it('shows a run the CLI started on the same data dir to the boards watching', async () => {
    const live = await watching(bob, summarizeId);
    const cliConfig = tempDir('symphony-serve-cli-');
    const env = cliEnv(cliConfig);
    const cwd = tempDir();
    const login = await cli(['login', '--server', team.origin, '--name', 'ada', '--password-stdin'], {
      cwd,
      env,
      stdin: PASSWORD,
    });
    expect(login.code, login.stderr).toBe(0);
    const run = await cli(['run', summarizeId, '--data-dir', serve.dataDir], { cwd, env });
    expect(run.code, run.stderr).toBe(0);
    const runId = /^run (run_[a-z0-9]+):/m.exec(run.stdout)![1]!;
    const seen = await eventsUntil(live, runId, finished);
    expect(seen[0]).toMatchObject({ type: 'run.started', startedBy: 'ada' });
    expect(seen.at(-1)).toMatchObject({ type: 'run.finished', status: 'succeeded' });
    live.close();
  });
});
