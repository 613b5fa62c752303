// Browser tests of authority over the sockets: viewers' forced writes, offline replays, unsaved edits after a demotion.
import { execFileSync } from 'node:child_process';
import { resolve } from 'node:path';
import { base64ToBytes } from '@symphony/schemas';
import * as encoding from 'lib0/encoding';
import * as Y from 'yjs';
import { expect, test } from './support/fixtures.js';
import { repoRoot } from './support/paths.js';

/** A service-role token for the server whose data (and JWT secret) is in `dataDir`. */
function serviceToken(dataDir: string): string {
  const cli = resolve(repoRoot, 'orchestrator/dist/cli.js');
  const args = [
    'token',
    '--sub',
    'e2e-check',
    '--role',
    'service_role',
    '--expires',
    '5m',
    '--data-dir',
    dataDir,
  ];
  return execFileSync(process.execPath, [cli, ...args], { encoding: 'utf8' }).trim();
}

/** y-websocket frames a forged client could send: a sync update (0, 2) and a sync step 2 (0, 1). */
function forgedFrames(text: string): number[][] {
  const doc = new Y.Doc();
  doc.getText('content').insert(0, text);
  const update = Y.encodeStateAsUpdate(doc);
  return [2, 1].map((step) => {
    const e = encoding.createEncoder();
    encoding.writeVarUint(e, 0);
    encoding.writeVarUint(e, step);
    encoding.writeVarUint8Array(e, update);
    return [...encoding.toUint8Array(e)];
  });
}

test.describe('authority over the sockets', () => {
  test('a write a viewer forces over its own socket is refused and changes nothing on the server', async ({
    newUser,
    ofb,
    server,
  }) => {
    const alice = await newUser('Alice');
    const vic = await newUser('Vic', '#6a4cc2', { role: 'viewer' });
    await alice.gotoHome();
    const id = await alice.createDocument('Budget');
    await alice.typeAtEnd('Only the owner writes here.');
    await alice.expectAllSaved();

    await vic.gotoDocument(id);
    await expect(vic.page.getByTestId('view-only-badge')).toBeVisible();
    await expect.poll(() => vic.editorText()).toBe('Only the owner writes here.');

    // Vic skips the app and writes straight to the server, with Vic's own valid token.
    const url = `${new URL(`yjs/${id}`, server.url.replace(/^http/, 'ws'))}?token=${encodeURIComponent(vic.session.access_token)}`;
    const answers = await vic.page.evaluate(
      async ({ url, frames }) => {
        const ws = new WebSocket(url);
        ws.binaryType = 'arraybuffer';
        const received: number[][] = [];
        ws.onmessage = (event) => received.push([...new Uint8Array(event.data as ArrayBuffer)]);
        const opened = await new Promise<string>((resolve) => {
          ws.onopen = () => resolve('open');
          ws.onclose = (event) => resolve(`closed ${event.code} ${event.reason}`);
        });
        if (opened !== 'open') return [opened];
        for (const frame of frames) ws.send(new Uint8Array(frame));
        // The server answers each refused frame with y-protocols' permission-denied ([2, 0, reason]).
        const deadline = Date.now() + 5000;
        while (received.filter((m) => m[0] === 2).length < frames.length && Date.now() < deadline) {
          await new Promise((resolve) => setTimeout(resolve, 50));
        }
        ws.close();
        return received
          .filter((m) => m[0] === 2)
          .map((m) => new TextDecoder().decode(new Uint8Array(m.slice(3))));
      },
      { url, frames: forgedFrames('FORGED ') },
    );
    expect(answers).toHaveLength(2);
    for (const reason of answers) expect(reason).toMatch(/read-only|viewer/i);

    // Nothing reached the owner, nor the server's storage: read back through OFB with a
    // service-role token minted by the real `symphony token` CLI from the server's own secret
    // (load-document answers only the service role).
    await alice.typeAtEnd(' Still mine.');
    await alice.expectAllSaved();
    expect(await alice.editorText()).toBe('Only the owner writes here. Still mine.');
    await expect.poll(() => vic.editorText()).toBe('Only the owner writes here. Still mine.');
    const stored = await ofb.call<{ updates: string[] }>(
      'load-document',
      { documentId: id },
      serviceToken(server.dataDir),
    );
    const copy = new Y.Doc();
    for (const update of stored.updates) Y.applyUpdate(copy, base64ToBytes(update));
    expect(copy.getText('content').toString()).toBe('Only the owner writes here. Still mine.');
  });

  test('an offline-created workspace replayed by two tabs at once exists on the server exactly once', async ({
    newUser,
    ofb,
  }) => {
    const alice = await newUser('Alice');
    await alice.gotoHome();
    await alice.waitForServiceWorker();
    // A second tab of the same browser shares the outbox (IndexedDB) and replays it too.
    const second = await alice.context.newPage();
    await second.goto(alice.page.url());
    await alice.context.setOffline(true);

    const { page } = alice;
    await page.getByTestId('new-workspace').click();
    await page.getByTestId('new-workspace-name').fill('Field notes');
    await page.getByTestId('new-workspace-name').press('Enter');
    await expect(page.getByTestId('workspace-select')).toContainText('Field notes (not synced yet)');
    await expect(alice.indicator).toHaveAttribute('data-outbox', '1');
    // Reloaded while still offline: the queued call survives in IndexedDB.
    await page.reload();
    await expect(alice.indicator).toHaveAttribute('data-outbox', '1');

    await alice.context.setOffline(false);
    await expect(alice.indicator).toHaveAttribute('data-outbox', '0', { timeout: 20_000 });
    await expect(second.getByTestId('connection-indicator')).toHaveAttribute('data-outbox', '0', {
      timeout: 20_000,
    });
    const { workspaces } = await ofb.call<{ workspaces: { name: string }[] }>(
      'list-workspaces',
      {},
      alice.session.access_token,
    );
    expect(workspaces.filter((w) => w.name === 'Field notes')).toHaveLength(1);
    await expect(page.getByTestId('workspace-select')).not.toContainText('not synced yet');
  });

  test('edits still unsent when the person became a viewer are shown as not saved, with Export and Discard', async ({
    newUser,
    ofb,
  }, testInfo) => {
    // Two browsers, a service worker install, an offline reload and a discard-and-reload.
    test.setTimeout(90_000);
    const alice = await newUser('Alice');
    const bob = await newUser('Bob', '#c2185b');
    await alice.gotoHome();
    const id = await alice.createDocument('Plan');
    await alice.typeAtEnd('Agreed text.');
    await alice.expectAllSaved();

    await bob.gotoDocument(id);
    await expect.poll(() => bob.editorText()).toBe('Agreed text.');
    await bob.waitForServiceWorker();
    // Offline from page load on, so no socket of Bob's is open (Chromium's offline emulation keeps
    // open sockets sending): the edit stays unsent.
    await bob.context.setOffline(true);
    await bob.page.reload();
    await expect(bob.editor).toBeVisible();
    await bob.typeAtEnd(' Bob was here.');
    await expect.poll(() => bob.unsavedCount()).toBeGreaterThan(0);

    // Meanwhile the owner makes Bob a viewer; Bob's edit reaches a server that refuses it.
    await ofb.changeRole(alice.session, bob.workspaceId, bob.session, 'viewer');
    // The sync-server may answer a reconnect from an access check up to 2 s old (its cache and
    // re-check window); past it, Bob reconnects as a viewer.
    await bob.page.waitForTimeout(2_500);
    await bob.context.setOffline(false);
    const banner = bob.page.getByTestId('refused-changes-banner');
    await expect(banner).toBeVisible({ timeout: 20_000 });
    await expect(banner).toContainText(
      /\d+ of your changes (was|were) not saved: you are now a viewer in Team/,
    );
    await bob.page.screenshot({ path: testInfo.outputPath('refused-changes.png') });

    const download = bob.page.waitForEvent('download');
    await bob.page.getByTestId('refused-changes-export').click();
    expect((await download).suggestedFilename()).toMatch(/\.md$/);

    // Discard drops the local copy and reloads the document as the server has it.
    await bob.page.getByTestId('refused-changes-discard').click();
    await expect(bob.editor).toBeVisible();
    await expect.poll(() => bob.editorText()).toBe('Agreed text.');
    await expect(banner).toHaveCount(0);
    await expect(bob.page.getByTestId('view-only-badge')).toBeVisible();
    expect(await alice.editorText()).toBe('Agreed text.');
  });
});
