// Browser tests of the Harmony Board: co-editing workflows, offline edits, templates and cycle findings.
import { expect, test } from './support/fixtures.js';

test.describe('Harmony Board', () => {
  test('two people co-edit one workflow and each sees the other’s nodes within a second', async ({
    newUser,
    server,
  }) => {
    const alice = await newUser('Alice', '#d1453b');
    const bob = await newUser('Bob', '#1e6fd9');
    await alice.gotoHome();
    const url = await alice.createWorkflow('blank');
    await expect(alice.page.getByTestId('board-empty')).toBeVisible();
    await bob.gotoWorkflow(url);
    await expect(bob.page.getByTestId('workflow-name')).toHaveValue('Untitled workflow');

    // Each sees the other on the board.
    await expect(alice.page.locator('[data-testid="board-presence"] [data-peer-name="Bob"]')).toBeVisible();
    await expect(bob.page.locator('[data-testid="board-presence"] [data-peer-name="Alice"]')).toBeVisible();

    const a = await alice.dropNode('summarize', 200, 200);
    await expect(bob.boardNode(a)).toBeVisible({ timeout: 1_000 });
    const b = await bob.dropNode('llm-prompt', 600, 300);
    await expect(alice.boardNode(b)).toBeVisible({ timeout: 1_000 });
    await expect(alice.page.getByTestId('board-empty')).toHaveCount(0);

    // Alice's selection shows on Bob's board in her colour.
    await alice.boardNode(a).click();
    await expect(bob.boardNode(a).locator('.remote-name')).toHaveText('Alice');

    // Both listed on the home page of each.
    await bob.page.getByTestId('back-home').click();
    await expect(bob.page.locator(`[data-testid="workflow-row"][data-workflow-url="${url}"]`)).toBeVisible();
    // Presence traffic never got a connection closed by the server's frame checks.
    expect(server.log).not.toContain('closing automerge connection');
  });

  test('an edit made offline reaches the other person after reconnecting', async ({ newUser }) => {
    const alice = await newUser('Alice');
    const bob = await newUser('Bob');
    await alice.gotoHome();
    const url = await alice.createWorkflow('blank');
    await bob.gotoWorkflow(url);
    await expect.poll(() => alice.openWorkflowSockets()).toBe(1);

    await alice.context.setOffline(true);
    // The app itself closes its automerge socket (emulated offline alone would keep it open).
    await expect.poll(() => alice.openWorkflowSockets()).toBe(0);
    await expect(alice.indicator).toHaveAttribute('data-state', 'offline');
    const offline = await alice.dropNode('translate', 250, 200);
    const online = await bob.dropNode('classify', 600, 350);
    await expect(bob.boardNode(offline)).toHaveCount(0);
    await alice.page.waitForTimeout(500);
    await expect(alice.boardNode(online)).toHaveCount(0);

    await alice.context.setOffline(false);
    await expect(bob.boardNode(offline)).toBeVisible();
    await expect(alice.boardNode(online)).toBeVisible();
    await expect(alice.boardNodes).toHaveCount(2);
    await expect(bob.boardNodes).toHaveCount(2);
    await expect(alice.indicator).toHaveAttribute('data-state', 'online');
  });

  test('a workflow from a template passes validation', async ({ newUser }) => {
    const alice = await newUser('Alice');
    await alice.gotoHome();
    for (const title of ['Project plan', 'Summaries']) {
      await alice.createDocument(title);
      await alice.gotoHome();
    }
    // The template asks for its documents (it carries no placeholder ids).
    await alice.createWorkflow('summarize-document', ['Project plan', 'Summaries']);
    await expect(alice.boardNodes).toHaveCount(3);
    await expect(alice.boardEdges).toHaveCount(2);
    await expect(alice.page.getByTestId('findings-ok')).toBeVisible();
    await expect(alice.page.getByTestId('findings-count')).toHaveText('0');
    await expect(alice.page.locator('[data-testid="board-node"][data-finding="error"]')).toHaveCount(0);
    await expect(alice.page.locator('[data-testid="board-edge"][data-rejected="cycle"]')).toHaveCount(0);
  });

  test('a cycle drawn by hand is flagged on the canvas and in the findings', async ({ newUser }) => {
    const alice = await newUser('Alice');
    await alice.gotoHome();
    await alice.createWorkflow('blank');
    const x = await alice.dropNode('summarize', 150, 150);
    const y = await alice.dropNode('summarize', 550, 350);
    await alice.connect(x, 'summary', y, 'text');
    await expect(alice.boardEdges).toHaveCount(1);
    await alice.connect(y, 'summary', x, 'text');
    await expect(alice.boardEdges).toHaveCount(2);

    const rejected = alice.page.locator('[data-testid="board-edge"][data-rejected="cycle"]');
    await expect(rejected).toHaveCount(1);
    await expect(rejected.getByTestId('edge-reason')).toContainText('closes a cycle');
    const edgeId = await rejected.getAttribute('data-edge-id');
    const finding = alice.page.locator(
      `[data-testid="finding"][data-code="cycle"][data-target-id="${edgeId}"]`,
    );
    await expect(finding).toBeVisible();

    // Choosing the finding selects the edge; Delete removes it, Ctrl+Z brings it back.
    await finding.click();
    await expect(rejected).toHaveClass(/selected/);
    await alice.board.focus();
    await alice.page.keyboard.press('Delete');
    await expect(alice.boardEdges).toHaveCount(1);
    await expect(alice.page.locator('[data-testid="finding"][data-code="cycle"]')).toHaveCount(0);
    await alice.page.keyboard.press('Control+z');
    await expect(rejected).toHaveCount(1);
  });

  test('concurrent edges closing a cycle: both people see the same edge rejected', async ({ newUser }) => {
    const alice = await newUser('Alice');
    const bob = await newUser('Bob');
    await alice.gotoHome();
    const url = await alice.createWorkflow('blank');
    const x = await alice.dropNode('summarize', 150, 150);
    const y = await alice.dropNode('summarize', 550, 350);
    await bob.gotoWorkflow(url);
    await expect(bob.boardNodes).toHaveCount(2);

    await alice.context.setOffline(true);
    await expect.poll(() => alice.openWorkflowSockets()).toBe(0);
    await alice.connect(x, 'summary', y, 'text');
    await bob.connect(y, 'summary', x, 'text');
    await expect(alice.boardEdges).toHaveCount(1);
    await expect(bob.boardEdges).toHaveCount(1);
    await alice.context.setOffline(false);

    await expect(alice.boardEdges).toHaveCount(2);
    await expect(bob.boardEdges).toHaveCount(2);
    const edgeIds = Object.keys((await alice.workflowSnapshot()).edges).sort();
    const greatest = edgeIds[edgeIds.length - 1];
    for (const user of [alice, bob]) {
      const rejected = user.page.locator('[data-testid="board-edge"][data-rejected="cycle"]');
      await expect(rejected).toHaveCount(1);
      await expect(rejected).toHaveAttribute('data-edge-id', greatest as string);
      await expect(
        user.page.locator(`[data-testid="finding"][data-code="cycle"][data-target-id="${greatest}"]`),
      ).toBeVisible();
    }
  });

  test('export, then import: the file round-trips, and a broken file is explained', async ({ newUser }) => {
    const alice = await newUser('Alice');
    await alice.gotoHome();
    await alice.createDocument('Review');
    await alice.gotoHome();
    await alice.createWorkflow('review-code', ['Review']);
    const download = alice.page.waitForEvent('download');
    await alice.page.getByTestId('export-workflow').click();
    const file = await download;
    expect(file.suggestedFilename()).toBe('Review-code.workflow.json');
    const text = await (await file.createReadStream()).toArray();
    const exported = JSON.parse(Buffer.concat(text).toString('utf8'));
    expect(exported).toMatchObject({
      format: 'symphony-workflow',
      version: 1,
      workflow: { name: 'Review code' },
    });

    await alice.page.getByTestId('back-home').click();
    const input = alice.page.getByTestId('import-workflow-input');
    const broken = structuredClone(exported);
    const firstNode = Object.keys(broken.workflow.nodes)[0] as string;
    broken.workflow.nodes[firstNode].position.x = 'left';
    await input.setInputFiles({
      name: 'broken.json',
      mimeType: 'application/json',
      buffer: Buffer.from(JSON.stringify(broken)),
    });
    await expect(alice.page.getByTestId('workflow-import-errors')).toContainText(
      `workflow.nodes.${firstNode}.position.x`,
    );

    exported.workflow.name = 'Imported review';
    await input.setInputFiles({
      name: 'ok.json',
      mimeType: 'application/json',
      buffer: Buffer.from(JSON.stringify(exported)),
    });
    await expect(alice.page.getByTestId('workflow-name')).toHaveValue('Imported review');
    await expect(alice.boardNodes).toHaveCount(4);
    await expect(alice.page.getByTestId('findings-ok')).toBeVisible();
  });
});
