import type { NodeId, RunEvent } from '@symphony/schemas';
import { describe, expect, it } from 'vitest';
import { OrchestratorInputError, StepAbortError } from '../src/index.js';
import { backoffDelay, dagWorkflow, type TestNode } from '../src/internal.js';
import { type StepContext, StepError } from '../src/steps/Step.js';
import {
  eventually,
  gate,
  harness,
  SEED,
  seeded,
  settle,
  source,
  statesOf,
  untilAborted,
} from './executor-harness.js';

const diamond = () =>
  dagWorkflow(
    [
      { id: 'a', type: 't-source', value: 'A' },
      { id: 'b', type: 't-pass', value: 'B' },
      { id: 'c', type: 't-pass', value: 'C' },
      { id: 'd', type: 't-join' },
      { id: 'note', type: 'note', value: 'not run' },
    ],
    [
      ['a', 'b'],
      ['a', 'c'],
      ['b', 'd'],
      ['c', 'd'],
    ],
  );

const types = (events: RunEvent[]) =>
  events.map((e) => ('nodeId' in e && e.nodeId ? `${e.type}:${e.nodeId}` : e.type));

describe('Executor: running a workflow', () => {
  it('runs nodes after their inputs, passes values along edges, stores outputs with provenance', async () => {
    const h = harness();
    const run = await h.executor.start({ workflow: diamond(), source, startedBy: 'ada@example.com' });
    const state = await run.done;
    expect(state.status).toBe('succeeded');
    expect(statesOf(state)).toEqual({ a: 'succeeded', b: 'succeeded', c: 'succeeded', d: 'succeeded' });
    const d = state.nodes.get('d' as NodeId)!.outputs!.out!;
    expect(new TextDecoder().decode(await h.store.get(d))).toBe('B+A+C+A');
    const info = await h.store.info(d);
    expect(info?.producedBy).toEqual([
      {
        runId: run.runId,
        nodeId: 'd',
        port: 'out',
        inputs: [state.nodes.get('b' as NodeId)!.outputs!.out, state.nodes.get('c' as NodeId)!.outputs!.out],
      },
    ]);
    const history = await h.tracker.history(run.runId);
    expect(history[0]).toMatchObject({
      type: 'run.started',
      startedBy: 'ada@example.com',
      options: { cache: true },
    });
    const order = types(history);
    expect(order.indexOf('node.succeeded:a')).toBeLessThan(order.indexOf('node.running:b'));
    expect(order.indexOf('node.succeeded:c')).toBeLessThan(order.indexOf('node.running:d'));
    expect(order.at(-1)).toBe('run.finished');
    expect(order).not.toContain('node.running:note');
    expect(h.calls.find((c) => c.nodeId === 'd')).toMatchObject({
      attempt: 1,
      idempotencyKey: `${run.runId}/d/1`,
      effectKey: `${run.runId}/d`,
      inputs: { in: ['B+A', 'C+A'] },
    });
  });

  it('makes a success and the starts it allows durable in one record call', async () => {
    const h = harness();
    const batches: string[][] = [];
    const record = h.tracker.record.bind(h.tracker);
    h.tracker.record = (...events) => {
      batches.push(types(events));
      return record(...events);
    };
    const run = await h.executor.start({ workflow: diamond(), source });
    await run.done;
    expect(batches).toContainEqual(['node.succeeded:a', 'node.running:b', 'node.running:c']);
    expect(batches.flat()).toEqual(types(await h.tracker.history(run.runId)));
    expect(batches.length).toBeLessThan(batches.flat().length);
  });

  it('keeps to the global concurrency limit and a step’s own limit (max in flight observed)', async () => {
    let inFlight = 0;
    let maxInFlight = 0;
    let passInFlight = 0;
    let maxPass = 0;
    const slow = (kind: 'source' | 'pass') => async (context: StepContext) => {
      inFlight++;
      if (kind === 'pass') passInFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      maxPass = Math.max(maxPass, passInFlight);
      for (let i = 0; i < 3; i++) await settle();
      inFlight--;
      if (kind === 'pass') passInFlight--;
      return { out: context.nodeId };
    };
    const h = harness({
      limits: { concurrency: 3 },
      steps: { 't-source': { run: slow('source') }, 't-pass': { run: slow('pass'), concurrency: 1 } },
    });
    const nodes: TestNode[] = [];
    const edges: [string, string][] = [];
    for (let i = 0; i < 12; i++) {
      nodes.push({ id: `s${i}`, type: 't-source' }, { id: `p${i}`, type: 't-pass' });
      edges.push([`s${i}`, `p${i}`]);
    }
    const state = await (await h.executor.start({ workflow: dagWorkflow(nodes, edges), source })).done;
    expect(state.status).toBe('succeeded');
    expect(maxInFlight).toBe(3);
    expect(maxPass).toBe(1);
  });

  it('reports step progress to listeners, and drops a listener that throws', async () => {
    const h = harness({
      steps: {
        't-source': {
          run: async (context) => {
            context.progress({ fraction: 0.5, message: 'half' });
            return { out: 'x' };
          },
        },
      },
    });
    const seen: unknown[] = [];
    h.executor.onProgress((event) => seen.push(event));
    h.executor.onProgress(() => {
      throw new Error('listener bug');
    });
    const run = await h.executor.start({
      workflow: dagWorkflow([{ id: 'a', type: 't-source' }], []),
      source,
    });
    await run.done;
    expect(seen).toEqual([
      { runId: run.runId, nodeId: 'a', attempt: 1, progress: { fraction: 0.5, message: 'half' } },
    ]);
    expect(h.warnings.some((w) => w.includes('progress listener'))).toBe(true);
  });

  it('fails a node whose step returns the wrong type, or too large an output, and skips what depends on it', async () => {
    const h = harness({
      limits: { maxOutputBytes: 10 },
      steps: {
        't-source': {
          run: async (c) => ({ out: c.nodeId === 'big' ? 'x'.repeat(11) : (42 as unknown as string) }),
        },
      },
    });
    const workflow = dagWorkflow(
      [
        { id: 'big', type: 't-source' },
        { id: 'num', type: 't-source' },
        { id: 'after', type: 't-pass' },
      ],
      [['num', 'after']],
    );
    const state = await (await h.executor.start({ workflow, source })).done;
    expect(state.status).toBe('failed');
    expect(state.nodes.get('num' as NodeId)?.error).toMatchObject({ code: 'step_failed', retryable: false });
    expect(state.nodes.get('num' as NodeId)?.error?.message).toContain('returned a number for output “out”');
    expect(state.nodes.get('big' as NodeId)?.error).toMatchObject({ code: 'artifact_failed' });
    expect(state.nodes.get('after' as NodeId)).toMatchObject({
      state: 'skipped',
      reason: 'upstream node num failed',
    });
  });
});

describe('Executor: timeouts, retries and backoff', () => {
  it('times out an attempt (the signal says why), retries after the backoff, then succeeds', async () => {
    const signals: AbortSignal[] = [];
    const h = harness({
      limits: { backoffBaseMs: 1000, backoffMaxMs: 60_000 },
      steps: {
        't-source': {
          timeoutMs: 5000,
          run: async (context) => {
            signals.push(context.signal);
            if (context.attempt === 1) return untilAborted(context);
            return { out: 'second time' };
          },
        },
      },
    });
    const run = await h.executor.start({
      workflow: dagWorkflow([{ id: 'a', type: 't-source' }], []),
      source,
    });
    await eventually(h.tracker, run.runId, (e) => e.type === 'node.running');
    await settle();
    const started = h.clock.now();
    h.clock.advance(5000);
    const retrying = await eventually(h.tracker, run.runId, (e) => e.type === 'node.retrying');
    expect(signals[0]?.aborted).toBe(true);
    expect(signals[0]?.reason).toBeInstanceOf(StepAbortError);
    expect((signals[0]!.reason as StepAbortError).kind).toBe('timeout');
    const expectedDelay = backoffDelay(1, 1000, 60_000, seeded(SEED));
    expect(retrying).toMatchObject({
      attempt: 1,
      error: { code: 'timeout', retryable: true },
      retryAt: started + 5000 + expectedDelay,
    });
    h.clock.advance(expectedDelay - 1);
    await settle();
    expect(h.calls).toHaveLength(1);
    h.clock.advance(1);
    const state = await run.done;
    expect(state.status).toBe('succeeded');
    expect(h.calls.map((c) => c.idempotencyKey)).toEqual([`${run.runId}/a/1`, `${run.runId}/a/2`]);
  });

  it('retries a retryable StepError up to the step’s attempts with growing delays, then fails the node', async () => {
    const h = harness({
      limits: { backoffBaseMs: 100, backoffMaxMs: 250 },
      steps: {
        't-source': {
          maxAttempts: 4,
          run: async () => {
            throw new StepError('document_failed', 'server unreachable', true);
          },
        },
      },
    });
    const workflow = dagWorkflow(
      [
        { id: 'a', type: 't-source' },
        { id: 'b', type: 't-pass' },
      ],
      [['a', 'b']],
    );
    const run = await h.executor.start({ workflow, source });
    const random = seeded(SEED);
    for (let attempt = 1; attempt <= 3; attempt++) {
      const event = await eventually(
        h.tracker,
        run.runId,
        (e) => e.type === 'node.retrying' && e.attempt === attempt,
      );
      expect(event.type === 'node.retrying' && event.retryAt - event.at).toBe(
        backoffDelay(attempt, 100, 250, random),
      );
      h.clock.advance(250);
    }
    const state = await run.done;
    expect(state.status).toBe('failed');
    expect(state.nodes.get('a' as NodeId)).toMatchObject({
      state: 'failed',
      attempt: 4,
      error: { code: 'document_failed', message: 'server unreachable', retryable: true },
    });
    expect(state.nodes.get('b' as NodeId)?.state).toBe('skipped');
    expect(h.calls.map((c) => c.attempt)).toEqual([1, 2, 3, 4]);
  });

  it('does not retry a StepError that is not retryable, nor a plain throw (step_failed)', async () => {
    const h = harness({
      steps: {
        't-source': {
          run: async (context) => {
            if (context.nodeId === 'named') throw new StepError('invalid_input', 'bad input');
            if (context.nodeId === 'plain') throw new TypeError('undefined is not a function');
            return { out: 'fine' };
          },
        },
      },
    });
    const workflow = dagWorkflow(
      [
        { id: 'named', type: 't-source' },
        { id: 'plain', type: 't-source' },
        { id: 'fine', type: 't-source' },
        { id: 'after', type: 't-pass' },
      ],
      [['fine', 'after']],
    );
    const state = await (await h.executor.start({ workflow, source })).done;
    expect(state.status).toBe('failed');
    expect(state.nodes.get('named' as NodeId)?.error).toEqual({
      code: 'invalid_input',
      message: 'bad input',
      retryable: false,
    });
    expect(state.nodes.get('plain' as NodeId)?.error).toEqual({
      code: 'step_failed',
      message: 'undefined is not a function',
      retryable: false,
    });
    expect(statesOf(state)).toMatchObject({ fine: 'succeeded', after: 'succeeded' });
    expect(h.calls.filter((c) => c.nodeId !== 'fine' && c.nodeId !== 'after')).toHaveLength(2);
  });
});

describe('Executor: cancellation', () => {
  function blockingHarness() {
    const signals = new Map<string, AbortSignal>();
    const h = harness({
      steps: {
        't-pass': {
          run: async (context) => {
            signals.set(context.nodeId, context.signal);
            if (context.nodeId === 'b') return untilAborted(context);
            return { out: 'c' };
          },
        },
      },
    });
    return { h, signals };
  }

  it('cancels a whole run: the running step’s signal is aborted, nothing else starts, the run ends cancelled', async () => {
    const { h, signals } = blockingHarness();
    const workflow = dagWorkflow(
      [
        { id: 'a', type: 't-source' },
        { id: 'b', type: 't-pass' },
        { id: 'd', type: 't-pass' },
      ],
      [
        ['a', 'b'],
        ['b', 'd'],
      ],
    );
    const run = await h.executor.start({ workflow, source });
    await eventually(h.tracker, run.runId, (e) => e.type === 'node.running' && e.nodeId === 'b');
    await settle();
    await run.cancel();
    const state = await run.done;
    expect(state.status).toBe('cancelled');
    expect(signals.get('b')?.aborted).toBe(true);
    expect((signals.get('b')!.reason as StepAbortError).kind).toBe('cancelled');
    expect(statesOf(state)).toEqual({ a: 'succeeded', b: 'cancelled', d: 'cancelled' });
    expect(state.cancelRequested).toBe(true);
  });

  it('cancels one node: its signal is aborted, its descendants skipped, an independent branch goes on', async () => {
    const { h, signals } = blockingHarness();
    const workflow = dagWorkflow(
      [
        { id: 'a', type: 't-source' },
        { id: 'b', type: 't-pass' },
        { id: 'c', type: 't-pass' },
        { id: 'd', type: 't-join' },
        { id: 'e', type: 't-pass' },
      ],
      [
        ['a', 'b'],
        ['a', 'c'],
        ['b', 'd'],
        ['c', 'e'],
      ],
    );
    const run = await h.executor.start({ workflow, source });
    await eventually(h.tracker, run.runId, (e) => e.type === 'node.running' && e.nodeId === 'b');
    await settle();
    await run.cancel('b' as NodeId);
    const state = await run.done;
    expect(signals.get('b')?.aborted).toBe(true);
    expect(statesOf(state)).toEqual({
      a: 'succeeded',
      b: 'cancelled',
      c: 'succeeded',
      d: 'skipped',
      e: 'succeeded',
    });
    expect(state.nodes.get('d' as NodeId)?.reason).toBe('upstream node b was cancelled');
    expect(state.status).toBe('cancelled');
  });

  it('abandons a step that ignores its signal after the grace period; its late result is never recorded', async () => {
    const late = gate<{ out: string }>();
    const h = harness({ limits: { graceMs: 2000 }, steps: { 't-source': { run: () => late.promise } } });
    const run = await h.executor.start({
      workflow: dagWorkflow([{ id: 'a', type: 't-source' }], []),
      source,
    });
    await eventually(h.tracker, run.runId, (e) => e.type === 'node.running');
    await settle();
    await run.cancel();
    h.clock.advance(1999);
    await settle();
    expect((await h.tracker.history(run.runId)).some((e) => e.type === 'node.cancelled')).toBe(false);
    h.clock.advance(1);
    const state = await run.done;
    expect(statesOf(state)).toEqual({ a: 'cancelled' });
    late.open({ out: 'too late' });
    await settle();
    const history = await h.tracker.history(run.runId);
    expect(history.some((e) => e.type === 'node.succeeded')).toBe(false);
    expect(history.at(-1)?.type).toBe('run.finished');
  });

  it('refuses to cancel a node the run does not have', async () => {
    const { h } = blockingHarness();
    const run = await h.executor.start({
      workflow: dagWorkflow([{ id: 'a', type: 't-source' }], []),
      source,
    });
    await expect(run.cancel('zz' as NodeId)).rejects.toThrow(OrchestratorInputError);
    await expect(run.cancel('not an id!' as NodeId)).rejects.toThrow(OrchestratorInputError);
    await run.done;
  });
});

describe('Executor: the run cache', () => {
  it('gives a second run of the same workflow every node from the cache, calling no step', async () => {
    const h = harness();
    const first = await (await h.executor.start({ workflow: diamond(), source })).done;
    const calls = h.calls.length;
    const second = await (await h.executor.start({ workflow: diamond(), source })).done;
    expect(h.calls).toHaveLength(calls);
    expect(statesOf(second)).toEqual({ a: 'cached', b: 'cached', c: 'cached', d: 'cached' });
    for (const [id, node] of second.nodes) {
      expect(node.outputs).toEqual(first.nodes.get(id)!.outputs);
      expect(node.fromRun).toBe(first.runId);
      expect(node.cacheKey).toBe(first.nodes.get(id)!.cacheKey);
    }
    expect(second.status).toBe('succeeded');
  });

  it('runs everything again with cache: false, and records no cache keys', async () => {
    const h = harness();
    await (await h.executor.start({ workflow: diamond(), source })).done;
    const calls = h.calls.length;
    const run = await h.executor.start({ workflow: diamond(), source, options: { cache: false } });
    const state = await run.done;
    expect(h.calls.length).toBe(calls * 2);
    expect(statesOf(state)).toEqual({ a: 'succeeded', b: 'succeeded', c: 'succeeded', d: 'succeeded' });
    expect(
      (await h.tracker.history(run.runId)).some((e) => 'cacheKey' in e && e.cacheKey !== undefined),
    ).toBe(false);
  });

  it('never caches a non-deterministic step (its descendants still hit when its output is the same)', async () => {
    const h = harness({ steps: { 't-source': { deterministic: false } } });
    const first = await (await h.executor.start({ workflow: diamond(), source })).done;
    expect(first.nodes.get('a' as NodeId)?.cacheKey).toBeUndefined();
    const second = await (await h.executor.start({ workflow: diamond(), source })).done;
    expect(statesOf(second)).toEqual({ a: 'succeeded', b: 'cached', c: 'cached', d: 'cached' });
    expect(h.calls.filter((c) => c.nodeId === 'a')).toHaveLength(2);
  });

  it('misses on a step version or a param change', async () => {
    const h = harness();
    await (await h.executor.start({ workflow: diamond(), source })).done;
    const changed = diamond();
    changed.nodes['c' as NodeId]!.params = { value: 'C2' };
    const state = await (await h.executor.start({ workflow: changed, source })).done;
    expect(statesOf(state)).toEqual({ a: 'cached', b: 'cached', c: 'succeeded', d: 'succeeded' });
    const bumped = h.restart({ steps: { 't-source': { version: '2' } } });
    const again = await (await bumped.start({ workflow: changed, source })).done;
    expect(again.nodes.get('a' as NodeId)?.state).toBe('succeeded');
  });

  it('runs a node again, with a warning, when its cached blob is corrupt, and repairs the blob', async () => {
    const h = harness();
    const first = await (await h.executor.start({ workflow: diamond(), source })).done;
    const hash = first.nodes.get('a' as NodeId)!.outputs!.out!;
    const blob = h.store.storage.blobs.get(hash)!;
    blob[0] = blob[0]! ^ 0xff;
    const calls = h.calls.length;
    const second = await (await h.executor.start({ workflow: diamond(), source })).done;
    expect(statesOf(second)).toEqual({ a: 'succeeded', b: 'cached', c: 'cached', d: 'cached' });
    expect(h.calls.slice(calls).map((c) => c.nodeId)).toEqual(['a']);
    expect(h.warnings.some((w) => w.includes('node a') && w.includes('corrupt'))).toBe(true);
    expect(new TextDecoder().decode(await h.store.get(hash))).toBe('A');
  });
});
