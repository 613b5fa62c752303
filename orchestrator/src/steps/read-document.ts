// `read-document`: the whole text of a workspace document, through the run's documents (the editor
// engine, bound to the team server). Never cached: the document changes under it.
import { DocumentId, RunErrorCode } from '@symphony/schemas';
import { type RunDocuments, type Step, type StepContext, StepError } from './Step.js';
import { stepParams } from './step-inputs.js';

/** How to give a run documents, for the error of a run that has none. */
export const NEEDS_SERVER =
  'needs a team server to reach workspace documents: run with --server URL, or sign in with symphony login';

/** The run's documents, or a `document_failed` error saying how to give it some. */
export function runDocuments(type: string, context: StepContext): RunDocuments {
  if (context.documents === undefined) {
    throw new StepError(RunErrorCode.documentFailed, `${type} ${NEEDS_SERVER}`);
  }
  return context.documents;
}

/** The document id param `value`, or an `invalid_input` error. */
export function documentIdParam(type: string, value: string): DocumentId {
  const parsed = DocumentId.safeParse(value);
  if (parsed.success) return parsed.data;
  throw new StepError(RunErrorCode.invalidInput, `${type}: "${value}" is not a document id; pick a document`);
}

/** Reads a document's text; outputs it on `document`. */
export const readDocumentStep: Step = {
  type: 'read-document',
  version: '1',
  deterministic: false,
  async run(context) {
    const { documentId } = stepParams('read-document', context);
    const id = documentIdParam('read-document', documentId);
    const text = await runDocuments('read-document', context).read(id, context.signal, {
      runId: context.runId,
    });
    return { document: text };
  },
};
