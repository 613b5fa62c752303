// The pure scheduling core, driven by hand and by seeded random executors: ready order, limits,
// failures and skips, retries and backoff, cancellation, resume from a folded journal.
import { foldRun } from '@symphony/pit';
import {
  type NodeId,
  type RunError,
  type RunEvent,
  type RunId,
  RunOptions,
  type RunSource,
  type Workflow,
} from '@symphony/schemas';
import * as prng from 'lib0/prng';
import { describe, expect, it } from 'vitest';
import { buildRunGraph, type RunGraph } from './graph.js';
import { backoffDelay, type PlannerCommand, type PlannerLimits, RunPlanner } from './planner.js';
import { dagWorkflow, type TestNode, testLibrary } from './test-kit.js';

const runId = 'run_plannertest1' as RunId;
const source: RunSource = { kind: 'file', path: 'w.json', hash: '0'.repeat(64) } as RunSource;
const limits: PlannerLimits = {
  concurrency: 8,
  defaultMaxAttempts: 3,
  backoffBaseMs: 1000,
  backoffMaxMs: 60_000,
};
const retryable: RunError = { code: 'timeout', message: 'took too long', retryable: true };
const fatal: RunError = { code: 'step_failed', message: 'broke', retryable: false };

function graphOf(workflow: Workflow): RunGraph {
  return buildRunGraph(workflow, testLibrary);
}

function diamond(): Workflow {
  const nodes: TestNode[] = [
    { id: 'a', type: 't-source' },
    { id: 'b', type: 't-pass' },
    { id: 'c', type: 't-pass' },
    { id: 'd', type: 't-join' },
  ];
  return dagWorkflow(nodes, [
    ['a', 'b'],
    ['a', 'c'],
    ['b', 'd'],
    ['c', 'd'],
  ]);
}

const id = (s: string) => s as NodeId;
const starts = (commands: PlannerCommand[]) =>
  commands.filter((c) => c.kind === 'start').map((c) => (c.kind === 'start' ? c.nodeId : ''));
const ok = (nodeId: string, at = 0): RunEvent => ({
  type: 'node.succeeded',
  runId,
  at,
  nodeId: id(nodeId),
  attempt: 1,
  outputs: {},
});

describe('RunPlanner', () => {
  it('starts nodes as soon as all their inputs succeeded, and finishes succeeded', () => {
    const planner = new RunPlanner(graphOf(diamond()), limits, Math.random);
    expect(planner.next(0)).toEqual([{ kind: 'start', nodeId: 'a', attempt: 1 }]);
    expect(planner.next(0)).toEqual([]);
    planner.apply({ type: 'node.running', runId, at: 0, nodeId: id('a'), attempt: 1 });
    planner.apply(ok('a'));
    expect(starts(planner.next(0))).toEqual(['b', 'c']);
    planner.apply(ok('b'));
    expect(planner.next(0)).toEqual([]);
    planner.apply({ type: 'node.cached', runId, at: 0, nodeId: id('c'), outputs: {} });
    expect(starts(planner.next(0))).toEqual(['d']);
    planner.apply(ok('d'));
    expect(planner.next(0)).toEqual([{ kind: 'finish', status: 'succeeded' }]);
    expect(planner.next(0)).toEqual([]);
    planner.apply({ type: 'run.finished', runId, at: 0, status: 'succeeded' });
    expect(planner.finished).toBe(true);
  });

  it('finishes at once when nothing runs (only notes), and leaves notes out', () => {
    const graph = graphOf(dagWorkflow([{ id: 'n', type: 'note' }], []));
    expect(graph.nodes).toHaveLength(0);
    expect(new RunPlanner(graph, limits, Math.random).next(0)).toEqual([
      { kind: 'finish', status: 'succeeded' },
    ]);
  });

  it('keeps to the global limit and starts the oldest ready node first', () => {
    const nodes: TestNode[] = Array.from({ length: 10 }, (_, i) => ({ id: `s${i}`, type: 't-source' }));
    const planner = new RunPlanner(
      graphOf(dagWorkflow(nodes, [])),
      { ...limits, concurrency: 3 },
      Math.random,
    );
    expect(starts(planner.next(0))).toEqual(['s0', 's1', 's2']);
    expect(planner.inFlight).toBe(3);
    planner.apply(ok('s1'));
    expect(starts(planner.next(0))).toEqual(['s3']);
    planner.apply({
      type: 'node.retrying',
      runId,
      at: 0,
      nodeId: id('s0'),
      attempt: 1,
      error: retryable,
      retryAt: 50,
    });
    expect(starts(planner.next(0))).toEqual(['s4']);
    // At 50 the retry is due; it is younger than s5…s9 in the ready order, so it waits its turn.
    planner.apply(ok('s2'));
    planner.apply(ok('s3'));
    expect(starts(planner.next(50))).toEqual(['s5', 's6']);
  });

  it('keeps to a per-type limit while other types go on', () => {
    const nodes: TestNode[] = [
      ...Array.from({ length: 4 }, (_, i): TestNode => ({ id: `a${i}`, type: 't-source' })),
      { id: 'x', type: 't-source' },
    ];
    const planner = new RunPlanner(
      graphOf(
        dagWorkflow(
          [...nodes, { id: 'p0', type: 't-pass' }, { id: 'p1', type: 't-pass' }],
          [
            ['x', 'p0'],
            ['x', 'p1'],
          ],
        ),
      ),
      { ...limits, concurrency: 4, typeConcurrency: new Map([['t-pass', 1]]) },
      Math.random,
    );
    expect(starts(planner.next(0))).toEqual(['a0', 'a1', 'a2', 'a3']);
    planner.apply(ok('a0'));
    expect(starts(planner.next(0))).toEqual(['x']);
    planner.apply(ok('x'));
    planner.apply(ok('a1'));
    planner.apply(ok('a2'));
    expect(starts(planner.next(0))).toEqual(['p0']);
    planner.apply(ok('p0'));
    expect(starts(planner.next(0))).toEqual(['p1']);
  });

  it('skips the descendants of a failed node while an independent branch goes on; the run fails', () => {
    const workflow = dagWorkflow(
      [
        { id: 'a', type: 't-source' },
        { id: 'b', type: 't-pass' },
        { id: 'c', type: 't-pass' },
        { id: 'x', type: 't-source' },
        { id: 'y', type: 't-pass' },
      ],
      [
        ['a', 'b'],
        ['b', 'c'],
        ['x', 'y'],
      ],
    );
    const planner = new RunPlanner(graphOf(workflow), limits, Math.random);
    expect(starts(planner.next(0))).toEqual(['a', 'x']);
    planner.apply({ type: 'node.failed', runId, at: 0, nodeId: id('a'), attempt: 1, error: fatal });
    planner.apply(ok('x'));
    const commands = planner.next(0);
    expect(commands).toEqual([
      { kind: 'skip', nodeId: 'b', reason: 'upstream node a failed' },
      { kind: 'skip', nodeId: 'c', reason: 'upstream node a failed' },
      { kind: 'start', nodeId: 'y', attempt: 1 },
    ]);
    planner.apply({ type: 'node.skipped', runId, at: 0, nodeId: id('b'), reason: 'upstream node a failed' });
    planner.apply({ type: 'node.skipped', runId, at: 0, nodeId: id('c'), reason: 'upstream node a failed' });
    expect(planner.next(0)).toEqual([]);
    planner.apply(ok('y'));
    expect(planner.next(0)).toEqual([{ kind: 'finish', status: 'failed' }]);
  });

  it('retries a retryable failure after the backoff, with the next attempt, and asks to be woken', () => {
    const planner = new RunPlanner(graphOf(diamond()), limits, () => 0.5);
    planner.next(0);
    const retryAt = planner.retryAt(id('a'), 1, retryable, 1000);
    expect(retryAt).toBe(1000 + 750);
    planner.apply({
      type: 'node.retrying',
      runId,
      at: 1000,
      nodeId: id('a'),
      attempt: 1,
      error: retryable,
      retryAt: 1750,
    });
    expect(planner.next(1000)).toEqual([{ kind: 'wake', at: 1750 }]);
    expect(planner.next(1200)).toEqual([]);
    expect(planner.next(1750)).toEqual([{ kind: 'start', nodeId: 'a', attempt: 2 }]);
    expect(planner.retryAt(id('a'), 2, retryable, 2000)).toBe(2000 + 1500);
    expect(planner.retryAt(id('a'), 3, retryable, 2000)).toBeUndefined();
    expect(planner.retryAt(id('a'), 1, fatal, 2000)).toBeUndefined();
  });

  it('uses the node type’s own attempts when given', () => {
    const planner = new RunPlanner(
      graphOf(diamond()),
      { ...limits, maxAttempts: new Map([['t-source', 1]]) },
      Math.random,
    );
    expect(planner.retryAt(id('a'), 1, retryable, 0)).toBeUndefined();
    expect(planner.retryAt(id('b'), 2, retryable, 0)).toBeDefined();
  });

  it('cancels a whole run: queued nodes are cancelled, running ones aborted; the run ends cancelled', () => {
    const planner = new RunPlanner(graphOf(diamond()), limits, Math.random);
    planner.next(0);
    planner.apply(ok('a'));
    expect(starts(planner.next(0))).toEqual(['b', 'c']);
    planner.apply(ok('b'));
    planner.apply({ type: 'run.cancelRequested', runId, at: 1 });
    const commands = planner.next(1);
    expect(commands).toEqual([
      { kind: 'abort', nodeId: 'c', reason: 'run cancelled' },
      { kind: 'cancel', nodeId: 'd', reason: 'run cancelled' },
    ]);
    planner.apply({ type: 'node.cancelled', runId, at: 1, nodeId: id('d'), reason: 'run cancelled' });
    expect(planner.next(1)).toEqual([]);
    planner.apply({ type: 'node.cancelled', runId, at: 2, nodeId: id('c'), reason: 'run cancelled' });
    expect(planner.next(2)).toEqual([{ kind: 'finish', status: 'cancelled' }]);
  });

  it('cancels one node: running → abort, its descendants skipped once it is cancelled; others go on', () => {
    const planner = new RunPlanner(graphOf(diamond()), limits, Math.random);
    planner.next(0);
    planner.apply(ok('a'));
    planner.next(0);
    planner.apply({ type: 'run.cancelRequested', runId, at: 1, nodeId: id('b') });
    planner.apply({ type: 'run.cancelRequested', runId, at: 1, nodeId: id('b') });
    expect(planner.next(1)).toEqual([{ kind: 'abort', nodeId: 'b', reason: 'cancelled' }]);
    planner.apply({ type: 'node.cancelled', runId, at: 2, nodeId: id('b'), reason: 'cancelled' });
    expect(planner.next(2)).toEqual([{ kind: 'skip', nodeId: 'd', reason: 'upstream node b was cancelled' }]);
    planner.apply(ok('c'));
    planner.apply({
      type: 'node.skipped',
      runId,
      at: 2,
      nodeId: id('d'),
      reason: 'upstream node b was cancelled',
    });
    expect(planner.next(2)).toEqual([{ kind: 'finish', status: 'cancelled' }]);
  });

  it('cancels a queued node without starting it, and a retrying one before its next attempt', () => {
    const planner = new RunPlanner(graphOf(diamond()), limits, Math.random);
    planner.apply({ type: 'run.cancelRequested', runId, at: 0, nodeId: id('d') });
    expect(planner.next(0)).toEqual([
      { kind: 'cancel', nodeId: 'd', reason: 'cancelled' },
      { kind: 'start', nodeId: 'a', attempt: 1 },
    ]);
    planner.apply({
      type: 'node.retrying',
      runId,
      at: 0,
      nodeId: id('a'),
      attempt: 1,
      error: retryable,
      retryAt: 9,
    });
    planner.apply({ type: 'run.cancelRequested', runId, at: 1, nodeId: id('a') });
    expect(planner.next(1)).toEqual([{ kind: 'cancel', nodeId: 'a', reason: 'cancelled' }]);
    expect(planner.retryAt(id('a'), 1, retryable, 1)).toBeUndefined();
  });

  it('resumes from a folded journal: finished nodes stay, running ones restart with their attempt first', () => {
    const workflow = dagWorkflow(
      [
        { id: 'a', type: 't-source' },
        { id: 'b', type: 't-pass' },
        { id: 'c', type: 't-pass' },
        { id: 'd', type: 't-pass' },
        { id: 'f', type: 't-source' },
        { id: 'g', type: 't-pass' },
        { id: 'h', type: 't-pass' },
        { id: 'r', type: 't-source' },
        { id: 'q', type: 't-source' },
      ],
      [
        ['a', 'b'],
        ['a', 'c'],
        ['c', 'd'],
        ['f', 'g'],
        ['g', 'h'],
      ],
    );
    const events: RunEvent[] = [
      { type: 'run.started', runId, at: 0, workflow, source, options: RunOptions.parse({}) },
      ok('a'),
      { type: 'node.running', runId, at: 1, nodeId: id('b'), attempt: 2 },
      { type: 'node.succeeded', runId, at: 1, nodeId: id('c'), attempt: 1, outputs: {} },
      // f failed; the process stopped before g and h were recorded skipped.
      { type: 'node.failed', runId, at: 2, nodeId: id('f'), attempt: 1, error: fatal },
      { type: 'node.retrying', runId, at: 2, nodeId: id('r'), attempt: 1, error: retryable, retryAt: 100 },
    ];
    const planner = new RunPlanner(graphOf(workflow), limits, Math.random, foldRun(events));
    expect(planner.next(10)).toEqual([
      { kind: 'skip', nodeId: 'g', reason: 'upstream node f failed' },
      { kind: 'skip', nodeId: 'h', reason: 'upstream node f failed' },
      { kind: 'start', nodeId: 'b', attempt: 2 },
      { kind: 'start', nodeId: 'd', attempt: 1 },
      { kind: 'start', nodeId: 'q', attempt: 1 },
      { kind: 'wake', at: 100 },
    ]);
    expect(planner.next(100)).toEqual([{ kind: 'start', nodeId: 'r', attempt: 2 }]);
  });

  it('resumes a run whose cancellation was asked for: nothing starts, everything unfinished is cancelled', () => {
    const events: RunEvent[] = [
      { type: 'run.started', runId, at: 0, workflow: diamond(), source, options: RunOptions.parse({}) },
      ok('a'),
      { type: 'node.running', runId, at: 1, nodeId: id('b'), attempt: 1 },
      { type: 'run.cancelRequested', runId, at: 2 },
      { type: 'node.cancelled', runId, at: 3, nodeId: id('c'), reason: 'run cancelled' },
    ];
    const planner = new RunPlanner(graphOf(diamond()), limits, Math.random, foldRun(events));
    expect(planner.next(5)).toEqual([
      { kind: 'skip', nodeId: 'd', reason: 'upstream node c was cancelled' },
      { kind: 'cancel', nodeId: 'b', reason: 'run cancelled' },
    ]);
  });

  it('gives nothing more once run.finished is applied', () => {
    const planner = new RunPlanner(graphOf(diamond()), limits, Math.random);
    planner.apply({ type: 'run.finished', runId, at: 0, status: 'cancelled' });
    expect(planner.next(0)).toEqual([]);
  });
});

describe('backoffDelay', () => {
  it('doubles per attempt up to the maximum, with jitter between half and all of it', () => {
    const gen = prng.create(7);
    for (let attempt = 1; attempt <= 12; attempt++) {
      const exponential = Math.min(60_000, 1000 * 2 ** (attempt - 1));
      const delay = backoffDelay(attempt, 1000, 60_000, () => prng.real53(gen));
      expect(delay).toBeGreaterThanOrEqual(exponential / 2);
      expect(delay).toBeLessThanOrEqual(exponential);
    }
    expect(backoffDelay(1, 1000, 60_000, () => 0)).toBe(500);
    expect(backoffDelay(100, 1000, 60_000, () => 0.999_999)).toBe(60_000);
  });
});
