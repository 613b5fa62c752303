// `@symphony/ofb/testing`: what tests and benchmarks of OFB and its callers share — a test OFB,
// a throwaway PostgreSQL, and the OfbStore acceptance suite (which imports vitest).
export type { PostgresServer } from './testing/postgres.js';
export { startPostgres } from './testing/postgres.js';
export { runOfbStoreTests } from './testing/runOfbStoreTests.js';
export type { CallOptions, OfbReply, TestOfb, TestOfbOptions, TestUser } from './testing/test-ofb.js';
export { freshName, startTestOfb, TEST_OFB_PASSWORD, TEST_OFB_SECRET } from './testing/test-ofb.js';
