// Browser tests of the template gallery: the templates that need an AI instrument say so on their
// cards (in their accessible names too), the offline ones do not, and the new offline templates
// create workflows that pass validation.
import { expect, test } from './support/fixtures.js';

/** Templates whose purpose is a language model; every other template runs offline. */
const NEED_AN_INSTRUMENT = ['review-code', 'generate-tests', 'translate-document'];
const OFFLINE = [
  'summarize-document',
  'fan-out-fan-in',
  'digest-documents',
  'format-code',
  'extract-keywords',
  'clean-list',
];

test.describe('Template gallery', () => {
  test('says "Needs an AI instrument" on the templates that use a language model, and only there', async ({
    newUser,
  }, testInfo) => {
    const alice = await newUser('Alice');
    const { page } = alice;
    await alice.gotoHome();
    await page.getByTestId('new-workflow').click();
    const cards = page.getByTestId('template-card');
    await expect(cards).toHaveCount(1 + NEED_AN_INSTRUMENT.length + OFFLINE.length);

    for (const id of NEED_AN_INSTRUMENT) {
      const card = page.locator(`[data-testid="template-card"][data-template-id="${id}"]`);
      await expect(card.getByTestId('template-needs-instrument'), id).toHaveText('Needs an AI instrument');
      await expect(card, id).toHaveAccessibleName(/Needs an AI instrument/);
      await expect(card, id).toHaveAttribute('data-needs-instrument', 'true');
    }
    for (const id of ['blank', ...OFFLINE]) {
      const card = page.locator(`[data-testid="template-card"][data-template-id="${id}"]`);
      await expect(card.getByTestId('template-needs-instrument'), id).toHaveCount(0);
      await expect(card, id).not.toHaveAccessibleName(/Needs an AI instrument/);
    }
    await expect(
      page.getByRole('button', { name: /^Fan-out \/ fan-in Send one document to three local steps/ }),
    ).toBeVisible();
    await page.screenshot({ path: testInfo.outputPath('template-gallery.png'), fullPage: true });
  });

  test('the offline fan-out and digest templates create workflows that pass validation', async ({
    newUser,
  }) => {
    test.setTimeout(90_000);
    const alice = await newUser('Alice');
    await alice.gotoHome();
    for (const title of ['Meeting notes', 'Design review', 'Retro', 'Digest']) {
      await alice.createDocument(title);
      await alice.gotoHome();
    }
    await alice.createWorkflow('fan-out-fan-in', ['Meeting notes', 'Digest']);
    await expect(alice.boardNodes).toHaveCount(6);
    await expect(alice.boardEdges).toHaveCount(7);
    await expect(alice.page.getByTestId('findings-ok')).toBeVisible();
    await expect(alice.page.getByTestId('findings-count')).toHaveText('0');

    await alice.gotoHome();
    await alice.createWorkflow('digest-documents', ['Meeting notes', 'Design review', 'Retro', 'Digest']);
    await expect(alice.boardNodes).toHaveCount(8);
    await expect(alice.boardEdges).toHaveCount(7);
    await expect(alice.page.getByTestId('findings-ok')).toBeVisible();
    await expect(alice.page.getByTestId('findings-count')).toHaveText('0');
  });
});
