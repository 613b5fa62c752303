// Browser tests of the Orchestration Monitor: running a workflow from the Harmony Board against the
// real orchestrator (`symphony serve`), watching its node states on two boards, an orchestrator
// killed with SIGKILL mid-run and restarted, a failed node fixed and re-run from, a viewer, and a
// board whose orchestrator is down. Real Chromium, real team server, real orchestrator processes.
import { spawnSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from '@playwright/test';
import { ProviderTestServer } from '@symphony/orchestrator/testing';
import { expect, type SymphonyUser, test } from './support/fixtures.js';
import { Orchestrator, orchestratorBin, useOrchestrator } from './support/orchestrator.js';

/** What the Notes document says; the local summarizer picks whole sentences from it. */
const NOTES =
  'The launch moves to March because the payment provider needs another security review. ' +
  'Marketing keeps the February newsletter but drops the launch date from it. ' +
  'Support gets two more weeks to write the migration guide for existing customers.';

/** An orchestrator URL nothing listens on (port 9, discard): the board must say it is down. */
const NOWHERE = 'http://127.0.0.1:9';

/** Two documents, Notes (with {@link NOTES}) and Summary, and a summarize-document workflow over them. */
async function summarizeWorkflow(alice: SymphonyUser): Promise<{ url: string; summary: string }> {
  await alice.gotoHome();
  await alice.createDocument('Notes');
  await alice.typeAtEnd(NOTES);
  await alice.expectAllSaved();
  await alice.gotoHome();
  const summary = await alice.createDocument('Summary');
  await alice.expectAllSaved();
  await alice.gotoHome();
  const url = await alice.createWorkflow('summarize-document', ['Notes', 'Summary']);
  await expect(alice.page.getByTestId('findings-ok')).toBeVisible();
  return { url, summary };
}

/** The node id of the workflow's only node of `type`. */
async function nodeOfType(user: SymphonyUser, type: string): Promise<string> {
  const snapshot = await user.workflowSnapshot();
  const id = Object.entries(snapshot.nodes).find(([, node]) => node.type === type)?.[0];
  if (id === undefined) throw new Error(`no ${type} node in the workflow`);
  return id;
}

/** Selects node `id` and sets its `model` param in the inspector. */
async function setModel(user: SymphonyUser, id: string, model: string): Promise<void> {
  await user.boardNode(id).click();
  await user.page.getByTestId('panel-tab-node').click();
  await user.page.locator('param-inspector [data-param="model"] select').selectOption(model);
  await expect
    .poll(
      async () =>
        ((await user.workflowSnapshot()).nodes[id] as { params?: { model?: string } }).params?.model,
    )
    .toBe(model);
}

/**
 * Presses Run once it is enabled: a workflow just made may take a moment to reach the team server,
 * and the board keeps Run disabled (saying so) until the orchestrator can see it.
 */
async function runIt(user: SymphonyUser): Promise<void> {
  const run = user.page.getByTestId('run-workflow');
  await expect(run).toBeEnabled({ timeout: 30_000 });
  await run.click();
}

/** The board's nodes in `state`. */
function nodesIn(page: Page, state: string) {
  return page.locator(`[data-testid="board-node"][data-run-state="${state}"]`);
}

/** The run the board's run panel shows. */
async function shownRunId(page: Page): Promise<string> {
  await page.getByTestId('panel-tab-run').click();
  const panel = page.getByTestId('run-panel');
  await expect(panel).toBeVisible();
  const id = await panel.getAttribute('data-run-id');
  if (id === null) throw new Error('the run panel names no run');
  return id;
}

/** `GET /v1/runs/:id` on the orchestrator with the user's token, as the board calls it. */
async function runView(orchestrator: Orchestrator, user: SymphonyUser, runId: string) {
  const response = await fetch(new URL(`v1/runs/${runId}`, orchestrator.url), {
    headers: { authorization: `Bearer ${user.session.access_token}` },
  });
  expect(response.status).toBe(200);
  return (await response.json()) as {
    run: { status: string; nodeStates: { nodeId: string; state: string; attempts: unknown[] }[] };
  };
}

test.describe('Orchestration Monitor', () => {
  test('runs the summarize-a-document template from the board; a teammate sees it live and reads the summary', async ({
    newUser,
    orchestrator,
  }, testInfo) => {
    test.setTimeout(120_000);
    const alice = await newUser('Alice');
    const bob = await newUser('Bob', '#d1453b');
    await useOrchestrator(alice.context, orchestrator.url);
    await useOrchestrator(bob.context, NOWHERE);
    const { url, summary } = await summarizeWorkflow(alice);

    // Bob has no orchestrator of his own: his board says so, and how to start one.
    await bob.gotoWorkflow(url);
    await expect(bob.page.getByTestId('orchestrator-down')).toContainText('npm start');

    const run = alice.page.getByTestId('run-workflow');
    await expect(run).toBeEnabled();
    await run.click();
    await expect(nodesIn(alice.page, 'succeeded')).toHaveCount(3, { timeout: 30_000 });
    await expect(alice.page.getByTestId('run-progress')).toHaveAttribute('data-status', 'succeeded');

    // Bob sees the run's node states on his own board, read-only, through the sync-server.
    await expect(nodesIn(bob.page, 'succeeded')).toHaveCount(3, { timeout: 15_000 });
    await bob.page.getByTestId('panel-tab-run').click();
    await expect(bob.page.getByTestId('run-panel-remote')).toContainText('Alice');

    // Alice's run panel: who, the pinned version, every node; the written document opens.
    const runId = await shownRunId(alice.page);
    await expect(alice.page.getByTestId('run-started-by')).toHaveText('Alice');
    await expect(alice.page.getByTestId('run-version')).not.toBeEmpty();
    await expect(alice.page.getByTestId('run-node-row')).toHaveCount(3);
    await alice.page.getByTestId('run-history-item').first().waitFor();
    await alice.page.setViewportSize({ width: 1280, height: 800 });
    await alice.page.screenshot({ path: testInfo.outputPath('run-panel-1280.png') });
    await alice.page.setViewportSize({ width: 800, height: 900 });
    await alice.page.screenshot({ path: testInfo.outputPath('run-panel-800.png') });
    await alice.page.setViewportSize({ width: 1280, height: 800 });

    // The summarizer's output in the inspector.
    const sum = await nodeOfType(alice, 'summarize');
    await alice.page
      .getByTestId('run-node-row')
      .filter({ hasText: /summar/i })
      .first()
      .click();
    await expect(alice.page.getByTestId('run-node-detail')).toHaveAttribute('data-node-id', sum);
    await alice.page
      .getByTestId('run-node-detail')
      .getByRole('button', { name: /artifact/ })
      .first()
      .click();
    const inspector = alice.page.getByTestId('artifact-inspector');
    await expect(inspector).toBeVisible();
    await expect(alice.page.getByTestId('artifact-hash')).toContainText(/[0-9a-f]{8}/);
    // The runs that made it, named by the node's title on this board, not its id.
    await expect(
      alice.page.getByTestId('lineage-run').filter({ hasText: 'Summarize' }).first(),
    ).toContainText('produced');
    await alice.page.screenshot({ path: testInfo.outputPath('artifact-inspector-1280.png') });
    await alice.page.setViewportSize({ width: 800, height: 900 });
    await alice.page.screenshot({ path: testInfo.outputPath('artifact-inspector-800.png') });
    await alice.page.setViewportSize({ width: 1280, height: 800 });
    await alice.page.getByTestId('inspector-close').click();

    // The performance view (no instrument calls in an offline run: its empty state).
    await alice.page.getByTestId('open-performance').click();
    await expect(alice.page.getByTestId('performance-view')).toBeVisible();
    await expect(alice.page.getByTestId('performance-empty')).toBeVisible();
    await alice.page.screenshot({ path: testInfo.outputPath('performance-1280.png') });
    await alice.page.getByTestId('performance-close').click();

    // The summary is in the Summary document, for Bob too.
    const view = await runView(orchestrator, alice, runId);
    expect(view.run.status).toBe('succeeded');
    await bob.gotoDocument(summary);
    await expect.poll(() => bob.editorText(), { timeout: 15_000 }).toContain('security review');
  });

  test('an orchestrator killed mid-run and restarted resumes the run without re-running finished nodes', async ({
    newUser,
    server,
  }, testInfo) => {
    test.setTimeout(180_000);
    const KEY = 'e2e-provider-key';
    const provider = await ProviderTestServer.start({ apiKey: KEY });
    const configDir = await mkdtemp(join(tmpdir(), 'symphony-e2e-instruments-'));
    const cli = (args: string[], input?: string) => {
      const result = spawnSync(process.execPath, [orchestratorBin, ...args], {
        env: { ...process.env, SYMPHONY_CONFIG_DIR: configDir },
        input,
        encoding: 'utf8',
      });
      expect(result.status, result.stderr).toBe(0);
    };
    cli(['credentials', 'set', 'e2e-openai', '--stdin'], KEY);
    cli([
      'instruments',
      'add',
      'openai',
      '--api',
      'openai-chat',
      '--base-url',
      provider.openAiBaseUrl,
      '--credential',
      'e2e-openai',
      '--model',
      'gpt-4o-mini=gpt-4o-mini',
    ]);
    const orchestrator = await Orchestrator.start({ server, configDir });
    try {
      const alice = await newUser('Alice');
      const bob = await newUser('Bob', '#d1453b');
      await useOrchestrator(alice.context, orchestrator.url);
      await useOrchestrator(bob.context, NOWHERE);
      const { url } = await summarizeWorkflow(alice);
      const sum = await nodeOfType(alice, 'summarize');
      const read = await nodeOfType(alice, 'read-document');
      await setModel(alice, sum, 'gpt-4o-mini');
      await bob.gotoWorkflow(url);

      // The model call hangs: the run is mid-way when the orchestrator dies.
      provider.failNext({ kind: 'slow', ms: 120_000 });
      await runIt(alice);
      await expect(alice.boardNode(sum)).toHaveAttribute('data-run-state', 'running', { timeout: 30_000 });
      await expect(alice.boardNode(read)).toHaveAttribute('data-run-state', 'succeeded');
      // Bob watches the states change on his board as Alice runs it.
      await expect(bob.boardNode(sum)).toHaveAttribute('data-run-state', 'running', { timeout: 15_000 });
      const runId = await shownRunId(alice.page);
      // Killed once the call is on the wire (the sandbox has started and asked the provider).
      const chats = () => provider.requests.filter((r) => r.endpoint === 'openai-chat').length;
      await expect.poll(chats, { timeout: 30_000 }).toBe(1);

      await orchestrator.kill('SIGKILL');
      await expect(alice.page.getByTestId('orchestrator-down')).toBeVisible({ timeout: 15_000 });
      await orchestrator.restart();

      // The board reconnects; the orchestrator resumes Alice's run on her return; it finishes.
      await expect(alice.page.getByTestId('orchestrator-down')).toHaveCount(0, { timeout: 30_000 });
      await expect(nodesIn(alice.page, 'succeeded')).toHaveCount(3, { timeout: 60_000 });
      await expect(nodesIn(bob.page, 'succeeded')).toHaveCount(3, { timeout: 15_000 });
      const view = await runView(orchestrator, alice, runId);
      expect(view.run.status).toBe('succeeded');
      const readNode = view.run.nodeStates.find((n) => n.nodeId === read)!;
      const sumNode = view.run.nodeStates.find((n) => n.nodeId === sum)!;
      expect(readNode.attempts).toHaveLength(1);
      expect(sumNode.attempts).toHaveLength(1);
      // The resumed attempt asked again (at-least-once) and was answered: two calls, one attempt.
      expect(chats()).toBe(2);

      // The call shows in the performance view: the instrument, its latency and tokens, charted.
      await alice.page.getByTestId('open-performance').click();
      await expect(alice.page.getByTestId('instrument-row')).toHaveCount(1);
      await expect(alice.page.getByTestId('instrument-charts')).toBeVisible();
      await alice.page.setViewportSize({ width: 1280, height: 800 });
      await alice.page.screenshot({ path: testInfo.outputPath('performance-1280.png') });
      await alice.page.setViewportSize({ width: 800, height: 900 });
      await alice.page.screenshot({ path: testInfo.outputPath('performance-800.png') });
    } finally {
      await orchestrator.dispose();
      await provider.close();
      await rm(configDir, { recursive: true, force: true });
    }
  });

  test('a node that fails shows its error, and re-run from it succeeds once its params are fixed', async ({
    newUser,
    orchestrator,
  }) => {
    test.setTimeout(120_000);
    const alice = await newUser('Alice');
    await useOrchestrator(alice.context, orchestrator.url);
    await summarizeWorkflow(alice);
    const sum = await nodeOfType(alice, 'summarize');
    const read = await nodeOfType(alice, 'read-document');
    // No instrument serves gpt-4o on this orchestrator: the node fails and says what to do.
    await setModel(alice, sum, 'gpt-4o');
    await runIt(alice);
    await expect(alice.boardNode(sum)).toHaveAttribute('data-run-state', 'failed', { timeout: 30_000 });
    await expect(alice.page.getByTestId('run-progress')).toHaveAttribute('data-status', 'failed');
    await alice.page.getByTestId('panel-tab-run').click();
    await alice.page
      .getByTestId('run-node-row')
      .filter({ hasText: /summar/i })
      .first()
      .click();
    await expect(alice.page.getByTestId('run-node-error')).toContainText(/instrument/i);
    const failedRun = await shownRunId(alice.page);

    await setModel(alice, sum, 'local');
    await alice.page.getByTestId('panel-tab-run').click();
    await alice.page
      .getByTestId('run-node-row')
      .filter({ hasText: /summar/i })
      .first()
      .click();
    await alice.page.getByTestId('run-rerun-from').click();
    await expect
      .poll(async () => alice.page.getByTestId('run-panel').getAttribute('data-run-id'), { timeout: 15_000 })
      .not.toBe(failedRun);
    await expect(alice.boardNode(sum)).toHaveAttribute('data-run-state', 'succeeded', { timeout: 30_000 });
    await expect(alice.boardNode(read)).toHaveAttribute('data-run-state', 'cached');
    await alice.page
      .getByTestId('run-node-row')
      .filter({ hasText: /read document/i })
      .click();
    await expect(alice.page.getByTestId('run-node-detail')).toHaveAttribute('data-node-id', read);
    await expect(alice.page.getByTestId('run-node-cached')).toContainText(`from cache (run ${failedRun}`);
  });

  test('a viewer sees the runs but has no Run button', async ({ newUser, orchestrator }) => {
    test.setTimeout(120_000);
    const alice = await newUser('Alice');
    const carol = await newUser('Carol', '#2e8b57', { role: 'viewer' });
    await useOrchestrator(alice.context, orchestrator.url);
    await useOrchestrator(carol.context, orchestrator.url);
    const { url } = await summarizeWorkflow(alice);
    await runIt(alice);
    await expect(nodesIn(alice.page, 'succeeded')).toHaveCount(3, { timeout: 30_000 });

    await carol.gotoWorkflow(url);
    await carol.page.getByTestId('panel-tab-run').click();
    await expect(carol.page.getByTestId('run-history-item')).toHaveCount(1, { timeout: 15_000 });
    await expect(carol.page.getByTestId('run-workflow')).toHaveCount(0);
    await carol.page.getByTestId('run-history-item').first().click();
    await expect(nodesIn(carol.page, 'succeeded')).toHaveCount(3);
    await expect(carol.page.getByTestId('run-rerun')).toHaveCount(0);
  });
});
