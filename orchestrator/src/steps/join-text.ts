// `join-text`: every connected text, in edge order, joined with a separator.
import type { Step } from './Step.js';
import { stepParams, textsInput } from './step-inputs.js';

/** Joins its `parts` input into `text`. */
export const joinTextStep: Step = {
  type: 'join-text',
  version: '1',
  deterministic: true,
  async run(context) {
    const { separator } = stepParams('join-text', context);
    return { text: textsInput(context, 'parts').join(separator) };
  },
};
