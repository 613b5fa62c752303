// Browser tests of the layout from a small laptop window down to a phone: no view scrolls
// sideways, and its main controls and panels stay on screen (screenshots kept as test output).
import type { Locator, Page } from '@playwright/test';
import { expect, test } from './support/fixtures.js';

/** Widths every view must work at: a laptop, a small laptop or split screen, and a phone for light use. */
const WIDTHS = [1280, 800, 375] as const;

/** The page is no wider than the window: nothing makes it scroll sideways. */
async function expectNoHorizontalOverflow(page: Page): Promise<void> {
  const { scrollWidth, innerWidth } = await page.evaluate(() => ({
    scrollWidth: document.documentElement.scrollWidth,
    innerWidth: window.innerWidth,
  }));
  expect.soft(scrollWidth, 'page width beyond the window').toBeLessThanOrEqual(innerWidth);
}

/** `locator` is visible and lies within the window's width. */
async function expectOnScreen(page: Page, locator: Locator, what: string): Promise<void> {
  await expect(locator, what).toBeVisible();
  const box = await locator.boundingBox();
  const width = page.viewportSize()!.width;
  expect(box, what).not.toBeNull();
  expect.soft(box!.x, `${what} starts left of the window`).toBeGreaterThanOrEqual(0);
  expect.soft(box!.x + box!.width, `${what} ends right of the window`).toBeLessThanOrEqual(width + 0.5);
}

test.describe('layout at small widths', () => {
  test.setTimeout(120_000);

  for (const width of WIDTHS) {
    test(`home, a document with find open and the board with the inspector fit ${width} px`, async ({
      newUser,
    }, testInfo) => {
      const alice = await newUser('Alice');
      // Made at a desktop width, then looked at in the narrow window.
      await alice.gotoHome();
      await alice.createDocument('A document with a rather long title that must wrap or be cut');
      await alice.typeAtEnd('# Heading\n\nSome text to find.');
      await alice.gotoHome();
      const workflowUrl = await alice.createWorkflow('blank');
      const nodeId = await alice.dropNode('summarize', 200, 200);
      await alice.page.setViewportSize({ width, height: 800 });
      await alice.gotoHome();
      await expectNoHorizontalOverflow(alice.page);
      for (const id of ['create-document', 'import-button', 'open-trash', 'new-workflow'])
        await expectOnScreen(alice.page, alice.page.getByTestId(id), id);
      await expectOnScreen(alice.page, alice.page.getByTestId('document-row').first(), 'a document row');
      await alice.page.screenshot({ path: testInfo.outputPath(`home-${width}.png`), fullPage: true });

      await alice.page.getByTestId('document-link').first().click();
      await expect(alice.editor).toBeVisible();
      await alice.editor.click();
      await alice.page.keyboard.press('Control+f');
      await expect(alice.page.getByTestId('find-panel')).toBeVisible();
      await expectNoHorizontalOverflow(alice.page);
      await expectOnScreen(alice.page, alice.page.getByTestId('find-panel'), 'the find panel');
      for (const id of ['export-button', 'find-toggle', 'outline-toggle', 'back-home'])
        await expectOnScreen(alice.page, alice.page.getByTestId(id), id);
      await alice.page.screenshot({ path: testInfo.outputPath(`document-find-${width}.png`) });

      await alice.gotoWorkflow(workflowUrl);
      await alice.page.getByTestId('zoom-fit').click();
      await alice.boardNode(nodeId).click();
      await expect(alice.page.getByTestId('param-inspector')).toBeVisible();
      await expectNoHorizontalOverflow(alice.page);
      await expectOnScreen(alice.page, alice.page.getByTestId('param-inspector'), 'the inspector');
      await expectOnScreen(alice.page, alice.page.getByTestId('findings-count'), 'the Problems count');
      await alice.page.screenshot({ path: testInfo.outputPath(`board-inspector-${width}.png`) });
    });
  }
});
