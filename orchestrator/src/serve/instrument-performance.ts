// The performance view of `symphony serve`: per AI instrument, its calls, failures, latency,
// throughput, tokens and cost over a time window, folded from run journals (pure: histories and a
// clock in, numbers out), and the router's arms and current choice per task, read from the data dir
// exactly as `symphony instruments stats` reads them.
import {
  type CallUsage,
  type InstrumentBucket,
  type InstrumentPerformance,
  InstrumentStatsQuery,
  type InstrumentStatsResponse,
  type RunEvent,
} from '@symphony/schemas';
import { z } from 'zod';
import type { DataPaths, WarningSink } from '../cli/data-dir.js';
import { routerTasks } from '../cli/instruments-stats.js';
import { parseViewArgument, ViewRequestError } from './artifact-views.js';

/** A day: the window when the query names none. */
export const DEFAULT_WINDOW_MS = 86_400_000;
/** The window is cut into this many buckets when the query names no width: a point a minute over an hour. */
export const DEFAULT_BUCKETS = 60;
/**
 * 1,440: the most buckets one answer holds (a minute each over a day). Each is a point of every
 * chart and ~150 bytes of JSON per instrument; a 1-second bucket over 90 days would be 7.8 million.
 */
export const MAX_INSTRUMENT_BUCKETS = 1440;

/** What the view is asked for: the window and the bucket width (see `InstrumentStatsQuery`). */
export interface InstrumentPerformanceQuery {
  readonly sinceMs?: number;
  readonly bucketMs?: number;
}

/** One instrument call, as a journal record tells it. */
interface Call {
  readonly at: number;
  readonly failed: boolean;
  readonly usage: CallUsage;
}

/** A bucket being filled. */
interface Tally {
  calls: number;
  failures: number;
  readonly latencies: number[];
  inputTokens: number;
  outputTokens: number;
  costUsd: number;
}

/**
 * Every instrument's calls in the window `[now - sinceMs, now]` (a day by default), by instrument
 * name: calls and failures (`node.retrying` and `node.failed`), p50/p99 latency, calls per minute
 * over the buckets that had calls, tokens, cost, and the series of buckets `bucketMs` wide
 * (`sinceMs / 60` by default), oldest first. Buckets start at multiples of `bucketMs`, so the same
 * call falls in the same bucket on every refresh, and the first one reaches back to the start of the
 * bucket the window starts in; buckets without calls are zeros, so a chart's x axis is continuous.
 * A call is a `node.succeeded`, `node.retrying` or `node.failed` record that carries `usage`.
 * Throws {@link ViewRequestError} for a window or width outside `InstrumentStatsQuery`, or one that
 * makes more than {@link MAX_INSTRUMENT_BUCKETS} buckets.
 */
export function instrumentPerformance(
  histories: readonly (readonly RunEvent[])[],
  query: InstrumentPerformanceQuery,
  now: number,
): InstrumentPerformance[] {
  const clock = parseViewArgument('instrumentPerformance', 'now', z.number().int().nonnegative(), now);
  const { first, count, bucketMs } = bucketsOf(query, clock);
  const byInstrument = new Map<string, Tally[]>();
  for (const history of histories) {
    for (const event of history) {
      const call = callOf(event);
      if (call === undefined || call.at < first || call.at > clock) continue;
      let tallies = byInstrument.get(call.usage.instrument);
      if (tallies === undefined) {
        tallies = Array.from({ length: count }, emptyTally);
        byInstrument.set(call.usage.instrument, tallies);
      }
      add(tallies[Math.floor((call.at - first) / bucketMs)]!, call);
    }
  }
  return [...byInstrument]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([instrument, tallies]) => performanceOf(instrument, tallies, first, bucketMs));
}

/**
 * Throws the {@link ViewRequestError} {@link instrumentPerformance} would throw for `query` at
 * `now` (a window or width outside `InstrumentStatsQuery`, too many buckets): checked before any
 * journal is read for it.
 */
export function checkInstrumentQuery(query: InstrumentPerformanceQuery, now: number): void {
  bucketsOf(query, parseViewArgument('instrumentPerformance', 'now', z.number().int().nonnegative(), now));
}

/** The buckets a query asks for: where the first starts, how many, and how wide. */
function bucketsOf(query: InstrumentPerformanceQuery, now: number) {
  const parsed = parseViewArgument('instrumentPerformance', 'query', InstrumentStatsQuery, query);
  const sinceMs = parsed.sinceMs ?? DEFAULT_WINDOW_MS;
  const bucketMs = parsed.bucketMs ?? Math.max(1000, Math.ceil(sinceMs / DEFAULT_BUCKETS));
  const first = Math.max(0, Math.floor((now - sinceMs) / bucketMs) * bucketMs);
  const count = Math.floor((now - first) / bucketMs) + 1;
  if (count > MAX_INSTRUMENT_BUCKETS) {
    const least = Math.ceil(sinceMs / (MAX_INSTRUMENT_BUCKETS - 1));
    const message = `${bucketMs} ms buckets over ${sinceMs} ms make ${count} buckets, more than ${MAX_INSTRUMENT_BUCKETS}; ask for bucketMs of at least ${least}, or a shorter sinceMs`;
    throw new ViewRequestError(`instrumentPerformance: ${message}`, [
      { path: ['query', 'bucketMs'], message },
    ]);
  }
  return { first, count, bucketMs };
}

/** The instrument call a journal record reports, if it reports one. */
function callOf(event: RunEvent): Call | undefined {
  switch (event.type) {
    case 'node.succeeded':
    case 'node.retrying':
    case 'node.failed':
      return event.usage === undefined
        ? undefined
        : { at: event.at, failed: event.type !== 'node.succeeded', usage: event.usage };
    default:
      return undefined;
  }
}

function emptyTally(): Tally {
  return { calls: 0, failures: 0, latencies: [], inputTokens: 0, outputTokens: 0, costUsd: 0 };
}

function add(tally: Tally, call: Call): void {
  tally.calls += 1;
  if (call.failed) tally.failures += 1;
  if (call.usage.latencyMs !== undefined) tally.latencies.push(call.usage.latencyMs);
  tally.inputTokens += call.usage.inputTokens;
  tally.outputTokens += call.usage.outputTokens;
  tally.costUsd += call.usage.costUsd ?? 0;
}

function performanceOf(
  instrument: string,
  tallies: readonly Tally[],
  first: number,
  bucketMs: number,
): InstrumentPerformance {
  const series = tallies.map((tally, i) => bucketOf(tally, first + i * bucketMs));
  const whole = tallies.reduce(merge, emptyTally());
  const busy = tallies.filter((t) => t.calls > 0).length;
  return {
    instrument,
    calls: whole.calls,
    failures: whole.failures,
    ...percentiles(whole.latencies),
    callsPerMinute: busy === 0 ? 0 : whole.calls / ((busy * bucketMs) / 60_000),
    inputTokens: whole.inputTokens,
    outputTokens: whole.outputTokens,
    costUsd: whole.costUsd,
    series,
  };
}

function bucketOf(tally: Tally, at: number): InstrumentBucket {
  return {
    at,
    calls: tally.calls,
    failures: tally.failures,
    ...percentiles(tally.latencies),
    inputTokens: tally.inputTokens,
    outputTokens: tally.outputTokens,
    costUsd: tally.costUsd,
  };
}

function merge(into: Tally, tally: Tally): Tally {
  into.calls += tally.calls;
  into.failures += tally.failures;
  for (const latency of tally.latencies) into.latencies.push(latency);
  into.inputTokens += tally.inputTokens;
  into.outputTokens += tally.outputTokens;
  into.costUsd += tally.costUsd;
  return into;
}

/** p50 and p99 by nearest rank (a latency some call really had); none without latencies. */
function percentiles(latencies: readonly number[]): { p50Ms?: number; p99Ms?: number } {
  if (latencies.length === 0) return {};
  const sorted = [...latencies].sort((a, b) => a - b);
  const rank = (p: number) => sorted[Math.max(0, Math.ceil(p * sorted.length) - 1)]!;
  return { p50Ms: rank(0.5), p99Ms: rank(0.99) };
}

/**
 * The router's arms per task and what it would choose now and why: the numbers `symphony
 * instruments stats` prints (its {@link routerTasks}), as `InstrumentStatsResponse['routing']`;
 * only the tasks (node types) in `only` when it is given. Reads `<data dir>/router/` only; an empty
 * list when the router has learned nothing yet. Skipped log records (a torn tail, a newer
 * version's) are told to `onWarning`.
 */
export async function routingView(
  paths: DataPaths,
  onWarning?: WarningSink,
  only?: ReadonlySet<string>,
): Promise<InstrumentStatsResponse['routing']> {
  const tasks = (await routerTasks(paths, onWarning === undefined ? {} : { onWarning })).filter(
    (task) => only === undefined || only.has(task.task),
  );
  return tasks.map((task) => ({
    task: task.task,
    arms: task.arms.map(({ expectedQuality: _, ...arm }) => arm),
    decision: task.choice,
  }));
}
