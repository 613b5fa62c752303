// What a running node says as it runs (logs, streamed tokens, its fraction), kept per node from the
// live stream's progress and the orchestrator's snapshot, without losing or doubling any of it.
import { MonitorLimits, type MonitorProgress, type NodeLive } from '@symphony/schemas';

/** A node's live output as this page knows it. */
export interface NodeLiveTail {
  /** The attempt the tokens belong to (0: not known, from a snapshot of a node with no attempt yet). */
  readonly attempt: number;
  /** Oldest first, at most {@link MonitorLimits.maxLogLines}. */
  readonly logs: readonly string[];
  /** Streamed tokens of the latest attempt, at most {@link MonitorLimits.maxTokensTail} (cut from the front). */
  readonly tokens: string;
  readonly fraction?: number;
}

/**
 * `tail` with one progress message of the live stream appended. A message of a later attempt
 * starts the tokens afresh (they are the latest attempt's); logs carry over. Text of an attempt not
 * known (0) is taken to be the message's attempt.
 */
export function appendProgress(tail: NodeLiveTail | undefined, progress: MonitorProgress): NodeLiveTail {
  const sameAttempt = tail !== undefined && (tail.attempt === 0 || progress.attempt <= tail.attempt);
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
 * (`GET /v1/runs/:id`), taken during `attempt` (its latest; 0: none yet): the snapshot's text, then
 * whatever of the stream came after it. The two may overlap (the stream may hold all the snapshot
 * does, and more): the overlap counts once. Text of an older attempt gives way to the newer one's.
 */
export function mergeLiveSnapshot(
  tail: NodeLiveTail | undefined,
  snapshot: NodeLive,
  attempt = 0,
): NodeLiveTail {
  const tailIsOlder = tail !== undefined && tail.attempt !== 0 && attempt > tail.attempt;
  if (tail === undefined || tailIsOlder) {
    return {
      attempt,
      logs: snapshot.logs.slice(-MonitorLimits.maxLogLines),
      tokens: cutFront(snapshot.tokens),
      ...(snapshot.fraction === undefined ? {} : { fraction: snapshot.fraction }),
    };
  }
  const fraction = tail.fraction ?? snapshot.fraction;
  // A snapshot older than the stream's attempt holds the previous attempt's text: the stream's stands.
  const snapshotIsOlder = tail.attempt !== 0 && attempt !== 0 && attempt < tail.attempt;
  return {
    attempt: tail.attempt === 0 ? attempt : tail.attempt,
    logs: mergeLines(snapshot.logs, tail.logs).slice(-MonitorLimits.maxLogLines),
    tokens: snapshotIsOlder ? tail.tokens : cutFront(mergeText(snapshot.tokens, tail.tokens)),
    ...(fraction === undefined ? {} : { fraction }),
  };
}

/**
 * `earlier` then `later`, the longest end of `earlier` that `later` begins with counted once (all of
 * `later`, when `earlier` holds it). O(earlier + later): a Knuth–Morris–Pratt match of `later`
 * over `earlier`, whose state at the end is that overlap, however long.
 */
export function mergeText(earlier: string, later: string): string {
  if (later === '') return earlier;
  const border = prefixFunction(later);
  let matched = 0;
  for (let i = 0; i < earlier.length; i++) {
    while (matched > 0 && earlier[i] !== later[matched]) matched = border[matched - 1]!;
    if (earlier[i] === later[matched]) matched++;
    if (matched === later.length) return earlier;
  }
  return earlier + later.slice(matched);
}

/** For each prefix of `text`, the length of its longest proper prefix that is also its suffix. */
function prefixFunction(text: string): Uint32Array {
  const border = new Uint32Array(text.length);
  let k = 0;
  for (let i = 1; i < text.length; i++) {
    while (k > 0 && text[i] !== text[k]) k = border[k - 1]!;
    if (text[i] === text[k]) k++;
    border[i] = k;
  }
  return border;
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
