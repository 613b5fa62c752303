// Arbitration's conflict verdicts are the workflow validator's, on seeded random merged graphs.
import { type EdgeId, type NodeId, validateWorkflow, type Workflow } from '@symphony/schemas';
import * as prng from 'lib0/prng';
import { describe, expect, it } from 'vitest';
import { graphConflicts } from './conflicts.js';

const TYPES = [
  { type: 'summarize', kind: 'instrument', params: { model: 'local' }, out: 'summary', into: ['text'] },
  { type: 'join-text', kind: 'operator', params: {}, out: 'text', into: ['parts', 'list'] },
] as const;

/** A graph as concurrent edits merge it: random edges, some dangling, some into the wrong port, some closing cycles. */
function randomWorkflow(gen: prng.PRNG): Workflow {
  const count = prng.int31(gen, 1, 12);
  const nodes: Workflow['nodes'] = {};
  const kinds: (typeof TYPES)[number][] = [];
  for (let i = 0; i < count; i++) {
    const spec = TYPES[prng.int31(gen, 0, 1)]!;
    kinds.push(spec);
    nodes[`n${i}` as NodeId] = {
      type: spec.type,
      kind: spec.kind,
      params: spec.params,
      position: { x: 0, y: 0 },
    };
  }
  const edges: Workflow['edges'] = {};
  for (let k = prng.int31(gen, 0, 3 * count); k > 0; k--) {
    const from = prng.int31(gen, 0, count);
    const to = prng.int31(gen, 0, count - 1);
    const into = kinds[to]!.into;
    edges[`e${prng.int31(gen, 0, 999)}` as EdgeId] = {
      from: { node: `n${from}` as NodeId, port: from < count ? kinds[from]!.out : 'out' },
      to: { node: `n${to}` as NodeId, port: prng.bool(gen) ? into[0]! : (into[1] ?? 'nope') },
    };
  }
  return { name: 'merged', nodes, edges };
}

describe('graphConflicts', () => {
  const SEEDS = 300;

  it(`agrees with the workflow validator on ${SEEDS} seeded merged graphs`, () => {
    const reasons = new Set<string>();
    for (let seed = 1; seed <= SEEDS; seed++) {
      const workflow = randomWorkflow(prng.create(seed));
      const expected = [...validateWorkflow(workflow).rejectedEdges].sort(([a], [b]) => (a < b ? -1 : 1));
      const got = graphConflicts(workflow);
      expect(
        got.map((c) => [c.edge, c.reason]),
        `seed ${seed}`,
      ).toEqual(expected);
      for (const c of got) reasons.add(c.reason);
    }
    // The generator reaches every rule, so agreement means something.
    expect([...reasons].sort()).toEqual(['cycle', 'dangling', 'extra-input', 'invalid-ports']);
  });

  it('rejects the greatest id of a cycle', () => {
    const node = { type: 'join-text', kind: 'operator', params: {}, position: { x: 0, y: 0 } } as const;
    const workflow: Workflow = {
      name: 'cycle',
      nodes: { a: node, b: node } as Workflow['nodes'],
      edges: {
        e1: { from: { node: 'a', port: 'text' }, to: { node: 'b', port: 'parts' } },
        e2: { from: { node: 'b', port: 'text' }, to: { node: 'a', port: 'parts' } },
      } as Workflow['edges'],
    };
    expect(graphConflicts(workflow)).toEqual([{ edge: 'e2', reason: 'cycle' }]);
  });
});
