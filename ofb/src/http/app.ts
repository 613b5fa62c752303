// OFB's Hono app: a thin router from `POST /functions/v1/<name>` to the handler groups in
// functions/, with body limits, token checks, idempotency keys and one error shape.
import { getConnInfo } from '@hono/node-server/conninfo';
import {
  ErrorCategory,
  errorBody,
  IDEMPOTENCY_HEADER,
  IdempotencyKey,
  idempotentOfbFunctions,
  OfbErrorCode,
  type OfbFunctionName,
  OfbLimits,
  OfbRequests,
} from '@symphony/schemas';
import { type Context, Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { cors } from 'hono/cors';
import type { Claims, TokenService } from '../auth.js';
import type { RulesConfig } from '../domain/rules.js';
import { InvalidTextError, type OfbStore } from '../OfbStore.js';
import type { CallContext, Handler, Handlers, OfbContext } from './context.js';
import { OfbError, unstorableText } from './errors.js';
import { accessFunctions } from './functions/access.js';
import { accountFunctions } from './functions/accounts.js';
import { automergeFunctions } from './functions/automerge.js';
import { documentFunctions } from './functions/documents.js';
import { memberFunctions } from './functions/members.js';
import { runFunctions } from './functions/runs.js';
import { syncFunctions } from './functions/sync.js';
import { workflowFunctions } from './functions/workflows.js';
import { workspaceFunctions } from './functions/workspaces.js';
import { requireUser, verifyToken } from './guards.js';
import { runIdempotent } from './idempotent-calls.js';
import type { RateLimitConfig } from './rate-limit.js';
import { Sessions } from './sessions.js';
import { SignInLimiter, signInLimits } from './sign-in-limit.js';
import { YjsCompactor } from './yjs-compaction.js';

/** What the app needs from the outside world. */
export interface OfbAppOptions {
  readonly store: OfbStore;
  readonly tokens: TokenService;
  readonly rules: RulesConfig;
  /** Lifetime of tokens minted by sign-in; 1 hour like Supabase. */
  readonly sessionSeconds?: number;
  /**
   * After a successful `persist-updates`, a document with more stored update rows than this is
   * compacted in the background (see yjs-compaction.ts); default 200.
   */
  readonly compactAfterRows?: number;
  /**
   * `sign-up`, `sign-in` and `change-password` attempts per client address; failed attempts per
   * (address, name) at half that, and per name at that (see {@link SignInLimiter}: past it only
   * addresses that failed for the name wait). Token buckets in memory, per process; over a limit,
   * 429 `rate_limited` with `retryAfterSeconds` and a `Retry-After` header. Default 10 per minute,
   * or `OFB_AUTH_RATE_LIMIT_PER_MINUTE` when set; `false` turns it off (tests that sign many up).
   */
  readonly authRateLimit?: RateLimitConfig | false;
  /** The clock of rate limits and sessions (ms since the epoch); `Date.now` unless a test drives it. */
  readonly now?: () => number;
}

/** Functions whose bodies carry document bytes: limited to the rules' document size, in base64. */
const byteFunctions: readonly OfbFunctionName[] = ['persist-updates', 'compact-document', 'automerge-save'];

/** Functions that answer without a bearer token. */
const publicFunctions = new Set<OfbFunctionName>(['sign-up', 'sign-in', 'authorize']);

/**
 * The OFB Hono app: `POST /functions/v1/<name>` with a JSON body, as Supabase serves Edge Functions,
 * so `supabase.functions.invoke(name, { body })` reaches it unchanged.
 */
export function createOfbApp(options: OfbAppOptions): Hono {
  const ctx = contextOf(options);
  const handlers: Handlers<OfbFunctionName> = {
    ...accountFunctions(ctx),
    ...workspaceFunctions(ctx),
    ...memberFunctions(ctx),
    ...documentFunctions(ctx),
    ...syncFunctions(ctx),
    ...automergeFunctions(ctx),
    ...workflowFunctions(ctx),
    ...runFunctions(ctx),
    ...accessFunctions(ctx),
  };
  const { store } = ctx;

  const app = new Hono();
  app.use(
    '/functions/v1/*',
    cors({
      origin: '*',
      allowHeaders: ['authorization', 'x-client-info', 'apikey', 'content-type', IDEMPOTENCY_HEADER],
    }),
  );
  limitBodies(app, options.rules);
  app.onError((error, c) => {
    if (error instanceof InvalidTextError) error = unstorableText();
    if (error instanceof OfbError) {
      const wait = (error.details as { retryAfterSeconds?: unknown } | undefined)?.retryAfterSeconds;
      if (error.status === 429 && typeof wait === 'number') c.header('Retry-After', String(wait));
      return c.json(errorBody(error.category, error.code, error.message, error.details), error.status);
    }
    console.error(JSON.stringify({ level: 'error', msg: 'ofb function failed', error: String(error) }));
    return c.json(
      errorBody(ErrorCategory.internal, OfbErrorCode.internal, 'the server failed; it has been logged'),
      500,
    );
  });
  app.notFound((c) =>
    c.json(
      errorBody(
        'not_found',
        OfbErrorCode.noSuchRoute,
        `no route ${c.req.method} ${c.req.path}; functions are POST /functions/v1/<name>`,
      ),
      404,
    ),
  );

  app.all('/functions/v1/:name', async (c) => {
    const { fn, claims, key, input } = await parseCall(ctx, c);
    const address = clientIp(c);
    // The handler table is keyed by name, so `input` always fits `handlers[fn]`.
    const run = async (db: OfbStore) => {
      const call: CallContext = { claims, store: db, address };
      try {
        return await (handlers[fn] as Handler<OfbFunctionName>)(input as never, call);
      } catch (error) {
        if (error instanceof InvalidTextError) throw unstorableText();
        throw error;
      }
    };
    if (key !== undefined) {
      const answer = await runIdempotent(store, { fn, key, userId: requireUser(claims).sub, input }, run);
      return c.json(answer.body as object, answer.status);
    }
    let result: unknown;
    try {
      result = await run(store);
    } catch (error) {
      if (error instanceof OfbError && error.audit) await store.appendAudit(error.audit);
      throw error;
    }
    return c.json(result as object, 200);
  });
  return app;
}

/** The handler context of an app with `options`: its services, made once. */
function contextOf(options: OfbAppOptions): OfbContext {
  const { store, tokens, rules } = options;
  const envLimit = Number(process.env.OFB_AUTH_RATE_LIMIT_PER_MINUTE);
  const authRateLimit =
    options.authRateLimit ??
    (Number.isFinite(envLimit) && envLimit > 0 ? { perMinute: envLimit } : { perMinute: 10 });
  const now = options.now ?? Date.now;
  return {
    store,
    tokens,
    rules,
    now,
    compactor: new YjsCompactor(store, options.compactAfterRows ?? 200),
    signInLimiter:
      authRateLimit === false ? null : new SignInLimiter(signInLimits(authRateLimit.perMinute), now),
    sessions: new Sessions(store, tokens, options.sessionSeconds ?? 3600, now),
  };
}

/** A call as the route reads it: the function, the verified caller, the idempotency key and the parsed body. */
interface ParsedCall {
  readonly fn: OfbFunctionName;
  readonly claims: Claims | null;
  readonly key: string | undefined;
  readonly input: unknown;
}

/** Reads and checks a call in the order its refusals come: function, method, token, key, JSON, schema. */
async function parseCall(ctx: OfbContext, c: Context): Promise<ParsedCall> {
  const name = c.req.param('name') ?? '';
  if (!Object.hasOwn(OfbRequests, name)) {
    throw new OfbError(404, 'not_found', OfbErrorCode.noSuchFunction, `no function "${name}"`, {
      functions: Object.keys(OfbRequests),
    });
  }
  if (c.req.method !== 'POST')
    throw new OfbError(
      405,
      'validation',
      OfbErrorCode.methodNotAllowed,
      `call ${name} with POST and a JSON body`,
    );
  const fn = name as OfbFunctionName;
  let claims: Claims | null = null;
  const header = c.req.header('authorization');
  if (!publicFunctions.has(fn)) {
    const match = header ? /^Bearer\s+(.+)$/i.exec(header) : null;
    if (!match)
      throw new OfbError(401, 'auth', OfbErrorCode.missingToken, 'send Authorization: Bearer <access token>');
    claims = await verifyToken(ctx, match[1]!);
  }
  const key = c.req.header(IDEMPOTENCY_HEADER);
  if (key !== undefined) checkIdempotencyKey(fn, key);
  const text = await c.req.text();
  let body: unknown;
  try {
    body = text.trim() === '' ? {} : JSON.parse(text);
  } catch {
    throw new OfbError(400, 'validation', OfbErrorCode.invalidJson, 'the request body is not valid JSON');
  }
  const parsed = OfbRequests[fn].safeParse(body);
  if (!parsed.success) {
    throw new OfbError(
      422,
      'validation',
      OfbErrorCode.invalidRequest,
      `the body does not fit ${fn}'s schema`,
      {
        issues: parsed.error.issues.map((i) => ({ path: i.path.map(String), message: i.message })),
      },
    );
  }
  return { fn, claims, key, input: parsed.data };
}

/** Refuses an idempotency key on a function that takes none, or a malformed one (422). */
function checkIdempotencyKey(fn: OfbFunctionName, key: string): void {
  if (!idempotentOfbFunctions.has(fn))
    throw new OfbError(
      422,
      'validation',
      OfbErrorCode.idempotencyNotSupported,
      `${fn} does not take an ${IDEMPOTENCY_HEADER} header; only these functions do: ${[...idempotentOfbFunctions].join(', ')}`,
      { functions: [...idempotentOfbFunctions] },
    );
  const valid = IdempotencyKey.safeParse(key);
  if (!valid.success)
    throw new OfbError(
      422,
      'validation',
      OfbErrorCode.invalidIdempotencyKey,
      valid.error.issues[0]?.message ?? 'the idempotency key is malformed',
    );
}

/**
 * Bounds every body before it is read: the byte functions to the rules' document size (in base64),
 * `authorize-many` to {@link OfbLimits.maxChecksBodyBytes} (service role only, checked before the
 * body is read), `record-run` to {@link OfbLimits.maxRunRecordBodyBytes}, every other function to
 * {@link OfbLimits.maxJsonBodyBytes} (sign-up, sign-in and authorize need no token, so anyone can
 * send one). More is 413 `body_too_large`.
 */
function limitBodies(app: Hono, rules: RulesConfig): void {
  const limitBody = (maxSize: number) =>
    bodyLimit({
      maxSize,
      onError: (c) =>
        c.json(
          errorBody(
            'validation',
            OfbErrorCode.bodyTooLarge,
            `this function accepts at most ${maxSize} bytes of JSON`,
            {
              maxBodyBytes: maxSize,
            },
          ),
          413,
        ),
    });
  const smallBodies = limitBody(OfbLimits.maxJsonBodyBytes);
  const largerBodies = new Map<string, ReturnType<typeof limitBody>>([
    ['authorize-many', limitBody(OfbLimits.maxChecksBodyBytes)],
    ['record-run', limitBody(OfbLimits.maxRunRecordBodyBytes)],
  ]);
  app.use('/functions/v1/*', async (c, next) => {
    const name = c.req.path.slice(c.req.path.lastIndexOf('/') + 1);
    if ((byteFunctions as readonly string[]).includes(name)) return next();
    return (largerBodies.get(name) ?? smallBodies)(c, next);
  });

  // Base64 is 4/3 the size of the bytes; 64 KiB more leaves room for the JSON around them.
  const maxBodyBytes = Math.ceil((rules.maxDocumentBytes * 4) / 3) + 64 * 1024;
  for (const fn of byteFunctions) {
    app.post(
      `/functions/v1/${fn}`,
      bodyLimit({
        maxSize: maxBodyBytes,
        onError: (c) =>
          c.json(
            errorBody(
              'validation',
              OfbErrorCode.bodyTooLarge,
              `${fn} accepts at most ${maxBodyBytes} bytes of JSON (the document limit is ${rules.maxDocumentBytes} bytes); send smaller batches`,
              { maxBodyBytes },
            ),
            413,
          ),
      }),
    );
  }
}

/** The peer's address (no proxy header is trusted); `unknown` when the server cannot tell. */
function clientIp(c: Parameters<typeof getConnInfo>[0]): string {
  try {
    return getConnInfo(c).remote.address ?? 'unknown';
  } catch {
    return 'unknown';
  }
}
