/**
 * routing: the ArbitrationEngine's ThompsonRouter against round-robin, uniform random (LiteLLM's
 * default `simple-shuffle` without weights) and always-the-best-model, on a seeded simulation of 4
 * instruments with different quality, latency and cost, 10,000 decisions per seed.
 *
 * - Each call of an arm succeeds with the arm's quality (a Bernoulli draw from the world's own seeded
 *   source); its cost and latency vary ±20 % / ±50 % around the arm's means (token counts and load vary).
 * - Every policy sees the same world draws for the same decision index (common random numbers), so
 *   the figures of a seed differ only by the policy.
 * - Quality of a decision = the true quality of the arm chosen (its expectation, not the noisy draw).
 * - Oracle: knows the true qualities and picks the cheapest arm whose quality is ≥ 95 % of the best
 *   arm's. Quality regret = Σ max(0, q_oracle − q_chosen) (expected successes lost against it); cost
 *   regret = Σ (c_chosen − c_oracle) in US$ (spent beyond it).
 * - Several seeds; each case reports the median over seeds and the median of per-seed ratios.
 */

import { ThompsonRouter } from '@symphony/pit';
import * as prng from 'lib0/prng';
import { type BenchCase, Direction, median, round, smoke, summarise, writeResult } from '../lib/harness.ts';

interface SimArm {
  readonly arm: string;
  readonly quality: number;
  /** Mean US$ per call. */
  readonly costUsd: number;
  readonly latencyMs: number;
}

/** Four instruments a user might configure: a premium model, a strong one, a mini one and a local one. */
const ARMS: readonly SimArm[] = [
  { arm: 'anthropic/premium', quality: 0.92, costUsd: 0.015, latencyMs: 2500 },
  { arm: 'openai/strong', quality: 0.9, costUsd: 0.006, latencyMs: 1500 },
  { arm: 'openai/mini', quality: 0.8, costUsd: 0.0006, latencyMs: 800 },
  { arm: 'ollama/local', quality: 0.6, costUsd: 0, latencyMs: 3000 },
];
const DECISIONS = smoke ? 500 : 10_000;
const SEEDS = smoke ? [1] : [1, 2, 3, 4, 5, 6, 7];
/** The issue's goal: ≥ 40 % cheaper than always-the-best … */
const COST_GOAL = 0.6;
/** … at ≥ 95 % of its quality (a rate ratio, anchor ÷ ours: 1 / 0.95). */
const QUALITY_GOAL = round(1 / 0.95);
/** Our own goal against the naive baselines (the issue names none): at most half their regret. */
const REGRET_GOAL = 0.5;

const best = ARMS.reduce((a, b) => (b.quality > a.quality ? b : a));
const oracle = ARMS.filter((a) => a.quality >= 0.95 * best.quality).reduce((a, b) =>
  b.costUsd < a.costUsd ? b : a,
);

/** A routing policy: picks an arm index for decision `t`, then hears how it went. */
interface Policy {
  choose(t: number): number;
  learn?(t: number, arm: number, success: boolean, latencyMs: number, costUsd: number): void;
}

function thompson(seed: number): Policy {
  const gen = prng.create(seed * 7919);
  const router = new ThompsonRouter({ random: () => prng.real53(gen) });
  const candidates = ARMS.map((a) => ({ arm: a.arm }));
  return {
    choose: () => {
      const { chosen } = router.choose('bench', candidates);
      return ARMS.findIndex((a) => a.arm === chosen);
    },
    learn: (t, arm, success, latencyMs, costUsd) =>
      router.record({ arm: ARMS[arm]!.arm, task: 'bench', success, latencyMs, costUsd, at: t }),
  };
}

const policies: Readonly<Record<string, (seed: number) => Policy>> = {
  thompson,
  'round-robin': () => ({ choose: (t) => t % ARMS.length }),
  random: (seed) => {
    const gen = prng.create(seed * 104_729);
    return { choose: () => prng.int31(gen, 0, ARMS.length - 1) };
  },
  'always-best': () => ({ choose: () => ARMS.indexOf(best) }),
};

interface Figures {
  meanQuality: number;
  totalCostUsd: number;
  qualityRegret: number;
  costRegretUsd: number;
  meanLatencyMs: number;
}

/** One policy over one seeded world. */
function simulate(policy: Policy, seed: number): Figures {
  const world = prng.create(seed);
  let quality = 0;
  let cost = 0;
  let latency = 0;
  let qualityRegret = 0;
  for (let t = 0; t < DECISIONS; t++) {
    // Three draws per decision whatever the policy: every policy meets the same world.
    const u = prng.real53(world);
    const costNoise = 0.8 + 0.4 * prng.real53(world);
    const latencyNoise = 0.5 + prng.real53(world);
    const i = policy.choose(t);
    const arm = ARMS[i]!;
    const success = u < arm.quality;
    const costUsd = arm.costUsd * costNoise;
    const latencyMs = arm.latencyMs * latencyNoise;
    policy.learn?.(t, i, success, latencyMs, costUsd);
    quality += arm.quality;
    cost += costUsd;
    latency += latencyMs;
    qualityRegret += Math.max(0, oracle.quality - arm.quality);
  }
  return {
    meanQuality: quality / DECISIONS,
    totalCostUsd: cost,
    qualityRegret,
    // The oracle's expected spend: its mean price on every decision.
    costRegretUsd: cost - oracle.costUsd * DECISIONS,
    meanLatencyMs: latency / DECISIONS,
  };
}

function main(): void {
  const results: Record<string, Figures[]> = {};
  for (const name of Object.keys(policies)) results[name] = [];
  for (const seed of SEEDS) {
    for (const [name, make] of Object.entries(policies)) results[name]!.push(simulate(make(seed), seed));
  }
  const ours = results.thompson!;
  const pick = (list: Figures[], key: keyof Figures) => list.map((f) => f[key]);
  const samples = DECISIONS;
  const cases: BenchCase[] = [
    summarise(
      {
        case: `total cost of ${DECISIONS} decisions vs always-the-best`,
        metric: 'cost_usd',
        anchor_name: `always ${best.arm} (quality ${best.quality})`,
        goal_ratio: COST_GOAL,
        samples,
        direction: Direction.cost,
      },
      pick(ours, 'totalCostUsd'),
      pick(results['always-best']!, 'totalCostUsd'),
    ),
    summarise(
      {
        case: `mean quality of ${DECISIONS} decisions vs always-the-best`,
        metric: 'mean_quality',
        anchor_name: `always ${best.arm}`,
        goal_ratio: QUALITY_GOAL,
        samples,
        direction: Direction.rate,
      },
      pick(ours, 'meanQuality'),
      pick(results['always-best']!, 'meanQuality'),
    ),
  ];
  for (const baseline of ['round-robin', 'random']) {
    const anchorName = baseline === 'random' ? 'uniform random (LiteLLM simple-shuffle)' : 'round-robin';
    cases.push(
      summarise(
        {
          case: `quality regret vs the oracle, ${DECISIONS} decisions, vs ${baseline}`,
          metric: 'successes_lost',
          anchor_name: anchorName,
          goal_ratio: REGRET_GOAL,
          samples,
          direction: Direction.cost,
        },
        pick(ours, 'qualityRegret'),
        pick(results[baseline]!, 'qualityRegret'),
      ),
    );
  }
  const notes = [
    `arms: ${ARMS.map((a) => `${a.arm} q=${a.quality} $${a.costUsd}/call ${a.latencyMs} ms`).join('; ')}`,
    `oracle: ${oracle.arm}, the cheapest arm with quality ≥ 95 % of ${best.arm}'s`,
    `seeds: ${SEEDS.join(', ')}; medians over seeds`,
    'round-robin and random spend less in total than ours but reach only ~0.80 quality: they have no equal-quality point, so their cost is in these notes, not a case',
    ...Object.entries(results).map(([name, list]) => {
      const m = (key: keyof Figures) => round(median(pick(list, key)));
      return `${name}: mean quality ${m('meanQuality')}, total cost $${m('totalCostUsd')}, quality regret ${m('qualityRegret')}, cost regret $${m('costRegretUsd')}, mean latency ${m('meanLatencyMs')} ms`;
    }),
  ];
  const path = writeResult({ name: 'routing', cases, notes });
  for (const c of cases)
    console.log(`${c.case}: ours ${c.ours} anchor ${c.anchor} ratio ${c.ratio} (goal ${c.goal_ratio})`);
  for (const note of notes) console.log(note);
  console.log(`wrote ${path}`);
}

main();
