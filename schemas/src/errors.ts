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
