// `@symphony/sync-server/testing`: what tests of the sync-server and of its callers share — the
// acceptance suites every adapter must pass (they import vitest), test servers and their clients.

export type { AccessControlFixture } from './access/acceptance.js';
export { runAccessControlTests } from './access/acceptance.js';
export type { PersistenceFixture } from './persistence/acceptance.js';
export { runDocumentPersistenceTests } from './persistence/acceptance.js';
export type {
  AutomergeStorageFixture,
  AutomergeStorageSuiteOptions,
} from './persistence/automerge-acceptance.js';
export { runAutomergeStorageTests } from './persistence/automerge-acceptance.js';
export { grantedSocket, sendGranted, serverHas } from './testing/automerge-clients.js';
export { documentBomb, syncMessageWith } from './testing/crafted-chunks.js';
export type { AuthorizingOfb } from './testing/test-server.js';
export { startServerAuthorizedBy, startTestServer, tempDir } from './testing/test-server.js';
export { randomGesture } from './testing/workflow-edits.js';
export { connect, rawSocket, synced, waitFor } from './testing/yjs-clients.js';
