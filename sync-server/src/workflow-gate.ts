import { next as A } from '@automerge/automerge';
import { checkWorkflowDocument, type WorkflowDocumentCheck } from '@symphony/schemas';

/**
 * Whether the workflow `doc` would still be one after `chunks` (changes or document chunks from a
 * sync message, already checked to decode): they are applied to a clone, never to `doc`, and the
 * result goes through `checkWorkflowDocument`, the same gate OFB applies before storing. Chunks
 * whose dependencies are missing stay pending in the clone and are judged when they can apply. Pure.
 */
export function checkWorkflowChanges(
  doc: A.Doc<unknown>,
  chunks: readonly Uint8Array[],
): WorkflowDocumentCheck {
  let next = A.clone(doc);
  try {
    for (const chunk of chunks) next = A.loadIncremental(next, chunk);
    return checkWorkflowDocument(A.toJS(next));
  } finally {
    A.free(next);
  }
}
