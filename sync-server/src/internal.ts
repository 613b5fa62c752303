/** Internals for tests and benchmarks of this and other packages; not the public face. */

export { savedStateFrame } from './connection.js';
export type { UpdateCost } from './update-budget.js';
export {
  checkAwarenessUpdate,
  checkStateVector,
  MessageRejectedError,
  measureUpdate,
} from './update-budget.js';
