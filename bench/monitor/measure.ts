/**
 * What one run gives: each node state a journal record set, matched to the moment the page's DOM
 * showed it, and the page's frame times while the states streamed. Pure: data in, data out.
 */
import { percentile } from '../lib/harness.ts';
import type { PageRecord } from './browser.ts';

/** A state a node must reach, and when it was sent on its way (the record's `at`, or the anchor's send). */
export interface Transition {
  readonly nodeId: string;
  readonly state: string;
  readonly at: number;
}

/** The transitions matched to what a page showed. */
export interface Matched {
  /** DOM time − `at`, ms, one per transition shown (coalesced ones included, at the later state's time). */
  readonly latencies: number[];
  /** Transitions the page never showed on their own: a later state of the node replaced them first. */
  readonly coalesced: number;
  /** Transitions the page showed neither on their own nor through a later state (left out). */
  readonly unseen: number;
  /** The last time a matched state appeared. */
  readonly lastShownAt: number;
}

/**
 * Matches each node's transitions, in order, to the states its element took. A transition is shown
 * at the first later appearance of its state; when its element went straight to a later state of the
 * same node (the board rendered once for several records), it counts at the time that later state
 * appeared and is counted as coalesced.
 */
export function matchTransitions(transitions: readonly Transition[], record: PageRecord): Matched {
  const seen = groupBy(
    record.ids.map((id, i) => ({ id, state: record.states[i]!, time: record.times[i]! })),
    (s) => s.id,
  );
  const wanted = groupBy(transitions, (t) => t.nodeId);
  const latencies: number[] = [];
  let coalesced = 0;
  let unseen = 0;
  let lastShownAt = 0;
  for (const [nodeId, list] of wanted) {
    const shown = seen.get(nodeId) ?? [];
    let cursor = 0;
    list.forEach((t, i) => {
      const later = new Set(list.slice(i).map((x) => x.state));
      let j = cursor;
      while (j < shown.length && !later.has(shown[j]!.state)) j++;
      const hit = shown[j];
      if (hit === undefined) {
        unseen++;
        return;
      }
      latencies.push(hit.time - t.at);
      lastShownAt = Math.max(lastShownAt, hit.time);
      if (hit.state === t.state) cursor = j + 1;
      else {
        coalesced++;
        cursor = j;
      }
    });
  }
  return { latencies, coalesced, unseen, lastShownAt };
}

/** `items` by `key`, each group in the items' order. */
function groupBy<T>(items: readonly T[], key: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const group = groups.get(key(item));
    if (group === undefined) groups.set(key(item), [item]);
    else group.push(item);
  }
  return groups;
}

/** The gaps between consecutive frames drawn from `from` to `to` (ms). */
export function frameGaps(frames: readonly number[], from: number, to: number): number[] {
  const inside = frames.filter((t) => t >= from && t <= to);
  const gaps: number[] = [];
  for (let i = 1; i < inside.length; i++) gaps.push(inside[i]! - inside[i - 1]!);
  return gaps;
}

/** p50 and p99 of `values` (0 for none). */
export function p50p99(values: readonly number[]): { p50: number; p99: number } {
  if (values.length === 0) return { p50: 0, p99: 0 };
  return { p50: percentile(values, 50), p99: percentile(values, 99) };
}
