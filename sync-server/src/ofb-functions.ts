import { createClient, FunctionsHttpError, type SupabaseClient } from '@supabase/supabase-js';
import { ErrorBody, type OfbFunctionName } from '@symphony/schemas';
import WebSocket from 'ws';

/** Where OFB is and how the sync-server proves who it is. */
export interface OfbConnectionOptions {
  /** The Supabase project URL, a local `symphony-ofb` (`http://127.0.0.1:54321`) or the bin's own origin. */
  readonly url: string;
  /** The project's anon key (any string for a local OFB). */
  readonly anonKey: string;
  /** A JWT with `role: service_role`, signed with the project secret: it may act in any workspace. */
  readonly serviceToken: string;
  /**
   * How requests are sent; the global `fetch` unless told. The bin passes OFB's own Hono app here
   * when it embeds OFB, so the same requests reach it in-process.
   */
  readonly fetch?: typeof fetch;
  /**
   * How long one storage call may take before it fails as an outage (status 0, code `timeout`):
   * {@link DEFAULT_OFB_TIMEOUT_MS} unless told. A hung OFB then closes peers with 1011 (they resend)
   * instead of stalling the write queue and shutdown.
   */
  readonly timeoutMs?: number;
}

/** 15 s: the default limit on one OFB storage call. */
export const DEFAULT_OFB_TIMEOUT_MS = 15_000;

/**
 * An OFB function answered with an error, or could not be reached (`status` 0, category
 * `network`); `category` and `code` are from OFB's error body.
 */
export class OfbFunctionError extends Error {
  override name = 'OfbFunctionError';
  constructor(
    readonly fn: string,
    readonly status: number,
    readonly category: string,
    readonly code: string,
    message: string,
  ) {
    super(`OFB ${fn} failed (${status} ${category}/${code}): ${message}`);
  }
}

/** A supabase-js client whose every `functions.invoke` carries the service-role token. */
export function createOfbClient(options: OfbConnectionOptions): SupabaseClient {
  return createClient(options.url, options.anonKey, {
    // A global Authorization header wins over the anon key in every functions.invoke call.
    global: {
      headers: { Authorization: `Bearer ${options.serviceToken}` },
      ...(options.fetch ? { fetch: options.fetch } : {}),
    },
    // Node 20 has no global WebSocket; supabase-js wants one for realtime even when unused.
    realtime: { transport: WebSocket as unknown as typeof globalThis.WebSocket },
    auth: { persistSession: false, autoRefreshToken: false },
  });
}

/**
 * Calls one OFB function with supabase-js `functions.invoke`.
 * @throws OfbFunctionError with OFB's status, category and code, or status 0 when unreachable.
 */
export async function invokeOfb<T>(
  client: SupabaseClient,
  fn: OfbFunctionName,
  body: Record<string, unknown>,
  timeoutMs?: number,
): Promise<T> {
  if (timeoutMs === undefined) return invokeOnce<T>(client, fn, body);
  // supabase-js aborts its fetch at `timeout`, but a custom fetch (OFB in-process) may ignore the
  // signal, so the call also loses a race against a timer of its own.
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new OfbFunctionError(fn, 0, 'network', 'timeout', `no answer within ${timeoutMs} ms`)),
      timeoutMs,
    );
    timer.unref();
  });
  try {
    return await Promise.race([invokeOnce<T>(client, fn, body, timeoutMs), expired]);
  } finally {
    clearTimeout(timer);
  }
}

async function invokeOnce<T>(
  client: SupabaseClient,
  fn: OfbFunctionName,
  body: Record<string, unknown>,
  timeoutMs?: number,
): Promise<T> {
  const { data, error } = await client.functions.invoke(fn, {
    body,
    ...(timeoutMs === undefined ? {} : { timeout: timeoutMs }),
  });
  if (!error) return data as T;
  if (error instanceof FunctionsHttpError) {
    const response = error.context as Response;
    const parsed = ErrorBody.safeParse(await response.json().catch(() => null));
    if (parsed.success) {
      const e = parsed.data.error;
      throw new OfbFunctionError(fn, response.status, e.category, e.code, e.message);
    }
    throw new OfbFunctionError(fn, response.status, 'unknown', 'unknown', 'no OFB error body');
  }
  throw new OfbFunctionError(fn, 0, 'network', 'unreachable', String(error.message ?? error));
}
/** A 4xx from OFB: a refusal that resending the same thing will not change (size, deleted, rights). */
export function isPermanentRefusal(error: unknown): error is OfbFunctionError {
  return (
    error instanceof OfbFunctionError &&
    error.status >= 400 &&
    error.status < 500 &&
    error.status !== 408 &&
    error.status !== 429
  );
}
