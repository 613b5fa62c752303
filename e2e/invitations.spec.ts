// Invitations end to end: the inviter is told at once when a name is unknown, the invitee (already
// signed in, no reload) sees who invited them in the workspace switcher and declines or accepts,
// and a queued invite's notice goes once it is sent.
import type { Page } from '@playwright/test';
import { expect, test } from './support/fixtures.js';

/** Opens the Members dialog of the open workspace and answers it. */
async function openMembers(page: Page) {
  await page.getByTestId('open-members').click();
  const dialog = page.getByTestId('members-dialog');
  await expect(dialog.getByTestId('member-list')).toBeVisible();
  return dialog;
}

test.describe('invitations', () => {
  // Two browsers, two sign-ups, and a wait of up to one poll (10 s) for the invitee.
  test.setTimeout(90_000);

  test('the inviter hears at once; the invitee sees it live, declines one and accepts another', async ({
    newUser,
    ofb,
  }, testInfo) => {
    const alice = await newUser('Alice');
    const bob = await newUser('Bob', '#2e8b57', { ownWorkspace: true });
    for (const { page } of [alice, bob]) await page.setViewportSize({ width: 1280, height: 800 });
    // Bob is signed in and looking at his own workspace: no invitations yet.
    await bob.gotoHome();
    await expect(bob.page.getByTestId('invitation-count')).toHaveCount(0);

    await alice.gotoHome();
    const dialog = await openMembers(alice.page);
    // A name nobody has: said at once, where it was typed, and nothing is left in the Outbox.
    await dialog.getByTestId('invite-name').fill('nobody-here');
    await dialog.getByTestId('invite-submit').click();
    await expect(dialog.locator('#invite-error')).toHaveText(
      'No user named “nobody-here”. Check the spelling: it is the name they sign in with.',
      { timeout: 5_000 },
    );
    await expect(dialog.getByTestId('invite-name')).toHaveValue('nobody-here');
    await expect(dialog.getByTestId('invite-name')).toHaveAttribute('aria-invalid', 'true');
    await expect(dialog.getByTestId('members-notice')).toHaveCount(0);
    await expect(alice.page.getByTestId('outbox-button')).toContainText('0');
    await alice.page.screenshot({ path: testInfo.outputPath('invite-unknown-1280.png') });
    await alice.page.setViewportSize({ width: 800, height: 800 });
    await alice.page.screenshot({ path: testInfo.outputPath('invite-unknown-800.png') });
    await alice.page.setViewportSize({ width: 1280, height: 800 });

    // Bob, by name: done at once, and listed as invited.
    await dialog.getByTestId('invite-name').fill('Bob');
    await dialog.getByTestId('invite-submit').click();
    await expect(dialog.getByTestId('members-notice')).toHaveText(
      'Invited Bob as editor. They see the invitation beside their workspace switcher.',
      { timeout: 5_000 },
    );
    await expect(dialog.locator('#invite-error')).toHaveText('');
    await expect(dialog.getByTestId('invitation')).toContainText('Bob');
    await expect(alice.page.getByTestId('outbox-button')).toContainText('0');
    // A second workspace of Alice's invites Bob too (through OFB, not the UI).
    const side = await ofb.createWorkspace(alice.session, 'Side project');
    await ofb.call(
      'invite-member',
      { workspaceId: side, userName: 'Bob', role: 'viewer' },
      alice.session.access_token,
    );

    // Bob's page, never reloaded, shows both within one poll, with who invited him.
    const started = Date.now();
    await expect(bob.page.getByTestId('invitation-count')).toHaveText('2 invitations', { timeout: 15_000 });
    testInfo.annotations.push({ type: 'invitation shown after', description: `${Date.now() - started} ms` });
    await bob.page.getByTestId('invitations-button').click();
    const panel = bob.page.getByTestId('invitations-panel');
    const invitations = panel.getByTestId('received-invitation');
    await expect(invitations).toHaveCount(2);
    await expect(panel.locator('[data-workspace="Team"]')).toContainText('Alice invited you to “Team”');
    await expect(panel.locator('[data-workspace="Team"]')).toContainText('as editor');
    await expect(panel.locator('[data-workspace="Side project"]')).toContainText(
      'Alice invited you to “Side project”',
    );
    // The panel takes focus (on the first Accept) so the keyboard can answer.
    await expect(panel.getByTestId('accept-invitation').first()).toBeFocused();
    await bob.page.screenshot({ path: testInfo.outputPath('invitations-panel-1280.png') });
    await bob.page.setViewportSize({ width: 800, height: 800 });
    await bob.page.screenshot({ path: testInfo.outputPath('invitations-panel-800.png') });
    // The panel fits the narrow window.
    const box = await panel.boundingBox();
    expect(box).not.toBeNull();
    expect((box?.x ?? 0) + (box?.width ?? 0)).toBeLessThanOrEqual(800);
    await bob.page.setViewportSize({ width: 1280, height: 800 });

    // Declines the side project: gone for Bob and for Alice's workspace.
    await panel.locator('[data-workspace="Side project"]').getByTestId('decline-invitation').click();
    await expect(panel.getByTestId('invitations-status')).toHaveText(
      'You declined the invitation to “Side project”.',
    );
    await expect(invitations).toHaveCount(1);
    await expect(bob.page.getByTestId('invitation-count')).toHaveText('1 invitation');
    const sideMembers = await ofb.call<{ invitations: unknown[] }>(
      'list-members',
      { workspaceId: side },
      alice.session.access_token,
    );
    expect(sideMembers.invitations).toEqual([]);

    // Accepts Team: it is listed and open at once.
    await panel.getByTestId('accept-invitation').click();
    await expect(panel.getByTestId('invitations-status')).toHaveText('You joined “Team”; it is open now.');
    await expect(panel.getByTestId('invitations-empty')).toBeVisible();
    await expect(bob.page.getByTestId('workspace-select')).toHaveValue(alice.workspaceId);
    await expect(bob.page.getByTestId('workspace-select').locator('option')).toHaveText([
      'Bob’s workspace',
      'Team',
    ]);
    await bob.page.keyboard.press('Escape');
    await expect(panel).toHaveCount(0);
    await expect(bob.page.getByTestId('invitation-count')).toHaveCount(0);

    // Alice's dialog, opened again, has Bob as a member and no stale notice.
    await dialog.getByRole('button', { name: 'Close' }).click();
    const again = await openMembers(alice.page);
    await expect(again.locator('[data-testid="member"][data-name="Bob"]')).toBeVisible();
    await expect(again.getByTestId('invitation')).toHaveCount(0);
    await expect(again.getByTestId('members-notice')).toHaveCount(0);
  });

  test('offline, an invite is queued and says so; the notice goes once it is sent', async ({
    newUser,
  }, testInfo) => {
    const alice = await newUser('Alice');
    const bob = await newUser('Bob', '#2e8b57', { ownWorkspace: true });
    await bob.gotoHome();
    await alice.gotoHome();
    const dialog = await openMembers(alice.page);

    await alice.context.setOffline(true);
    await dialog.getByTestId('invite-name').fill('Bob');
    await dialog.getByTestId('invite-submit').click();
    const notice = dialog.getByTestId('members-notice');
    await expect(notice).toHaveAttribute('data-queued', 'true');
    await expect(notice).toContainText(
      'Queued: Invite Bob to “Team” as editor. The server cannot be reached now',
    );
    await expect(alice.page.getByTestId('outbox-button')).toContainText('1');
    // The list as it was stays, said to be possibly stale.
    await expect(dialog.locator('[data-testid="member"][data-name="Alice"]')).toBeVisible();
    await alice.page.screenshot({ path: testInfo.outputPath('invite-queued-1280.png') });

    await alice.context.setOffline(false);
    await expect(notice).toHaveCount(0, { timeout: 15_000 });
    await expect(dialog.getByTestId('invitation')).toContainText('Bob');
    await expect(alice.page.getByTestId('outbox-button')).toContainText('0');
    await expect(bob.page.getByTestId('invitation-count')).toHaveText('1 invitation', { timeout: 15_000 });
  });
});
