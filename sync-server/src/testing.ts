/** The acceptance suites every storage adapter must pass (they import vitest). */

export type { AccessControlFixture } from './access/acceptance.js';
export { runAccessControlTests } from './access/acceptance.js';
export type { PersistenceFixture } from './persistence/acceptance.js';
export { runDocumentPersistenceTests } from './persistence/acceptance.js';
export type {
  AutomergeStorageFixture,
  AutomergeStorageSuiteOptions,
} from './persistence/automerge-acceptance.js';
export { runAutomergeStorageTests } from './persistence/automerge-acceptance.js';
