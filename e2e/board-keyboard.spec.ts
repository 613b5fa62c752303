// Browser tests of the Harmony Board without a mouse and its aids: keyboard-only editing, refused
// connections in words, the shortcuts overlay, the right-click menu, the minimap, "New workflow".
import type { Page, TestInfo } from '@playwright/test';
import { expect, test } from './support/fixtures.js';

/** Saves a screenshot at 1280 and at 800 px wide (for the closing note), then restores the size. */
async function screenshots(page: Page, testInfo: TestInfo, name: string): Promise<void> {
  const size = page.viewportSize();
  for (const width of [1280, 800]) {
    await page.setViewportSize({ width, height: 800 });
    await page.waitForTimeout(150);
    await page.screenshot({ path: testInfo.outputPath(`${name}-${width}.png`) });
  }
  if (size) await page.setViewportSize(size);
}

test.describe('Harmony Board from the keyboard', () => {
  test('create a workflow, add, connect, move and delete nodes using only the keyboard', async ({
    newUser,
  }, testInfo) => {
    const alice = await newUser('Alice');
    const { page } = alice;
    await alice.gotoHome();

    // "New workflow" opens the gallery, brings it into view and puts the focus there.
    await page.getByTestId('new-workflow').focus();
    await page.keyboard.press('Enter');
    const gallery = page.getByTestId('workflow-gallery');
    await expect(gallery).toBeVisible();
    await expect(gallery).toBeFocused();
    await expect(gallery).toBeInViewport();
    await page.keyboard.press('Tab');
    await expect(page.locator('[data-testid="template-card"][data-template-id="blank"]')).toBeFocused();
    await page.keyboard.press('Enter');
    await expect(alice.board).toBeVisible();

    // Two nodes from the library, by search and Enter.
    for (const type of ['summarize', 'translate']) {
      await page.getByTestId('palette-search').focus();
      await page.keyboard.type(type);
      await page.locator(`[data-testid="palette-item"][data-type="${type}"]`).focus();
      await page.keyboard.press('Enter');
      await page.getByTestId('palette-search').fill('');
    }
    await expect(alice.boardNodes).toHaveCount(2);
    const nodes = (await alice.workflowSnapshot()).nodes;
    const summarize = Object.keys(nodes).find((id) => nodes[id].type === 'summarize') as string;
    const translate = Object.keys(nodes).find((id) => nodes[id].type === 'translate') as string;

    // Tab onto the first node (left to right), C, Enter: Summarize → Translate.
    await alice.board.focus();
    await page.keyboard.press('Escape');
    await page.keyboard.press('Tab');
    await expect(alice.boardNode(summarize)).toHaveAttribute('data-focused', 'true');
    await expect(page.getByTestId('board-announcement')).toContainText('Summarize, node 1 of 2');
    await page.keyboard.press('c');
    await expect(page.getByTestId('board-announcement')).toContainText('Into Translate › Text.');
    await expect(page.getByTestId('link-preview')).toBeVisible();
    await page.keyboard.press('Enter');
    await expect(alice.boardEdges).toHaveCount(1);
    await expect(page.getByTestId('board-announcement')).toHaveText(
      'Connected Summarize › Summary to Translate › Text',
    );
    const edge = Object.values((await alice.workflowSnapshot()).edges)[0];
    expect(edge).toEqual({
      from: { node: summarize, port: 'summary' },
      to: { node: translate, port: 'text' },
    });

    // Enter selects the focused node; Shift+arrow moves it 80 (one undoable edit).
    const before = (await alice.workflowSnapshot()).nodes[summarize] as unknown as {
      position: { x: number; y: number };
    };
    await page.keyboard.press('Enter');
    await page.keyboard.press('Shift+ArrowDown');
    await expect
      .poll(
        async () => ((await alice.workflowSnapshot()).nodes[summarize] as unknown as typeof before).position,
      )
      .toEqual({ x: before.position.x, y: before.position.y + 80 });
    await screenshots(page, testInfo, 'keyboard-focus');

    // Delete removes it with its edge; the page stays on the board.
    await page.keyboard.press('Delete');
    await expect(alice.boardNodes).toHaveCount(1);
    await expect(alice.boardEdges).toHaveCount(0);
    await expect(alice.boardNode(translate)).toBeVisible();
    // Ctrl+Z brings both back.
    await page.keyboard.press('Control+z');
    await expect(alice.boardNodes).toHaveCount(2);
    await expect(alice.boardEdges).toHaveCount(1);
  });

  test('a refused connection says why, while dragging and by keyboard', async ({ newUser }, testInfo) => {
    const alice = await newUser('Alice');
    const { page } = alice;
    await alice.gotoHome();
    await alice.createWorkflow('blank');
    const embed = await alice.dropNode('embed', 200, 200);
    const summarize = await alice.dropNode('summarize', 650, 260);

    const out = await alice
      .boardNode(embed)
      .locator('[data-port="embedding"][data-side="out"] .shape')
      .boundingBox();
    const into = await alice
      .boardNode(summarize)
      .locator('[data-port="text"][data-side="in"] .shape')
      .boundingBox();
    if (out === null || into === null) throw new Error('ports not visible');
    await page.mouse.move(out.x + out.width / 2, out.y + out.height / 2);
    await page.mouse.down();
    await page.mouse.move(into.x + into.width / 2, into.y + into.height / 2, { steps: 8 });
    const refusal = page.getByTestId('connect-refusal');
    await expect(refusal).toHaveText('✕ Embedding cannot flow into Text');
    await expect(page.getByTestId('board-announcement')).toHaveText('Embedding cannot flow into Text');
    await screenshots(page, testInfo, 'refusal-drag');
    // Away from the input, the reason goes.
    await page.mouse.move(into.x + 200, into.y + 200, { steps: 3 });
    await expect(refusal).toHaveCount(0);
    await page.mouse.move(into.x + into.width / 2, into.y + into.height / 2, { steps: 3 });
    await page.mouse.up();
    await expect(alice.boardEdges).toHaveCount(0);
    await expect(page.getByTestId('board-announcement')).toHaveText(
      'Not connected: Embedding cannot flow into Text',
    );

    // By keyboard: the input picked shows the same reason, and Enter does not connect.
    await alice.boardNode(embed).click();
    await page.keyboard.press('c');
    await expect(refusal).toHaveText('✕ Embedding cannot flow into Text');
    await page.keyboard.press('Enter');
    await expect(page.getByTestId('board-announcement')).toHaveText(
      'Cannot connect: Embedding cannot flow into Text',
    );
    await expect(alice.boardEdges).toHaveCount(0);
    await page.keyboard.press('Escape');
    await expect(refusal).toHaveCount(0);
    await expect(alice.board).toBeVisible();
  });

  test('? lists every shortcut; Escape closes it without leaving the board', async ({
    newUser,
  }, testInfo) => {
    const alice = await newUser('Alice');
    const { page } = alice;
    await alice.gotoHome();
    await alice.createWorkflow('blank');
    await alice.board.focus();
    await page.keyboard.press('?');
    const help = page.getByTestId('board-help');
    await expect(help).toBeVisible();
    await expect(help.getByRole('heading', { name: 'Board keyboard shortcuts' })).toBeVisible();
    await expect(help.locator('tr[data-action="connect"]')).toContainText(
      'Connect from the focused or selected node',
    );
    await expect(help.locator('tr[data-action="delete"] kbd')).toHaveText(['Delete', 'Backspace']);
    await expect(help.locator('tr[data-action="menu"]')).toContainText('Shift+F10');
    await screenshots(page, testInfo, 'help');
    await page.keyboard.press('Escape');
    await expect(help).toHaveCount(0);
    await expect(alice.board).toBeVisible();
    await expect(alice.board).toBeFocused();
    // The button opens it too.
    await page.getByTestId('board-help-button').click();
    await expect(help).toBeVisible();
    await help.getByTestId('board-help-close').click();
    await expect(help).toHaveCount(0);
  });

  test('the right-click menu deletes a node; Shift+F10 opens it from the keyboard', async ({
    newUser,
  }, testInfo) => {
    const alice = await newUser('Alice');
    const { page } = alice;
    await alice.gotoHome();
    await alice.createWorkflow('blank');
    const a = await alice.dropNode('summarize', 250, 220);
    const b = await alice.dropNode('translate', 650, 300);

    await alice.boardNode(a).click({ button: 'right' });
    const menu = page.getByRole('menu', { name: 'Actions: Summarize' });
    await expect(menu).toBeVisible();
    await expect(menu.getByRole('menuitem')).toHaveText([
      /Connect from here/,
      /Duplicate/,
      /Delete/,
      /Select all/,
      /Fit view/,
    ]);
    await expect(menu.getByRole('menuitem').first()).toBeFocused();
    await screenshots(page, testInfo, 'context-menu');
    await menu.getByRole('menuitem', { name: /^Delete/ }).click();
    await expect(menu).toHaveCount(0);
    await expect(alice.boardNode(a)).toHaveCount(0);
    await expect(alice.boardNode(b)).toBeVisible();

    // From the keyboard: select the other node, Shift+F10, down to Duplicate, Enter.
    await alice.boardNode(b).click();
    await page.keyboard.press('Shift+F10');
    const keyed = page.getByRole('menu', { name: 'Actions: Translate' });
    await expect(keyed).toBeVisible();
    await page.keyboard.press('ArrowDown');
    await expect(keyed.getByRole('menuitem', { name: /^Duplicate/ })).toBeFocused();
    await page.keyboard.press('Enter');
    await expect(alice.boardNodes).toHaveCount(2);
    await expect(alice.board).toBeFocused();
    // Escape closes the menu, and only the menu.
    await alice.board.click({ button: 'right', position: { x: 40, y: 40 } });
    await expect(page.getByRole('menu', { name: 'Actions: Board' })).toBeVisible();
    await page.keyboard.press('Escape');
    await expect(page.getByTestId('board-menu')).toHaveCount(0);
    await expect(alice.board).toBeVisible();
  });

  test('shift-drag on empty board selects with a box; Delete then removes what it caught', async ({
    newUser,
  }) => {
    const alice = await newUser('Alice');
    const { page } = alice;
    await alice.gotoHome();
    await alice.createWorkflow('blank');
    const a = await alice.dropNode('summarize', 150, 150);
    const b = await alice.dropNode('translate', 300, 330);
    const c = await alice.dropNode('classify', 560, 150);
    const boxA = await alice.boardNode(a).boundingBox();
    const boxB = await alice.boardNode(b).boundingBox();
    if (boxA === null || boxB === null) throw new Error('nodes not visible');
    // The drop selected C: clear that first (a shift-drag adds to the selection).
    await page.keyboard.press('Escape');
    await expect(page.getByTestId('inspector-hint')).toHaveText(/Select a node/);
    // From above-left of A to below-right of B, with Shift: A and B, not C (to the right).
    await page.mouse.move(boxA.x - 15, boxA.y - 15);
    await page.keyboard.down('Shift');
    await page.mouse.down();
    await page.mouse.move(boxB.x + boxB.width + 15, boxB.y + boxB.height + 15, { steps: 6 });
    await page.mouse.up();
    await page.keyboard.up('Shift');
    await expect(page.getByTestId('inspector-hint')).toHaveText(/2 nodes selected/);
    await page.keyboard.press('Delete');
    await expect(alice.boardNode(a)).toHaveCount(0);
    await expect(alice.boardNode(b)).toHaveCount(0);
    await expect(alice.boardNode(c)).toBeVisible();
  });

  test('the minimap appears for a large workflow, pans the board and can be hidden', async ({
    newUser,
  }, testInfo) => {
    const alice = await newUser('Alice');
    const { page } = alice;
    await alice.gotoHome();
    await alice.createWorkflow('blank');
    await alice.dropNode('summarize', 300, 300);
    // A small workflow fits the view: no minimap.
    await expect(page.getByTestId('harmony-board')).toBeVisible();
    await expect(page.getByTestId('board-minimap')).toHaveCount(0);

    await page.evaluate(() =>
      (
        window as unknown as { symphony: { generateWorkflow(n: number): Promise<unknown> } }
      ).symphony.generateWorkflow(400),
    );
    await expect(alice.boardNodes.first()).toBeVisible();
    const minimap = page.getByTestId('board-minimap');
    await expect(minimap).toBeVisible();
    await expect(minimap.locator('rect.node')).toHaveCount(400);
    await screenshots(page, testInfo, 'minimap');

    const view = () =>
      page.locator('harmony-board').evaluate((el) => (el as unknown as { view: { x: number } }).view.x);
    const before = await view();
    const box = await minimap.locator('svg').boundingBox();
    if (box === null) throw new Error('minimap not visible');
    await page.mouse.click(box.x + box.width - 10, box.y + box.height / 2);
    await expect.poll(view).toBeLessThan(before - 100);

    await page.getByTestId('minimap-hide').click();
    await expect(minimap).toHaveCount(0);
    await expect(page.getByTestId('minimap-show')).toBeVisible();
    await page.getByTestId('minimap-show').click();
    await expect(minimap).toBeVisible();
    // M on the board toggles it.
    await alice.board.focus();
    await page.keyboard.press('m');
    await expect(minimap).toHaveCount(0);
  });
});
