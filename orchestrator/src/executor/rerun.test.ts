// Which nodes of a re-run take the old run's outputs: unchanged nodes outside `from`'s descendants
// whose upstream is reused too.
import { foldRun } from '@symphony/pit';
import { type NodeId, type RunEvent, type RunId, RunOptions, type Workflow } from '@symphony/schemas';
import { describe, expect, it } from 'vitest';
import { buildRunGraph } from './graph.js';
import { reusedByRerun, topologicalOrder } from './rerun.js';
import { dagWorkflow, testLibrary } from './test-kit.js';

const runId = 'run_oldrun000001' as RunId;
const hash = (c: string) => c.repeat(64);
/** a → b → d, a → c → d, e alone. */
const workflow = (): Workflow =>
  dagWorkflow(
    [
      { id: 'a', type: 't-source' },
      { id: 'b', type: 't-pass' },
      { id: 'c', type: 't-pass' },
      { id: 'd', type: 't-join' },
      { id: 'e', type: 't-source' },
    ],
    [
      ['a', 'b'],
      ['a', 'c'],
      ['b', 'd'],
      ['c', 'd'],
    ],
  );

function finishedRun(old: Workflow, failed: string[] = []) {
  const events: RunEvent[] = [
    {
      type: 'run.started',
      runId,
      at: 0,
      workflow: old,
      source: { kind: 'file', path: 'w', hash: hash('0') } as never,
      options: RunOptions.parse({}),
    },
  ];
  for (const id of ['a', 'b', 'c', 'd', 'e']) {
    events.push(
      failed.includes(id)
        ? {
            type: 'node.failed',
            runId,
            at: 1,
            nodeId: id as NodeId,
            attempt: 1,
            error: { code: 'step_failed', message: 'x', retryable: false },
          }
        : {
            type: 'node.succeeded',
            runId,
            at: 1,
            nodeId: id as NodeId,
            attempt: 1,
            outputs: { out: hash(id) as never },
          },
    );
  }
  return foldRun(events);
}

const reusedIds = (map: Map<number, unknown>, wf: Workflow) => {
  const graph = buildRunGraph(wf, testLibrary);
  return [...map.keys()].map((i) => graph.nodes[i]!.id).sort();
};

describe('reusedByRerun', () => {
  it('reuses everything outside from and its descendants', () => {
    const now = workflow();
    const reused = reusedByRerun(
      finishedRun(workflow()),
      buildRunGraph(now, testLibrary),
      now,
      'b' as NodeId,
    );
    expect(reusedIds(reused, now)).toEqual(['a', 'c', 'e']);
    expect([...reused.values()][0]).toEqual({ outputs: { out: hash('a') }, fromRun: runId });
  });

  it('runs a changed node and everything below it, and a node whose wiring changed', () => {
    const now = workflow();
    now.nodes['a' as NodeId]!.params = { value: 'new' };
    expect(
      reusedIds(
        reusedByRerun(finishedRun(workflow()), buildRunGraph(now, testLibrary), now, 'e' as NodeId),
        now,
      ),
    ).toEqual([]);
    const rewired = workflow();
    rewired.edges['e000003' as keyof Workflow['edges']]!.from.node = 'b' as NodeId;
    expect(
      reusedIds(
        reusedByRerun(finishedRun(workflow()), buildRunGraph(rewired, testLibrary), rewired, 'e' as NodeId),
        rewired,
      ),
    ).toEqual(['a', 'b', 'c']);
  });

  it('never reuses what did not succeed, nor what depends on it', () => {
    const now = workflow();
    const reused = reusedByRerun(
      finishedRun(workflow(), ['c']),
      buildRunGraph(now, testLibrary),
      now,
      'e' as NodeId,
    );
    expect(reusedIds(reused, now)).toEqual(['a', 'b']);
  });
});

describe('topologicalOrder', () => {
  it('puts every node after its parents', () => {
    const graph = buildRunGraph(workflow(), testLibrary);
    const order = topologicalOrder(graph);
    expect(order).toHaveLength(5);
    const position = new Map(order.map((n, k) => [n, k]));
    for (const node of graph.nodes)
      for (const p of node.parents) expect(position.get(p)!).toBeLessThan(position.get(node.index)!);
  });
});
