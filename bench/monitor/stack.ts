/**
 * The real stack the monitor benchmark measures, started on free loopback ports and stopped after:
 * the team server (the built `symphony-server` bin serving the built client), its owner with a
 * workspace, and `symphony serve` for it; the benchmark's workflow shared on it (through a stock
 * automerge-repo client); runs started over serve's HTTP API, and every journal record of a run as
 * the orchestrator streamed it, recorded by a watcher of its live stream.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { LiveClient, type Serve, startServe } from '@symphony/orchestrator/testing';
import {
  type DocumentId,
  ErrorBody,
  MONITOR_API_PREFIX,
  MonitorServerMessage,
  type RunEvent,
  type RunId,
  RunStartedResponse,
  type WorkflowId,
} from '@symphony/schemas';
import {
  shareWorkflow,
  signUp,
  startTeamServer,
  stopTeamServer,
  type TeamServer,
  type User,
  workspace,
} from '@symphony/server/testing';
import { boardWorkflow } from './workload.ts';

/** The built client the team server serves (`npm run build`). */
export const CLIENT_DIST = resolve('client/dist');

/** The benchmark's folders sit under `.test-output/`, not `/tmp`, so fsync is real even where `/tmp` is a tmpfs. */
const ROOT = resolve('.test-output/bench-monitor');

/** Everything a measurement needs from the stack. */
export interface MonitorStack {
  readonly team: TeamServer;
  readonly serve: Serve;
  readonly owner: User;
  readonly workspaceId: string;
  /** Stops serve, then the team server, and removes their folders. */
  stop(): Promise<void>;
}

/** The shape of the benchmark's workflow. */
export interface StackShape {
  readonly nodes: number;
  readonly width: number;
  readonly fanIn: number;
  readonly columns: number;
}

/** Starts the stack; throws, saying what to do, when a build is missing. */
export async function startStack(): Promise<MonitorStack> {
  if (!existsSync(join(CLIENT_DIST, 'index.html'))) {
    throw new Error(`${CLIENT_DIST} has no index.html: run \`npm run build\` before this benchmark`);
  }
  mkdirSync(ROOT, { recursive: true });
  const dir = mkdtempSync(join(ROOT, 'run-'));
  const folder = (name: string) => {
    const path = join(dir, name);
    mkdirSync(path);
    return path;
  };
  let team: TeamServer | undefined;
  let serve: Serve | undefined;
  const stop = async () => {
    await serve?.stop();
    await stopTeamServer(team);
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    team = await startTeamServer(folder('team'), { args: ['--static', CLIENT_DIST] });
    const owner = await signUp(team, 'Bench');
    const workspaceId = await workspace(team, owner);
    serve = await startServe(team.origin, {
      dataDir: folder('serve-data'),
      configDir: folder('serve-config'),
    });
    return { team, serve, owner, workspaceId, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** The benchmark's workflow, shared on the team server. */
export interface SharedWorkflow {
  readonly workflowId: WorkflowId;
  /** Its node ids, in layout order. */
  readonly nodeIds: readonly string[];
}

/** Shares a workflow of `shape` reading `documentId` (a document of the owner's workspace) in the owner's workspace. */
export async function shareBenchWorkflow(
  stack: MonitorStack,
  shape: StackShape,
  documentId: DocumentId,
): Promise<SharedWorkflow> {
  const workflow = boardWorkflow({ count: shape.nodes, ...shape, documentId });
  const workflowId = await shareWorkflow(stack.team, stack.owner, stack.workspaceId, workflow);
  return { workflowId, nodeIds: Object.keys(workflow.nodes) };
}

/** `POST /v1/runs` of `workflowId` as the owner, every node run (none from the cache); the run's id. */
export async function startRun(stack: MonitorStack, workflowId: WorkflowId): Promise<RunId> {
  const response = await fetch(`${stack.serve.url}${MONITOR_API_PREFIX}/runs`, {
    method: 'POST',
    headers: { authorization: `Bearer ${stack.owner.token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ workflowId, cache: false }),
  });
  const body: unknown = await response.json();
  if (!response.ok) {
    const refusal = ErrorBody.safeParse(body);
    const why = refusal.success
      ? `${refusal.data.error.code}: ${refusal.data.error.message}`
      : JSON.stringify(body);
    throw new Error(`POST /v1/runs answered ${response.status} (${why})`);
  }
  return RunStartedResponse.parse(body).run.runId;
}

/** One `events` message of the live stream as it arrived. */
export interface EventBatch {
  /** When it arrived (ms since the epoch, sub-millisecond). */
  readonly arrivedAt: number;
  /** The message exactly as the orchestrator sent it. */
  readonly text: string;
  readonly events: readonly RunEvent[];
}

/** The wall clock with sub-millisecond resolution (the same clock as `Date.now()`). */
export function wallClock(): number {
  return performance.timeOrigin + performance.now();
}

/**
 * A watcher of the workflow's live stream, like a board's: every message timestamped on arrival and
 * kept as sent; the `events` messages of a run parsed with the contract's schema once it finished
 * (so that parsing never delays the next arrival's timestamp).
 */
export class RunWatcher {
  #received: { arrivedAt: number; text: string }[] = [];
  #finished: { runId: RunId; resolve: () => void } | undefined;

  private constructor(private readonly live: LiveClient) {
    live.socket.on('message', (data) => this.#receive(String(data)));
  }

  /** Says hello as the owner and watches `workflowId`. */
  static async open(stack: MonitorStack, workflowId: WorkflowId): Promise<RunWatcher> {
    const live = LiveClient.open(stack.serve);
    const watcher = new RunWatcher(live);
    await live.opened();
    live.send({ type: 'hello', token: stack.owner.token });
    await live.next((m) => m.type === 'welcome');
    live.send({ type: 'watch', workflowId });
    await live.next((m) => m.type === 'runs');
    return watcher;
  }

  /** Clears what was received and resolves with the batches of the run `start` starts once its `run.finished` came. */
  async record(start: () => Promise<RunId>): Promise<{ runId: RunId; batches: EventBatch[] }> {
    this.#received = [];
    let resolveFinished = () => {};
    const finished = new Promise<void>((resolve) => {
      resolveFinished = resolve;
    });
    const runId = await start();
    this.#finished = { runId, resolve: resolveFinished };
    if (this.#received.some((r) => finishes(r.text, runId))) resolveFinished();
    await finished;
    this.#finished = undefined;
    const batches: EventBatch[] = [];
    for (const { arrivedAt, text } of this.#received) {
      const message = MonitorServerMessage.parse(JSON.parse(text));
      if (message.type !== 'events') continue;
      const events = message.events.filter((e) => e.runId === runId);
      if (events.length > 0) batches.push({ arrivedAt, text, events });
    }
    return { runId, batches };
  }

  close(): void {
    this.live.close();
  }

  #receive(text: string): void {
    this.#received.push({ arrivedAt: wallClock(), text });
    const done = this.#finished;
    if (done !== undefined && finishes(text, done.runId)) done.resolve();
  }
}

/** Whether message `text` holds run `runId`'s `run.finished` record (parsed only when it may). */
function finishes(text: string, runId: RunId): boolean {
  if (!text.includes('"run.finished"')) return false;
  const message: unknown = JSON.parse(text);
  const events = (message as { events?: { type?: unknown; runId?: unknown }[] }).events ?? [];
  return events.some((e) => e.type === 'run.finished' && e.runId === runId);
}
