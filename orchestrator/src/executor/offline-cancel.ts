// Cancelling a run nobody is executing: the records the planner would have made, made by the
// canceller itself. Pure: the folded state in, the records out.
import type { RunState } from '@symphony/pit';
import type { NodeId, RunEvent } from '@symphony/schemas';
import type { RunGraph } from './graph.js';
import { RunPlanner } from './planner.js';

/**
 * The records that cancel `state`'s run (or one node of it) when no process executes it:
 * `run.cancelRequested`, then `node.cancelled` for what was waiting or running (the process that
 * ran it is gone) and `node.skipped` for what depended on a cancelled node, and `run.finished`
 * once every node is final. Nothing is started: a node that becomes ready waits for a resume.
 */
export function offlineCancelEvents(
  state: RunState,
  graph: RunGraph,
  nodeId: NodeId | undefined,
  now: number,
): RunEvent[] {
  const runId = state.runId;
  const request: RunEvent = {
    type: 'run.cancelRequested',
    runId,
    at: now,
    ...(nodeId !== undefined ? { nodeId } : {}),
  };
  const events: RunEvent[] = [request];
  const planner = new RunPlanner(
    graph,
    { concurrency: Number.MAX_SAFE_INTEGER, defaultMaxAttempts: 1, backoffBaseMs: 0, backoffMaxMs: 0 },
    () => 0,
    state,
  );
  planner.apply(request);
  for (;;) {
    const made: RunEvent[] = [];
    for (const command of planner.next(now)) {
      if (command.kind === 'skip')
        made.push({ type: 'node.skipped', runId, at: now, nodeId: command.nodeId, reason: command.reason });
      else if (command.kind === 'cancel' || command.kind === 'abort') {
        made.push({ type: 'node.cancelled', runId, at: now, nodeId: command.nodeId, reason: command.reason });
      } else if (command.kind === 'finish')
        made.push({ type: 'run.finished', runId, at: now, status: command.status });
    }
    if (made.length === 0) return events;
    for (const event of made) planner.apply(event);
    events.push(...made);
  }
}
