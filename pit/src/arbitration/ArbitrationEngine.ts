// The ArbitrationEngine's ports: a router that learns which instrument serves a task best, limits per
// instrument, and the merged-graph conflict rule (the workflow validator's, used, not copied).
import type { ArmId, ArmStats, CallOutcome, CallRating, RoutingDecision } from '@symphony/schemas';
import { ThompsonRouter, type ThompsonRouterOptions } from './ThompsonRouter.js';

/** One candidate for a call: an arm and what it is known to cost. */
export interface RouteCandidate {
  readonly arm: ArmId;
  /** Price per call estimate before any outcome (US$), from the price table; 0 when unknown. */
  readonly priorCostUsd?: number;
}

/** Picks an arm per call and learns from outcomes. State is durable and inspectable. */
export interface Router {
  /**
   * Chooses among `candidates` (at least one) for `task`; `pinned` forces one (it must be a
   * candidate). Deterministic for a seeded random source.
   */
  choose(task: string, candidates: readonly RouteCandidate[], pinned?: ArmId): RoutingDecision;
  /** Learns from one finished call. */
  record(outcome: CallOutcome): void;
  /** Learns from a person's rating of an output. */
  rate(rating: CallRating): void;
  /** Every arm's numbers, per task. */
  stats(): ArmStats[];
}

/** Where a router keeps what it learned: survives restarts. */
export interface RouterStore {
  load(): Promise<readonly (CallOutcome | CallRating)[]>;
  append(entry: CallOutcome | CallRating): Promise<void>;
}

/** Concurrency and rate per instrument: a call waits for both before it goes out. */
export interface InstrumentLimiter {
  /** Resolves with a release function once the call may go; rejects with the signal's reason. */
  admit(instrument: string, signal?: AbortSignal): Promise<() => void>;
  /** The provider said `retry-after`: no call to `instrument` before `untilMs` (epoch ms). */
  backOff(instrument: string, untilMs: number): void;
}

/** How {@link ArbitrationEngine.open} builds its engine. */
export interface ArbitrationEngineOptions extends ThompsonRouterOptions {
  readonly store: RouterStore;
  /** Told when an append to the store failed (the engine still learned it in memory). Must not throw. */
  readonly onError?: (error: unknown) => void;
}

/**
 * The router with its memory: opening replays every stored outcome and rating into a
 * {@link ThompsonRouter}; `record` and `rate` learn at once and append to the store behind the
 * caller's back (the store keeps call order) (the Router port is synchronous, so a node never waits on the disk
 * to finish); {@link flush} waits until all of them are durable and rejects if one failed.
 */
export class ArbitrationEngine implements Router {
  #pending: Promise<void> = Promise.resolve();
  #failure: unknown;

  private constructor(
    readonly router: ThompsonRouter,
    private readonly store: RouterStore,
    private readonly onError: ((error: unknown) => void) | undefined,
  ) {}

  /** Loads `store` and replays it. */
  static async open(options: ArbitrationEngineOptions): Promise<ArbitrationEngine> {
    const { store, onError, ...routerOptions } = options;
    const router = new ThompsonRouter(routerOptions);
    for (const entry of await store.load()) {
      if ('success' in entry) router.record(entry);
      else router.rate(entry);
    }
    return new ArbitrationEngine(router, store, onError);
  }

  choose(task: string, candidates: readonly RouteCandidate[], pinned?: ArmId): RoutingDecision {
    return this.router.choose(task, candidates, pinned);
  }

  /** See {@link ThompsonRouter.greedy}. */
  greedy(task: string, candidates: readonly RouteCandidate[]): RoutingDecision {
    return this.router.greedy(task, candidates);
  }

  record(outcome: CallOutcome): void {
    this.router.record(outcome);
    this.#persist(outcome);
  }

  rate(rating: CallRating): void {
    this.router.rate(rating);
    this.#persist(rating);
  }

  stats(): ArmStats[] {
    return this.router.stats();
  }

  /** Resolves once every `record` and `rate` so far is durable; rejects with the first append that failed since the last flush. */
  async flush(): Promise<void> {
    await this.#pending;
    const failure = this.#failure;
    this.#failure = undefined;
    if (failure !== undefined) throw failure;
  }

  /** Appends at once (the store keeps call order; an AppendLog commits concurrent appends together). */
  #persist(entry: CallOutcome | CallRating): void {
    const appended = this.store.append(entry).catch((error: unknown) => {
      this.#failure ??= error;
      try {
        this.onError?.(error);
      } catch {
        // A failing sink must not fail the engine.
      }
    });
    this.#pending = Promise.all([this.#pending, appended]).then(() => undefined);
  }
}
