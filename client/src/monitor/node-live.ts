// What a running node says as it runs (logs, streamed tokens, its fraction), kept per node from the
// live stream's progress and the orchestrator's snapshot, without losing or doubling any of it.
import { MonitorLimits, type MonitorProgress, type NodeLive } from '@symphony/schemas';

/** A node's live output as this page knows it. */
export interface NodeLiveTail {
  /** The attempt the tokens belong to (0: not known, from a snapshot). */
  readonly attempt: number;
  /** Oldest first, at most {@link MonitorLimits.maxLogLines}. */
  readonly logs: readonly string[];
  /** Streamed tokens of the latest attempt, at most {@link MonitorLimits.maxTokensTail} (cut from the front). */
  readonly tokens: string;
  readonly fraction?: number;
}

/**
 * 4 KiB: how far back a snapshot and the streamed text are compared for overlap. Progress arrives
 * every 50 ms, so what a snapshot and the stream can both hold is one or two messages' worth.
 */
const OVERLAP_WINDOW = 4096;

/**
 * `tail` with one progress message of the live stream appended. A message of a later attempt
 * starts the tokens afresh (they are the latest attempt's); logs carry over.
 */
export function appendProgress(tail: NodeLiveTail | undefined, progress: MonitorProgress): NodeLiveTail {
  const sameAttempt = tail !== undefined && progress.attempt <= tail.attempt;
  const tokens = (sameAttempt ? tail.tokens : '') + (progress.tokens ?? '');
  const logs =
    progress.message === undefined ? (tail?.logs ?? []) : [...(tail?.logs ?? []), progress.message];
  const fraction = progress.fraction ?? (sameAttempt ? tail.fraction : undefined);
  return {
    attempt: Math.max(progress.attempt, tail?.attempt ?? 0),
    logs: logs.slice(-MonitorLimits.maxLogLines),
    tokens: cutFront(tokens),
    ...(fraction === undefined ? {} : { fraction }),
  };
}

/**
 * `tail` (what the stream delivered) combined with the orchestrator's `snapshot` of the same node
 * (`GET /v1/runs/:id`): the snapshot's text, then whatever of the stream came after it. The two may
 * overlap (a progress message sent while the snapshot was taken): the overlap counts once.
 */
export function mergeLiveSnapshot(tail: NodeLiveTail | undefined, snapshot: NodeLive): NodeLiveTail {
  if (tail === undefined) {
    return {
      attempt: 0,
      logs: snapshot.logs.slice(-MonitorLimits.maxLogLines),
      tokens: cutFront(snapshot.tokens),
      ...(snapshot.fraction === undefined ? {} : { fraction: snapshot.fraction }),
    };
  }
  const fraction = tail.fraction ?? snapshot.fraction;
  return {
    attempt: tail.attempt,
    logs: mergeLines(snapshot.logs, tail.logs).slice(-MonitorLimits.maxLogLines),
    tokens: cutFront(mergeText(snapshot.tokens, tail.tokens)),
    ...(fraction === undefined ? {} : { fraction }),
  };
}

/** `earlier` then `later`, the longest end of `earlier` that `later` begins with counted once. */
export function mergeText(earlier: string, later: string): string {
  if (later === '' || earlier.includes(later)) return earlier;
  const max = Math.min(earlier.length, later.length, OVERLAP_WINDOW);
  for (let k = max; k > 0; k--) {
    if (earlier.endsWith(later.slice(0, k))) return earlier + later.slice(k);
  }
  return earlier + later;
}

/** Lines of `earlier` then of `later`, the longest run of `earlier`'s last lines that `later` begins with counted once. */
function mergeLines(earlier: readonly string[], later: readonly string[]): string[] {
  if (later.length === 0 || containsRun(earlier, later)) return [...earlier];
  const max = Math.min(earlier.length, later.length);
  for (let k = max; k > 0; k--) {
    let same = true;
    for (let i = 0; i < k && same; i++) same = earlier[earlier.length - k + i] === later[i];
    if (same) return [...earlier, ...later.slice(k)];
  }
  return [...earlier, ...later];
}

function containsRun(lines: readonly string[], run: readonly string[]): boolean {
  for (let start = 0; start + run.length <= lines.length; start++) {
    if (run.every((line, i) => lines[start + i] === line)) return true;
  }
  return false;
}

function cutFront(text: string): string {
  return text.length > MonitorLimits.maxTokensTail ? text.slice(-MonitorLimits.maxTokensTail) : text;
}
