// Runs the automerge storage acceptance suite against MemoryAutomergeStorage.
import { runAutomergeStorageTests } from './automerge-acceptance.js';
import { MemoryAutomergeStorage } from './MemoryAutomergeStorage.js';

runAutomergeStorageTests('MemoryAutomergeStorage', async () => {
  const storage = new MemoryAutomergeStorage();
  return { storage, reopen: async () => storage, cleanup: async () => {} };
});
