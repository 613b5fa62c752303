// `@symphony/pit/testing`: the acceptance suites every adapter of the Pit's ports must pass (they import vitest).
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
