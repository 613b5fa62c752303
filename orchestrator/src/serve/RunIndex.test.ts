import { MemoryDagTracker } from '@symphony/pit';
import type { NodeId, RunEvent, RunId, RunSource, Workflow, WorkflowId } from '@symphony/schemas';
import { describe, expect, it } from 'vitest';
import { RunIndex } from './RunIndex.js';

const workflow = {
  name: 'Split',
  nodes: {
    a: { type: 'split-text', kind: 'operator', params: { by: 'paragraph' }, position: { x: 0, y: 0 } },
  },
  edges: {},
} as unknown as Workflow;
const server = 'http://127.0.0.1:4321';
const team = (workflowId: string): RunSource => ({
  kind: 'automerge',
  server,
  workflowId: workflowId as WorkflowId,
  heads: [],
});

function started(runId: string, at: number, source: RunSource): RunEvent {
  return {
    type: 'run.started',
    runId: runId as RunId,
    at,
    workflow,
    source,
    options: { cache: true, grants: [] },
    startedBy: 'ada',
  };
}

const running = (runId: string): RunEvent => ({
  type: 'node.running',
  runId: runId as RunId,
  at: 5,
  nodeId: 'a' as NodeId,
  attempt: 1,
});
const finished = (runId: string): RunEvent => ({
  type: 'run.finished',
  runId: runId as RunId,
  at: 9,
  status: 'cancelled',
});

describe('RunIndex', () => {
  it('indexes the journal, newest first per workflow, team runs only', async () => {
    const tracker = new MemoryDagTracker();
    await tracker.record(started('run_index00001', 1, team('wf1')), finished('run_index00001'));
    await tracker.record(started('run_index00002', 2, team('wf1')));
    await tracker.record(started('run_index00003', 3, team('wf2')));
    await tracker.record(
      started('run_index00004', 4, { kind: 'file', path: '/w.json', hash: 'a'.repeat(64) } as RunSource),
    );
    const index = await RunIndex.load(tracker, () => {});
    expect(index.ofWorkflow(server, 'wf1' as WorkflowId).map((r) => [r.runId, r.status])).toEqual([
      ['run_index00002', 'running'],
      ['run_index00001', 'cancelled'],
    ]);
    expect(index.ofServer(server).map((r) => r.runId)).toEqual([
      'run_index00003',
      'run_index00002',
      'run_index00001',
    ]);
    expect(index.ofServer('http://elsewhere:1')).toEqual([]);
    expect(index.summary('run_index00002' as RunId)).toMatchObject({ startedBy: 'ada', nodes: 1 });
  });

  it('applies each record once, whichever path offers it, and tells the listeners', async () => {
    const tracker = new MemoryDagTracker();
    const index = await RunIndex.load(tracker, () => {});
    const seen: string[] = [];
    index.subscribe((event, summary) => seen.push(`${event.type}:${summary.status}`));
    const history = [started('run_index00005', 1, team('wf1')), running('run_index00005')];
    index.apply(history[0]!);
    index.catchUp('run_index00005' as RunId, history);
    index.catchUp('run_index00005' as RunId, history);
    index.catchUp('run_index00005' as RunId, [...history, finished('run_index00005')]);
    expect(seen).toEqual(['run.started:running', 'node.running:running', 'run.finished:cancelled']);
    expect(index.records('run_index00005' as RunId)).toBe(3);
    expect(index.summary('run_index00005' as RunId)).toMatchObject({ status: 'cancelled', finishedAt: 9 });
  });
});
