// Runs the ArtifactStore acceptance suite against MemoryArtifactStore.
import { runArtifactStoreTests } from '../testing/artifact-store-acceptance.js';
import { MemoryArtifactStorage, MemoryArtifactStore } from './MemoryArtifactStore.js';

runArtifactStoreTests('MemoryArtifactStore', async () => {
  const storage = new MemoryArtifactStorage();
  return {
    store: new MemoryArtifactStore({ storage }),
    reopen: async () => new MemoryArtifactStore({ storage }),
    corrupt: async (hash) => {
      const blob = storage.blobs.get(hash)!;
      blob[0] = blob[0]! ^ 0xff;
    },
    cleanup: async () => {},
  };
});
