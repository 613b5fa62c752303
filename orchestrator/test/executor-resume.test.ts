// Resuming runs from the journal after a stop, re-running from a node, and the run claims and
// cancellation requests between processes.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { foldRun } from '@symphony/pit';
import { type NodeId, type RunEvent, type RunId, RunOptions } from '@symphony/schemas';
import { afterAll, describe, expect, it } from 'vitest';
import {
  ExecutorClosedError,
  OrchestratorInputError,
  RunClaimedError,
  RunNotFoundError,
  requestCancel,
} from '../src/index.js';
import { cancelPath, claimPath, dagWorkflow, liveOwner } from '../src/internal.js';
import { StepError } from '../src/steps/Step.js';
import { eventually, harness, settle, source, statesOf, untilAborted } from './executor-harness.js';

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'symphony-executor-'));
  dirs.push(dir);
  return dir;
}

/** a → b → c, a → x: c blocks (ignoring its signal) in the first process. */
const chain = () =>
  dagWorkflow(
    [
      { id: 'a', type: 't-source', value: 'A' },
      { id: 'b', type: 't-pass', value: 'B' },
      { id: 'c', type: 't-pass', value: 'C' },
      { id: 'x', type: 't-pass', value: 'X' },
    ],
    [
      ['a', 'b'],
      ['b', 'c'],
      ['a', 'x'],
    ],
  );

const hangsOn = (nodeId: string) => ({
  't-pass': {
    run: async (context: {
      nodeId: string;
      params: Readonly<Record<string, unknown>>;
      inputs: Readonly<Record<string, readonly unknown[]>>;
    }) => {
      if (context.nodeId === nodeId) return new Promise<never>(() => {});
      return { out: `${String(context.params.value)}+${String(context.inputs.in?.[0])}` };
    },
  },
});

describe('Executor: resume', () => {
  it('after a stop mid-run: finished nodes are not run again, the running one runs with the same idempotency key', async () => {
    const h = harness({ steps: hangsOn('c') });
    const first = h.executor;
    const run = await first.start({ workflow: chain(), source });
    await eventually(h.tracker, run.runId, (e) => e.type === 'node.running' && e.nodeId === 'c');
    await eventually(h.tracker, run.runId, (e) => e.type === 'node.succeeded' && e.nodeId === 'x');
    await settle();
    await first.close();
    await expect(run.done).rejects.toThrow(ExecutorClosedError);
    expect(foldRun(await h.tracker.history(run.runId)).nodes.get('c' as NodeId)?.state).toBe('running');

    const second = h.restart({ steps: {} });
    const resumed = await second.resume(run.runId);
    const state = await resumed.done;
    expect(state.status).toBe('succeeded');
    expect(statesOf(state)).toEqual({ a: 'succeeded', b: 'succeeded', c: 'succeeded', x: 'succeeded' });
    const byNode = (id: string) => h.calls.filter((c) => c.nodeId === id);
    expect(byNode('a')).toHaveLength(1);
    expect(byNode('b')).toHaveLength(1);
    expect(byNode('x')).toHaveLength(1);
    expect(byNode('c').map((c) => c.idempotencyKey)).toEqual([`${run.runId}/c/1`, `${run.runId}/c/1`]);
    // Its input came from the store: the values of the first process were gone.
    expect(byNode('c')[1]?.inputs).toEqual({ in: ['B+A'] });
    const running = (await h.tracker.history(run.runId)).filter(
      (e) => e.type === 'node.running' && e.nodeId === 'c',
    );
    expect(running.map((e) => e.type === 'node.running' && e.attempt)).toEqual([1, 1]);
  });

  it('a node that was retrying waits for its retryAt, then runs its next attempt', async () => {
    const h = harness({
      limits: { backoffBaseMs: 10_000, backoffMaxMs: 10_000 },
      steps: {
        't-source': {
          run: async () => {
            throw new StepError('timeout', 'slow provider', true);
          },
        },
      },
    });
    const run = await h.executor.start({
      workflow: dagWorkflow([{ id: 'a', type: 't-source' }], []),
      source,
    });
    const retrying = await eventually(h.tracker, run.runId, (e) => e.type === 'node.retrying');
    await h.executor.close();
    const second = h.restart({ steps: {} });
    const resumed = await second.resume(run.runId);
    await settle();
    expect(h.calls).toHaveLength(1);
    h.clock.advance((retrying.type === 'node.retrying' ? retrying.retryAt : 0) - h.clock.now());
    const state = await resumed.done;
    expect(state.nodes.get('a' as NodeId)).toMatchObject({ state: 'succeeded', attempt: 2 });
    expect(h.calls.map((c) => c.attempt)).toEqual([1, 2]);
  });

  it('carries out what a failure implied when the process stopped before recording it', async () => {
    const h = harness();
    const runId = 'run_handmade0001' as RunId;
    const events: RunEvent[] = [
      { type: 'run.started', runId, at: 1, workflow: chain(), source, options: RunOptions.parse({}) },
      { type: 'node.running', runId, at: 2, nodeId: 'a' as NodeId, attempt: 1 },
      {
        type: 'node.failed',
        runId,
        at: 3,
        nodeId: 'a' as NodeId,
        attempt: 1,
        error: { code: 'step_failed', message: 'boom', retryable: false },
      },
    ];
    await h.tracker.record(...events);
    const state = await (await h.executor.resume(runId)).done;
    expect(statesOf(state)).toEqual({ a: 'failed', b: 'skipped', c: 'skipped', x: 'skipped' });
    expect(state.status).toBe('failed');
    expect(h.calls).toEqual([]);
  });

  it('resumeAll continues every unfinished run and leaves finished ones alone; resume of a finished run is its state', async () => {
    const h = harness({ steps: hangsOn('c') });
    const finished = await (
      await h.executor.start({ workflow: dagWorkflow([{ id: 'a', type: 't-source' }], []), source })
    ).done;
    const one = await h.executor.start({ workflow: chain(), source });
    const two = await h.executor.start({ workflow: chain(), source, options: { cache: false } });
    await eventually(h.tracker, one.runId, (e) => e.type === 'node.running' && e.nodeId === 'c');
    await eventually(h.tracker, two.runId, (e) => e.type === 'node.running' && e.nodeId === 'c');
    await h.executor.close();
    const second = h.restart({ steps: {} });
    const handles = await second.resumeAll();
    expect(handles.map((r) => r.runId).sort()).toEqual([one.runId, two.runId].sort());
    for (const handle of handles) expect((await handle.done).status).toBe('succeeded');
    expect(await (await second.resume(finished.runId)).done).toMatchObject({ status: 'succeeded' });
    await expect(second.resume('run_nosuchrun1' as RunId)).rejects.toThrow(RunNotFoundError);
  });
});

describe('Executor: rerun', () => {
  const diamond = () =>
    dagWorkflow(
      [
        { id: 'a', type: 't-source', value: 'A' },
        { id: 'b', type: 't-pass', value: 'B' },
        { id: 'c', type: 't-pass', value: 'C' },
        { id: 'd', type: 't-join' },
      ],
      [
        ['a', 'b'],
        ['a', 'c'],
        ['b', 'd'],
        ['c', 'd'],
      ],
    );

  it('from a node: it and its descendants run (no cache), the rest comes from the old run', async () => {
    const h = harness();
    const first = await (await h.executor.start({ workflow: diamond(), source })).done;
    const calls = h.calls.length;
    const rerun = await h.executor.rerun(first.runId, { workflow: diamond(), source, from: 'b' as NodeId });
    const state = await rerun.done;
    expect(statesOf(state)).toEqual({ a: 'cached', b: 'succeeded', c: 'cached', d: 'succeeded' });
    expect(state.nodes.get('a' as NodeId)?.fromRun).toBe(first.runId);
    expect(state.nodes.get('c' as NodeId)?.fromRun).toBe(first.runId);
    expect(
      h.calls
        .slice(calls)
        .map((c) => c.nodeId)
        .sort(),
    ).toEqual(['b', 'd']);
    expect(state.options).toMatchObject({ rerunOf: first.runId, from: 'b', cache: true });
  });

  it('runs a node outside from’s descendants whose params changed, and refuses an unknown from', async () => {
    const h = harness();
    const first = await (await h.executor.start({ workflow: diamond(), source })).done;
    const changed = diamond();
    changed.nodes['c' as NodeId]!.params = { value: 'C2' };
    const calls = h.calls.length;
    const state = await (
      await h.executor.rerun(first.runId, { workflow: changed, source, from: 'b' as NodeId })
    ).done;
    expect(statesOf(state)).toEqual({ a: 'cached', b: 'succeeded', c: 'succeeded', d: 'succeeded' });
    expect(
      h.calls
        .slice(calls)
        .map((c) => c.nodeId)
        .sort(),
    ).toEqual(['b', 'c', 'd']);
    await expect(
      h.executor.rerun(first.runId, { workflow: changed, source, from: 'zz' as NodeId }),
    ).rejects.toThrow(OrchestratorInputError);
    await expect(h.executor.rerun('run_nosuchrun1' as RunId, { workflow: changed, source })).rejects.toThrow(
      RunNotFoundError,
    );
  });
});

describe('Executor: claims and cancellation between processes', () => {
  it('lets one executor hold a run: another is refused, a cancel file reaches the owner, the claim goes at the end', async () => {
    const runsDir = tempDir();
    const h = harness({ runsDir, steps: { 't-pass': { run: (context) => untilAborted(context) } } });
    const run = await h.executor.start({ workflow: chain(), source });
    await eventually(h.tracker, run.runId, (e) => e.type === 'node.running' && e.nodeId === 'b');
    expect(JSON.parse(readFileSync(claimPath(runsDir, run.runId), 'utf8'))).toMatchObject({
      pid: process.pid,
    });
    expect(await liveOwner(runsDir, run.runId)).toBe(process.pid);
    const owners = h.tracker;
    const other = h.restart();
    await expect(other.resume(run.runId)).rejects.toThrow(RunClaimedError);
    await requestCancel(runsDir, run.runId);
    const requested = eventually(owners, run.runId, (e) => e.type === 'run.cancelRequested');
    h.clock.advance(250);
    await requested;
    const state = await run.done;
    expect(state.status).toBe('cancelled');
    expect(() => readFileSync(claimPath(runsDir, run.runId))).toThrow(/ENOENT/);
    expect(() => readFileSync(cancelPath(runsDir, run.runId))).toThrow(/ENOENT/);
  });

  it('records the cancellation itself when nobody executes the run', async () => {
    const runsDir = tempDir();
    const h = harness({ runsDir, steps: hangsOn('c') });
    const run = await h.executor.start({ workflow: chain(), source });
    await eventually(h.tracker, run.runId, (e) => e.type === 'node.running' && e.nodeId === 'c');
    await h.executor.close();
    const other = h.restart();
    expect(await other.cancel(run.runId)).toBe('recorded');
    const state = foldRun(await h.tracker.history(run.runId));
    expect(state.status).toBe('cancelled');
    expect(state.nodes.get('c' as NodeId)?.state).toBe('cancelled');
    expect(await other.cancel(run.runId)).toBe('finished');
    expect(await (await other.resume(run.runId)).done).toMatchObject({ status: 'cancelled' });
  });

  it('takes over the claim of a process that died, and leaves a live process’s claim alone', async () => {
    const runsDir = tempDir();
    const h = harness({ runsDir, steps: hangsOn('c') });
    const run = await h.executor.start({ workflow: chain(), source });
    await eventually(h.tracker, run.runId, (e) => e.type === 'node.running' && e.nodeId === 'c');
    await h.executor.close();

    const live = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)']);
    await new Promise((resolve) => live.once('spawn', resolve));
    writeFileSync(claimPath(runsDir, run.runId), JSON.stringify({ pid: live.pid, token: 'other', at: 0 }));
    const other = h.restart({ steps: {} });
    await expect(other.resume(run.runId)).rejects.toThrow(new RunClaimedError(run.runId, live.pid!).message);
    expect(await other.cancel(run.runId, 'c' as NodeId)).toBe('delivered');
    expect(readFileSync(cancelPath(runsDir, run.runId), 'utf8')).toBe('{"nodeId":"c"}\n');
    rmSync(cancelPath(runsDir, run.runId));
    live.kill('SIGKILL');
    await new Promise((resolve) => live.once('exit', resolve));

    expect(await liveOwner(runsDir, run.runId)).toBeUndefined();
    const state = await (await other.resume(run.runId)).done;
    expect(state.status).toBe('succeeded');
  });

  it('two executors of one process never execute the same run, and either can cancel it', async () => {
    const h = harness({ steps: hangsOn('c') });
    const run = await h.executor.start({ workflow: chain(), source });
    const owners = h.tracker;
    await eventually(owners, run.runId, (e) => e.type === 'node.running' && e.nodeId === 'c');
    const other = h.restart();
    await expect(other.resume(run.runId)).rejects.toThrow(RunClaimedError);
    expect(await other.cancel(run.runId)).toBe('requested');
    expect(h.executor.running).toEqual([run.runId]);
    await settle();
    await h.executor.close();
    expect(foldRun(await owners.history(run.runId)).cancelRequested).toBe(true);
  });

  it('requestCancel appends one request line per call', async () => {
    const runsDir = tempDir();
    const runId = 'run_cancelfile01' as RunId;
    await requestCancel(runsDir, runId);
    await requestCancel(runsDir, runId, 'n1' as NodeId);
    expect(readFileSync(cancelPath(runsDir, runId), 'utf8')).toBe('{}\n{"nodeId":"n1"}\n');
    await expect(requestCancel(runsDir, 'nope' as RunId)).rejects.toThrow(OrchestratorInputError);
    await expect(requestCancel('', runId)).rejects.toThrow(/requestCancel: invalid arguments/);
  });
});
