/**
 * A match picked in the workspace search, waiting for its document to open: the editor selects it
 * once it shows the text. One at a time; taken once.
 */
let pending: { documentId: string; from: number; to: number } | null = null;

/** Asks the next editor that opens `documentId` to select `[from, to)`. */
export function setPendingReveal(documentId: string, from: number, to: number): void {
  pending = { documentId, from, to };
}

/** The range waiting for `documentId`, if any (forgotten once taken). */
export function takePendingReveal(documentId: string): { from: number; to: number } | undefined {
  if (pending === null || pending.documentId !== documentId) return undefined;
  const { from, to } = pending;
  pending = null;
  return { from, to };
}
