// Tests of split-text: paragraphs, sentences and fixed-size chunks, each at most the chunk size.
import { describe, expect, it } from 'vitest';
import { stepContext } from './fake-context.js';
import { splitText, splitTextStep } from './split-text.js';

describe('split-text', () => {
  it('splits by paragraph at blank lines, trimmed, none empty', async () => {
    expect(
      await splitText('First one.\nstill first.\n\n  Second.  \r\n\r\n\n\nThird.\n', 'paragraph', 2000),
    ).toEqual(['First one.\nstill first.', 'Second.', 'Third.']);
  });

  it('splits by sentence, keeping abbreviations and decimals inside their sentence', async () => {
    expect(
      await splitText('It costs 3.5 dollars. Is it cheap? Yes! Mr. Smith agrees.', 'sentence', 2000),
    ).toEqual(['It costs 3.5 dollars.', 'Is it cheap?', 'Yes!', 'Mr. Smith agrees.']);
    expect(await splitText('Line one\ncontinues here.  Two  spaces.', 'sentence', 2000)).toEqual([
      'Line one\ncontinues here.',
      'Two  spaces.',
    ]);
  });

  it('cuts a unit longer than the chunk size at white space', async () => {
    expect(await splitText('one two three four five', 'paragraph', 10)).toEqual([
      'one two',
      'three four',
      'five',
    ]);
    expect(await splitText('abcdefghijkl mn', 'sentence', 5)).toEqual(['abcde', 'fghij', 'kl mn']);
  });

  it('cuts by characters without splitting a surrogate pair', async () => {
    expect(await splitText('abcdefg', 'characters', 3)).toEqual(['abc', 'def', 'g']);
    const emoji = '😀😀😀';
    const chunks = await splitText(emoji, 'characters', 3);
    expect(chunks.join('')).toBe(emoji);
    for (const chunk of chunks) expect(chunk.length).toBeLessThanOrEqual(3);
    expect(chunks.every((c) => !/^[\udc00-\udfff]/.test(c))).toBe(true);
  });

  it('runs as a step with the node library’s defaults', async () => {
    const out = await splitTextStep().run(stepContext({ inputs: { text: ['A.\n\nB.'] } }));
    expect(out).toEqual({ chunks: ['A.', 'B.'] });
    expect(splitTextStep().deterministic).toBe(true);
  });
});
