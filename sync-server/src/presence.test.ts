// Tests of presence stamping: the token's user replaces what a client claims, hostile names, colours,
// cursors and selections cleaned, removals kept, and client ids another connection holds dropped.
import { presenceColorFor } from '@symphony/schemas';
import * as encoding from 'lib0/encoding';
import { describe, expect, it } from 'vitest';
import * as awarenessProtocol from 'y-protocols/awareness';
import * as Y from 'yjs';
import { stampAwareness, stampBoardPresence } from './presence.js';

function update(entries: [clientId: number, clock: number, state: unknown][]): Uint8Array {
  const e = encoding.createEncoder();
  encoding.writeVarUint(e, entries.length);
  for (const [clientId, clock, state] of entries) {
    encoding.writeVarUint(e, clientId);
    encoding.writeVarUint(e, clock);
    encoding.writeVarString(e, JSON.stringify(state));
  }
  return encoding.toUint8Array(e);
}

/** What a receiving Awareness makes of `bytes`. */
function received(bytes: Uint8Array): Map<number, Record<string, unknown>> {
  const awareness = new awarenessProtocol.Awareness(new Y.Doc());
  awarenessProtocol.applyAwarenessUpdate(awareness, bytes, null);
  return awareness.getStates() as Map<number, Record<string, unknown>>;
}

const ada = { userId: 'u-ada', userName: 'ada' };

describe('stampAwareness', () => {
  it("overwrites user.id and user.name with the token's, keeping a stock client's colours and cursor", () => {
    const cursor = {
      anchor: { type: null, tname: null, item: { client: 7, clock: 2 }, assoc: 0 },
      head: { type: null, tname: 'content', item: null, assoc: 0 },
    };
    const stamped = stampAwareness(
      update([
        [7, 1, { user: { id: 'u-root', name: 'root', color: '#008b8b', colorLight: '#008b8b33' }, cursor }],
      ]),
      ada,
      () => false,
    );
    expect(received(stamped.update!).get(7)).toEqual({
      user: { id: 'u-ada', name: 'ada', color: '#008b8b', colorLight: '#008b8b33' },
      cursor,
    });
  });

  it.each([
    'red;position:fixed;inset:0;background:url(http://evil/x)',
    'expression(alert(document.cookie))',
    `#${'f'.repeat(1_000_000)}`,
    'teal',
    7,
    { r: 255 },
    null,
  ])('never relays the colour %j: it becomes one derived from the user id', (color) => {
    const stamped = stampAwareness(
      update([
        [
          7,
          1,
          { user: { name: 'x', color, colorLight: color }, cursor: { anchor: 3, head: 'x' }, evil: 'y' },
        ],
      ]),
      ada,
      () => false,
    );
    expect(received(stamped.update!).get(7)).toEqual({
      user: {
        id: 'u-ada',
        name: 'ada',
        color: presenceColorFor('u-ada'),
        colorLight: `${presenceColorFor('u-ada')}33`,
      },
      cursor: null,
    });
  });

  it('cleans a name the token gives that a cursor label should not show', () => {
    const stamped = stampAwareness(
      update([[7, 1, { user: {} }]]),
      { userId: 'u', userName: 'a\u0000b\u001b' },
      () => false,
    );
    expect(received(stamped.update!).get(7)).toEqual({ user: { id: 'u', name: 'ab' } });
  });

  it('gives a state without a user (or not an object at all) one', () => {
    const stamped = stampAwareness(
      update([
        [1, 1, { cursor: null }],
        [2, 1, 'hi'],
        [3, 1, { user: 5 }],
      ]),
      ada,
      () => false,
    );
    const states = received(stamped.update!);
    expect(states.get(1)).toEqual({ cursor: null, user: { id: 'u-ada', name: 'ada' } });
    expect(states.get(2)).toEqual({ user: { id: 'u-ada', name: 'ada' } });
    expect(states.get(3)).toEqual({ user: { id: 'u-ada', name: 'ada' } });
  });

  it('keeps removals as removals and drops client ids another connection holds', () => {
    const stamped = stampAwareness(
      update([
        [1, 2, null],
        [2, 1, { user: { name: 'x' } }],
      ]),
      ada,
      (id) => id === 2,
    );
    expect(stamped.kept).toEqual([1]);
    expect(stamped.dropped).toEqual([2]);
    expect(stampAwareness(update([[2, 1, {}]]), ada, () => true).update).toBeUndefined();
  });
});

describe('stampBoardPresence', () => {
  const valid = {
    type: 'board-presence',
    user: { name: 'root', color: '#2e8b57' },
    selection: ['n1'],
    pointer: { x: 4, y: 5 },
    dragging: [['n1', { x: 1, y: 2 }]],
  };

  it("stamps the token's user and keeps a valid message's fields", () => {
    expect(stampBoardPresence(valid, ada)).toEqual({
      ...valid,
      user: { id: 'u-ada', name: 'ada', color: '#2e8b57' },
    });
    const long = stampBoardPresence(valid, { userId: 'u', userName: 'n'.repeat(64) }) as typeof valid;
    expect(long.user.name).toHaveLength(40);
  });

  it('replaces a hostile colour, pointer and selection with safe values', () => {
    const stamped = stampBoardPresence(
      {
        ...valid,
        user: { name: 'x', color: 'red;position:fixed;inset:0;background:url(http://evil/x)' },
        pointer: { x: Number.NaN, y: 1e300 },
        selection: ['n1', { toString: 1 }, 'x'.repeat(1_000)],
        dragging: [['n1', { x: Number.POSITIVE_INFINITY, y: 0 }]],
        html: '<img src=x>',
      },
      ada,
    );
    expect(stamped).toEqual({
      type: 'board-presence',
      user: { id: 'u-ada', name: 'ada', color: presenceColorFor('u-ada') },
      selection: ['n1'],
      pointer: null,
      dragging: [],
    });
  });

  it('passes a board-leave (or another map without a user) through as it is', () => {
    const leave = { type: 'board-leave' };
    expect(stampBoardPresence(leave, ada)).toBe(leave);
  });
});
