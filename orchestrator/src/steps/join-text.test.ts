// Tests of join-text: every part in edge order, with the separator; JSON parts as JSON text.
import { describe, expect, it } from 'vitest';
import { stepContext } from './fake-context.js';
import { joinTextStep } from './join-text.js';

describe('join-text', () => {
  it('joins its parts in edge order with the separator (blank line by default)', async () => {
    expect(await joinTextStep.run(stepContext({ inputs: { parts: ['a', 'b', 'c'] } }))).toEqual({
      text: 'a\n\nb\n\nc',
    });
    expect(
      await joinTextStep.run(
        stepContext({ params: { separator: ' | ' }, inputs: { parts: ['x', { n: 1 }] } }),
      ),
    ).toEqual({ text: 'x | {\n  "n": 1\n}' });
    expect(await joinTextStep.run(stepContext({ inputs: {} }))).toEqual({ text: '' });
  });
});
