// Tests of the board's gesture machine (board-gestures.ts), without a DOM: drags, edges, bands,
// panning, the wheel and keys, on an editor's board and on a viewer's.
import type { EdgeId, NodeId, Workflow } from '@symphony/schemas';
import { describe, expect, it } from 'vitest';
import {
  type BoardCommand,
  type BoardContext,
  type BoardGesture,
  type BoardHit,
  type BoardInput,
  deleteSelectionEdit,
  NUDGE,
  stepBoardGesture,
} from './board-gestures.js';

const A = 'nA' as NodeId;
const B = 'nB' as NodeId;
const C = 'nC' as NodeId;
const E = 'e1' as EdgeId;
const NEW_EDGE = 'e-new' as EdgeId;

/** Two summarizers, A → B, and a third one (C) far away. Nodes are 200 wide. */
function workflow(): Workflow {
  return {
    name: 'W',
    nodes: {
      [A]: { type: 'summarize', kind: 'instrument', params: {}, position: { x: 0, y: 0 } },
      [B]: { type: 'summarize', kind: 'instrument', params: {}, position: { x: 300, y: 0 } },
      [C]: { type: 'summarize', kind: 'instrument', params: {}, position: { x: 1000, y: 1000 } },
    },
    edges: { [E]: { from: { node: A, port: 'summary' }, to: { node: B, port: 'text' } } },
  };
}

function context(overrides: Partial<BoardContext> = {}): BoardContext {
  return {
    workflow: workflow(),
    selectedNodes: new Set(),
    selectedEdges: new Set(),
    viewport: { x: 0, y: 0, k: 1 },
    readOnly: false,
    newEdgeId: () => NEW_EDGE,
    ...overrides,
  };
}

const EMPTY: BoardHit = { kind: 'empty' };
const noKeys = { shift: false, mod: false };

function down(target: BoardHit, x = 0, y = 0, keys = noKeys): BoardInput {
  return { kind: 'pointer-down', pointerId: 1, button: 0, screen: { x, y }, target, ...keys };
}
function move(x: number, y: number, pointerId = 1): BoardInput {
  return { kind: 'pointer-move', pointerId, screen: { x, y } };
}
function up(target: BoardHit = EMPTY, drop: BoardHit = EMPTY): BoardInput {
  return { kind: 'pointer-up', pointerId: 1, target, drop };
}
function key(name: string, keys = noKeys): BoardInput {
  return { kind: 'key', key: name, ...keys };
}

/** Runs inputs in order, as the element does; returns the last gesture and every command. */
function run(inputs: BoardInput[], ctx = context()) {
  let gesture: BoardGesture | null = null;
  const commands: BoardCommand[] = [];
  for (const input of inputs) {
    const step = stepBoardGesture(gesture, input, ctx);
    gesture = step.gesture;
    commands.push(...step.commands);
  }
  return { gesture, commands, kinds: commands.map((c) => c.kind) };
}

describe('dragging nodes', () => {
  it('moves the selection by the drag, as one edit on release, showing the drag to collaborators', () => {
    const ctx = context({ viewport: { x: 10, y: 10, k: 2 } });
    const { commands, gesture } = run(
      [down({ kind: 'node', node: A }, 50, 50), move(90, 70), move(110, 90), up()],
      ctx,
    );
    expect(gesture).toBeNull();
    expect(commands[0]).toEqual({ kind: 'focus' });
    expect(commands[1]).toEqual({ kind: 'select', nodes: new Set([A]), edges: new Set() });
    expect(commands[2]).toEqual({ kind: 'capture' });
    // 60 screen pixels right at zoom 2 are 30 board units.
    expect(commands.at(-2)).toEqual({ kind: 'presence', pointer: null, dragging: [] });
    expect(commands.at(-1)).toEqual({
      kind: 'edit',
      label: 'Move node',
      ops: [{ op: 'move', positions: [[A, { x: 30, y: 20 }]] }],
    });
    expect(commands).toContainEqual({
      kind: 'presence',
      pointer: { x: 50, y: 40 },
      dragging: [[A, { x: 30, y: 20 }]],
    });
  });

  it('moves every selected node when one of them is dragged', () => {
    const ctx = context({ selectedNodes: new Set([A, B]) });
    const { commands } = run([down({ kind: 'node', node: B }), move(20, 0), up()], ctx);
    expect(commands.at(-1)).toEqual({
      kind: 'edit',
      label: 'Move 2 nodes',
      ops: [
        {
          op: 'move',
          positions: [
            [A, { x: 20, y: 0 }],
            [B, { x: 320, y: 0 }],
          ],
        },
      ],
    });
    expect(commands.filter((c) => c.kind === 'select')).toEqual([]);
  });

  it('takes a press that moves under 3 px for a click: no edit, and on one of several selected, selects it alone', () => {
    const ctx = context({ selectedNodes: new Set([A, B]) });
    const { commands, gesture } = run(
      [down({ kind: 'node', node: B }), move(2, 1), up({ kind: 'node', node: B })],
      ctx,
    );
    expect(gesture).toBeNull();
    expect(commands.map((c) => c.kind)).toEqual(['focus', 'capture', 'presence', 'select']);
    expect(commands.at(-1)).toEqual({ kind: 'select', nodes: new Set([B]), edges: new Set() });
  });

  it('ignores another pointer while one gesture runs, and a cancel drops the gesture without an edit', () => {
    let step = stepBoardGesture(null, down({ kind: 'node', node: A }), context());
    const started = step.gesture;
    step = stepBoardGesture(started, move(100, 100, 2), context());
    expect(step.gesture).toBe(started);
    expect(step.commands).toEqual([]);
    step = stepBoardGesture(started, { kind: 'pointer-cancel' }, context());
    expect(step).toMatchObject({ gesture: null, commands: [] });
  });

  it('shift- or ctrl-click toggles a node in the selection and starts no gesture', () => {
    const ctx = context({ selectedNodes: new Set([A]) });
    const shift = stepBoardGesture(
      null,
      down({ kind: 'node', node: B }, 0, 0, { shift: true, mod: false }),
      ctx,
    );
    expect(shift.gesture).toBeNull();
    expect(shift.commands.at(-1)).toEqual({ kind: 'select', nodes: new Set([A, B]), edges: new Set() });
    const ctrl = stepBoardGesture(
      null,
      down({ kind: 'node', node: A }, 0, 0, { shift: false, mod: true }),
      ctx,
    );
    expect(ctrl.commands.at(-1)).toEqual({ kind: 'select', nodes: new Set(), edges: new Set() });
  });
});

describe('drawing edges', () => {
  const out: BoardHit = { kind: 'port', node: B, port: 'summary', side: 'out' };

  it('connects an output to a compatible input, as one edit named Connect', () => {
    const { commands, gesture } = run([
      down(out, 480, 40),
      move(100, 60),
      up(EMPTY, { kind: 'port', node: A, port: 'text', side: 'in' }),
    ]);
    expect(gesture).toBeNull();
    expect(commands.at(-1)).toEqual({
      kind: 'edit',
      label: 'Connect',
      ops: [
        {
          op: 'put-edge',
          id: NEW_EDGE,
          edge: { from: { node: B, port: 'summary' }, to: { node: A, port: 'text' } },
        },
      ],
    });
  });

  it('follows the pointer while drawing and prevents the browser’s default', () => {
    const first = stepBoardGesture(null, down(out, 480, 40), context());
    expect(first.preventDefault).toBe(true);
    expect(first.gesture).toMatchObject({
      kind: 'connect',
      from: { node: B, port: 'summary', type: 'text' },
    });
    const next = stepBoardGesture(first.gesture, move(200, 100), context());
    expect(next.gesture).toMatchObject({ kind: 'connect', at: { x: 200, y: 100 } });
  });

  it('makes nothing when dropped on empty board, on its own node, twice, or on an output', () => {
    const ends: BoardHit[] = [
      EMPTY,
      { kind: 'port', node: C, port: 'summary', side: 'out' },
      { kind: 'node', node: C },
    ];
    for (const drop of ends) expect(run([down(out), up(EMPTY, drop)]).kinds).toEqual(['focus', 'capture']);
    // On an input that cannot take it, it says why.
    const own = run([down(out), up(EMPTY, { kind: 'port', node: B, port: 'text', side: 'in' })]);
    expect(own.commands.at(-1)).toEqual({
      kind: 'announce',
      message: 'Not connected: A node cannot connect to itself',
    });
    const duplicate = run([
      down({ kind: 'port', node: A, port: 'summary', side: 'out' }),
      up(EMPTY, { kind: 'port', node: B, port: 'text', side: 'in' }),
    ]);
    expect(duplicate.kinds).toEqual(['focus', 'capture', 'announce']);
    expect(duplicate.commands.some((c) => c.kind === 'edit')).toBe(false);
  });

  it('on a viewer’s board, a press on an output port acts on its node: select, no gesture', () => {
    const { gesture, kinds } = run([down(out)], context({ readOnly: true }));
    expect(gesture).toBeNull();
    expect(kinds).toEqual(['focus', 'select']);
  });
});

describe('empty board', () => {
  it('pans by the drag past 3 px, marking the gesture moved once (no re-render on later moves)', () => {
    const ctx = context({ viewport: { x: 40, y: 40, k: 1 } });
    const start = stepBoardGesture(null, down(EMPTY, 100, 100), ctx);
    expect(stepBoardGesture(start.gesture, move(101, 101), ctx)).toMatchObject({
      gesture: start.gesture,
      commands: [],
    });
    const first = stepBoardGesture(start.gesture, move(110, 100), ctx);
    expect(first.gesture).toMatchObject({ kind: 'pan', moved: true });
    expect(first.commands).toEqual([{ kind: 'viewport', viewport: { x: 50, y: 40, k: 1 } }]);
    const second = stepBoardGesture(first.gesture, move(130, 90), ctx);
    expect(second.gesture).toBe(first.gesture);
    expect(second.commands).toEqual([{ kind: 'viewport', viewport: { x: 70, y: 30, k: 1 } }]);
    expect(stepBoardGesture(second.gesture, up(), ctx).commands).toEqual([]);
  });

  it('a click on empty board clears the selection', () => {
    const ctx = context({ selectedNodes: new Set([A]) });
    expect(run([down(EMPTY), up()], ctx).commands.at(-1)).toEqual({
      kind: 'select',
      nodes: new Set(),
      edges: new Set(),
    });
  });

  it('shift-drag selects what the band touches, added to the selection', () => {
    const ctx = context({ selectedNodes: new Set([C]) });
    const { commands } = run([down(EMPTY, -10, -10, { shift: true, mod: false }), move(50, 50), up()], ctx);
    expect(commands.at(-1)).toEqual({ kind: 'select', nodes: new Set([C, A]), edges: new Set() });
  });

  it('tells collaborators where the pointer is when no gesture runs, and when it leaves', () => {
    const ctx = context({ viewport: { x: 20, y: 0, k: 2 } });
    expect(stepBoardGesture(null, move(60, 40), ctx).commands).toEqual([
      { kind: 'presence', pointer: { x: 20, y: 20 }, dragging: [] },
    ]);
    expect(stepBoardGesture(null, { kind: 'pointer-leave' }, ctx).commands).toEqual([
      { kind: 'presence', pointer: null, dragging: [] },
    ]);
  });

  it('ignores all but the main button, and everything before the workflow loads', () => {
    const right = { ...down(EMPTY), button: 2 } as BoardInput;
    expect(stepBoardGesture(null, right, context()).commands).toEqual([]);
    expect(stepBoardGesture(null, down(EMPTY), context({ workflow: null })).commands).toEqual([]);
  });
});

describe('edges', () => {
  it('a click selects the edge alone; shift-click toggles it', () => {
    const ctx = context({ selectedNodes: new Set([A]) });
    expect(run([down({ kind: 'edge', edge: E })], ctx).commands.at(-1)).toEqual({
      kind: 'select',
      nodes: new Set(),
      edges: new Set([E]),
    });
    const shift = run([down({ kind: 'edge', edge: E }, 0, 0, { shift: true, mod: false })], ctx);
    expect(shift.commands.at(-1)).toEqual({ kind: 'select', nodes: new Set([A]), edges: new Set([E]) });
    expect(shift.gesture).toBeNull();
  });
});

describe('wheel', () => {
  const wheel = (deltaX: number, deltaY: number, keys = noKeys, deltaMode = 0): BoardInput => ({
    kind: 'wheel',
    screen: { x: 100, y: 100 },
    deltaX,
    deltaY,
    deltaMode,
    ...keys,
  });
  const viewportOf = (input: BoardInput) => {
    const step = stepBoardGesture(null, input, context());
    expect(step.preventDefault).toBe(true);
    return (step.commands[0] as Extract<BoardCommand, { kind: 'viewport' }>).viewport;
  };

  it('pans, by lines too, and sideways with shift', () => {
    expect(viewportOf(wheel(5, 10))).toEqual({ x: -5, y: -10, k: 1 });
    expect(viewportOf(wheel(0, 2, noKeys, 1))).toEqual({ x: 0, y: -32, k: 1 });
    expect(viewportOf(wheel(0, 10, { shift: true, mod: false }))).toEqual({ x: -10, y: 0, k: 1 });
  });

  it('zooms around the pointer with Ctrl', () => {
    const v = viewportOf(wheel(0, -100, { shift: false, mod: true }));
    expect(v.k).toBeCloseTo(Math.exp(0.25));
    expect(100 - 100 * v.k).toBeCloseTo(v.x);
  });
});

describe('keys', () => {
  it('arrows nudge the selection by 20 (80 with shift), as one edit', () => {
    const ctx = context({ selectedNodes: new Set([A]) });
    const right = stepBoardGesture(null, key('ArrowRight'), ctx);
    expect(right.preventDefault).toBe(true);
    expect(right.commands).toEqual([
      { kind: 'edit', label: 'Move', ops: [{ op: 'move', positions: [[A, { x: NUDGE, y: 0 }]] }] },
    ]);
    expect(stepBoardGesture(null, key('ArrowUp', { shift: true, mod: false }), ctx).commands).toEqual([
      { kind: 'edit', label: 'Move', ops: [{ op: 'move', positions: [[A, { x: 0, y: -4 * NUDGE }]] }] },
    ]);
  });

  it('Delete removes the selected nodes with their edges, then clears the selection', () => {
    const step = stepBoardGesture(null, key('Delete'), context({ selectedNodes: new Set([A]) }));
    expect(step.commands).toEqual([
      {
        kind: 'edit',
        label: 'Delete 1 node',
        ops: [
          { op: 'remove-edge', id: E },
          { op: 'remove-node', id: A },
        ],
      },
      { kind: 'select', nodes: new Set(), edges: new Set() },
    ]);
    expect(deleteSelectionEdit(workflow(), new Set(), new Set([E]))).toEqual({
      label: 'Delete edge',
      ops: [{ op: 'remove-edge', id: E }],
    });
    expect(deleteSelectionEdit(workflow(), new Set(), new Set())).toBeNull();
  });

  it('undo, redo, select all, zoom, fit and Escape', () => {
    const ctx = context({ selectedEdges: new Set([E]) });
    const commands = (name: string, keys = noKeys) => stepBoardGesture(null, key(name, keys), ctx).commands;
    const mod = { shift: false, mod: true };
    expect(commands('z', mod)).toEqual([{ kind: 'undo' }]);
    expect(commands('Z', { shift: true, mod: true })).toEqual([{ kind: 'redo' }]);
    expect(commands('y', mod)).toEqual([{ kind: 'redo' }]);
    expect(commands('a', mod)).toEqual([{ kind: 'select', nodes: new Set([A, B, C]), edges: new Set() }]);
    expect(commands('+')).toEqual([{ kind: 'zoom', factor: 1.2 }]);
    expect(commands('-')).toEqual([{ kind: 'zoom', factor: 1 / 1.2 }]);
    expect(commands('0')).toEqual([{ kind: 'fit' }]);
    const esc = stepBoardGesture(null, key('Escape'), ctx);
    expect(esc).toMatchObject({ preventDefault: true, stopPropagation: true });
    // Esc with nothing selected is left to the page (it goes back home).
    expect(stepBoardGesture(null, key('Escape'), context())).toMatchObject({
      commands: [],
      preventDefault: false,
    });
  });

  it('a viewer’s board ignores editing keys entirely, and never edits', () => {
    const ctx = context({ readOnly: true, selectedNodes: new Set([A]) });
    for (const [name, keys] of [
      ['Delete', noKeys],
      ['Backspace', noKeys],
      ['ArrowLeft', noKeys],
      ['z', { shift: false, mod: true }],
    ] as const) {
      expect(stepBoardGesture(null, key(name, keys), ctx)).toMatchObject({
        commands: [],
        preventDefault: false,
      });
    }
    expect(stepBoardGesture(null, key('a', { shift: false, mod: true }), ctx).commands).toHaveLength(1);
    expect(run([down({ kind: 'node', node: A }), move(50, 50), up()], ctx).kinds).toEqual([
      'focus',
      'presence',
    ]);
  });
});
