// The short record of each finished run this orchestrator executed, stored through OFB's
// `record-run` as the user it ran for, so the team's run history outlives this laptop. Which runs
// were executed here, and which are recorded, are two append-only lists in `<data dir>/monitor/`,
// so a restart records what was missed and never records a run twice.
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { type DagTracker, foldRun, type RunState } from '@symphony/pit';
import { AppendLog, readAppendLog } from '@symphony/pit/append-log';
import { type NodeOutputs, OfbRecordRun, type RunId } from '@symphony/schemas';
import { z } from 'zod';
import type { Clock } from '../executor/options.js';
import { isDecision } from './AccessCache.js';
import type { TeamAuthority } from './TeamAuthority.js';
import type { RunUser, UserTokens } from './UserTokens.js';

/** 1 s, doubling per failed try while OFB cannot be reached. */
export const RECORD_BACKOFF_BASE_MS = 1000;
/** 5 minutes: the longest wait between tries; OFB down for a day is tried ~300 times. */
export const RECORD_BACKOFF_MAX_MS = 5 * 60_000;

/** One line of the `executed` list: a run this orchestrator executes and the user it runs for (name and id). */
const ExecutedLine = z.object({ runId: z.string(), user: z.string(), userId: z.string().min(1) });

/** Whose token a run's record waits for: a user by id, or (a journal that names its starter only) by name. */
type WaitingFor = { readonly userId: string } | { readonly userName: string };

const utf8 = new TextEncoder();
const text = new TextDecoder();

/** What a {@link RunRecorder} needs. */
export interface RunRecorderOptions {
  /** `<data dir>/monitor`: where the two lists are kept. */
  readonly dir: string;
  readonly tracker: DagTracker;
  readonly authority: TeamAuthority;
  readonly tokens: UserTokens;
  readonly clock: Clock;
  readonly warn: (message: string) => void;
}

/**
 * Records finished runs through OFB. A run is recorded with the latest token of the user who
 * started it (OFB records the token's user as its starter; a run whose journal names nobody, with
 * the user it was executed for). The starter is known by id when this orchestrator executed the run
 * for them; a run another process started is known by its journal's name only, and takes the token
 * of the one user of that name here ({@link UserTokens.userNamed}). When that user has presented
 * none (or OFB refused it) the record waits for their next one; while OFB cannot be reached it is tried again with backoff
 * ({@link RECORD_BACKOFF_BASE_MS} doubling to {@link RECORD_BACKOFF_MAX_MS}); any other refusal
 * (a viewer now, the workflow gone) is reported and not tried again until the next start.
 */
export class RunRecorder {
  /** The users each run was executed for here, in order (a resume by another user adds one). */
  readonly #executed = new Map<RunId, RunUser[]>();
  readonly #recorded = new Set<RunId>();
  /** Runs being recorded or waiting to be. */
  readonly #pending = new Map<RunId, { tries: number; timer?: unknown }>();
  /** Runs waiting for their user's next token, by `id:<userId>` or `name:<userName>`. */
  readonly #waiting = new Map<string, Set<RunId>>();
  readonly #stopListening: () => void;
  #closed = false;

  private constructor(
    private readonly o: RunRecorderOptions,
    private readonly executedLog: AppendLog,
    private readonly recordedLog: AppendLog,
  ) {
    this.#stopListening = o.tokens.onPresent((user) => this.#presented(user));
  }

  /** Opens (creating) the lists in `options.dir`. */
  static async open(options: RunRecorderOptions): Promise<RunRecorder> {
    await mkdir(options.dir, { recursive: true });
    const executedPath = join(options.dir, 'executed');
    const recordedPath = join(options.dir, 'recorded');
    const recorder = new RunRecorder(
      options,
      new AppendLog(executedPath, { repair: true, syncDir: true }),
      new AppendLog(recordedPath, { repair: true, syncDir: true }),
    );
    for (const record of (await readAppendLog(executedPath)).records) {
      const line = ExecutedLine.safeParse(safeJson(text.decode(record)));
      if (!line.success) continue;
      const runId = line.data.runId as RunId;
      const users = recorder.#executed.get(runId) ?? [];
      users.push({ userId: line.data.userId, userName: line.data.user });
      recorder.#executed.set(runId, users);
    }
    for (const record of (await readAppendLog(recordedPath)).records)
      recorder.#recorded.add(text.decode(record) as RunId);
    return recorder;
  }

  /** The user `runId` was last executed here for, if it was. */
  executedFor(runId: RunId): RunUser | undefined {
    return this.#executed.get(runId)?.at(-1);
  }

  /** The user named `startedBy` that `runId` was executed here for (its starter, by id), if it was. */
  starterOf(runId: RunId, startedBy: string): RunUser | undefined {
    return this.#executed.get(runId)?.find((user) => user.userName === startedBy);
  }

  /** Remembers, durably, that this orchestrator executes `runId` for `user` (it is recorded when it finishes). */
  async executes(runId: RunId, user: RunUser): Promise<void> {
    const users = this.#executed.get(runId) ?? [];
    if (users.at(-1)?.userId === user.userId) return;
    const line = { runId, user: user.userName, userId: user.userId };
    await this.executedLog.append([utf8.encode(JSON.stringify(line))]);
    users.push({ userId: user.userId, userName: user.userName });
    this.#executed.set(runId, users);
  }

  /** A run finished: recorded when it was executed here and is not recorded yet. */
  finished(runId: RunId): void {
    if (this.#closed || !this.#executed.has(runId) || this.#recorded.has(runId) || this.#pending.has(runId))
      return;
    this.#pending.set(runId, { tries: 0 });
    void this.#attempt(runId);
  }

  /** Records every run executed here that has finished (`isFinished`) and is not recorded: what a restart missed. */
  catchUp(isFinished: (runId: RunId) => boolean): void {
    for (const runId of this.#executed.keys()) if (isFinished(runId)) this.finished(runId);
  }

  /** Whether `runId` is recorded. */
  isRecorded(runId: RunId): boolean {
    return this.#recorded.has(runId);
  }

  /** Stops trying (what is not recorded yet is tried again at the next start) and closes the lists. */
  async close(): Promise<void> {
    this.#closed = true;
    this.#stopListening();
    for (const pending of this.#pending.values()) {
      if (pending.timer !== undefined) this.o.clock.clearTimeout(pending.timer);
    }
    this.#pending.clear();
    await Promise.allSettled([this.executedLog.close(), this.recordedLog.close()]);
  }

  async #attempt(runId: RunId): Promise<void> {
    const pending = this.#pending.get(runId);
    const executedFor = this.executedFor(runId);
    if (this.#closed || pending === undefined || executedFor === undefined) return;
    pending.timer = undefined;
    let record: OfbRecordRun;
    let user: RunUser | WaitingFor;
    try {
      const state = foldRun(await this.o.tracker.history(runId));
      record = recordOf(state);
      // OFB records the token's user as the one who started it: the starter's token, then.
      const { startedBy } = state;
      user =
        startedBy === undefined
          ? executedFor
          : (this.starterOf(runId, startedBy) ??
            this.o.tokens.userNamed(startedBy) ?? { userName: startedBy });
    } catch (error) {
      return this.#giveUp(runId, `its journal cannot be read as a finished run (${messageOf(error)})`);
    }
    const token = 'userId' in user ? this.o.tokens.tokenOf(user.userId) : undefined;
    if (token === undefined) return this.#waitFor(user, runId);
    try {
      await this.o.authority.recordRun(token, record);
    } catch (error) {
      if (this.#closed) return;
      if (isDecision(error) && error.status === 401) {
        this.o.tokens.revoke(token);
        return this.#waitFor(user, runId);
      }
      if (isDecision(error)) return this.#giveUp(runId, `the team server refused it: ${messageOf(error)}`);
      const wait = Math.min(RECORD_BACKOFF_MAX_MS, RECORD_BACKOFF_BASE_MS * 2 ** pending.tries);
      pending.tries++;
      if (pending.tries === 1 || pending.tries % 10 === 0)
        this.o.warn(
          `run ${runId} is not recorded yet (${messageOf(error)}); trying again in ${Math.round(wait / 1000)} s`,
        );
      pending.timer = this.o.clock.setTimeout(() => void this.#attempt(runId), wait);
      return;
    }
    try {
      await this.recordedLog.append([utf8.encode(runId)]);
    } catch (error) {
      // OFB has it; a repeat after a restart answers `created: false` and changes nothing.
      this.o.warn(
        `run ${runId} was recorded, but the list of recorded runs could not be written: ${messageOf(error)}`,
      );
    }
    this.#recorded.add(runId);
    this.#pending.delete(runId);
  }

  #waitFor(user: WaitingFor, runId: RunId): void {
    const key = 'userId' in user ? `id:${user.userId}` : `name:${user.userName}`;
    const runs = this.#waiting.get(key) ?? new Set();
    runs.add(runId);
    this.#waiting.set(key, runs);
  }

  #presented(user: RunUser): void {
    for (const key of [`id:${user.userId}`, `name:${user.userName}`]) {
      const runs = this.#waiting.get(key);
      if (runs === undefined) continue;
      this.#waiting.delete(key);
      for (const runId of runs) void this.#attempt(runId);
    }
  }

  #giveUp(runId: RunId, why: string): void {
    this.#pending.delete(runId);
    this.o.warn(
      `run ${runId} is not recorded on the team server: ${why}; it is tried again when the orchestrator restarts`,
    );
  }
}

/** The record of a finished run, as `record-run` takes it. Throws when the run is not a finished team run. */
export function recordOf(state: RunState): OfbRecordRun {
  if (state.source.kind !== 'automerge')
    throw new TypeError('only runs of a workflow on a team server are recorded');
  if (state.status === 'running' || state.finishedAt === undefined)
    throw new TypeError('the run has not finished');
  const outputs: Record<string, NodeOutputs> = {};
  for (const [nodeId, node] of state.nodes) if (node.outputs !== undefined) outputs[nodeId] = node.outputs;
  return OfbRecordRun.parse({
    workflowId: state.source.workflowId,
    runId: state.runId,
    status: state.status,
    startedAt: state.startedAt,
    finishedAt: state.finishedAt,
    heads: state.source.heads,
    outputs,
    nodes: state.nodes.size,
    inputTokens: state.usage.inputTokens,
    outputTokens: state.usage.outputTokens,
    costUsd: state.usage.costUsd,
    ...(state.options.rerunOf !== undefined ? { rerunOf: state.options.rerunOf } : {}),
  });
}

function safeJson(value: string): unknown {
  try {
    return JSON.parse(value);
  } catch {
    return undefined;
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
