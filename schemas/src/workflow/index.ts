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
  ExtensionNodeTypeError,
  extensionIdOf,
  extensionNodeTypeName,
  extensionNodeTypeSpecs,
  isExtensionNodeTypeName,
  nodeLibraryWith,
} from './extension-node-types.js';
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
export type { DocumentAccess, NodeTypeSpec, PortSpec } from './node-library.js';
export { canFlow, DataType, DOCUMENT_ID_FORMAT, LOCAL_BADGE, NodeLibrary, nodeType } from './node-library.js';
export type { NodeParamsOf, NodeParamsType } from './node-params.js';
export {
  CHAT_MODEL_NAMES,
  EMBEDDING_MODEL_NAMES,
  isLocalModel,
  LOCAL_MODEL,
  NodeParams,
} from './node-params.js';
export type { ParamProblem } from './param-messages.js';
export { paramProblems } from './param-messages.js';
export type { TemplateDocumentSlot, WorkflowTemplate } from './templates.js';
export {
  instantiateTemplate,
  nodeNeedsInstrument,
  templateDocumentSlots,
  templateNeedsInstrument,
  WorkflowTemplates,
} from './templates.js';
export type { Finding, FindingTarget, KnownDocument, ValidationContext, WorkflowReport } from './validate.js';
export { FindingCode, RejectReason, validateWorkflow } from './validate.js';
