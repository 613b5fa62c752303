// Tests that concurrent workflow edits merged by Automerge reach one graph and the same validation verdicts on every peer.
import * as Automerge from '@automerge/automerge';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  addNode,
  connect,
  deleteElements,
  type EdgeId,
  edgesAttachedTo,
  moveNodes,
  type NodeId,
  NodeLibrary,
  setParam,
  validateWorkflow,
  type Workflow,
} from '../src/index.js';

/**
 * Concurrent edits of one workflow by several peers, merged in different orders, must leave every
 * peer with the same document and the same verdicts — and the verdicts must restore the
 * workflow's invariants (no cycle, at most one edge into a single-valued input).
 */

const TYPES = ['summarize', 'join-text', 'translate', 'read-document', 'llm-prompt', 'classify'];

type Op =
  | { kind: 'add'; type: string; id: string }
  | { kind: 'connect'; from: number; to: number; id: string }
  | { kind: 'delete'; node: number }
  | { kind: 'move'; node: number; x: number }
  | { kind: 'param'; node: number; value: string }
  | { kind: 'sync'; with: number };

const idArb = fc.stringMatching(/^[a-z0-9]{6}$/);
const opArb: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 3,
    arbitrary: fc.record({ kind: fc.constant('add' as const), type: fc.constantFrom(...TYPES), id: idArb }),
  },
  {
    weight: 5,
    arbitrary: fc.record({ kind: fc.constant('connect' as const), from: fc.nat(), to: fc.nat(), id: idArb }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('delete' as const), node: fc.nat() }) },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('move' as const),
      node: fc.nat(),
      x: fc.integer({ min: -500, max: 500 }),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('param' as const),
      node: fc.nat(),
      value: fc.string({ maxLength: 8 }),
    }),
  },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('sync' as const), with: fc.nat() }) },
);

/** Output port of a node, if it has one, and an input port. */
function ports(workflow: Workflow, id: NodeId): { out?: string; in?: string } {
  const spec = NodeLibrary.get(workflow.nodes[id]!.type)!;
  return { out: spec.outputs[0]?.name, in: spec.inputs[0]?.name };
}

function apply(doc: Automerge.Doc<Workflow>, op: Op, peer: number): Automerge.Doc<Workflow> {
  const nodes = Object.keys(doc.nodes).sort() as NodeId[];
  const pick = (i: number) => nodes[i % nodes.length]!;
  switch (op.kind) {
    case 'add':
      return Automerge.change(doc, (d) => {
        addNode(d, op.type, { x: 0, y: 0 }, `n${peer}${op.id}` as NodeId);
      });
    case 'connect': {
      if (nodes.length === 0) return doc;
      const from = pick(op.from);
      const to = pick(op.to);
      const p = { out: ports(doc, from).out, in: ports(doc, to).in };
      if (!p.out || !p.in) return doc;
      return Automerge.change(doc, (d) => {
        connect(d, { node: from, port: p.out! }, { node: to, port: p.in! }, `e${peer}${op.id}` as EdgeId);
      });
    }
    case 'delete':
      if (nodes.length === 0) return doc;
      return Automerge.change(doc, (d) =>
        deleteElements(d, [pick(op.node)], edgesAttachedTo(doc, [pick(op.node)])),
      );
    case 'move':
      if (nodes.length === 0) return doc;
      return Automerge.change(doc, (d) => moveNodes(d, new Map([[pick(op.node), { x: op.x, y: op.x }]])));
    case 'param':
      if (nodes.length === 0) return doc;
      return Automerge.change(doc, (d) => setParam(d, pick(op.node), 'focus', op.value));
    case 'sync':
      return doc; // handled by the caller
  }
}

/** Edges that take part after the verdicts: they must form a DAG with at most one edge per single input. */
function expectInvariants(workflow: Workflow): void {
  const report = validateWorkflow(workflow);
  const accepted = Object.entries(workflow.edges).filter(([id]) => !report.rejectedEdges.has(id as EdgeId));
  const into = new Map<string, number>();
  const adjacency = new Map<string, string[]>();
  for (const [, edge] of accepted) {
    expect(workflow.nodes[edge.from.node]).toBeDefined();
    expect(workflow.nodes[edge.to.node]).toBeDefined();
    const spec = NodeLibrary.get(workflow.nodes[edge.to.node]!.type)!;
    const port = spec.inputs.find((p) => p.name === edge.to.port)!;
    const key = `${edge.to.node}.${edge.to.port}`;
    into.set(key, (into.get(key) ?? 0) + 1);
    if (!port.multiple) expect(into.get(key)).toBe(1);
    adjacency.set(edge.from.node, [...(adjacency.get(edge.from.node) ?? []), edge.to.node]);
  }
  // Kahn: every node gets a place in a topological order iff there is no cycle.
  const indegree = new Map(Object.keys(workflow.nodes).map((id) => [id, 0]));
  for (const targets of adjacency.values()) for (const t of targets) indegree.set(t, indegree.get(t)! + 1);
  const queue = [...indegree].filter(([, d]) => d === 0).map(([id]) => id);
  let visited = 0;
  while (queue.length > 0) {
    const id = queue.pop()!;
    visited++;
    for (const t of adjacency.get(id) ?? []) {
      indegree.set(t, indegree.get(t)! - 1);
      if (indegree.get(t) === 0) queue.push(t);
    }
  }
  expect(visited).toBe(indegree.size);
}

function plain(doc: Automerge.Doc<Workflow>): Workflow {
  return Automerge.toJS(doc) as Workflow;
}

describe('concurrent workflow edits', () => {
  it('every peer reaches the same graph and the same verdicts, and the verdicts restore the invariants', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.nat({ max: 2 }), opArb), { minLength: 1, maxLength: 60 }),
        fc.array(fc.nat({ max: 2 }), { minLength: 3, maxLength: 3 }),
        (schedule, finalOrder) => {
          const base = Automerge.from<Workflow>({ name: 'shared', nodes: {}, edges: {} });
          let peers = [0, 1, 2].map((i) => Automerge.clone(base, { actor: `${i}${'0'.repeat(31)}` }));
          for (const [peer, op] of schedule) {
            if (op.kind === 'sync') {
              const other = op.with % 3;
              peers[peer] = Automerge.merge(peers[peer]!, Automerge.clone(peers[other]!));
            } else {
              peers[peer] = apply(peers[peer]!, op, peer);
            }
          }
          // Everyone receives everything, each in its own order.
          const finals = finalOrder.map((start, i) => {
            let doc = Automerge.clone(peers[i]!);
            for (let k = 0; k < 3; k++) doc = Automerge.merge(doc, Automerge.clone(peers[(start + k) % 3]!));
            return doc;
          });
          peers = finals;
          const reference = plain(peers[0]!);
          const verdicts = validateWorkflow(reference);
          for (const doc of peers.slice(1)) {
            const w = plain(doc);
            expect(w).toEqual(reference);
            const report = validateWorkflow(w);
            expect([...report.rejectedEdges].sort()).toEqual([...verdicts.rejectedEdges].sort());
            expect(report.findings).toEqual(verdicts.findings);
          }
          expectInvariants(reference);
        },
      ),
      { numRuns: Number(process.env.WORKFLOW_PROPERTY_RUNS ?? 150) },
    );
  });

  it('two valid edges that close a cycle when merged: both peers reject the same, greater one', () => {
    let a = Automerge.from<Workflow>({ name: 'w', nodes: {}, edges: {} });
    a = Automerge.change(a, (d) => {
      addNode(d, 'summarize', { x: 0, y: 0 }, 'x' as NodeId);
      addNode(d, 'translate', { x: 1, y: 0 }, 'y' as NodeId);
    });
    let b = Automerge.clone(a);
    a = Automerge.change(a, (d) =>
      connect(
        d,
        { node: 'x' as NodeId, port: 'summary' },
        { node: 'y' as NodeId, port: 'text' },
        'e-alice' as EdgeId,
      ),
    );
    b = Automerge.change(b, (d) =>
      connect(
        d,
        { node: 'y' as NodeId, port: 'text' },
        { node: 'x' as NodeId, port: 'text' },
        'e-bob' as EdgeId,
      ),
    );
    expect(validateWorkflow(plain(a)).rejectedEdges.size).toBe(0);
    expect(validateWorkflow(plain(b)).rejectedEdges.size).toBe(0);
    const ab = Automerge.merge(Automerge.clone(a), b);
    const ba = Automerge.merge(Automerge.clone(b), a);
    for (const merged of [ab, ba]) {
      expect([...validateWorkflow(plain(merged)).rejectedEdges]).toEqual([['e-bob', 'cycle']]);
    }
  });

  it('a node deleted while another peer connects to it leaves a rejected, reported edge', () => {
    let a = Automerge.from<Workflow>({ name: 'w', nodes: {}, edges: {} });
    a = Automerge.change(a, (d) => {
      addNode(d, 'summarize', { x: 0, y: 0 }, 'x' as NodeId);
      addNode(d, 'translate', { x: 1, y: 0 }, 'y' as NodeId);
    });
    let b = Automerge.clone(a);
    a = Automerge.change(a, (d) => deleteElements(d, ['y' as NodeId], edgesAttachedTo(a, ['y' as NodeId])));
    b = Automerge.change(b, (d) =>
      connect(
        d,
        { node: 'x' as NodeId, port: 'summary' },
        { node: 'y' as NodeId, port: 'text' },
        'e1' as EdgeId,
      ),
    );
    const merged = plain(Automerge.merge(a, b));
    const report = validateWorkflow(merged);
    expect(report.rejectedEdges.get('e1' as EdgeId)).toBe('dangling');
    expect(
      report.findings.some(
        (f) => f.code === 'dangling-edge' && f.target.kind === 'edge' && f.target.id === 'e1',
      ),
    ).toBe(true);
  });
});
