// The pure helpers of TextBuffer: batch edits resolved to offsets, Yjs deltas as protocol ops, and
// the OutOfRange error.
import type { DeltaOp, Selection } from '@symphony/schemas';
import type * as Y from 'yjs';
import { EngineError } from './errors.js';

/** An edit resolved to offsets, with its index in the batch. */
export interface ResolvedEdit {
  from: number;
  to: number;
  text: string;
  index: number;
}

/** A Yjs delta as protocol ops; embeds count as one character (U+FFFC), formatting is ignored. */
export function toOps(delta: Y.YTextEvent['delta']): DeltaOp[] {
  const ops: DeltaOp[] = [];
  let changes = false;
  for (const d of delta) {
    if (d.retain !== undefined) {
      if (d.retain > 0) ops.push({ retain: d.retain });
    } else if (d.insert !== undefined) {
      const insert = typeof d.insert === 'string' ? d.insert : '\uFFFC';
      if (insert.length > 0) {
        ops.push({ insert });
        changes = true;
      }
    } else if (d.delete !== undefined && d.delete > 0) {
      ops.push({ delete: d.delete });
      changes = true;
    }
  }
  return changes ? ops : [];
}

/** The ops of a sorted, non-overlapping batch, as a Yjs delta would give them. */
export function batchOps(sorted: readonly ResolvedEdit[]): DeltaOp[] {
  const ops: DeltaOp[] = [];
  let pos = 0;
  for (const e of sorted) {
    if (e.from > pos) ops.push({ retain: e.from - pos });
    if (e.text.length > 0) ops.push({ insert: e.text });
    if (e.to > e.from) ops.push({ delete: e.to - e.from });
    pos = Math.max(pos, e.to);
  }
  return ops;
}

/** A line without its trailing `\n`. */
export function stripNewline(line: string): string {
  return line.endsWith('\n') ? line.slice(0, -1) : line;
}

/** Whether two resolved selection lists are the same. */
export function sameSelections(a: readonly Selection[], b: readonly Selection[]): boolean {
  return a.length === b.length && a.every((s, i) => s.anchor === b[i]!.anchor && s.head === b[i]!.head);
}

/** The `OutOfRange` error for a position outside the buffer, naming where in the params it was. */
export function outOfRange(
  what: 'offset' | 'line' | 'column',
  path: string,
  value: number,
  min: number,
  max: number,
  line?: number,
): EngineError {
  const where =
    what === 'column'
      ? `column ${value} is past the end of line ${line} (columns ${min}–${max})`
      : what === 'line'
        ? `line ${value} is outside the buffer (lines ${min}–${max})`
        : `offset ${value} is outside the buffer (${min}–${max})`;
  return new EngineError('OutOfRange', `${path}: ${where}`, { what, path, value, min, max });
}
