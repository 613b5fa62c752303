// Browser tests of messages in a person's words: unsaved work counted in documents (not edit steps),
// and a workspace name refused as a "workspace name", not a "title".
import { expect, test } from './support/fixtures.js';

test.describe("messages in a person's words", () => {
  test('the indicator counts the documents with unsaved changes, not the edit steps', async ({
    newUser,
    server,
  }, testInfo) => {
    const alice = await newUser('Alice');
    const { page } = alice;
    await alice.gotoHome();
    await alice.createDocument('First notes');
    await page.keyboard.press('Escape');
    await alice.createDocument('Second notes');
    await alice.expectAllSaved();
    await expect(alice.indicator).toHaveAttribute('aria-label', /^Online\. All changes saved/);

    await server.stop();
    await expect(alice.indicator).toHaveAttribute('data-state', 'offline');
    await alice.typeAtEnd('Many small edits, one document.');
    const unsaved = page.getByTestId('unsaved-count');
    await expect(unsaved).toHaveText('Unsaved changes in 1 document');
    // Many edit steps, still one document.
    expect(await alice.unsavedCount()).toBeGreaterThan(1);

    await page.keyboard.press('Escape');
    await page
      .getByTestId('document-row')
      .filter({ hasText: 'First notes' })
      .getByTestId('document-link')
      .click();
    await alice.typeAtEnd('And a second one.');
    await expect(unsaved).toHaveText('Unsaved changes in 2 documents');
    await expect(alice.indicator).toHaveAttribute(
      'aria-label',
      /Unsaved changes in 2 documents, kept on this device/,
    );
    for (const width of [1280, 800]) {
      await page.setViewportSize({ width, height: 800 });
      await page.screenshot({ path: testInfo.outputPath(`unsaved-documents-${width}.png`) });
    }
    // Signing out warns in the same words.
    await page.getByTestId('user-menu-button').click();
    await page.getByTestId('sign-out').click();
    await expect(page.getByTestId('sign-out-unsent')).toContainText(
      /Changes in 2 documents (and \d+ workspace changes? )?have not reached the server yet\./,
    );
    await page.screenshot({ path: testInfo.outputPath('sign-out-unsent.png') });
    await page.keyboard.press('Escape');
    await expect(page.getByTestId('sign-out-dialog')).toHaveCount(0);

    await server.restart();
    await alice.expectAllSaved();
    await expect(unsaved).toHaveCount(0);
  });

  test('an empty workspace name says "Workspace name must not be empty"', async ({ newUser }) => {
    const alice = await newUser('Alice');
    const { page } = alice;
    await alice.gotoHome();
    await page.getByTestId('new-workspace').click();
    await page.getByTestId('new-workspace-name').fill('   ');
    await page.getByTestId('create-workspace').click();
    await expect(page.locator('workspace-switcher #ws-error')).toHaveText('Workspace name must not be empty');
    await page.getByTestId('new-workspace-name').fill('x'.repeat(201));
    await page.getByTestId('create-workspace').click();
    await expect(page.locator('workspace-switcher #ws-error')).toHaveText(
      'Workspace name must be at most 200 characters',
    );
  });
});
