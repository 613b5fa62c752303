// `write-document`: an effect. Appends its input to, or replaces, a workspace document, with the
// node's effect key as the marker, so a re-run after a crash never writes it twice.

import { documentIdParam, runDocuments } from './read-document.js';
import type { Step } from './Step.js';
import { stepParams, textInput } from './step-inputs.js';

/** Writes its `text` input into the document (append or replace), once per run. No outputs. */
export const writeDocumentStep: Step = {
  type: 'write-document',
  version: '1',
  // An effect: never cached, so a cache hit can never stand in for a write.
  deterministic: false,
  async run(context) {
    const { documentId, mode } = stepParams('write-document', context);
    const id = documentIdParam('write-document', documentId);
    const text = textInput('write-document', context, 'text');
    const documents = runDocuments('write-document', context);
    const { applied } = await documents.write(id, { text, mode, marker: context.effectKey }, context.signal, {
      runId: context.runId,
    });
    if (!applied)
      context.progress({ message: 'already written by an earlier attempt of this run; not written again' });
    return {};
  },
};
