// Tests of the find helpers: the match at an offset, stepping with wrap-around, count labels, snippets,
// bounded concurrency.
import { describe, expect, it } from 'vitest';
import { mapBounded, matchAtOrAfter, matchCountLabel, snippet, stepMatch } from './find-logic.js';

const m = (from: number, to = from + 1) => ({ from, to, line: 0, column: from });

describe('find logic', () => {
  it('picks the first match at or after an offset, wrapping to the first', () => {
    const matches = [m(2), m(10), m(20)];
    expect(matchAtOrAfter(matches, 0)).toBe(0);
    expect(matchAtOrAfter(matches, 10)).toBe(1);
    expect(matchAtOrAfter(matches, 11)).toBe(2);
    expect(matchAtOrAfter(matches, 21)).toBe(0);
    expect(matchAtOrAfter([], 5)).toBe(-1);
  });

  it('steps forward and back with wrap-around', () => {
    expect(stepMatch(3, 2, 1)).toBe(0);
    expect(stepMatch(3, 0, -1)).toBe(2);
    expect(stepMatch(3, -1, 1)).toBe(0);
    expect(stepMatch(3, -1, -1)).toBe(2);
    expect(stepMatch(0, 0, 1)).toBe(-1);
  });

  it('labels the count', () => {
    expect(matchCountLabel(0, -1, false)).toBe('No results');
    expect(matchCountLabel(12, 2, false)).toBe('3 of 12');
    expect(matchCountLabel(1000, 0, true)).toBe('1 of 1,000+');
    expect(matchCountLabel(1, -1, false)).toBe('1 match');
  });

  it('cuts a long line around the match with ellipses', () => {
    const line = `${'lorem ipsum '.repeat(20)}NEEDLE${' dolor sit'.repeat(20)}`;
    const s = snippet(line, line.indexOf('NEEDLE'), 6, 60);
    expect(s.match).toBe('NEEDLE');
    expect(s.before.startsWith('…')).toBe(true);
    expect(s.after.endsWith('…')).toBe(true);
    expect(s.before.length + s.match.length + s.after.length).toBeLessThanOrEqual(64);
    expect(snippet('A kingfisher, too.', 2, 10)).toEqual({
      before: 'A ',
      match: 'kingfisher',
      after: ', too.',
    });
  });

  it('runs tasks with bounded concurrency and stops starting new ones once aborted', async () => {
    let running = 0;
    let peak = 0;
    const seen: number[] = [];
    const controller = new AbortController();
    await mapBounded(
      [1, 2, 3, 4, 5, 6, 7, 8],
      3,
      async (n) => {
        running++;
        peak = Math.max(peak, running);
        await new Promise((r) => setTimeout(r, 5));
        seen.push(n);
        if (n === 4) controller.abort();
        running--;
      },
      controller.signal,
    );
    expect(peak).toBe(3);
    expect(seen.length).toBeLessThan(8);
  });
});
