// The ArbitrationEngine's ports: a router that learns which instrument serves a task best, limits per
// instrument, and the merged-graph conflict rule (the workflow validator's, used, not copied).
import type { ArmId, ArmStats, CallOutcome, CallRating, RoutingDecision } from '@symphony/schemas';

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
