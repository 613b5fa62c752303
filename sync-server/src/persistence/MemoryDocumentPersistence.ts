// MemoryDocumentPersistence, the DocumentPersistence in memory: for tests and servers whose Documents
// need not outlive them.
import type { DocumentId } from '@symphony/schemas';
import type { DocumentPersistence } from './DocumentPersistence.js';

/** Keeps documents in memory: for tests, and for servers whose documents need not outlive them. */
export class MemoryDocumentPersistence implements DocumentPersistence {
  private readonly documents = new Map<DocumentId, Uint8Array[]>();

  async load(documentId: DocumentId): Promise<Uint8Array[]> {
    return [...(this.documents.get(documentId) ?? [])];
  }

  async append(documentId: DocumentId, updates: readonly Uint8Array[]): Promise<void> {
    const stored = this.documents.get(documentId) ?? [];
    stored.push(...updates.map((u) => u.slice()));
    this.documents.set(documentId, stored);
  }

  async compact(documentId: DocumentId, state: Uint8Array): Promise<void> {
    this.documents.set(documentId, [state.slice()]);
  }

  async list(): Promise<DocumentId[]> {
    return [...this.documents.keys()];
  }

  async close(): Promise<void> {}
}
