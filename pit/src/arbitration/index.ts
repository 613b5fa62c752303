// The ArbitrationEngine's public names, for pit/src/index.ts to re-export.
export type {
  ArbitrationEngineOptions,
  InstrumentLimiter,
  RouteCandidate,
  Router,
  RouterStore,
} from './ArbitrationEngine.js';
export { ArbitrationEngine } from './ArbitrationEngine.js';
export type { GraphConflict } from './conflicts.js';
export { graphConflicts } from './conflicts.js';
export type { FileRouterStoreOptions } from './FileRouterStore.js';
export { FileRouterStore, ROUTER_LOG } from './FileRouterStore.js';
export { MemoryRouterStore } from './MemoryRouterStore.js';
export type { RandomSource } from './sampling.js';
export { sampleBeta, sampleGamma } from './sampling.js';
export type { ThompsonRouterOptions } from './ThompsonRouter.js';
export { RoutingError, ThompsonRouter } from './ThompsonRouter.js';
export type { InstrumentLimits, LimiterClock, TokenBucketLimiterOptions } from './TokenBucketLimiter.js';
export { DEFAULT_LIMITS, systemClock, TokenBucketLimiter } from './TokenBucketLimiter.js';
