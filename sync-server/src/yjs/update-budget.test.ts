// Tests of the strict Yjs message decoder: real updates accepted and counted, update bombs, truncations
// and over-budget updates refused, a seeded differential fuzz against Yjs, state vectors and awareness.
import * as encoding from 'lib0/encoding';
import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import {
  checkAwarenessUpdate,
  checkStateVector,
  MessageRejectedError,
  measureUpdate,
} from './update-budget.js';

/** A realistic update: text, map, array of values, XML, formatting, deletions, a sub-document. */
function richUpdate(): Uint8Array {
  const doc = new Y.Doc();
  doc.getText('t').insert(0, 'hello wörld ✓');
  doc.getText('t').format(0, 5, { bold: true });
  doc.getText('t').delete(2, 3);
  doc.getMap('m').set('k', { nested: [1, 2.5, 'x', null, true, new Uint8Array([1, 2])] });
  doc.getArray('a').push([1, 2, 3, 4]);
  doc.getArray('a').delete(1, 1);
  doc.getXmlFragment('x').insert(0, [new Y.XmlElement('p'), new Y.XmlText('t')]);
  doc.getMap('m').set('sub', new Y.Doc());
  doc.getText('t').insertEmbed(1, { image: 'a.png' });
  return Y.encodeStateAsUpdate(doc);
}

function rejection(f: () => unknown): MessageRejectedError {
  try {
    f();
  } catch (e) {
    if (e instanceof MessageRejectedError) return e;
    throw e;
  }
  throw new Error('expected a MessageRejectedError');
}

/** The "update bomb" of yjs issue 687: a few bytes declaring millions of structs. */
function bomb(structs: number): Uint8Array {
  const e = encoding.createEncoder();
  encoding.writeVarUint(e, 1); // one client
  encoding.writeVarUint(e, structs); // declared number of structs
  encoding.writeVarUint(e, 42); // client id
  encoding.writeVarUint(e, 0); // clock
  encoding.writeUint8(e, 1); // one deleted-content item …
  encoding.writeVarUint(e, 1);
  return encoding.toUint8Array(e); // … and nothing else
}

describe('measureUpdate', () => {
  it('accepts every kind of content Yjs produces, and counts it', () => {
    const cost = measureUpdate(richUpdate(), 1_000_000);
    expect(cost.structs).toBeGreaterThan(5);
    expect(cost.deleteRanges).toBeGreaterThan(0);
    expect(cost.total).toBe(cost.structs + cost.contentValues + cost.deleteRanges);
  });

  it('accepts the empty update and incremental updates', () => {
    const doc = new Y.Doc();
    const updates: Uint8Array[] = [];
    doc.on('update', (u: Uint8Array) => updates.push(u));
    for (let i = 0; i < 100; i++) doc.getText('t').insert(i % 3, String(i));
    doc.getText('t').delete(5, 20);
    for (const u of [Y.encodeStateAsUpdate(new Y.Doc()), ...updates])
      expect(() => measureUpdate(u, 1000)).not.toThrow();
  });

  it('refuses a tiny update declaring millions of structs, without allocating them', () => {
    const payload = bomb(5_000_000);
    expect(payload.length).toBeLessThan(16);
    const error = rejection(() => measureUpdate(payload, 500_000));
    expect(error.kind).toBe('over-budget');
    expect(error.reason).toMatch(/declares 5000000 structs/);
  });

  it('refuses an update that costs more than the budget', () => {
    const doc = new Y.Doc();
    const array = doc.getArray('a');
    array.push(Array.from({ length: 2000 }, (_, i) => i));
    const error = rejection(() => measureUpdate(Y.encodeStateAsUpdate(doc), 1000));
    expect(error.kind).toBe('over-budget');
  });

  it('refuses absurd clocks and lengths', () => {
    const e = encoding.createEncoder();
    encoding.writeVarUint(e, 1);
    encoding.writeVarUint(e, 1);
    encoding.writeVarUint(e, 1);
    encoding.writeVarUint(e, 0);
    encoding.writeUint8(e, 0); // GC
    encoding.writeVarUint(e, 2 ** 40);
    encoding.writeVarUint(e, 0);
    expect(rejection(() => measureUpdate(encoding.toUint8Array(e), 1000)).reason).toMatch(/GC length/);
  });

  it('refuses every truncation of a valid update', () => {
    const update = richUpdate();
    for (let cut = 0; cut < update.length; cut++) {
      const error = rejection(() => measureUpdate(update.subarray(0, cut), 1_000_000));
      expect(['malformed', 'over-budget']).toContain(error.kind);
    }
  });

  it('refuses trailing bytes, unknown content and invalid JSON', () => {
    const update = richUpdate();
    const trailing = new Uint8Array([...update, 0]);
    expect(rejection(() => measureUpdate(trailing, 1_000_000)).kind).toBe('malformed');
    const e = encoding.createEncoder();
    encoding.writeVarUint(e, 1);
    encoding.writeVarUint(e, 1);
    encoding.writeVarUint(e, 1);
    encoding.writeVarUint(e, 0);
    encoding.writeUint8(e, 2); // JSON content, no origins → parent info follows
    encoding.writeVarUint(e, 1);
    encoding.writeVarString(e, 'root');
    encoding.writeVarUint(e, 1);
    encoding.writeVarString(e, '{not json');
    encoding.writeVarUint(e, 0);
    expect(rejection(() => measureUpdate(encoding.toUint8Array(e), 1000)).reason).toMatch(/JSON/);
  });

  it('accepts only what Yjs can apply: a differential fuzz over mutated updates (seeded)', () => {
    let seed = 1234;
    const random = () => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed / 0x7fffffff;
    };
    const valid = richUpdate();
    for (let i = 0; i < 5000; i++) {
      const bytes = valid.slice();
      const flips = 1 + Math.floor(random() * 4);
      for (let f = 0; f < flips; f++) bytes[Math.floor(random() * bytes.length)] = Math.floor(random() * 256);
      let accepted = true;
      try {
        measureUpdate(bytes, 1_000_000);
      } catch (e) {
        expect(e, `seed 1234, case ${i}`).toBeInstanceOf(MessageRejectedError);
        accepted = false;
      }
      // Whatever the walker lets through, Yjs must apply whole: a throw half-way is what we prevent.
      if (accepted) expect(() => Y.applyUpdate(new Y.Doc(), bytes), `seed 1234, case ${i}`).not.toThrow();
    }
  });
});

/** Builds a one-client update by hand: `write` adds the structs after the header. */
function handmade(structs: number, write: (e: encoding.Encoder) => void, clock = 0): Uint8Array {
  const e = encoding.createEncoder();
  encoding.writeVarUint(e, 1);
  encoding.writeVarUint(e, structs);
  encoding.writeVarUint(e, 5); // client
  encoding.writeVarUint(e, clock);
  write(e);
  encoding.writeVarUint(e, 0); // empty delete set
  return encoding.toUint8Array(e);
}

describe('measureUpdate refuses what Yjs would throw on half-way', () => {
  const rootString = (e: encoding.Encoder, text: string) => {
    encoding.writeUint8(e, 4); // string content, no origins
    encoding.writeVarUint(e, 1);
    encoding.writeVarString(e, 't');
    encoding.writeVarString(e, text);
  };
  const cases: [string, Uint8Array, RegExp][] = [
    [
      'an item whose origin is a later clock of its own client',
      handmade(2, (e) => {
        rootString(e, 'POISON');
        encoding.writeUint8(e, 0x84); // string with an origin
        encoding.writeVarUint(e, 5);
        encoding.writeVarUint(e, 1000);
        encoding.writeVarString(e, 'x');
      }),
      /points at or after its own item/,
    ],
    [
      'an embed whose value is the word undefined',
      handmade(1, (e) => {
        encoding.writeUint8(e, 5);
        encoding.writeVarUint(e, 1);
        encoding.writeVarString(e, 't');
        encoding.writeVarString(e, 'undefined');
      }),
      /JSON/,
    ],
    [
      'JSON content that starts with a byte-order mark',
      handmade(1, (e) => {
        encoding.writeUint8(e, 2);
        encoding.writeVarUint(e, 1);
        encoding.writeVarString(e, 'a');
        encoding.writeVarUint(e, 1);
        encoding.writeVarString(e, '\uFEFF1');
      }),
      /JSON/,
    ],
    [
      'a sub-document whose options are null',
      handmade(1, (e) => {
        encoding.writeUint8(e, 9);
        encoding.writeVarUint(e, 1);
        encoding.writeVarString(e, 'a');
        encoding.writeVarString(e, 'guid');
        encoding.writeUint8(e, 126);
      }),
      /options must be an object/,
    ],
    [
      'items whose clocks run past 2^32',
      handmade(2, (e) => {
        for (let i = 0; i < 2; i++) {
          encoding.writeUint8(e, 1); // deleted content of the largest allowed length
          encoding.writeVarUint(e, 1);
          encoding.writeVarString(e, 't');
          encoding.writeVarUint(e, 2 ** 32);
        }
      }),
      /absurdly large/,
    ],
  ];
  it.each(cases)('%s', (_name, update, reason) => {
    expect(rejection(() => measureUpdate(update, 1000)).reason).toMatch(reason);
  });

  it('while the same shapes, made honestly, pass', () => {
    const ok = handmade(2, (e) => {
      rootString(e, 'fine');
      encoding.writeUint8(e, 0x84);
      encoding.writeVarUint(e, 5);
      encoding.writeVarUint(e, 3); // the last character of "fine"
      encoding.writeVarString(e, '!');
    });
    expect(measureUpdate(ok, 1000).structs).toBe(2);
    const doc = new Y.Doc();
    Y.applyUpdate(doc, ok);
    expect(doc.getText('t').toString()).toBe('fine!');
  });
});

describe('checkStateVector and checkAwarenessUpdate', () => {
  it('accept what Yjs and y-protocols produce', () => {
    const doc = new Y.Doc();
    doc.getText('t').insert(0, 'x');
    expect(() => checkStateVector(Y.encodeStateVector(doc))).not.toThrow();
    const e = encoding.createEncoder();
    encoding.writeVarUint(e, 1);
    encoding.writeVarUint(e, 99);
    encoding.writeVarUint(e, 3);
    encoding.writeVarString(e, JSON.stringify({ user: { name: 'Ada' } }));
    expect(checkAwarenessUpdate(encoding.toUint8Array(e))).toEqual([{ clientId: 99, removes: false }]);
  });

  it('refuse awareness states that y-protocols could not parse', () => {
    for (const state of ['undefined', '\uFEFF{}', '{']) {
      const e = encoding.createEncoder();
      encoding.writeVarUint(e, 1);
      encoding.writeVarUint(e, 9);
      encoding.writeVarUint(e, 1);
      encoding.writeVarString(e, state);
      expect(rejection(() => checkAwarenessUpdate(encoding.toUint8Array(e))).kind).toBe('malformed');
    }
  });

  it('refuse counts larger than the message', () => {
    const e = encoding.createEncoder();
    encoding.writeVarUint(e, 1_000_000);
    expect(rejection(() => checkStateVector(encoding.toUint8Array(e))).kind).toBe('over-budget');
    expect(rejection(() => checkAwarenessUpdate(encoding.toUint8Array(e))).kind).toBe('over-budget');
  });
});
