// What the monitor does to runs: start a workflow from the team server, re-run, cancel and resume
// runs, and resume by itself the runs a crash left unfinished once their user is back (and still
// may run them).
import type { NodeId, RerunRequest, RunId, RunSummary, StartRunRequest, WorkflowId } from '@symphony/schemas';
import { MonitorErrorCode } from '@symphony/schemas';
import type { Engine } from '../cli/data-dir.js';
import type { CancelOutcome, RunHandle } from '../executor/Executor.js';
import { liveOwner } from '../executor/run-claims.js';
import type { LoadedWorkflow } from '../sources/workflow-file.js';
import type { Caller, Gatekeeper } from './Gatekeeper.js';
import { MonitorError } from './monitor-error.js';
import { type RunIndex, type TeamRunSource, teamSource } from './RunIndex.js';
import type { RunRecorder } from './RunRecorder.js';
import { runFailure } from './run-failure.js';
import type { RunUser, UserTokens } from './UserTokens.js';

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
  /** Asks whether a user still may run a workflow before a run acts with their token. */
  readonly gate: Pick<Gatekeeper, 'authorize'>;
  readonly runsDir: string;
  /** The team server runs are started from (as their sources name it). */
  readonly server: string;
  readonly warn: (message: string) => void;
}

/** Whom an unfinished run waits for: its starter, by id when this orchestrator executed it for them. */
interface Starter {
  readonly userName: string;
  readonly userId?: string;
}

/**
 * Starts and steers runs for callers the gatekeeper let through. Every run executed here is
 * remembered by the {@link RunRecorder} with the user it runs for (whose token its documents and
 * its record use): the starter, or for a resume the run's starter when their token is here and
 * they still may run the workflow (OFB is asked), else whoever resumed it.
 */
export class RunControl {
  readonly #handles = new Map<RunId, RunHandle>();
  /** Unfinished runs nobody executes, waiting for their starter to present a token. */
  readonly #resumable = new Map<RunId, Starter>();
  /** Runs whose starter was refused resuming them (said once). */
  readonly #refusals = new Set<RunId>();
  /** Starts and resumes between the executor's handle and the recorder knowing the run's user. */
  readonly #inFlight = new Set<Promise<unknown>>();
  readonly #stop: (() => void)[] = [];

  constructor(private readonly o: RunControlOptions) {
    this.#stop.push(
      o.index.subscribe((event) => {
        if (event.type === 'run.finished') {
          this.#handles.delete(event.runId);
          this.#resumable.delete(event.runId);
          o.recorder.finished(event.runId);
        }
      }),
      o.tokens.onPresent((user) => this.#resumeFor(user)),
    );
  }

  /**
   * Finds the runs of this team server a crash left unfinished (no live process executes them) and
   * resumes each as soon as its starter presents a token and still may run its workflow; records
   * what finished unrecorded.
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
      const known = this.o.recorder.starterOf(run.runId, run.startedBy);
      this.#resumable.set(run.runId, known ?? { userName: run.startedBy });
    }
  }

  /** The user `runId` is executed for here (its documents use their token), once known. */
  async userOf(runId: RunId): Promise<RunUser | undefined> {
    const known = this.o.recorder.executedFor(runId);
    if (known !== undefined || this.#inFlight.size === 0) return known;
    // A run's first node may ask before its start returned: the start says whose run it is.
    await Promise.allSettled([...this.#inFlight]);
    return this.o.recorder.executedFor(runId);
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

  /**
   * Continues an unfinished run nobody executes, for its starter when their token is here and they
   * still may run the workflow, else for `caller`; a run executing already (here or elsewhere) is
   * left as it is.
   */
  async resume(caller: Caller, runId: RunId): Promise<RunSummary> {
    const summary = this.o.index.summary(runId);
    if (summary !== undefined && summary.status !== 'running') {
      throw new MonitorError(
        MonitorErrorCode.runFinished,
        `run ${runId} has finished (${summary.status}); re-run it instead`,
      );
    }
    this.#resumable.delete(runId);
    const starter = summary?.startedBy === undefined ? undefined : this.#starter(runId, summary.startedBy);
    let user: RunUser = { userId: caller.userId, userName: caller.userName };
    if (starter !== undefined && starter.userId !== caller.userId && summary !== undefined) {
      const refusal = await this.#mayRun(starter, summary);
      if (refusal === undefined) user = starter;
    }
    await this.#resume(runId, user);
    return this.#summary(runId);
  }

  /** Stops listening (the executor is the engine's to close). */
  close(): void {
    for (const stop of this.#stop.splice(0)) stop();
  }

  async #launch(user: RunUser, start: () => Promise<RunHandle>): Promise<RunSummary> {
    const runId = await this.#track(async () => {
      let handle: RunHandle;
      try {
        handle = await start();
      } catch (error) {
        throw runFailure(error);
      }
      this.#keep(handle);
      await this.o.recorder.executes(handle.runId, { userId: user.userId, userName: user.userName });
      return handle.runId;
    });
    // `run.finished` may have come before the recorder knew the run: it is told again.
    if (this.o.index.summary(runId)?.status !== 'running') this.o.recorder.finished(runId);
    return this.#summary(runId);
  }

  async #resume(runId: RunId, user: RunUser): Promise<void> {
    this.#resumable.delete(runId);
    if (this.#handles.has(runId) || this.o.engine.executor.running.includes(runId)) return;
    const resumed = await this.#track(async () => {
      let handle: RunHandle;
      try {
        handle = await this.o.engine.executor.resume(runId);
      } catch (error) {
        if (error instanceof Error && error.name === 'RunClaimedError') return false;
        throw runFailure(error);
      }
      this.#keep(handle);
      await this.o.recorder.executes(runId, user);
      return true;
    });
    if (resumed && this.o.index.summary(runId)?.status !== 'running') this.o.recorder.finished(runId);
  }

  /** Resumes the runs waiting for `user`, each once OFB says they still may run its workflow. */
  #resumeFor(user: RunUser): void {
    for (const [runId, starter] of [...this.#resumable]) {
      const theirs =
        starter.userId === undefined ? starter.userName === user.userName : starter.userId === user.userId;
      if (!theirs) continue;
      this.#resumable.delete(runId);
      void this.#resumeAsStarter(runId, user, starter);
    }
  }

  async #resumeAsStarter(runId: RunId, user: RunUser, starter: Starter): Promise<void> {
    const summary = this.o.index.summary(runId);
    if (summary === undefined || summary.status !== 'running') return;
    const refusal = await this.#mayRun(user, summary);
    if (refusal !== undefined) {
      // Left resumable: an editor can resume it, and it is tried again when its starter is back.
      if (!this.#handles.has(runId) && !this.o.engine.executor.running.includes(runId))
        this.#resumable.set(runId, starter);
      if (!this.#refusals.has(runId)) {
        this.#refusals.add(runId);
        this.o.warn(
          `run ${runId} is not resumed for ${user.userName}: ${refusal}; an editor of the workflow can resume it`,
        );
      }
      return;
    }
    try {
      await this.#resume(runId, user);
      this.o.warn(`resumed run ${runId} for ${user.userName}`);
    } catch (error) {
      this.o.warn(
        `run ${runId} could not be resumed: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
  }

  /** Why `user` may not run `summary`'s workflow now (their token here is asked about), or undefined when they may. */
  async #mayRun(user: RunUser, summary: RunSummary): Promise<string | undefined> {
    const source = teamSource(summary);
    const token = this.o.tokens.tokenOf(user.userId);
    if (source === undefined) return 'it is not a run of a team workflow';
    if (token === undefined) return `${user.userName} is not signed in here`;
    try {
      await this.o.gate.authorize(token, source.workflowId, 'run');
      return undefined;
    } catch (error) {
      return error instanceof Error ? error.message : String(error);
    }
  }

  /** The user who started `runId` (named `startedBy` in its journal), when they are known here. */
  #starter(runId: RunId, startedBy: string): RunUser | undefined {
    return this.o.recorder.starterOf(runId, startedBy) ?? this.o.tokens.userNamed(startedBy);
  }

  /** Runs `work`, remembered as in flight until it settles (see {@link RunControl.userOf}). */
  #track<T>(work: () => Promise<T>): Promise<T> {
    const running = work();
    this.#inFlight.add(running);
    const settled = () => this.#inFlight.delete(running);
    running.then(settled, settled);
    return running;
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
