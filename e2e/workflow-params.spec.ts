// Browser tests of a Workflow's parameters and findings: documents picked by title and checked against
// the workspace, templates asking for their documents, findings in words, and imports the server would refuse.
import type { Page } from '@playwright/test';
import { expect, test } from './support/fixtures.js';

type Params = Record<string, unknown>;
type Snapshot = { nodes: Record<string, { type: string; params: Params }>; edges: Record<string, unknown> };

/** The node ids of type `type` in the open workflow. */
async function nodesOfType(page: Page, type: string): Promise<string[]> {
  const doc = (await page
    .locator('workflow-view')
    .evaluate((el) =>
      JSON.parse(JSON.stringify((el as unknown as { controller: { doc: unknown } }).controller.doc)),
    )) as Snapshot;
  return Object.entries(doc.nodes)
    .filter(([, n]) => n.type === type)
    .map(([id]) => id);
}

test.describe('Workflow parameters', () => {
  test('a template asks for its documents; the inspector picks them by title and stores the id; validation checks them', async ({
    newUser,
  }, testInfo) => {
    test.setTimeout(90_000);
    const alice = await newUser('Alice');
    const bob = await newUser('Bob', '#1e6fd9', { role: 'viewer' });
    await alice.gotoHome();
    const plan = await alice.createDocument('Project plan');
    await alice.gotoHome();
    const notes = await alice.createDocument('Meeting notes');
    await alice.gotoHome();

    // The template asks; nothing is chosen yet, and the dialog says what that means.
    await alice.page.getByTestId('new-workflow').click();
    await alice.page.locator('[data-testid="template-card"][data-template-id="summarize-document"]').click();
    const dialog = alice.page.getByTestId('template-documents');
    await expect(dialog).toBeVisible();
    await expect(dialog.getByRole('combobox', { name: 'Document to summarize' })).toBeFocused();
    await expect(dialog.getByTestId('template-documents-open')).toContainText(
      '2 documents are not chosen yet',
    );
    // Search by title: "proj" finds one document; Enter picks it.
    await dialog.getByRole('combobox', { name: 'Document to summarize' }).fill('proj');
    await expect(alice.page.getByTestId('document-option')).toHaveText(['Project plan']);
    await alice.page.keyboard.press('Enter');
    await expect(dialog.getByRole('combobox', { name: 'Document to summarize' })).toHaveValue('Project plan');
    for (const width of [1280, 800]) {
      await alice.page.setViewportSize({ width, height: 800 });
      await alice.page.screenshot({ path: testInfo.outputPath(`template-documents-${width}.png`) });
    }
    await alice.page.setViewportSize({ width: 1280, height: 800 });
    await dialog.getByTestId('template-create').click();
    await expect(alice.board).toBeVisible();

    // The unchosen document is a finding in words, and the badge counts it.
    const read = (await nodesOfType(alice.page, 'read-document'))[0] as string;
    const write = (await nodesOfType(alice.page, 'write-document'))[0] as string;
    expect((await alice.workflowSnapshot()).nodes[read]).toMatchObject({ params: { documentId: plan } });
    const missing = alice.page.locator(
      `[data-testid="finding"][data-code="missing-param"][data-target-id="${write}"]`,
    );
    await expect(missing).toContainText('“Write document” needs “Document to write”: no document is chosen.');
    await expect(alice.page.getByTestId('findings-count')).toHaveText('1');

    // The finding selects the node; its inspector offers the workspace's documents by title.
    await missing.click();
    const picker = alice.page.getByRole('combobox', { name: 'Document to write' });
    await expect(picker).toHaveValue('');
    await picker.click();
    await expect(alice.page.getByTestId('document-option')).toHaveText(['Meeting notes', 'Project plan']);
    await picker.fill('zzz');
    await expect(alice.page.getByTestId('document-picker-list')).toContainText(
      'No document titled like “zzz”.',
    );
    await picker.fill('meet');
    await alice.page.getByTestId('document-option').filter({ hasText: 'Meeting notes' }).click();
    await expect(picker).toHaveValue('Meeting notes');
    await expect
      .poll(async () => (await alice.workflowSnapshot()).nodes[write])
      .toMatchObject({
        params: { documentId: notes },
      });
    await expect(alice.page.getByTestId('findings-ok')).toHaveText('No problems found.');
    await expect(alice.page.getByTestId('findings-count')).toHaveText('0');
    // Esc closes the list only: the board stays open.
    await picker.click();
    await expect(alice.page.getByTestId('document-picker-list')).toBeVisible();
    await alice.page.screenshot({ path: testInfo.outputPath('document-picker-1280.png') });
    await alice.page.keyboard.press('Escape');
    await expect(alice.page.getByTestId('document-picker-list')).toHaveCount(0);
    await expect(alice.board).toBeVisible();
    await alice.page.setViewportSize({ width: 800, height: 800 });
    await alice.page.screenshot({ path: testInfo.outputPath('document-picker-800.png') });
    await alice.page.setViewportSize({ width: 1280, height: 800 });

    // A viewer may read the documents but not write one: validation says so, naming it by title.
    await bob.gotoWorkflow(alice.currentWorkflowUrl());
    await expect(
      bob.page.locator(
        `[data-testid="finding"][data-code="document-not-writable"][data-target-id="${write}"]`,
      ),
    ).toContainText('you may not change “Meeting notes”');
    await expect(bob.page.locator('[data-testid="finding"][data-code="document-not-readable"]')).toHaveCount(
      0,
    );
  });

  test('a document named by free text in an imported file is reported as not in the workspace', async ({
    newUser,
  }) => {
    const alice = await newUser('Alice');
    await alice.gotoHome();
    const file = {
      format: 'symphony-workflow',
      version: 1,
      workflow: {
        name: 'Reads a title',
        nodes: {
          n1: {
            type: 'read-document',
            kind: 'operator',
            params: { documentId: 'Project Plan' },
            position: { x: 0, y: 0 },
          },
        },
        edges: {},
      },
    };
    await alice.page.getByTestId('import-workflow-input').setInputFiles({
      name: 'title.json',
      mimeType: 'application/json',
      buffer: Buffer.from(JSON.stringify(file)),
    });
    await expect(alice.page.getByTestId('workflow-name')).toHaveValue('Reads a title');
    const finding = alice.page.locator('[data-testid="finding"][data-code="missing-document"]');
    await expect(finding).toContainText(
      '“Read document”: the document chosen for “Document to read” is not in this workspace',
    );
    await finding.click();
    await expect(alice.page.getByTestId('document-picker-missing')).toBeVisible();
  });

  test('findings are in words: no ids, no validator text, warnings counted', async ({
    newUser,
  }, testInfo) => {
    const alice = await newUser('Alice');
    await alice.gotoHome();
    await alice.createWorkflow('blank');
    // A lone warning is counted: the badge never says 0 beside a listed finding.
    await expect(alice.page.locator('[data-testid="finding"][data-code="empty-workflow"]')).toBeVisible();
    await expect(alice.page.getByTestId('findings-count')).toHaveText('1');
    await expect(alice.page.getByTestId('findings-count-words')).toHaveText('1 warning');

    const embed = await alice.dropNode('embed', 300, 200);
    await alice.boardNode(embed).click();
    const dimensions = alice.page.locator('param-inspector #param-dimensions');
    await dimensions.fill('3');
    await dimensions.press('Tab');
    await expect(
      alice.page.locator('param-inspector [data-param="dimensions"] [data-testid="param-error"]'),
    ).toHaveText('Must be at least 16.');
    const invalid = alice.page.locator('[data-testid="finding"][data-code="invalid-param"]');
    await expect(invalid).toContainText('“Embed”: “Dimensions” must be at least 16.');
    for (const width of [1280, 800]) {
      await alice.page.setViewportSize({ width, height: 800 });
      await alice.page.screenshot({ path: testInfo.outputPath(`findings-words-${width}.png`) });
    }
    const texts = await alice.page.getByTestId('finding').allTextContents();
    for (const text of texts) {
      expect(text).not.toContain(embed);
      expect(text).not.toMatch(/Too small|Invalid input|expected/);
    }
  });

  test('an import the server would refuse is refused at once, in words, and lists nothing', async ({
    newUser,
  }, testInfo) => {
    const alice = await newUser('Alice');
    await alice.gotoHome();
    const file = {
      format: 'symphony-workflow',
      version: 1,
      workflow: {
        name: 'My first flow',
        nodes: {
          n1: { type: 'teleport', kind: 'operator', label: 'Fetch', params: {}, position: { x: 0, y: 0 } },
          n2: { type: 'summarize', kind: 'instrument', params: {}, position: { x: 260, y: 0 } },
        },
        edges: { e1: { from: { node: 'gone', port: 'x' }, to: { node: 'n2', port: 'text' } } },
      },
    };
    const input = alice.page.getByTestId('import-workflow-input');
    for (let attempt = 0; attempt < 2; attempt++) {
      await input.setInputFiles({
        name: 'flow.json',
        mimeType: 'application/json',
        buffer: Buffer.from(JSON.stringify(file)),
      });
      await expect(alice.page.getByTestId('workflow-import-errors')).toContainText(
        'Node “Fetch” has the type “teleport”, which this version of Symphony does not know',
      );
    }
    for (const width of [1280, 800]) {
      await alice.page.setViewportSize({ width, height: 800 });
      await alice.page.getByTestId('workflow-import-errors').scrollIntoViewIfNeeded();
      await alice.page.screenshot({ path: testInfo.outputPath(`import-refused-${width}.png`) });
    }
    // Still on the home page, and no row was listed however often it was tried.
    await expect(alice.board).toHaveCount(0);
    await expect(alice.page.getByTestId('workflow-row')).toHaveCount(0);
  });

  test('a workflow the server refuses says why on its board', async ({ newUser }, testInfo) => {
    const alice = await newUser('Alice');
    await alice.gotoHome();
    // Created past the import's check (as an older client would): the server's own gate refuses it.
    await alice.page.locator('symphony-app').evaluate((app) =>
      (app as unknown as { createWorkflow: (w: unknown) => Promise<string> }).createWorkflow({
        name: 'Refused flow',
        nodes: {
          n1: { type: 'teleport', kind: 'operator', label: 'Fetch', params: {}, position: { x: 0, y: 0 } },
        },
        edges: {},
      }),
    );
    await expect(alice.board).toBeVisible();
    const banner = alice.page.getByTestId('workflow-refused-banner');
    await expect(banner).toBeVisible({ timeout: 15_000 });
    await expect(banner).toHaveAttribute('data-code', 'invalid_workflow');
    await expect(banner).toContainText(
      'Your changes to this workflow are not saved: the node “Fetch” has a type the server does not know (“teleport”).',
    );
    for (const width of [1280, 800]) {
      await alice.page.setViewportSize({ width, height: 800 });
      await alice.page.screenshot({ path: testInfo.outputPath(`server-refused-${width}.png`) });
    }
    await alice.page.setViewportSize({ width: 1280, height: 800 });
    // As the banner says: deleting the node makes the workflow one the server takes.
    await alice.page.getByTestId('board-node').first().click();
    await alice.board.focus();
    await alice.page.keyboard.press('Delete');
    await expect(alice.boardNodes).toHaveCount(0);
    await alice.page.getByTestId('workflow-refused-dismiss').click();
    await expect(alice.indicator).toHaveAttribute('data-state', 'online', { timeout: 15_000 });
    await expect(banner).toHaveCount(0);
  });
});
