// The PoolManager's public names, for pit/src/index.ts to re-export.
export type { PoolManagerOptions } from './manager.js';
export { PoolManager } from './manager.js';
export type { PoolErrorSink, WarmPoolOptions } from './options.js';
export { PoolActivity } from './options.js';
export type { Pool, PoolFactory, PoolOptions, PoolStats } from './PoolManager.js';
export { PoolError } from './PoolManager.js';
export { WarmPool } from './WarmPool.js';
