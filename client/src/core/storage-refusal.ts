/** OFB's code for a document over its size limit; also what a 4414 close is recorded as. */
export const DOCUMENT_TOO_LARGE = 'document_too_large';

/**
 * What to tell the person when the server's storage refused a document's latest changes for good
 * (close code 4413; `code` is OFB's code from the close reason), or refused their own change because
 * it would make the document too large (4414, recorded as {@link DOCUMENT_TOO_LARGE}).
 */
export function storageRefusalMessage(code: string | null): string {
  if (code === DOCUMENT_TOO_LARGE)
    return 'This document is too large: your latest change would take it past the size limit, so it was not saved or sent to anyone. Undo it, then reload to sync again.';
  const why =
    code === 'document_not_found' || code === 'document_deleted'
      ? 'this document was deleted'
      : 'you can no longer edit it';
  return `Your latest changes could not be saved: ${why}.`;
}
