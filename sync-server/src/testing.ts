/** The acceptance suite every DocumentPersistence adapter must pass (imports vitest). */

export type { PersistenceFixture } from './persistence/acceptance.js';
export { runDocumentPersistenceTests } from './persistence/acceptance.js';
