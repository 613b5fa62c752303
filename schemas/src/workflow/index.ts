// The pure workflow domain's public surface: model, node library, checks, validation, edits, templates.
export type { WorkflowDocumentCheck, WorkflowDocumentIssue } from './check.js';
export { checkWorkflowDocument } from './check.js';
export {
  addNode,
  connect,
  createEdgeId,
  createNodeId,
  deleteElements,
  edgesAttachedTo,
  moveNodes,
  renameWorkflow,
  setParam,
  toNodeId,
} from './edits.js';
export {
  EdgeId,
  NodeId,
  NodeKind,
  PortRef,
  Position,
  Workflow,
  WorkflowEdge,
  WorkflowFile,
  WorkflowId,
  WorkflowName,
  WorkflowNode,
} from './model.js';
export type { NodeTypeSpec, PortSpec } from './node-library.js';
export { canFlow, DataType, NodeLibrary, nodeType } from './node-library.js';
export type { WorkflowTemplate } from './templates.js';
export { instantiateTemplate, WorkflowTemplates } from './templates.js';
export type { Finding, FindingTarget, WorkflowReport } from './validate.js';
export { FindingCode, RejectReason, validateWorkflow } from './validate.js';
