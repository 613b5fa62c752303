// The monitor's run routes: health, a workflow's runs, one run in full, and start, re-run, cancel and
// resume — each for the caller OFB says may (a viewer watches, an editor runs).
import {
  CancelRunRequest,
  type CancelRunResponse,
  MONITOR_API_PREFIX,
  MonitorErrorCode,
  MonitorLimits,
  RerunRequest,
  ResumeRunRequest,
  type RunDetailResponse,
  RunId,
  RunListQuery,
  type RunListResponse,
  type RunStartedResponse,
  type RunSummary,
  StartRunRequest,
} from '@symphony/schemas';
import type { Context, Hono } from 'hono';
import { runView } from '../cli/runs-view.js';
import type { RunAction, WorkflowCaller } from './Gatekeeper.js';
import { bearer, jsonBody, paramOf, queryOf } from './http-app.js';
import { MonitorError } from './monitor-error.js';
import type { TeamRunSource } from './RunIndex.js';
import { executedBy, type MonitorServices, shownRun, workflowRuns } from './services.js';

const v1 = MONITOR_API_PREFIX;

/** Mounts the run routes on `app`. */
export function mountRunRoutes(app: Hono, services: MonitorServices): void {
  app.get(`${v1}/health`, (c) => c.json(services.health()));

  app.get(`${v1}/runs`, async (c) => {
    const token = bearer(c);
    const query = queryOf(c, RunListQuery);
    const caller = await services.gate.authorize(token, query.workflowId, 'watch');
    const runs = await workflowRuns(services, query.workflowId, query.limit ?? MonitorLimits.maxRunsListed);
    return c.json({ runs, role: caller.role } satisfies RunListResponse);
  });

  app.get(`${v1}/runs/:runId`, async (c) => {
    const { runId, caller, summary } = await runFor(c, services, 'watch');
    const history = await services.engine.tracker.history(runId);
    const detail: RunDetailResponse = {
      run: runView(history, await executedBy(services, summary)),
      live: services.live.of(runId),
      role: caller.role,
    };
    return c.json(detail);
  });

  app.post(`${v1}/runs`, async (c) => {
    const token = bearer(c);
    const request = await jsonBody(c, StartRunRequest);
    const caller = await services.gate.authorize(token, request.workflowId, 'run');
    const run = await services.runs.start(caller, request);
    return c.json({ run } satisfies RunStartedResponse);
  });

  app.post(`${v1}/runs/:runId/rerun`, async (c) => {
    const { runId, caller, source } = await runFor(c, services, 'run');
    const request = await jsonBody(c, RerunRequest);
    const run = await services.runs.rerun(caller, runId, source, request);
    return c.json({ run } satisfies RunStartedResponse);
  });

  app.post(`${v1}/runs/:runId/cancel`, async (c) => {
    const { runId, summary } = await runFor(c, services, 'run');
    const request = await jsonBody(c, CancelRunRequest);
    if (summary.status !== 'running') {
      throw new MonitorError(
        MonitorErrorCode.runFinished,
        `run ${runId} has already finished (${summary.status}); there is nothing to cancel`,
      );
    }
    const outcome = await services.runs.cancel(runId, request.nodeId);
    return c.json({ outcome } satisfies CancelRunResponse);
  });

  app.post(`${v1}/runs/:runId/resume`, async (c) => {
    const { runId, caller } = await runFor(c, services, 'run');
    await jsonBody(c, ResumeRunRequest);
    const run = await services.runs.resume(caller, runId);
    return c.json({ run } satisfies RunStartedResponse);
  });
}

/**
 * The run of the `:runId` path parameter and the caller, when the caller may do `action` with its
 * workflow. A run the monitor does not show (a workflow file's, another team server's, none) is
 * 404 — after the token was checked, so an unknown caller learns nothing about which runs exist.
 */
async function runFor(
  c: Context,
  services: MonitorServices,
  action: RunAction,
): Promise<{ runId: RunId; caller: WorkflowCaller; summary: RunSummary; source: TeamRunSource }> {
  const token = bearer(c);
  const runId = paramOf(c, 'runId', RunId);
  const shown = shownRun(services, runId);
  if (shown === undefined) {
    await services.gate.identify(token);
    throw new MonitorError(
      MonitorErrorCode.notFound,
      `this orchestrator shows no run ${runId}: runs of workflow files and of other team servers are not shown`,
    );
  }
  const caller = await services.gate.authorize(token, shown.source.workflowId, action);
  return { runId, caller, summary: shown.summary, source: shown.source };
}
