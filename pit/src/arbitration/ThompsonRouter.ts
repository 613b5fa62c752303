// A Router by Thompson sampling with a cost rule: per (task, arm) a Beta posterior of quality and
// plain means of latency and cost; each call samples every arm's quality and takes the cheapest arm
// whose sample is within a tolerance of the best sample. Pure: no clock, no I/O, the random source injected.
import type { ArmId, ArmStats, CallOutcome, CallRating, RoutingDecision } from '@symphony/schemas';
import type { RouteCandidate, Router } from './ArbitrationEngine.js';
import { type RandomSource, sampleBeta } from './sampling.js';

/** A `choose` the router cannot serve: no candidates, or a pinned arm that is not among them. */
export class RoutingError extends Error {
  override name = 'RoutingError';
}

/** How a {@link ThompsonRouter} weighs quality, cost and latency. */
export interface ThompsonRouterOptions {
  /** Uniform source on [0, 1) (default `Math.random`); inject a seeded one for replayable choices. */
  readonly random?: RandomSource;
  /**
   * How much sampled quality the router gives up for a cheaper arm: it picks the cheapest arm whose
   * sample is at least (1 − tolerance) × the best sample. 0.05 aims at "≥ 95 % of the best quality
   * at the lowest cost"; 0 is plain Thompson sampling on quality.
   */
  readonly qualityTolerance?: number;
  /**
   * US$ one millisecond of latency is worth, added to an arm's expected cost when ranking the
   * eligible arms (default 0: latency only breaks ties of cost).
   */
  readonly latencyWeight?: number;
  /**
   * How many automatic outcomes one person's rating counts as (default 2): a rating is rarer than
   * a validation and sees what validation cannot (a summary that parses but misses the point).
   */
  readonly ratingWeight?: number;
  /** Below this many pulls a chosen arm is reported as `exploring`, not `learned` (default 5). */
  readonly explorePulls?: number;
}

/** What the router knows of one arm for one task. */
interface ArmState {
  readonly arm: ArmId;
  readonly task: string;
  alpha: number;
  beta: number;
  pulls: number;
  latencySumMs: number;
  costSumUsd: number;
}

/** One candidate as a decision ranks it. */
interface Ranked {
  readonly arm: ArmId;
  readonly expectedQuality: number;
  readonly meanLatencyMs: number;
  readonly meanCostUsd: number;
  readonly score: number;
}

/** Two costs this close (US$) are equal, and latency decides. */
const COST_EPSILON = 1e-12;

/**
 * Learns per task which arm serves best for its cost. Quality is a Beta(α, β) posterior from the
 * uniform Beta(1, 1): a call whose output passed validation without error adds 1 to α, any other
 * adds 1 to β; a rating adds `ratingWeight` to α (good) or β (bad) and is not a pull. Latency and
 * cost are plain means over pulls: prices and speeds of a model change rarely, and a plain mean is
 * the same whatever order a replay feeds the outcomes in.
 */
export class ThompsonRouter implements Router {
  readonly #arms = new Map<string, ArmState>();
  readonly #random: RandomSource;
  readonly #tolerance: number;
  readonly #latencyWeight: number;
  readonly #ratingWeight: number;
  readonly #explorePulls: number;

  constructor(options: ThompsonRouterOptions = {}) {
    const tolerance = options.qualityTolerance ?? 0.05;
    if (!(tolerance >= 0 && tolerance < 1))
      throw new RangeError(`ThompsonRouter: qualityTolerance must be in [0, 1), got ${tolerance}`);
    this.#random = options.random ?? Math.random;
    this.#tolerance = tolerance;
    this.#latencyWeight = options.latencyWeight ?? 0;
    this.#ratingWeight = options.ratingWeight ?? 2;
    this.#explorePulls = options.explorePulls ?? 5;
  }

  choose(task: string, candidates: readonly RouteCandidate[], pinned?: ArmId): RoutingDecision {
    if (candidates.length === 0)
      throw new RoutingError(
        `no instrument can serve task "${task}": configure one with "symphony instruments add"`,
      );
    if (pinned !== undefined) {
      if (!candidates.some((c) => c.arm === pinned)) {
        throw new RoutingError(
          `the node pins ${pinned}, which is not among the instruments able to serve "${task}" (${candidates.map((c) => c.arm).join(', ')}); configure it or unpin the node`,
        );
      }
      const ranked = candidates.map((c) => this.#rank(task, c, this.#expectedQuality(task, c.arm)));
      return { task, chosen: pinned, reason: 'pinned', candidates: ranked };
    }
    if (candidates.length === 1) {
      const only = candidates[0]!;
      const ranked = [this.#rank(task, only, this.#expectedQuality(task, only.arm))];
      return { task, chosen: only.arm, reason: 'only', candidates: ranked };
    }
    const ranked = candidates.map((c) => {
      const state = this.#arms.get(keyOf(task, c.arm));
      return this.#rank(task, c, sampleBeta(state?.alpha ?? 1, state?.beta ?? 1, this.#random));
    });
    const chosen = this.#pick(ranked);
    const pulls = this.#arms.get(keyOf(task, chosen))?.pulls ?? 0;
    return { task, chosen, reason: pulls < this.#explorePulls ? 'exploring' : 'learned', candidates: ranked };
  }

  /**
   * The choice with every arm scored by its expected quality instead of a sample: what the router
   * leans to now, deterministic and without touching the random source (`instruments stats` shows it).
   */
  greedy(task: string, candidates: readonly RouteCandidate[]): RoutingDecision {
    if (candidates.length === 0) throw new RoutingError(`greedy: no candidates for task "${task}"`);
    const ranked = candidates.map((c) => this.#rank(task, c, this.#expectedQuality(task, c.arm)));
    const chosen = candidates.length === 1 ? candidates[0]!.arm : this.#pick(ranked);
    const pulls = this.#arms.get(keyOf(task, chosen))?.pulls ?? 0;
    const reason = candidates.length === 1 ? 'only' : pulls < this.#explorePulls ? 'exploring' : 'learned';
    return { task, chosen, reason, candidates: ranked };
  }

  record(outcome: CallOutcome): void {
    const state = this.#state(outcome.task, outcome.arm);
    if (outcome.success) state.alpha += 1;
    else state.beta += 1;
    state.pulls += 1;
    state.latencySumMs += outcome.latencyMs;
    state.costSumUsd += outcome.costUsd;
  }

  rate(rating: CallRating): void {
    const state = this.#state(rating.task, rating.arm);
    if (rating.good) state.alpha += this.#ratingWeight;
    else state.beta += this.#ratingWeight;
  }

  stats(): ArmStats[] {
    return [...this.#arms.values()]
      .map((s) => ({
        arm: s.arm,
        task: s.task,
        alpha: s.alpha,
        beta: s.beta,
        pulls: s.pulls,
        meanLatencyMs: s.pulls === 0 ? 0 : s.latencySumMs / s.pulls,
        meanCostUsd: s.pulls === 0 ? 0 : s.costSumUsd / s.pulls,
      }))
      .sort((a, b) => compare(a.task, b.task) || compare(a.arm, b.arm));
  }

  /** The cheapest (cost plus weighted latency) arm whose score is within tolerance of the best; ties by latency, then id. */
  #pick(ranked: readonly Ranked[]): ArmId {
    const best = Math.max(...ranked.map((r) => r.score));
    const floor = (1 - this.#tolerance) * best;
    let chosen: Ranked | undefined;
    let chosenPrice = Number.POSITIVE_INFINITY;
    for (const r of ranked) {
      if (r.score < floor) continue;
      const price = r.meanCostUsd + this.#latencyWeight * r.meanLatencyMs;
      const better =
        chosen === undefined ||
        price < chosenPrice - COST_EPSILON ||
        (Math.abs(price - chosenPrice) <= COST_EPSILON &&
          (r.meanLatencyMs < chosen.meanLatencyMs ||
            (r.meanLatencyMs === chosen.meanLatencyMs && compare(r.arm, chosen.arm) < 0)));
      if (better) {
        chosen = r;
        chosenPrice = price;
      }
    }
    return chosen!.arm;
  }

  /** A candidate's numbers; before any pull its cost is the price table's estimate and its latency 0. */
  #rank(task: string, candidate: RouteCandidate, score: number): Ranked {
    const state = this.#arms.get(keyOf(task, candidate.arm));
    const pulled = state !== undefined && state.pulls > 0;
    return {
      arm: candidate.arm,
      expectedQuality: this.#expectedQuality(task, candidate.arm),
      meanLatencyMs: pulled ? state.latencySumMs / state.pulls : 0,
      meanCostUsd: pulled ? state.costSumUsd / state.pulls : (candidate.priorCostUsd ?? 0),
      score,
    };
  }

  #expectedQuality(task: string, arm: ArmId): number {
    const state = this.#arms.get(keyOf(task, arm));
    return state === undefined ? 0.5 : state.alpha / (state.alpha + state.beta);
  }

  #state(task: string, arm: ArmId): ArmState {
    const key = keyOf(task, arm);
    let state = this.#arms.get(key);
    if (state === undefined) {
      state = { arm, task, alpha: 1, beta: 1, pulls: 0, latencySumMs: 0, costSumUsd: 0 };
      this.#arms.set(key, state);
    }
    return state;
  }
}

function keyOf(task: string, arm: ArmId): string {
  return `${task}\u0000${arm}`;
}

/** Code-unit order, the same on every machine (not the locale's). */
function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
