// Browser tests of the trash: a deleted document or workflow is listed in the workspace's Trash
// (who, when, days left) and Restore brings it back, with its content, into the lists.
import { expect, test } from './support/fixtures.js';

test.describe('trash', () => {
  test('a deleted document is in the Trash and Restore brings it back with its text', async ({
    newUser,
  }, testInfo) => {
    const alice = await newUser('Alice');
    const { page } = alice;
    await page.setViewportSize({ width: 1280, height: 800 });
    await alice.gotoHome();

    // An empty trash says so.
    await page.getByTestId('open-trash').click();
    const dialog = page.getByTestId('trash-dialog');
    await expect(dialog.getByTestId('trash-empty')).toHaveText('Trash is empty');
    await page.keyboard.press('Escape');
    await expect(dialog).toBeHidden();

    await alice.createDocument('Quarterly plan');
    await alice.typeAtEnd('one beta two beta three');
    await alice.expectAllSaved();
    await page.getByTestId('back-home').click();
    const rows = page.getByTestId('document-row');
    await rows.filter({ hasText: 'Quarterly plan' }).getByTestId('delete-button').click();
    await page.getByTestId('confirm-delete').click();
    await expect(rows).toHaveCount(0);
    // The delete reaches OFB through the outbox.
    await expect(alice.indicator).toHaveAttribute('data-outbox', '0');

    // Keyboard only: the Trash button, then the item's Restore.
    await page.getByTestId('open-trash').focus();
    await page.keyboard.press('Enter');
    const item = dialog.getByTestId('trash-item');
    await expect(item).toHaveCount(1);
    await expect(item).toContainText('Quarterly plan');
    await expect(item).toContainText(`Deleted by ${alice.session.user.name} just now`);
    await expect(item).toContainText('30 days left');
    await page.screenshot({ path: testInfo.outputPath('trash-1280.png') });
    await page.setViewportSize({ width: 800, height: 700 });
    await page.screenshot({ path: testInfo.outputPath('trash-800.png') });
    await page.setViewportSize({ width: 1280, height: 800 });

    await item.getByTestId('trash-restore').focus();
    await page.keyboard.press('Enter');
    await expect(dialog.getByTestId('trash-message')).toHaveText('Restored “Quarterly plan”.');
    await expect(dialog.getByTestId('trash-empty')).toHaveText('Trash is empty');
    await page.keyboard.press('Escape');

    // Back in the list (registered once: no create is queued), with its text, loaded from the server.
    await expect(rows.filter({ hasText: 'Quarterly plan' })).toHaveCount(1);
    await expect(alice.indicator).toHaveAttribute('data-outbox', '0');
    await rows.filter({ hasText: 'Quarterly plan' }).getByTestId('document-link').click();
    await expect.poll(() => alice.editorText()).toBe('one beta two beta three');
    await alice.typeAtEnd(' four');
    await alice.expectAllSaved();
  });

  test('a collaborator sees the restored document come back; a viewer cannot restore', async ({
    newUser,
  }) => {
    const alice = await newUser('Alice');
    const bob = await newUser('Bob', '#d9731e', { role: 'viewer' });
    await alice.gotoHome();
    await alice.createDocument('Shared notes');
    await alice.typeAtEnd('kept safe');
    await alice.expectAllSaved();
    await alice.page.getByTestId('back-home').click();
    await alice.page.getByTestId('delete-button').click();
    await alice.page.getByTestId('confirm-delete').click();
    await expect(alice.indicator).toHaveAttribute('data-outbox', '0');

    await bob.gotoHome();
    await expect(bob.page.getByTestId('document-row')).toHaveCount(0);
    await bob.page.getByTestId('open-trash').click();
    const bobItem = bob.page.getByTestId('trash-item');
    await expect(bobItem).toContainText('Shared notes');
    await expect(bob.page.getByTestId('trash-dialog')).toContainText(
      'Only editors and owners can restore them.',
    );
    await expect(bobItem.getByTestId('trash-restore')).toHaveCount(0);
    await bob.page.keyboard.press('Escape');

    await alice.page.getByTestId('open-trash').click();
    await alice.page.getByTestId('trash-restore').click();
    await expect(alice.page.getByTestId('trash-message')).toContainText('Restored');
    // Bob's list follows live through the index document.
    await expect(bob.page.getByTestId('document-row').filter({ hasText: 'Shared notes' })).toHaveCount(1);
  });

  test('a deleted workflow is restored into the workflow list', async ({ newUser }) => {
    const alice = await newUser('Alice');
    const { page } = alice;
    await alice.gotoHome();
    const url = await alice.createWorkflow('blank');
    await alice.expectAllSaved();
    await alice.gotoHome();
    const row = page.locator(`[data-testid="workflow-row"][data-workflow-url="${url}"]`);
    const name = await row.getAttribute('data-name');
    await row.getByTestId('workflow-delete').click();
    await page.getByTestId('workflow-confirm-delete').click();
    await expect(row).toHaveCount(0);
    await expect(alice.indicator).toHaveAttribute('data-outbox', '0');

    await page.getByTestId('open-trash').click();
    const item = page.getByTestId('trash-item');
    await expect(item).toContainText(name ?? '');
    await expect(item).toContainText('workflow');
    await item.getByTestId('trash-restore').click();
    await expect(page.getByTestId('trash-message')).toContainText('Restored');
    await page.keyboard.press('Escape');
    await expect(row).toHaveCount(1);
    await row.getByTestId('workflow-link').click();
    await expect(alice.board).toBeVisible();
  });
});
