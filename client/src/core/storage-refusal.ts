// What the editor tells the person when the sync-server's storage refused a Document's changes (close
// codes 4413 and 4414, with OFB's code).
import { OfbErrorCode } from '@symphony/schemas';

/** OFB's code for a document over its size limit; also what a 4414 close is recorded as. */
export const DOCUMENT_TOO_LARGE = OfbErrorCode.documentTooLarge;

/**
 * What to tell the person when the server's storage refused a document's latest changes for good
 * (close code 4413; `code` is OFB's code from the close reason), or refused their own change because
 * it would make the document too large (4414, recorded as {@link DOCUMENT_TOO_LARGE}). A deleted
 * document is refused as `document_not_found` (OFB keeps no record of deleted ids).
 */
export function storageRefusalMessage(code: string | null): string {
  if (code === OfbErrorCode.documentTooLarge)
    return 'This document is too large: your latest change would take it past the size limit, so it was not saved or sent to anyone. Undo it, then reload to sync again.';
  const why =
    code === OfbErrorCode.documentNotFound ? 'this document was deleted' : 'you can no longer edit it';
  return `Your latest changes could not be saved: ${why}.`;
}
