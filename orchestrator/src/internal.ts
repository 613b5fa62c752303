// Internals of @symphony/orchestrator that its tests and the bench use; not the public face.
export { AbortKind, StepAbortError, StepAttempt, toRunError } from './executor/attempt.js';
export type { CacheKeyInput } from './executor/cache-key.js';
export { cacheKey, canonicalJson } from './executor/cache-key.js';
export type { GraphInput, GraphNode, GraphSource, RunGraph } from './executor/graph.js';
export { buildRunGraph, descendants } from './executor/graph.js';
export { JournalWriter } from './executor/journal-writer.js';
export { offlineCancelEvents } from './executor/offline-cancel.js';
export type { FinalStatus, PlannerCommand, PlannerLimits } from './executor/planner.js';
export { backoffDelay, RunPlanner } from './executor/planner.js';
export type { Reused } from './executor/rerun.js';
export { reusedByRerun, topologicalOrder } from './executor/rerun.js';
export { cancelPath, claimPath, claimRun, liveOwner, takeCancelRequests } from './executor/run-claims.js';
export type { TestNode } from './executor/test-kit.js';
export {
  dagWorkflow,
  layeredWorkflow,
  ManualClock,
  testLibrary,
  testNodeTypes,
  testStep,
  testSteps,
} from './executor/test-kit.js';
export type { EncodedValue } from './executor/values.js';
export {
  convertValue,
  decodeInput,
  encodeOutput,
  JSON_MEDIA_TYPE,
  TEXT_MEDIA_TYPE,
  typeProblem,
} from './executor/values.js';
export type { StepContextInit } from './steps/fake-context.js';
export { MemoryRunDocuments, stepContext } from './steps/fake-context.js';
