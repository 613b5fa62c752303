// Tests of the ParseCache: sliced parses shared by concurrent callers and answered from the cache after.
import type { Parser } from '@lezer/common';
import { parser as markdownParser } from '@lezer/markdown';
import { describe, expect, it } from 'vitest';
import { ParseCache } from './ParseCache.js';

/** The Markdown parser, counting the parses it starts. */
function countingParser(): { parser: Parser; started: () => number } {
  let started = 0;
  const parser = Object.create(markdownParser) as Parser;
  parser.startParse = ((...args: Parameters<Parser['startParse']>) => {
    started++;
    return markdownParser.startParse(...args);
  }) as Parser['startParse'];
  return { parser, started: () => started };
}

const text = '# Title\n\nSome *text*.\n\n## Section\n\n- a\n- b\n\n'.repeat(5_000);

describe('ParseCache.prepare', () => {
  it('parses in slices once for concurrent callers, and the next tree() answers from the cache', async () => {
    const { parser, started } = countingParser();
    const cache = new ParseCache(parser);
    let turns = 0;
    const ticking = setInterval(() => turns++, 0);
    await Promise.all([cache.prepare(text, text.length, 2), cache.prepare(text, text.length, 2)]);
    clearInterval(ticking);
    expect(started()).toBe(1);
    // Other work ran between the slices.
    expect(turns).toBeGreaterThan(0);
    const tree = cache.tree(text);
    expect(started()).toBe(1);
    expect(tree.length).toBe(text.length);
    expect(tree.toString()).toBe(markdownParser.parse(text).toString());
  });

  it('shares a parse asked for further with a shorter request, not the other way round', async () => {
    const whole = countingParser();
    const wholeFirst = new ParseCache(whole.parser);
    await Promise.all([wholeFirst.prepare(text, text.length), wholeFirst.prepare(text, 100)]);
    expect(whole.started()).toBe(1);
    const short = countingParser();
    const shortFirst = new ParseCache(short.parser);
    await Promise.all([shortFirst.prepare(text, 100), shortFirst.prepare(text, text.length)]);
    expect(short.started()).toBe(2);
  });
});
