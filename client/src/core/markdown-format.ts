// Markdown formatting as text edits on one selection: bold, italic and inline code toggled around it,
// and a link made of it (the editor's Ctrl+B, Ctrl+I, Ctrl+E and Ctrl+K).

/** The inline formats a shortcut toggles. */
export type InlineFormat = 'bold' | 'italic' | 'code';

/** The text being edited: its length and a way to read part of it. */
export interface TextSource {
  readonly length: number;
  slice(from: number, to: number): string;
}

/** A selection: `anchor` stays, `head` moves (the cursor); equal for a plain cursor. */
export interface Selection {
  readonly anchor: number;
  readonly head: number;
}

/** One formatting edit: changes in the original text's offsets, and the selection after them. */
export interface FormatEdit {
  readonly changes: readonly { from: number; to: number; insert: string }[];
  readonly selection: Selection;
}

/**
 * The markers a format adds. Italic is `*` rather than `_`, which Markdown does not take inside a
 * word (`word_x_`); either is recognised when toggling off.
 */
const MARKER: Record<InlineFormat, string> = { bold: '**', italic: '*', code: '`' };

/**
 * Toggles `format` around the selection: removes the markers when the selection is already
 * formatted (markers just outside it, or selected with it), adds them otherwise. A selection's
 * surrounding spaces stay outside the markers (`** word**` is not bold); a cursor inside a word
 * formats the word; a cursor elsewhere gets an empty pair to type into.
 */
export function toggleFormat(text: TextSource, selection: Selection, format: InlineFormat): FormatEdit {
  const { from, to, cursor } = formatRange(text, selection);
  const outside = markerLength(
    format,
    runBefore(text.slice(Math.max(0, from - 3), from)),
    runAfter(text.slice(to, to + 3)),
  );
  if (outside > 0) {
    return {
      changes: [
        { from: from - outside, to: from, insert: '' },
        { from: to, to: to + outside, insert: '' },
      ],
      selection: shifted(selection, cursor, from, to, -outside),
    };
  }
  const selected = text.slice(from, to);
  const inside = markerLength(format, runAfter(selected), runBefore(selected));
  if (inside > 0 && selected.length >= 2 * inside + 1) {
    return {
      changes: [
        { from, to: from + inside, insert: '' },
        { from: to - inside, to, insert: '' },
      ],
      selection: { anchor: from, head: to - 2 * inside },
    };
  }
  const marker = format === 'code' ? codeFence(selected) : MARKER[format];
  return {
    changes: [
      { from, to: from, insert: marker },
      { from: to, to, insert: marker },
    ],
    selection: shifted(selection, cursor, from, to, marker.length),
  };
}

/**
 * Makes a Markdown link of the selection: `[text](|)` with the cursor where the address goes. A
 * selected address becomes `[|](address)` with the cursor in the text; a cursor inside a word links
 * the word; a cursor elsewhere gets `[|]()`.
 */
export function insertLink(text: TextSource, selection: Selection): FormatEdit {
  const { from, to } = formatRange(text, selection);
  const selected = text.slice(from, to);
  if (selected === '') return { changes: [{ from, to, insert: '[]()' }], selection: at(from + 1) };
  if (ADDRESS.test(selected))
    return { changes: [{ from, to, insert: `[](${selected})` }], selection: at(from + 1) };
  return {
    changes: [{ from, to, insert: `[${selected}]()` }],
    selection: at(from + selected.length + 3),
  };
}

/** What looks like an address rather than link text. */
const ADDRESS = /^(?:[a-z][a-z0-9+.-]*:\/\/|mailto:|www\.)\S+$/i;

/** Letters, marks and digits: what "the word at the cursor" is made of. */
const WORD = /[\p{L}\p{M}\p{N}]/u;

/**
 * The range a format applies to: the selection without its surrounding white space, or for a
 * cursor, the word around it (`cursor` is then where the cursor sits, to keep it there).
 */
function formatRange(
  text: TextSource,
  selection: Selection,
): { from: number; to: number; cursor: number | null } {
  let from = Math.max(0, Math.min(selection.anchor, selection.head, text.length));
  let to = Math.min(text.length, Math.max(selection.anchor, selection.head));
  if (from === to) {
    const cursor = from;
    // Only inside a word: after "word|" the person means to type the formatted text next.
    if (!isWordAt(text, cursor - 1) || !isWordAt(text, cursor)) return { from, to, cursor };
    while (isWordAt(text, from - 1)) from--;
    while (isWordAt(text, to)) to++;
    return { from, to, cursor };
  }
  const selected = text.slice(from, to);
  if (selected.trim() === '') return { from, to, cursor: null };
  from += selected.length - selected.trimStart().length;
  to -= selected.length - selected.trimEnd().length;
  return { from, to, cursor: null };
}

function isWordAt(text: TextSource, offset: number): boolean {
  return offset >= 0 && offset < text.length && WORD.test(text.slice(offset, offset + 1));
}

/**
 * How many marker characters of `format` to remove, given the run of marker characters just before
 * the content (`open`) and just after it (`close`): `*`/`_` runs of 2 are bold, 1 italic, 3 both.
 */
function markerLength(format: InlineFormat, open: string, close: string): number {
  if (open === '' || open[0] !== close[0]) return 0;
  const k = Math.min(open.length, close.length);
  if (format === 'code') return open[0] === '`' ? k : 0;
  if (open[0] !== '*' && open[0] !== '_') return 0;
  if (format === 'bold') return k >= 2 ? 2 : 0;
  return k === 1 || k === 3 ? 1 : 0;
}

/** The run of one marker character (`*`, `_` or a backtick) that `text` ends with. */
function runBefore(text: string): string {
  const last = text.at(-1);
  if (last === undefined || !'*_`'.includes(last)) return '';
  let n = 0;
  while (n < text.length && text[text.length - 1 - n] === last) n++;
  return last.repeat(n);
}

/** The run of one marker character that `text` starts with. */
function runAfter(text: string): string {
  const first = text[0];
  if (first === undefined || !'*_`'.includes(first)) return '';
  let n = 0;
  while (n < text.length && text[n] === first) n++;
  return first.repeat(n);
}

/** Backticks for inline code: one more than the longest run inside, so the code stays whole. */
function codeFence(code: string): string {
  const longest = Math.max(0, ...(code.match(/`+/g) ?? []).map((run) => run.length));
  return '`'.repeat(longest + 1);
}

/**
 * The selection after markers of `by` characters were added (positive) or removed (negative) on both
 * sides of `[from, to)`: a cursor keeps its place in the text, a selection keeps the content.
 */
function shifted(
  selection: Selection,
  cursor: number | null,
  from: number,
  to: number,
  by: number,
): Selection {
  if (cursor !== null) return at(cursor + by);
  const start = from + by;
  const end = to + by;
  return selection.anchor <= selection.head ? { anchor: start, head: end } : { anchor: end, head: start };
}

function at(offset: number): Selection {
  return { anchor: offset, head: offset };
}
