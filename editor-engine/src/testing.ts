/** The acceptance suite every DocumentSource adapter must pass (it imports vitest). */

export type { DocumentSourceFixture, DocumentSourceRefusal } from './document-source-acceptance.js';
export { runDocumentSourceTests } from './document-source-acceptance.js';
