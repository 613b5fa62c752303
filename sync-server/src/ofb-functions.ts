// How the sync-server calls OFB's functions: the service-role supabase-js client, calls with a timeout and
// answers parsed by their schema, OfbFunctionError, and refusals turned into StorageRefusedError.
import { createClient, FunctionsHttpError, type SupabaseClient } from '@supabase/supabase-js';
import { ErrorBody, type OfbFunctionName, type OfbResponse, OfbResponses } from '@symphony/schemas';
import WebSocket from 'ws';
import { StorageRefusedError } from './persistence/DocumentPersistence.js';

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
 * Calls one OFB function with supabase-js `functions.invoke` and parses its answer with the
 * function's schema in `OfbResponses`.
 * @throws OfbFunctionError with OFB's status, category and code; status 0 when unreachable; 502
 * `bad_response` when the answer does not fit the contract (taken as an outage: retried, not refused).
 */
export async function invokeOfb<N extends OfbFunctionName>(
  client: SupabaseClient,
  fn: N,
  body: Record<string, unknown>,
  timeoutMs?: number,
): Promise<OfbResponse<N>> {
  const answer = await invokeWithin(client, fn, body, timeoutMs);
  const parsed = OfbResponses[fn].safeParse(answer);
  if (!parsed.success)
    throw new OfbFunctionError(
      fn,
      502,
      'internal',
      BAD_RESPONSE,
      `the answer does not fit the contract: ${parsed.error.message}`,
    );
  return parsed.data as OfbResponse<N>;
}

/** The code of an {@link OfbFunctionError} for an answer that does not fit its function's schema. */
export const BAD_RESPONSE = 'bad_response';

/** One call, losing a race against `timeoutMs` when given. */
async function invokeWithin(
  client: SupabaseClient,
  fn: OfbFunctionName,
  body: Record<string, unknown>,
  timeoutMs: number | undefined,
): Promise<unknown> {
  if (timeoutMs === undefined) return invokeOnce(client, fn, body);
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
    return await Promise.race([invokeOnce(client, fn, body, timeoutMs), expired]);
  } finally {
    clearTimeout(timer);
  }
}

async function invokeOnce(
  client: SupabaseClient,
  fn: OfbFunctionName,
  body: Record<string, unknown>,
  timeoutMs?: number,
): Promise<unknown> {
  const { data, error } = await client.functions.invoke(fn, {
    body,
    ...(timeoutMs === undefined ? {} : { timeout: timeoutMs }),
  });
  if (!error) return data;
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

/**
 * What the OFB storage adapters reject with: OFB's permanent refusals ({@link isPermanentRefusal})
 * as the storage port's {@link StorageRefusedError}, with OFB's code, status, category and message
 * (the {@link OfbFunctionError} as its `cause`); anything else (an outage) unchanged.
 */
export function asStorageRefusal(error: unknown): unknown {
  if (!isPermanentRefusal(error)) return error;
  return new StorageRefusedError(error.code, error.message, {
    status: error.status,
    category: error.category,
    cause: error,
  });
}

/**
 * How the OFB storage adapters call OFB: one supabase-js client with the service-role token, each
 * call limited to the connection's timeout, answers parsed, and OFB's permanent refusals turned
 * into the storage port's {@link StorageRefusedError} (outages reject as {@link OfbFunctionError}).
 */
export class OfbStorageCalls {
  private readonly client: SupabaseClient;
  private readonly timeoutMs: number;

  constructor(options: OfbConnectionOptions) {
    this.client = createOfbClient(options);
    this.timeoutMs = options.timeoutMs ?? DEFAULT_OFB_TIMEOUT_MS;
  }

  /** Calls `fn`; rejects with {@link StorageRefusedError} when OFB refuses it for good. */
  call<N extends OfbFunctionName>(fn: N, body: Record<string, unknown>): Promise<OfbResponse<N>> {
    return invokeOfb(this.client, fn, body, this.timeoutMs).catch((error: unknown) => {
      throw asStorageRefusal(error);
    });
  }

  /** Lets the client go (supabase-js keeps realtime channels otherwise). */
  close(): void {
    this.client.removeAllChannels();
  }
}
