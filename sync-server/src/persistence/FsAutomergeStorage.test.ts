// Runs the automerge storage acceptance suite against FsAutomergeStorage in a temporary folder.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runAutomergeStorageTests } from './automerge-acceptance.js';
import { FsAutomergeStorage } from './FsAutomergeStorage.js';

runAutomergeStorageTests('FsAutomergeStorage', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'symphony-automerge-'));
  const root = join(dir, 'automerge');
  return {
    storage: new FsAutomergeStorage(root),
    reopen: async () => new FsAutomergeStorage(root),
    cleanup: () => rm(dir, { recursive: true, force: true }),
  };
});
