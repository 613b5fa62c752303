// Browser tests of offline use and server restarts: the app and its edits survive both.
import { expect, test } from './support/fixtures.js';

test.describe('offline and server restarts', () => {
  test('with the server stopped, a reload still opens the app and the offline edits are there', async ({
    newUser,
    server,
  }) => {
    const alice = await newUser('Alice');
    await alice.gotoHome();
    await alice.waitForServiceWorker();
    await expect(alice.page.getByTestId('offline-ready')).toHaveText('App available offline');
    // The service worker leaves the server's own endpoints alone.
    const health = await alice.page.goto(`${server.url}healthz`);
    expect(health?.fromServiceWorker()).toBe(false);
    expect(await health?.json()).toMatchObject({ status: 'ok' });
    await alice.gotoHome();
    const id = await alice.createDocument('Field notes');
    await alice.typeAtEnd('Written online.');
    await alice.expectAllSaved();

    await server.stop();
    await expect(alice.indicator).toHaveAttribute('data-state', 'offline');
    await alice.typeAtEnd(' Written offline.');
    await expect.poll(() => alice.unsavedCount()).toBeGreaterThan(0);
    const unsavedBefore = await alice.unsavedCount();

    // Leaving with unsaved edits asks for confirmation.
    const dialogs: string[] = [];
    alice.page.on('dialog', (dialog) => {
      dialogs.push(dialog.type());
      void dialog.accept();
    });
    await alice.page.reload();
    expect(dialogs).toEqual(['beforeunload']);

    // Served by the service worker, from IndexedDB; the unsaved count survived the reload.
    await expect(alice.editor).toBeVisible();
    expect(alice.currentDocumentId()).toBe(id);
    await expect.poll(() => alice.editorText()).toBe('Written online. Written offline.');
    await expect(alice.page.getByTestId('document-title')).toHaveValue('Field notes');
    await expect(alice.indicator).toHaveAttribute('data-state', 'offline');
    expect(await alice.unsavedCount()).toBe(unsavedBefore);

    // When the server is back, the edits reach it and the count drops to zero.
    await server.restart();
    await alice.expectAllSaved();
  });

  test('after a server restart, a fresh browser context gets the full document from the server', async ({
    newUser,
    server,
  }) => {
    const alice = await newUser('Alice');
    await alice.gotoHome();
    const id = await alice.createDocument('Durable doc');
    const text = '# Durable\n\nEvery word must survive a restart.';
    await alice.typeAtEnd(text);
    await expect.poll(() => alice.editorText()).toBe(text);
    await alice.expectAllSaved();

    await server.restart();

    const carol = await newUser('Carol');
    await carol.gotoHome();
    const row = carol.page.getByTestId('document-row').filter({ hasText: 'Durable doc' });
    await expect(row).toHaveAttribute('data-document-id', id);
    await row.getByTestId('document-link').click();
    await expect(carol.editor).toBeVisible();
    await expect.poll(() => carol.editorText()).toBe(text);
    await carol.expectAllSaved();
  });
});
