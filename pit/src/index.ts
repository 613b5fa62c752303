// The public face of @symphony/pit: the run journal (DagTracker) and the ArtifactStore, their
// adapters, and the append log they share with the sync-server.
export type { AppendLogContents } from './append-log.js';
export {
  AppendLog,
  decodeRecords,
  encodeRecords,
  RECORD_HEADER_BYTES,
  readAppendLog,
  recordChecksum,
  syncDirectory,
} from './append-log.js';
export type { ArtifactContent, ArtifactHit, ArtifactStore, CacheEntry, VerifyReport } from './ArtifactStore.js';
export type { DagTracker } from './DagTracker.js';
export {
  ArtifactCorruptError,
  ArtifactNotFoundError,
  JournalCorruptError,
  PitInputError,
  parseInput,
} from './errors.js';
export { MemoryDagTracker } from './MemoryDagTracker.js';
export { TrackerSubscribers } from './subscribers.js';
// journal adapters (FileDagTracker, PostgresDagTracker) — added by the journal work
// artifact adapters (FsArtifactStore, PostgresArtifactStore, MemoryArtifactStore) — added by the store work
// run state (foldRun) — added by the executor work
