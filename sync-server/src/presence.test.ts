import * as encoding from 'lib0/encoding';
import { describe, expect, it } from 'vitest';
import * as awarenessProtocol from 'y-protocols/awareness';
import * as Y from 'yjs';
import { stampAwareness } from './presence.js';

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
  it("overwrites user.id and user.name with the token's, keeping every other field", () => {
    const stamped = stampAwareness(
      update([[7, 1, { user: { id: 'u-root', name: 'root', color: 'teal' }, cursor: { anchor: 3 } }]]),
      ada,
      () => false,
    );
    expect(received(stamped.update!).get(7)).toEqual({
      user: { id: 'u-ada', name: 'ada', color: 'teal' },
      cursor: { anchor: 3 },
    });
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
