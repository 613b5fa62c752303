// `@symphony/pit/testing`: the acceptance suites every adapter of the Pit's ports must pass (they import vitest).
// runDagTrackerTests — added by the journal work
// runArtifactStoreTests — added by the store work
export {};
