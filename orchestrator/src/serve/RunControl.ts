// What the monitor does to runs: start a workflow from the team server, re-run, cancel and resume
// runs, and resume by itself the runs a crash left unfinished once their user is back.
import type { NodeId, RerunRequest, RunId, RunSummary, StartRunRequest, WorkflowId } from '@symphony/schemas';
import { MonitorErrorCode } from '@symphony/schemas';
import type { Engine } from '../cli/data-dir.js';
import type { CancelOutcome, RunHandle } from '../executor/Executor.js';
import { liveOwner } from '../executor/run-claims.js';
import type { LoadedWorkflow } from '../sources/workflow-file.js';
import type { Caller } from './Gatekeeper.js';
import { MonitorError } from './monitor-error.js';
import type { RunIndex, TeamRunSource } from './RunIndex.js';
import type { RunRecorder } from './RunRecorder.js';
import { runFailure } from './run-failure.js';
import type { UserTokens } from './UserTokens.js';

/** Loads a workflow from the team server with a user's token (`loadWorkflowFromServer` / `loadWorkflowAt`). */
export interface WorkflowLoader {
  current(workflowId: WorkflowId, token: string): Promise<LoadedWorkflow>;
  again(source: TeamRunSource, token: string): Promise<LoadedWorkflow>;
}

/** What {@link RunControl} works with. */
export interface RunControlOptions {
  readonly engine: Engine;
  readonly index: RunIndex;
  readonly recorder: RunRecorder;
  readonly tokens: UserTokens;
  readonly loader: WorkflowLoader;
  readonly runsDir: string;
  /** The team server runs are started from (as their sources name it). */
  readonly server: string;
  readonly warn: (message: string) => void;
}

/**
 * Starts and steers runs for callers the gatekeeper let through. Every run executed here is
 * remembered by the {@link RunRecorder} with the user it runs for (whose token its documents and
 * its record use): the starter, or for a resume the run's starter when they are signed in here,
 * else whoever resumed it.
 */
export class RunControl {
  readonly #handles = new Map<RunId, RunHandle>();
  /** Unfinished runs nobody executes, waiting for their starter to sign in, by user name. */
  readonly #resumable = new Map<string, Set<RunId>>();
  readonly #stop: (() => void)[] = [];

  constructor(private readonly o: RunControlOptions) {
    this.#stop.push(
      o.index.subscribe((event) => {
        if (event.type === 'run.finished') {
          this.#handles.delete(event.runId);
          o.recorder.finished(event.runId);
        }
      }),
      o.tokens.onPresent((user) => this.#resumeFor(user)),
    );
  }

  /**
   * Finds the runs of this team server a crash left unfinished (no live process executes them) and
   * resumes each as soon as its starter presents a token; records what finished unrecorded.
   */
  async adoptUnfinished(): Promise<void> {
    const runs = this.o.index.ofServer(this.o.server);
    this.o.recorder.catchUp((runId) => {
      const status = this.o.index.summary(runId)?.status;
      return status !== undefined && status !== 'running';
    });
    for (const run of runs) {
      if (run.status !== 'running' || run.startedBy === undefined) continue;
      if ((await liveOwner(this.o.runsDir, run.runId)) !== undefined) continue;
      const waiting = this.#resumable.get(run.startedBy) ?? new Set();
      waiting.add(run.runId);
      this.#resumable.set(run.startedBy, waiting);
    }
  }

  /** The user `runId` is executed for here (its documents and record use their token). */
  userOf(runId: RunId): string | undefined {
    return this.o.recorder.executedFor(runId) ?? this.o.index.summary(runId)?.startedBy;
  }

  /** Starts `request.workflowId` at its current version on the team server, for `caller`. */
  async start(caller: Caller, request: StartRunRequest): Promise<RunSummary> {
    const loaded = await this.#load(() => this.o.loader.current(request.workflowId, caller.token));
    return this.#launch(caller, () =>
      this.o.engine.executor.start({
        workflow: loaded.workflow,
        source: loaded.source,
        options: { cache: request.cache ?? true },
        startedBy: caller.userName,
      }),
    );
  }

  /** Runs `source`'s workflow again at its current version, from `request.from` or whole. */
  async rerun(
    caller: Caller,
    runId: RunId,
    source: TeamRunSource,
    request: RerunRequest,
  ): Promise<RunSummary> {
    const loaded = await this.#load(() => this.o.loader.again(source, caller.token));
    return this.#launch(caller, () =>
      this.o.engine.executor.rerun(runId, {
        workflow: loaded.workflow,
        source: loaded.source,
        ...(request.from !== undefined ? { from: request.from } : {}),
        ...(request.cache !== undefined ? { options: { cache: request.cache } } : {}),
        startedBy: caller.userName,
      }),
    );
  }

  /** Cancels the run or one node, wherever it executes. */
  async cancel(runId: RunId, nodeId: NodeId | undefined): Promise<CancelOutcome> {
    try {
      return await this.o.engine.executor.cancel(runId, nodeId);
    } catch (error) {
      throw runFailure(error);
    }
  }

  /** Continues an unfinished run nobody executes; a run executing already (here or elsewhere) is left as it is. */
  async resume(caller: Caller, runId: RunId): Promise<RunSummary> {
    const summary = this.o.index.summary(runId);
    if (summary !== undefined && summary.status !== 'running') {
      throw new MonitorError(
        MonitorErrorCode.runFinished,
        `run ${runId} has finished (${summary.status}); re-run it instead`,
      );
    }
    const starter = summary?.startedBy;
    const user =
      starter !== undefined && this.o.tokens.tokenOf(starter) !== undefined ? starter : caller.userName;
    await this.#resume(runId, user);
    return this.#summary(runId);
  }

  /** Stops listening (the executor is the engine's to close). */
  close(): void {
    for (const stop of this.#stop.splice(0)) stop();
  }

  async #launch(caller: Caller, start: () => Promise<RunHandle>): Promise<RunSummary> {
    let handle: RunHandle;
    try {
      handle = await start();
    } catch (error) {
      throw runFailure(error);
    }
    this.#keep(handle);
    await this.o.recorder.executes(handle.runId, caller.userName);
    // `run.finished` may have come before the recorder knew the run: it is told again.
    if (this.o.index.summary(handle.runId)?.status !== 'running') this.o.recorder.finished(handle.runId);
    return this.#summary(handle.runId);
  }

  async #resume(runId: RunId, user: string): Promise<void> {
    for (const waiting of this.#resumable.values()) waiting.delete(runId);
    if (this.#handles.has(runId) || this.o.engine.executor.running.includes(runId)) return;
    let handle: RunHandle;
    try {
      handle = await this.o.engine.executor.resume(runId);
    } catch (error) {
      if (error instanceof Error && error.name === 'RunClaimedError') return;
      throw runFailure(error);
    }
    this.#keep(handle);
    await this.o.recorder.executes(runId, user);
    if (this.o.index.summary(runId)?.status !== 'running') this.o.recorder.finished(runId);
  }

  #resumeFor(user: string): void {
    const waiting = this.#resumable.get(user);
    if (waiting === undefined || waiting.size === 0) return;
    this.#resumable.delete(user);
    for (const runId of waiting) {
      this.#resume(runId, user).then(
        () => this.o.warn(`resumed run ${runId} for ${user}`),
        (error: unknown) =>
          this.o.warn(
            `run ${runId} could not be resumed: ${error instanceof Error ? error.message : String(error)}`,
          ),
      );
    }
  }

  #keep(handle: RunHandle): void {
    this.#handles.set(handle.runId, handle);
    // A run stopped by closing the orchestrator stays resumable: not an error to report.
    handle.done.catch(() => {});
  }

  async #load(load: () => Promise<LoadedWorkflow>): Promise<LoadedWorkflow> {
    try {
      return await load();
    } catch (error) {
      throw runFailure(error);
    }
  }

  #summary(runId: RunId): RunSummary {
    const summary = this.o.index.summary(runId);
    if (summary === undefined)
      throw new MonitorError(MonitorErrorCode.internal, `run ${runId} is not in the journal`);
    const executing = this.o.engine.executor.running.includes(runId);
    return executing ? { ...summary, executedBy: process.pid } : summary;
  }
}
