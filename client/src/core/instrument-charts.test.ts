import type {
  ArmId,
  InstrumentBucket,
  InstrumentPerformance,
  InstrumentStatsResponse,
} from '@symphony/schemas';
import type uPlot from 'uplot';
import { describe, expect, it } from 'vitest';
import {
  type ChartLook,
  chartOptions,
  continuousBuckets,
  formatChartValue,
  formatMs,
  formatUsd,
  instrumentCharts,
  PERFORMANCE_WINDOWS,
  taskRouting,
  withAlpha,
} from './instrument-charts.js';

const MINUTE = 60_000;
const T0 = 1_700_000_040_000;

function bucket(minute: number, b: Partial<InstrumentBucket> = {}): InstrumentBucket {
  return {
    at: T0 + minute * MINUTE,
    calls: 0,
    failures: 0,
    inputTokens: 0,
    outputTokens: 0,
    costUsd: 0,
    ...b,
  };
}

function perf(series: InstrumentBucket[]): InstrumentPerformance {
  return {
    instrument: 'openai',
    calls: 7,
    failures: 2,
    p50Ms: 420,
    p99Ms: 1800,
    callsPerMinute: 2.5,
    inputTokens: 12_300,
    outputTokens: 900,
    costUsd: 0.0042,
    series,
  };
}

describe('continuousBuckets', () => {
  it('fills the buckets the series skips with empty ones, in time order, each time once', () => {
    const filled = continuousBuckets(
      [bucket(3, { calls: 1 }), bucket(0, { calls: 2 }), bucket(3, { calls: 9 }), bucket(1, { calls: 1 })],
      MINUTE,
    );
    expect(filled.map((b) => [(b.at - T0) / MINUTE, b.calls])).toEqual([
      [0, 2],
      [1, 1],
      [2, 0],
      [3, 1],
    ]);
    expect(filled[2]).toEqual(bucket(2));
  });

  it('fills at most 10,000 buckets, whatever the gap', () => {
    expect(continuousBuckets([bucket(0), bucket(1_000_000)], MINUTE).length).toBeLessThanOrEqual(10_001);
    expect(continuousBuckets([], MINUTE)).toEqual([]);
  });
});

describe('instrumentCharts', () => {
  const series = [
    bucket(0, {
      calls: 3,
      failures: 1,
      p50Ms: 400,
      p99Ms: 900,
      costUsd: 0.001,
      inputTokens: 300,
      outputTokens: 30,
    }),
    bucket(1),
    // minute 2 is missing from the answer altogether
    bucket(3, {
      calls: 4,
      failures: 1,
      p50Ms: 450,
      p99Ms: 1800,
      costUsd: 0.0032,
      inputTokens: 500,
      outputTokens: 60,
    }),
  ];
  const charts = instrumentCharts(perf(series), MINUTE);
  const byId = (id: string) => charts.find((c) => c.id === id)!;

  it('puts every chart on one continuous x axis in seconds', () => {
    const xs = [0, 1, 2, 3].map((m) => (T0 + m * MINUTE) / 1000);
    for (const chart of charts) expect(chart.data[0]).toEqual(xs);
    expect(charts.map((c) => c.id)).toEqual(['latency', 'calls', 'cost', 'tokens']);
  });

  it('leaves latency gaps where a bucket had no calls, so the lines break instead of bridging', () => {
    expect(byId('latency').data.slice(1)).toEqual([
      [400, null, null, 450],
      [900, null, null, 1800],
    ]);
    expect(byId('latency').series.map((s) => s.label)).toEqual(['p50', 'p99']);
  });

  it('counts calls and failures per bucket with zeros in the gaps, and sums cost from the start', () => {
    expect(byId('calls').data.slice(1)).toEqual([
      [3, 0, 0, 4],
      [1, 0, 0, 1],
    ]);
    const cost = byId('cost').data[1] as number[];
    expect(cost.map((c) => Math.round(c * 1e6))).toEqual([1000, 1000, 1000, 4200]);
    expect(byId('tokens').data.slice(1)).toEqual([
      [300, 0, 0, 500],
      [30, 0, 0, 60],
    ]);
  });

  it('says each chart in a sentence', () => {
    expect(byId('latency').summary).toBe('Latency of openai: p50 420 ms, p99 1.80 s.');
    expect(byId('calls').summary).toBe('7 calls to openai, 2 failed (29 %), 2.5 calls a minute.');
    expect(byId('cost').summary).toBe('openai cost $0.0042 in this window.');
  });

  it('draws an instrument with no buckets as empty charts, not as an error', () => {
    for (const chart of instrumentCharts(perf([]), MINUTE))
      expect(chart.data.every((d) => d.length === 0)).toBe(true);
  });
});

describe('chartOptions', () => {
  const bars = (() => null) as unknown as uPlot.Series.PathBuilder;
  const look: ChartLook = {
    width: 640,
    height: 180,
    bars,
    palette: {
      text: '#111111',
      muted: '#5f6b7a',
      grid: '#dfe3e8',
      accent: '#4f46e5',
      danger: '#c62828',
      ok: '#1f9d55',
      warn: '#d97706',
      font: '12px system-ui',
    },
  };
  const [latency, calls, cost] = instrumentCharts(
    perf([bucket(0, { calls: 1, p50Ms: 10, p99Ms: 20 })]),
    MINUTE,
  );

  it('draws bars with the bar path builder and lines with gaps left open, in the palette’s colours', () => {
    const callSeries = chartOptions(calls!, look).series.slice(1);
    expect(callSeries.map((s) => [s.label, s.paths === bars, s.fill])).toEqual([
      ['calls', true, '#4f46e5'],
      ['failures', true, '#c62828'],
    ]);
    const latencySeries = chartOptions(latency!, look).series.slice(1);
    expect(latencySeries.map((s) => [s.label, s.stroke, s.spanGaps, s.dash])).toEqual([
      ['p50', '#4f46e5', false, undefined],
      ['p99', '#d97706', false, [6, 4]],
    ]);
    expect(chartOptions(cost!, look).series[1]?.fill).toBe('#1f9d5526');
  });

  it('uses a time x axis, a y axis from zero, and values in the chart’s unit', () => {
    const options = chartOptions(latency!, look);
    expect(options.scales?.x?.time).toBe(true);
    const x = options.scales?.x?.range as (u: uPlot, min: number, max: number, key: string) => number[];
    expect(x({} as uPlot, 600, 1200, 'x')).toEqual([570, 1230]);
    const range = options.scales?.y?.range as (u: uPlot, min: number, max: number, key: string) => number[];
    expect(range({} as uPlot, 5, 100, 'y')).toEqual([0, 110.00000000000001]);
    expect(range({} as uPlot, 0, 0, 'y')).toEqual([0, 1]);
    const values = options.axes?.[1]?.values as (u: uPlot, splits: number[]) => string[];
    expect(values({} as uPlot, [0, 500, 1500])).toEqual(['0 ms', '500 ms', '1.50 s']);
    expect([options.width, options.height]).toEqual([640, 180]);
  });
});

describe('formatting', () => {
  it('says latencies, money and missing values the way people read them', () => {
    expect([formatMs(12.4), formatMs(999), formatMs(1234), formatMs(65_000), formatMs(undefined)]).toEqual([
      '12 ms',
      '999 ms',
      '1.23 s',
      '65.0 s',
      '–',
    ]);
    expect([0, 0.00042, 0.025, 0.0731, 1.5, null, 1e-7].map(formatUsd)).toEqual([
      '$0',
      '$0.00042',
      '$0.025',
      '$0.073',
      '$1.50',
      '–',
      '$0.0000001',
    ]);
    expect(formatChartValue('tokens', 12_345)).toBe('12.3k');
    expect(withAlpha('#4f46e5', 0.5)).toBe('#4f46e580');
    expect(withAlpha('rgb(1, 2, 3)', 0.5)).toBe('rgb(1, 2, 3)');
  });

  it('offers windows of an hour, a day and a week in about 50–60 buckets each', () => {
    for (const w of Object.values(PERFORMANCE_WINDOWS)) {
      expect(w.sinceMs / w.bucketMs).toBeGreaterThanOrEqual(48);
      expect(w.sinceMs / w.bucketMs).toBeLessThanOrEqual(60);
    }
  });
});

const arm = (id: string) => id as ArmId;

describe('taskRouting', () => {
  const entry: InstrumentStatsResponse['routing'][number] = {
    task: 'summarize',
    arms: [
      {
        arm: arm('openai/gpt-4o'),
        task: 'summarize',
        alpha: 9,
        beta: 1,
        pulls: 8,
        meanLatencyMs: 2100,
        meanCostUsd: 0.01,
      },
      {
        arm: arm('local/llama'),
        task: 'summarize',
        alpha: 17,
        beta: 3,
        pulls: 18,
        meanLatencyMs: 800,
        meanCostUsd: 0,
      },
    ],
    decision: {
      task: 'summarize',
      chosen: arm('local/llama'),
      reason: 'learned',
      candidates: [
        {
          arm: arm('openai/gpt-4o'),
          expectedQuality: 0.9,
          meanLatencyMs: 2100,
          meanCostUsd: 0.01,
          score: 0.9,
        },
        { arm: arm('local/llama'), expectedQuality: 0.85, meanLatencyMs: 800, meanCostUsd: 0, score: 0.85 },
        { arm: arm('anthropic/claude'), expectedQuality: 0.5, meanLatencyMs: 0, meanCostUsd: 0, score: 0.5 },
      ],
    },
  };

  it('lists every arm by expected quality alpha/(alpha+beta), marks the chosen one and says why', () => {
    const routing = taskRouting(entry);
    expect(routing.arms.map((a) => [a.arm, a.expectedQuality, a.pulls, a.chosen])).toEqual([
      ['openai/gpt-4o', 0.9, 8, false],
      ['local/llama', 0.85, 18, true],
      ['anthropic/claude', 0.5, 0, false],
    ]);
    expect(routing.chosen).toBe('local/llama');
    expect(routing.reason).toBe(
      'Best quality for its cost: expected quality 0.850 (best 0.900) at $0 a call, learned from 18 calls.',
    );
  });

  it('says a pinned, an only and an exploring choice each in its own words, and no choice as none', () => {
    const reason = (r: 'pinned' | 'only' | 'exploring') =>
      taskRouting({ ...entry, decision: { ...entry.decision!, reason: r } }).reason;
    expect(reason('pinned')).toMatch(/^The node names this instrument/);
    expect(reason('only')).toMatch(/^The only instrument/);
    expect(reason('exploring')).toBe(
      'Still exploring: expected quality 0.850 after only 18 calls, so the router keeps trying the arms it knows little about.',
    );
    const { decision: _, ...undecided } = entry;
    expect(taskRouting(undecided)).toMatchObject({ chosen: null, reason: null });
  });
});
