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
 * Codes of OFB refusals that clients and the sync-server tell apart (the `code` of an
 * {@link ErrorBody}).
 */
export const OfbErrorCode = {
  /** The body does not fit the function's schema (422; `details.issues` says where). */
  invalidRequest: 'invalid_request',
  /** A text holds a character the database cannot store (422): a NUL, say, in a field no schema names. */
  invalidText: 'invalid_text',
  /** Too many sign-up or sign-in attempts (429; `details.retryAfterSeconds`). */
  rateLimited: 'rate_limited',
  /** Name or password is wrong (401). */
  invalidCredentials: 'invalid_credentials',
  /** The token's session was signed out, or its password changed (401): sign in again. */
  sessionRevoked: 'session_revoked',
  /** The token's session is older than the longest a session may last (401): sign in again. */
  sessionExpired: 'session_expired',
  /** The token names no session (minted outside sign-in, e.g. `symphony token`), so it cannot be refreshed (401). */
  noSession: 'no_session',
} as const;
export type OfbErrorCode = (typeof OfbErrorCode)[keyof typeof OfbErrorCode];
