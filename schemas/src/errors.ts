// Error bodies and codes: the one shape every HTTP error has, and every code OFB can send, by name.
import { z } from 'zod';

/**
 * Where an error was decided. `prevalidation` is caught by the caller before a request leaves;
 * the others come back from the authoritative layer or a server.
 */
export const ErrorCategory = {
  prevalidation: 'prevalidation',
  validation: 'validation',
  auth: 'auth',
  forbidden: 'forbidden',
  notFound: 'not_found',
  conflict: 'conflict',
  internal: 'internal',
} as const;
export type ErrorCategory = (typeof ErrorCategory)[keyof typeof ErrorCategory];

/** Every error body Symphony sends over HTTP has this one shape. */
export const ErrorBody = z.object({
  error: z.object({
    category: z.enum([
      ErrorCategory.prevalidation,
      ErrorCategory.validation,
      ErrorCategory.auth,
      ErrorCategory.forbidden,
      ErrorCategory.notFound,
      ErrorCategory.conflict,
      ErrorCategory.internal,
    ]),
    code: z.string().min(1),
    message: z.string().min(1),
    details: z.unknown().optional(),
  }),
});
export type ErrorBody = z.infer<typeof ErrorBody>;

/** Builds an {@link ErrorBody}. */
export function errorBody(
  category: ErrorCategory,
  code: string,
  message: string,
  details?: unknown,
): ErrorBody {
  return { error: { category, code, message, ...(details === undefined ? {} : { details }) } };
}

/**
 * Every `code` an OFB refusal carries (the `code` of an {@link ErrorBody}, and of a failed
 * `authorize-many` check). OFB sends only these; clients and the sync-server branch on them by name.
 * The status each comes with is in brackets.
 */
export const OfbErrorCode = {
  // --- The request itself ---
  /** The body does not fit the function's schema (422; `details.issues` says where). */
  invalidRequest: 'invalid_request',
  /** The body is not JSON (400). */
  invalidJson: 'invalid_json',
  /** The body is larger than the function reads (413; `details.maxBodyBytes`). */
  bodyTooLarge: 'body_too_large',
  /** A text holds a character the database cannot store (422): a NUL, say, in a field no schema names. */
  invalidText: 'invalid_text',
  /** No function of that name (404; `details.functions` lists them). */
  noSuchFunction: 'no_such_function',
  /** A path outside `/functions/v1/<name>` (404). */
  noSuchRoute: 'no_such_route',
  /** A function called with another method than POST (405). */
  methodNotAllowed: 'method_not_allowed',
  /** The server failed (500); it logged why. */
  internal: 'internal',

  // --- Tokens, sign-in and sessions ---
  /** No `Authorization: Bearer <token>` on a function that needs one (401). */
  missingToken: 'missing_token',
  /** The token is not a JWT signed with the project secret, or names no usable user (401). */
  invalidToken: 'invalid_token',
  /** The token's `exp` has passed (401). */
  expiredToken: 'expired_token',
  /** The token names a user that does not exist (401): sign in again. */
  unknownUser: 'unknown_user',
  /** Too many sign-up or sign-in attempts (429; `details.retryAfterSeconds`). */
  rateLimited: 'rate_limited',
  /** Name or password is wrong (401). */
  invalidCredentials: 'invalid_credentials',
  /** `sign-up` with a name someone has (409). */
  nameTaken: 'name_taken',
  /** The token's session was signed out, or its password changed (401): sign in again. */
  sessionRevoked: 'session_revoked',
  /** The token's session is older than the longest a session may last (401): sign in again. */
  sessionExpired: 'session_expired',
  /** The token names no session (minted outside sign-in, e.g. `symphony token`), so it cannot be refreshed (401). */
  noSession: 'no_session',

  // --- Access (RBAC decisions; the code is `decide()`'s reason) ---
  /** The caller is not a member of the resource's workspace (403). */
  notAMember: 'not_a_member',
  /** The caller's role is below what the action needs (403). */
  roleTooLow: 'role_too_low',
  /** The action does not apply to that kind of resource (403). */
  notApplicable: 'not_applicable',
  /** A function only the sync-server (a `service_role` token) may call (403). */
  serviceRoleOnly: 'service_role_only',

  // --- Missing things (404) ---
  /** No workspace of that id. */
  workspaceNotFound: 'workspace_not_found',
  /** No document, workflow or workspace index of that id (a deleted one too). */
  documentNotFound: 'document_not_found',
  /** No user of that name (`invite-member` by `userName`). */
  userNotFound: 'user_not_found',
  /** The user is not a member of the workspace (`change-role`, `remove-member`). */
  memberNotFound: 'member_not_found',
  /** No pending invitation of that id for the caller. */
  invitationNotFound: 'invitation_not_found',
  /** `validate-workflow` on a workflow with no stored content yet. */
  workflowNotStored: 'workflow_not_stored',

  // --- Conflicts and business rules ---
  /** A workspace id (or its index document's id) is taken (409). */
  workspaceExists: 'workspace_exists',
  /** A document id is taken (409). */
  documentExists: 'document_exists',
  /** The invitee is already a member (409). */
  alreadyMember: 'already_member',
  /** The invitee already has a pending invitation (409). */
  alreadyInvited: 'already_invited',
  /** A quota (workspaces per user, members or documents per workspace) is reached (409). */
  quotaExceeded: 'quota_exceeded',
  /** The change would leave the workspace without an owner (409). */
  lastOwner: 'last_owner',
  /** The document would be larger than the rules allow (422). */
  documentTooLarge: 'document_too_large',
  /** An id starting `workspace-` (a workspace's index document) where a document id goes (422). */
  reservedId: 'reserved_id',
  /** `record-run` with a run id already recorded for another workflow (409). */
  runRecordedElsewhere: 'run_recorded_elsewhere',

  // --- Content ---
  /** Bytes that do not decode as a Yjs update (422; `details: { field, index }`). */
  invalidUpdate: 'invalid_update',
  /** Chunks that would leave a workflow outside the Workflow schema (422; `details.issues`). */
  invalidWorkflow: 'invalid_workflow',

  // --- Idempotency keys ---
  /** A malformed `idempotency-key` header (422). */
  invalidIdempotencyKey: 'invalid_idempotency_key',
  /** An `idempotency-key` header on a function that takes none (422). */
  idempotencyNotSupported: 'idempotency_not_supported',
  /** The key was used with another function or body (422). */
  idempotencyKeyReused: 'idempotency_key_reused',
  /** A call with the same key is still running (409): ask again shortly. */
  requestInProgress: 'request_in_progress',
} as const;
export type OfbErrorCode = (typeof OfbErrorCode)[keyof typeof OfbErrorCode];
