// OFB's refusals: the one error a handler throws to answer 4xx, and the helpers that build the
// common ones. The app turns each into the shared `ErrorBody` with its status.
import { type ErrorCategory, OfbErrorCode } from '@symphony/schemas';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { AuthError } from '../auth.js';
import type { RuleViolation } from '../domain/rules.js';
import type { AuditEntry } from '../OfbStore.js';

/** An error that becomes an HTTP error response with the shared body shape. */
export class OfbError extends Error {
  override name = 'OfbError';
  constructor(
    readonly status: ContentfulStatusCode,
    readonly category: ErrorCategory,
    readonly code: OfbErrorCode,
    message: string,
    readonly details?: unknown,
    /** A denial to record after the caller's transaction has rolled back. */
    readonly audit?: AuditEntry,
  ) {
    super(message);
  }
}

/** A broken business rule as its answer: 422 for a document too large, 409 for a quota or the last owner. */
export const ruleError = (v: RuleViolation): OfbError =>
  new OfbError(
    v.code === OfbErrorCode.documentTooLarge ? 422 : 409,
    v.code === OfbErrorCode.documentTooLarge ? 'validation' : 'conflict',
    v.code,
    v.message,
    v.details,
  );

/**
 * The answer to text the database cannot store that no schema refused (schemas refuse control
 * characters in the fields they name; this is the net under every other string).
 */
export const unstorableText = (): OfbError =>
  new OfbError(
    422,
    'validation',
    OfbErrorCode.invalidText,
    'the request holds text the database cannot store (a NUL character, say); remove the control characters',
  );

/** 404 `document_not_found` naming the id. */
export const documentNotFound = (documentId: string): OfbError =>
  new OfbError(404, 'not_found', OfbErrorCode.documentNotFound, `no document ${documentId}`);

/** Runs `run`, answering an {@link AuthError} as 401 with its code. */
export async function authErrors<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    if (error instanceof AuthError) throw new OfbError(401, 'auth', error.code, error.message);
    throw error;
  }
}
