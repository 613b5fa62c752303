// Browser tests of the browser edge: framing, foreign websockets, security headers and CSP, session revocation.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect, type SymphonyUser, test } from './support/fixtures.js';
import { type OfbApi, TEST_PASSWORD } from './support/ofb.js';

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

  /**
   * Alice, signed in through the form (an injected session would be injected again after
   * sign-out), and what tells whether a token still works at OFB.
   */
  async function signedInAlice(
    newUser: (n: string, c?: string, o?: { signedOut?: boolean }) => Promise<SymphonyUser>,
    ofb: OfbApi,
  ) {
    const alice = await newUser('Alice', '#1e6fd9', { signedOut: true });
    const { page } = alice;
    await alice.openApp();
    await page.getByTestId('sign-in-name').fill('Alice');
    await page.getByTestId('sign-in-password').fill(TEST_PASSWORD);
    await page.getByTestId('sign-in-password').press('Enter');
    await expect(page.getByTestId('sign-in-form')).toHaveCount(0);
    await expect(page.getByTestId('loading')).toHaveCount(0);
    const token = await page.evaluate(
      () => JSON.parse(localStorage.getItem('symphony:session') ?? 'null')?.access_token as string,
    );
    const anotherDevice = () =>
      ofb.call<{ access_token: string }>('sign-in', { name: 'Alice', password: TEST_PASSWORD });
    /** Signs out through the menu (keeping offline copies: nothing to wait for but the reload). */
    const signOut = async (everywhere: boolean) => {
      await page.getByTestId('user-menu-button').click();
      await page.getByTestId('sign-out').click();
      await expect(page.getByTestId('sign-out-everywhere')).not.toBeChecked();
      if (everywhere) await page.getByTestId('sign-out-everywhere').check();
      await page.getByTestId('remove-offline-copies').uncheck();
      const reloaded = page.waitForEvent('load');
      await page.getByTestId('confirm-sign-out').click();
      await reloaded;
      await expect(page.getByTestId('sign-in-form')).toBeVisible();
    };
    return { alice, token, anotherDevice, signOut };
  }

  const stillWorks = (ofb: OfbApi, token: string) =>
    ofb.call('list-workspaces', {}, token).then(
      () => 'works',
      (error: Error) => (/session_revoked/.test(error.message) ? 'revoked' : error.message),
    );

  test("signing out revokes this browser's session at OFB and leaves other devices signed in", async ({
    newUser,
    ofb,
  }) => {
    const { token, anotherDevice, signOut } = await signedInAlice(newUser, ofb);
    const tablet = await anotherDevice();
    expect(await stillWorks(ofb, token)).toBe('works');
    await signOut(false);
    await expect.poll(() => stillWorks(ofb, token)).toBe('revoked');
    expect(await stillWorks(ofb, tablet.access_token)).toBe('works');
  });

  test('"sign out on every device" revokes the other devices\' sessions too', async ({ newUser, ofb }) => {
    const { token, anotherDevice, signOut } = await signedInAlice(newUser, ofb);
    const phone = await anotherDevice();
    await signOut(true);
    await expect.poll(() => stillWorks(ofb, token)).toBe('revoked');
    expect(await stillWorks(ofb, phone.access_token)).toBe('revoked');
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
