// The AccessControl port: who may open which Document, Workflow or Workspace and with which role, the
// reasons access is refused, and the close code each refusal gets.
import { CloseCode, type Role } from '@symphony/schemas';

/** What OFB calls the resource a connection opens. */
export const ResourceKind = { document: 'document', workflow: 'workflow', workspace: 'workspace' } as const;
export type ResourceKind = (typeof ResourceKind)[keyof typeof ResourceKind];

/** The bearer of a token may open a resource, with this role, until `exp`. */
export interface Access {
  readonly ok: true;
  readonly role: Role;
  readonly workspaceId: string;
  readonly kind: ResourceKind;
  readonly userId: string;
  /** The user's sign-in name: what collaborators see on their presence. */
  readonly userName: string;
  /** When the token expires, in seconds since the epoch; the connection is closed then. */
  readonly exp: number;
}

/** Why access was refused; each reason has its close code ({@link closeCodeFor}). */
export const DenialReason = {
  /** No token, or one that is not a token of this project. */
  unauthenticated: 'unauthenticated',
  /** The token has expired. */
  expired: 'expired',
  /** The user is not a member of the resource's workspace. */
  forbidden: 'forbidden',
  /** No document, workflow or workspace has this id. */
  unknown: 'unknown',
  /** The authority could not be asked (down, or answered with an error). */
  unavailable: 'unavailable',
} as const;
export type DenialReason = (typeof DenialReason)[keyof typeof DenialReason];

/** Access refused, with a reason and a message for the log (never the token). */
export interface Denial {
  readonly ok: false;
  readonly reason: DenialReason;
  readonly message: string;
}

/** One question: may the bearer of `token` open `resourceId`? */
export interface AccessCheck {
  readonly token: string;
  readonly resourceId: string;
}

/**
 * One key per (token, resource): the cache's and the re-check's grouping agree by construction. A NUL
 * cannot occur in a JWT or a resource id, so the pair maps to one key.
 */
export const accessCheckKey = (token: string, resourceId: string): string => `${resourceId}\u0000${token}`;

/**
 * Port: who may open which document, and with which role. The sync-server asks once per
 * connection (and per Automerge document) and re-asks for every open connection every few seconds
 * with {@link AccessControl.authorizeMany}. Implementations never throw for a refusal or an
 * outage: they answer with a {@link Denial}.
 */
export interface AccessControl {
  authorize(token: string, resourceId: string): Promise<Access | Denial>;
  /** Many checks in one round trip, answered in order. */
  authorizeMany(checks: readonly AccessCheck[]): Promise<(Access | Denial)[]>;
}

/** The close code a connection refused for `reason` gets. */
export function closeCodeFor(reason: DenialReason): CloseCode {
  switch (reason) {
    case DenialReason.unauthenticated:
      return CloseCode.Unauthenticated;
    case DenialReason.expired:
      return CloseCode.TokenExpired;
    case DenialReason.forbidden:
      return CloseCode.Forbidden;
    case DenialReason.unknown:
      return CloseCode.UnknownDocument;
    case DenialReason.unavailable:
      return CloseCode.AuthorizationUnavailable;
  }
}

/** Whether `role` may change a document (owners and editors), as opposed to only read it. */
export function canWrite(role: Role): boolean {
  return role !== 'viewer';
}
