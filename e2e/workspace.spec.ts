// Browser tests of the workspace home, keyboard shortcuts, accounts and access.
import { readFile } from 'node:fs/promises';
import { expect, test } from './support/fixtures.js';

test.describe('workspace home', () => {
  test('create, rename, search and delete documents', async ({ newUser }) => {
    const alice = await newUser('Alice');
    const { page } = alice;
    await alice.gotoHome();
    await expect(page.getByTestId('empty-state')).toContainText('No documents yet');

    // An empty title is refused with a clear message.
    await page.getByTestId('new-document-title').fill('   ');
    await page.getByTestId('create-document').click();
    await expect(page.getByTestId('create-error')).toHaveText('Title must not be empty');
    await expect(page.getByTestId('new-document-title')).toBeFocused();

    for (const title of ['Roadmap 2025', 'Meeting notes', 'Recipe ideas']) {
      await alice.createDocument(title);
      await page.keyboard.press('Escape');
      await expect(page.getByTestId('document-list')).toBeVisible();
    }
    const rows = page.getByTestId('document-row');
    await expect(rows).toHaveCount(3);

    // Rename, with validation.
    const meeting = rows.filter({ hasText: 'Meeting notes' });
    await meeting.getByTestId('rename-button').click();
    await page.getByTestId('rename-input').fill('x'.repeat(201));
    await page.getByTestId('rename-input').press('Enter');
    await expect(page.getByTestId('rename-error')).toHaveText('Title must be at most 200 characters');
    await page.getByTestId('rename-input').fill('Weekly sync notes');
    await page.getByTestId('rename-input').press('Enter');
    await expect(rows.filter({ hasText: 'Weekly sync notes' })).toHaveCount(1);
    await expect(rows.filter({ hasText: 'Meeting notes' })).toHaveCount(0);

    // Search by title: `/` focuses it; words match case-insensitively.
    await page.locator('body').press('/');
    await expect(page.getByTestId('document-search')).toBeFocused();
    await page.keyboard.type('NOTES');
    await expect(rows).toHaveCount(1);
    await expect(rows.first()).toHaveAttribute('data-title', 'Weekly sync notes');
    await page.getByTestId('document-search').fill('nothing like this');
    await expect(page.getByTestId('no-results')).toContainText('No documents match “nothing like this”');
    await page.getByTestId('no-results').getByRole('button', { name: 'Clear search' }).click();
    await expect(rows).toHaveCount(3);

    // Delete asks first; cancelling keeps the document.
    const recipe = rows.filter({ hasText: 'Recipe ideas' });
    await recipe.getByTestId('delete-button').click();
    await page.getByTestId('cancel-delete').click();
    await expect(rows).toHaveCount(3);
    await recipe.getByTestId('delete-button').click();
    await page.getByTestId('confirm-delete').click();
    await expect(rows).toHaveCount(2);
    await expect(rows.filter({ hasText: 'Recipe ideas' })).toHaveCount(0);

    // The list is stored locally: it survives a reload.
    await page.reload();
    await expect(rows).toHaveCount(2);
    await alice.expectAllSaved();
  });

  test('Markdown export and import round-trip a document', async ({ newUser }, testInfo) => {
    const alice = await newUser('Alice');
    const { page } = alice;
    await alice.gotoHome();
    await alice.createDocument('Release checklist');
    const markdown =
      '# Release 1.0\n\n- [ ] tests pass\n- [ ] changelog: *written*\n\n```sh\nnpm publish\n```\n';
    // Inserted in one go: typed keys would trigger list continuation and bracket closing.
    await alice.editor.click();
    await page.keyboard.insertText(markdown);
    await expect.poll(() => alice.editorText()).toBe(markdown);

    const downloadPromise = page.waitForEvent('download');
    await page.getByTestId('export-button').click();
    const download = await downloadPromise;
    expect(download.suggestedFilename()).toBe('Release checklist.md');
    const exportedPath = testInfo.outputPath('Release checklist.md');
    await download.saveAs(exportedPath);
    expect(await readFile(exportedPath, 'utf8')).toBe(markdown);

    await page.getByTestId('back-home').click();
    await page.getByTestId('import-input').setInputFiles(exportedPath);
    // A new document, titled from the first heading, with the same text.
    await expect(page.getByTestId('document-title')).toHaveValue('Release 1.0');
    await expect.poll(() => alice.editorText()).toBe(markdown);
    await page.getByTestId('back-home').click();
    await expect(page.getByTestId('document-row')).toHaveCount(2);
    await alice.expectAllSaved();
  });
});

test('keyboard: Alt+N creates and names a document, Esc goes home, Ctrl+K searches', async ({ newUser }) => {
  const alice = await newUser('Alice');
  const { page } = alice;
  await alice.gotoHome();
  await page.keyboard.press('Alt+N');
  const title = page.getByTestId('document-title');
  await expect(title).toBeFocused();
  await expect(title).toHaveValue('Untitled');
  await page.keyboard.type('Typed without a mouse');
  await page.keyboard.press('Enter');
  // Enter commits the title and moves into the text.
  await expect(alice.page.locator('markdown-editor .cm-content')).toBeFocused();
  await page.keyboard.type('Body text.');
  await expect.poll(() => alice.editorText()).toBe('Body text.');
  await page.keyboard.press('Escape');
  const row = page.getByTestId('document-row');
  await expect(row).toHaveAttribute('data-title', 'Typed without a mouse');
  await page.keyboard.press('Control+K');
  await expect(page.getByTestId('document-search')).toBeFocused();
});

test.describe('accounts and access', () => {
  test('the sign-in screen explains a refusal and signs in with Enter', async ({ newUser }, testInfo) => {
    const dana = await newUser('Dana', '#2e8b57', { signedOut: true });
    const { page } = dana;
    await dana.openApp();
    await expect(page.getByTestId('sign-in-form')).toBeVisible();
    await expect(page.getByTestId('sign-in-name')).toBeFocused();
    await page.screenshot({ path: testInfo.outputPath('sign-in.png') });

    await page.getByTestId('sign-in-name').fill('Dana');
    await page.getByTestId('sign-in-password').fill('not-the-password');
    await page.getByTestId('sign-in-password').press('Enter');
    await expect(page.getByTestId('sign-in-error')).toHaveText('Name or password is wrong.');

    await page.getByTestId('sign-in-password').fill('correct-horse-battery');
    await page.getByTestId('sign-in-password').press('Enter');
    await expect(page.getByTestId('sign-in-form')).toHaveCount(0);
    await expect(page.getByTestId('loading')).toHaveCount(0);
    await expect(page.getByTestId('workspace-select')).toContainText('Team');
    await page.getByTestId('user-menu-button').click();
    await expect(page.getByTestId('account-name')).toHaveText('Dana');
  });

  test('the owner invites by name; the invitee accepts and switches to the workspace', async ({
    newUser,
  }, testInfo) => {
    const alice = await newUser('Alice');
    await newUser('Bob', '#2e8b57');
    const carolUser = await newUser('Carol', '#b03a8c', { ownWorkspace: true });
    const carol = carolUser.session;
    const { page } = alice;
    await alice.gotoHome();
    await page.getByTestId('open-members').click();
    const dialog = page.getByTestId('members-dialog');
    await expect(dialog.getByTestId('member')).toHaveCount(2);
    await expect(dialog.locator('[data-testid="member"][data-name="Bob"]')).toBeVisible();

    await dialog.getByTestId('invite-name').fill(carol.user.name);
    await dialog.getByTestId('invite-role').selectOption('viewer');
    await dialog.getByTestId('invite-submit').click();
    await expect(dialog.getByTestId('invitation')).toContainText('Carol');
    await page.screenshot({ path: testInfo.outputPath('members-dialog.png') });

    await expect(page.getByTestId('outbox-button')).toContainText('0');

    // Carol sees the invitation, accepts it and opens the workspace read-only.
    await carolUser.gotoHome();
    await expect(carolUser.page.getByTestId('invitation-count')).toHaveText('1 invitation');
    await carolUser.page.getByTestId('invitations-button').click();
    await carolUser.page.getByTestId('accept-invitation').click();
    await expect(carolUser.page.getByTestId('invitations-status')).toContainText('You joined “Team”');
    await carolUser.page.keyboard.press('Escape');
    // Accepting opened the workspace.
    await expect(carolUser.page.getByTestId('workspace-select')).toHaveValue(alice.workspaceId);
    await expect(carolUser.page.getByTestId('workspace-view-only')).toBeVisible();
    await expect(carolUser.page.getByTestId('new-document-title')).toHaveCount(0);
  });

  test('a viewer reads a document live but cannot edit it, until made an editor', async ({
    newUser,
    ofb,
  }, testInfo) => {
    const alice = await newUser('Alice');
    const vic = await newUser('Vic', '#6a4cc2', { role: 'viewer' });
    await alice.gotoHome();
    const id = await alice.createDocument('Plan');
    await alice.typeAtEnd('Written by the owner.');
    await alice.expectAllSaved();

    await vic.gotoDocument(id);
    await expect(vic.page.getByTestId('view-only-badge')).toBeVisible();
    await expect.poll(() => vic.editorText()).toBe('Written by the owner.');
    await expect(vic.editor).toHaveAttribute('contenteditable', 'false');
    await vic.editor.click();
    await vic.page.keyboard.type('nope');
    expect(await vic.editorText()).toBe('Written by the owner.');
    await alice.typeAtEnd(' More.');
    await expect.poll(() => vic.editorText()).toBe('Written by the owner. More.');
    await vic.page.screenshot({ path: testInfo.outputPath('viewer-document.png') });

    // Promoted while the document is open: the server says so ([101, editor]) and it becomes editable.
    await ofb.changeRole(alice.session, alice.workspaceId, vic.session, 'editor');
    await expect(vic.editor).toHaveAttribute('contenteditable', 'true', { timeout: 15_000 });
    await expect(vic.page.getByTestId('view-only-badge')).toHaveCount(0);
  });

  test('a workspace and a document created offline reach OFB once online, through the outbox', async ({
    newUser,
    ofb,
  }, testInfo) => {
    const alice = await newUser('Alice');
    const { page } = alice;
    await alice.gotoHome();
    await alice.context.setOffline(true);

    await page.getByTestId('new-workspace').click();
    await page.getByTestId('new-workspace-name').fill('Offline plans');
    await page.getByTestId('new-workspace-name').press('Enter');
    await expect(page.getByTestId('workspace-select')).toContainText('Offline plans (not synced yet)');
    await alice.createDocument('Draft');
    await alice.typeAtEnd('Written on a train.');
    await expect(alice.indicator).toHaveAttribute('data-outbox', '2');
    await page.getByTestId('outbox-button').click();
    await expect(page.getByTestId('outbox-entry')).toHaveCount(2);
    await page.screenshot({ path: testInfo.outputPath('outbox.png') });
    await page.getByTestId('outbox-button').click();

    await alice.context.setOffline(false);
    await expect(alice.indicator).toHaveAttribute('data-outbox', '0', { timeout: 20_000 });
    await alice.expectAllSaved();
    const { workspaces } = await ofb.call<{ workspaces: { id: string; name: string }[] }>(
      'list-workspaces',
      {},
      alice.session.access_token,
    );
    expect(workspaces.map((w) => w.name).sort()).toEqual(['Offline plans', 'Team']);
  });

  test('a member removed while a document is open is told they no longer have access', async ({
    newUser,
    ofb,
  }) => {
    const alice = await newUser('Alice');
    const bob = await newUser('Bob', '#2e8b57');
    await alice.gotoHome();
    const id = await alice.createDocument('Shared');
    await alice.typeAtEnd('Hello Bob.');
    await alice.expectAllSaved();
    await bob.gotoDocument(id);
    await expect.poll(() => bob.editorText()).toBe('Hello Bob.');

    await ofb.call(
      'remove-member',
      { workspaceId: alice.workspaceId, userId: bob.session.user.id },
      alice.session.access_token,
    );
    await expect(bob.page.getByTestId('forbidden-banner')).toContainText(
      'You no longer have access to this workspace',
      { timeout: 15_000 },
    );
    await expect(bob.editor).toHaveAttribute('contenteditable', 'false');
  });

  test('a viewer’s Harmony Board has no palette and ignores edits', async ({ newUser }) => {
    const alice = await newUser('Alice');
    const vic = await newUser('Vic', '#6a4cc2', { role: 'viewer' });
    await alice.gotoHome();
    const url = await alice.createWorkflow('blank');
    await alice.dropNode('summarize', 200, 150);
    await alice.expectAllSaved();

    await vic.gotoWorkflow(url);
    await expect(vic.boardNodes).toHaveCount(1);
    await expect(vic.page.getByTestId('view-only-badge')).toBeVisible();
    await expect(vic.page.locator('node-palette')).toHaveCount(0);
    await vic.boardNodes.first().click();
    await vic.page.keyboard.press('Delete');
    await expect(vic.boardNodes).toHaveCount(1);
    expect(Object.keys((await vic.workflowSnapshot()).nodes)).toHaveLength(1);
  });

  test('creating an account signs in and opens a first workspace of one’s own', async ({ newUser }) => {
    const visitor = await newUser('Visitor', '#e07b00', { signedOut: true, ownWorkspace: true });
    const { page } = visitor;
    await visitor.openApp();
    await page.getByTestId('sign-in-switch').click();
    await page.getByTestId('sign-in-name').fill('Erin');
    await page.getByTestId('sign-in-password').fill('short');
    await page.getByTestId('sign-in-password').press('Enter');
    await expect(page.getByTestId('sign-in-error')).toHaveText('Password must be at least 8 characters.');
    await page.getByTestId('sign-in-password').fill('a-long-enough-password');
    await page.getByTestId('sign-in-submit').click();
    await expect(page.getByTestId('workspace-select')).toContainText('Erin’s workspace');
    await expect(page.getByTestId('loading')).toHaveCount(0);
    await visitor.createDocument('First notes');
    await expect(page.getByTestId('registering-banner')).toHaveCount(0, { timeout: 15_000 });
  });
});
