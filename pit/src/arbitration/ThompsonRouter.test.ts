// The router on seeded simulations: it settles on the cheap arm that is good enough, keeps away from
// the bad cheap one, explains pinned and single-candidate choices, and moves with ratings.
import type { CallOutcome } from '@symphony/schemas';
import * as prng from 'lib0/prng';
import { describe, expect, it } from 'vitest';
import { ArbitrationEngine } from './ArbitrationEngine.js';
import { MemoryRouterStore } from './MemoryRouterStore.js';
import { sampleBeta } from './sampling.js';
import { RoutingError, ThompsonRouter } from './ThompsonRouter.js';

interface SimArm {
  readonly arm: string;
  readonly quality: number;
  readonly costUsd: number;
  readonly latencyMs: number;
}

const ARMS: readonly SimArm[] = [
  { arm: 'anthropic/claude-sonnet-4-5', quality: 0.92, costUsd: 0.012, latencyMs: 2400 },
  { arm: 'openai/gpt-4o', quality: 0.9, costUsd: 0.008, latencyMs: 1800 },
  { arm: 'openai/gpt-4o-mini', quality: 0.8, costUsd: 0.0005, latencyMs: 900 },
  { arm: 'ollama/llama3', quality: 0.6, costUsd: 0, latencyMs: 3000 },
];
const candidates = ARMS.map((a) => ({ arm: a.arm }));

function seeded(seed: number): () => number {
  const gen = prng.create(seed);
  return () => prng.real53(gen);
}

/** Runs `decisions` calls of one task; returns how often each arm was chosen in the last quarter. */
function simulate(router: ThompsonRouter, seed: number, decisions: number): Map<string, number> {
  const world = seeded(seed ^ 0x5eed);
  const late = new Map<string, number>();
  for (let t = 0; t < decisions; t++) {
    const { chosen } = router.choose('summarize', candidates);
    const arm = ARMS.find((a) => a.arm === chosen)!;
    router.record({
      arm: chosen,
      task: 'summarize',
      success: world() < arm.quality,
      latencyMs: arm.latencyMs,
      costUsd: arm.costUsd,
      at: t,
    });
    if (t >= (decisions * 3) / 4) late.set(chosen, (late.get(chosen) ?? 0) + 1);
  }
  return late;
}

describe('ThompsonRouter', () => {
  const SEEDS = [1, 2, 3, 4, 5];

  it.each(SEEDS)('settles on the cheapest arm within 5 %% of the best (seed %i)', (seed) => {
    const router = new ThompsonRouter({ random: seeded(seed) });
    const late = simulate(router, seed, 2000);
    // gpt-4o-mini (0.80) is below 0.95 × 0.92; gpt-4o (0.90) is within it and cheaper than sonnet.
    expect(late.get('openai/gpt-4o') ?? 0, `seed ${seed}: ${JSON.stringify([...late])}`).toBeGreaterThan(
      0.7 * 500,
    );
    expect(late.get('ollama/llama3') ?? 0, `seed ${seed}`).toBeLessThan(0.05 * 500);
  });

  it('is deterministic for a seeded source', () => {
    const a = new ThompsonRouter({ random: seeded(9) });
    const b = new ThompsonRouter({ random: seeded(9) });
    simulate(a, 9, 300);
    simulate(b, 9, 300);
    expect(a.stats()).toEqual(b.stats());
    expect(a.choose('summarize', candidates)).toEqual(b.choose('summarize', candidates));
  });

  it('with tolerance 0 goes for the best quality', () => {
    const router = new ThompsonRouter({ random: seeded(3), qualityTolerance: 0 });
    const late = simulate(router, 3, 2000);
    const best = (late.get('anthropic/claude-sonnet-4-5') ?? 0) + (late.get('openai/gpt-4o') ?? 0);
    expect(best).toBeGreaterThan(0.8 * 500);
  });

  it('honours a pin and says so', () => {
    const router = new ThompsonRouter({ random: seeded(1) });
    const decision = router.choose('summarize', candidates, 'ollama/llama3');
    expect(decision.chosen).toBe('ollama/llama3');
    expect(decision.reason).toBe('pinned');
    expect(decision.candidates.map((c) => c.arm)).toEqual(candidates.map((c) => c.arm));
  });

  it('refuses a pin that is not a candidate, naming it', () => {
    const router = new ThompsonRouter();
    expect(() => router.choose('summarize', candidates, 'mistral/large')).toThrow(RoutingError);
    expect(() => router.choose('summarize', candidates, 'mistral/large')).toThrow(/mistral\/large/);
    expect(() => router.choose('summarize', [])).toThrow(/no instrument can serve/);
  });

  it('says "only" when one arm can serve', () => {
    const decision = new ThompsonRouter().choose('summarize', [{ arm: 'openai/gpt-4o', priorCostUsd: 0.01 }]);
    expect(decision).toMatchObject({ chosen: 'openai/gpt-4o', reason: 'only' });
    expect(decision.candidates[0]).toMatchObject({ expectedQuality: 0.5, meanCostUsd: 0.01 });
  });

  it('explores first, then reports a learned choice', () => {
    const router = new ThompsonRouter({ random: seeded(4) });
    expect(router.choose('summarize', candidates).reason).toBe('exploring');
    simulate(router, 4, 1000);
    expect(router.choose('summarize', candidates).reason).toBe('learned');
  });

  it('uses the price table before any pull', () => {
    const router = new ThompsonRouter({ random: seeded(2), qualityTolerance: 0.99 });
    const decision = router.choose('summarize', [
      { arm: 'openai/gpt-4o', priorCostUsd: 0.01 },
      { arm: 'openai/gpt-4o-mini', priorCostUsd: 0.0005 },
    ]);
    expect(decision.chosen).toBe('openai/gpt-4o-mini');
  });

  it('learns per task', () => {
    const router = new ThompsonRouter();
    router.record({
      arm: 'openai/gpt-4o',
      task: 'summarize',
      success: true,
      latencyMs: 10,
      costUsd: 1,
      at: 0,
    });
    router.record({
      arm: 'openai/gpt-4o',
      task: 'review-code',
      success: false,
      latencyMs: 30,
      costUsd: 3,
      at: 1,
    });
    expect(router.stats()).toEqual([
      {
        arm: 'openai/gpt-4o',
        task: 'review-code',
        alpha: 1,
        beta: 2,
        pulls: 1,
        meanLatencyMs: 30,
        meanCostUsd: 3,
      },
      {
        arm: 'openai/gpt-4o',
        task: 'summarize',
        alpha: 2,
        beta: 1,
        pulls: 1,
        meanLatencyMs: 10,
        meanCostUsd: 1,
      },
    ]);
  });

  it('moves the posterior with a rating, weighted, without a pull', () => {
    const router = new ThompsonRouter({ ratingWeight: 2 });
    router.rate({ arm: 'openai/gpt-4o', task: 'summarize', good: false, at: 0 });
    router.rate({ arm: 'openai/gpt-4o', task: 'summarize', good: false, at: 1 });
    router.rate({ arm: 'openai/gpt-4o', task: 'summarize', good: true, at: 2 });
    expect(router.stats()[0]).toMatchObject({ alpha: 3, beta: 5, pulls: 0 });
    const greedy = router.greedy('summarize', [{ arm: 'openai/gpt-4o' }, { arm: 'openai/gpt-4o-mini' }]);
    // 3/8 against the prior's 1/2: the unrated arm leads.
    expect(greedy.chosen).toBe('openai/gpt-4o-mini');
  });

  it('samples Beta with the right mean', () => {
    const random = seeded(11);
    for (const [a, b] of [
      [2, 5],
      [0.5, 0.5],
      [30, 3],
    ] as const) {
      let sum = 0;
      for (let i = 0; i < 20_000; i++) sum += sampleBeta(a, b, random);
      expect(sum / 20_000).toBeCloseTo(a / (a + b), 2);
    }
  });
});

describe('ArbitrationEngine', () => {
  const outcome = (i: number): CallOutcome => ({
    arm: i % 2 ? 'openai/gpt-4o' : 'openai/gpt-4o-mini',
    task: 'summarize',
    success: i % 3 !== 0,
    latencyMs: 100 * i,
    costUsd: 0.001 * i,
    at: i,
  });

  it('replays a store to the same stats and the same seeded choices', async () => {
    const store = new MemoryRouterStore();
    const engine = await ArbitrationEngine.open({ store, random: seeded(5) });
    for (let i = 0; i < 50; i++) engine.record(outcome(i));
    engine.rate({ arm: 'openai/gpt-4o', task: 'summarize', good: true, at: 51 });
    await engine.flush();
    const replayed = await ArbitrationEngine.open({ store: store.reopen(), random: seeded(6) });
    const fresh = await ArbitrationEngine.open({ store: store.reopen(), random: seeded(6) });
    expect(replayed.stats()).toEqual(engine.stats());
    const arms = [{ arm: 'openai/gpt-4o' }, { arm: 'openai/gpt-4o-mini' }];
    expect(replayed.choose('summarize', arms)).toEqual(fresh.choose('summarize', arms));
  });

  it('keeps learning when the store fails, and flush reports it', async () => {
    const errors: unknown[] = [];
    const store = new MemoryRouterStore();
    store.append = () => Promise.reject(new Error('disk full'));
    const engine = await ArbitrationEngine.open({ store, onError: (e) => errors.push(e) });
    engine.record(outcome(1));
    await expect(engine.flush()).rejects.toThrow('disk full');
    expect(errors).toHaveLength(1);
    expect(engine.stats()[0]?.pulls).toBe(1);
    await expect(engine.flush()).resolves.toBeUndefined();
  });
});
