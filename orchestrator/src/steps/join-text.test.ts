// Tests of join-text: every part in edge order, then the list's items, with the separator; JSON
// parts as JSON text; a list that is not a list of texts refused.
import { describe, expect, it } from 'vitest';
import { stepContext } from './fake-context.js';
import { joinTextStep } from './join-text.js';
import { StepError, type StepValue } from './Step.js';

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

  it("joins a list's items, after the parts when both are connected", async () => {
    const join = (inputs: Record<string, StepValue[]>) =>
      joinTextStep.run(stepContext({ params: { separator: ', ' }, inputs }));
    expect(await join({ list: [['crash', 'journal', 'torn record']] })).toEqual({
      text: 'crash, journal, torn record',
    });
    expect(await join({ parts: ['Keywords:', 'Tags:'], list: [['crash', 'journal']] })).toEqual({
      text: 'Keywords:, Tags:, crash, journal',
    });
    expect(await join({ list: [[]] })).toEqual({ text: '' });
  });

  it('refuses a list input that is not a list of texts, naming the port', async () => {
    const failure = await joinTextStep
      .run(stepContext({ inputs: { list: [['a', 3]] } }))
      .catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(StepError);
    expect(failure).toMatchObject({ code: 'invalid_input' });
    expect((failure as StepError).message).toBe(
      'join-text: its "list" input must be a list of texts (a text-list), got a list with items that are not texts',
    );
  });
});
