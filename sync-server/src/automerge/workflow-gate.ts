// The pure checks the /automerge endpoint runs on a peer's changes before taking them: whether a Workflow
// stays valid after them, and whether they add nothing (harmless from a read-only peer).
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

/**
 * Whether `chunks` would change nothing in `doc`: every change in them is already there (a sync
 * message may repeat changes the receiver has). Such a message from a read-only peer is harmless.
 * Chunks whose dependencies are missing count as changes. Pure.
 */
export function addsNothing(doc: A.Doc<unknown>, chunks: readonly Uint8Array[]): boolean {
  let next = A.clone(doc);
  try {
    for (const chunk of chunks) next = A.loadIncremental(next, chunk);
    const before = [...A.getHeads(doc)].sort();
    const after = [...A.getHeads(next)].sort();
    return (
      A.getMissingDeps(next, []).length === 0 &&
      before.length === after.length &&
      before.every((head, i) => head === after[i])
    );
  } finally {
    A.free(next);
  }
}
