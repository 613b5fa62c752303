/**
 * The executor: runs workflows durably on the Pit's run journal (DagTracker) and ArtifactStore.
 *
 * ## Durability order
 * Every state change is a journal record, and a record is durable before anything is done on the
 * strength of it. Records made in the same turn go in one `record` call (one fsync for many), one
 * call in flight per run, so a run's records are always a prefix of what was made, in order.
 *
 * 1. `run.started` (the pinned workflow, source and options) is durable before any node runs;
 *    a refused workflow records nothing.
 * 2. `node.running` (attempt n) is durable before the step is called. A process killed during the
 *    step leaves the node `running`: on resume it runs again with the same attempt, so the step
 *    sees the same idempotency key `runId/nodeId/attempt` (at-least-once, deduplicable).
 * 3. Outputs are stored in the ArtifactStore (durably, with provenance) before `node.succeeded`
 *    names their hashes; `node.succeeded` is durable before any downstream step is called (the
 *    downstream `node.running` comes after it in the journal, often in the same call). A process
 *    killed between storing and recording runs the node again; its outputs land on the same
 *    content addresses.
 * 4. The cache entry is written after `node.succeeded` is durable; a lost entry only costs a re-run.
 *    A cache hit is trusted only after its blobs are read back intact; otherwise the node runs.
 * 5. `node.retrying` (with `retryAt`) is durable before the next attempt is planned, so a restart
 *    waits for the same `retryAt` and uses the next attempt number.
 * 6. `run.finished` comes after every node's final record; the run's claim is released after it.
 *
 * Only one process executes a run: a claim file `<runsDir>/<runId>.owner` (see `run-claims.ts`).
 * A cancellation from another process goes through `<runsDir>/<runId>.cancel`, polled by the owner;
 * with no live owner the canceller records the cancellation itself.
 *
 * @module
 */
import { foldRun, type RunState } from '@symphony/pit';
import {
  type Finding,
  FindingCode,
  type NodeId,
  NodeKind,
  type RunEvent,
  type RunId,
  RunOptions,
  type RunSource,
  validateWorkflow,
  type Workflow,
} from '@symphony/schemas';
import {
  ExecutorClosedError,
  inputError,
  parseArgs,
  RunClaimedError,
  RunNotFoundError,
  WorkflowRefusedError,
} from './errors.js';
import { buildRunGraph, descendants, type RunGraph } from './graph.js';
import { JournalWriter } from './journal-writer.js';
import { offlineCancelEvents } from './offline-cancel.js';
import {
  type ExecutorOptions,
  OptionalNodeIdArg,
  type ProgressEvent,
  RerunArgs,
  type ResolvedExecutorOptions,
  RunIdArg,
  resolveOptions,
  StartArgs,
} from './options.js';
import { RunExecution } from './RunExecution.js';
import { type Reused, reusedByRerun } from './rerun.js';
import { claimRun, liveOwner, type RunClaim, requestCancel } from './run-claims.js';

/** A run started or resumed by an executor. */
export interface RunHandle {
  readonly runId: RunId;
  /** The final state, once `run.finished` is durable; rejects when the run stops unfinished here. */
  readonly done: Promise<RunState>;
  /** Asks to cancel the run, or one node; resolves once the request is durable. */
  cancel(nodeId?: NodeId): Promise<void>;
}

/** What `Executor.cancel` did. */
export type CancelOutcome =
  /** The run executes in this executor: the request is recorded and carried out. */
  | 'requested'
  /** Another live process executes it: the request was left for it to read. */
  | 'delivered'
  /** Nobody executes it: the cancellation (and, for a whole run, its end) was recorded here. */
  | 'recorded'
  /** The run had already finished: nothing to do. */
  | 'finished';

/**
 * Every run executing in this process, whichever executor runs it: two executors of one process
 * never execute the same run, and either can cancel it, with or without a runs folder.
 */
const executing = new Map<RunId, RunExecution>();
/** Runs a `resume` in this process is preparing (between its checks and its execution). */
const resuming = new Set<RunId>();

interface LaunchArgs {
  readonly workflow: Workflow;
  readonly source: RunSource;
  readonly options: RunOptions;
  readonly startedBy: string | undefined;
}

/**
 * Runs workflows. Everything it touches comes in through {@link ExecutorOptions}: the journal, the
 * store, the steps, the clock, randomness, the logger, documents and limits. See the module
 * comment for the order in which records are made durable and acted on.
 */
export class Executor {
  readonly #o: ResolvedExecutorOptions;
  readonly #executions = new Map<RunId, RunExecution>();
  readonly #listeners = new Set<(event: ProgressEvent) => void>();
  #closed = false;

  constructor(options: ExecutorOptions) {
    this.#o = resolveOptions(options, (schema, value) => parseArgs('new Executor', schema, value));
  }

  /**
   * Validates and starts a run. Throws `WorkflowRefusedError` (with the findings) when validation
   * finds an error or a node type has no step here — nothing is recorded then — and
   * `OrchestratorInputError` for malformed arguments. Resolves once `run.started` is durable.
   */
  async start(args: StartArgs): Promise<RunHandle> {
    this.#open();
    const parsed = parseArgs('Executor.start', StartArgs, args);
    return this.#launch({ ...parsed, startedBy: parsed.startedBy }, undefined);
  }

  /**
   * Continues an unfinished run from its journal: succeeded and cached nodes never run again, a
   * node that was running runs again with the same attempt, a retrying one waits for its
   * `retryAt`. A finished run gives a handle whose `done` is its final state. Throws
   * `RunNotFoundError`, or `RunClaimedError` when a live process executes it.
   */
  async resume(runId: RunId): Promise<RunHandle> {
    this.#open();
    const id = parseArgs('Executor.resume', RunIdArg, runId);
    if (executing.has(id) || resuming.has(id)) throw new RunClaimedError(id, process.pid);
    resuming.add(id);
    let claim: RunClaim | undefined;
    try {
      claim = await this.#claim(id);
      const history = await this.#o.tracker.history(id);
      if (history.length === 0) throw new RunNotFoundError(id);
      const state = foldRun(history);
      if (state.status !== 'running') {
        await claim?.release();
        return { runId: id, done: Promise.resolve(state), cancel: async () => {} };
      }
      const graph = this.#admit(state.workflow);
      const previous = await this.#previous(state.options);
      return this.#execute(state, graph, new JournalWriter(this.#o.tracker), claim, previous, true);
    } catch (error) {
      await claim?.release();
      throw error;
    } finally {
      resuming.delete(id);
    }
  }

  /**
   * Resumes every unfinished run that no live process executes (what a restart does). Runs that
   * cannot be resumed here (a node type with no step) are reported to the logger and left alone.
   */
  async resumeAll(): Promise<RunHandle[]> {
    this.#open();
    const handles: RunHandle[] = [];
    for (const runId of await this.#o.tracker.runs()) {
      if (executing.has(runId)) continue;
      if (this.#o.runsDir !== undefined && (await liveOwner(this.#o.runsDir, runId)) !== undefined) continue;
      try {
        // Inside the try: a damaged journal (JournalCorruptError) stops that run only, not the others.
        const history = await this.#o.tracker.history(runId);
        if (history.length === 0 || history.some((e) => e.type === 'run.finished')) continue;
        handles.push(await this.resume(runId));
      } catch (error) {
        if (error instanceof RunClaimedError) continue;
        this.#o.logger.error(
          `run ${runId} cannot be resumed here: ${error instanceof Error ? error.message : String(error)}`,
          {
            runId,
          },
        );
      }
    }
    return handles;
  }

  /**
   * A new run of `workflow` (the workflow as it is now) re-running run `runId`. With `from`, the
   * nodes outside `from` and its descendants whose type, params and wiring are unchanged take the
   * old run's outputs (`node.cached`, `fromRun` = the old run); `from` and its descendants run,
   * without the cache. Options default to the old run's.
   */
  async rerun(runId: RunId, args: RerunArgs): Promise<RunHandle> {
    this.#open();
    const id = parseArgs('Executor.rerun', RunIdArg, runId);
    const parsed = parseArgs('Executor.rerun', RerunArgs, args);
    const history = await this.#o.tracker.history(id);
    if (history.length === 0) throw new RunNotFoundError(id);
    const previous = foldRun(history);
    const from = parsed.from;
    if (from !== undefined) {
      const node = parsed.workflow.nodes[from];
      if (node === undefined || node.kind === NodeKind.addon) {
        throw inputError(
          'Executor.rerun',
          ['from'],
          `node ${from} is not a node that runs in the workflow; pick one from "symphony runs show ${id}"`,
        );
      }
    }
    const options = RunOptions.parse({
      cache: parsed.options?.cache ?? previous.options.cache,
      grants: parsed.options?.grants ?? previous.options.grants,
      rerunOf: id,
      ...(from !== undefined ? { from } : {}),
    });
    return this.#launch(
      { workflow: parsed.workflow, source: parsed.source, options, startedBy: parsed.startedBy },
      previous,
    );
  }

  /**
   * Cancels a run or one node of it, wherever it executes: in this executor (the request is
   * recorded and carried out), in another live process (the request is left in its cancel file),
   * or nowhere (the cancellation is recorded here, and for a whole run its end). Throws
   * `RunNotFoundError`, or `OrchestratorInputError` for a node the run does not have.
   */
  async cancel(runId: RunId, nodeId?: NodeId): Promise<CancelOutcome> {
    this.#open();
    const id = parseArgs('Executor.cancel', RunIdArg, runId);
    const node = parseArgs('Executor.cancel', OptionalNodeIdArg, nodeId);
    const execution = executing.get(id);
    if (execution !== undefined) {
      this.#checkNode(execution.state, node);
      await execution.cancel(node);
      return 'requested';
    }
    const runsDir = this.#o.runsDir;
    if (runsDir !== undefined && (await liveOwner(runsDir, id)) !== undefined) {
      await requestCancel(runsDir, id, node);
      return 'delivered';
    }
    let claim: RunClaim | undefined;
    try {
      claim = await this.#claim(id);
    } catch (error) {
      if (!(error instanceof RunClaimedError) || runsDir === undefined) throw error;
      await requestCancel(runsDir, id, node);
      return 'delivered';
    }
    try {
      const history = await this.#o.tracker.history(id);
      if (history.length === 0) throw new RunNotFoundError(id);
      const state = foldRun(history);
      if (state.status !== 'running') return 'finished';
      this.#checkNode(state, node);
      const graph = buildRunGraph(state.workflow, this.#o.library);
      await this.#o.tracker.record(...offlineCancelEvents(state, graph, node, this.#o.clock.now()));
      return 'recorded';
    } finally {
      await claim?.release();
    }
  }

  /** Calls `listener` with every step's progress (not journaled). Returns the function that stops it. */
  onProgress(listener: (event: ProgressEvent) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** The runs executing here now. */
  get running(): readonly RunId[] {
    return [...this.#executions.keys()];
  }

  /**
   * Stops every run executing here without recording anything more: steps are aborted and their
   * results ignored, claims released. The runs stay resumable (`resume`, `resumeAll`). The
   * journal and the store are the caller's to close.
   */
  async close(): Promise<void> {
    this.#closed = true;
    await Promise.all([...this.#executions.values()].map((execution) => execution.close()));
  }

  async #launch(args: LaunchArgs, previous: RunState | undefined): Promise<RunHandle> {
    const graph = this.#admit(args.workflow);
    const runId = this.#o.newRunId(this.#o.clock.now());
    const claim = await this.#claim(runId);
    const started: RunEvent = {
      type: 'run.started',
      runId,
      at: this.#o.clock.now(),
      workflow: args.workflow,
      source: args.source,
      options: args.options,
      ...(args.startedBy !== undefined ? { startedBy: args.startedBy } : {}),
    };
    const writer = new JournalWriter(this.#o.tracker);
    try {
      await writer.append(started);
    } catch (error) {
      await claim?.release();
      throw error;
    }
    return this.#execute(foldRun([started]), graph, writer, claim, previous, false);
  }

  #execute(
    state: RunState,
    graph: RunGraph,
    writer: JournalWriter,
    claim: RunClaim | undefined,
    previous: RunState | undefined,
    resumed: boolean,
  ): RunHandle {
    const { from } = state.options;
    const fromIndex = from === undefined ? undefined : graph.index.get(from);
    const rerun = fromIndex === undefined ? new Set<number>() : descendants(graph, [fromIndex]);
    const reused: ReadonlyMap<number, Reused> =
      previous !== undefined && from !== undefined
        ? reusedByRerun(previous, graph, state.workflow, from)
        : new Map();
    const execution = new RunExecution({
      options: this.#o,
      state,
      resumed,
      graph,
      writer,
      claim,
      reused,
      rerun,
      progress: (event) => this.#progress(event),
      onEnd: () => {
        if (this.#executions.get(state.runId) === execution) this.#executions.delete(state.runId);
        if (executing.get(state.runId) === execution) executing.delete(state.runId);
      },
    });
    this.#executions.set(state.runId, execution);
    executing.set(state.runId, execution);
    execution.begin();
    return {
      runId: state.runId,
      done: execution.done,
      cancel: async (nodeId?: NodeId) => {
        const node = parseArgs('RunHandle.cancel', OptionalNodeIdArg, nodeId);
        this.#checkNode(state, node);
        await execution.cancel(node);
      },
    };
  }

  /** The run graph of an admitted workflow; throws `WorkflowRefusedError` with the findings otherwise. */
  #admit(workflow: Workflow): RunGraph {
    const report = validateWorkflow(workflow, this.#o.library);
    const findings: Finding[] = [...report.findings];
    for (const id in workflow.nodes) {
      const node = workflow.nodes[id as NodeId]!;
      if (node.kind === NodeKind.addon || this.#o.steps.has(node.type) || !this.#o.library.has(node.type))
        continue;
      findings.push({
        code: FindingCode.unknownNodeType,
        severity: 'error',
        target: { kind: 'node', id: id as NodeId },
        message: `“${node.label ?? node.type}” is a ${node.type} node, which this orchestrator has no step to run.`,
        hint: 'Remove the node, or run the workflow where its node type is installed.',
      });
    }
    if (findings.some((f) => f.severity === 'error')) throw new WorkflowRefusedError(findings);
    return buildRunGraph(workflow, this.#o.library, report.params);
  }

  /** The run a re-run re-runs, folded; undefined when there is none (or it is gone). */
  async #previous(options: RunOptions): Promise<RunState | undefined> {
    if (options.rerunOf === undefined || options.from === undefined) return undefined;
    const history = await this.#o.tracker.history(options.rerunOf);
    return history.length === 0 ? undefined : foldRun(history);
  }

  async #claim(runId: RunId): Promise<RunClaim | undefined> {
    return this.#o.runsDir === undefined ? undefined : claimRun(this.#o.runsDir, runId, this.#o.clock.now());
  }

  #checkNode(state: RunState, nodeId: NodeId | undefined): void {
    if (nodeId === undefined || state.nodes.has(nodeId)) return;
    throw inputError(
      'Executor.cancel',
      ['nodeId'],
      `run ${state.runId} has no node ${nodeId} that runs; see "symphony runs show ${state.runId}"`,
    );
  }

  #progress(event: ProgressEvent): void {
    for (const listener of this.#listeners) {
      try {
        listener(event);
      } catch (error) {
        this.#listeners.delete(listener);
        this.#o.logger.warn('a progress listener threw and was removed', {
          error: error instanceof Error ? error.message : String(error),
        });
      }
    }
  }

  #open(): void {
    if (this.#closed) throw new ExecutorClosedError();
  }
}
