export { ErrorBody, ErrorCategory, errorBody } from './errors.js';
export { DocumentId, UserId, WorkspaceId, workspaceIndexDocumentId } from './ids.js';
export type { OfbFunctionName } from './ofb.js';
export {
  OfbAcceptInvitation,
  OfbAuthorize,
  OfbAuthorizeResult,
  OfbChangeRole,
  OfbCreateDocument,
  OfbCreateWorkspace,
  OfbCredentials,
  OfbDeleteDocument,
  OfbInviteMember,
  OfbListWorkspaces,
  OfbRemoveMember,
  OfbRenameDocument,
  OfbRequests,
  OfbSession,
} from './ofb.js';
export type { SyncServerOptions } from './sync.js';
export { CloseCode, Health, MessageType, SyncServerConfig } from './sync.js';
export type {
  Finding,
  FindingTarget,
  NodeTypeSpec,
  PortSpec,
  WorkflowReport,
  WorkflowTemplate,
} from './workflow/index.js';
export {
  addNode,
  canFlow,
  connect,
  createEdgeId,
  createNodeId,
  DataType,
  deleteElements,
  EdgeId,
  edgesAttachedTo,
  FindingCode,
  instantiateTemplate,
  moveNodes,
  NodeId,
  NodeKind,
  NodeLibrary,
  nodeType,
  PortRef,
  Position,
  RejectReason,
  renameWorkflow,
  setParam,
  toNodeId,
  validateWorkflow,
  Workflow,
  WorkflowEdge,
  WorkflowFile,
  WorkflowId,
  WorkflowName,
  WorkflowNode,
  WorkflowTemplates,
} from './workflow/index.js';
export { DocumentMeta, Member, Role, RoleSchema, Title, Workspace } from './workspace.js';
