// Tests of the orchestrator's HTTP client against a real HTTP server: answers parsed, refusals as
// MonitorApiError with the code, a refused token renewed and the call sent once more, no server.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ErrorCategory, errorBody, MonitorErrorCode } from '@symphony/schemas';
import { afterEach, describe, expect, it } from 'vitest';
import { MonitorApi, MonitorApiError } from './monitor-api.js';

const health = {
  service: 'symphony-orchestrator',
  version: '0',
  server: 'http://127.0.0.1:4321',
  isolation: 'full',
  running: 0,
};

let server: Server | undefined;
afterEach(async () => {
  await new Promise((resolve) => (server === undefined ? resolve(undefined) : server.close(resolve)));
  server = undefined;
});

/** A server that accepts only `Bearer good`, and answers `/v1/runs` with an empty list. */
async function start(): Promise<{ url: string; seen: string[] }> {
  const seen: string[] = [];
  const http = createServer((req, res) => {
    seen.push(`${req.method} ${req.url} ${req.headers.authorization ?? '-'}`);
    res.setHeader('content-type', 'application/json');
    if (req.url === '/v1/health') return void res.end(JSON.stringify(health));
    if (req.headers.authorization !== 'Bearer good') {
      res.statusCode = 401;
      return void res.end(
        JSON.stringify(errorBody(ErrorCategory.auth, MonitorErrorCode.invalidToken, 'token expired')),
      );
    }
    if (req.url?.startsWith('/v1/runs?')) return void res.end(JSON.stringify({ runs: [], role: 'editor' }));
    res.statusCode = 200;
    res.end(JSON.stringify({ unexpected: true }));
  });
  server = http;
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(http.address() as AddressInfo).port}`, seen };
}

describe('MonitorApi', () => {
  it('parses answers, and refuses an answer of the wrong shape with a clear error', async () => {
    const { url } = await start();
    const api = new MonitorApi(url, () => 'good');
    expect(await api.health()).toEqual(health);
    expect(await api.listRuns('wf1')).toEqual({ runs: [], role: 'editor' });
    await expect(api.run('run_aaaaaaaa0001')).rejects.toThrow(/not what this page expects/);
  });

  it('never sends the token to /health, which any process on the port could answer', async () => {
    const { url, seen } = await start();
    const api = new MonitorApi(url, () => 'good');
    await api.health();
    await api.listRuns('wf1');
    expect(seen).toEqual(['GET /v1/health -', 'GET /v1/runs?workflowId=wf1 Bearer good']);
  });

  it('renews a refused token once and sends the call again with the new one', async () => {
    const { url, seen } = await start();
    let token = 'stale';
    let renewals = 0;
    const api = new MonitorApi(
      url,
      () => token,
      undefined,
      async () => {
        renewals++;
        token = 'good';
        return true;
      },
    );
    expect(await api.listRuns('wf1')).toEqual({ runs: [], role: 'editor' });
    expect(renewals).toBe(1);
    expect(seen).toEqual([
      'GET /v1/runs?workflowId=wf1 Bearer stale',
      'GET /v1/runs?workflowId=wf1 Bearer good',
    ]);
  });

  it('passes the refusal on when the token cannot be renewed', async () => {
    const { url } = await start();
    const api = new MonitorApi(
      url,
      () => 'stale',
      undefined,
      async () => false,
    );
    const error = await api.listRuns('wf1').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MonitorApiError);
    expect(error).toMatchObject({
      kind: 'refused',
      status: 401,
      code: 'invalid_token',
      message: 'token expired',
    });
  });

  it('says how to start the orchestrator when nothing answers', async () => {
    const { url } = await start();
    await new Promise((resolve) => server?.close(resolve));
    server = undefined;
    const error = await new MonitorApi(url, () => 'good').health().catch((e: unknown) => e);
    expect(error).toMatchObject({ kind: 'unreachable', message: expect.stringMatching(/npm start/) });
  });
});
