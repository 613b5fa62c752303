// Tests of the board's undo and redo: ops' exact inverses, and undo that leaves collaborators' edits alone.
import type { EdgeId, NodeId, Workflow } from '@symphony/schemas';
import { describe, expect, it } from 'vitest';
import { applyOps, BoardHistory, type BoardOp } from './board-history.js';

const A = 'nA' as NodeId;
const B = 'nB' as NodeId;
const E = 'e1' as EdgeId;

function workflow(): Workflow {
  return {
    name: 'W',
    nodes: {
      [A]: { type: 'summarize', kind: 'instrument', params: { length: 'short' }, position: { x: 0, y: 0 } },
      [B]: { type: 'summarize', kind: 'instrument', params: {}, position: { x: 300, y: 0 } },
    },
    edges: { [E]: { from: { node: A, port: 'summary' }, to: { node: B, port: 'text' } } },
  };
}

describe('applyOps', () => {
  it('returns the inverse that restores the document exactly', () => {
    const doc = workflow();
    const before = structuredClone(doc);
    const ops: BoardOp[] = [
      { op: 'remove-edge', id: E },
      { op: 'remove-node', id: A },
      { op: 'move', positions: [[B, { x: 10, y: 20 }]] },
      { op: 'set-param', node: B, name: 'focus', value: 'risks' },
      { op: 'rename', name: 'Renamed' },
    ];
    const inverse = applyOps(doc, ops);
    expect(doc.nodes[A]).toBeUndefined();
    expect(doc.nodes[B]?.position).toEqual({ x: 10, y: 20 });
    applyOps(doc, inverse);
    expect(doc).toEqual(before);
  });

  it('does nothing, and records nothing, for things that are already gone', () => {
    const doc = workflow();
    const inverse = applyOps(doc, [
      { op: 'remove-node', id: 'gone' as NodeId },
      { op: 'move', positions: [['gone' as NodeId, { x: 1, y: 1 }]] },
    ]);
    expect(inverse).toEqual([]);
  });

  it('removes a parameter set back to undefined', () => {
    const doc = workflow();
    const inverse = applyOps(doc, [{ op: 'set-param', node: B, name: 'focus', value: 'x' }]);
    applyOps(doc, inverse);
    expect('focus' in (doc.nodes[B]?.params ?? {})).toBe(false);
  });
});

describe('BoardHistory', () => {
  it('undoes and redoes this person’s gestures, leaving a collaborator’s later edit alone', () => {
    const doc = workflow();
    const history = new BoardHistory();
    const apply = (ops: readonly BoardOp[]) => applyOps(doc, ops);
    history.record('Move', apply([{ op: 'move', positions: [[A, { x: 50, y: 50 }]] }]));
    // A collaborator edits something else meanwhile.
    doc.nodes[B]!.params.focus = 'theirs';
    expect(history.undo(apply)).toBe('Move');
    expect(doc.nodes[A]?.position).toEqual({ x: 0, y: 0 });
    expect(doc.nodes[B]?.params.focus).toBe('theirs');
    expect(history.canRedo).toBe(true);
    expect(history.redo(apply)).toBe('Move');
    expect(doc.nodes[A]?.position).toEqual({ x: 50, y: 50 });
    expect(history.redo(apply)).toBeNull();
  });

  it('a new gesture clears the redo stack; empty inverses are not recorded; the limit holds', () => {
    const doc = workflow();
    const history = new BoardHistory(2);
    const apply = (ops: readonly BoardOp[]) => applyOps(doc, ops);
    history.record('nothing', []);
    expect(history.canUndo).toBe(false);
    history.record('1', apply([{ op: 'rename', name: 'one' }]));
    history.undo(apply);
    history.record('2', apply([{ op: 'rename', name: 'two' }]));
    expect(history.canRedo).toBe(false);
    history.record('3', apply([{ op: 'rename', name: 'three' }]));
    history.record('4', apply([{ op: 'rename', name: 'four' }]));
    expect(history.undo(apply)).toBe('4');
    expect(history.undo(apply)).toBe('3');
    expect(history.undo(apply)).toBeNull();
    expect(doc.name).toBe('two');
  });
});
