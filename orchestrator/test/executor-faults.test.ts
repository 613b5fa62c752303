// The executor refusing what it must not run and stopping when its journal or store fails:
// validation findings, missing steps, malformed arguments, a full disk.
import { MemoryArtifactStore, MemoryDagTracker } from '@symphony/pit';
import type { NodeId, RunId } from '@symphony/schemas';
import { describe, expect, it } from 'vitest';
import {
  Executor,
  ExecutorClosedError,
  JournalWriteError,
  OrchestratorInputError,
  WorkflowRefusedError,
} from '../src/index.js';
import { dagWorkflow, ManualClock, testLibrary, testSteps } from '../src/internal.js';
import { harness, source } from './executor-harness.js';

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

describe('Executor: refusals and bad arguments', () => {
  it('refuses a workflow with error findings, recording and storing nothing', async () => {
    const h = harness();
    const workflow = dagWorkflow([{ id: 'lonely', type: 't-pass' }], []);
    const error = await h.executor.start({ workflow, source }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WorkflowRefusedError);
    expect((error as WorkflowRefusedError).findings).toContainEqual(
      expect.objectContaining({
        code: 'missing-input',
        severity: 'error',
        target: { kind: 'node', id: 'lonely' },
      }),
    );
    expect(await h.tracker.runs()).toEqual([]);
    expect(await h.store.list()).toEqual([]);
    expect(h.calls).toEqual([]);
  });

  it('refuses a node type it has no step for, and one no library knows', async () => {
    const h = harness();
    const noStep = dagWorkflow([{ id: 'a', type: 't-source' }], []);
    noStep.nodes['s' as NodeId] = {
      type: 'split-text',
      kind: 'operator',
      params: {},
      position: { x: 0, y: 0 },
    };
    noStep.edges['e9' as keyof typeof noStep.edges] = {
      from: { node: 'a' as NodeId, port: 'out' },
      to: { node: 's' as NodeId, port: 'text' },
    };
    const refused = (await h.executor
      .start({ workflow: noStep, source })
      .catch((e: unknown) => e)) as WorkflowRefusedError;
    expect(refused).toBeInstanceOf(WorkflowRefusedError);
    expect(refused.findings).toEqual([
      expect.objectContaining({ code: 'unknown-node-type', target: { kind: 'node', id: 's' } }),
    ]);
    const unknown = dagWorkflow([{ id: 'a', type: 't-source' }], []);
    unknown.nodes['x' as NodeId] = {
      type: 'teleport',
      kind: 'operator',
      params: {},
      position: { x: 0, y: 0 },
    };
    await expect(h.executor.start({ workflow: unknown, source })).rejects.toThrow(WorkflowRefusedError);
    expect(await h.tracker.runs()).toEqual([]);
  });

  it('throws OrchestratorInputError for malformed arguments, naming the API', async () => {
    const h = harness();
    await expect(h.executor.start({} as never)).rejects.toThrow(/Executor.start: invalid arguments/);
    await expect(
      h.executor.start({ workflow: diamond(), source: { kind: 'file', path: 'x', hash: 'nope' } as never }),
    ).rejects.toThrow(OrchestratorInputError);
    await expect(h.executor.resume('nope' as RunId)).rejects.toThrow(OrchestratorInputError);
    await expect(h.executor.cancel('run_x' as RunId)).rejects.toThrow(OrchestratorInputError);
    await expect(h.executor.rerun('run_abcdefgh' as RunId, { workflow: diamond() } as never)).rejects.toThrow(
      OrchestratorInputError,
    );
    expect(
      () => new (h.executor.constructor as never as new (o: unknown) => unknown)({ tracker: h.tracker }),
    ).toThrow(/new Executor: invalid arguments/);
    expect(await h.tracker.runs()).toEqual([]);
  });
});

describe('Executor: when the journal or the store fails', () => {
  it('stops a run whose journal refuses a record: done rejects, the run stays resumable', async () => {
    const tracker = new MemoryDagTracker();
    let refuse = false;
    const failing = Object.create(tracker) as MemoryDagTracker;
    failing.record = async (...events) => {
      if (refuse) throw new Error('ENOSPC: no space left on device');
      return tracker.record(...events);
    };
    const errors: string[] = [];
    const store = new MemoryArtifactStore();
    const executor = new Executor({
      tracker: failing,
      store,
      steps: testSteps({
        't-pass': {
          run: async () => {
            refuse = true;
            return { out: 'b' };
          },
        },
      }),
      library: testLibrary,
      clock: new ManualClock(),
      logger: { warn: () => {}, error: (m) => errors.push(m) },
    });
    const workflow = dagWorkflow(
      [
        { id: 'a', type: 't-source' },
        { id: 'b', type: 't-pass' },
      ],
      [['a', 'b']],
    );
    const run = await executor.start({ workflow, source });
    const error = await run.done.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(JournalWriteError);
    expect((error as Error).message).toContain('ENOSPC');
    expect(errors.some((m) => m.includes(run.runId))).toBe(true);
    refuse = false;
    const resumed = await new Executor({
      tracker,
      store,
      steps: testSteps(),
      library: testLibrary,
    }).resume(run.runId);
    expect((await resumed.done).status).toBe('succeeded');
  });

  it('fails a node with artifact_failed when its output cannot be stored', async () => {
    const h = harness();
    h.store.put = async () => {
      throw new Error('disk is read-only');
    };
    const state = await (
      await h.executor.start({ workflow: dagWorkflow([{ id: 'a', type: 't-source' }], []), source })
    ).done;
    expect(state.nodes.get('a' as NodeId)?.error).toMatchObject({
      code: 'artifact_failed',
      retryable: false,
    });
    expect(state.nodes.get('a' as NodeId)?.error?.message).toContain('disk is read-only');
  });

  it('refuses calls after close', async () => {
    const h = harness();
    await h.executor.close();
    await expect(h.executor.start({ workflow: diamond(), source })).rejects.toThrow(ExecutorClosedError);
  });
});
