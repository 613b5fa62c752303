// The browser's OfbTransport: OFB functions called through supabase-js `functions.invoke` with the
// user's token, and where OFB is (ofbUrl).
import {
  createClient,
  FunctionsFetchError,
  FunctionsHttpError,
  FunctionsRelayError,
  type SupabaseClient,
} from '@supabase/supabase-js';
import { IDEMPOTENCY_HEADER, type OfbFunctionName } from '@symphony/schemas';
import type { OfbCallOptions, OfbTransport } from './OfbTransport.js';
import { type OfbRequestError, OfbUnreachableError, ofbErrorFromBody } from './ofb-errors.js';

/**
 * The anon key the embedded OFB accepts. Public by design (it only identifies the project); a
 * deployment against real Supabase sets `VITE_SUPABASE_ANON_KEY`. Never put a secret here: the
 * bundle is readable by anyone.
 */
const LOCAL_ANON_KEY = 'symphony-local';

/** Where OFB is: `VITE_SUPABASE_URL`, else the app's own origin (the sync-server embeds OFB). */
export function ofbUrl(location: Pick<Location, 'origin'>): string {
  const configured: unknown = import.meta.env.VITE_SUPABASE_URL;
  return typeof configured === 'string' && configured !== '' ? configured : location.origin;
}

/** {@link OfbTransport} over supabase-js `functions.invoke`, with the user's token as bearer. */
export class SupabaseOfbTransport implements OfbTransport {
  private readonly client: SupabaseClient;

  constructor(url: string, anonKey?: string) {
    const configured: unknown = import.meta.env.VITE_SUPABASE_ANON_KEY;
    const key =
      anonKey ?? (typeof configured === 'string' && configured !== '' ? configured : LOCAL_ANON_KEY);
    this.client = createClient(url, key, { auth: { persistSession: false, autoRefreshToken: false } });
  }

  async invoke(name: OfbFunctionName, body: unknown, options: OfbCallOptions): Promise<unknown> {
    const headers: Record<string, string> = {};
    if (options.token !== undefined) headers.Authorization = `Bearer ${options.token}`;
    if (options.idempotencyKey !== undefined) headers[IDEMPOTENCY_HEADER] = options.idempotencyKey;
    const { data, error } = await this.client.functions.invoke(name, {
      body: body as Record<string, unknown>,
      headers,
    });
    if (error === null) return data;
    if (error instanceof FunctionsHttpError) throw await requestError(error.context as Response);
    if (error instanceof FunctionsFetchError || error instanceof FunctionsRelayError)
      throw new OfbUnreachableError(`OFB could not be reached (${name})`);
    throw new OfbUnreachableError(`OFB call ${name} failed: ${String(error)}`);
  }
}

/** Reads OFB's error body from a failed response. */
async function requestError(response: Response): Promise<OfbRequestError> {
  let parsed: unknown = null;
  try {
    parsed = await response.json();
  } catch {
    // Not JSON: the status alone says what happened.
  }
  return ofbErrorFromBody(response.status, parsed, response.statusText);
}
