// Tests of where the board looks (board-view.ts): revealing nodes, the drawn window, when the
// minimap shows, and where a keyboard-opened menu goes.
import type { NodeId, Workflow } from '@symphony/schemas';
import { describe, expect, it } from 'vitest';
import { drawnWindow, menuAnchor, minimapNeeded, revealViewport, workflowBounds } from './board-view.js';

const A = 'nA' as NodeId;
const B = 'nB' as NodeId;
const wf: Workflow = {
  name: 'W',
  nodes: {
    [A]: { type: 'note', kind: 'addon', params: {}, position: { x: 0, y: 0 } },
    [B]: { type: 'note', kind: 'addon', params: {}, position: { x: 2000, y: 1000 } },
  },
  edges: {},
};
const size = { width: 800, height: 600 };

describe('board view', () => {
  it('reveals a node by centring it at the same zoom, and leaves the view alone when it is in view', () => {
    const v = { x: 0, y: 0, k: 1 };
    const moved = revealViewport(wf, [B], [], v, size, true);
    expect(moved?.k).toBe(1);
    expect(moved && moved.x < -1500).toBe(true);
    expect(revealViewport(wf, [A], [], { x: 100, y: 100, k: 1 }, size, true)).toBeNull();
    expect(revealViewport(wf, [A], [], { x: 100, y: 100, k: 1 }, size)).not.toBeNull();
    expect(revealViewport(wf, [], [], v, size)).toBeNull();
  });

  it('keeps the drawn window while the view is inside it, and moves it past the edge', () => {
    const first = drawnWindow({ x: 0, y: 0, k: 1 }, size, null);
    expect(first).toEqual({ x: -800, y: -600, width: 2400, height: 1800 });
    expect(drawnWindow({ x: -300, y: -200, k: 1 }, size, first)).toBe(first);
    expect(drawnWindow({ x: -900, y: 0, k: 1 }, size, first)).not.toBe(first);
  });

  it('shows the minimap only when the workflow is larger than the view at this zoom', () => {
    const bounds = workflowBounds(wf);
    expect(minimapNeeded(bounds, 1, size)).toBe(true);
    expect(minimapNeeded(bounds, 0.25, size)).toBe(false);
    expect(minimapNeeded(null, 1, size)).toBe(false);
    expect(minimapNeeded(bounds, 1, { width: 0, height: 0 })).toBe(false);
  });

  it('opens a keyboard menu just inside its node, or in the middle of the board', () => {
    expect(menuAnchor(wf, { kind: 'node', node: A }, { x: 10, y: 20, k: 2 }, size)).toEqual({
      x: 58,
      y: 100,
    });
    expect(menuAnchor(wf, { kind: 'empty' }, { x: 10, y: 20, k: 2 }, size)).toEqual({ x: 400, y: 300 });
  });
});
