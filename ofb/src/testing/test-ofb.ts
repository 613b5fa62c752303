// An OFB for tests and benchmarks in one call: the app over an in-memory PGlite (or a given
// store), served on loopback or called in process, with helpers to call functions and sign up users.
import type { Hono } from 'hono';
import { PgliteStore } from '../adapters/PgliteStore.js';
import { TokenService } from '../auth.js';
import { defaultRules, type RulesConfig } from '../domain/rules.js';
import { createOfbApp } from '../http/app.js';
import type { RateLimitConfig } from '../http/rate-limit.js';
import { listen } from '../http/serve.js';
import type { OfbStore } from '../OfbStore.js';
import { type OfbCaller, ofbCaller } from './ofb-caller.js';

/** The project secret of a test OFB unless one is given (HS256 wants at least 32 characters). */
export const TEST_OFB_SECRET = 'symphony-test-ofb-secret-at-least-32-characters';

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

/** A running test OFB. */
/** A running test OFB, and calls to it ({@link OfbCaller}: over HTTP when served, in process with `serve: false` or an `address`). */
export interface TestOfb<S extends OfbStore = PgliteStore> extends OfbCaller {
  /** The Hono app (`app.request(…)` reaches it without a socket). */
  readonly app: Hono;
  readonly store: S;
  readonly tokens: TokenService;
  /** `http://127.0.0.1:<port>`; throws when started with `serve: false`. */
  readonly url: string;
  /** A `service_role` token, as the sync-server holds (`sub` defaults to `sync-server`). */
  serviceToken(sub?: string): Promise<string>;
  /** Stops serving and closes the store if the test OFB opened it; safe to call twice. */
  close(): Promise<void>;
}

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

  const caller = ofbCaller((path, init, callOptions) =>
    server && callOptions.address === undefined
      ? fetch(`${server.url}${path}`, init)
      : Promise.resolve(
          app.request(path, init, {
            incoming: {
              socket: {
                remoteAddress: callOptions.address ?? '127.0.0.1',
                remotePort: 1,
                remoteFamily: 'IPv4',
              },
            },
          }),
        ),
  );

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
    ...caller,
    serviceToken: (sub = 'sync-server') => tokens.sign({ sub, role: 'service_role' }),
    async close() {
      if (closed) return;
      closed = true;
      await server?.close();
      if (ownsStore) await store.close();
    },
  };
}
