import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect, test } from './support/fixtures.js';

/** A page on another site: another port of 127.0.0.1, serving `html` at `/`. */
async function foreignSite(html: string): Promise<{ url: string; close(): Promise<void> }> {
  const server: Server = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    res.end(html);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** Opens a websocket from the page and says whether it opened or was refused. */
const tryWebSocket = (url: string) =>
  new Promise<string>((resolve) => {
    const ws = new WebSocket(url);
    ws.onopen = () => {
      ws.close();
      resolve('open');
    };
    ws.onerror = () => resolve('refused');
  });

test.describe('the browser edge', () => {
  test('another site can neither frame the app nor open its websockets', async ({ browser, server }) => {
    const app = new URL(server.url);
    const site = await foreignSite(`<!doctype html><iframe id="app" src="${app.origin}/"></iframe>`);
    const context = await browser.newContext();
    try {
      const page = await context.newPage();
      const refusedFrame = page.waitForEvent('console', (m) => /frame-ancestors/.test(m.text()));
      await page.goto(site.url);
      await refusedFrame;
      const frame = page.frames().find((f) => f !== page.mainFrame());
      expect(await frame?.locator('symphony-app').count()).toBe(0);

      const wsBase = `ws://${app.host}`;
      expect(await page.evaluate(tryWebSocket, `${wsBase}/automerge`)).toBe('refused');
      expect(await page.evaluate(tryWebSocket, `${wsBase}/yjs/some-doc`)).toBe('refused');

      // The app's own page opens them (the server answers, then asks for a token).
      const own = await context.newPage();
      await own.goto(server.url);
      expect(await own.evaluate(tryWebSocket, `${wsBase}/automerge`)).toBe('open');
    } finally {
      await context.close();
      await site.close();
    }
  });

  test('the app answers with its security headers and runs under its CSP', async ({ newUser, server }) => {
    const response = await fetch(server.url);
    const csp = response.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("frame-ancestors 'self'");
    expect(csp).toContain("script-src 'self'");
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    expect(response.headers.get('referrer-policy')).toBe('same-origin');
    // The fixture fails the test on any CSP violation: sign in, write, open the board.
    const alice = await newUser('Alice');
    await alice.gotoHome();
    await alice.createDocument('Under CSP');
    await alice.typeAtEnd('Typed under a strict policy.');
    await alice.expectAllSaved();
    await alice.gotoHome();
    await alice.createWorkflow();
    await expect(alice.board).toBeVisible();
  });
});
