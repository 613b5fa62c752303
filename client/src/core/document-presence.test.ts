// Tests of Document presence cleaning: safe peers for the presence list, safe states and cursors for
// y-codemirror.next, and EditorAwareness passing the local state and writes through.
import { presenceColorFor } from '@symphony/schemas';
import * as encoding from 'lib0/encoding';
import { describe, expect, it } from 'vitest';
import { Awareness, applyAwarenessUpdate } from 'y-protocols/awareness';
import * as Y from 'yjs';
import { EditorAwareness, editorState, remotePeers } from './document-presence.js';

const HOSTILE = 'red;position:fixed;inset:0;z-index:99999;background:url(http://evil.example/leak)';

/** Delivers `state` for `clientId` into `awareness` as a peer's (or a careless server's) update. */
function receive(awareness: Awareness, clientId: number, clock: number, state: unknown): void {
  const e = encoding.createEncoder();
  encoding.writeVarUint(e, 1);
  encoding.writeVarUint(e, clientId);
  encoding.writeVarUint(e, clock);
  encoding.writeVarString(e, JSON.stringify(state));
  applyAwarenessUpdate(awareness, encoding.toUint8Array(e), 'remote');
}

function setup() {
  const doc = new Y.Doc();
  const text = doc.getText('content');
  text.insert(0, 'hello world');
  return { doc, text, awareness: new Awareness(doc) };
}

describe('remotePeers', () => {
  it('lists other people by name with colours safe to put in a style', () => {
    const { awareness } = setup();
    receive(awareness, 11, 1, { user: { name: 'Zed', color: '#2e8b57' } });
    receive(awareness, 12, 1, { user: { name: 'Eve', color: HOSTILE } });
    receive(awareness, 13, 1, { user: { name: 'x'.repeat(500), color: 7 } });
    receive(awareness, 14, 1, { user: { color: '#123456' } });
    receive(awareness, 15, 1, 'not even an object');
    const peers = remotePeers(awareness);
    expect(peers.map((p) => [p.name.length, p.color])).toEqual([
      [3, presenceColorFor('12')],
      [40, presenceColorFor('13')],
      [3, '#2e8b57'],
    ]);
    expect(peers[0]?.name).toBe('Eve');
  });
});

describe('editorState', () => {
  it('always gives y-codemirror.next a name, a #rrggbb colour and a selection colour', () => {
    expect(editorState(5, { user: { name: 'Eve', color: HOSTILE, colorLight: HOSTILE } }, 'content')).toEqual(
      {
        user: { name: 'Eve', color: presenceColorFor('5'), colorLight: `${presenceColorFor('5')}33` },
      },
    );
    expect(editorState(5, 42, 'content')).toEqual({
      user: { name: 'Anonymous', color: presenceColorFor('5'), colorLight: `${presenceColorFor('5')}33` },
    });
  });

  it('keeps a complete cursor into the text, filling in the fields Y.relativePositionToJSON leaves out', () => {
    const { doc, text } = setup();
    const anchor = JSON.parse(JSON.stringify(Y.createRelativePositionFromTypeIndex(text, 2)));
    const head = Y.relativePositionToJSON(Y.createRelativePositionFromTypeIndex(text, text.length));
    const state = editorState(
      5,
      { user: { name: 'Ada', color: '#1e6fd9' }, cursor: { anchor, head } },
      'content',
    );
    expect(state.cursor?.anchor).toEqual(anchor);
    expect(state.cursor?.head).toEqual({ type: null, tname: 'content', item: null, assoc: 0 });
    const end = Y.createAbsolutePositionFromRelativePosition(state.cursor!.head as Y.RelativePosition, doc);
    expect(end?.index).toBe(text.length);
  });

  it('drops a cursor Yjs would throw on or that names another root type', () => {
    const nowhere = { type: null, tname: null, item: null, assoc: 0 };
    const other = { type: null, tname: 'someone-elses-type', item: null, assoc: 0 };
    for (const cursor of [
      { anchor: nowhere, head: nowhere },
      { anchor: other, head: other },
      'x',
      { anchor: 1 },
    ]) {
      expect(editorState(5, { user: { name: 'Eve' }, cursor }, 'content').cursor).toBeNull();
    }
  });
});

describe('EditorAwareness', () => {
  it('shows yCollab only cleaned remote states and passes the local one and writes through', () => {
    const { awareness, text } = setup();
    awareness.setLocalState({ user: { name: 'Me', color: '#d1453b', colorLight: '#d1453b33' } });
    receive(awareness, 99, 1, { user: { name: 'Eve', color: HOSTILE }, cursor: { anchor: 'x', head: 'y' } });
    const safe = new EditorAwareness(awareness, text);
    const states = safe.getStates();
    expect(states.get(awareness.clientID)).toBe(awareness.getLocalState());
    expect(states.get(99)).toEqual({
      user: { name: 'Eve', color: presenceColorFor('99'), colorLight: `${presenceColorFor('99')}33` },
      cursor: null,
    });
    expect(safe.getStates().get(99)).toBe(states.get(99));
    safe.setLocalStateField('cursor', null);
    expect(awareness.getLocalState()?.cursor).toBeNull();
    expect(safe.doc).toBe(awareness.doc);

    let changes = 0;
    const listener = () => void changes++;
    safe.on('change', listener);
    receive(awareness, 99, 2, { user: { name: 'Eve', color: '#b03a8c' } });
    safe.off('change', listener);
    receive(awareness, 99, 3, { user: { name: 'Eve', color: '#6a4cc2' } });
    expect(changes).toBe(1);
    expect(safe.getStates().get(99)).toMatchObject({ user: { color: '#6a4cc2' } });
  });
});
