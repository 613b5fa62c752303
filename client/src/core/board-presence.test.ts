// Tests of board presence: peers by name with selection and drags, malformed or hostile messages
// ignored, silent peers expired.
import { describe, expect, it } from 'vitest';
import { BoardPresence } from './board-presence.js';

const hello = (name: string, selection: string[] = []) => ({
  type: 'board-presence',
  user: { name, color: '#1e6fd9' },
  selection,
  pointer: { x: 1, y: 2 },
  dragging: [['n1', { x: 5, y: 6 }]],
});

describe('BoardPresence', () => {
  it('tracks peers by id, sorted by name, with their selection and drag', () => {
    const p = new BoardPresence(1000);
    expect(p.receive('peer-b', hello('Bob', ['n1']), 0)).toBe(true);
    expect(p.receive('peer-a', hello('Alice', ['n1', 'n2']), 0)).toBe(true);
    expect(p.list().map((x) => x.name)).toEqual(['Alice', 'Bob']);
    expect(
      p
        .selections()
        .get('n1')
        ?.map((x) => x.name),
    ).toEqual(['Alice', 'Bob']);
    expect(p.list()[0]?.dragging.get('n1')).toEqual({ x: 5, y: 6 });
  });

  it('ignores malformed messages', () => {
    const p = new BoardPresence();
    expect(p.receive('x', { type: 'board-presence', user: { name: '', color: 'red' } }, 0)).toBe(false);
    expect(p.receive('x', 'hello', 0)).toBe(false);
    expect(p.list()).toEqual([]);
  });

  it('ignores presence a server relayed unchecked: hostile colours, names, ids and coordinates', () => {
    const p = new BoardPresence();
    const hostile = [
      { user: { name: 'Eve', color: 'red;position:fixed;inset:0;background:url(http://evil/x)' } },
      { user: { name: 'Eve', color: 'expression(alert(1))' } },
      { user: { name: 'Eve\u0000\u001b[2J', color: '#1e6fd9' } },
      { user: { name: 'E'.repeat(65), color: '#1e6fd9' } },
      { pointer: { x: Number.NaN, y: 0 } },
      { pointer: { x: 1e300, y: 0 } },
      { selection: ['</text><script>'] },
      { dragging: [['n1', { x: Number.POSITIVE_INFINITY, y: 0 }]] },
    ];
    for (const change of hostile) expect(p.receive('eve', { ...hello('Eve'), ...change }, 0)).toBe(false);
    expect(p.list()).toEqual([]);
    // What the server sends on (its stamped user id included) is accepted.
    expect(p.receive('eve', { ...hello('Eve'), user: { id: 'u1', name: 'Eve', color: '#1e6fd9' } }, 0)).toBe(
      true,
    );
  });

  it('drops a peer that leaves or goes silent past the timeout', () => {
    const p = new BoardPresence(1000);
    p.receive('a', hello('Alice'), 0);
    p.receive('b', hello('Bob'), 500);
    expect(p.expire(1200)).toBe(true);
    expect(p.list().map((x) => x.name)).toEqual(['Bob']);
    expect(p.receive('b', { type: 'board-leave' }, 1300)).toBe(true);
    expect(p.list()).toEqual([]);
    expect(p.expire(5000)).toBe(false);
  });

  it('lists the same array until the peers change, so the board does not redraw for nothing', () => {
    const p = new BoardPresence(1000);
    p.receive('peer-a', hello('Alice'), 0);
    const first = p.list();
    expect(p.list()).toBe(first);
    p.receive('peer-b', hello('Bob'), 10);
    const second = p.list();
    expect(second).not.toBe(first);
    expect(p.list()).toBe(second);
    expect(p.expire(500)).toBe(false);
    expect(p.list()).toBe(second);
    p.remove('peer-a');
    expect(p.list().map((x) => x.name)).toEqual(['Bob']);
  });
});
