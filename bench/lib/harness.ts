/**
 * What every benchmark shares: the smoke switch, statistics, machine facts, the A/B alternation and
 * the result file in the shape of shared/BENCH.md.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';

/** `BENCH_SMOKE=1`: every case runs tiny, only to prove it still runs; its figures mean nothing. */
export const smoke = process.env.BENCH_SMOKE === '1';

/** Where `<name>.json` goes: bench/results/ normally, .test-output/bench/ in smoke mode (set by run.mjs). */
export const outDir =
  process.env.BENCH_OUT_DIR ?? join(process.cwd(), smoke ? '.test-output/bench' : 'bench/results');

/** Which way a metric improves, which decides how its ratio is taken. */
export const Direction = { cost: 'cost', rate: 'rate' } as const;
export type Direction = (typeof Direction)[keyof typeof Direction];

/** One row of a result file. `ratio` is lower-is-better: ours ÷ anchor for a cost, anchor ÷ ours for a rate. */
export interface BenchCase {
  case: string;
  metric: string;
  ours: number | null;
  anchor: number;
  anchor_name: string;
  ratio: number | null;
  goal_ratio: number;
  samples: number;
  pairs: number;
}

/** A whole `bench/results/<name>.json`. */
export interface BenchResult {
  name: string;
  date: string;
  smoke: boolean;
  machine: { cpus: number; cpu_model: string; node: string; platform: string; arch: string; mem_gb: number };
  cases: BenchCase[];
  notes?: string[];
}

/** The machine facts a figure is meaningless without. */
export function machine(): BenchResult['machine'] {
  const list = cpus();
  return {
    cpus: list.length,
    cpu_model: list[0]?.model ?? 'unknown',
    node: process.version,
    platform: process.platform,
    arch: process.arch,
    mem_gb: Math.round((totalmem() / 2 ** 30) * 10) / 10,
  };
}

/** The p-th percentile (0–100) of `values` by nearest rank; `values` need not be sorted. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) throw new RangeError('percentile() of no values');
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1]!;
}

/** The median of `values`. */
export function median(values: readonly number[]): number {
  if (values.length === 0) throw new RangeError('median() of no values');
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** Lower-is-better ratio of one pair, per shared/BENCH.md. */
export function ratioOf(direction: Direction, ours: number, anchor: number): number {
  return direction === Direction.cost ? ours / anchor : anchor / ours;
}

/** Rounds for the result file: enough digits to compare, not so many that they pretend precision. */
export function round(value: number, digits = 3): number {
  const scale = 10 ** Math.max(0, digits - Math.floor(Math.log10(Math.abs(value) || 1)) - 1);
  return Math.round(value * scale) / scale;
}

/**
 * Runs `warmup` unrecorded pairs, then `pairs` recorded pairs, each pair ours then anchor (A B A B…),
 * so drift in the machine's speed falls on both sides alike. `ours` is absent when only the anchor can
 * run (`BENCH_ANCHOR_ONLY=1`).
 */
export async function alternate<T>(options: {
  warmup: number;
  pairs: number;
  ours: (() => Promise<T>) | undefined;
  anchor: () => Promise<T>;
  onPair?: (index: number, ours: T | undefined, anchor: T) => void;
}): Promise<{ ours: T[]; anchor: T[] }> {
  const ours: T[] = [];
  const anchor: T[] = [];
  for (let i = 0; i < options.warmup + options.pairs; i++) {
    const a = options.ours ? await options.ours() : undefined;
    const b = await options.anchor();
    if (i < options.warmup) continue;
    if (a !== undefined) ours.push(a);
    anchor.push(b);
    options.onPair?.(i - options.warmup, a, b);
  }
  return { ours, anchor };
}

/**
 * Summarises one metric over the recorded pairs: the median of each side and the median of the
 * per-pair ratios (not the ratio of the medians, which would mix pairs run at different speeds).
 */
export function summarise(
  spec: Omit<BenchCase, 'ours' | 'anchor' | 'ratio' | 'pairs'> & { direction: Direction },
  ours: readonly number[],
  anchor: readonly number[],
): BenchCase {
  const hasOurs = ours.length === anchor.length && ours.length > 0;
  // Keys in the order of shared/BENCH.md, so result files read alike.
  return {
    case: spec.case,
    metric: spec.metric,
    ours: hasOurs ? round(median(ours)) : null,
    anchor: round(median(anchor)),
    anchor_name: spec.anchor_name,
    ratio: hasOurs ? round(median(ours.map((value, i) => ratioOf(spec.direction, value, anchor[i]!)))) : null,
    goal_ratio: spec.goal_ratio,
    samples: spec.samples,
    pairs: anchor.length,
  };
}

/** Writes `<outDir>/<name>.json` and returns its path. */
export function writeResult(result: Omit<BenchResult, 'date' | 'machine' | 'smoke'>): string {
  const full: BenchResult = {
    name: result.name,
    date: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
    smoke,
    machine: machine(),
    cases: result.cases,
    ...(result.notes ? { notes: result.notes } : {}),
  };
  mkdirSync(outDir, { recursive: true });
  const path = join(outDir, `${result.name}.json`);
  writeFileSync(path, `${JSON.stringify(full, null, 2)}\n`);
  return path;
}
