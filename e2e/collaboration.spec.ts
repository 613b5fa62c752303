// Browser tests of live co-editing: two people's text and cursors, and offline edits merged on reconnect.
import { expect, test } from './support/fixtures.js';

test.describe('live collaboration', () => {
  test('two people co-edit a document and see each other’s text and cursor within a second', async ({
    newUser,
  }) => {
    const alice = await newUser('Alice', '#d1453b');
    const bob = await newUser('Bob', '#2e8b57');
    await alice.gotoHome();
    const id = await alice.createDocument('Shared notes');
    await bob.gotoDocument(id);
    await alice.expectAllSaved();
    await bob.expectAllSaved();

    await alice.typeAtEnd('Hello from Alice.');
    await expect.poll(() => bob.editorText(), { timeout: 1_000 }).toBe('Hello from Alice.');
    await expect(bob.page.locator('.cm-ySelectionInfo', { hasText: 'Alice' })).toBeVisible({
      timeout: 1_000,
    });

    await bob.typeAtEnd(' And Bob.');
    await expect.poll(() => alice.editorText(), { timeout: 1_000 }).toBe('Hello from Alice. And Bob.');
    await expect(alice.page.locator('.cm-ySelectionInfo', { hasText: 'Bob' })).toBeVisible({
      timeout: 1_000,
    });

    // Each sees the other in the presence list, under the name they chose.
    await expect(alice.page.locator('presence-list [data-peer-name="Bob"]')).toBeVisible();
    await expect(bob.page.locator('presence-list [data-peer-name="Alice"]')).toBeVisible();
    // The home list shows the document to Bob too (the index syncs as well).
    await bob.page.getByTestId('back-home').click();
    await expect(bob.page.getByTestId('document-row').filter({ hasText: 'Shared notes' })).toBeVisible();
  });

  test('edits made offline merge with concurrent edits in the same paragraph on reconnect', async ({
    newUser,
  }) => {
    const alice = await newUser('Alice', '#d1453b');
    const bob = await newUser('Bob', '#2e8b57');
    await alice.gotoHome();
    const id = await alice.createDocument('Merge test');
    await alice.typeAtEnd('The quick brown fox.');
    await bob.gotoDocument(id);
    await expect.poll(() => bob.editorText()).toBe('The quick brown fox.');
    await expect(bob.page.locator('presence-list [data-peer-name="Alice"]')).toBeVisible();
    expect(await alice.openSyncSockets()).toBeGreaterThan(0);

    await alice.context.setOffline(true);
    // The app really disconnects (emulated offline alone closes no socket): its indicator says so
    // and it has closed every sync socket.
    await expect(alice.indicator).toHaveAttribute('data-state', 'offline');
    await expect.poll(() => alice.openSyncSockets()).toBe(0);

    await alice.typeAtEnd(' Alice was offline.');
    await expect(alice.indicator).not.toHaveAttribute('data-unsaved', '0');
    await bob.typeAtStart('Bob: ');
    await expect.poll(() => bob.editorText()).toBe('Bob: The quick brown fox.');
    // Nothing from the offline side leaks through.
    expect(await bob.editorText()).not.toContain('Alice was offline');

    await alice.context.setOffline(false);
    const merged = 'Bob: The quick brown fox. Alice was offline.';
    await expect.poll(() => alice.editorText()).toBe(merged);
    await expect.poll(() => bob.editorText()).toBe(merged);
    await alice.expectAllSaved();
    await bob.expectAllSaved();
  });
});
