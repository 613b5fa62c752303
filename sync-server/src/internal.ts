/** Internals for tests and benchmarks of this and other packages; not the public face. */

export type { AutomergePeerState, AutomergeRejection } from './automerge-message.js';
export { checkAutomergeFrame } from './automerge-message.js';
export { accessFrame, permissionDeniedFrame, savedStateFrame } from './connection.js';
export type { Identity, StampedAwareness } from './presence.js';
export { stampAwareness } from './presence.js';
export type { UpdateCost } from './update-budget.js';
export {
  checkAwarenessUpdate,
  checkStateVector,
  MessageRejectedError,
  measureUpdate,
} from './update-budget.js';
export { checkWorkflowChanges } from './workflow-gate.js';
