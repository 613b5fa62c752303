// Browser tests of Harmony Board refusals: offline edits by someone made a viewer meanwhile.
import { expect, test } from './support/fixtures.js';

test.describe('Harmony Board refusals', () => {
  test('edits made offline by someone made a viewer meanwhile: the board says why they are not saved, on one socket', async ({
    newUser,
    ofb,
    server,
  }, testInfo) => {
    test.setTimeout(90_000);
    const alice = await newUser('Alice', '#d1453b');
    const bob = await newUser('Bob', '#1e6fd9');
    await alice.gotoHome();
    const url = await alice.createWorkflow('blank');
    await alice.expectAllSaved();
    await bob.gotoWorkflow(url);
    const saved = await bob.dropNode('summarize', 200, 200);
    await expect(alice.boardNode(saved)).toBeVisible();

    // Bob goes on working offline; meanwhile Alice makes him a viewer.
    await bob.context.setOffline(true);
    await expect.poll(() => bob.openWorkflowSockets()).toBe(0);
    const offline = await bob.dropNode('translate', 550, 320);
    await ofb.changeRole(alice.session, bob.workspaceId, bob.session, 'viewer');
    // Past the sync-server's 2 s access cache: a writer demoted inside it is still stored (as
    // documented), which is not the case under test.
    await bob.page.waitForTimeout(3_000);
    const socketsBefore = await bob.page.evaluate(
      () => (window as unknown as { __workflowSockets: WebSocket[] }).__workflowSockets.length,
    );

    // Back online, the server refuses his offline edit, and the board says so within seconds.
    const backAt = Date.now();
    await bob.context.setOffline(false);
    const banner = bob.page.getByTestId('workflow-refused-banner');
    await expect(banner).toBeVisible({ timeout: 10_000 });
    expect(Date.now() - backAt).toBeLessThan(10_000);
    await expect(banner).toHaveAttribute('role', 'alert');
    await expect(banner).toHaveAttribute('data-code', 'read_only');
    await expect(banner).toContainText(
      'Your changes to this workflow are not saved: you can view this workflow but not edit it.',
    );
    // A viewer's board offers no edits, and the read-only notice cannot be dismissed away.
    await expect(bob.page.getByTestId('view-only-badge')).toBeVisible();
    await expect(bob.page.locator('node-palette')).toHaveCount(0);
    await expect(bob.page.getByTestId('workflow-refused-dismiss')).toHaveCount(0);

    // One new socket, kept open: the refusal closed nothing, and nothing reconnected in a loop.
    const sockets = () =>
      bob.page.evaluate(() => {
        const all = (window as unknown as { __workflowSockets: WebSocket[] }).__workflowSockets;
        return { opened: all.length, open: all.filter((s) => s.readyState === WebSocket.OPEN).length };
      });
    await bob.page.waitForTimeout(4_000);
    expect(await sockets()).toEqual({ opened: socketsBefore + 1, open: 1 });
    await expect(banner).toBeVisible();

    // His other work is untouched: the node saved before stays for both; the refused one stays
    // on his own board (for Export) and never reached Alice.
    await expect(bob.boardNode(saved)).toBeVisible();
    await expect(bob.boardNode(offline)).toBeVisible();
    await expect(alice.boardNode(saved)).toBeVisible();
    await expect(alice.boardNode(offline)).toHaveCount(0);
    // And he still follows Alice's edits.
    const fromAlice = await alice.dropNode('classify', 420, 120);
    await expect(bob.boardNode(fromAlice)).toBeVisible();
    expect(server.log).not.toContain('closing automerge connection');

    for (const width of [1280, 800]) {
      await bob.page.setViewportSize({ width, height: 800 });
      await bob.page.screenshot({ path: testInfo.outputPath(`workflow-refused-${width}.png`) });
    }
    const box = await banner.boundingBox();
    expect(box?.width).toBeLessThanOrEqual(800);
  });
});
