// Browser tests of Markdown import's refusals: a file that is not text is refused, naming it, and
// no document is made.
import { expect, test } from './support/fixtures.js';

/** The first bytes of a PNG image (signature and the start of its IHDR chunk). */
const PNG = Buffer.from([
  0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48, 0x44, 0x52, 0x00, 0x00,
  0x01, 0x00, 0x00, 0x00, 0x01, 0x00, 0x08, 0x06, 0x00, 0x00, 0x00,
]);

test('importing a binary file is refused with a message naming it, and creates no document', async ({
  newUser,
}, testInfo) => {
  const alice = await newUser('Alice');
  const { page } = alice;
  await page.setViewportSize({ width: 1280, height: 800 });
  await alice.gotoHome();
  // Named .md, as a person might rename it: the bytes decide.
  await page
    .getByTestId('import-input')
    .setInputFiles({ name: 'photo.md', mimeType: 'text/markdown', buffer: PNG });
  await expect(page.getByTestId('notice')).toContainText(
    '“photo.md” is not a text file (it holds binary data); import a Markdown or plain-text file.',
  );
  await expect(page.getByTestId('notice')).toHaveAttribute('role', 'alert');
  await page.screenshot({ path: testInfo.outputPath('import-refused-1280.png') });
  await page.setViewportSize({ width: 800, height: 700 });
  await page.screenshot({ path: testInfo.outputPath('import-refused-800.png') });
  await page.setViewportSize({ width: 1280, height: 800 });
  await expect(page.getByTestId('empty-state')).toBeVisible();
  await expect(page.getByTestId('document-row')).toHaveCount(0);
  await expect(alice.indicator).toHaveAttribute('data-outbox', '0');

  // Latin-1 text is not UTF-8: refused too. A real Markdown file still imports.
  await page.getByTestId('import-input').setInputFiles({
    name: 'notes.txt',
    mimeType: 'text/plain',
    buffer: Buffer.from('Caf\xe9 au lait', 'latin1'),
  });
  await expect(page.getByTestId('notice')).toContainText(
    '“notes.txt” is not a text file (it is not UTF-8 text)',
  );
  await expect(page.getByTestId('document-row')).toHaveCount(0);
  await page
    .getByTestId('import-input')
    .setInputFiles({ name: 'ok.md', mimeType: 'text/markdown', buffer: Buffer.from('# Fine\n\nÉté ✓\n') });
  await expect(page.getByTestId('document-title')).toHaveValue('Fine');
  await expect.poll(() => alice.editorText()).toBe('# Fine\n\nÉté ✓\n');
});
