// What the kill -9 test asserts about a run that was killed and resumed until it ended, as a pure
// function of the evidence: its journal, the effect lines, the shared document and the reference.
import { foldRun, type RunState } from '@symphony/pit';
import type { NodeId, NodeOutputs, RunEvent, RunId } from '@symphony/schemas';
import { type EffectLine, taggedLines } from './recording-steps.js';

/** Everything known about one finished run of the kill test. */
export interface KillRunEvidence {
  readonly runId: RunId;
  /** Its journal, as a fresh reader sees it after the last child exited. */
  readonly history: readonly RunEvent[];
  /** Every effect line of its data folder (other runs' lines are ignored). */
  readonly effects: readonly EffectLine[];
  /** The shared document, as a fresh client reads it: its text and its effect markers. */
  readonly document: { readonly text: string; readonly markers: ReadonlySet<string> };
  /** The same workflow run once without kills or cache. */
  readonly reference: { readonly state: RunState; readonly written: ReadonlyMap<NodeId, string> };
  /** The processes that ran it (effect lines from any other process are a problem). */
  readonly pids: ReadonlySet<number>;
}

/**
 * The ways the run broke the executor's promises, in words; empty when it kept them all:
 * - the journal holds one `run.started` and one `run.finished` (succeeded), and one success per node;
 * - every node ended succeeded or cached (a hit on an earlier run is legitimate: an empty list
 *   mapped the same way has the same content address whichever run made it);
 * - every node's outputs are the reference run's (same artifact hashes);
 * - every node that succeeded left at least one effect line, none after its journaled success,
 *   none of a later attempt, none twice from one process and attempt; a cached node none after
 *   its `node.cached`; no line names a node the workflow does not have;
 * - every write-document node's line is in the document exactly once, with the reference's text,
 *   and its marker is there; no other line of the run is.
 */
export function killRunProblems(evidence: KillRunEvidence): string[] {
  const problems: string[] = [];
  const { runId, history, reference } = evidence;
  if (reference.state.status !== 'succeeded') {
    for (const node of reference.state.nodes.values())
      if (node.state !== 'succeeded')
        problems.push(
          `uninterrupted run of ${runId}: ${node.nodeId} ${node.state}: ${node.error?.message ?? node.reason ?? ''}`,
        );
    return [`the uninterrupted run of ${runId}'s workflow ended ${reference.state.status}`, ...problems];
  }
  const count = (type: RunEvent['type']) => history.filter((e) => e.type === type).length;
  if (count('run.started') !== 1) problems.push(`${runId}: ${count('run.started')} run.started records`);
  if (count('run.finished') !== 1) problems.push(`${runId}: ${count('run.finished')} run.finished records`);
  let state: RunState;
  try {
    state = foldRun(history);
  } catch (error) {
    return [...problems, `${runId}: the journal does not fold: ${String(error)}`];
  }
  if (state.status !== 'succeeded') problems.push(`${runId}: the run ended ${state.status}`);
  const settledAt = new Map<string, { type: string; at: number; attempt?: number }>();
  for (const event of history) {
    if (event.type !== 'node.succeeded' && event.type !== 'node.cached') continue;
    if (settledAt.has(event.nodeId)) problems.push(`${runId}/${event.nodeId}: settled twice in the journal`);
    settledAt.set(event.nodeId, {
      type: event.type,
      at: event.at,
      ...(event.type === 'node.succeeded' ? { attempt: event.attempt } : {}),
    });
  }
  const lines = evidence.effects.filter((line) => line.runId === runId);
  for (const [nodeId, expected] of reference.state.nodes) {
    const node = state.nodes.get(nodeId);
    const where = `${runId}/${nodeId}`;
    if (node === undefined) {
      problems.push(`${where}: not in the run`);
      continue;
    }
    if (node.state !== 'succeeded' && node.state !== 'cached') problems.push(`${where}: ended ${node.state}`);
    if (!sameOutputs(node.outputs, expected.outputs))
      problems.push(
        `${where}: outputs ${JSON.stringify(node.outputs)}, uninterrupted ${JSON.stringify(expected.outputs)}`,
      );
    problems.push(
      ...effectProblems(
        where,
        lines.filter((l) => l.nodeId === nodeId),
        settledAt.get(nodeId),
        evidence.pids,
      ),
    );
  }
  for (const line of lines)
    if (!reference.state.nodes.has(line.nodeId as NodeId))
      problems.push(`${runId}: an effect of unknown node ${line.nodeId}`);
  problems.push(...documentProblems(evidence));
  return problems;
}

function effectProblems(
  where: string,
  lines: readonly EffectLine[],
  settled: { type: string; at: number; attempt?: number } | undefined,
  pids: ReadonlySet<number>,
): string[] {
  const problems: string[] = [];
  if (settled === undefined) return [`${where}: no node.succeeded or node.cached in the journal`];
  if (settled.type === 'node.succeeded' && lines.length === 0)
    problems.push(`${where}: succeeded with no effect line`);
  const seen = new Set<string>();
  for (const line of lines) {
    if (line.t > settled.at)
      problems.push(
        `${where}: ran at ${line.t} (pid ${line.pid}), after its ${settled.type} at ${settled.at}`,
      );
    if (settled.attempt !== undefined && line.attempt > settled.attempt)
      problems.push(
        `${where}: an effect of attempt ${line.attempt}, after attempt ${settled.attempt} succeeded`,
      );
    const key = `${line.pid}/${line.attempt}`;
    if (seen.has(key)) problems.push(`${where}: attempt ${line.attempt} ran twice in process ${line.pid}`);
    seen.add(key);
    if (!pids.has(line.pid))
      problems.push(`${where}: an effect from process ${line.pid}, which the test never started`);
  }
  return problems;
}

function documentProblems(evidence: KillRunEvidence): string[] {
  const { runId, reference, document } = evidence;
  const problems: string[] = [];
  const mine = taggedLines(document.text).filter((line) => line.runId === runId);
  for (const [nodeId, body] of reference.written) {
    const where = `${runId}/${nodeId}`;
    const found = mine.filter((line) => line.nodeId === nodeId);
    if (found.length !== 1)
      problems.push(`${where}: its line is in the document ${found.length} times, not once`);
    for (const line of found)
      if (line.body !== body)
        problems.push(`${where}: wrote ${JSON.stringify(line.body)}, uninterrupted ${JSON.stringify(body)}`);
    if (!document.markers.has(where)) problems.push(`${where}: its effect marker is not in the document`);
  }
  for (const line of mine)
    if (!reference.written.has(line.nodeId))
      problems.push(`${runId}/${line.nodeId}: wrote a line the reference did not`);
  return problems;
}

function sameOutputs(a: NodeOutputs | undefined, b: NodeOutputs | undefined): boolean {
  const left = Object.entries(a ?? {}).sort(([x], [y]) => x.localeCompare(y));
  const right = Object.entries(b ?? {}).sort(([x], [y]) => x.localeCompare(y));
  return JSON.stringify(left) === JSON.stringify(right);
}
