// The public face of @symphony/pit: the run journal (DagTracker), the ArtifactStore, the PoolManager
// and the ArbitrationEngine, their adapters, and the append log they share with the sync-server.

export type {
  ArtifactContent,
  ArtifactHit,
  ArtifactStore,
  CacheEntry,
  VerifyReport,
} from './ArtifactStore.js';
export type { AppendLogContents, AppendLogCut, AppendLogOptions } from './append-log.js';
export {
  AppendLog,
  decodeRecords,
  encodeRecords,
  isTornTail,
  RECORD_HEADER_BYTES,
  readAppendLog,
  recordChecksum,
  syncDirectory,
} from './append-log.js';
// The ArbitrationEngine (router, its store, limits per instrument, the conflict rule) and the
// PoolManager: each folder's index lists its public names.
export * from './arbitration/index.js';
export type { FsArtifactStoreOptions } from './artifacts/FsArtifactStore.js';
export { FsArtifactStore, ReadOnlyStoreError } from './artifacts/FsArtifactStore.js';
export type { MemoryArtifactStoreOptions } from './artifacts/MemoryArtifactStore.js';
export { MemoryArtifactStorage, MemoryArtifactStore } from './artifacts/MemoryArtifactStore.js';
export type { PostgresArtifactStoreOptions } from './artifacts/PostgresArtifactStore.js';
export { PostgresArtifactStore } from './artifacts/PostgresArtifactStore.js';
export type { DagTracker } from './DagTracker.js';
export {
  ArtifactCorruptError,
  ArtifactNotFoundError,
  JournalCorruptError,
  PitInputError,
  parseInput,
} from './errors.js';
export type { JournalWarning } from './FileDagTracker.js';
export { FileDagTracker, FileDagTrackerOptions } from './FileDagTracker.js';
export { PinnedWorkflow } from './journal-codec.js';
export { MemoryDagTracker } from './MemoryDagTracker.js';
export { PostgresDagTracker, PostgresDagTrackerOptions, RUN_EVENTS_TABLE } from './PostgresDagTracker.js';
export * from './pool/index.js';
export type { NodeRunState, RunState, RunUsage } from './run-state.js';
export { applyRunEvent, foldRun, isFinalNodeState, RunHistoryError } from './run-state.js';
export { TrackerSubscribers } from './subscribers.js';
