// The public face of @symphony/ofb: stores and adapters, tokens and passwords, access decisions and rules,
// the HTTP app and its errors.
export { AUDIT_GENESIS_HASH, auditCanonicalSql, auditHashSql } from './adapters/audit-chain.js';
export { migrate, migrationsDir } from './adapters/migrations.js';
export { defaultPgliteDir, PgliteStore } from './adapters/PgliteStore.js';
export { PostgresStore } from './adapters/PostgresStore.js';
export type { SqlDriver } from './adapters/SqlDriver.js';
export { SqlOfbStore } from './adapters/SqlOfbStore.js';
export type { Claims } from './auth.js';
export {
  AuthError,
  hashPassword,
  loadJwtSecret,
  parseDuration,
  TokenService,
  verifyPassword,
} from './auth.js';
export type { Decision } from './domain/rbac.js';
export { Action, DecisionReason, decide, ResourceKind } from './domain/rbac.js';
export { defaultRules, RulesConfig } from './domain/rules.js';
export type { OfbAppOptions } from './http/app.js';
export { createOfbApp } from './http/app.js';
export { OfbError } from './http/errors.js';
export { listen } from './http/serve.js';
export type {
  AccessRecord,
  AuditEntry,
  AuditRecord,
  DocumentRecord,
  DocumentUpdateRecord,
  IdempotencyRecord,
  InvitationRecord,
  MemberRecord,
  NamedMemberRecord,
  NewRunRecord,
  OfbStore,
  ReceivedInvitationRecord,
  RunRecord,
  RunRecordStore,
  SentInvitationRecord,
  UserRecord,
  WorkspaceRecord,
} from './OfbStore.js';
export { ConflictError, InvalidTextError, MissingReferenceError } from './OfbStore.js';
