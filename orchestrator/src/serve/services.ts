// What the monitor's routes and sockets work with: one object handed to each, built by the server.
import type { MonitorHealth, RunId, RunSummary, WorkflowId } from '@symphony/schemas';
import type { DataPaths, Engine } from '../cli/data-dir.js';
import { liveOwner } from '../executor/run-claims.js';
import type { Gatekeeper } from './Gatekeeper.js';
import type { LiveNodes } from './LiveNodes.js';
import type { RunControl } from './RunControl.js';
import { type RunIndex, type TeamRunSource, teamSource } from './RunIndex.js';

/** The parts of a running monitor. */
export interface MonitorServices {
  /** The team server this orchestrator runs workflows of (no trailing slash). */
  readonly server: string;
  readonly paths: DataPaths;
  readonly engine: Engine;
  readonly index: RunIndex;
  readonly gate: Gatekeeper;
  readonly runs: RunControl;
  readonly live: LiveNodes;
  /** The environment of instruments and the router (whose `symphony instruments stats` it shows). */
  readonly env: NodeJS.ProcessEnv;
  readonly now: () => number;
  readonly warn: (message: string) => void;
  health(): MonitorHealth;
}

/**
 * A run the monitor shows: one of a workflow on this orchestrator's team server. Runs of workflow
 * files, and of other team servers, are never shown (their access cannot be decided by this team
 * server's RBAC).
 */
export function shownRun(
  services: Pick<MonitorServices, 'index' | 'server'>,
  runId: RunId,
): { summary: RunSummary; source: TeamRunSource } | undefined {
  const summary = services.index.summary(runId);
  const source = summary === undefined ? undefined : teamSource(summary);
  if (summary === undefined || source === undefined || source.server !== services.server) return undefined;
  return { summary, source };
}

/** The pid executing `summary`'s run, when it is running and a live process executes it. */
export async function executedBy(
  services: Pick<MonitorServices, 'engine' | 'paths'>,
  summary: RunSummary,
): Promise<number | undefined> {
  if (summary.status !== 'running') return undefined;
  if (services.engine.executor.running.includes(summary.runId)) return process.pid;
  return liveOwner(services.paths.runs, summary.runId);
}

/** `summary` with who executes it now. */
export async function withExecutor(
  services: Pick<MonitorServices, 'engine' | 'paths'>,
  summary: RunSummary,
): Promise<RunSummary> {
  const pid = await executedBy(services, summary);
  return pid === undefined ? summary : { ...summary, executedBy: pid };
}

/** The runs of `workflowId` the monitor shows, newest first, with who executes each. */
export function workflowRuns(
  services: Pick<MonitorServices, 'index' | 'server' | 'engine' | 'paths'>,
  workflowId: WorkflowId,
  limit: number,
): Promise<RunSummary[]> {
  return Promise.all(
    services.index
      .ofWorkflow(services.server, workflowId)
      .slice(0, limit)
      .map((summary) => withExecutor(services, summary)),
  );
}
