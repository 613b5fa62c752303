// Browser tests of storage refusals: a deleted document and an oversized paste, told to their author.
import { expect, test } from './support/fixtures.js';

test.describe('storage refusals', () => {
  test('a change OFB refuses for good (the document was deleted) stops syncing and offers Export', async ({
    newUser,
    ofb,
  }, testInfo) => {
    test.setTimeout(90_000);
    const alice = await newUser('Alice');
    await alice.gotoHome();
    const id = await alice.createDocument('Soon gone');
    await alice.typeAtEnd('Kept text.');
    await alice.expectAllSaved();

    // Deleted behind the open editor's back (another device, or the API); the next edit is refused.
    await ofb.call('delete-document', { documentId: id }, alice.session.access_token);
    await alice.typeAtEnd(' One more line.');
    const banner = alice.page.getByTestId('storage-refused-banner');
    await expect(banner).toBeVisible({ timeout: 20_000 });
    await expect(banner).toContainText('Your latest changes could not be saved: this document was deleted.');
    await alice.page.screenshot({ path: testInfo.outputPath('storage-refused.png') });
    const download = alice.page.waitForEvent('download');
    await alice.page.getByTestId('storage-refused-export').click();
    expect((await download).suggestedFilename()).toMatch(/\.md$/);
  });

  test('an 11 MiB paste is refused for its author alone, who is told the document is too large', async ({
    newUser,
  }, testInfo) => {
    test.setTimeout(120_000);
    const alice = await newUser('Alice');
    const bob = await newUser('Bob');
    await alice.gotoHome();
    const id = await alice.createDocument('Big paste');
    await alice.typeAtEnd('Shared start.');
    await bob.gotoDocument(id);
    await expect.poll(() => bob.editorText()).toBe('Shared start.');

    // Paste 11 MiB into the editor, as the clipboard would deliver it.
    await alice.editor.click();
    await alice.page.keyboard.press('Control+End');
    await alice.editor.evaluate((el) => {
      const data = new DataTransfer();
      data.setData('text/plain', 'x'.repeat(11 * 1024 * 1024));
      el.dispatchEvent(new ClipboardEvent('paste', { clipboardData: data, bubbles: true, cancelable: true }));
    });
    const banner = alice.page.getByTestId('storage-refused-banner');
    await expect(banner).toBeVisible({ timeout: 30_000 });
    await expect(banner).toContainText('This document is too large');
    await alice.page.screenshot({ path: testInfo.outputPath('too-large.png') });

    // Bob never received it, keeps syncing, and his edits still reach the server.
    await bob.typeAtEnd(' Bob goes on.');
    await bob.expectAllSaved();
    expect(await bob.editorText()).toBe('Shared start. Bob goes on.');
    expect(await bob.openSyncSockets()).toBeGreaterThan(0);
  });
});
