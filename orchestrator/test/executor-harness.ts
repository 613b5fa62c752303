// What the executor's integration tests share: an executor over a MemoryDagTracker and a
// MemoryArtifactStore with a manual clock, steps that count their calls, gates, event waiters.
import { MemoryArtifactStore, MemoryDagTracker, type RunState } from '@symphony/pit';
import type { RunEvent, RunId, RunSource } from '@symphony/schemas';
import * as prng from 'lib0/prng';
import { Executor, type ExecutorLimits, type ExecutorOptions } from '../src/index.js';
import { ManualClock, testLibrary, testSteps } from '../src/internal.js';
import type { Step, StepContext } from '../src/steps/Step.js';

/** The source every test run claims to come from. */
export const source: RunSource = {
  kind: 'file',
  path: 'test.workflow.json',
  hash: '0'.repeat(64),
} as RunSource;

/** A seed printed with every failure of a test that uses randomness. */
export const SEED = Number(process.env.EXECUTOR_SEED ?? 20260101);

/** One call of a step, as the counting steps saw it. */
export interface Call {
  readonly nodeId: string;
  readonly attempt: number;
  readonly idempotencyKey: string;
  readonly effectKey: string;
  readonly inputs: Readonly<Record<string, readonly unknown[]>>;
}

/** An executor and everything around it. */
export interface Harness {
  readonly tracker: MemoryDagTracker;
  readonly store: MemoryArtifactStore;
  readonly clock: ManualClock;
  readonly warnings: string[];
  readonly errors: string[];
  readonly calls: Call[];
  readonly executor: Executor;
  /** Another executor over the same journal and store, as a restarted process would open them. */
  restart(options?: Partial<HarnessOptions>): Executor;
}

/** What a test may change. */
export interface HarnessOptions {
  /** Step overrides by node type (see `testSteps`). */
  readonly steps: Readonly<Record<string, Partial<Step>>>;
  readonly limits: Partial<ExecutorLimits>;
  readonly runsDir: string;
  readonly random: () => number;
}

/** A harness; the steps record every call in `calls` before running. */
export function harness(options: Partial<HarnessOptions> = {}): Harness {
  let tracker = new MemoryDagTracker();
  let store = new MemoryArtifactStore();
  const clock = new ManualClock();
  const warnings: string[] = [];
  const errors: string[] = [];
  const calls: Call[] = [];
  const make = (opts: Partial<HarnessOptions>): Executor => {
    const steps = new Map<string, Step>();
    for (const [type, step] of testSteps(opts.steps ?? {})) {
      steps.set(type, {
        ...step,
        run: (context: StepContext) => {
          calls.push({
            nodeId: context.nodeId,
            attempt: context.attempt,
            idempotencyKey: context.idempotencyKey,
            effectKey: context.effectKey,
            inputs: context.inputs,
          });
          return step.run(context);
        },
      });
    }
    const executorOptions: ExecutorOptions = {
      tracker,
      store,
      steps,
      library: testLibrary,
      clock,
      random: opts.random ?? seeded(SEED),
      logger: { warn: (m) => warnings.push(m), error: (m) => errors.push(m) },
      limits: opts.limits ?? {},
      ...(opts.runsDir !== undefined ? { runsDir: opts.runsDir } : {}),
    };
    return new Executor(executorOptions);
  };
  const h: Harness = {
    get tracker() {
      return tracker;
    },
    get store() {
      return store;
    },
    clock,
    warnings,
    errors,
    calls,
    executor: make(options),
    restart: (more = {}) => {
      tracker = tracker.reopen();
      store = store.reopen();
      return make({ ...options, ...more });
    },
  };
  return h;
}

/** A seeded random source in [0, 1). */
export function seeded(seed: number): () => number {
  const gen = prng.create(seed);
  return () => prng.real53(gen);
}

/** Resolves with the first event recorded from now on that matches. */
export function nextEvent(
  tracker: MemoryDagTracker,
  matches: (event: RunEvent) => boolean,
): Promise<RunEvent> {
  return new Promise((resolve) => {
    const stop = tracker.subscribe((event) => {
      if (!matches(event)) return;
      stop();
      resolve(event);
    });
  });
}

/** Resolves once the run's history holds an event that matches (recorded before or after the call). */
export async function eventually(
  tracker: MemoryDagTracker,
  runId: RunId,
  matches: (event: RunEvent) => boolean,
): Promise<RunEvent> {
  const waiting = nextEvent(tracker, (e) => e.runId === runId && matches(e));
  const found = (await tracker.history(runId)).find(matches);
  return found ?? waiting;
}

/** The node states of a final run state, by node id. */
export function statesOf(state: RunState): Record<string, string> {
  return Object.fromEntries([...state.nodes].map(([id, node]) => [id, node.state]));
}

/** A promise a test resolves by hand. */
export interface Gate<T = void> {
  readonly promise: Promise<T>;
  open(value: T): void;
}

export function gate<T = void>(): Gate<T> {
  let open!: (value: T) => void;
  const promise = new Promise<T>((resolve) => {
    open = resolve;
  });
  return { promise, open };
}

/** A step run that waits until its signal is aborted, then rejects with the signal's reason. */
export function untilAborted(context: StepContext): Promise<never> {
  return new Promise((_, reject) => {
    if (context.signal.aborted) reject(context.signal.reason);
    context.signal.addEventListener('abort', () => reject(context.signal.reason), { once: true });
  });
}

/** Waits for pending promise callbacks and I/O callbacks to run. */
export function settle(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
