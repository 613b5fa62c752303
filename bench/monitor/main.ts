/**
 * monitor: how long a journal record takes to show on a Harmony Board in Chromium while a 1,000-node
 * run streams its states, and whether the board keeps drawing frames meanwhile; against the same
 * records sent by a bare `ws` server to a bare page, side by side in one run (A B A B).
 *
 * - Ours: the real stack — the team server serving the built client, `symphony serve` for it, the
 *   owner's board open on the shared workflow in Chromium. Each pair starts a run (`POST /v1/runs`,
 *   no cache, so every node runs); latency per state-changing record = when the board's node element
 *   took that `data-run-state` (MutationObserver, the page's wall clock) − the record's `at` (the
 *   executor's `Date.now()` when it made the record).
 * - Anchor: the very `events` messages of that run, as recorded by a watcher of the live stream,
 *   replayed with the same sizes and pacing by a bare `ws` server to a bare page of 1,000 divs;
 *   latency = DOM time − send time (`Date.now()`, the same clock at the same resolution).
 * - Frame time: requestAnimationFrame gaps on each page while its states stream.
 *
 * `BENCH_PAIRS=<n>` sets the pairs. Needs `npm run build` (the client, the bins) and Chromium at
 * /usr/bin/chromium (skipped with a message without it).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { Browser } from '@playwright/test';
import { NodeState, type WorkflowId } from '@symphony/schemas';
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
import { BareEchoServer, barePage } from './anchor.ts';
import { CHROMIUM, chromiumInstalled, launchChromium, RecordedPage, screenshots } from './browser.ts';
import { frameGaps, matchTransitions, p50p99, type Transition } from './measure.ts';
import {
  type EventBatch,
  type MonitorStack,
  RunWatcher,
  shareBenchWorkflow,
  startRun,
  startStack,
  wallClock,
} from './stack.ts';
import { nodeStateOf } from './workload.ts';

const SHAPE = smoke
  ? { nodes: 50, width: 10, fanIn: 2, columns: 10 }
  : { nodes: 1000, width: 100, fanIn: 2, columns: 28 };
/** `BENCH_PAIRS`, when set: a whole number of pairs, at least 1. */
function pairsOverride(value: string | undefined): number | undefined {
  if (value === undefined || value === '') return undefined;
  if (!/^[1-9]\d*$/.test(value))
    throw new Error(`BENCH_PAIRS=${value}: give a whole number of pairs, 1 or more`);
  return Number(value);
}
const PAIRS = smoke ? 1 : (pairsOverride(process.env.BENCH_PAIRS) ?? 7);
const WARMUP = smoke ? 0 : 1;
/** 60 s for a page to show a run's last states: the run itself takes about two. */
const SHOW_TIMEOUT_MS = 60_000;

/** Goals (the issue names none; why these, in bench/README.md). */
const GOAL = {
  latencyP50: 3,
  latencyP99: 5,
  /** 100 ms: what a person perceives as instantaneous. */
  latencyTargetMs: 100,
  frameP50: 1.5,
  frameP99: 3,
  /** 50 ms: three frames at 60 Hz; a board that never takes longer to draw stays usable. */
  frameTargetMs: 50,
};

/** One side of one pair. */
interface Side {
  readonly latencies: number[];
  readonly frames: number[];
  readonly coalesced: number;
  readonly unseen: number;
  /** From the first record to the last state shown. */
  readonly spanMs: number;
}

/** Every state-changing record of `batches`, sent at `at(batch)`. */
function transitionsOf(
  batches: readonly EventBatch[],
  at: (batch: EventBatch, recordAt: number) => number,
): Transition[] {
  const out: Transition[] = [];
  for (const batch of batches) {
    for (const event of batch.events) {
      const change = nodeStateOf(event);
      if (change !== undefined) out.push({ ...change, at: at(batch, event.at) });
    }
  }
  return out;
}

/** Checks the run did what the benchmark needs: finished, every node succeeded. */
function checkRun(batches: readonly EventBatch[], nodes: number): void {
  const events = batches.flatMap((b) => b.events);
  const finished = events.find((e) => e.type === 'run.finished');
  const failed = events.find((e) => e.type === 'node.failed');
  const succeeded = events.filter((e) => e.type === 'node.succeeded').length;
  if (finished?.type !== 'run.finished' || finished.status !== 'succeeded' || succeeded !== nodes) {
    const why = failed?.type === 'node.failed' ? ` (${failed.nodeId}: ${failed.error.message})` : '';
    throw new Error(
      `the benchmark's run ended ${finished?.type === 'run.finished' ? finished.status : 'unfinished'} with ${succeeded} of ${nodes} nodes succeeded${why}`,
    );
  }
}

/** Waits for `page` to show every node succeeded, then measures it against `transitions`. */
async function measured(page: RecordedPage, transitions: readonly Transition[], side: string): Promise<Side> {
  if (!(await page.showing(NodeState.succeeded, SHAPE.nodes, SHOW_TIMEOUT_MS))) {
    throw new Error(
      `${side}: the page did not show all ${SHAPE.nodes} nodes succeeded within ${SHOW_TIMEOUT_MS} ms`,
    );
  }
  const record = await page.collect();
  const matched = matchTransitions(transitions, record);
  const from = Math.min(...transitions.map((t) => t.at));
  return {
    latencies: matched.latencies,
    frames: frameGaps(record.frames, from, matched.lastShownAt),
    coalesced: matched.coalesced,
    unseen: matched.unseen,
    spanMs: matched.lastShownAt - from,
  };
}

/** Ours: a run of the stack's workflow, shown on the board. */
async function oursRun(
  stack: MonitorStack,
  workflowId: WorkflowId,
  watcher: RunWatcher,
  board: RecordedPage,
): Promise<{ side: Side; batches: EventBatch[] }> {
  await board.showNoRun();
  await board.reset();
  const { batches } = await watcher.record(() => startRun(stack, workflowId));
  checkRun(batches, SHAPE.nodes);
  const side = await measured(
    board,
    transitionsOf(batches, (_b, at) => at),
    'ours',
  );
  return { side, batches };
}

/** Waits until the wall clock reads `t`. */
async function until(t: number): Promise<void> {
  for (let left = t - wallClock(); left > 0; left = t - wallClock()) {
    if (left > 2) await sleep(left - 1);
    else await new Promise((resolve) => setImmediate(resolve));
  }
}

/** The anchor: `batches` replayed to the bare page with their recorded pacing. */
async function anchorRun(
  server: BareEchoServer,
  bare: RecordedPage,
  batches: readonly EventBatch[],
): Promise<Side> {
  await bare.clearStates();
  await bare.reset();
  const first = batches[0]!.arrivedAt;
  const start = wallClock() + 20;
  const sentAt = new Map<EventBatch, number>();
  for (const batch of batches) {
    await until(start + (batch.arrivedAt - first));
    sentAt.set(batch, Date.now());
    server.send(batch.text);
  }
  return measured(
    bare,
    transitionsOf(batches, (b) => sentAt.get(b)!),
    'anchor',
  );
}

function cases(ours: readonly Side[], anchor: readonly Side[], notes: string[]): BenchCase[] {
  const n = SHAPE.nodes.toLocaleString('en');
  const anchorName = `bare ws server → bare page of ${n} divs (JSON.parse, setAttribute), same messages and pacing`;
  const lat = (sides: readonly Side[], p: 'p50' | 'p99') => sides.map((s) => p50p99(s.latencies)[p]);
  const frame = (sides: readonly Side[], p: 'p50' | 'p99') => sides.map((s) => p50p99(s.frames)[p]);
  const latencySamples = ours.reduce((sum, s) => sum + s.latencies.length, 0);
  const frameSamples = ours.reduce((sum, s) => sum + s.frames.length, 0);
  const latencyCase = `journal record → board DOM, ${n}-node run (${SHAPE.nodes / SHAPE.width} layers × ${SHAPE.width})`;
  const frameCase = `frame time while a ${n}-node run streams its states`;
  const target = (values: number[], goal: number) => values.map(() => goal);
  notes.push(
    `latency samples per side: ${latencySamples} ours, ${anchor.reduce((s, x) => s + x.latencies.length, 0)} anchor; frame gaps: ${frameSamples} ours, ${anchor.reduce((s, x) => s + x.frames.length, 0)} anchor`,
  );
  return [
    summarise(
      {
        case: latencyCase,
        metric: 'p50_ms',
        anchor_name: anchorName,
        goal_ratio: GOAL.latencyP50,
        samples: latencySamples,
        direction: Direction.cost,
      },
      lat(ours, 'p50'),
      lat(anchor, 'p50'),
    ),
    summarise(
      {
        case: latencyCase,
        metric: 'p99_ms',
        anchor_name: anchorName,
        goal_ratio: GOAL.latencyP99,
        samples: latencySamples,
        direction: Direction.cost,
      },
      lat(ours, 'p99'),
      lat(anchor, 'p99'),
    ),
    summarise(
      {
        case: `${latencyCase}: against the target`,
        metric: 'p99_ms',
        anchor_name: `target: p99 ≤ ${GOAL.latencyTargetMs} ms, perceived as instant (absolute target)`,
        goal_ratio: 1,
        samples: latencySamples,
        direction: Direction.cost,
      },
      lat(ours, 'p99'),
      target(lat(ours, 'p99'), GOAL.latencyTargetMs),
    ),
    summarise(
      {
        case: frameCase,
        metric: 'p50_ms',
        anchor_name: 'the bare page during the same replay',
        goal_ratio: GOAL.frameP50,
        samples: frameSamples,
        direction: Direction.cost,
      },
      frame(ours, 'p50'),
      frame(anchor, 'p50'),
    ),
    summarise(
      {
        case: frameCase,
        metric: 'p99_ms',
        anchor_name: 'the bare page during the same replay',
        goal_ratio: GOAL.frameP99,
        samples: frameSamples,
        direction: Direction.cost,
      },
      frame(ours, 'p99'),
      frame(anchor, 'p99'),
    ),
    summarise(
      {
        case: `${frameCase}: against the target`,
        metric: 'p99_ms',
        anchor_name: `target: p99 ≤ ${GOAL.frameTargetMs} ms, usable (absolute target)`,
        goal_ratio: 1,
        samples: frameSamples,
        direction: Direction.cost,
      },
      frame(ours, 'p99'),
      target(frame(ours, 'p99'), GOAL.frameTargetMs),
    ),
  ];
}

/** Everything started for the measurement, stopped by {@link stopBench}. */
interface Bench {
  readonly stack: MonitorStack;
  readonly browser?: Browser;
  readonly server?: BareEchoServer;
  readonly watcher?: RunWatcher;
}

/** What the pairs need, once all of it is up. */
interface Running {
  readonly stack: MonitorStack;
  readonly workflowId: WorkflowId;
  readonly watcher: RunWatcher;
  readonly server: BareEchoServer;
  readonly board: RecordedPage;
  readonly bare: RecordedPage;
}

/**
 * Starts the stack, Chromium and the anchor: the owner's page creates the document the workflow
 * reads from the workspace home (the board checks the document is in the workspace), the workflow
 * is shared, and the board opens on it. `bench` collects what to stop even when a step fails.
 */
async function setUp(bench: { -readonly [K in keyof Bench]: Bench[K] }): Promise<Running> {
  const { stack } = bench;
  const browser = await launchChromium();
  bench.browser = browser;
  const board = await RecordedPage.signedIn(browser, stack);
  const documentId = await board.createDocument('Notes');
  const { workflowId, nodeIds } = await shareBenchWorkflow(stack, SHAPE, documentId);
  await board.openBoard(workflowId, SHAPE.nodes);
  const server = await BareEchoServer.start(barePage(nodeIds, SHAPE.columns));
  bench.server = server;
  const bare = await RecordedPage.bare(browser, server.url, SHAPE.nodes);
  const watcher = await RunWatcher.open(stack, workflowId);
  bench.watcher = watcher;
  return { stack, workflowId, watcher, server, board, bare };
}

async function stopBench(bench: Bench): Promise<void> {
  bench.watcher?.close();
  await bench.browser?.close();
  await bench.server?.close();
  await bench.stack.stop();
}

/** The A B A B pairs: each ours run, then the anchor replaying that run's messages. */
async function measure(running: Running, notes: string[]) {
  const { stack, workflowId, watcher, server, board, bare } = running;
  let last: EventBatch[] = [];
  const toSocket: number[] = [];
  const sides = await alternate<Side>({
    warmup: WARMUP,
    pairs: PAIRS,
    ours: async () => {
      const run = await oursRun(stack, workflowId, watcher, board);
      last = run.batches;
      for (const t of transitionsOf(run.batches, (b, at) => b.arrivedAt - at)) toSocket.push(t.at);
      return run.side;
    },
    anchor: () => anchorRun(server, bare, last),
    onPair: (i, o, a) => {
      const [ol, al, of, af] = [o!.latencies, a.latencies, o!.frames, a.frames].map(p50p99);
      console.log(
        `pair ${i + 1}/${PAIRS}: latency p50 ${round(ol!.p50)} vs ${round(al!.p50)} ms, p99 ${round(ol!.p99)} vs ${round(al!.p99)} ms; ` +
          `frames p50 ${round(of!.p50)} vs ${round(af!.p50)} ms, p99 ${round(of!.p99)} vs ${round(af!.p99)} ms; ` +
          `coalesced ${o!.coalesced} vs ${a.coalesced}, run shown in ${round(o!.spanMs)} ms`,
      );
      notes.push(
        `pair ${i + 1}: ours ${o!.latencies.length} samples (${o!.coalesced} coalesced, ${o!.unseen} never shown), shown over ${round(o!.spanMs)} ms; anchor ${a.latencies.length} samples (${a.coalesced} coalesced, ${a.unseen} never shown)`,
      );
    },
  });
  return { ...sides, toSocket: p50p99(toSocket) };
}

async function main(): Promise<void> {
  if (!chromiumInstalled()) {
    console.log(`monitor: skipped, no Chromium at ${CHROMIUM} (apt-get install chromium); nothing measured`);
    return;
  }
  const bench: { -readonly [K in keyof Bench]: Bench[K] } = { stack: await startStack() };
  try {
    const running = await setUp(bench);
    const skew = Math.max(
      ...(await Promise.all([running.board.clockSkew(), running.bare.clockSkew()])).map(Math.abs),
    );
    const notes: string[] = [];
    const { ours, anchor, toSocket } = await measure(running, notes);
    notes.unshift(
      `clocks: the page's performance.timeOrigin + now() and Date.now() agree within ${skew} ms; the executor, the pages and the anchor read one machine's clock. A record's at is Date.now() (whole ms, rounded down) and so is the anchor's send time, so both sides carry the same 0–1 ms`,
      `record's at → the same events message at a watcher of the live stream (journal fsync + fan-out + socket), over the recorded runs: p50 ${round(toSocket.p50)} ms, p99 ${round(toSocket.p99)} ms`,
      'a transition the board never showed on its own (a later state of the node came in the same render) counts at the time the later state appeared',
    );
    if ([...ours, ...anchor].some((s) => s.unseen > 0))
      notes.push('some transitions were never shown: see the pairs');
    const result = cases(ours, anchor, notes);
    notes.push(`run shown in (median over pairs): ${round(median(ours.map((s) => s.spanMs)))} ms`);
    console.table(
      result.map(({ case: c, metric, ours: o, anchor: a, ratio, goal_ratio }) => ({
        case: c,
        metric,
        ours: o,
        anchor: a,
        ratio,
        goal_ratio,
      })),
    );
    for (const note of notes) console.log(`note: ${note}`);
    console.log(`wrote ${writeResult({ name: 'monitor', cases: result, notes })}`);
  } catch (error) {
    if (bench.browser !== undefined) {
      for (const shot of await screenshots(bench.browser))
        console.error(`monitor: the page at failure: ${shot}`);
    }
    throw error;
  } finally {
    await stopBench(bench);
  }
}

await main();
