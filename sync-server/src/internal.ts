/** Internals for tests and benchmarks of this and other packages; not the public face. */

export type { AutomergePeerState, AutomergeRejection } from './automerge-message.js';
export { checkAutomergeFrame } from './automerge-message.js';
export { savedStateFrame } from './connection.js';
export type { UpdateCost } from './update-budget.js';
export {
  checkAwarenessUpdate,
  checkStateVector,
  MessageRejectedError,
  measureUpdate,
} from './update-budget.js';
