// Tests of the board without a mouse (board-keyboard.ts, board-shortcuts.ts, board-edits.ts): focus,
// selection, moves, connecting by keyboard with refusals in words, duplicate, the menu and the table.
import type { EdgeId, NodeId, Workflow } from '@symphony/schemas';
import { describe, expect, it } from 'vitest';
import { connectionRefusal, dataTypeName, duplicateChange } from './board-edits.js';
import {
  type BoardCommand,
  type BoardContext,
  type BoardGesture,
  type BoardInput,
  stepBoardGesture,
} from './board-gestures.js';
import { boardMenuItems, readingOrder } from './board-keyboard.js';
import { BOARD_SHORTCUTS, chordText, matchShortcut, shortcutText } from './board-shortcuts.js';

const EMBED = 'nEmbed' as NodeId;
const SUM = 'nSum' as NodeId;
const TRANS = 'nTrans' as NodeId;
const NEW_EDGE = 'e-new' as EdgeId;

/** Embed (left), Summarize (middle), Translate (right, a bit lower); no edges. */
function workflow(): Workflow {
  return {
    name: 'W',
    nodes: {
      [TRANS]: { type: 'translate', kind: 'instrument', params: {}, position: { x: 600, y: 40 } },
      [SUM]: { type: 'summarize', kind: 'instrument', params: {}, position: { x: 300, y: 0 } },
      [EMBED]: { type: 'embed', kind: 'instrument', params: {}, position: { x: 0, y: 0 } },
    },
    edges: {},
  };
}

function context(overrides: Partial<BoardContext> = {}): BoardContext {
  return {
    workflow: workflow(),
    selectedNodes: new Set(),
    selectedEdges: new Set(),
    viewport: { x: 0, y: 0, k: 1 },
    readOnly: false,
    focusedNode: null,
    newEdgeId: () => NEW_EDGE,
    ...overrides,
  };
}

const key = (name: string, keys: { shift?: boolean; mod?: boolean; alt?: boolean } = {}): BoardInput => ({
  kind: 'key',
  key: name,
  shift: keys.shift ?? false,
  mod: keys.mod ?? false,
  alt: keys.alt ?? false,
});

/** Runs inputs, applying `select` and `focus-node` to the context as the element would. */
function run(inputs: BoardInput[], start = context()) {
  let ctx = start;
  let gesture: BoardGesture | null = null;
  const commands: BoardCommand[] = [];
  const steps = [];
  for (const input of inputs) {
    const step = stepBoardGesture(gesture, input, ctx);
    steps.push(step);
    gesture = step.gesture;
    for (const c of step.commands) {
      if (c.kind === 'select') ctx = { ...ctx, selectedNodes: c.nodes, selectedEdges: c.edges };
      if (c.kind === 'focus-node') ctx = { ...ctx, focusedNode: c.node };
    }
    commands.push(...step.commands);
  }
  const announced = commands.flatMap((c) => (c.kind === 'announce' ? [c.message] : []));
  const edits = commands.flatMap((c) => (c.kind === 'edit' ? [c] : []));
  return { ctx, gesture, commands, steps, announced, edits };
}

describe('focus and selection by keyboard', () => {
  it('Tab walks the nodes left to right, then lets the focus leave the board', () => {
    expect(readingOrder(workflow())).toEqual([EMBED, SUM, TRANS]);
    const { ctx, steps, announced } = run([key('Tab'), key('Tab'), key('Tab'), key('Tab')]);
    expect(ctx.focusedNode).toBe(TRANS);
    expect(steps.map((s) => s.preventDefault)).toEqual([true, true, true, false]);
    expect(announced[0]).toBe('Embed, node 1 of 3');
    const back = run([key('Tab', { shift: true })], context({ focusedNode: SUM }));
    expect(back.ctx.focusedNode).toBe(EMBED);
    expect(run([key('Tab', { shift: true })], context({ focusedNode: EMBED })).steps[0].preventDefault).toBe(
      false,
    );
  });

  it('arrows with nothing selected, and Alt+arrows always, go to the nearest node that way', () => {
    expect(run([key('ArrowRight')], context({ focusedNode: EMBED })).ctx.focusedNode).toBe(SUM);
    expect(run([key('ArrowLeft')], context({ focusedNode: TRANS })).ctx.focusedNode).toBe(SUM);
    const selected = context({ focusedNode: EMBED, selectedNodes: new Set([TRANS]) });
    const alt = run([key('ArrowRight', { alt: true })], selected);
    expect(alt.ctx.focusedNode).toBe(SUM);
    expect(alt.edits).toEqual([]);
    // Nothing that way: handled (no page scroll), focus stays.
    expect(run([key('ArrowUp')], context({ focusedNode: SUM })).ctx.focusedNode).toBe(SUM);
  });

  it('Enter or Space selects the focused node; with Shift adds or removes it', () => {
    expect([...run([key('Enter')], context({ focusedNode: SUM })).ctx.selectedNodes]).toEqual([SUM]);
    expect([...run([key(' ')], context({ focusedNode: SUM })).ctx.selectedNodes]).toEqual([SUM]);
    const adding = run(
      [key('Enter', { shift: true })],
      context({ focusedNode: SUM, selectedNodes: new Set([EMBED]) }),
    );
    expect([...adding.ctx.selectedNodes]).toEqual([EMBED, SUM]);
    const removing = run([key(' ', { shift: true })], adding.ctx);
    expect([...removing.ctx.selectedNodes]).toEqual([EMBED]);
    // No focused node: Enter is the browser's.
    expect(run([key('Enter')]).steps[0].preventDefault).toBe(false);
  });

  it('Tab, Enter, arrows, Delete: focus, select, move and delete with no mouse', () => {
    const { edits } = run([key('Tab'), key('Enter'), key('ArrowDown', { shift: true }), key('Delete')]);
    expect(edits.map((e) => e.label)).toEqual(['Move', 'Delete 1 node']);
    expect(edits[0].ops).toEqual([{ op: 'move', positions: [[EMBED, { x: 0, y: 80 }]] }]);
  });
});

describe('connecting by keyboard', () => {
  it('C on a node starts at its first output and the first input that can take it; Enter connects', () => {
    const { gesture, edits, announced } = run([key('c'), key('Enter')], context({ focusedNode: SUM }));
    expect(gesture).toBeNull();
    expect(edits).toEqual([
      {
        kind: 'edit',
        label: 'Connect',
        ops: [
          {
            op: 'put-edge',
            id: NEW_EDGE,
            edge: { from: { node: SUM, port: 'summary' }, to: { node: TRANS, port: 'text' } },
          },
        ],
      },
    ]);
    expect(announced.at(-1)).toBe('Connected Summarize › Summary to Translate › Text');
  });

  it('says why an input cannot take the edge, and will not connect it', () => {
    // Embed's output is an embedding: nothing here takes one.
    const started = run([key('c')], context({ focusedNode: EMBED }));
    expect(started.gesture).toMatchObject({ kind: 'link', refusal: 'Embedding cannot flow into Text' });
    expect(started.announced[0]).toContain('Into Summarize › Text: Embedding cannot flow into Text.');
    const confirm = run([key('c'), key('Enter')], context({ focusedNode: EMBED }));
    expect(confirm.edits).toEqual([]);
    expect(confirm.gesture?.kind).toBe('link');
    expect(confirm.announced.at(-1)).toBe('Cannot connect: Embedding cannot flow into Text');
  });

  it('Tab cycles the inputs, arrows the outputs; Escape cancels without letting the page go', () => {
    const ctx = context({ focusedNode: SUM });
    const next = run([key('c'), key('Tab')], ctx);
    // Summarize → Translate › Text, then around to Embed › Text.
    expect(next.gesture).toMatchObject({
      kind: 'link',
      target: { node: EMBED, port: 'text' },
      refusal: null,
    });
    const wrapped = run([key('c'), key('Tab'), key('Tab', { shift: true })], ctx);
    expect(wrapped.gesture).toMatchObject({ target: { node: TRANS, port: 'text' } });
    const port = run([key('c'), key('ArrowDown')], ctx);
    expect(port.gesture).toMatchObject({ from: { node: SUM, port: 'summary' } });
    const cancel = run([key('c'), key('Escape')], ctx);
    expect(cancel.gesture).toBeNull();
    expect(cancel.steps[1].stopPropagation).toBe(true);
    expect(cancel.edits).toEqual([]);
    // Other board keys do nothing while connecting (the selection stays put).
    const swallowed = run(
      [key('c'), key('Delete')],
      context({ focusedNode: SUM, selectedNodes: new Set([SUM]) }),
    );
    expect(swallowed.edits).toEqual([]);
    expect(swallowed.gesture?.kind).toBe('link');
  });

  it('a viewer cannot start connecting; a press on the board ends connecting', () => {
    expect(run([key('c')], context({ focusedNode: SUM, readOnly: true })).gesture).toBeNull();
    const ctx = context({ focusedNode: SUM });
    const started = run([key('c')], ctx);
    const press = stepBoardGesture(
      started.gesture,
      {
        kind: 'pointer-down',
        pointerId: 1,
        button: 0,
        screen: { x: 5000, y: 5000 },
        target: { kind: 'empty' },
        shift: false,
        mod: false,
      },
      ctx,
    );
    expect(press.gesture?.kind).toBe('pan');
    // C during a drag leaves the drag alone.
    const duringPan = stepBoardGesture(press.gesture, key('c'), ctx);
    expect(duringPan.gesture).toBe(press.gesture);
  });
});

describe('refusals in words', () => {
  it('names the data types, a node into itself, the same edge twice', () => {
    const wf = workflow();
    expect(connectionRefusal(wf, { node: EMBED, port: 'embedding' }, { node: SUM, port: 'text' })).toBe(
      'Embedding cannot flow into Text',
    );
    expect(connectionRefusal(wf, { node: SUM, port: 'summary' }, { node: SUM, port: 'text' })).toBe(
      'A node cannot connect to itself',
    );
    expect(connectionRefusal(wf, { node: SUM, port: 'summary' }, { node: TRANS, port: 'text' })).toBeNull();
    wf.edges[NEW_EDGE] = { from: { node: SUM, port: 'summary' }, to: { node: TRANS, port: 'text' } };
    expect(connectionRefusal(wf, { node: SUM, port: 'summary' }, { node: TRANS, port: 'text' })).toBe(
      'These ports are already connected',
    );
    expect(dataTypeName('text-list')).toBe('Text list');
    expect(dataTypeName('json')).toBe('JSON');
  });

  it('while an edge is dragged over an input that cannot take it, the gesture carries why', () => {
    const ctx = context();
    const down: BoardInput = {
      kind: 'pointer-down',
      pointerId: 1,
      button: 0,
      screen: { x: 200, y: 50 },
      target: { kind: 'port', node: EMBED, port: 'embedding', side: 'out' },
      shift: false,
      mod: false,
    };
    const first = stepBoardGesture(null, down, ctx);
    const over = { kind: 'port', node: SUM, port: 'text', side: 'in' } as const;
    const moving = stepBoardGesture(
      first.gesture,
      { kind: 'pointer-move', pointerId: 1, screen: { x: 300, y: 50 }, over },
      ctx,
    );
    expect(moving.gesture).toMatchObject({ kind: 'connect', refusal: 'Embedding cannot flow into Text' });
    const away = stepBoardGesture(
      moving.gesture,
      { kind: 'pointer-move', pointerId: 1, screen: { x: 900, y: 900 }, over: { kind: 'empty' } },
      ctx,
    );
    expect(away.gesture).toMatchObject({ kind: 'connect', refusal: null });
    const dropped = stepBoardGesture(
      away.gesture,
      { kind: 'pointer-up', pointerId: 1, target: { kind: 'empty' }, drop: over },
      ctx,
    );
    expect(dropped.commands).toEqual([
      { kind: 'announce', message: 'Not connected: Embedding cannot flow into Text' },
    ]);
  });
});

describe('duplicate and the context menu', () => {
  it('Ctrl+D copies the selection 40 right and down, with the edges between the copies, and selects them', () => {
    const wf = workflow();
    wf.edges.e1 = {
      from: { node: SUM, port: 'summary' },
      to: { node: TRANS, port: 'text' },
    } as Workflow['edges'][EdgeId];
    wf.edges.e2 = {
      from: { node: EMBED, port: 'embedding' },
      to: { node: SUM, port: 'text' },
    } as Workflow['edges'][EdgeId];
    let n = 0;
    const ids = { newNodeId: () => `copy${n++}` as NodeId, newEdgeId: () => 'e-copy' as EdgeId };
    const copy = duplicateChange(wf, new Set([SUM, TRANS]), ids);
    expect(copy?.label).toBe('Duplicate 2 nodes');
    expect(copy?.ops.map((o) => o.op)).toEqual(['put-node', 'put-node', 'put-edge']);
    expect(copy?.ops[0]).toMatchObject({
      id: 'copy0',
      node: { type: 'summarize', position: { x: 340, y: 40 } },
    });
    expect(copy?.ops[2]).toMatchObject({ edge: { from: { node: 'copy0' }, to: { node: 'copy1' } } });
    const { ctx, edits } = run(
      [key('d', { mod: true })],
      context({ selectedNodes: new Set([SUM]), workflow: wf, ...ids }),
    );
    expect(edits[0].label).toBe('Duplicate node');
    expect(ctx.selectedNodes.size).toBe(1);
    expect(ctx.selectedNodes.has(SUM)).toBe(false);
  });

  it('a right-click on a node selects it and opens its menu; a menu action acts on that node', () => {
    const opened = run([
      { kind: 'context-menu', target: { kind: 'node', node: TRANS }, screen: { x: 10, y: 20 } },
    ]);
    expect([...opened.ctx.selectedNodes]).toEqual([TRANS]);
    expect(opened.commands.at(-1)).toEqual({
      kind: 'menu',
      target: { kind: 'node', node: TRANS },
      screen: { x: 10, y: 20 },
    });
    const deleted = run([{ kind: 'action', action: 'delete', subject: TRANS }], opened.ctx);
    expect(deleted.edits[0].label).toBe('Delete 1 node');
    const linking = run([{ kind: 'action', action: 'connect', subject: SUM }]);
    expect(linking.gesture).toMatchObject({ kind: 'link', from: { node: SUM } });
    // Shift+F10 opens the menu of the selection, beside it.
    const keyed = run([key('F10', { shift: true })], context({ selectedNodes: new Set([SUM]) }));
    expect(keyed.commands).toEqual([{ kind: 'menu', target: { kind: 'node', node: SUM }, screen: null }]);
  });

  it('lists node, edge and board entries with their shortcuts, edits off for a viewer', () => {
    const node = boardMenuItems({ kind: 'node', node: EMBED }, context());
    expect(node.map((i) => i.label)).toEqual([
      'Connect from here',
      'Duplicate',
      'Delete',
      'Select all',
      'Fit view',
    ]);
    expect(node.find((i) => i.action === 'delete')?.keys).toBe('Delete or Backspace');
    const viewer = boardMenuItems({ kind: 'node', node: EMBED }, context({ readOnly: true }));
    expect(viewer.filter((i) => i.disabled).map((i) => i.action)).toEqual(['connect', 'duplicate', 'delete']);
    expect(boardMenuItems({ kind: 'empty' }, context()).map((i) => i.action)).toEqual([
      'select-all',
      'fit',
      'help',
    ]);
    expect(boardMenuItems({ kind: 'edge', edge: NEW_EDGE }, context()).map((i) => i.label)).toEqual([
      'Delete edge',
      'Select all',
      'Fit view',
    ]);
  });
});

describe('the shortcut table', () => {
  it('is what the keys do: every row matches its own chords, and no chord means two things', () => {
    for (const s of BOARD_SHORTCUTS) {
      for (const c of s.chords) {
        const press = { key: c.key, mod: c.mod ?? false, shift: c.shift ?? false, alt: c.alt ?? false };
        expect(matchShortcut(press, s.mode), `${s.action}: ${chordText(c)}`).toBe(s.action);
      }
    }
    expect(matchShortcut({ key: '?', mod: false, shift: true }, 'board')).toBe('help');
    expect(matchShortcut({ key: 'Z', mod: true, shift: true }, 'board')).toBe('redo');
    expect(matchShortcut({ key: 'c', mod: true, shift: false }, 'board')).toBeNull();
  });

  it('prints keys for people', () => {
    expect(shortcutText('redo')).toBe('Ctrl+Shift+Z or Ctrl+Y');
    expect(shortcutText('redo', true)).toBe('⌘+Shift+Z or ⌘+Y');
    expect(shortcutText('move-left')).toBe('Arrow keys');
    expect(shortcutText('menu')).toBe('Shift+F10 or Menu key');
    expect(shortcutText('link-next-target')).toBe('Tab or →');
  });
});
