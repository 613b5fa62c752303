// Tests of the sync-server's HTTP edge: Host checks against DNS rebinding, Origin checks on websockets,
// security headers on every answer, and a document id that does not decode.
import { writeFile } from 'node:fs/promises';
import { request as httpRequest } from 'node:http';
import { join } from 'node:path';
import { CloseCode } from '@symphony/schemas';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { SyncServer } from '../src/index.js';
import { startTestServer, tempDir } from '../src/testing.js';

/** One GET with the headers given as they are (fetch would not let a test set `Host`). */
function get(
  port: number,
  path: string,
  headers: Record<string, string>,
): Promise<{ status: number; headers: Record<string, string | string[] | undefined> }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      { host: '127.0.0.1', port, path, headers, setHost: !('host' in headers) },
      (res) => {
        res.resume();
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers }));
      },
    );
    req.on('error', reject);
    req.end();
  });
}

/** Opens a websocket with these headers; resolves with the HTTP refusal, or the close code once open. */
function openSocket(
  port: number,
  path: string,
  headers: Record<string, string>,
): Promise<{ refused: number } | { closed: number }> {
  return new Promise((resolve) => {
    const ws = new WebSocket(`ws://127.0.0.1:${port}${path}`, { headers });
    ws.on('unexpected-response', (_req, res) => {
      resolve({ refused: res.statusCode ?? 0 });
      ws.terminate();
    });
    ws.on('error', () => {});
    ws.on('close', (code) => resolve({ closed: code }));
  });
}

describe('the edge: Host, Origin and browser headers', () => {
  const cleanups: (() => Promise<unknown>)[] = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });

  async function start(
    options: { allowedHosts?: string[]; allowedOrigins?: string[] } = {},
  ): Promise<SyncServer> {
    const data = await tempDir();
    await writeFile(join(data.dir, 'index.html'), '<!doctype html><title>app</title>');
    const server = await startTestServer({ dataDir: data.dir, staticDir: data.dir, ...options });
    cleanups.push(data.cleanup, () => server.close());
    return server;
  }

  it('refuses a foreign Host (DNS rebinding) on pages, functions and websockets, but not /healthz', async () => {
    const server = await start();
    expect((await get(server.port, '/', { host: 'evil.example:4321' })).status).toBe(421);
    expect((await get(server.port, '/', { host: '' })).status).toBe(421);
    expect((await get(server.port, '/healthz', { host: 'evil.example' })).status).toBe(200);
    for (const host of [`127.0.0.1:${server.port}`, 'localhost', 'app.localhost:1', '[::1]:80', '127.1.2.3'])
      expect((await get(server.port, '/', { host })).status, host).toBe(200);
    expect(await openSocket(server.port, '/yjs/doc-1', { host: 'evil.example' })).toEqual({ refused: 421 });
    expect(await openSocket(server.port, '/automerge', { host: 'evil.example' })).toEqual({ refused: 421 });
  });

  it('answers a configured host name, and any with `*`', async () => {
    const named = await start({ allowedHosts: ['symphony.example'] });
    expect((await get(named.port, '/', { host: 'Symphony.Example:443' })).status).toBe(200);
    expect((await get(named.port, '/', { host: 'other.example' })).status).toBe(421);
    const any = await start({ allowedHosts: ['*'] });
    expect((await get(any.port, '/', { host: 'other.example' })).status).toBe(200);
    expect((await get(any.port, '/', { host: 'not a host' })).status).toBe(421);
  });

  it("refuses websockets from another site's pages; its own pages, configured sites and non-browsers connect", async () => {
    const server = await start({ allowedOrigins: ['https://app.example'] });
    const own = `http://127.0.0.1:${server.port}`;
    for (const path of ['/yjs/doc-1', '/automerge']) {
      expect(await openSocket(server.port, path, { origin: 'http://evil.example' }), path).toEqual({
        refused: 403,
      });
      expect(await openSocket(server.port, path, { origin: 'null' }), path).toEqual({ refused: 403 });
      // Same host, another port: another origin.
      expect(await openSocket(server.port, path, { origin: 'http://127.0.0.1:1' }), path).toEqual({
        refused: 403,
      });
    }
    const accepted = async (headers: Record<string, string>) => {
      const ws = new WebSocket(`ws://127.0.0.1:${server.port}/yjs/doc-1`, { headers });
      await new Promise<void>((resolve, reject) => {
        ws.once('open', () => resolve());
        ws.once('error', reject);
      });
      ws.close();
    };
    await accepted({ origin: own });
    await accepted({ origin: 'https://app.example' });
    await accepted({});
  });

  it('sends the CSP, nosniff, frame-ancestors and a referrer policy with every answer', async () => {
    const server = await start();
    for (const path of ['/', '/healthz', '/missing.js']) {
      const { headers } = await get(server.port, path, {});
      expect(headers['content-security-policy'], path).toContain("frame-ancestors 'self'");
      expect(headers['content-security-policy'], path).toContain("script-src 'self'");
      expect(headers['x-content-type-options'], path).toBe('nosniff');
      expect(headers['x-frame-options'], path).toBe('SAMEORIGIN');
      expect(headers['referrer-policy'], path).toBe('same-origin');
    }
  });

  it('closes a document id that does not decode with its close code', async () => {
    const server = await start();
    expect(await openSocket(server.port, '/yjs/%zz', {})).toEqual({
      closed: CloseCode.InvalidDocumentId.code,
    });
  });
});
