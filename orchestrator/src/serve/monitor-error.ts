// The monitor's refusals: one error class carrying a `MonitorErrorCode`, the HTTP status and error
// category each code comes with, and the `ErrorBody` a refusal is answered with.
import { type ErrorBody, ErrorCategory, errorBody, MonitorErrorCode } from '@symphony/schemas';

/** The HTTP status each code is answered with (as the contract's comments say). */
const statusOf = {
  [MonitorErrorCode.missingToken]: 401,
  [MonitorErrorCode.invalidToken]: 401,
  [MonitorErrorCode.forbiddenOrigin]: 403,
  [MonitorErrorCode.forbiddenHost]: 403,
  [MonitorErrorCode.notAMember]: 403,
  [MonitorErrorCode.roleTooLow]: 403,
  [MonitorErrorCode.notAllowedHere]: 403,
  [MonitorErrorCode.notFound]: 404,
  [MonitorErrorCode.invalidRequest]: 422,
  [MonitorErrorCode.bodyTooLarge]: 413,
  [MonitorErrorCode.workflowRefused]: 422,
  [MonitorErrorCode.runFinished]: 409,
  [MonitorErrorCode.teamServerUnreachable]: 502,
  [MonitorErrorCode.internal]: 500,
} as const satisfies Record<MonitorErrorCode, number>;

/** The status of a {@link MonitorError} of `code`. */
export type MonitorStatus = (typeof statusOf)[MonitorErrorCode];

const categoryOf: Record<MonitorErrorCode, ErrorCategory> = {
  [MonitorErrorCode.missingToken]: ErrorCategory.auth,
  [MonitorErrorCode.invalidToken]: ErrorCategory.auth,
  [MonitorErrorCode.forbiddenOrigin]: ErrorCategory.forbidden,
  [MonitorErrorCode.forbiddenHost]: ErrorCategory.forbidden,
  [MonitorErrorCode.notAMember]: ErrorCategory.forbidden,
  [MonitorErrorCode.roleTooLow]: ErrorCategory.forbidden,
  [MonitorErrorCode.notAllowedHere]: ErrorCategory.forbidden,
  [MonitorErrorCode.notFound]: ErrorCategory.notFound,
  [MonitorErrorCode.invalidRequest]: ErrorCategory.validation,
  [MonitorErrorCode.bodyTooLarge]: ErrorCategory.validation,
  [MonitorErrorCode.workflowRefused]: ErrorCategory.validation,
  [MonitorErrorCode.runFinished]: ErrorCategory.conflict,
  [MonitorErrorCode.teamServerUnreachable]: ErrorCategory.internal,
  [MonitorErrorCode.internal]: ErrorCategory.internal,
};

/** A refusal of the monitor: its code (and so its status), what to do, and details for the client. */
export class MonitorError extends Error {
  override name = 'MonitorError';
  constructor(
    readonly code: MonitorErrorCode,
    message: string,
    readonly details?: Readonly<Record<string, unknown>>,
  ) {
    super(message);
  }

  /** The HTTP status it is answered with. */
  get status(): MonitorStatus {
    return statusOf[this.code];
  }

  /** The body it is answered with. */
  body(): ErrorBody {
    return errorBody(categoryOf[this.code], this.code, this.message, this.details);
  }
}

/** A 422 `invalid_request` for zod `issues` of the request's `what` (its body, its query). */
export function invalidRequest(
  what: string,
  issues: readonly { path: readonly PropertyKey[]; message: string }[],
): MonitorError {
  const listed = issues.map((issue) => ({
    path: issue.path.map((key) => (typeof key === 'symbol' ? String(key) : key)),
    message: issue.message,
  }));
  const first = listed[0];
  return new MonitorError(
    MonitorErrorCode.invalidRequest,
    `the ${what} does not fit: ${first ? `${first.path.join('.') || '(root)'}: ${first.message}` : 'invalid'}`,
    { issues: listed },
  );
}

/** The body of an internal failure (the orchestrator logged why). */
export function internalBody(): ErrorBody {
  return new MonitorError(MonitorErrorCode.internal, 'the orchestrator failed; its log says why').body();
}
