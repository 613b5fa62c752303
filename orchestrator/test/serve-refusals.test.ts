// `symphony serve` refuses what it must, each refusal with its own code, and stays up: no token, a
// token OFB refuses (not one, expired, signed out), a page of another origin (HTTP, preflight,
// WebSocket), a DNS-rebinding Host (HTTP, WebSocket), a viewer running or cancelling, a stranger,
// bodies that do not fit or are too large, unknown routes, and sockets that do not say hello or
// send what is not a message. A real team server (OFB embedded) and a real serve process.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { TokenService } from '@symphony/ofb';
import {
  MonitorCloseCode,
  MonitorHealth,
  MonitorLimits,
  RunDetailResponse,
  RunListResponse,
  RunStartedResponse,
  type WorkflowId,
} from '@symphony/schemas';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli, cliEnv, removeTempDirs, tempDir } from './cli-harness.js';
import {
  call,
  codeOf,
  createDocument,
  LiveClient,
  type Serve,
  shareWorkflow,
  signIn,
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
let serve: Serve;
let ada: User;
let bob: User;
let eve: User;
let workflowId: WorkflowId;

beforeAll(async () => {
  team = await startTeamServer();
  [ada, bob, eve] = await Promise.all([signUp(team, 'ada'), signUp(team, 'bob'), signUp(team, 'eve')]);
  const lab = await workspace(team, ada, [{ user: bob, role: 'viewer' }]);
  const [source, target] = await Promise.all([
    createDocument(team, ada, lab),
    createDocument(team, ada, lab),
  ]);
  workflowId = await shareWorkflow(team, ada, lab, summarizeDocument(source, target));
  serve = await startServe(team);
}, 60_000);
afterAll(async () => {
  await serve?.stop();
  await stopTeamServer(team);
  removeTempDirs();
});

const runs = (id: string = workflowId) => `/v1/runs?workflowId=${encodeURIComponent(id)}`;

/** The process is still up and answering. */
async function stillUp(): Promise<void> {
  expect(serve.child.exitCode).toBeNull();
  const health = await call(serve, '/v1/health');
  expect(health.status).toBe(200);
}

describe('symphony serve: tokens', () => {
  it('answers health without a token, and with the team server it runs workflows of', async () => {
    const health = await call(serve, '/v1/health');
    expect(health.status).toBe(200);
    expect(MonitorHealth.parse(health.json)).toMatchObject({
      service: 'symphony-orchestrator',
      server: team.origin,
      running: 0,
    });
  });

  it('refuses a request without a token: 401 missing_token', async () => {
    const answer = await call(serve, runs());
    expect(answer.status).toBe(401);
    expect(codeOf(answer)).toBe('missing_token');
    await stillUp();
  });

  it('refuses a token OFB does not know: 401 invalid_token with the OFB code', async () => {
    const answer = await call(serve, runs(), { token: 'not-a-token' });
    expect(answer.status).toBe(401);
    expect(answer.json).toMatchObject({
      error: { code: 'invalid_token', details: { ofbCode: 'invalid_token' } },
    });
    await stillUp();
  });

  it('refuses an expired token: 401 invalid_token, expired_token', async () => {
    const secret = readFileSync(join(team.dir, '.symphony', 'jwt-secret'), 'utf8').trim();
    const past = new TokenService(secret, () => Date.now() - 7_200_000);
    const expired = await past.sign({ sub: ada.userId }, 60);
    const answer = await call(serve, runs(), { token: expired });
    expect(answer.status).toBe(401);
    expect(answer.json).toMatchObject({
      error: { code: 'invalid_token', details: { ofbCode: 'expired_token' } },
    });
  });

  it('refuses a signed-out session’s token, over HTTP and on the socket (4401)', async () => {
    const second = await signIn(team, ada);
    expect((await call(serve, runs(), { token: second.token })).status).toBe(200);
    await team.ofb('sign-out', {}, second.token);
    // Answers are reused for a few seconds (MonitorLimits.authCacheMs); a new resource asks OFB at once.
    const answer = await call(serve, '/v1/runs/run_000000000unknown00', { token: second.token });
    expect(answer.status).toBe(401);
    expect(answer.json).toMatchObject({
      error: { code: 'invalid_token', details: { ofbCode: 'session_revoked' } },
    });
    const live = LiveClient.open(serve);
    await live.opened();
    live.send({ type: 'hello', token: second.token });
    const closed = await live.closed;
    expect(closed.code).toBe(MonitorCloseCode.unauthorized);
    expect(closed.reason).toContain('invalid_token');
    await stillUp();
  });
});

describe('symphony serve: origins and hosts', () => {
  it('refuses a page of another origin: 403 forbidden_origin (a request and a preflight)', async () => {
    const get = await call(serve, runs(), { token: ada.token, headers: { origin: 'https://evil.example' } });
    expect(get.status).toBe(403);
    expect(codeOf(get)).toBe('forbidden_origin');
    const preflight = await call(serve, '/v1/runs', {
      method: 'OPTIONS',
      headers: { origin: 'https://evil.example', 'access-control-request-method': 'POST' },
    });
    expect(preflight.status).toBe(403);
    expect(codeOf(preflight)).toBe('forbidden_origin');
    expect(preflight.headers['access-control-allow-origin']).toBeUndefined();
    const opaque = await call(serve, runs(), { token: ada.token, headers: { origin: 'null' } });
    expect(codeOf(opaque)).toBe('forbidden_origin');
  });

  it('answers the team server’s pages (and its localhost twin) with CORS and Private Network Access', async () => {
    const twin = team.origin.replace('127.0.0.1', 'localhost');
    for (const origin of [team.origin, twin]) {
      const preflight = await call(serve, '/v1/runs', {
        method: 'OPTIONS',
        headers: {
          origin,
          'access-control-request-method': 'POST',
          'access-control-request-private-network': 'true',
        },
      });
      expect(preflight.status).toBe(204);
      expect(preflight.headers).toMatchObject({
        'access-control-allow-origin': origin,
        'access-control-allow-headers': 'authorization, content-type',
        'access-control-allow-methods': 'GET, POST',
        'access-control-allow-private-network': 'true',
        vary: 'Origin',
      });
      const get = await call(serve, runs(), { token: ada.token, headers: { origin } });
      expect(get.status).toBe(200);
      expect(get.headers['access-control-allow-origin']).toBe(origin);
    }
  });

  it('refuses a page of another origin on the socket: 403 before the upgrade', async () => {
    const live = LiveClient.open(serve, { origin: 'https://evil.example' });
    await live.closed;
    expect(live.refusedWith).toBe(403);
    const allowed = LiveClient.open(serve, { origin: team.origin });
    await allowed.opened();
    allowed.close();
  });

  it('refuses a DNS-rebinding Host: 403 forbidden_host over HTTP and on the socket', async () => {
    const rebound = await call(serve, '/v1/health', { headers: { host: `evil.example:${serve.port}` } });
    expect(rebound.status).toBe(403);
    expect(codeOf(rebound)).toBe('forbidden_host');
    const otherPort = await call(serve, '/v1/health', { headers: { host: `127.0.0.1:${serve.port + 1}` } });
    expect(codeOf(otherPort)).toBe('forbidden_host');
    const localhost = await call(serve, '/v1/health', { headers: { host: `localhost:${serve.port}` } });
    expect(localhost.status).toBe(200);
    const live = LiveClient.open(serve, { host: `evil.example:${serve.port}` });
    await live.closed;
    expect(live.refusedWith).toBe(403);
  });

  it('says so when its port is taken (exit 1)', async () => {
    const out = await cli(
      ['serve', '--port', String(serve.port), '--server', team.origin, '--data-dir', tempDir()],
      {
        cwd: tempDir(),
        env: cliEnv(tempDir()),
      },
    );
    expect(out.code).toBe(1);
    expect(out.stderr).toContain(`port ${serve.port} on 127.0.0.1 is taken`);
    await stillUp();
  });

  it('will not listen beyond loopback: --host 0.0.0.0 is a usage error', async () => {
    const out = await cli(['serve', '--host', '0.0.0.0', '--port', '0', '--server', team.origin], {
      cwd: tempDir(),
      env: cliEnv(tempDir()),
    });
    expect(out.code).toBe(2);
    expect(out.stderr).toContain('loopback address only');
  });
});

describe('symphony serve: roles', () => {
  it('lets a viewer watch (list, show) but not start or cancel: 403 role_too_low', async () => {
    const started = await call(serve, '/v1/runs', { token: ada.token, body: { workflowId } });
    expect(started.status, started.body).toBe(200);
    const { run } = RunStartedResponse.parse(started.json);

    const list = await call(serve, runs(), { token: bob.token });
    expect(list.status).toBe(200);
    const listed = RunListResponse.parse(list.json);
    expect(listed.role).toBe('viewer');
    expect(listed.runs.map((r) => r.runId)).toContain(run.runId);
    const shown = await call(serve, `/v1/runs/${run.runId}`, { token: bob.token });
    expect(shown.status).toBe(200);
    expect(RunDetailResponse.parse(shown.json)).toMatchObject({ role: 'viewer', run: { startedBy: 'ada' } });

    const start = await call(serve, '/v1/runs', { token: bob.token, body: { workflowId } });
    expect(start.status).toBe(403);
    expect(codeOf(start)).toBe('role_too_low');
    for (const action of ['cancel', 'rerun', 'resume']) {
      const refused = await call(serve, `/v1/runs/${run.runId}/${action}`, { token: bob.token, body: {} });
      expect(refused.status, action).toBe(403);
      expect(codeOf(refused), action).toBe('role_too_low');
    }
  });

  it('refuses a stranger to the workspace: 403 not_a_member (list, start, a run, a watch)', async () => {
    const list = await call(serve, runs(), { token: eve.token });
    expect(list.status).toBe(403);
    expect(codeOf(list)).toBe('not_a_member');
    const start = await call(serve, '/v1/runs', { token: eve.token, body: { workflowId } });
    expect(codeOf(start)).toBe('not_a_member');
    const { runs: listed } = RunListResponse.parse((await call(serve, runs(), { token: ada.token })).json);
    const one = await call(serve, `/v1/runs/${listed[0]!.runId}`, { token: eve.token });
    expect(codeOf(one)).toBe('not_a_member');

    const live = LiveClient.open(serve);
    await live.opened();
    live.send({ type: 'hello', token: eve.token });
    await live.next((m) => m.type === 'welcome');
    live.send({ type: 'watch', workflowId });
    const refused = await live.next((m) => m.type === 'error');
    expect(refused).toMatchObject({ type: 'error', code: 'not_a_member', workflowId });
    // The socket stays open: the next message is answered.
    live.send({ type: 'watch', workflowId: 'no-such-workflow' });
    expect(await live.next((m) => m.type === 'error')).toMatchObject({ workflowId: 'no-such-workflow' });
    live.close();
  });
});

describe('symphony serve: requests', () => {
  it('refuses bodies that do not fit: 422 invalid_request with the issues', async () => {
    const wrongType = await call(serve, '/v1/runs', { token: ada.token, body: { workflowId: 5 } });
    expect(wrongType.status).toBe(422);
    expect(wrongType.json).toMatchObject({
      error: { code: 'invalid_request', details: { issues: [{ path: ['workflowId'] }] } },
    });
    const extra = await call(serve, '/v1/runs', { token: ada.token, body: { workflowId, everything: true } });
    expect(codeOf(extra)).toBe('invalid_request');
    const notJson = await call(serve, '/v1/runs', { token: ada.token, rawBody: '{"workflowId":' });
    expect(notJson.status).toBe(422);
    expect(notJson.body).toContain('not JSON');
    const badQuery = await call(serve, `${runs()}&limit=0`, { token: ada.token });
    expect(codeOf(badQuery)).toBe('invalid_request');
    const badRun = await call(serve, '/v1/runs/not-a-run', { token: ada.token });
    expect(codeOf(badRun)).toBe('invalid_request');
    await stillUp();
  });

  it('refuses a body over the limit: 413 body_too_large', async () => {
    const big = JSON.stringify({ workflowId, pad: 'x'.repeat(MonitorLimits.maxRequestBytes) });
    const answer = await call(serve, '/v1/runs', { token: ada.token, rawBody: big });
    expect(answer.status).toBe(413);
    expect(codeOf(answer)).toBe('body_too_large');
    await stillUp();
  });

  it('answers unknown routes and runs with 404 not_found', async () => {
    for (const path of ['/v1/nothing-here', '/elsewhere', '/v1/runs/run_000000000unknown00']) {
      const answer = await call(serve, path, { token: ada.token });
      expect(answer.status, path).toBe(404);
      expect(codeOf(answer), path).toBe('not_found');
    }
  });
});

describe('symphony serve: the live socket', () => {
  it('closes a socket that says nothing: 4401 after the hello timeout', async () => {
    const live = LiveClient.open(serve);
    await live.opened();
    const closed = await live.closed;
    expect(closed.code).toBe(MonitorCloseCode.unauthorized);
    expect(closed.reason).toContain('no hello');
  });

  it('closes on a message before hello: 4401 for another message, 4400 for one that is not a message', async () => {
    const early = LiveClient.open(serve);
    await early.opened();
    early.send({ type: 'watch', workflowId });
    expect((await early.closed).code).toBe(MonitorCloseCode.unauthorized);
    const garbled = LiveClient.open(serve);
    await garbled.opened();
    garbled.send('{not json');
    expect((await garbled.closed).code).toBe(MonitorCloseCode.badMessage);
  });

  it('answers bad JSON and unknown messages after hello with an error message, and stays open', async () => {
    const live = LiveClient.open(serve);
    await live.opened();
    live.send({ type: 'hello', token: ada.token });
    const welcome = await live.next((m) => m.type === 'welcome');
    expect(welcome).toMatchObject({
      user: { name: 'ada', id: ada.userId },
      health: { service: 'symphony-orchestrator' },
    });
    live.send('{not json');
    expect(await live.next((m) => m.type === 'error')).toMatchObject({ code: 'invalid_request' });
    live.send({ type: 'subscribe', everything: true });
    expect(await live.next((m) => m.type === 'error')).toMatchObject({ code: 'invalid_request' });
    live.send({ type: 'watch', workflowId });
    expect(await live.next((m) => m.type === 'runs')).toMatchObject({ workflowId, role: 'owner' });
    live.close();
  });

  it('closes on a message over the limit: 4413', async () => {
    const live = LiveClient.open(serve);
    await live.opened();
    live.send({ type: 'hello', token: ada.token });
    await live.next((m) => m.type === 'welcome');
    live.send({ type: 'watch', workflowId: 'x'.repeat(MonitorLimits.maxRequestBytes) });
    expect((await live.closed).code).toBe(MonitorCloseCode.tooLarge);
    await stillUp();
  });

  it('closes when the token expires without a fresh one (4402); a fresh one keeps it open', async () => {
    const secret = readFileSync(join(team.dir, '.symphony', 'jwt-secret'), 'utf8').trim();
    const tokens = new TokenService(secret);
    const expiring = LiveClient.open(serve);
    await expiring.opened();
    expiring.send({ type: 'hello', token: await tokens.sign({ sub: ada.userId }, 2) });
    await expiring.next((m) => m.type === 'welcome');
    const closed = await expiring.closed;
    expect(closed.code).toBe(MonitorCloseCode.tokenExpired);
    expect(closed.reason).toContain('expired');

    const refreshed = LiveClient.open(serve);
    await refreshed.opened();
    const short = await tokens.sign({ sub: ada.userId }, 2);
    refreshed.send({ type: 'hello', token: short });
    await refreshed.next((m) => m.type === 'welcome');
    refreshed.send({ type: 'token', token: ada.token });
    // Past the first token's expiry, the socket still answers.
    const exp = JSON.parse(Buffer.from(short.split('.')[1]!, 'base64url').toString()).exp as number;
    while (Date.now() < exp * 1000 + 500) await new Promise((resolve) => setTimeout(resolve, 100));
    refreshed.send({ type: 'watch', workflowId });
    expect(await refreshed.next((m) => m.type === 'runs')).toMatchObject({ workflowId });
    refreshed.close();
  });

  it('refuses a token swap to another user: 4401', async () => {
    const live = LiveClient.open(serve);
    await live.opened();
    live.send({ type: 'hello', token: ada.token });
    await live.next((m) => m.type === 'welcome');
    live.send({ type: 'token', token: (await signIn(team, ada)).token });
    live.send({ type: 'watch', workflowId });
    await live.next((m) => m.type === 'runs');
    live.send({ type: 'token', token: bob.token });
    const closed = await live.closed;
    expect(closed.code).toBe(MonitorCloseCode.unauthorized);
    expect(closed.reason).toContain('another user');
  });
});
