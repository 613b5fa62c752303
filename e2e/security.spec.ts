import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect, test } from './support/fixtures.js';
import { TEST_PASSWORD } from './support/ofb.js';

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

  test('signing out revokes the session at OFB; "every device" revokes the others too', async ({
    newUser,
    ofb,
  }) => {
    // Signed in through the form (an injected session would be injected again after sign-out).
    const alice = await newUser('Alice', '#1e6fd9', { signedOut: true });
    const { page } = alice;
    const signIn = async () => {
      await page.getByTestId('sign-in-name').fill('Alice');
      await page.getByTestId('sign-in-password').fill(TEST_PASSWORD);
      await page.getByTestId('sign-in-password').press('Enter');
      await expect(page.getByTestId('sign-in-form')).toHaveCount(0);
      await expect(page.getByTestId('loading')).toHaveCount(0);
    };
    await alice.openApp();
    await signIn();
    await alice.createDocument('Before sign-out');
    await alice.expectAllSaved();
    // Another device of Alice's: a sign-in of its own (another session).
    const phone = await ofb.call<{ access_token: string }>('sign-in', {
      name: 'Alice',
      password: TEST_PASSWORD,
    });
    const stillWorks = async (token: string) =>
      ofb.call('list-workspaces', {}, token).then(
        () => 'works',
        (error: Error) => (/session_revoked/.test(error.message) ? 'revoked' : error.message),
      );
    const browserToken = () =>
      page.evaluate(
        () => JSON.parse(localStorage.getItem('symphony:session') ?? 'null')?.access_token as string,
      );
    const laptop = await browserToken();
    expect(await stillWorks(laptop)).toBe('works');

    await page.getByTestId('user-menu-button').click();
    await page.getByTestId('sign-out').click();
    await expect(page.getByTestId('sign-out-everywhere')).not.toBeChecked();
    await page.getByTestId('sign-out-everywhere').check();
    await page.getByTestId('confirm-sign-out').click();
    await expect(page.getByTestId('sign-in-form')).toBeVisible();
    await expect.poll(() => stillWorks(laptop)).toBe('revoked');
    expect(await stillWorks(phone.access_token)).toBe('revoked');

    // Signing in again, then out of this browser only, leaves another device signed in.
    const tablet = await ofb.call<{ access_token: string }>('sign-in', {
      name: 'Alice',
      password: TEST_PASSWORD,
    });
    await signIn();
    const again = await browserToken();
    await page.getByTestId('user-menu-button').click();
    await page.getByTestId('sign-out').click();
    await page.getByTestId('confirm-sign-out').click();
    await expect(page.getByTestId('sign-in-form')).toBeVisible();
    await expect.poll(() => stillWorks(again)).toBe('revoked');
    expect(await stillWorks(tablet.access_token)).toBe('works');
  });

  test('changing the password signs out every other device and keeps this one signed in', async ({
    newUser,
    ofb,
  }, testInfo) => {
    const alice = await newUser('Alice', '#1e6fd9', { signedOut: true });
    const { page } = alice;
    await alice.openApp();
    await page.getByTestId('sign-in-name').fill('Alice');
    await page.getByTestId('sign-in-password').fill(TEST_PASSWORD);
    await page.getByTestId('sign-in-password').press('Enter');
    await expect(page.getByTestId('loading')).toHaveCount(0);
    const phone = await ofb.call<{ access_token: string }>('sign-in', {
      name: 'Alice',
      password: TEST_PASSWORD,
    });

    await page.getByTestId('user-menu-button').click();
    await page.getByTestId('change-password').click();
    await page.getByTestId('current-password').fill('not-my-password');
    await page.getByTestId('new-password').fill('a-new-password');
    await page.getByTestId('repeat-password').fill('a-new-password');
    await page.getByTestId('change-password-submit').click();
    await expect(page.getByTestId('password-error')).toHaveText('The current password is wrong.');
    await page.getByTestId('repeat-password').fill('a-different-one');
    await page.getByTestId('current-password').fill(TEST_PASSWORD);
    await page.getByTestId('change-password-submit').click();
    await expect(page.getByTestId('password-error')).toHaveText('The two new passwords differ.');
    await page.screenshot({ path: testInfo.outputPath('change-password.png') });
    await page.getByTestId('repeat-password').fill('a-new-password');
    await page.getByTestId('change-password-submit').click();
    await expect(page.getByTestId('password-form')).toHaveCount(0);

    await expect
      .poll(() =>
        ofb.call('list-workspaces', {}, phone.access_token).then(
          () => 'works',
          (error: Error) => error.message,
        ),
      )
      .toContain('session_revoked');
    // This browser holds the fresh session: it still syncs.
    await alice.gotoHome();
    await alice.createDocument('After the change');
    await alice.typeAtEnd('Still signed in.');
    await alice.expectAllSaved();
    await expect(page.getByTestId('session-ended')).toHaveCount(0);
    await ofb.call('sign-in', { name: 'Alice', password: 'a-new-password' });
  });
});
