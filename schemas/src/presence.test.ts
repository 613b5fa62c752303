// Tests of the presence schemas: hostile presence is refused or cleaned.
import { describe, expect, it } from 'vitest';
import {
  BoardPresenceMessage,
  cleanBoardPresence,
  cleanDocumentPresence,
  DocumentPresence,
  MAX_BOARD_SELECTION,
  PRESENCE_COLORS,
  presenceColorFor,
  toPresenceName,
} from './presence.js';

/** Colours a hostile peer might send; none may reach a `style` attribute. */
const HOSTILE_COLORS: unknown[] = [
  'red;position:fixed;inset:0;background:url(http://evil/x)',
  'expression(alert(1))',
  '#123456;background:url(//evil)',
  '#12345',
  'red',
  `#${'a'.repeat(100_000)}`,
  42,
  null,
  { toString: 'x' },
  ['#123456'],
];

/** A cursor exactly as y-codemirror.next publishes it. */
const cursor = {
  anchor: { type: null, tname: null, item: { client: 7, clock: 3 }, assoc: 0 },
  head: { type: null, tname: 'content', item: null, assoc: 0 },
};

describe('cleanDocumentPresence', () => {
  it('gives back what a Symphony (y-codemirror) client publishes unchanged', () => {
    const state = { user: { id: 'u1', name: 'Ada', color: '#1e6fd9', colorLight: '#1e6fd933' }, cursor };
    expect(cleanDocumentPresence(state, '1')).toEqual(state);
    expect(cleanDocumentPresence({ user: { name: 'Ada' }, cursor: null }, '1')).toEqual({
      user: { name: 'Ada' },
      cursor: null,
    });
    // Y.relativePositionToJSON leaves out the fields it does not set.
    const sparse = {
      cursor: { anchor: { item: { client: 1, clock: 0 } }, head: { tname: 'content', assoc: -1 } },
    };
    expect(cleanDocumentPresence(sparse, '1')).toEqual(sparse);
  });

  it.each(HOSTILE_COLORS)('replaces the colour %j with one derived from the user id', (color) => {
    const clean = cleanDocumentPresence({ user: { id: 'u1', name: 'Eve', color, colorLight: color } }, '9');
    expect(clean.user?.color).toBe(presenceColorFor('u1'));
    expect(clean.user?.colorLight).toBe(`${presenceColorFor('u1')}33`);
    expect(DocumentPresence.safeParse(clean).success).toBe(true);
  });

  it('derives the colour from the seed when there is no user id', () => {
    expect(cleanDocumentPresence({ user: { color: 'x' } }, '42').user?.color).toBe(presenceColorFor('42'));
    expect(PRESENCE_COLORS).toContain(presenceColorFor(''));
  });

  it('drops fields it does not describe and cursors that do not parse', () => {
    const clean = cleanDocumentPresence(
      {
        user: { name: 'Eve', style: 'x', __proto__: { color: 'red' } },
        extra: '<img>',
        cursor: { anchor: 3 },
      },
      '1',
    );
    expect(clean).toEqual({ user: { name: 'Eve' }, cursor: null });
    const nowhere = { type: null, tname: null, item: null, assoc: 0 };
    expect(cleanDocumentPresence({ cursor: { anchor: nowhere, head: nowhere } }, '1').cursor).toBeNull();
    const badId = { item: { client: 'x', clock: Number.NaN } };
    expect(cleanDocumentPresence({ cursor: { anchor: badId, head: badId } }, '1').cursor).toBeNull();
    const longName = { tname: 'n'.repeat(10_000) };
    expect(cleanDocumentPresence({ cursor: { anchor: longName, head: longName } }, '1').cursor).toBeNull();
  });

  it('turns anything at all into a valid state', () => {
    for (const state of [null, 5, 'x', [], { user: 5 }, { user: [] }, { cursor: undefined }]) {
      expect(DocumentPresence.safeParse(cleanDocumentPresence(state, '1')).success).toBe(true);
    }
  });
});

describe('toPresenceName', () => {
  it('strips control characters and unpaired surrogates, trims and bounds the name', () => {
    expect(toPresenceName(' Ada\u0000\u001b[31m\n ')).toBe('Ada[31m');
    expect(toPresenceName('x\ud800y')).toBe('xy');
    expect(toPresenceName('🎻'.repeat(40))).toBe('🎻'.repeat(32));
    expect(toPresenceName('a'.repeat(1_000))).toHaveLength(64);
    expect(toPresenceName('\u0007')).toBeUndefined();
    expect(toPresenceName(42)).toBeUndefined();
  });
});

describe('cleanBoardPresence', () => {
  const valid = {
    type: 'board-presence',
    user: { id: 'u1', name: 'Ada', color: '#2e8b57' },
    selection: ['n1', 'n2'],
    pointer: { x: 10.5, y: -3 },
    dragging: [['n1', { x: 1, y: 2 }]],
  };

  it('gives back what a board publishes unchanged', () => {
    expect(cleanBoardPresence(valid, 'p')).toEqual(valid);
    expect(BoardPresenceMessage.parse(valid)).toEqual(valid);
  });

  it.each(HOSTILE_COLORS)('replaces the colour %j', (color) => {
    const clean = cleanBoardPresence({ ...valid, user: { ...valid.user, color } }, 'p');
    expect(clean.user.color).toBe(presenceColorFor('u1'));
  });

  it('keeps out coordinates that are not finite or are huge, and selection entries that are no node id', () => {
    for (const pointer of [{ x: Number.NaN, y: 0 }, { x: 1e308, y: 0 }, { x: '1', y: 2 }, 'here', [1, 2]]) {
      expect(cleanBoardPresence({ ...valid, pointer }, 'p').pointer).toBeNull();
    }
    const clean = cleanBoardPresence(
      {
        ...valid,
        selection: ['n1', 5, '<b>', 'x'.repeat(65), null],
        dragging: [['n1', { x: Number.POSITIVE_INFINITY, y: 0 }], ['n2', { x: 1, y: 1 }], 'n3'],
      },
      'p',
    );
    expect(clean.selection).toEqual(['n1']);
    expect(clean.dragging).toEqual([['n2', { x: 1, y: 1 }]]);
    const many = cleanBoardPresence({ ...valid, selection: Array(MAX_BOARD_SELECTION + 10).fill('n1') }, 'p');
    expect(many.selection).toHaveLength(MAX_BOARD_SELECTION);
  });

  it('turns anything at all into a valid message', () => {
    for (const data of [{}, { user: 5 }, { user: { name: '\u0000' } }, { selection: 'n1', dragging: {} }]) {
      const clean = cleanBoardPresence(data, 'peer-1');
      expect(BoardPresenceMessage.safeParse(clean).success).toBe(true);
      expect(clean.user.color).toBe(presenceColorFor('peer-1'));
    }
  });
});
