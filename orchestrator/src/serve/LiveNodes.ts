// What the nodes of the runs executing here said while they ran (progress messages, streamed
// tokens, fractions): never journaled, kept in memory for the run panel, bounded per node and in
// how many runs are kept.
import { MonitorLimits, type NodeId, type NodeLive, type RunId } from '@symphony/schemas';
import type { ProgressEvent } from '../executor/options.js';

/** 64 runs: the recent runs a run panel may open, each at most its nodes' bounded logs and tails. */
const MAX_RUNS = 64;

interface NodeTail {
  attempt: number;
  logs: string[];
  tokens: string;
  fraction?: number;
}

/**
 * The live part of the runs executed here, by run and node: the last
 * {@link MonitorLimits.maxLogLines} messages, the streamed tokens of the latest attempt (its tail,
 * {@link MonitorLimits.maxTokensTail} characters), the latest fraction. The least recently
 * updated runs beyond {@link MAX_RUNS} are forgotten.
 */
export class LiveNodes {
  readonly #runs = new Map<RunId, Map<NodeId, NodeTail>>();

  /** Takes one progress report of a step. */
  add(event: ProgressEvent): void {
    let nodes = this.#runs.get(event.runId);
    if (nodes === undefined) {
      nodes = new Map();
      if (this.#runs.size >= MAX_RUNS) this.#runs.delete(this.#runs.keys().next().value as RunId);
    } else {
      this.#runs.delete(event.runId);
    }
    this.#runs.set(event.runId, nodes);
    let tail = nodes.get(event.nodeId);
    if (tail === undefined) {
      tail = { attempt: event.attempt, logs: [], tokens: '' };
      nodes.set(event.nodeId, tail);
    }
    if (event.attempt !== tail.attempt) {
      // A new attempt streams its own answer; the messages of every attempt stay.
      tail.attempt = event.attempt;
      tail.tokens = '';
      tail.fraction = undefined;
    }
    const { message, tokens, fraction } = event.progress;
    if (message !== undefined) {
      tail.logs.push(event.attempt > 1 ? `(attempt ${event.attempt}) ${message}` : message);
      if (tail.logs.length > MonitorLimits.maxLogLines)
        tail.logs.splice(0, tail.logs.length - MonitorLimits.maxLogLines);
    }
    if (tokens !== undefined && tokens !== '') {
      tail.tokens += tokens;
      if (tail.tokens.length > MonitorLimits.maxTokensTail)
        tail.tokens = tail.tokens.slice(-MonitorLimits.maxTokensTail);
    }
    if (fraction !== undefined && Number.isFinite(fraction))
      tail.fraction = Math.min(1, Math.max(0, fraction));
  }

  /** What `runId`'s nodes said, by node (empty for a run not executed here since this process started). */
  of(runId: RunId): Record<string, NodeLive> {
    const live: Record<string, NodeLive> = {};
    for (const [nodeId, tail] of this.#runs.get(runId) ?? []) {
      live[nodeId] = {
        logs: [...tail.logs],
        tokens: tail.tokens,
        ...(tail.fraction !== undefined ? { fraction: tail.fraction } : {}),
      };
    }
    return live;
  }
}
