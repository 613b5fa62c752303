// OFB's functions as the CLI calls them: through supabase-js `functions.invoke` at the team
// server's origin, as the browser does, with answers parsed by OFB's own schemas.
import {
  createClient,
  FunctionsFetchError,
  FunctionsHttpError,
  FunctionsRelayError,
  type SupabaseClient,
} from '@supabase/supabase-js';
import {
  ErrorBody,
  OfbAuthorizeResult,
  OfbListWorkspacesResult,
  type OfbRecordRun,
  OfbRecordRunResult,
  OfbSession,
  OfbSignOutResult,
} from '@symphony/schemas';
import WebSocket from 'ws';
import type { z } from 'zod';

/**
 * The anon key the embedded OFB accepts (public by design: it only names the project); the same
 * the browser uses. A deployment on real Supabase sets `SYMPHONY_ANON_KEY`.
 */
export const LOCAL_ANON_KEY = 'symphony-local';

/** 15 s: sign-in hashes a password (scrypt) on a server that may be busy; longer is a dead server. */
const CALL_TIMEOUT_MS = 15_000;

/** An OFB session as sign-in and refresh answer it. */
export type OfbSessionAnswer = z.infer<typeof OfbSession>;
/** What `authorize` answers: the token's user and their role on the resource. */
export type OfbAuthorizeAnswer = z.infer<typeof OfbAuthorizeResult>;
/** What `list-workspaces` answers. */
export type OfbWorkspacesAnswer = z.infer<typeof OfbListWorkspacesResult>;
/** What `record-run` answers: the stored record, and whether this call created it. */
export type OfbRecordRunAnswer = z.infer<typeof OfbRecordRunResult>;

/** How an OFB call failed. */
export class OfbCallError extends Error {
  override name = 'OfbCallError';
  constructor(
    /** `refused`: OFB answered with an error; `unreachable`: no answer (down, wrong URL, timeout). */
    readonly kind: 'refused' | 'unreachable',
    message: string,
    /** The HTTP status of a refusal. */
    readonly status?: number,
    /** OFB's error code of a refusal. */
    readonly code?: string,
  ) {
    super(message);
  }
}

/** The OFB functions the CLI needs, at one team server. */
export class OfbClient {
  readonly #client: SupabaseClient;

  constructor(
    /** The team server's base URL (OFB's functions are at `<server>/functions/v1/<name>`). */
    readonly server: string,
    env: NodeJS.ProcessEnv = {},
  ) {
    this.#client = createClient(server, env.SYMPHONY_ANON_KEY || LOCAL_ANON_KEY, {
      auth: { persistSession: false, autoRefreshToken: false },
      // supabase-js needs a WebSocket on Node 20; the CLI never opens one (no realtime).
      realtime: { transport: WebSocket as unknown as typeof globalThis.WebSocket },
    });
  }

  /** `sign-in` with a name and password. */
  signIn(name: string, password: string): Promise<OfbSessionAnswer> {
    return this.#call('sign-in', { name, password }, OfbSession);
  }

  /** `refresh-session`: a fresh token for the session `token` belongs to (it must still be valid). */
  refresh(token: string): Promise<OfbSessionAnswer> {
    return this.#call('refresh-session', {}, OfbSession, token);
  }

  /** `sign-out`: revokes the session `token` belongs to. */
  async signOut(token: string): Promise<void> {
    await this.#call('sign-out', {}, OfbSignOutResult, token);
  }

  /**
   * `authorize`: verifies `token` as OFB verifies every token (signature, expiry, revoked session)
   * and answers its user and their role on `resourceId` (a workflow, document, or
   * `workspace-<id>`). Refused with 401 (the token), 403 (not a member) or 404 (no such resource).
   */
  authorize(token: string, resourceId: string): Promise<OfbAuthorizeAnswer> {
    return this.#call('authorize', { token, resourceId }, OfbAuthorizeResult);
  }

  /** `list-workspaces`: the workspaces the token's user is a member of, with their role in each. */
  listWorkspaces(token: string): Promise<OfbWorkspacesAnswer> {
    return this.#call('list-workspaces', {}, OfbListWorkspacesResult, token);
  }

  /**
   * `record-run`: stores the short record of a finished run, as the token's user (editor+ on the
   * workflow). Recording a run id again answers the stored record with `created: false`.
   */
  recordRun(token: string, record: OfbRecordRun): Promise<OfbRecordRunAnswer> {
    return this.#call('record-run', record, OfbRecordRunResult, token);
  }

  async #call<S extends z.ZodType>(
    name: string,
    body: Readonly<Record<string, unknown>>,
    schema: S,
    token?: string,
  ): Promise<z.output<S>> {
    const { data, error } = await this.#client.functions.invoke(name, {
      body,
      timeout: CALL_TIMEOUT_MS,
      ...(token === undefined ? {} : { headers: { Authorization: `Bearer ${token}` } }),
    });
    if (error === null) {
      const parsed = schema.safeParse(data);
      if (parsed.success) return parsed.data;
      throw new OfbCallError(
        'refused',
        `${this.server} answered ${name} with something that is not OFB's answer; is it a Symphony team server?`,
      );
    }
    if (error instanceof FunctionsHttpError) throw await refusal(name, error.context as Response);
    const why =
      error instanceof FunctionsFetchError || error instanceof FunctionsRelayError
        ? fetchFailure(error.context, error.message)
        : String(error);
    throw new OfbCallError(
      'unreachable',
      `cannot reach the team server at ${this.server} (${why}); check the URL and that it is running (npm start)`,
    );
  }
}

/** Why a fetch failed, as specific as undici says it (`ECONNREFUSED`, a timeout). */
function fetchFailure(context: unknown, fallback: string): string {
  const error = context as {
    message?: unknown;
    name?: unknown;
    cause?: { code?: unknown; message?: unknown };
  };
  if (error?.name === 'AbortError') return `no answer within ${CALL_TIMEOUT_MS / 1000} s`;
  const cause = error?.cause?.code ?? error?.cause?.message;
  if (typeof cause === 'string') return cause;
  return typeof error?.message === 'string' ? error.message : fallback;
}

/** The refusal in a failed response: OFB's `{error:{code,message}}`, or the bare status. */
async function refusal(name: string, response: Response): Promise<OfbCallError> {
  let body: unknown = null;
  try {
    body = await response.json();
  } catch {
    // Not JSON: the status alone says what happened.
  }
  const parsed = ErrorBody.safeParse(body);
  if (parsed.success) {
    const { code, message } = parsed.data.error;
    return new OfbCallError('refused', message, response.status, code);
  }
  return new OfbCallError(
    'refused',
    `${name} answered HTTP ${response.status} ${response.statusText}; is this a Symphony team server?`,
    response.status,
  );
}
