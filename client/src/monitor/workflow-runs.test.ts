// Tests of a board's store of runs: folding events in journal order, joining a run late, a
// reconnect after the orchestrator restarted (resume), re-runs with cached nodes, cancellation,
// following new runs, progress, what is broadcast, streamed tokens; and the run panel's model.
import {
  type NodeId,
  type RunDetailResponse,
  type RunEvent,
  type RunId,
  RunOptions,
  type RunSummary,
  type Workflow,
  type WorkflowId,
} from '@symphony/schemas';
import { describe, expect, it } from 'vitest';
import type { WorkflowMessage } from './monitor-connection.js';
import { runPanelModel, shortVersion } from './run-panel-model.js';
import { WorkflowRuns } from './workflow-runs.js';

const workflowId = 'wf0000000000000000001' as WorkflowId;
const id = (s: string) => s as NodeId;
const run1 = 'run_aaaaaaaa0001' as RunId;
const run2 = 'run_aaaaaaaa0002' as RunId;
const node = (type: string, kind: 'operator' | 'addon' = 'operator', params: object = {}) => ({
  type,
  kind,
  params,
  position: { x: 0, y: 0 },
});
const workflow = {
  name: 'Summarize',
  nodes: {
    read: node('read-document'),
    sum: node('summarize'),
    write: node('write-document', 'operator', { documentId: 'doc_0000000000000001', mode: 'append' }),
    note: node('note', 'addon'),
  },
  edges: {},
} as unknown as Workflow;
const source = {
  kind: 'automerge',
  server: 'http://127.0.0.1:4321',
  workflowId,
  heads: ['abcdef0123456789', '99'],
} as const;
const started = (runId: RunId, at = 100, extra: Partial<RunOptions> = {}): RunEvent => ({
  type: 'run.started',
  runId,
  at,
  workflow,
  source: source as never,
  options: RunOptions.parse(extra),
  startedBy: 'ada',
});
const hash = (c: string) => c.repeat(64) as never;
const running = (runId: RunId, n: string, at: number, attempt = 1): RunEvent => ({
  type: 'node.running',
  runId,
  at,
  nodeId: id(n),
  attempt,
});
const succeeded = (runId: RunId, n: string, at: number): RunEvent => ({
  type: 'node.succeeded',
  runId,
  at,
  nodeId: id(n),
  attempt: 1,
  outputs: { text: hash('a') },
});
const finished = (runId: RunId, at: number, status: 'succeeded' | 'failed' | 'cancelled'): RunEvent => ({
  type: 'run.finished',
  runId,
  at,
  status,
});
const events = (...list: RunEvent[]) => ({ type: 'events', workflowId, events: list }) as const;
const counts = (c: Partial<Record<string, number>> = {}) =>
  ({
    queued: 0,
    running: 0,
    retrying: 0,
    succeeded: 0,
    failed: 0,
    cached: 0,
    cancelled: 0,
    skipped: 0,
    ...c,
  }) as RunSummary['counts'];
const summary = (runId: RunId, over: Partial<RunSummary> = {}): RunSummary => ({
  runId,
  status: 'running',
  workflow: 'Summarize',
  source: source as never,
  startedAt: 100,
  startedBy: 'ada',
  nodes: 3,
  counts: counts({ queued: 3 }),
  ...over,
});
const detail = (
  runId: RunId,
  states: Record<string, string>,
  over: Partial<RunSummary> = {},
): RunDetailResponse =>
  ({
    run: {
      ...summary(runId, over),
      options: RunOptions.parse({}),
      cancelRequested: false,
      usage: { inputTokens: 10, outputTokens: 5, costUsd: 0.002, calls: 1 },
      nodeStates: Object.entries(states).map(([nodeId, state]) => ({
        nodeId,
        type: 'summarize',
        state,
        attempts: [{ attempt: 1, startedAt: 110, endedAt: 150, outcome: 'succeeded' }],
        durationMs: 40,
        inputs: { text: [hash('b')] },
      })),
    },
    live: {},
    role: 'editor',
  }) as unknown as RunDetailResponse;

describe('WorkflowRuns', () => {
  it('folds a run from run.started in journal order: states, progress, status, the list', () => {
    const runs = new WorkflowRuns(workflowId);
    runs.receive({ type: 'runs', workflowId, role: 'editor', runs: [] });
    runs.receive(events(started(run1), running(run1, 'read', 110)));
    expect(runs.selected).toBe(run1);
    expect(Object.fromEntries(runs.nodeStates() ?? [])).toEqual({
      read: 'running',
      sum: 'queued',
      write: 'queued',
    });
    runs.receive(events(succeeded(run1, 'read', 120), running(run1, 'sum', 121)));
    expect(runs.progress()).toEqual({ done: 1, total: 3, fraction: 1 / 3 });
    runs.receive(
      events(succeeded(run1, 'sum', 130), running(run1, 'write', 131), succeeded(run1, 'write', 140)),
    );
    runs.receive(events(finished(run1, 141, 'succeeded')));
    expect(runs.status()).toBe('succeeded');
    expect(runs.progress()?.fraction).toBe(1);
    expect(runs.list()).toMatchObject([
      { runId: run1, status: 'succeeded', startedBy: 'ada', nodes: 3, finishedAt: 141 },
    ]);
    expect(runs.role).toBe('editor');
  });

  it('shows a run it joined late from its detail, asking again whenever records came since the ask', () => {
    const runs = new WorkflowRuns(workflowId);
    runs.receive({ type: 'runs', workflowId, role: 'viewer', runs: [summary(run1)] });
    // The board followed the running run and wants its detail.
    expect(runs.selected).toBe(run1);
    expect(runs.detailsWanted()).toEqual([run1]);
    const gen = runs.detailRequested(run1);
    expect(runs.detailsWanted()).toEqual([]);
    // A record arrives while the detail is on its way: the page cannot fold it (no run.started).
    runs.receive(events(succeeded(run1, 'sum', 130)));
    runs.acceptDetail(detail(run1, { read: 'succeeded', sum: 'running', write: 'queued' }), gen);
    expect(runs.nodeStates()?.get(id('sum'))).toBe('running');
    expect(runs.detailsWanted()).toEqual([run1]);
    const next = runs.detailRequested(run1);
    runs.acceptDetail(detail(run1, { read: 'succeeded', sum: 'succeeded', write: 'running' }), next);
    expect(runs.nodeStates()?.get(id('sum'))).toBe('succeeded');
    expect(runs.detailsWanted()).toEqual([]);
  });

  it('asks for a folded run’s detail when selected, when an attempt fails and when it ends, not per record', () => {
    const runs = new WorkflowRuns(workflowId);
    runs.receive(events(started(run1)));
    expect(runs.detailsWanted()).toEqual([run1]);
    runs.acceptDetail(detail(run1, {}), runs.detailRequested(run1));
    runs.receive(events(running(run1, 'read', 110), succeeded(run1, 'read', 120), running(run1, 'sum', 121)));
    expect(runs.detailsWanted()).toEqual([]);
    runs.receive(
      events({
        type: 'node.failed',
        runId: run1,
        at: 130,
        nodeId: id('sum'),
        attempt: 1,
        error: { code: 'step_failed', message: 'no text', retryable: false },
      }),
    );
    expect(runs.detailsWanted()).toEqual([run1]);
    runs.acceptDetail(detail(run1, {}), runs.detailRequested(run1));
    runs.receive(events(finished(run1, 140, 'failed')));
    expect(runs.detailsWanted()).toEqual([run1]);
  });

  it('after the orchestrator restarted, distrusts unfinished folds and offers Resume for a run nobody executes', () => {
    const runs = new WorkflowRuns(workflowId);
    runs.receive({ type: 'runs', workflowId, role: 'editor', runs: [] });
    runs.receive(events(started(run1), running(run1, 'read', 110)));
    expect(runs.resumable(run1)).toBe(false);
    // Reconnected: the orchestrator lists the run as running with no executor (it was killed).
    runs.receive({
      type: 'runs',
      workflowId,
      role: 'editor',
      runs: [summary(run1, { counts: counts({ succeeded: 1, queued: 2 }) })],
    });
    expect(runs.record(run1)?.fold).toBeUndefined();
    expect(runs.resumable(run1)).toBe(true);
    expect(runs.detailsWanted()).toEqual([run1]);
    // Resumed (by hand or on hello): records flow again and a fresh detail shows them.
    runs.receive(events(succeeded(run1, 'sum', 300)));
    const gen = runs.detailRequested(run1);
    runs.acceptDetail(
      detail(run1, { read: 'succeeded', sum: 'succeeded', write: 'running' }, { executedBy: 4242 }),
      gen,
    );
    expect(runs.resumable(run1)).toBe(false);
    expect(runs.nodeStates()?.get(id('write'))).toBe('running');
  });

  it('re-folds a run whose history is replayed from run.started (the orchestrator re-sending it)', () => {
    const runs = new WorkflowRuns(workflowId);
    runs.receive(events(started(run1), running(run1, 'read', 110)));
    runs.receive(events(started(run1), succeeded(run1, 'read', 120), running(run1, 'sum', 121)));
    expect(Object.fromEntries(runs.nodeStates() ?? [])).toEqual({
      read: 'succeeded',
      sum: 'running',
      write: 'queued',
    });
  });

  it('follows a re-run started here; its cached nodes say which run they came from', () => {
    const runs = new WorkflowRuns(workflowId);
    runs.receive(events(started(run1), finished(run1, 200, 'failed')));
    runs.noteStarted(summary(run2, { startedAt: 300 }));
    expect(runs.selected).toBe(run2);
    runs.receive(
      events(started(run2, 300, { rerunOf: run1, from: id('sum') }), {
        type: 'node.cached',
        runId: run2,
        at: 301,
        nodeId: id('read'),
        outputs: { text: hash('a') },
        fromRun: run1,
      }),
    );
    expect(runs.nodeStates()?.get(id('read'))).toBe('cached');
    expect(runs.list().map((r) => r.runId)).toEqual([run2, run1]);
    const model = runPanelModel(runs.record(run2)!, runs.progress()!, false, null);
    expect(model?.options).toMatchObject({ rerunOf: run1, from: 'sum' });
    expect(model?.nodes.find((n) => n.nodeId === 'read')).toMatchObject({ state: 'cached', fromRun: run1 });
    // What collaborators are told: the run started here, queued nodes left out.
    expect(runs.broadcast()).toEqual({
      runId: run2,
      status: 'running',
      fraction: 1 / 3,
      states: { read: 'cached' },
    });
  });

  it('keeps a cancelled run’s requests, reasons and final status', () => {
    const runs = new WorkflowRuns(workflowId);
    runs.receive(
      events(
        started(run1),
        running(run1, 'read', 110),
        { type: 'run.cancelRequested', runId: run1, at: 111 },
        { type: 'node.cancelled', runId: run1, at: 112, nodeId: id('read'), reason: 'cancelled by ada' },
        {
          type: 'node.skipped',
          runId: run1,
          at: 112,
          nodeId: id('sum'),
          reason: 'upstream node read was cancelled',
        },
        {
          type: 'node.skipped',
          runId: run1,
          at: 112,
          nodeId: id('write'),
          reason: 'upstream node read was cancelled',
        },
        finished(run1, 113, 'cancelled'),
      ),
    );
    const model = runPanelModel(runs.record(run1)!, runs.progress()!, false, null);
    expect(model).toMatchObject({
      status: 'cancelled',
      cancelRequested: true,
      progress: { done: 3, fraction: 1 },
    });
    expect(model?.nodes.map((n) => [n.nodeId, n.state, n.reason])).toEqual([
      ['read', 'cancelled', 'cancelled by ada'],
      ['sum', 'skipped', 'upstream node read was cancelled'],
      ['write', 'skipped', 'upstream node read was cancelled'],
    ]);
  });

  it('follows new runs until a person picks one, and never leaves a running run for another', () => {
    const runs = new WorkflowRuns(workflowId);
    runs.receive(events(started(run1)));
    expect(runs.selected).toBe(run1);
    // run1 still runs: a second run does not take the board away from it.
    runs.receive(events(started(run2, 200)));
    expect(runs.selected).toBe(run1);
    runs.receive(events(finished(run1, 250, 'succeeded')));
    runs.select(run1, 'person');
    const run3 = 'run_aaaaaaaa0003' as RunId;
    runs.receive(events(started(run3, 300)));
    expect(runs.selected).toBe(run1);
    runs.select(null);
    runs.receive(events(finished(run2, 310, 'succeeded'), started('run_aaaaaaaa0004' as RunId, 320)));
    expect(runs.selected).toBe('run_aaaaaaaa0004');
  });

  it('appends streamed tokens and logs per node; a new attempt starts its tokens afresh', () => {
    const runs = new WorkflowRuns(workflowId);
    runs.receive(events(started(run1), running(run1, 'sum', 110)));
    const progress = (attempt: number, tokens?: string, message?: string): WorkflowMessage => ({
      type: 'progress',
      workflowId,
      progress: [{ runId: run1, nodeId: id('sum'), attempt, tokens, message }],
    });
    runs.receive(progress(1, 'The quick ', 'calling the model'));
    runs.receive(progress(1, 'brown fox'));
    expect(runs.record(run1)?.live.get(id('sum'))).toMatchObject({
      tokens: 'The quick brown fox',
      logs: ['calling the model'],
    });
    runs.receive(
      events({
        type: 'node.retrying',
        runId: run1,
        at: 120,
        nodeId: id('sum'),
        attempt: 1,
        error: { code: 'timeout', message: 'slow', retryable: true },
        retryAt: 130,
      }),
    );
    runs.receive(events(running(run1, 'sum', 130, 2)));
    expect(runs.record(run1)?.live.get(id('sum'))?.tokens).toBe('');
    runs.receive(progress(2, 'A lazy dog'));
    expect(runs.record(run1)?.live.get(id('sum'))).toMatchObject({
      attempt: 2,
      tokens: 'A lazy dog',
      logs: ['calling the model'],
    });
  });

  it('keeps the orchestrator’s refusal of the watch until a listing comes', () => {
    const runs = new WorkflowRuns(workflowId);
    runs.receive({
      type: 'error',
      workflowId,
      code: 'not_a_member',
      message: 'you are not a member of this workspace',
    });
    expect(runs.refusal).toEqual({ code: 'not_a_member', message: 'you are not a member of this workspace' });
    runs.receive({ type: 'runs', workflowId, role: 'viewer', runs: [] });
    expect(runs.refusal).toBeNull();
  });

  it('bumps its version on every change, so a host knows when to redraw', () => {
    const runs = new WorkflowRuns(workflowId);
    const before = runs.version;
    runs.receive(events(started(run1)));
    runs.select(null);
    expect(runs.version).toBe(before + 2);
  });
});

describe('WorkflowRuns with records delivered twice', () => {
  it('takes a record delivered twice once: a finished run stays finished, its nodes as they ended', () => {
    const runs = new WorkflowRuns(workflowId);
    const all = [
      started(run1),
      running(run1, 'read', 110),
      succeeded(run1, 'read', 120),
      running(run1, 'sum', 121),
      succeeded(run1, 'sum', 130),
      running(run1, 'write', 131),
      succeeded(run1, 'write', 140),
      finished(run1, 141, 'succeeded'),
    ];
    runs.receive(events(...all));
    runs.receive(events(running(run1, 'sum', 121)));
    runs.receive(events(...all.slice(3)));
    expect(runs.status()).toBe('succeeded');
    expect(runs.nodeStates()?.get(id('sum'))).toBe('succeeded');
    expect(runs.record(run1)?.summary?.counts).toMatchObject({ succeeded: 3, running: 0 });
  });

  it('drops the fold when a partial replay begins with run.started, and shows the run from its detail', () => {
    const runs = new WorkflowRuns(workflowId);
    runs.receive(events(started(run1), running(run1, 'read', 110), succeeded(run1, 'read', 120)));
    runs.receive(events(finished(run1, 130, 'failed')));
    // The orchestrator sends a run.started again (its own clock, a second journal reader): not refolded.
    runs.receive(events(started(run1, 200), running(run1, 'sum', 210)));
    expect(runs.record(run1)?.fold).toBeUndefined();
    expect(runs.detailsWanted()).toContain(run1);
    expect(runs.broadcast()?.status).not.toBe('running');
    runs.acceptDetail(detail(run1, { read: 'succeeded', sum: 'failed' }, { status: 'failed' }), 99);
    expect(runs.status()).toBe('failed');
    expect(runs.nodeStates()?.get(id('sum'))).toBe('failed');
  });
});

describe('WorkflowRuns and another workflow’s runs', () => {
  const elsewhere = { ...source, workflowId: 'wf0000000000000000009' } as never;

  it('records no run of another workflow as started here', () => {
    const runs = new WorkflowRuns(workflowId);
    runs.receive({ type: 'runs', workflowId, role: 'editor', runs: [] });
    runs.noteStarted(summary(run2, { source: elsewhere }));
    expect(runs.selected).toBeNull();
    expect(runs.list()).toEqual([]);
    expect(runs.broadcast()).toBeNull();
  });

  it('shows another workflow’s run opened from a lineage without taking its role, listing or drawing it', () => {
    const runs = new WorkflowRuns(workflowId);
    runs.receive({
      type: 'runs',
      workflowId,
      role: 'viewer',
      runs: [summary(run1, { status: 'succeeded' })],
    });
    runs.select(run2, 'person');
    runs.acceptDetail(detail(run2, { sum: 'running' }, { source: elsewhere }), 0);
    expect(runs.role).toBe('viewer');
    expect(runs.list().map((r) => r.runId)).toEqual([run1]);
    expect(runs.nodeStates(run2)).toBeNull();
    expect(runs.broadcast()).toBeNull();
    expect(runs.isOwn(run2)).toBe(false);
    expect(runs.isOwn(run1)).toBe(true);
    // The panel still shows it, read-only.
    expect(runs.record(run2)?.detail?.run.runId).toBe(run2);
  });
});

describe('WorkflowRuns while nodes stream', () => {
  it('keeps the canvas’s states as they were when only progress came', () => {
    const runs = new WorkflowRuns(workflowId);
    runs.receive(events(started(run1), running(run1, 'sum', 110)));
    const before = runs.nodeStates();
    runs.receive({
      type: 'progress',
      workflowId,
      progress: [{ runId: run1, nodeId: id('sum'), attempt: 1, tokens: 'abc' }],
    } as WorkflowMessage);
    expect(runs.nodeStates()).toBe(before);
    runs.receive(events(succeeded(run1, 'sum', 120)));
    expect(runs.nodeStates()).not.toBe(before);
  });
});

describe('runPanelModel', () => {
  it('takes states from the fold, attempts and inputs from the detail, the document from the pinned workflow', () => {
    const runs = new WorkflowRuns(workflowId);
    runs.receive(
      events(
        started(run1),
        running(run1, 'read', 110),
        succeeded(run1, 'read', 150),
        running(run1, 'sum', 151),
      ),
    );
    runs.acceptDetail(
      detail(run1, { read: 'succeeded', sum: 'queued', write: 'queued' }),
      runs.detailRequested(run1),
    );
    runs.receive(
      events(
        succeeded(run1, 'sum', 170),
        running(run1, 'write', 171),
        succeeded(run1, 'write', 180),
        finished(run1, 181, 'succeeded'),
      ),
    );
    const model = runPanelModel(runs.record(run1)!, runs.progress()!, false, null);
    expect(model).toMatchObject({
      status: 'succeeded',
      startedBy: 'ada',
      pinned: 'abcdef01+1',
      finishedAt: 181,
    });
    const read = model?.nodes.find((n) => n.nodeId === 'read');
    expect(read).toMatchObject({ state: 'succeeded', durationMs: 40, inputs: { text: [hash('b')] } });
    expect(read?.attempts).toHaveLength(1);
    expect(model?.nodes.find((n) => n.nodeId === 'sum')?.state).toBe('succeeded');
    expect(model?.nodes.find((n) => n.nodeId === 'write')?.documentId).toBe('doc_0000000000000001');
  });

  it('says the pinned version in short', () => {
    expect(shortVersion(undefined)).toBeNull();
    expect(shortVersion({ kind: 'file', path: 'w.json', hash: hash('c') })).toBe('cccccccc');
    expect(shortVersion(source as never)).toBe('abcdef01+1');
    expect(shortVersion({ ...source, heads: [] } as never)).toBeNull();
  });
});
