// The merged-graph conflict rule, as arbitration sees it: which edges of a merged workflow do not
// take part, and why. The rule itself lives in the workflow validator (@symphony/schemas); this only
// calls it, so every peer, the board and the orchestrator keep one verdict.
import {
  type EdgeId,
  NodeLibrary,
  type NodeTypeSpec,
  type RejectReason,
  validateWorkflow,
  type Workflow,
} from '@symphony/schemas';

/** One edge the merged graph leaves out. */
export interface GraphConflict {
  readonly edge: EdgeId;
  readonly reason: RejectReason;
}

/**
 * The rejected edges of `workflow`, by edge id: exactly the workflow validator's `rejectedEdges`
 * (dangling ends, invalid ports, an extra edge into a single-valued input, the greatest id of a cycle).
 */
export function graphConflicts(
  workflow: Workflow,
  library: ReadonlyMap<string, NodeTypeSpec> = NodeLibrary,
): GraphConflict[] {
  const { rejectedEdges } = validateWorkflow(workflow, library);
  return [...rejectedEdges]
    .map(([edge, reason]) => ({ edge, reason }))
    .sort((a, b) => (a.edge < b.edge ? -1 : a.edge > b.edge ? 1 : 0));
}
