// How an OFB call fails, as the client sees it: refused (OfbRequestError, with OFB's code and words) or
// unreachable (OfbUnreachableError).
import { ErrorBody, type ErrorCategory, OfbErrorCode } from '@symphony/schemas';

/** OFB's code for a 409 while the same idempotency key is still being applied elsewhere. */
export const REQUEST_IN_PROGRESS = OfbErrorCode.requestInProgress;

/**
 * OFB answered, and refused: `status` is the HTTP status, `category`, `code` and `message` come from
 * OFB's error body (`{error:{category,code,message,details}}`), so the UI can show OFB's own words.
 */
export class OfbRequestError extends Error {
  override name = 'OfbRequestError';
  constructor(
    readonly status: number,
    readonly category: ErrorCategory,
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
  }

  /** The caller's token is missing, invalid or expired: sign in (or refresh) and try again. */
  get isAuth(): boolean {
    return this.status === 401;
  }

  /**
   * Whether trying the same request later may succeed (the server failed, or asked to slow down),
   * as opposed to a refusal of the request itself (a 4xx).
   */
  get isTransient(): boolean {
    return (
      this.status >= 500 ||
      this.status === 408 ||
      this.status === 429 ||
      // Another tab (or a replay) is applying the same idempotency key right now: its outcome is
      // stored under that key once it finishes, so asking again later gets the real answer.
      (this.status === 409 && this.code === REQUEST_IN_PROGRESS)
    );
  }
}

/** OFB could not be reached (offline, DNS, connection refused): nothing was decided; retry later. */
export class OfbUnreachableError extends Error {
  override name = 'OfbUnreachableError';
}

/**
 * The error for an HTTP answer `status` whose JSON body is `body`: OFB's `{error:{…}}` gives
 * category, code and message; any other body keeps the status and says so.
 */
export function ofbErrorFromBody(status: number, body: unknown, statusText = ''): OfbRequestError {
  const parsed = ErrorBody.safeParse(body);
  if (parsed.success) {
    const { category, code, message, details } = parsed.data.error;
    return new OfbRequestError(status, category, code, message, details);
  }
  return new OfbRequestError(
    status,
    status >= 500 ? 'internal' : 'validation',
    `http_${status}`,
    `the server answered ${status} ${statusText}`.trim(),
  );
}
