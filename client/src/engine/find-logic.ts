// Pure helpers of find and workspace search: stepping between matches, match-count labels, snippets
// cut around a match, and a bounded-concurrency map.
import type { FindMatch } from '@symphony/schemas';

/** Index of the first match starting at or after `offset` (wrapping to the first), or -1 if none. */
export function matchAtOrAfter(matches: readonly FindMatch[], offset: number): number {
  if (matches.length === 0) return -1;
  const index = matches.findIndex((m) => m.from >= offset);
  return index === -1 ? 0 : index;
}

/** The next (or previous) match from `current`, wrapping around; -1 if there are none. */
export function stepMatch(count: number, current: number, direction: 1 | -1): number {
  if (count === 0) return -1;
  if (current < 0) return direction === 1 ? 0 : count - 1;
  return (current + direction + count) % count;
}

/** "3 of 12", "No results", or "1,000+ …" when the engine stopped at the limit. */
export function matchCountLabel(count: number, current: number, truncated: boolean): string {
  if (count === 0) return 'No results';
  const total = `${count.toLocaleString('en')}${truncated ? '+' : ''}`;
  return current < 0
    ? `${total} ${count === 1 && !truncated ? 'match' : 'matches'}`
    : `${current + 1} of ${total}`;
}

/** A line cut to about `width` characters around a match, with the match's place in the cut. */
export interface Snippet {
  readonly before: string;
  readonly match: string;
  readonly after: string;
}

/**
 * Cuts `line` around the match at `[column, column + length)` so it fits in about `width`
 * characters: some context before, the match, the rest after, with `…` where text was left out.
 */
export function snippet(line: string, column: number, length: number, width = 90): Snippet {
  const start = Math.max(0, Math.min(column, line.length));
  const end = Math.max(start, Math.min(column + length, line.length));
  const room = Math.max(0, width - (end - start));
  const beforeRoom = Math.min(start, Math.max(12, Math.floor(room / 3)));
  let from = start - beforeRoom;
  // Start at a word boundary when one is close.
  const space = line.lastIndexOf(' ', start - 1);
  if (from > 0 && space >= from && space < start) from = space + 1;
  const to = Math.min(line.length, end + Math.max(0, room - (start - from)));
  return {
    before: `${from > 0 ? '…' : ''}${line.slice(from, start).trimStart()}`,
    match: line.slice(start, end),
    after: `${line.slice(end, to).trimEnd()}${to < line.length ? '…' : ''}`,
  };
}

/**
 * Runs `task` over `items` with at most `concurrency` at once, in order of start; stops starting
 * new ones once `signal` is aborted.
 */
export async function mapBounded<T>(
  items: readonly T[],
  concurrency: number,
  task: (item: T) => Promise<void>,
  signal?: AbortSignal,
): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length && !signal?.aborted) {
      const item = items[next++] as T;
      await task(item);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, items.length)) }, worker));
}
