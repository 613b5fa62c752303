// The port through which the client calls OFB functions (`/functions/v1/<name>`) with a token and an
// idempotency key; SupabaseOfbTransport is the browser's.
import type { OfbFunctionName } from '@symphony/schemas';

/** How one OFB call is made. */
export interface OfbCallOptions {
  /** The signed-in user's access token; omitted for `sign-up` and `sign-in`. */
  readonly token?: string;
  /** Sent as OFB's `idempotency-key` header: a repeat with the same key applies once. */
  readonly idempotencyKey?: string;
}

/**
 * Port: calls one OFB function (`POST /functions/v1/<name>` with a JSON body) and resolves with its
 * JSON answer. Rejects with {@link OfbRequestError} when OFB refuses, {@link OfbUnreachableError}
 * when it cannot be reached.
 */
export interface OfbTransport {
  invoke(name: OfbFunctionName, body: unknown, options: OfbCallOptions): Promise<unknown>;
}
