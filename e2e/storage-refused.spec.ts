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
});
