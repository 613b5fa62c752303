/** Internals for tests and benchmarks of this and other packages; not the public face. */

export type { AutomergePeerState, AutomergeRejection } from './automerge/automerge-message.js';
export { checkAutomergeFrame } from './automerge/automerge-message.js';
export { checkWorkflowChanges } from './automerge/workflow-gate.js';
export type { Identity, StampedAwareness } from './presence.js';
export { stampAwareness } from './presence.js';
export { permissionDeniedFrame } from './yjs/connection.js';
export type { UpdateCost } from './yjs/update-budget.js';
export {
  checkAwarenessUpdate,
  checkStateVector,
  MessageRejectedError,
  measureUpdate,
} from './yjs/update-budget.js';
