/**
 * One timed run of each side: ours (the executor on a fresh file journal, run to the end) and the
 * anchor (the bare Kahn loop), plus the data folders they need and their clean-up.
 */
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Executor } from '@symphony/orchestrator';
import { type ArtifactStore, type DagTracker, FileDagTracker, FsArtifactStore } from '@symphony/pit';
import type { ArtifactHash, RunSource, Workflow } from '@symphony/schemas';
import { BareArtifactStore } from './bare-store.ts';
import { benchLibrary, benchSteps, kahnRun, nodeCount } from './workload.ts';

/** Every folder this run writes lives here: on the repository's disk (real fsync), never `/tmp`. */
export const DATA_ROOT = join(process.cwd(), '.test-output', `bench-orchestrator-${process.pid}`);

let dirCount = 0;

/** A new empty folder under {@link DATA_ROOT}. */
function freshDir(what: string): string {
  const dir = join(DATA_ROOT, `${++dirCount}-${what}`);
  mkdirSync(dir, { recursive: true });
  return dir;
}

/** Removes everything this benchmark wrote. */
export function cleanUp(): void {
  rmSync(DATA_ROOT, { recursive: true, force: true });
}

/** Which ArtifactStore the executor stores outputs in. */
export const StoreKind = { bare: 'bare', fs: 'fs' } as const;
export type StoreKind = (typeof StoreKind)[keyof typeof StoreKind];

/** How ours runs: the executor's concurrency limit and its store. */
export interface OursConfig {
  readonly concurrency: number;
  readonly store: StoreKind;
}

/** What one executor run took, in milliseconds of wall time. */
export interface OursTiming {
  /** From `start()` called to `done` resolved: validation, pinning, every node, `run.finished` durable. */
  readonly totalMs: number;
  /** From `start()` called to its handle: parse, validation, graph, claim, `run.started` durable. */
  readonly startMs: number;
  /** `record` calls the run made (one in flight at a time: each waits for the disk in turn). */
  readonly rounds: number;
  /** Their summed wall time (parse, encode, write with O_DSYNC): the run's time in its journal. */
  readonly journalMs: number;
}

/** The tracker with its `record` calls counted and timed (the other methods pass straight through). */
function timedTracker(tracker: DagTracker): { tracker: DagTracker; rounds: () => number; ms: () => number } {
  let rounds = 0;
  let ms = 0;
  const timed: DagTracker = {
    async record(...events) {
      rounds++;
      const t0 = performance.now();
      try {
        await tracker.record(...events);
      } finally {
        ms += performance.now() - t0;
      }
    },
    history: (runId) => tracker.history(runId),
    runs: () => tracker.runs(),
    subscribe: (listener, runId) => tracker.subscribe(listener, runId),
    close: () => tracker.close(),
  };
  return { tracker: timed, rounds: () => rounds, ms: () => ms };
}

/**
 * Lets the machine settle off the clock before each timed side, so the garbage one side left
 * (10,000 nodes' worth) is less likely to be collected on the other's time.
 */
const settle = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 50));

/** The source a run records: a file and its hash (the workflow is handed over as an object). */
const source: RunSource = { kind: 'file', path: 'bench.json', hash: '0'.repeat(64) as ArtifactHash };

/**
 * Runs `workflow` once on a fresh executor, as `symphony run` sets one up: a `FileDagTracker` and
 * the run claims in a fresh runs folder, caching off. Opening and closing the journal, the store and
 * the folders are off the clock. Throws unless the run succeeded with every node.
 */
export async function runOurs(workflow: Workflow, config: OursConfig): Promise<OursTiming> {
  const runsDir = freshDir('runs');
  const artifactsDir = freshDir('artifacts');
  const tracker = await FileDagTracker.open(runsDir);
  const journal = timedTracker(tracker);
  const store: ArtifactStore =
    config.store === StoreKind.fs ? await FsArtifactStore.open(artifactsDir) : new BareArtifactStore();
  const executor = new Executor({
    tracker: journal.tracker,
    store,
    steps: benchSteps,
    library: benchLibrary,
    runsDir,
    limits: { concurrency: config.concurrency },
  });
  try {
    await settle();
    const t0 = performance.now();
    const handle = await executor.start({ workflow, source, options: { cache: false } });
    const t1 = performance.now();
    const state = await handle.done;
    const t2 = performance.now();
    const expected = nodeCount(workflow);
    if (state.status !== 'succeeded' || state.counts.succeeded !== expected) {
      throw new Error(
        `orchestrator bench: the run ended ${state.status} with ${state.counts.succeeded} of ${expected} nodes succeeded`,
      );
    }
    return { totalMs: t2 - t0, startMs: t1 - t0, rounds: journal.rounds(), journalMs: journal.ms() };
  } finally {
    await executor.close();
    await tracker.close();
    await store.close();
    rmSync(runsDir, { recursive: true, force: true });
    rmSync(artifactsDir, { recursive: true, force: true });
  }
}

/** Runs the anchor once over `workflow`; milliseconds of wall time. */
export async function runKahn(workflow: Workflow): Promise<number> {
  await settle();
  const t0 = performance.now();
  const ran = await kahnRun(workflow);
  const ms = performance.now() - t0;
  if (ran !== nodeCount(workflow)) throw new Error(`orchestrator bench: Kahn ran ${ran} nodes`);
  return ms;
}
