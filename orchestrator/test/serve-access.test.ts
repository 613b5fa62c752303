// Who may drive `symphony serve`, against a real team server (OFB embedded) and real serve
// processes: logged in with `symphony login`, it runs workflows for that user only (and each
// --allow-user / SYMPHONY_ORCHESTRATOR_USERS); a run left unfinished is resumed with its starter's
// token only while the starter still may run it; and the team server's SYMPHONY_ALLOWED_ORIGINS
// is not serve's (serve reads SYMPHONY_ORCHESTRATOR_ALLOWED_ORIGINS).
import { join } from 'node:path';
import { FileDagTracker } from '@symphony/pit';
import {
  type DocumentId,
  RunDetailResponse,
  type RunId,
  RunStartedResponse,
  type WorkflowId,
} from '@symphony/schemas';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EngineDocuments } from '../src/documents/EngineDocuments.js';
import { cli, cliEnv, removeTempDirs, tempDir } from './cli-harness.js';
import {
  call,
  codeOf,
  createDocument,
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

let team: TeamServer;
let ada: User;
let bob: User;
let cy: User;
let eve: User;
let lab: string;
let source: DocumentId;
let target: DocumentId;
let workflowId: WorkflowId;
const serves: Serve[] = [];

beforeAll(async () => {
  team = await startTeamServer();
  [ada, bob, cy, eve] = await Promise.all(['ada', 'bob', 'cy', 'eve'].map((name) => signUp(team, name)));
  lab = await workspace(team, ada, [
    { user: bob, role: 'editor' },
    { user: cy, role: 'editor' },
  ]);
  [source, target] = await Promise.all([createDocument(team, ada, lab), createDocument(team, ada, lab)]);
  const seed = EngineDocuments.forServer({ server: team.origin, token: ada.token });
  const notes = 'Every state change is journaled before it is acted on. Artifacts are content addressed.';
  await seed.write(source, { text: notes, mode: 'replace', marker: 'seed' }, new AbortController().signal);
  await seed.close();
  workflowId = await shareWorkflow(team, ada, lab, summarizeDocument(source, target));
}, 60_000);
afterAll(async () => {
  await Promise.all(serves.map((serve) => serve.stop()));
  await stopTeamServer(team);
  removeTempDirs();
});

/** `symphony serve` for the team server, stopped after the file's tests. */
async function serving(options: Parameters<typeof startServe>[1] = {}): Promise<Serve> {
  const serve = await startServe(team, options);
  serves.push(serve);
  return serve;
}

/** A config dir in which `symphony login` signed `user` in to the team server. */
async function loggedIn(user: User): Promise<string> {
  const configDir = tempDir('symphony-serve-session-');
  const login = await cli(['login', '--server', team.origin, '--name', user.name, '--password-stdin'], {
    cwd: configDir,
    env: cliEnv(configDir),
    stdin: PASSWORD,
  });
  expect(login.code, login.stderr).toBe(0);
  return configDir;
}

/** The run once it has finished, asked again every 50 ms (the test's timeout bounds the wait). */
async function settled(serve: Serve, runId: RunId): Promise<RunDetailResponse> {
  for (;;) {
    const answer = await call(serve, `/v1/runs/${runId}`, { token: ada.token });
    const view = RunDetailResponse.parse(answer.json);
    if (view.run.status !== 'running') return view;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

const runsOf = (serve: Serve, user: User) =>
  call(serve, `/v1/runs?workflowId=${encodeURIComponent(workflowId)}`, { token: user.token });

describe('symphony serve: whose workflows it runs', () => {
  it('runs only the logged-in user’s when logged in: any other member is 403 not_allowed_here', async () => {
    const serve = await serving({ env: { SYMPHONY_CONFIG_DIR: await loggedIn(ada) } });
    expect(serve.stderr.join('')).toContain('runs workflows for ada\n');
    expect((await runsOf(serve, ada)).status).toBe(200);
    const refused = await runsOf(serve, bob);
    expect(refused.status).toBe(403);
    expect(codeOf(refused)).toBe('not_allowed_here');
    expect(refused.body).toContain('--allow-user bob');
    const start = await call(serve, '/v1/runs', { token: bob.token, body: { workflowId } });
    expect(codeOf(start)).toBe('not_allowed_here');
  });

  it('adds each --allow-user and SYMPHONY_ORCHESTRATOR_USERS user; * lets every member in', async () => {
    const configDir = await loggedIn(ada);
    const some = await serving({
      env: { SYMPHONY_CONFIG_DIR: configDir, SYMPHONY_ORCHESTRATOR_USERS: 'cy' },
      args: ['--allow-user', 'bob'],
    });
    expect(some.stderr.join('')).toContain('runs workflows for ada, bob and cy\n');
    for (const user of [ada, bob, cy]) expect((await runsOf(some, user)).status, user.name).toBe(200);
    // eve is in none of the workspaces: where OFB is asked about a workflow, it says so first.
    expect(codeOf(await runsOf(some, eve))).toBe('not_a_member');
    const search = await call(some, '/v1/artifacts/search?q=journaled', { token: eve.token });
    expect(codeOf(search)).toBe('not_allowed_here');
    const everyone = await serving({ env: { SYMPHONY_CONFIG_DIR: configDir }, args: ['--allow-user', '*'] });
    expect((await runsOf(everyone, bob)).status).toBe(200);
    expect((await call(everyone, '/v1/artifacts/search?q=journaled', { token: eve.token })).status).toBe(200);
  });

  it('refuses an --allow-user that cannot be a user name (exit 2)', async () => {
    const out = await cli(['serve', '--port', '0', '--server', team.origin, '--allow-user', 'bob smith'], {
      cwd: tempDir(),
      env: cliEnv(tempDir()),
    });
    expect(out.code).toBe(2);
    expect(out.stderr).toContain('--allow-user "bob smith"');
  });
});

describe('symphony serve: resuming with the starter’s token', () => {
  it('resumes a run only while its starter may run it; an editor’s resume then runs as the editor', async () => {
    const dataDir = tempDir('symphony-serve-resume-');
    const runId = 'run_leftbycy00001' as RunId;
    // A run cy started that a crash left unfinished, before any node ran.
    const tracker = await FileDagTracker.open(join(dataDir, 'runs'));
    await tracker.record({
      type: 'run.started',
      runId,
      at: Date.now(),
      workflow: summarizeDocument(source, target),
      source: { kind: 'automerge', server: team.origin, workflowId, heads: ['h1'] },
      options: { cache: true, grants: [] },
      startedBy: 'cy',
    });
    await tracker.close();
    await team.ofb('change-role', { workspaceId: lab, userId: cy.userId, role: 'viewer' }, ada.token);
    const serve = await serving({ dataDir });

    // cy is back, but only a viewer now: the run waits, and says why.
    expect((await runsOf(serve, cy)).status).toBe(200);
    while (!serve.stderr.join('').includes(`run ${runId} is not resumed for cy`))
      await new Promise((resolve) => setTimeout(resolve, 20));
    const waiting = RunDetailResponse.parse(
      (await call(serve, `/v1/runs/${runId}`, { token: cy.token })).json,
    );
    expect(waiting.run.status).toBe('running');
    expect(waiting.run.executedBy).toBeUndefined();

    // ada resumes it: cy's token is here, but cy may not write the document, so it runs as ada.
    const resumed = await call(serve, `/v1/runs/${runId}/resume`, { token: ada.token, body: {} });
    expect(resumed.status, resumed.body).toBe(200);
    expect(RunStartedResponse.parse(resumed.json).run.runId).toBe(runId);
    const view = await settled(serve, runId);
    expect(view.run.status, JSON.stringify(view.run.nodeStates.map((n) => n.error))).toBe('succeeded');
    expect(view.run.startedBy).toBe('cy');
  });
});

describe('symphony serve: allowed origins', () => {
  it('takes its own SYMPHONY_ORCHESTRATOR_ALLOWED_ORIGINS, never the team server’s SYMPHONY_ALLOWED_ORIGINS', async () => {
    const serve = await serving({
      env: {
        SYMPHONY_ALLOWED_ORIGINS: '*,https://elsewhere.example',
        SYMPHONY_ORCHESTRATOR_ALLOWED_ORIGINS: 'https://board.example',
      },
    });
    const preflight = (origin: string) =>
      call(serve, '/v1/runs', {
        method: 'OPTIONS',
        headers: { origin, 'access-control-request-method': 'POST' },
      });
    expect((await preflight('https://board.example')).status).toBe(204);
    const elsewhere = await preflight('https://elsewhere.example');
    expect(elsewhere.status).toBe(403);
    expect(codeOf(elsewhere)).toBe('forbidden_origin');
  });
});
