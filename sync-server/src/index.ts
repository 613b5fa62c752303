// The public face of @symphony/sync-server: startSyncServer and the /automerge endpoint, the access and
// storage ports with their adapters, the logger, and how to reach OFB.
export type {
  Access,
  AccessCheck,
  AccessControl,
  Denial,
} from './access/AccessControl.js';
export { closeCodeFor, DenialReason, ResourceKind } from './access/AccessControl.js';
export type { OfbAccessControlOptions } from './access/OfbAccessControl.js';
export { OfbAccessControl } from './access/OfbAccessControl.js';
export { OpenAccess } from './access/OpenAccess.js';
export type { AuthorizationOptions } from './access/pre-authorization.js';
export type { AutomergeEndpoint, AutomergeEndpointOptions } from './automerge/automerge-endpoint.js';
export { startAutomergeEndpoint } from './automerge/automerge-endpoint.js';
export type { Logger } from './logger.js';
export { consoleLogger, silentLogger } from './logger.js';
export type { OfbConnectionOptions } from './ofb-functions.js';
export { OfbFunctionError } from './ofb-functions.js';
export type { DocumentPersistence } from './persistence/DocumentPersistence.js';
export { StorageRefusedError } from './persistence/DocumentPersistence.js';
export { FsAutomergeStorage } from './persistence/FsAutomergeStorage.js';
export { FsDocumentPersistence } from './persistence/FsDocumentPersistence.js';
export { MemoryAutomergeStorage } from './persistence/MemoryAutomergeStorage.js';
export { MemoryDocumentPersistence } from './persistence/MemoryDocumentPersistence.js';
export type { OfbAutomergeStorageOptions } from './persistence/OfbAutomergeStorage.js';
export { OfbAutomergeStorage } from './persistence/OfbAutomergeStorage.js';
export type { OfbPersistenceOptions } from './persistence/OfbPersistence.js';
export { OfbPersistence } from './persistence/OfbPersistence.js';
export type { SyncServer, SyncServerDependencies } from './server.js';
export { startSyncServer } from './server.js';
export type { CompactionPolicy } from './yjs/shared-document.js';
