export { ErrorBody, ErrorCategory, errorBody } from './errors.js';
export { DocumentId, UserId, WorkspaceId, workspaceIndexDocumentId } from './ids.js';
export type { SyncServerOptions } from './sync.js';
export { CloseCode, Health, MessageType, SyncServerConfig } from './sync.js';
export { DocumentMeta, Member, Role, RoleSchema, Title, Workspace } from './workspace.js';
