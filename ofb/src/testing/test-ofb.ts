// An OFB for tests and benchmarks in one call: the app over an in-memory PGlite (or a given
// store), served on loopback or called in process, with helpers to call functions and sign up users.
import { type OfbFunctionName, type OfbResponse, OfbResponses, type Role } from '@symphony/schemas';
import type { Hono } from 'hono';
import { PgliteStore } from '../adapters/PgliteStore.js';
import { TokenService } from '../auth.js';
import { defaultRules, type RulesConfig } from '../domain/rules.js';
import { createOfbApp } from '../http/app.js';
import type { RateLimitConfig } from '../http/rate-limit.js';
import { listen } from '../http/serve.js';
import type { OfbStore } from '../OfbStore.js';

/** The project secret of a test OFB unless one is given (HS256 wants at least 32 characters). */
export const TEST_OFB_SECRET = 'symphony-test-ofb-secret-at-least-32-characters';
/** The password {@link TestOfb.signUp} gives every user (OFB wants at least 8 characters). */
export const TEST_OFB_PASSWORD = 'password123';

/** How to start a {@link TestOfb}; every field has a default. */
export interface TestOfbOptions<S extends OfbStore = PgliteStore> {
  /** The store; by default a fresh in-memory PGlite, which {@link TestOfb.close} closes. A given store is the caller's to close. */
  readonly store?: S;
  /** The token service; by default one over `secret` and `now`. */
  readonly tokens?: TokenService;
  /** The project secret of the default token service; {@link TEST_OFB_SECRET} by default. */
  readonly secret?: string;
  /** Rules over `defaultRules` (e.g. `{ maxDocumentBytes: 1000 }`). */
  readonly rules?: Partial<RulesConfig>;
  /** Sign-in limits; off by default (tests sign many users up from one address). */
  readonly authRateLimit?: RateLimitConfig | false;
  /** The clock of the app and of the default token service; `Date.now` by default. */
  readonly now?: () => number;
  /** `OfbAppOptions.compactAfterRows` (default 200). */
  readonly compactAfterRows?: number;
  /** `OfbAppOptions.sessionSeconds` (default 3600). */
  readonly sessionSeconds?: number;
  /** Serve the app on a free loopback port (default `true`); `false` calls it in process only. */
  readonly serve?: boolean;
}

/** OFB's answer to a call: status, headers and JSON body (an `ErrorBody` when refused). */
export interface OfbReply {
  readonly status: number;
  readonly headers: Headers;
  // Tests read the fields they expect and check the shape where it matters.
  // biome-ignore lint/suspicious/noExplicitAny: the JSON body of any function, or of a refusal
  readonly body: any;
}

/** How a {@link TestOfb.call} is sent beyond its body and token. */
export interface CallOptions {
  /** An `idempotency-key` header. */
  readonly key?: string;
  /** The peer address OFB sees (sign-in limits); the call then goes through `app.request`. */
  readonly address?: string;
}

/** A user {@link TestOfb.signUp} made: their id, sign-in name and access token. */
export interface TestUser {
  readonly id: string;
  readonly name: string;
  readonly token: string;
}

/** A running test OFB. */
export interface TestOfb<S extends OfbStore = PgliteStore> {
  /** The Hono app (`app.request(…)` reaches it without a socket). */
  readonly app: Hono;
  readonly store: S;
  readonly tokens: TokenService;
  /** `http://127.0.0.1:<port>`; throws when started with `serve: false`. */
  readonly url: string;
  /**
   * Calls function `name` (any name: unknown ones are answered 404) as `token`'s user (no token, or
   * an empty one, sends no `Authorization` header), over HTTP
   * when served (in process with `serve: false` or an `address`). An object body is sent as JSON, a
   * string as is (malformed bodies). Never throws on a refusal: look at `status`.
   */
  call(name: string, body: unknown, token?: string, options?: CallOptions): Promise<OfbReply>;
  /**
   * Calls `name` and returns its answer, which must fit `OfbResponses[name]` (the body is returned
   * as OFB sent it); throws naming the function, status and body on a refusal or a misfit.
   */
  ok<N extends OfbFunctionName>(
    name: N,
    body: unknown,
    token?: string,
    options?: CallOptions,
  ): Promise<OfbResponse<N>>;
  /** A `service_role` token, as the sync-server holds (`sub` defaults to `sync-server`). */
  serviceToken(sub?: string): Promise<string>;
  /** Signs up a user named `name` (default a fresh `user-<random>`) with {@link TEST_OFB_PASSWORD}. */
  signUp(name?: string): Promise<TestUser>;
  /** Creates a workspace owned by `owner` with `members` invited at their roles and accepted; returns its id. */
  createWorkspace(
    owner: TestUser,
    members?: readonly { readonly user: TestUser; readonly role: Role }[],
    name?: string,
  ): Promise<string>;
  /** Stops serving and closes the store if the test OFB opened it; safe to call twice. */
  close(): Promise<void>;
}

/** A fresh name with `prefix`, unique enough for one test run. */
export const freshName = (prefix = 'user'): string => `${prefix}-${Math.random().toString(36).slice(2, 10)}`;

/**
 * Starts an OFB for a test: `createOfbApp` over `options.store` (default: PGlite in memory, migrated)
 * with `defaultRules` and sign-in limits off, served on loopback unless `serve: false`.
 */
export async function startTestOfb<S extends OfbStore = PgliteStore>(
  options: TestOfbOptions<S> = {},
): Promise<TestOfb<S>> {
  const ownsStore = options.store === undefined;
  const store = options.store ?? ((await PgliteStore.open('memory://')) as OfbStore as S);
  const tokens = options.tokens ?? new TokenService(options.secret ?? TEST_OFB_SECRET, options.now);
  const app = createOfbApp({
    store,
    tokens,
    rules: { ...defaultRules, ...options.rules },
    authRateLimit: options.authRateLimit ?? false,
    ...(options.now ? { now: options.now } : {}),
    ...(options.compactAfterRows === undefined ? {} : { compactAfterRows: options.compactAfterRows }),
    ...(options.sessionSeconds === undefined ? {} : { sessionSeconds: options.sessionSeconds }),
  });
  const server = options.serve === false ? null : await listen(app);
  let closed = false;

  const call: TestOfb<S>['call'] = async (name, body, token, callOptions = {}) => {
    const init = {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        ...(token ? { authorization: `Bearer ${token}` } : {}),
        ...(callOptions.key === undefined ? {} : { 'idempotency-key': callOptions.key }),
      },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    };
    const path = `/functions/v1/${name}`;
    const res =
      server && callOptions.address === undefined
        ? await fetch(`${server.url}${path}`, init)
        : await app.request(path, init, {
            incoming: {
              socket: {
                remoteAddress: callOptions.address ?? '127.0.0.1',
                remotePort: 1,
                remoteFamily: 'IPv4',
              },
            },
          });
    return { status: res.status, headers: res.headers, body: await res.json() };
  };

  const ok: TestOfb<S>['ok'] = async (name, body, token, callOptions) => {
    const reply = await call(name, body, token, callOptions);
    if (reply.status !== 200) throw new Error(`${name}: ${reply.status} ${JSON.stringify(reply.body)}`);
    const fits = OfbResponses[name].safeParse(reply.body);
    if (!fits.success)
      throw new Error(`${name} answered outside OfbResponses["${name}"]: ${fits.error.message}`);
    return reply.body;
  };

  const signUp = async (name = freshName()): Promise<TestUser> => {
    const session = await ok('sign-up', { name, password: TEST_OFB_PASSWORD });
    return { id: session.user.id, name: session.user.name, token: session.access_token };
  };

  return {
    app,
    store,
    tokens,
    get url(): string {
      if (!server)
        throw new Error(
          'startTestOfb({ serve: false }) serves no URL: use ofb.call, ofb.ok or ofb.app.request',
        );
      return server.url;
    },
    call,
    ok,
    serviceToken: (sub = 'sync-server') => tokens.sign({ sub, role: 'service_role' }),
    signUp,
    async createWorkspace(owner, members = [], name = 'Team') {
      const { workspace } = await ok('create-workspace', { name }, owner.token);
      for (const { user, role } of members) {
        const { invitation } = await ok(
          'invite-member',
          { workspaceId: workspace.id, userId: user.id, role },
          owner.token,
        );
        await ok('accept-invitation', { invitationId: invitation.id }, user.token);
      }
      return workspace.id;
    },
    async close() {
      if (closed) return;
      closed = true;
      await server?.close();
      if (ownsStore) await store.close();
    },
  };
}
