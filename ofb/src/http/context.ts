// What every group of OFB's functions is given: the app's services (the handler context) and, per
// call, the caller and the store to use; and the shape of a handler table.
import type { OfbFunctionName, OfbRequest, OfbResponse } from '@symphony/schemas';
import type { Claims, TokenService } from '../auth.js';
import type { RulesConfig } from '../domain/rules.js';
import type { OfbStore } from '../OfbStore.js';
import type { Sessions } from './sessions.js';
import type { SignInLimiter } from './sign-in-limit.js';
import type { YjsCompactor } from './yjs-compaction.js';

/** The app's services, made once by `createOfbApp` and passed to every group of functions. */
export interface OfbContext {
  /** The root store (outside any call's transaction). */
  readonly store: OfbStore;
  readonly tokens: TokenService;
  readonly rules: RulesConfig;
  readonly sessions: Sessions;
  /** `null` when sign-in limits are off (`authRateLimit: false`). */
  readonly signInLimiter: SignInLimiter | null;
  /** Background compaction of Yjs updates after `persist-updates`. */
  readonly compactor: YjsCompactor;
  /** The clock of rate limits and sessions (ms since the epoch). */
  readonly now: () => number;
}

/**
 * One call. `store` is what the handler must read and write through: the root store, or, for a
 * call made with an idempotency key, the transaction that also stores the answer (a handler's own
 * `store.transaction(…)` then joins it).
 */
export interface CallContext {
  /** The verified bearer token's claims; `null` for the functions that take none. */
  readonly claims: Claims | null;
  readonly store: OfbStore;
  /** The peer's address (sign-in limits). */
  readonly address: string;
}

/** One function: its parsed request in, its answer (status 200) out; refusals are thrown `OfbError`s. */
export type Handler<N extends OfbFunctionName> = (
  input: OfbRequest<N>,
  call: CallContext,
) => Promise<OfbResponse<N>>;

/** The handlers of the functions `N`, by name. */
export type Handlers<N extends OfbFunctionName> = { readonly [K in N]: Handler<K> };
