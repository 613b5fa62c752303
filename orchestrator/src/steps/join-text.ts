// `join-text`: every connected text, in edge order, then the items of the connected list, joined
// with a separator. The list is how a text-list (keywords, chunks, filtered or mapped items)
// becomes text for a write-document.
import type { Step } from './Step.js';
import { stepParams, textListInput, textsInput } from './step-inputs.js';

/** Joins its `parts` input, then the items of its `list` input, into `text`. */
export const joinTextStep: Step = {
  type: 'join-text',
  // 2: the `list` input.
  version: '2',
  deterministic: true,
  async run(context) {
    const { separator } = stepParams('join-text', context);
    const list = context.inputs.list?.length ? textListInput('join-text', context, 'list') : [];
    return { text: [...textsInput(context, 'parts'), ...list].join(separator) };
  },
};
