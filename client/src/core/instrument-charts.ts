// The performance view as data: the time windows it offers, one instrument's buckets as uPlot's data
// arrays and options (latency, calls and failures, cumulative cost, tokens), the numbers formatted
// for people, and the router's arms per task with its choice and why.
import type {
  ArmStats,
  InstrumentBucket,
  InstrumentPerformance,
  InstrumentStatsResponse,
} from '@symphony/schemas';
import type uPlot from 'uplot';

// --- windows --------------------------------------------------------------------------------------

/** The time windows the performance view offers. */
export const PerformanceWindow = { hour: '1h', day: '24h', week: '7d' } as const;
export type PerformanceWindow = (typeof PerformanceWindow)[keyof typeof PerformanceWindow];

/**
 * Each window's span and bucket width, about 50–60 buckets each: enough to see a trend, few
 * enough that each bar stays wider than a few pixels at 800 px.
 */
export const PERFORMANCE_WINDOWS: Readonly<
  Record<PerformanceWindow, { readonly label: string; readonly sinceMs: number; readonly bucketMs: number }>
> = {
  '1h': { label: '1 h', sinceMs: 3_600_000, bucketMs: 60_000 },
  '24h': { label: '24 h', sinceMs: 86_400_000, bucketMs: 1_800_000 },
  '7d': { label: '7 d', sinceMs: 7 * 86_400_000, bucketMs: 3 * 3_600_000 },
};

// --- formatting -----------------------------------------------------------------------------------

/** A latency for people: `850 ms`, `1.2 s`, `–` when there is none. */
export function formatMs(ms: number | null | undefined): string {
  if (ms === null || ms === undefined) return '–';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  return `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`;
}

/** US dollars for people: below a dollar, two significant digits (`$0.00042`, `$0.025`); cents above. */
export function formatUsd(usd: number | null | undefined): string {
  if (usd === null || usd === undefined) return '–';
  if (usd === 0) return '$0';
  if (usd < 1) return `$${usd.toLocaleString('en-US', { maximumSignificantDigits: 2 })}`;
  return `$${usd.toFixed(2)}`;
}

/** A count for people: `950`, `12.3k`, `4.1M`. */
export function formatCount(n: number | null | undefined): string {
  if (n === null || n === undefined) return '–';
  if (Math.abs(n) < 1000) return String(Math.round(n * 100) / 100);
  if (Math.abs(n) < 1_000_000) return `${(n / 1000).toFixed(1)}k`;
  return `${(n / 1_000_000).toFixed(1)}M`;
}

/** A rate in [0, 1] as a percentage: `2.5 %`. */
export function formatPercent(fraction: number): string {
  return `${(fraction * 100).toFixed(fraction < 0.1 ? 1 : 0)} %`;
}

// --- charts ---------------------------------------------------------------------------------------

/** What a chart's values are, for its axis and legend. */
export type ChartUnit = 'ms' | 'calls' | 'usd' | 'tokens';

/** The colours a chart is drawn in, read from the page's custom properties (a canvas cannot read them). */
export interface ChartPalette {
  readonly text: string;
  readonly muted: string;
  readonly grid: string;
  readonly accent: string;
  readonly danger: string;
  readonly ok: string;
  readonly warn: string;
  /** A CSS font for the axes' values. */
  readonly font: string;
}

/** One series of a chart. */
export interface ChartSeries {
  readonly label: string;
  readonly colour: 'accent' | 'danger' | 'ok' | 'warn' | 'muted';
  readonly kind: 'line' | 'bars' | 'area';
  readonly dash?: readonly number[];
}

/** One chart of an instrument: uPlot's aligned data (x in seconds) and how each series looks. */
export interface InstrumentChart {
  readonly id: 'latency' | 'calls' | 'cost' | 'tokens';
  readonly title: string;
  readonly unit: ChartUnit;
  readonly data: uPlot.AlignedData;
  /** The width of a bucket in seconds: the x axis has half of one to spare at each end, so no bar is cut. */
  readonly bucketSeconds: number;
  readonly series: readonly ChartSeries[];
  /** The chart in one sentence, for people who cannot see it. */
  readonly summary: string;
}

/** 10,000: buckets a gap is filled with at most, so a wrong bucket width cannot hang the page. */
const MAX_FILLED_BUCKETS = 10_000;

function emptyBucket(at: number): InstrumentBucket {
  return { at, calls: 0, failures: 0, inputTokens: 0, outputTokens: 0, costUsd: 0 };
}

/**
 * `series` in time order, one bucket every `bucketMs`: a missing bucket becomes one with no calls
 * (and no latency), so the x axis is continuous and a quiet hour reads as a gap in the latency
 * lines, not as a line drawn straight across it. Duplicate times keep their first bucket.
 */
export function continuousBuckets(series: readonly InstrumentBucket[], bucketMs: number): InstrumentBucket[] {
  const sorted = [...series].sort((a, b) => a.at - b.at);
  const out: InstrumentBucket[] = [];
  for (const bucket of sorted) {
    const last = out.at(-1);
    if (last !== undefined && bucket.at === last.at) continue;
    if (last !== undefined && bucketMs > 0) {
      for (let at = last.at + bucketMs; at < bucket.at && out.length < MAX_FILLED_BUCKETS; at += bucketMs) {
        out.push(emptyBucket(at));
      }
    }
    out.push(bucket);
  }
  return out;
}

/**
 * An instrument's charts over its buckets ({@link continuousBuckets}): p50 and p99 latency (gaps
 * where a bucket had no calls), calls with failures over them, cost summed from the window's
 * start, and input and output tokens.
 */
export function instrumentCharts(perf: InstrumentPerformance, bucketMs: number): InstrumentChart[] {
  const buckets = continuousBuckets(perf.series, bucketMs);
  const xs = buckets.map((b) => b.at / 1000);
  let cost = 0;
  const cumulativeCost = buckets.map((b) => {
    cost += b.costUsd;
    return cost;
  });
  const failureRate = perf.calls === 0 ? 0 : perf.failures / perf.calls;
  const bucketSeconds = bucketMs / 1000;
  return [
    {
      id: 'latency',
      bucketSeconds,
      title: 'Latency',
      unit: 'ms',
      data: [xs, buckets.map((b) => b.p50Ms ?? null), buckets.map((b) => b.p99Ms ?? null)],
      series: [
        { label: 'p50', colour: 'accent', kind: 'line' },
        { label: 'p99', colour: 'warn', kind: 'line', dash: [6, 4] },
      ],
      summary: `Latency of ${perf.instrument}: p50 ${formatMs(perf.p50Ms)}, p99 ${formatMs(perf.p99Ms)}.`,
    },
    {
      id: 'calls',
      bucketSeconds,
      title: 'Calls and failures',
      unit: 'calls',
      data: [xs, buckets.map((b) => b.calls), buckets.map((b) => b.failures)],
      series: [
        { label: 'calls', colour: 'accent', kind: 'bars' },
        { label: 'failures', colour: 'danger', kind: 'bars' },
      ],
      summary: `${perf.calls} calls to ${perf.instrument}, ${perf.failures} failed (${formatPercent(failureRate)}), ${formatCount(perf.callsPerMinute)} calls a minute.`,
    },
    {
      id: 'cost',
      bucketSeconds,
      title: 'Cost, cumulative',
      unit: 'usd',
      data: [xs, cumulativeCost],
      series: [{ label: 'cost', colour: 'ok', kind: 'area' }],
      summary: `${perf.instrument} cost ${formatUsd(perf.costUsd)} in this window.`,
    },
    {
      id: 'tokens',
      bucketSeconds,
      title: 'Tokens',
      unit: 'tokens',
      data: [xs, buckets.map((b) => b.inputTokens), buckets.map((b) => b.outputTokens)],
      series: [
        { label: 'input', colour: 'muted', kind: 'line' },
        { label: 'output', colour: 'accent', kind: 'line' },
      ],
      summary: `${perf.instrument} read ${formatCount(perf.inputTokens)} tokens and wrote ${formatCount(perf.outputTokens)}.`,
    },
  ];
}

/** A value of a chart's unit for its axis and legend. */
export function formatChartValue(unit: ChartUnit, value: number | null | undefined): string {
  switch (unit) {
    case 'ms':
      return formatMs(value);
    case 'usd':
      return formatUsd(value);
    case 'calls':
    case 'tokens':
      return formatCount(value);
  }
}

/** How a chart is drawn: its size, colours, and uPlot's bar path builder (`uPlot.paths.bars()`). */
export interface ChartLook {
  readonly width: number;
  readonly height: number;
  readonly palette: ChartPalette;
  readonly bars: uPlot.Series.PathBuilder;
}

/** A colour with an alpha, for fills: `#4f46e5` → `#4f46e533`. Other notations are returned unchanged. */
export function withAlpha(colour: string, alpha: number): string {
  const hex = /^#([0-9a-f]{6})$/i.exec(colour.trim());
  if (hex === null) return colour;
  const a = Math.round(Math.max(0, Math.min(1, alpha)) * 255)
    .toString(16)
    .padStart(2, '0');
  return `#${hex[1]}${a}`;
}

/** uPlot's options for `chart`: time on x, the values from zero on y, gaps left open. */
export function chartOptions(chart: InstrumentChart, look: ChartLook): uPlot.Options {
  const { palette } = look;
  const axis = {
    stroke: palette.muted,
    font: palette.font,
    grid: { stroke: palette.grid, width: 1 },
    ticks: { stroke: palette.grid, width: 1 },
  };
  return {
    width: look.width,
    height: look.height,
    padding: [8, 12, 0, 0],
    legend: { show: true, live: true },
    cursor: { points: { size: 6 }, drag: { x: false, y: false } },
    scales: {
      x: {
        time: true,
        range: (_u, min, max) => [min - chart.bucketSeconds / 2, max + chart.bucketSeconds / 2],
      },
      y: { range: (_u, _min, max) => [0, max > 0 ? max * 1.1 : 1] },
    },
    axes: [
      axis,
      {
        ...axis,
        // Wide enough for the longest value label (a cost in millionths of a dollar is long).
        size: (_u: uPlot, values: string[] | null) =>
          Math.max(48, 16 + 7 * Math.max(0, ...(values ?? []).map((v) => v.length))),
        values: (_u, splits) => splits.map((v) => formatChartValue(chart.unit, v)),
      },
    ],
    series: [
      {},
      ...chart.series.map((s): uPlot.Series => {
        const colour = palette[s.colour];
        const value = (_u: uPlot, v: number | null) => formatChartValue(chart.unit, v);
        if (s.kind === 'bars')
          return {
            label: s.label,
            stroke: colour,
            fill: colour,
            width: 0,
            paths: look.bars,
            points: { show: false },
            value,
          };
        return {
          label: s.label,
          stroke: colour,
          width: 2,
          spanGaps: false,
          // Latency has gaps (buckets without calls): a lone bucket is a dot, or it would not show.
          points: { show: chart.unit === 'ms', size: 5 },
          value,
          ...(s.dash === undefined ? {} : { dash: [...s.dash] }),
          ...(s.kind === 'area' ? { fill: withAlpha(colour, 0.15) } : {}),
        };
      }),
    ],
  };
}

// --- routing --------------------------------------------------------------------------------------

/** One arm of a task as the performance view lists it. */
export interface ArmRow {
  readonly arm: string;
  /** alpha / (alpha + beta): the mean of the Beta posterior of its quality. */
  readonly expectedQuality: number;
  readonly pulls: number;
  readonly meanLatencyMs: number;
  readonly meanCostUsd: number;
  readonly chosen: boolean;
}

/** A task's arms, best expected quality first, and the router's current choice with why. */
export interface TaskRouting {
  readonly task: string;
  readonly arms: readonly ArmRow[];
  readonly chosen: string | null;
  readonly reason: string | null;
}

/** The mean of an arm's Beta(alpha, beta) quality posterior. */
export function expectedQuality(arm: Pick<ArmStats, 'alpha' | 'beta'>): number {
  return arm.alpha / (arm.alpha + arm.beta);
}

/**
 * A task's routing for people: every arm the router has stats for (and a candidate it has none
 * for, with no calls), the chosen one marked, and the decision's reason in a sentence.
 */
export function taskRouting(entry: InstrumentStatsResponse['routing'][number]): TaskRouting {
  const { decision } = entry;
  const chosen = decision?.chosen ?? null;
  const rows: ArmRow[] = entry.arms.map((a) => ({
    arm: a.arm,
    expectedQuality: expectedQuality(a),
    pulls: a.pulls,
    meanLatencyMs: a.meanLatencyMs,
    meanCostUsd: a.meanCostUsd,
    chosen: a.arm === chosen,
  }));
  for (const c of decision?.candidates ?? []) {
    if (rows.some((r) => r.arm === c.arm)) continue;
    rows.push({
      arm: c.arm,
      expectedQuality: c.expectedQuality,
      pulls: 0,
      meanLatencyMs: c.meanLatencyMs,
      meanCostUsd: c.meanCostUsd,
      chosen: c.arm === chosen,
    });
  }
  rows.sort((a, b) => b.expectedQuality - a.expectedQuality || a.arm.localeCompare(b.arm));
  return {
    task: entry.task,
    arms: rows,
    chosen,
    reason: decision === undefined ? null : reasonText(rows, decision),
  };
}

/** Why the router chose what it chose, in one sentence. */
function reasonText(
  rows: readonly ArmRow[],
  decision: NonNullable<InstrumentStatsResponse['routing'][number]['decision']>,
): string {
  const chosen = rows.find((r) => r.arm === decision.chosen);
  const best = Math.max(...rows.map((r) => r.expectedQuality));
  const quality = chosen?.expectedQuality ?? 0;
  const calls = (n: number) => `${n} ${n === 1 ? 'call' : 'calls'}`;
  switch (decision.reason) {
    case 'pinned':
      return 'The node names this instrument and model, so the router does not choose.';
    case 'only':
      return 'The only instrument and model that can serve this task.';
    case 'learned':
      return `Best quality for its cost: expected quality ${quality.toFixed(3)} (best ${best.toFixed(3)}) at ${formatUsd(chosen?.meanCostUsd)} a call, learned from ${calls(chosen?.pulls ?? 0)}.`;
    case 'exploring':
      return `Still exploring: expected quality ${quality.toFixed(3)} after only ${calls(chosen?.pulls ?? 0)}, so the router keeps trying the arms it knows little about.`;
  }
}
