// OfbAccessControl, the AccessControl adapter that asks OFB's authorize and authorize-many functions and
// turns OFB's refusals and outages into Denials.
import type { SupabaseClient } from '@supabase/supabase-js';
import { OfbErrorCode, OfbLimits } from '@symphony/schemas';
import { createOfbClient, invokeOfb, type OfbConnectionOptions, OfbFunctionError } from '../ofb-functions.js';
import {
  type Access,
  type AccessCheck,
  type AccessControl,
  type Denial,
  DenialReason,
} from './AccessControl.js';

/** Where OFB is, how the sync-server proves who it is, and how long to wait for it. */
export interface OfbAccessControlOptions extends OfbConnectionOptions {
  /** 5 s: longer than any healthy answer; a connection waits no longer than this to be told 4503. */
  readonly timeoutMs?: number;
}

/**
 * {@link AccessControl} through OFB's `authorize` and `authorize-many` functions, called with
 * supabase-js `functions.invoke` and the service-role token. OFB verifies the user's token and
 * answers with their role on the resource; its refusals become {@link Denial}s (401 → expired or
 * unauthenticated, 403 → forbidden, 404 → unknown) and anything else, an outage included, becomes
 * `unavailable`.
 */
export class OfbAccessControl implements AccessControl {
  private readonly client: SupabaseClient;
  private readonly timeoutMs: number;

  constructor(options: OfbAccessControlOptions) {
    this.client = createOfbClient(options);
    this.timeoutMs = options.timeoutMs ?? 5000;
  }

  async authorize(token: string, resourceId: string): Promise<Access | Denial> {
    const local = checkLocally(token);
    if (local) return local;
    try {
      const answer = await invokeOfb(this.client, 'authorize', { token, resourceId }, this.timeoutMs);
      return { ok: true, ...answer };
    } catch (error) {
      if (error instanceof OfbFunctionError) return denialFor(error.status, error.code, error.message);
      return unavailable(String(error));
    }
  }

  async authorizeMany(checks: readonly AccessCheck[]): Promise<(Access | Denial)[]> {
    const results: (Access | Denial)[] = [];
    for (let i = 0; i < checks.length; i += OfbLimits.maxChecksPerCall) {
      results.push(...(await this.authorizeBatch(checks.slice(i, i + OfbLimits.maxChecksPerCall))));
    }
    return results;
  }

  private async authorizeBatch(checks: readonly AccessCheck[]): Promise<(Access | Denial)[]> {
    const results: (Access | Denial | undefined)[] = checks.map((c) => checkLocally(c.token));
    const asked = checks.filter((_, i) => results[i] === undefined);
    if (asked.length === 0) return results as (Access | Denial)[];
    let answers: (Access | Denial)[];
    try {
      const answer = await invokeOfb(
        this.client,
        'authorize-many',
        { checks: asked.map(({ token, resourceId }) => ({ token, resourceId })) },
        this.timeoutMs,
      );
      if (answer.results.length !== asked.length) {
        answers = asked.map(() => unavailable("OFB's authorize-many answer does not fit the contract"));
      } else {
        answers = answer.results.map((r) => {
          if (!r.ok) return denialFor(r.status, r.code, r.message);
          const { ok: _ok, ...access } = r;
          return { ok: true, ...access };
        });
      }
    } catch (error) {
      if (error instanceof OfbFunctionError && error.status === 501) {
        // An OFB from before `authorize-many`: one `authorize` per check.
        answers = await Promise.all(asked.map((c) => this.authorize(c.token, c.resourceId)));
      } else {
        const message = error instanceof Error ? error.message : String(error);
        answers = asked.map(() => unavailable(message));
      }
    }
    let next = 0;
    return results.map((r) => r ?? answers[next++]!);
  }
}

/** Refusals that need no round trip: no token, or one longer than any token OFB accepts. */
function checkLocally(token: string): Denial | undefined {
  if (token === '') return { ok: false, reason: DenialReason.unauthenticated, message: 'no access token' };
  if (token.length > OfbLimits.maxTokenLength)
    return { ok: false, reason: DenialReason.unauthenticated, message: 'access token too long' };
  return undefined;
}

function denialFor(status: number, code: string, message: string): Denial {
  if (status === 401)
    return {
      ok: false,
      reason: code === OfbErrorCode.expiredToken ? DenialReason.expired : DenialReason.unauthenticated,
      message,
    };
  if (status === 403) return { ok: false, reason: DenialReason.forbidden, message };
  if (status === 404) return { ok: false, reason: DenialReason.unknown, message };
  return unavailable(message);
}

const unavailable = (message: string): Denial => ({ ok: false, reason: DenialReason.unavailable, message });
