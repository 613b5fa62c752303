// Browser tests of the editor engine in the page: replace all, workspace search and the outline.
import { expect, test } from './support/fixtures.js';

/**
 * The editor engine in the browser (a Web Worker sharing the page's Y.Doc): find & replace in a
 * document, workspace-wide search, and the outline.
 */
test.describe('editor engine in the page', () => {
  test.setTimeout(90_000);

  test('replace all through the find panel changes the text for a second user too, as one undoable change', async ({
    newUser,
  }, testInfo) => {
    const alice = await newUser('Alice', '#d1453b');
    const bob = await newUser('Bob', '#2e8b57');
    await alice.gotoHome();
    const id = await alice.createDocument('Colours');
    await alice.typeAtEnd('The colour red. Another colour: blue. Colourful colour.');
    await bob.gotoDocument(id);
    await expect.poll(() => bob.editorText()).toContain('Colourful colour.');

    await alice.editor.click();
    await alice.page.keyboard.press('Control+h');
    const panel = alice.page.getByTestId('find-panel');
    await expect(panel).toBeVisible();
    await alice.page.getByTestId('find-query').fill('colour');
    await expect(alice.page.getByTestId('find-count')).toHaveText(/^\d of 4$/);
    // Whole word leaves "Colourful" out.
    await alice.page.getByTestId('find-word').click();
    await expect(alice.page.getByTestId('find-count')).toHaveText(/^\d of 3$/);
    await alice.page.getByTestId('find-next').click();
    await expect(alice.page.getByTestId('find-count')).toHaveText(/^\d of 3$/);

    // An invalid regular expression is said inline.
    await alice.page.getByTestId('find-regex').click();
    await alice.page.getByTestId('find-query').fill('colou(r');
    await expect(alice.page.getByTestId('find-error')).toContainText('Invalid regular expression');
    await alice.page.getByTestId('find-query').fill('colou?r');
    await expect(alice.page.getByTestId('find-error')).toHaveCount(0);
    await expect(alice.page.getByTestId('find-count')).toHaveText(/of 3$/);

    await alice.page.getByTestId('find-replacement').fill('hue');
    await alice.page.screenshot({ path: testInfo.outputPath('find-panel.png') });
    await alice.page.getByTestId('replace-all').click();
    await expect(alice.page.getByTestId('replace-status')).toHaveText('Replaced 3');
    const replaced = 'The hue red. Another hue: blue. Colourful hue.';
    await expect.poll(() => alice.editorText()).toBe(replaced);
    await expect.poll(() => bob.editorText()).toBe(replaced);
    await expect(alice.page.getByTestId('find-count')).toHaveText('No results');
    await alice.expectAllSaved();

    // One undo reverts the whole replace-all, for both.
    await alice.page.getByTestId('replace-undo').click();
    const original = 'The colour red. Another colour: blue. Colourful colour.';
    await expect.poll(() => alice.editorText()).toBe(original);
    await expect.poll(() => bob.editorText()).toBe(original);

    // Esc closes the panel and stays on the document.
    await alice.page.getByTestId('find-query').press('Escape');
    await expect(panel).toHaveCount(0);
    expect(alice.currentDocumentId()).toBe(id);
  });

  test('Ctrl+Z after replace all restores the text before it, Ctrl+Shift+Z redoes it, for both people', async ({
    newUser,
  }) => {
    const alice = await newUser('Alice', '#d1453b');
    const bob = await newUser('Bob', '#2e8b57');
    await alice.gotoHome();
    const id = await alice.createDocument('Betas');
    const original = 'one beta two beta three';
    await alice.typeAtEnd(original);
    await bob.gotoDocument(id);
    await expect.poll(() => bob.editorText()).toBe(original);

    await alice.editor.click();
    await alice.page.keyboard.press('Control+h');
    await alice.page.getByTestId('find-query').fill('beta');
    await expect(alice.page.getByTestId('find-count')).toHaveText(/of 2$/);
    await alice.page.getByTestId('find-replacement').fill('X');
    await alice.page.getByTestId('replace-all').click();
    await expect(alice.page.getByTestId('replace-status')).toHaveText('Replaced 2');
    const replaced = 'one X two X three';
    await expect.poll(() => alice.editorText()).toBe(replaced);
    await alice.page.getByTestId('find-query').press('Escape');
    await expect(alice.page.getByTestId('find-panel')).toHaveCount(0);

    // Her undo undoes her last action, the replacement: not the typing under it.
    await alice.editor.click();
    await alice.page.keyboard.press('Control+z');
    await expect.poll(() => alice.editorText()).toBe(original);
    await expect.poll(() => bob.editorText()).toBe(original);
    await alice.page.keyboard.press('Control+Shift+KeyZ');
    await expect.poll(() => alice.editorText()).toBe(replaced);
    await expect.poll(() => bob.editorText()).toBe(replaced);

    // Bob's undo has nothing of his to undo: his view never loses text.
    await bob.editor.click();
    await bob.page.keyboard.press('Control+z');
    await bob.page.waitForTimeout(300);
    expect(await bob.editorText()).toBe(replaced);
    await alice.page.keyboard.press('Control+z');
    await expect.poll(() => bob.editorText()).toBe(original);
    await alice.expectAllSaved();
  });

  test('workspace search finds a word in another document and opens it there; the outline lists the headings', async ({
    newUser,
  }, testInfo) => {
    const alice = await newUser('Alice', '#d1453b');
    await alice.gotoHome();
    const id = await alice.createDocument('Field notes');
    await alice.typeAtEnd(
      '# Field notes\n\nWe saw a heron by the lake.\n\n## Birds\n\nA kingfisher, too.\n\n### Later\n',
    );
    await alice.expectAllSaved();
    await alice.page.getByTestId('back-home').click();
    await alice.createDocument('Shopping');
    await alice.typeAtEnd('Bread and milk.');
    await alice.page.getByTestId('back-home').click();

    await alice.page.keyboard.press('Control+Shift+F');
    const input = alice.page.getByTestId('workspace-search-input');
    await expect(input).toBeFocused();
    await input.fill('nowhere-to-be-found');
    await input.press('Enter');
    await expect(alice.page.getByTestId('workspace-search-status')).toHaveText('No matches in 2 documents.');

    await input.fill('kingfisher');
    await input.press('Enter');
    const groups = alice.page.getByTestId('workspace-search-group');
    await expect(groups).toHaveCount(1);
    await expect(groups.first()).toContainText('Field notes');
    const hit = alice.page.getByTestId('workspace-search-hit');
    await expect(hit).toHaveCount(1);
    await expect(hit).toContainText('line 7');
    await expect(hit.locator('mark')).toHaveText('kingfisher');
    await alice.page.screenshot({ path: testInfo.outputPath('workspace-search.png') });

    await hit.click();
    await expect(alice.editor).toBeVisible();
    expect(alice.currentDocumentId()).toBe(id);
    // The match is selected.
    await expect
      .poll(() =>
        alice.page.locator('markdown-editor').evaluate((el) => {
          const editor = el as unknown as { value: string; selection: { from: number; to: number } };
          return editor.value.slice(editor.selection.from, editor.selection.to);
        }),
      )
      .toBe('kingfisher');

    // The outline lists the headings, follows edits, and jumps.
    const toggle = alice.page.getByTestId('outline-toggle');
    await expect(toggle).toHaveAttribute('aria-pressed', 'false');
    await toggle.click();
    await expect(toggle).toHaveAttribute('aria-pressed', 'true');
    const items = alice.page.getByTestId('outline-item');
    await expect(items).toHaveText(['Field notes', 'Birds', 'Later']);
    await alice.typeAtEnd('\n## Fish\n');
    await expect(items).toHaveText(['Field notes', 'Birds', 'Later', 'Fish']);
    await alice.page.screenshot({ path: testInfo.outputPath('outline.png') });
    await items.filter({ hasText: 'Birds' }).click();
    await expect
      .poll(() =>
        alice.page.locator('markdown-editor').evaluate((el) => {
          const editor = el as unknown as { value: string; selection: { from: number } };
          return editor.value.slice(editor.selection.from, editor.selection.from + 8);
        }),
      )
      .toBe('## Birds');
  });
});
