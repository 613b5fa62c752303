export type { Logger } from './logger.js';
export { consoleLogger, silentLogger } from './logger.js';
export type { DocumentPersistence } from './persistence/DocumentPersistence.js';
export { FsDocumentPersistence } from './persistence/FsDocumentPersistence.js';
export { MemoryDocumentPersistence } from './persistence/MemoryDocumentPersistence.js';
export type { SyncServer, SyncServerDependencies } from './server.js';
export { startSyncServer } from './server.js';
export type { CompactionPolicy } from './shared-document.js';
