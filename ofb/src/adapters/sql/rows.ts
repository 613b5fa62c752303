// Rows of OFB's tables as the SQL adapters map them to records, and the bytea and key-prefix
// conventions every statement shares.
import type { Role } from '@symphony/schemas';
import type {
  AuditRecord,
  DocumentKind,
  DocumentRecord,
  InvitationRecord,
  MemberRecord,
  SessionRecord,
  SessionRevocation,
  UserRecord,
  WorkspaceRecord,
} from '../../OfbStore.js';

/** A row as the drivers return it. */
export type Row = Record<string, unknown>;

export const iso = (v: unknown): string =>
  v instanceof Date ? v.toISOString() : new Date(String(v)).toISOString();

export const user = (r: Row): UserRecord => ({
  id: String(r.id),
  name: String(r.name),
  passwordHash: String(r.password_hash),
  createdAt: iso(r.created_at),
});
export const workspace = (r: Row): WorkspaceRecord => ({
  id: String(r.id),
  name: String(r.name),
  createdBy: String(r.created_by),
  createdAt: iso(r.created_at),
});
export const member = (r: Row): MemberRecord => ({
  workspaceId: String(r.workspace_id),
  userId: String(r.user_id),
  role: r.role as Role,
});
export const invitation = (r: Row): InvitationRecord => ({
  id: String(r.id),
  workspaceId: String(r.workspace_id),
  inviteeId: String(r.invitee_id),
  role: r.role as Role,
  invitedBy: String(r.invited_by),
  createdAt: iso(r.created_at),
});
export const document = (r: Row): DocumentRecord => ({
  id: String(r.id),
  workspaceId: String(r.workspace_id),
  kind: r.kind as DocumentKind,
  title: String(r.title),
  sizeBytes: Number(r.size_bytes),
  createdAt: iso(r.created_at),
  updatedAt: iso(r.updated_at),
});
export const session = (r: Row): SessionRecord => ({
  id: String(r.id),
  userId: String(r.user_id),
  createdAt: iso(r.created_at),
  expiresAt: iso(r.expires_at),
  revokedAt: r.revoked_at === null ? null : iso(r.revoked_at),
  revokedReason: r.revoked_reason === null ? null : (r.revoked_reason as SessionRevocation),
});
export const audit = (r: Row): AuditRecord => ({
  seq: Number(r.seq),
  at: iso(r.at),
  actor: String(r.actor),
  action: String(r.action),
  resourceKind: String(r.resource_kind),
  resourceId: String(r.resource_id),
  workspaceId: r.workspace_id === null ? null : String(r.workspace_id),
  allowed: Boolean(r.allowed),
  reason: String(r.reason),
  prevHash: String(r.prev_hash),
  hash: String(r.hash),
});

/** PGlite returns bytea as Uint8Array, postgres.js as Buffer; callers get a plain Uint8Array. */
export const bytes = (v: unknown): Uint8Array => new Uint8Array(v as Uint8Array);
/** Both drivers take a Buffer for a bytea parameter. */
export const param = (u: Uint8Array): Buffer => Buffer.from(u.buffer, u.byteOffset, u.byteLength);

/**
 * A key starts with the text[] `$1` (whole parts): the first part through the index, then the
 * slice. An empty prefix matches every key.
 */
export const prefixMatch = `(cardinality($1::text[]) = 0 or (key[1] = ($1::text[])[1]
  and key[1:cardinality($1::text[])] = $1::text[]))`;
