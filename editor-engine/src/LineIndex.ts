// A buffer's line lengths in chunks, patched from change deltas: offset ↔ line/column without rescans.
import type { DeltaOp } from '@symphony/schemas';

/**
 * Lines per chunk. Lookups scan chunk sums (a 10 MB file of 200,000 lines is ~400 chunks) and then
 * one chunk; splices touch one or two chunks, so neither grows with the document.
 */
const CHUNK = 512;

interface Chunk {
  /** Length of each line in UTF-16 code units, its `\n` included (the last line of the text has none). */
  lens: number[];
  /** Sum of `lens`. */
  sum: number;
}

/** Where an offset falls: its line, the offset where that line starts, and its column. */
export interface LineLocation {
  line: number;
  lineStart: number;
  column: number;
}

/**
 * The lengths of a text's lines, kept up to date from change deltas so that offset ↔ line/column
 * conversions never rescan the text. Lines end after `\n`; a text always has at least one line.
 */
export class LineIndex {
  #chunks: Chunk[] = [];
  #lineCount = 0;
  #length = 0;

  constructor(text = '') {
    this.reset(text);
  }

  /** Rebuilds the index from a whole text (used once, when a buffer opens). */
  reset(text: string): void {
    // Chunks are filled while scanning: a 10 MB file has ~200,000 lines, and one array of them
    // sliced into chunks afterwards doubled the time to open it.
    const chunks: Chunk[] = [];
    let lens: number[] = [];
    let sum = 0;
    let start = 0;
    let lineCount = 1;
    for (let nl = text.indexOf('\n'); nl !== -1; nl = text.indexOf('\n', nl + 1)) {
      const len = nl + 1 - start;
      lens.push(len);
      sum += len;
      start = nl + 1;
      lineCount++;
      if (lens.length === CHUNK) {
        chunks.push({ lens, sum });
        lens = [];
        sum = 0;
      }
    }
    lens.push(text.length - start);
    chunks.push({ lens, sum: sum + text.length - start });
    this.#chunks = chunks;
    this.#lineCount = lineCount;
    this.#length = text.length;
  }

  /** Number of lines (at least 1). */
  get lineCount(): number {
    return this.#lineCount;
  }

  /** Length of the text in UTF-16 code units. */
  get length(): number {
    return this.#length;
  }

  /** The line holding `offset` (0 ≤ offset ≤ length); an offset just after a `\n` starts the next line. */
  locate(offset: number): LineLocation {
    let line = 0;
    let start = 0;
    const chunks = this.#chunks;
    for (let c = 0; c < chunks.length; c++) {
      const chunk = chunks[c]!;
      const isLastChunk = c === chunks.length - 1;
      if (offset < start + chunk.sum || isLastChunk) {
        const lens = chunk.lens;
        for (let i = 0; i < lens.length; i++) {
          const len = lens[i]!;
          if (offset < start + len || (isLastChunk && i === lens.length - 1)) {
            return { line, lineStart: start, column: offset - start };
          }
          start += len;
          line++;
        }
      }
      start += chunk.sum;
      line += chunk.lens.length;
    }
    /* c8 ignore next */
    throw new Error(`LineIndex.locate: offset ${offset} past the end (${this.#length})`);
  }

  /**
   * Locates ascending offsets in one pass: each call goes on from where the previous one stopped,
   * skipping whole chunks by their sums, so locating every match of a search costs one walk over the
   * line lengths, not a rescan of the text. Offsets must not decrease; the index must not change
   * between calls.
   */
  locator(): (offset: number) => { line: number; lineStart: number } {
    const chunks = this.#chunks;
    let c = 0;
    let i = 0;
    let line = 0;
    let start = 0;
    let chunkLine = 0;
    let chunkStart = 0;
    return (offset) => {
      while (c < chunks.length - 1 && offset >= chunkStart + chunks[c]!.sum) {
        chunkStart += chunks[c]!.sum;
        chunkLine += chunks[c]!.lens.length;
        c++;
        i = 0;
        line = chunkLine;
        start = chunkStart;
      }
      const lens = chunks[c]!.lens;
      while (i < lens.length - 1 && offset >= start + lens[i]!) {
        start += lens[i]!;
        i++;
        line++;
      }
      return { line, lineStart: start };
    };
  }

  /** Offset where `line` starts (0 ≤ line < lineCount). */
  lineStart(line: number): number {
    let start = 0;
    let first = 0;
    for (const chunk of this.#chunks) {
      if (line < first + chunk.lens.length) {
        const lens = chunk.lens;
        for (let i = 0; i < line - first; i++) start += lens[i]!;
        return start;
      }
      start += chunk.sum;
      first += chunk.lens.length;
    }
    throw new Error(`LineIndex.lineStart: line ${line} past the end (${this.#lineCount})`);
  }

  /** Length of `line`, its `\n` included. */
  lineLength(line: number): number {
    let first = 0;
    for (const chunk of this.#chunks) {
      if (line < first + chunk.lens.length) return chunk.lens[line - first]!;
      first += chunk.lens.length;
    }
    throw new Error(`LineIndex.lineLength: line ${line} past the end (${this.#lineCount})`);
  }

  /** Applies a change given as delta ops (retain / insert / delete, in order from offset 0). */
  applyDelta(ops: readonly DeltaOp[]): void {
    let pos = 0;
    for (const op of ops) {
      if ('retain' in op) pos += op.retain;
      else if ('insert' in op) {
        this.insert(pos, op.insert);
        pos += op.insert.length;
      } else this.delete(pos, op.delete);
    }
  }

  /** Records `text` inserted at `offset`. */
  insert(offset: number, text: string): void {
    if (text.length === 0) return;
    const at = this.locate(offset);
    const oldLen = this.lineLength(at.line);
    const parts = lineLengths(text);
    if (parts.length === 1) {
      this.#splice(at.line, 1, [oldLen + text.length]);
    } else {
      // parts: every part but the last ends with "\n"; the last is the tail of the inserted text.
      const replacement = parts.slice();
      replacement[0] = at.column + parts[0]!;
      replacement[replacement.length - 1] = parts[parts.length - 1]! + (oldLen - at.column);
      this.#splice(at.line, 1, replacement);
    }
    this.#length += text.length;
  }

  /** Records `length` characters deleted at `offset`. */
  delete(offset: number, length: number): void {
    if (length <= 0) return;
    const a = this.locate(offset);
    const b = this.locate(offset + length);
    const tail = this.lineLength(b.line) - b.column;
    this.#splice(a.line, b.line - a.line + 1, [a.column + tail]);
    this.#length -= length;
  }

  /** Replaces `count` lines from `line` with lines of the given lengths (at least one). */
  #splice(line: number, count: number, lens: number[]): void {
    // Find the chunk holding `line`, then gather the chunks the removed lines span.
    let c = 0;
    let first = 0;
    while (c < this.#chunks.length - 1 && line >= first + this.#chunks[c]!.lens.length) {
      first += this.#chunks[c]!.lens.length;
      c++;
    }
    let end = c;
    let spanned = this.#chunks[c]!.lens.length;
    while (line - first + count > spanned && end < this.#chunks.length - 1) {
      end++;
      spanned += this.#chunks[end]!.lens.length;
    }
    this.#lineCount += lens.length - count;
    const at = line - first;
    const chunk = this.#chunks[c]!;
    if (end === c && lens.length <= CHUNK) {
      // Within one chunk, in place: a keystroke changes one line's length and allocates nothing.
      let removed = 0;
      for (let i = at; i < at + count; i++) removed += chunk.lens[i]!;
      if (count === 1 && lens.length === 1) chunk.lens[at] = lens[0]!;
      else chunk.lens.splice(at, count, ...lens);
      chunk.sum += sumOf(lens) - removed;
      if (chunk.lens.length <= 2 * CHUNK) return;
      this.#chunks.splice(c, 1, ...chunked(chunk.lens));
      return;
    }
    let merged: number[] = [];
    for (let i = c; i <= end; i++) merged = merged.concat(this.#chunks[i]!.lens);
    // No spread of `lens`: a paste of 100,000 lines would overflow the call stack.
    merged = merged.slice(0, at).concat(lens, merged.slice(at + count));
    this.#chunks.splice(c, end - c + 1, ...chunked(merged));
  }
}

/** Line lengths cut into chunks of {@link CHUNK}; at least one chunk. */
function chunked(lens: readonly number[]): Chunk[] {
  const chunks: Chunk[] = [];
  for (let i = 0; i < lens.length; i += CHUNK) {
    const slice = lens.slice(i, i + CHUNK);
    chunks.push({ lens: slice, sum: sumOf(slice) });
  }
  if (chunks.length === 0) chunks.push({ lens: [0], sum: 0 });
  return chunks;
}

/** Lengths of a text's lines, each `\n` counted in its line; always at least one line. */
function lineLengths(text: string): number[] {
  const lens: number[] = [];
  let start = 0;
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) {
    lens.push(i + 1 - start);
    start = i + 1;
  }
  lens.push(text.length - start);
  return lens;
}

function sumOf(values: readonly number[]): number {
  let sum = 0;
  for (const v of values) sum += v;
  return sum;
}
