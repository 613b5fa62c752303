/**
 * What to tell the person when the server's storage refused a document's latest changes for good
 * (close code 4413; `code` is OFB's code from the close reason).
 */
export function storageRefusalMessage(code: string | null): string {
  const why =
    code === 'document_too_large'
      ? 'the document is over the size limit'
      : code === 'document_not_found' || code === 'document_deleted'
        ? 'this document was deleted'
        : 'you can no longer edit it';
  return `Your latest changes could not be saved: ${why}.`;
}
