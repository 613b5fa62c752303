// Browser tests of keyboard shortcuts that must not surprise: Esc closes the innermost popover before it
// leaves the document, popovers close on a page change, and the editor's own keys win inside it.
import { expect, type SymphonyUser, test } from './support/fixtures.js';

/** Selects the `count` characters before the caret (the word just typed). */
async function selectBack(user: SymphonyUser, count: number): Promise<void> {
  for (let i = 0; i < count; i++) await user.page.keyboard.press('Shift+ArrowLeft');
}

test.describe('shortcuts', () => {
  test('Esc closes the innermost popover first, then leaves the document; a page change closes popovers', async ({
    newUser,
  }, testInfo) => {
    const alice = await newUser('Alice');
    const { page } = alice;
    await alice.gotoHome();
    await alice.createDocument('Popovers');
    const outbox = page.getByTestId('outbox-panel');

    await page.getByTestId('outbox-button').click();
    await expect(outbox).toBeVisible();
    for (const width of [1280, 800]) {
      await page.setViewportSize({ width, height: 800 });
      await page.screenshot({ path: testInfo.outputPath(`outbox-open-${width}.png`) });
    }
    await page.keyboard.press('Escape');
    await expect(outbox).toBeHidden();
    await expect(alice.editor).toBeVisible();
    await expect(page).toHaveURL(/#\/doc\//);
    await expect(page.getByTestId('outbox-button')).toBeFocused();
    await page.keyboard.press('Escape');
    await expect(page.getByTestId('document-list')).toBeVisible();

    // Two popovers open: Esc closes the one opened last, then the other, then leaves.
    await page.getByTestId('document-link').first().click();
    await expect(alice.editor).toBeVisible();
    await page.getByTestId('outbox-button').click();
    await page.getByTestId('user-menu-button').click();
    const profile = page.getByRole('dialog', { name: 'Your name and colour' });
    await expect(profile).toBeVisible();
    await expect(outbox).toBeVisible();
    await page.keyboard.press('Escape');
    await expect(profile).toBeHidden();
    await expect(outbox).toBeVisible();
    await expect(page.getByTestId('user-menu-button')).toBeFocused();
    await page.keyboard.press('Escape');
    await expect(outbox).toBeHidden();
    await expect(alice.editor).toBeVisible();

    // The find panel is closed by Esc in the text before the document is left.
    await alice.editor.click();
    await page.keyboard.press('Control+F');
    await expect(page.getByTestId('find-query')).toBeFocused();
    await alice.editor.click();
    await page.keyboard.press('Escape');
    await expect(page.getByTestId('find-panel')).toHaveCount(0);
    await expect(alice.editor).toBeFocused();

    // A popover open when the page changes (Back) does not stay over the next page.
    await page.getByTestId('outbox-button').click();
    await expect(outbox).toBeVisible();
    await page.goBack();
    await expect(page.getByTestId('document-list')).toBeVisible();
    await expect(outbox).toBeHidden();
  });

  test('in the editor Ctrl+B, Ctrl+I, Ctrl+E and Ctrl+K format Markdown; on the home page Ctrl+K searches', async ({
    newUser,
  }, testInfo) => {
    const alice = await newUser('Alice');
    const { page } = alice;
    await alice.gotoHome();
    const id = await alice.createDocument('Formatting');

    await alice.typeAtEnd('make this bold');
    await selectBack(alice, 4);
    await page.keyboard.press('Control+B');
    await expect.poll(() => alice.editorText()).toBe('make this **bold**');
    // The word stays selected: Ctrl+B again takes the bold away.
    await page.keyboard.press('Control+B');
    await expect.poll(() => alice.editorText()).toBe('make this bold');
    await page.keyboard.press('Control+B');
    await expect.poll(() => alice.editorText()).toBe('make this **bold**');

    await page.keyboard.press('End');
    await page.keyboard.type(', this italic');
    await selectBack(alice, 6);
    await page.keyboard.press('Control+I');
    await page.keyboard.press('End');
    await page.keyboard.type(' and run npm');
    await selectBack(alice, 3);
    await page.keyboard.press('Control+E');
    await expect.poll(() => alice.editorText()).toBe('make this **bold**, this *italic* and run `npm`');

    // Ctrl+K links the selection, the caret waits for the address, and the document stays open.
    await page.keyboard.press('End');
    await page.keyboard.type('. See the docs');
    await selectBack(alice, 4);
    await page.keyboard.press('Control+K');
    await page.keyboard.type('https://example.com/docs');
    await expect
      .poll(() => alice.editorText())
      .toBe('make this **bold**, this *italic* and run `npm`. See the [docs](https://example.com/docs)');
    expect(alice.currentDocumentId()).toBe(id);
    await expect(alice.editor).toBeFocused();
    await expect(page.getByTestId('document-search')).toHaveCount(0);
    for (const width of [1280, 800]) {
      await page.setViewportSize({ width, height: 800 });
      await page.screenshot({ path: testInfo.outputPath(`formatted-${width}.png`) });
    }

    // Outside the editor (here the home page) Ctrl+K is search, as before.
    await page.keyboard.press('Escape');
    await expect(page.getByTestId('document-list')).toBeVisible();
    await page.keyboard.press('Control+K');
    await expect(page.getByTestId('document-search')).toBeFocused();
  });
});
