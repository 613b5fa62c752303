// Folding a run's journal records into its state, and applying one record at a time.
import type { NodeId, RunError, RunEvent, RunId, Workflow } from '@symphony/schemas';
import { RunOptions } from '@symphony/schemas';
import { describe, expect, it } from 'vitest';
import { PitInputError } from './errors.js';
import { applyRunEvent, foldRun, isFinalNodeState, RunHistoryError } from './run-state.js';

const runId = 'run_state0000001' as RunId;
const node = (type: string, kind: 'operator' | 'addon' = 'operator') => ({
  type,
  kind,
  params: {},
  position: { x: 0, y: 0 },
});
const workflow = {
  name: 'w',
  nodes: { a: node('read-code'), b: node('split-text'), c: node('join-text'), n: node('note', 'addon') },
  edges: {},
} as unknown as Workflow;
const source = { kind: 'file', path: 'w.json', hash: '0'.repeat(64) } as const;
const started: RunEvent = {
  type: 'run.started',
  runId,
  at: 100,
  workflow,
  source: source as never,
  options: RunOptions.parse({ cache: false }),
  startedBy: 'ada',
};
const oops: RunError = { code: 'timeout', message: 'slow', retryable: true };
const id = (s: string) => s as NodeId;

describe('foldRun', () => {
  it('starts with every node that runs queued, notes left out', () => {
    const state = foldRun([started]);
    expect(state).toMatchObject({
      runId,
      status: 'running',
      startedAt: 100,
      startedBy: 'ada',
      cancelRequested: false,
    });
    expect(state.options.cache).toBe(false);
    expect([...state.nodes.keys()]).toEqual(['a', 'b', 'c']);
    expect(state.counts).toMatchObject({ queued: 3, running: 0 });
  });

  it('follows each node through its records: attempts, retries, outputs, errors, reasons, times', () => {
    const out = 'f'.repeat(64);
    const state = foldRun([
      started,
      { type: 'node.running', runId, at: 110, nodeId: id('a'), attempt: 1 },
      { type: 'node.retrying', runId, at: 120, nodeId: id('a'), attempt: 1, error: oops, retryAt: 200 },
      { type: 'node.running', runId, at: 200, nodeId: id('a'), attempt: 2 },
      {
        type: 'node.succeeded',
        runId,
        at: 210,
        nodeId: id('a'),
        attempt: 2,
        outputs: { code: out as never },
        cacheKey: out as never,
      },
      {
        type: 'node.cached',
        runId,
        at: 211,
        nodeId: id('b'),
        outputs: {},
        fromRun: 'run_older000001' as RunId,
      },
      { type: 'run.cancelRequested', runId, at: 212, nodeId: id('c') },
      { type: 'node.cancelled', runId, at: 213, nodeId: id('c'), reason: 'cancelled' },
      { type: 'run.finished', runId, at: 214, status: 'cancelled' },
    ]);
    expect(state.nodes.get(id('a'))).toEqual({
      nodeId: 'a',
      state: 'succeeded',
      attempt: 2,
      outputs: { code: out },
      cacheKey: out,
      error: undefined,
      retryAt: undefined,
      startedAt: 200,
      finishedAt: 210,
    });
    expect(state.nodes.get(id('b'))).toMatchObject({
      state: 'cached',
      fromRun: 'run_older000001',
      finishedAt: 211,
    });
    expect(state.nodes.get(id('c'))).toMatchObject({ state: 'cancelled', reason: 'cancelled' });
    expect([...state.cancelRequestedNodes]).toEqual(['c']);
    expect(state).toMatchObject({ status: 'cancelled', finishedAt: 214, updatedAt: 214 });
    expect(state.counts).toMatchObject({ queued: 0, succeeded: 1, cached: 1, cancelled: 1 });
  });

  it('keeps a retrying node’s error and retryAt, and a failure’s error', () => {
    const state = foldRun([
      started,
      { type: 'node.retrying', runId, at: 120, nodeId: id('a'), attempt: 1, error: oops, retryAt: 200 },
      {
        type: 'node.failed',
        runId,
        at: 130,
        nodeId: id('b'),
        attempt: 3,
        error: { ...oops, retryable: false },
      },
      { type: 'node.skipped', runId, at: 131, nodeId: id('c'), reason: 'upstream node b failed' },
      { type: 'run.cancelRequested', runId, at: 132 },
    ]);
    expect(state.nodes.get(id('a'))).toMatchObject({
      state: 'retrying',
      attempt: 1,
      error: oops,
      retryAt: 200,
    });
    expect(state.nodes.get(id('b'))).toMatchObject({ state: 'failed', attempt: 3, finishedAt: 130 });
    expect(state.nodes.get(id('c'))).toMatchObject({ state: 'skipped', reason: 'upstream node b failed' });
    expect(state.cancelRequested).toBe(true);
    expect(state.status).toBe('running');
  });

  it('refuses histories that are not a run’s', () => {
    expect(() => foldRun([])).toThrow(RunHistoryError);
    expect(() => foldRun([{ type: 'nonsense' } as never])).toThrow(PitInputError);
    expect(() => foldRun('events' as never)).toThrow(/foldRun: invalid arguments/);
    expect(() => foldRun([{ type: 'run.finished', runId, at: 1, status: 'succeeded' }])).toThrow(
      /not run.started/,
    );
    expect(() => foldRun([started, started])).toThrow(/second run.started/);
    const state = foldRun([started]);
    expect(() =>
      applyRunEvent(state, {
        type: 'run.finished',
        runId: 'run_another00001' as RunId,
        at: 1,
        status: 'failed',
      }),
    ).toThrow(RunHistoryError);
  });

  it('applies records in place, so a long run folds in one pass', () => {
    const state = foldRun([started]);
    const same = applyRunEvent(state, { type: 'node.running', runId, at: 101, nodeId: id('b'), attempt: 1 });
    expect(same).toBe(state);
    expect(state.counts).toMatchObject({ queued: 2, running: 1 });
  });
});

describe('isFinalNodeState', () => {
  it('is true for succeeded, cached, failed, cancelled and skipped only', () => {
    const final = [
      'queued',
      'running',
      'retrying',
      'succeeded',
      'failed',
      'cached',
      'cancelled',
      'skipped',
    ].filter((s) => isFinalNodeState(s as never));
    expect(final).toEqual(['succeeded', 'failed', 'cached', 'cancelled', 'skipped']);
  });
});
