/**
 * orchestrator: what the executor costs per node, against a bare in-memory Kahn loop running the
 * same no-op step over the same graph, side by side in one run.
 *
 * - `dag`: a 10,000-node layered DAG (100 layers of 100, each node fed by 2 of the layer before),
 *   the executor on a fsynced `FileDagTracker` with run claims, concurrency 128 (above the graph's
 *   width, so the limit never holds a node back), outputs in a bare in-memory store.
 * - `fanout`: 1 source → 1,000 nodes → 1 sink that takes all 1,000 outputs, concurrency 1,024.
 * - `dag-default`: the 10,000-node DAG at the executor's default concurrency (8), as `symphony run`.
 * - `fanout-fs`: the fan-out with `FsArtifactStore` (what `symphony run` stores outputs in).
 *
 * Ours is the wall time from `Executor.start` to `run.finished` durable, start (zod parse,
 * `validateWorkflow`, run graph, claim, `run.started` durable) included; the anchor the Kahn loop's.
 * `BENCH_CASES=dag,fanout,dag-default,fanout-fs` runs some only, `BENCH_PAIRS=<n>` sets the pairs.
 */
import { loadavg } from 'node:os';
import {
  alternate,
  type BenchCase,
  Direction,
  median,
  round,
  smoke,
  summarise,
  writeResult,
} from '../lib/harness.ts';
import { cleanUp, type OursConfig, type OursTiming, runKahn, runOurs, StoreKind } from './runs.ts';
import { fanOutInWorkflow, layeredWorkflow, nodeCount } from './workload.ts';

/** The goal: at most 20 µs of executor overhead per node (10,000 nodes in under 0.2 s more). */
const TARGET_US = 20;

interface Scenario {
  readonly name: string;
  /** How the case names it. */
  readonly label: string;
  readonly workflow: () => ReturnType<typeof layeredWorkflow>;
  readonly config: OursConfig;
  readonly warmup: number;
  readonly pairs: number;
  /** Only the overhead row (a configuration shown for the record, beside the goal's). */
  readonly overheadOnly: boolean;
}

const DAG_NODES = smoke ? 500 : 10_000;
const FAN_WIDTH = smoke ? 50 : 1_000;
const pairsOverride = process.env.BENCH_PAIRS ? Number(process.env.BENCH_PAIRS) : undefined;
const pairs = (full: number) => (smoke ? 1 : (pairsOverride ?? full));
const warmup = (full: number) => (smoke ? 0 : full);
const dagLabel = `${DAG_NODES.toLocaleString('en')}-node DAG (${DAG_NODES / 100} layers × 100, fan-in 2)`;
const fanLabel = `1 → ${FAN_WIDTH.toLocaleString('en')} → 1 fan-out/fan-in`;

const scenarios: readonly Scenario[] = [
  {
    name: 'dag',
    label: `${dagLabel}, file journal, concurrency 128`,
    workflow: () => layeredWorkflow(DAG_NODES, 100, 2),
    config: { concurrency: 128, store: StoreKind.bare },
    warmup: warmup(1),
    pairs: pairs(7),
    overheadOnly: false,
  },
  {
    name: 'fanout',
    label: `${fanLabel}, file journal, concurrency 1,024`,
    workflow: () => fanOutInWorkflow(FAN_WIDTH),
    config: { concurrency: 1024, store: StoreKind.bare },
    warmup: warmup(2),
    pairs: pairs(15),
    overheadOnly: false,
  },
  {
    name: 'dag-default',
    label: `${dagLabel}, file journal, default concurrency 8`,
    workflow: () => layeredWorkflow(DAG_NODES, 100, 2),
    config: { concurrency: 8, store: StoreKind.bare },
    warmup: warmup(1),
    pairs: pairs(5),
    overheadOnly: true,
  },
  {
    name: 'fanout-fs',
    label: `${fanLabel}, file journal + FsArtifactStore, concurrency 1,024`,
    workflow: () => fanOutInWorkflow(FAN_WIDTH),
    config: { concurrency: 1024, store: StoreKind.fs },
    warmup: warmup(1),
    pairs: pairs(5),
    overheadOnly: true,
  },
];

const names = scenarios.map((s) => s.name);
const selected = new Set(process.env.BENCH_CASES ? process.env.BENCH_CASES.split(',') : names);
const unknown = [...selected].filter((name) => !names.includes(name));
if (unknown.length > 0) {
  console.error(`orchestrator: unknown BENCH_CASES ${unknown.join(', ')}; choose from ${names.join(', ')}`);
  process.exit(2);
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    cleanUp();
    process.exit(130);
  });
}

const fmt = (value: number): string => String(round(value));
const notes: string[] = [];

/** Runs one scenario's pairs and turns them into result rows. */
async function measure(scenario: Scenario): Promise<BenchCase[]> {
  const workflow = scenario.workflow();
  const n = nodeCount(workflow);
  const ours: OursTiming[] = [];
  const anchor: number[] = [];
  await alternate<OursTiming | number>({
    warmup: scenario.warmup,
    pairs: scenario.pairs,
    ours: () => runOurs(workflow, scenario.config),
    anchor: () => runKahn(workflow),
    onPair: (i, a, b) => {
      const o = a as OursTiming;
      ours.push(o);
      anchor.push(b as number);
      console.log(
        `orchestrator: ${scenario.name} pair ${i + 1}: ours ${fmt(o.totalMs)} ms (start ${fmt(o.startMs)}, ${o.rounds} journal writes taking ${fmt(o.journalMs)}), Kahn ${fmt(b as number)} ms → ${fmt(((o.totalMs - (b as number)) * 1000) / n)} µs/node`,
      );
    },
  });
  const kahnUs = median(anchor.map((ms) => (ms * 1000) / n));
  notes.push(
    `${scenario.name}: median ${median(ours.map((o) => o.rounds))} journal writes per run (one in flight at a time), ${fmt(median(ours.map((o) => o.journalMs)))} ms in them (parse, encode, O_DSYNC write), start ${fmt(median(ours.map((o) => o.startMs)))} ms, of ${fmt(median(ours.map((o) => o.totalMs)))} ms.`,
  );
  const target = anchor.map(() => TARGET_US);
  const targetName = `design target ${TARGET_US} µs/node (the bare Kahn loop itself: ${fmt(kahnUs)} µs/node)`;
  const overhead = ours.map((o, i) => ((o.totalMs - anchor[i]!) * 1000) / n);
  const rows: BenchCase[] = [
    summarise(
      {
        case: `${scenario.label}: overhead per node`,
        metric: 'us_per_node',
        anchor_name: targetName,
        goal_ratio: 1,
        samples: n,
        direction: Direction.cost,
      },
      overhead,
      target,
    ),
  ];
  if (scenario.overheadOnly) return rows;
  rows.push(
    summarise(
      {
        case: `${scenario.label}: start (parse, validate, graph, run.started durable) per node`,
        metric: 'us_per_node',
        anchor_name: `design target ${TARGET_US} µs/node for all overhead; start is part of the row above`,
        goal_ratio: 1,
        samples: n,
        direction: Direction.cost,
      },
      ours.map((o) => (o.startMs * 1000) / n),
      target,
    ),
    summarise(
      {
        case: `${scenario.label}: executor ÷ bare Kahn loop`,
        metric: 'total_ms',
        anchor_name: 'bare in-memory Kahn loop running the same no-op step over the same graph',
        // The goal as a ratio: the Kahn loop's time plus 20 µs per node, over the Kahn loop's.
        goal_ratio: round(1 + TARGET_US / kahnUs),
        samples: n,
        direction: Direction.cost,
      },
      ours.map((o) => o.totalMs),
      anchor,
    ),
  );
  return rows;
}

const started = Date.now();
const loadBefore = loadavg()[0]!;
const cases: BenchCase[] = [];
try {
  for (const scenario of scenarios) {
    if (!selected.has(scenario.name)) continue;
    const t0 = Date.now();
    cases.push(...(await measure(scenario)));
    console.log(`orchestrator: ${scenario.name} took ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  }
} finally {
  cleanUp();
}

notes.unshift(
  'Ours: Executor.start → run.finished durable on a fresh FileDagTracker (fsynced, O_DSYNC, group commit) and runs folder under .test-output/ on the repository’s disk, with run claims, cache off; each node is a no-op step returning its node id. Start (zod parse of the workflow, validateWorkflow, run graph, claim, run.started durable) is included.',
  'Store: a bare in-memory store (SHA-256 + Map) unless the case names FsArtifactStore, so the figures are the executor and its journal; the stores have their own benchmark (bench/pit).',
  'Anchor: a bare in-memory Kahn loop over the same workflow object that indexes its edges and awaits the same no-op step per node, handing each its producers’ outputs; nothing validated, journaled or stored.',
  `Overhead per node = (ours − anchor) ÷ nodes, per pair; load average ${loadBefore.toFixed(1)} at the start, ${loadavg()[0]!.toFixed(1)} at the end.`,
);
const path = writeResult({ name: 'orchestrator', cases, notes });
console.table(
  cases.map((c) => ({
    case: c.case.length > 80 ? `${c.case.slice(0, 77)}...` : c.case,
    metric: c.metric,
    ours: c.ours,
    anchor: c.anchor,
    ratio: c.ratio,
    goal: c.goal_ratio,
    holds: c.ratio !== null && c.ratio <= c.goal_ratio ? 'yes' : 'NO',
  })),
);
console.log(
  `orchestrator: wrote ${path} after ${((Date.now() - started) / 1000).toFixed(0)} s${smoke ? ' (smoke)' : ''}`,
);
process.exit(0);
