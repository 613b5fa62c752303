// Tests of which run a board shows: its own orchestrator's selected run, or a collaborator's
// broadcast (read-only, "Run by … (live)") when this orchestrator does not know that run.
import {
  type BoardRun,
  type NodeId,
  type RunEvent,
  type RunId,
  RunOptions,
  type Workflow,
  type WorkflowId,
} from '@symphony/schemas';
import { describe, expect, it } from 'vitest';
import { RemoteStatesMemo, remoteNodeStates, shownRun } from './shown-run.js';
import { WorkflowRuns } from './workflow-runs.js';

const workflowId = 'wf0000000000000000001' as WorkflowId;
const mine = 'run_aaaaaaaa0001' as RunId;
const theirs = 'run_bbbbbbbb0001' as RunId;
const node = (kind: string) => ({
  type: kind === 'addon' ? 'note' : 'summarize',
  kind,
  params: {},
  position: { x: 0, y: 0 },
});
const workflow = {
  name: 'w',
  nodes: { a: node('operator'), b: node('operator'), n: node('addon') },
  edges: {},
} as unknown as Workflow;
const started: RunEvent = {
  type: 'run.started',
  runId: mine,
  at: 1,
  workflow,
  source: { kind: 'automerge', server: 's', workflowId, heads: ['h'] } as never,
  options: RunOptions.parse({}),
};
const broadcast = (status: 'running' | 'succeeded', states: Record<string, string>): BoardRun =>
  ({
    type: 'board-run',
    user: { name: 'Bea', color: '#1e6fd9' },
    runId: theirs,
    status,
    fraction: 0.5,
    states,
    at: 10,
  }) as BoardRun;
const states = (run: BoardRun) => remoteNodeStates(run, workflow);

describe('shownRun', () => {
  it('shows a collaborator’s run, read-only and labelled, when this board shows none', () => {
    const runs = new WorkflowRuns(workflowId);
    const shown = shownRun({ runs }, [broadcast('running', { a: 'succeeded', b: 'running' })], states);
    expect(shown.remote?.runId).toBe(theirs);
    expect(shown.line).toBe('Run by Bea (live): 50% done · 1 node finished');
    expect(Object.fromEntries(shown.states ?? [])).toEqual({ a: 'succeeded', b: 'running' });
  });

  it('shows it too while this page has no orchestrator at all', () => {
    const shown = shownRun({ runs: null }, [broadcast('succeeded', { a: 'succeeded' })], states);
    expect(shown.line).toMatch(/^Run by Bea \(finished\)/);
    expect(shown.states?.get('b' as NodeId)).toBe('queued');
  });

  it('prefers this board’s own running run, and a run its orchestrator knows', () => {
    const runs = new WorkflowRuns(workflowId);
    runs.receive({ type: 'events', workflowId, events: [started] });
    const own = shownRun({ runs }, [broadcast('running', {})], states);
    expect(own.remote).toBeNull();
    expect(own.line).toBe('Running: 0 of 2 nodes done');
    // The collaborator's run is one this orchestrator runs too: its own view wins.
    const known = shownRun({ runs }, [{ ...broadcast('running', {}), runId: mine }], states);
    expect(known.remote).toBeNull();
  });

  it('switches to a collaborator’s running run once this board’s own has finished', () => {
    const runs = new WorkflowRuns(workflowId);
    runs.receive({
      type: 'events',
      workflowId,
      events: [started, { type: 'run.finished', runId: mine, at: 2, status: 'succeeded' }],
    });
    expect(shownRun({ runs }, [broadcast('running', {})], states).remote?.runId).toBe(theirs);
    expect(shownRun({ runs }, [broadcast('succeeded', {})], states).remote).toBeNull();
  });

  it('builds a broadcast’s states once per message and workflow', () => {
    const memo = new RemoteStatesMemo();
    const run = broadcast('running', { a: 'running' });
    expect(memo.of(run, workflow)).toBe(memo.of(run, workflow));
    expect(memo.of({ ...run }, workflow)).not.toBe(memo.of(run, workflow));
  });

  it('draws nodes named like Object’s own properties as queued when a broadcast leaves them out', () => {
    const odd = {
      ...workflow,
      nodes: { constructor: node('operator'), toString: node('operator'), __proto__x: node('operator') },
    } as unknown as Workflow;
    const shown = remoteNodeStates(broadcast('running', { toString: 'running' }), odd);
    expect(Object.fromEntries(shown)).toEqual({
      constructor: 'queued',
      toString: 'running',
      __proto__x: 'queued',
    });
  });

  it('does not draw another workflow’s run (opened from a lineage) on this board', () => {
    const runs = new WorkflowRuns(workflowId);
    runs.receive({ type: 'runs', workflowId, role: 'editor', runs: [] });
    runs.select(theirs, 'person');
    runs.acceptDetail(
      {
        run: {
          runId: theirs,
          status: 'running',
          workflow: 'other',
          source: { kind: 'automerge', server: 's', workflowId: 'wf0000000000000000009', heads: ['h'] },
          startedAt: 1,
          nodes: 1,
          counts: { queued: 1 },
          options: RunOptions.parse({}),
          cancelRequested: false,
          usage: { inputTokens: 0, outputTokens: 0, costUsd: 0, calls: 0 },
          nodeStates: [{ nodeId: 'a', type: 'summarize', state: 'running', attempts: [] }],
        },
        live: {},
        role: 'editor',
      } as never,
      0,
    );
    const shown = shownRun({ runs }, [], states);
    expect(shown.states).toBeNull();
    expect(shown.status).toBeNull();
  });
});
