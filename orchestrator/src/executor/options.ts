// What the executor is given: its ports (journal, store, steps, clock, randomness, logger), its
// limits with their defaults, and the schemas of its public functions' arguments.
import { type ArtifactStore, type DagTracker, PinnedWorkflow } from '@symphony/pit';
import {
  NodeId,
  NodeLibrary,
  type NodeTypeSpec,
  RunId,
  RunLimits,
  RunOptions,
  RunSource,
} from '@symphony/schemas';
import { z } from 'zod';
import type { RunDocuments, Step, StepProgress } from '../steps/Step.js';

/** An opaque timer handle of a {@link Clock}. */
export type ClockTimer = unknown;

/** Time, injected: the executor never reads `Date.now()` or calls `setTimeout` itself. */
export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
  setTimeout(callback: () => void, ms: number): ClockTimer;
  clearTimeout(timer: ClockTimer): void;
}

/** The real clock. */
export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout: (callback, ms) => setTimeout(callback, ms),
  clearTimeout: (timer) => clearTimeout(timer as NodeJS.Timeout),
};

/** Where the executor reports what a person should know but no caller asked for. */
export interface ExecutorLogger {
  warn(message: string, details?: Readonly<Record<string, unknown>>): void;
  error(message: string, details?: Readonly<Record<string, unknown>>): void;
}

/** The default logger: `console.warn` / `console.error`. */
export const consoleLogger: ExecutorLogger = {
  warn: (message, details) => console.warn(message, details ?? ''),
  error: (message, details) => console.error(message, details ?? ''),
};

/** The executor's limits. Every field has a default ({@link defaultExecutorLimits}). */
export interface ExecutorLimits {
  /** Nodes running at once in one run, over all node types (a step's `concurrency` limits its type). */
  readonly concurrency: number;
  /** Per-attempt timeout of a step that does not set its own. */
  readonly timeoutMs: number;
  /** Attempts of a step that does not set its own, the first included. */
  readonly maxAttempts: number;
  /** Backoff before the second attempt; doubled for each further one, up to `backoffMaxMs`. */
  readonly backoffBaseMs: number;
  readonly backoffMaxMs: number;
  /** How long an aborted step may take to stop before it is abandoned (its late result ignored). */
  readonly graceMs: number;
  /** The largest output value a step may return, encoded. */
  readonly maxOutputBytes: number;
  /** How often an executing run looks for a cancellation asked for by another process. */
  readonly cancelPollMs: number;
}

/** Defaults: see each value's reason. */
export const defaultExecutorLimits: ExecutorLimits = {
  /** 8: enough to overlap I/O-bound steps on a laptop without flooding a model provider. */
  concurrency: 8,
  /** 10 minutes: longer than any built-in step needs for a large input; remote models set their own. */
  timeoutMs: 10 * 60 * 1000,
  /** 3: one retry for a blip and one for a longer outage, then the error is the user's to see. */
  maxAttempts: 3,
  /** 1 s doubling to at most 1 min: a rate limit usually clears within that. */
  backoffBaseMs: 1000,
  backoffMaxMs: 60_000,
  /** 5 s: a step that honours its signal stops well within it. */
  graceMs: 5000,
  maxOutputBytes: RunLimits.maxOutputBytes,
  /** 250 ms: a cancellation from the CLI shows within a quarter second. */
  cancelPollMs: 250,
};

/** Step progress as the executor reports it: which run, node and attempt it belongs to. */
export interface ProgressEvent {
  readonly runId: RunId;
  readonly nodeId: NodeId;
  readonly attempt: number;
  readonly progress: StepProgress;
}

/** Everything an executor works with. Only `tracker`, `store` and `steps` are required. */
export interface ExecutorOptions {
  readonly tracker: DagTracker;
  readonly store: ArtifactStore;
  /** The step of each node type it can run, by type. */
  readonly steps: ReadonlyMap<string, Step>;
  /** The node types workflows are validated against (default: the shared `NodeLibrary`). */
  readonly library?: ReadonlyMap<string, NodeTypeSpec>;
  readonly clock?: Clock;
  /** Randomness in [0, 1) for backoff jitter (default `Math.random`). */
  readonly random?: () => number;
  readonly logger?: ExecutorLogger;
  /** Documents for `read-document`/`write-document`, when the run has a team server. */
  readonly documents?: RunDocuments;
  readonly limits?: Partial<ExecutorLimits>;
  /**
   * The folder of run claims and cancellation requests (`.symphony/runs`, beside the file
   * journal). Absent: no claims, and cancellation only through this executor (tests, embedding).
   */
  readonly runsDir?: string;
  /** Makes run ids from the clock's time (default: {@link newRunId}); tests may inject their own. */
  readonly newRunId?: (now: number) => RunId;
}

const RUN_ID_ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789';

/**
 * A fresh run id: `run_`, then 9 base-36 digits of `now` (ms since the epoch, enough until the
 * year 5188) so ids sort by start time (the file journal lists runs by name), then 11 base-36
 * characters from the system's random source (56 bits: two runs started in the same millisecond
 * never collide in practice).
 */
export function newRunId(now: number = Date.now()): RunId {
  const bytes = new Uint8Array(11);
  globalThis.crypto.getRandomValues(bytes);
  let id = `run_${Math.max(0, Math.floor(now)).toString(36).padStart(9, '0').slice(-9)}`;
  for (const byte of bytes) id += RUN_ID_ALPHABET[byte % 36];
  return id as RunId;
}

/**
 * The arguments of `Executor.start`. The workflow is parsed with the `Workflow` schema and pinned
 * (see `PinnedWorkflow` in `@symphony/pit`), so the journal takes it without a second parse.
 */
export const StartArgs = z.object({
  workflow: PinnedWorkflow,
  source: RunSource,
  options: RunOptions.default(RunOptions.parse({})),
  startedBy: z.string().max(320).optional(),
});
export type StartArgs = z.input<typeof StartArgs>;

/** The arguments of `Executor.rerun`. */
export const RerunArgs = z.object({
  workflow: PinnedWorkflow,
  source: RunSource,
  /** Re-run from this node: it and its descendants run again, everything else comes from the old run. */
  from: NodeId.optional(),
  /** Run options; those of the old run by default. */
  options: RunOptions.pick({ cache: true, grants: true }).partial().optional(),
  startedBy: z.string().max(320).optional(),
});
export type RerunArgs = z.input<typeof RerunArgs>;

/** A run id argument. */
export const RunIdArg = RunId;
/** An optional node id argument (cancellation of one node). */
export const OptionalNodeIdArg = NodeId.optional();

/** The options with every default filled in. */
export interface ResolvedExecutorOptions {
  readonly tracker: DagTracker;
  readonly store: ArtifactStore;
  readonly steps: ReadonlyMap<string, Step>;
  readonly library: ReadonlyMap<string, NodeTypeSpec>;
  readonly clock: Clock;
  readonly random: () => number;
  readonly logger: ExecutorLogger;
  readonly documents: RunDocuments | undefined;
  readonly limits: ExecutorLimits;
  readonly runsDir: string | undefined;
  readonly newRunId: (now: number) => RunId;
}

const port = (name: string) =>
  z.custom<unknown>(
    (v) => typeof v === 'object' && v !== null,
    `${name} must be an object implementing the port`,
  );

const fn = (name: string) => z.custom<unknown>((v) => typeof v === 'function', `${name} must be a function`);

const StepsSchema = z.custom<ReadonlyMap<string, Step>>(
  (v) =>
    v instanceof Map &&
    [...v].every(
      ([type, step]) =>
        typeof step === 'object' &&
        step !== null &&
        (step as Step).type === type &&
        typeof (step as Step).version === 'string' &&
        typeof (step as Step).deterministic === 'boolean' &&
        typeof (step as Step).run === 'function',
    ),
  'steps must be a Map from node type to a Step whose `type` is that key, with `version`, `deterministic` and `run`',
);

const positive = z.number().int().positive();

/** The executor's options, checked: ports present, limits positive integers. */
const ExecutorOptionsSchema = z.object({
  tracker: port('tracker'),
  store: port('store'),
  steps: StepsSchema,
  library: z.instanceof(Map).optional(),
  clock: port('clock').optional(),
  random: fn('random').optional(),
  logger: port('logger').optional(),
  documents: port('documents').optional(),
  limits: z
    .object({
      concurrency: positive,
      timeoutMs: positive,
      maxAttempts: positive.max(1000),
      backoffBaseMs: z.number().int().nonnegative(),
      backoffMaxMs: z.number().int().nonnegative(),
      graceMs: z.number().int().nonnegative(),
      maxOutputBytes: positive,
      cancelPollMs: positive,
    })
    .partial()
    .optional(),
  runsDir: z.string().min(1).optional(),
  newRunId: fn('newRunId').optional(),
});

/** Checks `options` and fills in the defaults. Throws `OrchestratorInputError` (via `check`). */
export function resolveOptions(
  options: ExecutorOptions,
  check: (schema: z.ZodType, value: unknown) => void,
): ResolvedExecutorOptions {
  check(ExecutorOptionsSchema, options);
  return {
    tracker: options.tracker,
    store: options.store,
    steps: options.steps,
    library: options.library ?? NodeLibrary,
    clock: options.clock ?? systemClock,
    random: options.random ?? Math.random,
    logger: options.logger ?? consoleLogger,
    documents: options.documents,
    limits: { ...defaultExecutorLimits, ...options.limits },
    runsDir: options.runsDir,
    newRunId: options.newRunId ?? newRunId,
  };
}
