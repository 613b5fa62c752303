// Browser tests of user names: a name that differs from a taken one only by case cannot sign up,
// and any case of a name signs in to that account.
import { expect, test } from './support/fixtures.js';
import { TEST_PASSWORD } from './support/ofb.js';

test('"ALICE_T1" cannot sign up beside "alice_t1", and signs in as her', async ({ newUser }) => {
  const alice = await newUser('alice_t1', '#1e6fd9', { signedOut: true });
  const { page } = alice;
  await alice.openApp();
  await page.getByTestId('sign-in-switch').click();
  await page.getByTestId('sign-in-name').fill('ALICE_T1');
  await page.getByTestId('sign-in-password').fill(TEST_PASSWORD);
  await page.getByTestId('sign-in-password').press('Enter');
  await expect(page.getByTestId('sign-in-error')).toHaveText(
    'The name "ALICE_T1" is taken (names are the same whatever their case); choose another.',
  );
  await expect(page.getByTestId('sign-in-form')).toBeVisible();

  await page.getByTestId('sign-in-switch').click();
  await page.getByTestId('sign-in-name').fill('Alice_T1');
  await page.getByTestId('sign-in-password').fill(TEST_PASSWORD);
  await page.getByTestId('sign-in-password').press('Enter');
  await expect(page.getByTestId('sign-in-form')).toHaveCount(0);
  await expect(page.getByTestId('loading')).toHaveCount(0);
  // The account as it signed up, with its workspace.
  await page.getByTestId('user-menu-button').click();
  await expect(page.getByTestId('account-name')).toHaveText('alice_t1');
});
