// `@symphony/ofb/testing`: what tests and benchmarks of OFB and its callers share — a test OFB,
// a throwaway PostgreSQL, and the OfbStore acceptance suite (which imports vitest).

export type { CallOptions, OfbCaller, OfbReply, OfbSend, TestUser } from './testing/ofb-caller.js';
export { freshName, ofbAt, ofbCaller, TEST_OFB_PASSWORD } from './testing/ofb-caller.js';
export type { PostgresServer } from './testing/postgres.js';
export { startPostgres } from './testing/postgres.js';
export { runOfbStoreTests } from './testing/runOfbStoreTests.js';
export type { TestOfb, TestOfbOptions } from './testing/test-ofb.js';
export { startTestOfb, TEST_OFB_SECRET } from './testing/test-ofb.js';
