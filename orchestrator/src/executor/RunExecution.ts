// One run executing in this process: the planner's commands carried out against the journal, the
// store and the steps, each effect only after the records it depends on are durable.
import { applyRunEvent, isFinalNodeState, type RunState } from '@symphony/pit';
import {
  type ArtifactHash,
  type CallUsage,
  type NodeId,
  type RunError,
  RunErrorCode,
  type RunEvent,
  type RunId,
} from '@symphony/schemas';
import { type StepContext, StepError } from '../steps/Step.js';
import { AbortKind, type StepAbortError, StepAttempt, toRunError } from './attempt.js';
import { cacheKey } from './cache-key.js';
import { CacheWriter } from './cache-writer.js';
import { CancelPoller } from './cancel-poller.js';
import { ExecutorClosedError, JournalWriteError } from './errors.js';
import type { GraphNode, RunGraph } from './graph.js';
import type { JournalWriter } from './journal-writer.js';
import { NodeArtifacts } from './node-artifacts.js';
import type { ClockTimer, ProgressEvent, ResolvedExecutorOptions } from './options.js';
import { type FinalStatus, type PlannerCommand, RunPlanner } from './planner.js';
import type { Reused } from './rerun.js';
import { clearCancelRequests, type RunClaim } from './run-claims.js';

/** What a run's execution is built from. */
export interface RunExecutionParts {
  readonly options: ResolvedExecutorOptions;
  /** The run's state, folded from its journal (just `run.started` for a new run). */
  readonly state: RunState;
  /** Whether the state comes from a journal with more than `run.started` (a resume). */
  readonly resumed: boolean;
  readonly graph: RunGraph;
  readonly writer: JournalWriter;
  readonly claim: RunClaim | undefined;
  /** Re-run: nodes that take the old run's outputs, and the nodes that must run (no cache). */
  readonly reused: ReadonlyMap<number, Reused>;
  readonly rerun: ReadonlySet<number>;
  readonly progress: (event: ProgressEvent) => void;
  /** Called once the execution has ended (finished, failed or closed). */
  readonly onEnd: () => void;
}

/**
 * Executes one run. `begin` starts it; `done` resolves with the final state once `run.finished`
 * is durable and the cache entries are written. It rejects when the run cannot go on here (the
 * journal failed, the executor closed); the run then stays resumable.
 */
export class RunExecution {
  readonly runId: RunId;
  readonly done: Promise<RunState>;
  readonly #o: ResolvedExecutorOptions;
  readonly #parts: RunExecutionParts;
  readonly #state: RunState;
  readonly #graph: RunGraph;
  readonly #planner: RunPlanner;
  readonly #artifacts: NodeArtifacts;
  readonly #attempts = new Map<number, StepAttempt>();
  /** Usage the current attempt of each node reported (`StepContext.reportUsage`), until journaled. */
  readonly #usage = new Map<number, CallUsage>();
  readonly #cache: CacheWriter;
  readonly #poller: CancelPoller | undefined;
  #resolve!: (state: RunState) => void;
  #reject!: (error: unknown) => void;
  #wake: ClockTimer | undefined;
  #stopped = false;
  #pumping = false;
  #pumpAgain = false;

  constructor(parts: RunExecutionParts) {
    this.#parts = parts;
    this.#o = parts.options;
    this.#state = parts.state;
    this.#graph = parts.graph;
    this.runId = parts.state.runId;
    const { limits, steps } = this.#o;
    const typeConcurrency = new Map<string, number>();
    const maxAttempts = new Map<string, number>();
    for (const [type, step] of steps) {
      if (step.concurrency !== undefined) typeConcurrency.set(type, step.concurrency);
      if (step.maxAttempts !== undefined) maxAttempts.set(type, step.maxAttempts);
    }
    this.#planner = new RunPlanner(
      parts.graph,
      {
        concurrency: limits.concurrency,
        typeConcurrency,
        maxAttempts,
        defaultMaxAttempts: limits.maxAttempts,
        backoffBaseMs: limits.backoffBaseMs,
        backoffMaxMs: limits.backoffMaxMs,
      },
      this.#o.random,
      parts.resumed ? parts.state : undefined,
    );
    this.#artifacts = new NodeArtifacts(
      this.runId,
      parts.graph,
      parts.state,
      this.#o.store,
      this.#o.logger,
      limits.maxOutputBytes,
    );
    parts.writer.onFailure((error) => this.#fail(error));
    this.#cache = new CacheWriter(this.runId, this.#o.store, this.#o.clock, this.#o.logger);
    const runsDir = this.#o.runsDir;
    this.#poller =
      runsDir === undefined
        ? undefined
        : new CancelPoller(
            runsDir,
            this.runId,
            this.#o.clock,
            limits.cancelPollMs,
            this.#o.logger,
            (nodeId) =>
              nodeId === undefined || this.#graph.index.has(nodeId) ? this.cancel(nodeId) : Promise.resolve(),
          );
    this.done = new Promise<RunState>((resolve, reject) => {
      this.#resolve = resolve;
      this.#reject = reject;
    });
    // The caller may never wait for `done` (a CLI that exits on SIGTERM); a rejection is reported there.
    this.done.catch(() => {});
  }

  /** The run's current state (updated in place as records are made). */
  get state(): RunState {
    return this.#state;
  }

  /** Starts carrying out the plan, and polling for cancellations from other processes. */
  begin(): void {
    this.#pump();
    if (!this.#planner.finished) this.#poller?.start();
  }

  /** Records that cancelling the run (or one node) was asked for; resolves once that is durable. */
  async cancel(nodeId?: NodeId): Promise<void> {
    if (this.#stopped || this.#planner.finished) return;
    const done = this.#record({
      type: 'run.cancelRequested',
      runId: this.runId,
      at: this.#o.clock.now(),
      ...(nodeId !== undefined ? { nodeId } : {}),
    });
    this.#pump();
    await done;
  }

  /**
   * Stops without recording anything more: running steps are aborted (`shutdown`) and their
   * results ignored; records already made are flushed. The run stays resumable.
   */
  async close(): Promise<void> {
    if (this.#stopped) return;
    this.#halt();
    await this.#parts.writer.settled().catch(() => {});
    await this.#parts.claim?.release().catch(() => {});
    this.#reject(new ExecutorClosedError(this.runId));
    this.#parts.onEnd();
  }

  #pump(now?: number): void {
    if (this.#pumping) {
      this.#pumpAgain = true;
      return;
    }
    this.#pumping = true;
    try {
      do {
        this.#pumpAgain = false;
        if (this.#stopped) return;
        const commands = this.#planner.next(now ?? this.#o.clock.now());
        now = undefined;
        for (const command of commands) this.#carryOut(command);
        if (commands.length > 0) this.#pumpAgain = true;
      } while (this.#pumpAgain);
    } finally {
      this.#pumping = false;
    }
  }

  #carryOut(command: PlannerCommand): void {
    const at = this.#o.clock.now();
    switch (command.kind) {
      case 'start':
        this.#start(this.#node(command.nodeId), command.attempt);
        return;
      case 'skip':
        this.#record({
          type: 'node.skipped',
          runId: this.runId,
          at,
          nodeId: command.nodeId,
          reason: command.reason,
        });
        return;
      case 'cancel':
        this.#record({
          type: 'node.cancelled',
          runId: this.runId,
          at,
          nodeId: command.nodeId,
          reason: command.reason,
        });
        return;
      case 'abort':
        this.#attempts
          .get(this.#graph.index.get(command.nodeId)!)
          ?.abort(AbortKind.cancelled, command.reason);
        return;
      case 'wake':
        if (this.#wake !== undefined) this.#o.clock.clearTimeout(this.#wake);
        this.#wake = this.#o.clock.setTimeout(
          () => {
            this.#wake = undefined;
            this.#pump(Math.max(this.#o.clock.now(), command.at));
          },
          Math.max(0, command.at - at),
        );
        return;
      case 'finish':
        this.#finish(command.status).catch((error: unknown) => this.#fail(error));
        return;
    }
  }

  #start(node: GraphNode, attempt: number): void {
    const task = new StepAttempt(this.#o.clock, this.#o.limits.graceMs);
    this.#attempts.set(node.index, task);
    this.#runNode(node, attempt, task).catch((error: unknown) => this.#fail(error));
  }

  /**
   * One node, one attempt: a re-run's old outputs or a cache hit if they are intact; otherwise
   * `node.running` (durable) → the step → outputs stored → `node.succeeded`, or its failure. A
   * cache miss records `node.running` synchronously, so it joins the records of the same turn.
   */
  async #runNode(node: GraphNode, attempt: number, task: StepAttempt): Promise<void> {
    const step = this.#o.steps.get(node.type)!;
    const { runId } = this;
    const nodeId = node.id;
    const hashes = this.#artifacts.inputHashes(node);
    const reused = this.#parts.reused.get(node.index);
    if (
      reused &&
      (await this.#artifacts.adopt(node, reused.outputs, `the output of run ${reused.fromRun}`))
    ) {
      if (this.#abortedNow(node, attempt, task)) return;
      this.#settled(node, {
        type: 'node.cached',
        runId,
        nodeId,
        at: this.#o.clock.now(),
        outputs: reused.outputs,
        fromRun: reused.fromRun,
      });
      return;
    }
    const cacheable =
      this.#state.options.cache && step.deterministic && (step.cacheable?.(node.params) ?? true);
    const key = cacheable
      ? cacheKey({ type: node.type, version: step.version, params: node.params, inputs: hashes })
      : undefined;
    const entry =
      key !== undefined && !this.#parts.rerun.has(node.index) ? this.#o.store.cached(key) : undefined;
    if (entry && (await this.#artifacts.adopt(node, entry.outputs, `the cache entry ${key}`))) {
      if (this.#abortedNow(node, attempt, task)) return;
      this.#settled(node, {
        type: 'node.cached',
        runId,
        nodeId,
        at: this.#o.clock.now(),
        outputs: entry.outputs,
        cacheKey: key,
        fromRun: entry.runId,
      });
      return;
    }
    if (this.#abortedNow(node, attempt, task)) return;
    const running = this.#record({ type: 'node.running', runId, nodeId, at: this.#o.clock.now(), attempt });
    let inputs: StepContext['inputs'];
    try {
      const held = this.#artifacts.inputs(node);
      inputs = held instanceof Promise ? await held : held;
      await running;
    } catch (error) {
      if (this.#stopped || !(error instanceof StepError)) throw error;
      await running;
      return this.#failed(node, attempt, toRunError(error));
    }
    if (this.#stopped || this.#abortedNow(node, attempt, task)) return;
    const outcome = await task.run(
      step,
      this.#context(node, attempt, task, inputs),
      step.timeoutMs ?? this.#o.limits.timeoutMs,
    );
    if (this.#stopped) return;
    if (outcome.kind === 'aborted') return this.#ended(node, attempt, outcome.abort);
    if (outcome.kind === 'failed') return this.#failed(node, attempt, outcome.error);
    let outputs: Record<string, ArtifactHash>;
    try {
      outputs = await this.#artifacts.storeOutputs(
        node,
        outcome.outputs,
        hashes.flatMap((h) => h.hashes),
      );
    } catch (error) {
      if (this.#stopped) return;
      return this.#failed(node, attempt, toRunError(error));
    }
    if (this.#stopped || this.#abortedNow(node, attempt, task)) return;
    const succeeded = this.#settled(node, {
      type: 'node.succeeded',
      runId,
      nodeId,
      at: this.#o.clock.now(),
      attempt,
      outputs,
      ...(key !== undefined ? { cacheKey: key } : {}),
      ...this.#takeUsage(node),
    });
    if (key !== undefined) this.#cache.remember(key, outputs, succeeded);
  }

  /** Whether the attempt was aborted; if so, records how it ended. */
  #abortedNow(node: GraphNode, attempt: number, task: StepAttempt): boolean {
    const abort = task.aborted();
    if (abort) this.#ended(node, attempt, abort);
    return abort !== undefined;
  }

  #context(node: GraphNode, attempt: number, task: StepAttempt, inputs: StepContext['inputs']): StepContext {
    const effectKey = `${this.runId}/${node.id}`;
    return {
      runId: this.runId,
      nodeId: node.id,
      attempt,
      idempotencyKey: `${effectKey}/${attempt}`,
      effectKey,
      params: node.params,
      inputs,
      signal: task.signal,
      grants: this.#state.options.grants,
      documents: this.#o.documents,
      progress: (progress) => {
        if (this.#stopped || this.#attempts.get(node.index) !== task || task.aborted()) return;
        this.#parts.progress({ runId: this.runId, nodeId: node.id, attempt, progress });
      },
      reportUsage: (usage) => {
        if (this.#stopped || this.#attempts.get(node.index) !== task) return;
        // A step may make several calls in one attempt: their usage adds up.
        const before = this.#usage.get(node.index);
        this.#usage.set(node.index, before === undefined ? usage : sumUsage(before, usage));
      },
    };
  }

  /** The usage the node's attempt reported, as a record field, forgotten once taken. */
  #takeUsage(node: GraphNode): { usage?: CallUsage } {
    const usage = this.#usage.get(node.index);
    if (usage === undefined) return {};
    this.#usage.delete(node.index);
    return { usage };
  }

  /** An attempt failed: the planner says whether it is retried (`node.retrying`) or final. */
  #failed(node: GraphNode, attempt: number, error: RunError): void {
    const at = this.#o.clock.now();
    if (this.#planner.cancelRequested(node.id)) {
      this.#settled(node, {
        type: 'node.cancelled',
        runId: this.runId,
        nodeId: node.id,
        at,
        reason: 'cancelled',
      });
      return;
    }
    const retryAt = this.#planner.retryAt(node.id, attempt, error, at);
    const base = { runId: this.runId, nodeId: node.id, at, attempt, error, ...this.#takeUsage(node) };
    this.#settled(
      node,
      retryAt === undefined ? { type: 'node.failed', ...base } : { type: 'node.retrying', ...base, retryAt },
    );
  }

  /** An attempt was aborted: cancelled, timed out (a retryable failure), or the executor is closing. */
  #ended(node: GraphNode, attempt: number, abort: StepAbortError): void {
    if (abort.kind === AbortKind.shutdown || this.#stopped) return;
    if (abort.kind === AbortKind.timeout) {
      this.#failed(node, attempt, { code: RunErrorCode.timeout, message: abort.message, retryable: true });
      return;
    }
    this.#settled(node, {
      type: 'node.cancelled',
      runId: this.runId,
      nodeId: node.id,
      at: this.#o.clock.now(),
      reason: abort.message,
    });
  }

  /** Records how an attempt ended, frees its slot and plans what follows. */
  #settled(node: GraphNode, event: RunEvent): Promise<void> {
    this.#attempts.delete(node.index);
    const durable = this.#record(event);
    this.#pump();
    return durable;
  }

  /** Applies `event` to the run's state and planner and queues it for the journal. */
  #record(event: RunEvent): Promise<void> {
    if (this.#stopped) {
      // Nothing is recorded once stopped; callers that wait see why, the others need not handle it.
      const refused = Promise.reject(new ExecutorClosedError(this.runId));
      refused.catch(() => {});
      return refused;
    }
    applyRunEvent(this.#state, event);
    this.#planner.apply(event);
    if ('nodeId' in event && event.nodeId !== undefined && event.type !== 'run.cancelRequested') {
      const node = this.#state.nodes.get(event.nodeId);
      const index = this.#graph.index.get(event.nodeId);
      if (node && index !== undefined && isFinalNodeState(node.state))
        this.#artifacts.released(this.#graph.nodes[index]!);
    }
    return this.#parts.writer.append(event);
  }

  async #finish(status: FinalStatus): Promise<void> {
    const finished = this.#record({
      type: 'run.finished',
      runId: this.runId,
      at: this.#o.clock.now(),
      status,
    });
    this.#clearTimers();
    await finished;
    await this.#cache.written();
    if (this.#stopped) return;
    this.#stopped = true;
    if (this.#o.runsDir !== undefined) await clearCancelRequests(this.#o.runsDir, this.runId);
    await this.#parts.claim?.release().catch(() => {});
    this.#resolve(this.#state);
    this.#parts.onEnd();
  }

  /** The run cannot go on in this process (its journal failed, or a bug): stop, stay resumable. */
  #fail(error: unknown): void {
    if (this.#stopped) return;
    this.#halt();
    const failure =
      this.#parts.writer.failure !== undefined
        ? new JournalWriteError(this.runId, this.#parts.writer.failure)
        : error;
    const message = failure instanceof Error ? failure.message : String(failure);
    this.#o.logger.error(
      failure instanceof JournalWriteError ? message : `run ${this.runId} stopped: ${message}`,
      { runId: this.runId },
    );
    void (this.#parts.claim?.release().catch(() => {}) ?? Promise.resolve()).then(() => {
      this.#reject(failure);
      this.#parts.onEnd();
    });
  }

  #halt(): void {
    this.#stopped = true;
    this.#cache.silence();
    this.#clearTimers();
    for (const task of this.#attempts.values()) {
      task.abort(AbortKind.shutdown, 'the executor stopped; the node runs again when the run is resumed');
      task.dispose();
    }
  }

  #clearTimers(): void {
    if (this.#wake !== undefined) this.#o.clock.clearTimeout(this.#wake);
    this.#wake = undefined;
    this.#poller?.stop();
  }

  #node(nodeId: NodeId): GraphNode {
    return this.#graph.nodes[this.#graph.index.get(nodeId)!]!;
  }
}

/** Two calls' usage as one: tokens and cost added, the later call's instrument, model and latency. */
function sumUsage(a: CallUsage, b: CallUsage): CallUsage {
  return {
    ...b,
    inputTokens: a.inputTokens + b.inputTokens,
    outputTokens: a.outputTokens + b.outputTokens,
    ...(a.costUsd !== undefined || b.costUsd !== undefined
      ? { costUsd: (a.costUsd ?? 0) + (b.costUsd ?? 0) }
      : {}),
    ...(a.latencyMs !== undefined || b.latencyMs !== undefined
      ? { latencyMs: (a.latencyMs ?? 0) + (b.latencyMs ?? 0) }
      : {}),
  };
}
