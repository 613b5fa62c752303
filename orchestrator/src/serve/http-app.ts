// The monitor's HTTP face: the Host and Origin checks every request passes first, CORS for the
// allowed pages, the body limit, one error shape, and the routes of runs, artifacts and instruments.
import { MONITOR_API_PREFIX, MonitorErrorCode, MonitorLimits, MonitorToken } from '@symphony/schemas';
import { type Context, Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import type { z } from 'zod';
import { mountArtifactRoutes } from './artifact-routes.js';
import { corsHeaders, hostAllowed, originAllowed, preflightHeaders } from './loopback.js';
import { internalBody, invalidRequest, MonitorError } from './monitor-error.js';
import { mountRunRoutes } from './run-routes.js';
import type { MonitorServices } from './services.js';

/** Who may reach the orchestrator: the port and address it is bound to, and the pages allowed to call it. */
export interface RequestPolicy {
  readonly port: number;
  readonly address: string;
  readonly origins: ReadonlySet<string>;
}

/**
 * The Hono app of the monitor's HTTP API (`/v1/...`, schemas in `@symphony/schemas`' monitor
 * contract). Before anything else a request must name this machine's loopback address in `Host`
 * (403 `forbidden_host`) and, when it comes from a page, an allowed `Origin` (403
 * `forbidden_origin`, preflights too); an allowed page's preflight is answered with CORS and
 * Private Network Access headers, never `*`. Every refusal is an `ErrorBody`.
 */
export function monitorApp(services: MonitorServices, policy: RequestPolicy): Hono {
  const app = new Hono();
  app.use('*', async (c, next) => {
    if (!hostAllowed(c.req.header('host'), policy.port, policy.address)) {
      return refuse(
        c,
        new MonitorError(
          MonitorErrorCode.forbiddenHost,
          `this orchestrator answers requests to 127.0.0.1:${policy.port}, localhost:${policy.port} or [::1]:${policy.port} only`,
        ),
      );
    }
    const origin = c.req.header('origin');
    if (!originAllowed(origin, policy.origins)) {
      return refuse(
        c,
        new MonitorError(
          MonitorErrorCode.forbiddenOrigin,
          `pages of ${origin} may not call this orchestrator; start it with --allow-origin ${origin} to allow them`,
        ),
      );
    }
    if (c.req.method === 'OPTIONS') {
      return c.body(null, 204, origin === undefined ? {} : preflightHeaders(origin));
    }
    await next();
    if (origin !== undefined)
      for (const [name, value] of Object.entries(corsHeaders(origin))) c.res.headers.set(name, value);
  });
  app.use(
    `${MONITOR_API_PREFIX}/*`,
    bodyLimit({
      maxSize: MonitorLimits.maxRequestBytes,
      onError: (c) =>
        refuse(
          c,
          new MonitorError(
            MonitorErrorCode.bodyTooLarge,
            `the body is larger than ${MonitorLimits.maxRequestBytes} bytes`,
            { maxBytes: MonitorLimits.maxRequestBytes },
          ),
        ),
    }),
  );
  app.onError((error, c) => {
    if (error instanceof MonitorError) return refuse(c, error);
    if (error instanceof Error && error.name === 'ViewRequestError') {
      const issues = (error as Error & { issues?: { path: PropertyKey[]; message: string }[] }).issues ?? [];
      return refuse(c, invalidRequest('request', issues));
    }
    services.warn(
      `${c.req.method} ${c.req.path} failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
    );
    return c.json(internalBody(), 500);
  });
  app.notFound((c) =>
    refuse(
      c,
      new MonitorError(
        MonitorErrorCode.notFound,
        `no route ${c.req.method} ${c.req.path}; the monitor's routes are under ${MONITOR_API_PREFIX}/`,
      ),
    ),
  );
  mountRunRoutes(app, services);
  mountArtifactRoutes(app, services);
  return app;
}

/** The answer to a refusal. */
function refuse(c: Context, error: MonitorError): Response {
  return c.json(error.body(), error.status);
}

/**
 * The token of `Authorization: Bearer <token>`; 401 `missing_token` without one, 401
 * `invalid_token` for one no OFB token can be (longer than `MonitorToken` allows: never sent to OFB).
 */
export function bearer(c: Context): string {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(c.req.header('authorization') ?? '');
  if (match === null) {
    throw new MonitorError(
      MonitorErrorCode.missingToken,
      'send Authorization: Bearer <your access token>; the board does this once you are signed in',
    );
  }
  const token = MonitorToken.safeParse(match[1]);
  if (!token.success) {
    throw new MonitorError(
      MonitorErrorCode.invalidToken,
      `the bearer token is not an access token: ${token.error.issues[0]?.message ?? 'it does not fit'}; sign in again`,
    );
  }
  return token.data;
}

/** The JSON body parsed with `schema` (an empty body is `{}`), or 422 `invalid_request` with the issues. */
export async function jsonBody<S extends z.ZodType>(c: Context, schema: S): Promise<z.output<S>> {
  const text = await c.req.text();
  let value: unknown = {};
  if (text.trim() !== '') {
    try {
      value = JSON.parse(text);
    } catch {
      throw invalidRequest('body', [{ path: [], message: 'the body is not JSON' }]);
    }
  }
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw invalidRequest('body', parsed.error.issues);
  return parsed.data;
}

/** The query parsed with `schema`, or 422 `invalid_request` with the issues. */
export function queryOf<S extends z.ZodType>(c: Context, schema: S): z.output<S> {
  const parsed = schema.safeParse(c.req.query());
  if (!parsed.success) throw invalidRequest('query', parsed.error.issues);
  return parsed.data;
}

/** The path parameter `name` parsed with `schema`, or 422 `invalid_request`. */
export function paramOf<S extends z.ZodType>(c: Context, name: string, schema: S): z.output<S> {
  const parsed = schema.safeParse(c.req.param(name));
  if (!parsed.success)
    throw invalidRequest(
      name,
      parsed.error.issues.map((i) => ({ ...i, path: [name, ...i.path] })),
    );
  return parsed.data;
}
