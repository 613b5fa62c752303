// Runs the DocumentPersistence acceptance suite against MemoryDocumentPersistence.
import { runDocumentPersistenceTests } from './acceptance.js';
import { MemoryDocumentPersistence } from './MemoryDocumentPersistence.js';

runDocumentPersistenceTests('MemoryDocumentPersistence', async () => {
  const persistence = new MemoryDocumentPersistence();
  return { persistence, reopen: async () => persistence, cleanup: async () => {} };
});
