/**
 * pool: the cost of a hit on a warm pool, `WarmPool.tryAcquire()` + `release()`, against the bare
 * thing it is built on, `arr.pop()` + `arr.push(x)` on an array of the same instances, and against
 * the absolute design target (100 ns). `acquire()` (async) on a hit is measured for
 * reference against `await` of a resolved promise around the same pop/push.
 *
 * Each sample is one tight loop of many iterations (a single acquire is far below the clock's
 * resolution), ours and the anchor alternating A B A B after warm-up; figures are medians of the
 * samples and of the per-pair ratios.
 */
import { performance } from 'node:perf_hooks';
import { type PoolFactory, WarmPool } from '@symphony/pit';
import {
  alternate,
  type BenchCase,
  Direction,
  round,
  smoke,
  summarise,
  writeResult,
} from '../lib/harness.ts';

/** The goals: a hit at most 3× a bare pop/push, and at most 100 ns on this machine. */
const GOAL_RATIO = 3;
const TARGET_NS = 100;
/** Iterations per sample: ~10–50 ms of work per sample at the figures we expect. */
const SYNC_ITERATIONS = smoke ? 10_000 : 2_000_000;
const ASYNC_ITERATIONS = smoke ? 1_000 : 200_000;
const WARMUP = smoke ? 0 : 3;
const PAIRS = smoke ? 1 : 9;
/** Idle instances on the stack: a few, as a kind's prewarm would hold. */
const INSTANCES = 4;

interface Instance {
  readonly id: number;
}

const factory: PoolFactory<Instance> = {
  create: async () => ({ id: 1 + Math.floor(Math.random() * 1000) }),
  destroy: async () => {},
  healthy: () => true,
};

/** ns per iteration of `body`, run `iterations` times; the checksum keeps the work from being optimised away. */
function nsPer(iterations: number, body: () => number): { ns: number; sum: number } {
  let sum = 0;
  const t0 = performance.now();
  for (let i = 0; i < iterations; i++) sum += body();
  return { ns: ((performance.now() - t0) * 1e6) / iterations, sum };
}

async function asyncNsPer(
  iterations: number,
  body: () => Promise<number>,
): Promise<{ ns: number; sum: number }> {
  let sum = 0;
  const t0 = performance.now();
  for (let i = 0; i < iterations; i++) sum += await body();
  return { ns: ((performance.now() - t0) * 1e6) / iterations, sum };
}

async function main(): Promise<void> {
  const pool = new WarmPool<Instance>({ kind: 'bench', factory, prewarm: INSTANCES, max: INSTANCES });
  while (pool.stats().idle < INSTANCES) await new Promise((resolve) => setTimeout(resolve, 1));
  const instances: Instance[] = [];
  for (let i = 0; i < INSTANCES; i++) instances.push(pool.tryAcquire()!);
  for (const instance of instances.slice().reverse()) pool.release(instance);
  // The same order as the pool's idle stack (released in reverse, so instances[0] is on top).
  const stack = instances.slice().reverse();

  const poolHit = () => {
    const instance = pool.tryAcquire()!;
    pool.release(instance);
    return instance.id;
  };
  const arrayHit = () => {
    const instance = stack.pop()!;
    stack.push(instance);
    return instance.id;
  };
  const poolAsyncHit = async () => {
    const instance = await pool.acquire();
    pool.release(instance);
    return instance.id;
  };
  const arrayAsyncHit = async () => {
    const instance = await Promise.resolve(stack.pop()!);
    stack.push(instance);
    return instance.id;
  };

  const sums = new Set<number>();
  console.log(`pool: sync hit, ${SYNC_ITERATIONS} iterations per sample, ${WARMUP} warm-up + ${PAIRS} pairs`);
  const sync = await alternate({
    warmup: WARMUP,
    pairs: PAIRS,
    ours: async () => {
      const r = nsPer(SYNC_ITERATIONS, poolHit);
      sums.add(r.sum);
      return r.ns;
    },
    anchor: async () => {
      const r = nsPer(SYNC_ITERATIONS, arrayHit);
      sums.add(r.sum);
      return r.ns;
    },
    onPair: (i, ours, anchor) =>
      console.log(`  pair ${i + 1}: pool ${round(ours!)} ns | array ${round(anchor)} ns`),
  });
  // Same top of stack on both sides, so both loops returned the same instance every time.
  if (sums.size !== 1)
    throw new Error(`pool bench: the two sides handed out different instances (${[...sums]})`);

  console.log(`pool: async hit, ${ASYNC_ITERATIONS} iterations per sample`);
  const asyncRuns = await alternate({
    warmup: WARMUP,
    pairs: PAIRS,
    ours: async () => (await asyncNsPer(ASYNC_ITERATIONS, poolAsyncHit)).ns,
    anchor: async () => (await asyncNsPer(ASYNC_ITERATIONS, arrayAsyncHit)).ns,
    onPair: (i, ours, anchor) =>
      console.log(`  pair ${i + 1}: pool ${round(ours!)} ns | array ${round(anchor)} ns`),
  });
  await pool.drain(0);

  const cases: BenchCase[] = [
    summarise(
      {
        case: 'pool hit, WarmPool.tryAcquire() + release()',
        metric: 'ns_per_acquire_release',
        anchor_name: 'bare arr.pop() + arr.push(x) on an array of the same instances',
        goal_ratio: GOAL_RATIO,
        samples: SYNC_ITERATIONS,
        direction: Direction.cost,
      },
      sync.ours,
      sync.anchor,
    ),
    summarise(
      {
        case: 'pool hit, WarmPool.tryAcquire() + release(), absolute',
        metric: 'ns_per_acquire_release',
        anchor_name: 'design target: 100 ns (the issue’s absolute goal, not a measurement)',
        goal_ratio: 1,
        samples: SYNC_ITERATIONS,
        direction: Direction.cost,
      },
      sync.ours,
      sync.ours.map(() => TARGET_NS),
    ),
    summarise(
      {
        case: 'pool hit, await WarmPool.acquire() + release() (reference)',
        metric: 'ns_per_acquire_release',
        anchor_name: 'await Promise.resolve(arr.pop()) + arr.push(x)',
        goal_ratio: GOAL_RATIO,
        samples: ASYNC_ITERATIONS,
        direction: Direction.cost,
      },
      asyncRuns.ours,
      asyncRuns.anchor,
    ),
  ];
  const path = writeResult({
    name: 'pool',
    cases,
    notes: [
      `Each sample is one loop of ${SYNC_ITERATIONS} (sync) or ${ASYNC_ITERATIONS} (async) iterations over a pool of ${INSTANCES} idle instances, timed with performance.now(); per-operation p50/p99 are not measurable at this scale (the clock costs more than the operation), so the figure is the median of per-sample means.`,
      'Both sides return the instance id into a checksum, compared between sides, so neither loop can be optimised away.',
      'The async reference goal (3×) is ours, not the issue’s: acquire() on a hit is tryAcquire() wrapped in a resolved promise, and should cost little more than awaiting one.',
    ],
  });
  console.table(
    cases.map((c) => ({
      case: c.case,
      ours: c.ours,
      anchor: c.anchor,
      ratio: c.ratio,
      goal: c.goal_ratio,
      holds: c.ratio !== null && c.ratio <= c.goal_ratio ? 'yes' : 'NO',
    })),
  );
  console.log(`pool: wrote ${path}${smoke ? ' (smoke)' : ''}`);
}

await main();
process.exit(0);
