// The team authority's answers, reused for a short while: a board asks for many things with one
// token, and each would otherwise be an OFB call. Time is injected.
import { MonitorLimits, type OfbRecordRun } from '@symphony/schemas';
import type { TeamAuthority, TeamIdentity, WorkflowAccess } from './TeamAuthority.js';

/** 4096 answers: far more than the tokens × workflows one laptop's boards ask about in 10 s. */
const MAX_ENTRIES = 4096;

interface Entry<T> {
  readonly answer: Promise<T>;
  readonly until: number;
}

/**
 * A {@link TeamAuthority} that answers `authorize` and `identify` from memory for
 * {@link MonitorLimits.authCacheMs} per (token, resource): accepted answers and OFB's refusals
 * alike (a refused token stays refused), never an unreachable server's failure (the next call
 * asks again). Concurrent asks of the same pair share one call. `recordRun` is never cached.
 */
export class AccessCache implements TeamAuthority {
  readonly #entries = new Map<string, Entry<unknown>>();

  constructor(
    private readonly authority: TeamAuthority,
    private readonly now: () => number,
    private readonly ttlMs: number = MonitorLimits.authCacheMs,
  ) {}

  authorize(token: string, resourceId: string): Promise<WorkflowAccess> {
    return this.#cached(`r\u0000${resourceId}\u0000${token}`, () =>
      this.authority.authorize(token, resourceId),
    );
  }

  identify(token: string): Promise<TeamIdentity> {
    return this.#cached(`i\u0000${token}`, () => this.authority.identify(token));
  }

  recordRun(token: string, record: OfbRecordRun): Promise<{ readonly created: boolean }> {
    return this.authority.recordRun(token, record);
  }

  /** Forgets every answer about `token` (it was refused somewhere else, or replaced). */
  forget(token: string): void {
    for (const key of this.#entries.keys()) if (key.endsWith(`\u0000${token}`)) this.#entries.delete(key);
  }

  #cached<T>(key: string, ask: () => Promise<T>): Promise<T> {
    const now = this.now();
    const entry = this.#entries.get(key) as Entry<T> | undefined;
    if (entry !== undefined && entry.until > now) return entry.answer;
    if (this.#entries.size >= MAX_ENTRIES) this.#prune(now);
    const answer = ask();
    const fresh: Entry<T> = { answer, until: now + this.ttlMs };
    this.#entries.set(key, fresh);
    answer.catch((error: unknown) => {
      // Only a decision is worth keeping: a server that did not answer is asked again next time.
      if (!isDecision(error) && this.#entries.get(key) === fresh) this.#entries.delete(key);
    });
    return answer;
  }

  /** Drops expired answers; when every answer is fresh, the oldest half. */
  #prune(now: number): void {
    for (const [key, entry] of this.#entries) if (entry.until <= now) this.#entries.delete(key);
    if (this.#entries.size < MAX_ENTRIES) return;
    let drop = Math.floor(this.#entries.size / 2);
    for (const key of this.#entries.keys()) {
      if (drop-- <= 0) break;
      this.#entries.delete(key);
    }
  }
}

/** An `OfbCallError` as the monitor reads it. */
export interface OfbRefusal extends Error {
  readonly kind: 'refused' | 'unreachable';
  readonly status?: number;
  readonly code?: string;
}

/** Whether `error` is an `OfbCallError` (OFB refused, or could not be reached). */
export function isOfbCallError(error: unknown): error is OfbRefusal {
  return error instanceof Error && error.name === 'OfbCallError';
}

/** Whether `error` is OFB's decision about the caller (a 4xx refusal), not a failure to reach or run it. */
export function isDecision(error: unknown): error is OfbRefusal & { status: number } {
  return (
    isOfbCallError(error) &&
    error.kind === 'refused' &&
    typeof error.status === 'number' &&
    error.status >= 400 &&
    error.status < 500
  );
}
