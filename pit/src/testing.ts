// `@symphony/pit/testing`: the acceptance suites every adapter of the Pit's ports must pass (they import vitest).

export type { RouterStoreFixture } from './testing/arbitration-acceptance.js';
export { runRouterStoreTests } from './testing/arbitration-acceptance.js';
export type { ArtifactStoreFixture } from './testing/artifact-store-acceptance.js';
export { patternBytes, runArtifactStoreTests } from './testing/artifact-store-acceptance.js';
export type { DagTrackerFixture } from './testing/dag-tracker-acceptance.js';
export {
  lifecycleEvents,
  queuedEvent,
  runDagTrackerTests,
  startedEvent,
  testRunId,
} from './testing/dag-tracker-acceptance.js';
export type { FakeInstance, MakePool } from './testing/pool-acceptance.js';
export { FakeFactory, poolAcceptance } from './testing/pool-acceptance.js';
