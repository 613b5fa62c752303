// A text buffer bound to one Document: the Y.Text, its mirror and line index, revisions, and each caller's
// edits, undo history, selections and searches.
import {
  type BufferId,
  ChangeOrigin,
  type DeltaOp,
  EditorEngineLimits,
  type EngineNotification,
  type EngineNotificationParams,
  type EngineResult,
  type FindMatch,
  type OffsetRange,
  type Selection,
  type SelectionInput,
  type TextEdit,
  type TextPosition,
  type TextRange,
} from '@symphony/schemas';
import * as Y from 'yjs';
import type { BindingStatus, DocumentBinding } from './DocumentSource.js';
import { type Effect, hasEffect, recordEffect, whenStored } from './effects.js';
import { EngineError } from './errors.js';
import { compileQuery, expandReplacement, type FindQuery, type RawMatch, scan } from './find.js';
import { LineIndex } from './LineIndex.js';
import {
  batchOps,
  outOfRange,
  type ResolvedEdit,
  sameSelections,
  stripNewline,
  toOps,
} from './text-buffer-support.js';

/**
 * Undo steps kept per caller and buffer. A caller replaying a long trace (one batch per keystroke)
 * would otherwise hold a step per edit forever; 10,000 is far more than anyone undoes by hand.
 */
export const MAX_UNDO_STEPS = 10_000;
/** How far past {@link MAX_UNDO_STEPS} a history may grow before its oldest steps are dropped. */
const UNDO_TRIM_SLACK = MAX_UNDO_STEPS / 10;

/** Name of the shared text in every document (the client binds CodeMirror to the same). */
export const TEXT_NAME = 'content';

/**
 * Someone who edits a buffer: one connection to the engine. Its edits are Yjs transactions with
 * its {@link Caller.origin}, and it is told about every change.
 */
export interface Caller {
  /** The Yjs transaction origin of this caller's edits. */
  readonly origin: object;
  notify<N extends EngineNotification>(method: N, params: EngineNotificationParams<N>): void;
}

interface CallerState {
  undo: Y.UndoManager;
  /** False when the caller asked not to be told about its own changes (`updates: 'others'`). */
  echo: boolean;
  selections: { anchor: Y.RelativePosition; head: Y.RelativePosition }[];
  /** The selections as last resolved, to notify only when they move. */
  resolved: Selection[];
}

/**
 * A text buffer bound to one document: the Y.Text, a mirror of its text and a line index both
 * patched from each change's delta, a revision bumped on every change, and each caller's undo
 * history and selections. Every operation checks everything before it changes anything.
 */
export class TextBuffer {
  readonly id: BufferId;
  readonly key: string;
  language: string | undefined;
  readonly #binding: DocumentBinding;
  readonly #ytext: Y.Text;
  readonly #index: LineIndex;
  /** The whole text, rebuilt from the Y.Text on demand and dropped on every change. */
  #text: string | undefined;
  #revision = 0;
  readonly #callers = new Map<Caller, CallerState>();
  /** Transaction origin → the caller it belongs to (its own origin and its undo manager). */
  readonly #origins = new Map<unknown, Caller>();
  readonly #stopStatus: () => void;
  /** The ops of the batch being applied, so its change needs no Yjs delta. */
  #known: { origin: object; ops: DeltaOp[] } | undefined;

  constructor(id: BufferId, key: string, binding: DocumentBinding, language?: string) {
    this.id = id;
    this.key = key;
    this.language = language;
    this.#binding = binding;
    this.#ytext = binding.doc.getText(TEXT_NAME);
    this.#text = this.#ytext.toString();
    this.#index = new LineIndex(this.#text);
    this.#ytext.observe(this.#onChange);
    this.#stopStatus = binding.onStatus((status) => this.#broadcastStatus(status));
  }

  get revision(): number {
    return this.#revision;
  }

  get length(): number {
    return this.#index.length;
  }

  get lineCount(): number {
    return this.#index.lineCount;
  }

  /**
   * The whole text. Built from the Y.Text the first time it is needed after a change (find,
   * tokens, a large read), so edits never copy the document.
   */
  get text(): string {
    this.#text ??= this.#ytext.toString();
    return this.#text;
  }

  /**
   * `[from, to)` of the text. Without a cached copy, short ranges are read from the Y.Text's items
   * directly (a view reading its visible lines after each keystroke never copies the document).
   */
  #slice(from: number, to: number): string {
    if (this.#text !== undefined || to - from > 64 * 1024) return this.text.slice(from, to);
    let out = '';
    let pos = 0;
    for (let item = this.#ytext._start; item !== null && pos < to; item = item.right) {
      if (item.deleted || !item.countable) continue;
      const len = item.length;
      if (pos + len > from) {
        const content = item.content;
        const str = content instanceof Y.ContentString ? content.str : '\uFFFC'.repeat(len);
        out += str.slice(Math.max(0, from - pos), Math.min(len, to - pos));
      }
      pos += len;
    }
    return out;
  }

  status(): BindingStatus {
    return this.#binding.status();
  }

  get callerCount(): number {
    return this.#callers.size;
  }

  hasCaller(caller: Caller): boolean {
    return this.#callers.has(caller);
  }

  /**
   * Starts a caller's undo history and selections; `echo: false` stops `buffer.update` for its own
   * changes. Attaching again only changes `echo`.
   */
  attach(caller: Caller, echo = true): void {
    const attached = this.#callers.get(caller);
    if (attached) {
      attached.echo = echo;
      return;
    }
    const undo = new Y.UndoManager(this.#ytext, {
      trackedOrigins: new Set([caller.origin]),
      // Every batch is its own undo step.
      captureTimeout: 0,
    });
    undo.on('stack-item-added', () => {
      // Trimmed in slices of a tenth, not one step per edit: shifting a 10,000-step array on every
      // keystroke was a fifth of an edit's time.
      if (undo.undoStack.length > MAX_UNDO_STEPS + UNDO_TRIM_SLACK)
        undo.undoStack.splice(0, undo.undoStack.length - MAX_UNDO_STEPS);
    });
    this.#callers.set(caller, { undo, echo, selections: [], resolved: [] });
    this.#origins.set(caller.origin, caller);
    this.#origins.set(undo, caller);
  }

  /** Ends a caller's use of the buffer; returns true when no caller is left. */
  detach(caller: Caller): boolean {
    const state = this.#callers.get(caller);
    if (state) {
      state.undo.destroy();
      this.#origins.delete(caller.origin);
      this.#origins.delete(state.undo);
      this.#callers.delete(caller);
    }
    return this.#callers.size === 0;
  }

  /** Leaves the document. */
  destroy(): void {
    for (const caller of [...this.#callers.keys()]) this.detach(caller);
    this.#ytext.unobserve(this.#onChange);
    this.#stopStatus();
    this.#binding.close();
  }

  // ── reading ──────────────────────────────────────────────────────────────────────────────────

  read(range: TextRange | undefined): EngineResult<'buffer.read'> {
    const { from, to } = range ? this.#range(range, 'range') : { from: 0, to: this.length };
    return { text: this.#slice(from, to), from, to, revision: this.#revision };
  }

  lines(from: number, to: number): EngineResult<'buffer.lines'> {
    const count = this.#index.lineCount;
    if (from > count - 1) throw outOfRange('line', 'from', from, 0, count - 1);
    const end = Math.min(to, count);
    if (end < from) throw outOfRange('line', 'to', to, from, count);
    if (end - from > EditorEngineLimits.maxLinesPerRead) {
      throw new EngineError(
        'OutOfRange',
        `to: ${end - from} lines asked for; read at most ${EditorEngineLimits.maxLinesPerRead} lines per call`,
        { what: 'line', path: 'to', value: to, min: from, max: from + EditorEngineLimits.maxLinesPerRead },
      );
    }
    const lines: string[] = [];
    if (from < end) {
      const start = this.#index.lineStart(from);
      let stop = start;
      const lens: number[] = [];
      for (let line = from; line < end; line++) {
        const len = this.#index.lineLength(line);
        lens.push(len);
        stop += len;
      }
      const chunk = this.#slice(start, stop);
      let at = 0;
      for (const len of lens) {
        lines.push(stripNewline(chunk.slice(at, at + len)));
        at += len;
      }
    }
    return { lines, from, to: end, revision: this.#revision };
  }

  // ── editing ──────────────────────────────────────────────────────────────────────────────────

  /**
   * Applies a batch atomically (all or nothing) in one transaction with the caller as origin. With
   * an `effect`, the batch and its marker are one transaction, applied only if the document does
   * not carry the marker yet (`applied: false` then, whatever the batch or `baseRevision` say).
   */
  edit(
    caller: Caller,
    edits: readonly TextEdit[],
    baseRevision: number | undefined,
    effect?: Effect,
  ): EngineResult<'buffer.edit'> {
    if (effect !== undefined) {
      this.#checkWritable(undefined);
      if (hasEffect(this.#binding.doc, effect.marker)) return { revision: this.#revision, applied: false };
    }
    this.#checkWritable(baseRevision);
    const resolved = edits.map((edit, index): ResolvedEdit => {
      const path = `edits[${index}]`;
      if (edit.op === 'insert') {
        const at = this.#offset(edit.at, `${path}.at`);
        return { from: at, to: at, text: edit.text, index };
      }
      const { from, to } = this.#range(edit, path);
      return { from, to, text: edit.op === 'replace' ? edit.text : '', index };
    });
    const applied = this.#apply(caller, resolved, effect);
    return effect === undefined ? { revision: this.#revision } : { revision: this.#revision, applied };
  }

  /**
   * Resolves once the far side has durably stored every change the replica holds now; `stored` is
   * `false` for a source that reports no storage. See {@link whenStored} for the failures.
   */
  async flush(timeoutMs: number): Promise<EngineResult<'buffer.flush'>> {
    const stored = await whenStored(this.#binding, timeoutMs);
    return { revision: this.#revision, stored };
  }

  undo(caller: Caller): EngineResult<'buffer.undo'> {
    this.#checkWritable(undefined);
    const changed = this.#state(caller).undo.undo() !== null;
    return { revision: this.#revision, changed };
  }

  redo(caller: Caller): EngineResult<'buffer.redo'> {
    this.#checkWritable(undefined);
    const changed = this.#state(caller).undo.redo() !== null;
    return { revision: this.#revision, changed };
  }

  // ── find and replace ─────────────────────────────────────────────────────────────────────────

  find(
    q: FindQuery & { range?: TextRange | undefined; limit?: number | undefined },
  ): EngineResult<'buffer.find'> {
    const re = compileQuery(q);
    const { from, to } = q.range ? this.#range(q.range, 'range') : { from: 0, to: this.length };
    const limit = q.limit ?? 1000;
    const text = this.text;
    const matches: FindMatch[] = [];
    let truncated = false;
    // Matches come in ascending order, so one forward walk over the line index locates them all.
    const locate = this.#index.locator();
    scan(text, re, q.wholeWord ?? false, from, to, (m) => {
      if (matches.length === limit) {
        truncated = true;
        return false;
      }
      const at = locate(m.from);
      matches.push({ from: m.from, to: m.to, line: at.line, column: m.from - at.lineStart });
      return true;
    });
    return { matches, truncated, revision: this.#revision };
  }

  replace(
    caller: Caller,
    q: FindQuery & {
      replacement: string;
      range?: TextRange | undefined;
      at?: TextPosition | undefined;
      baseRevision?: number | undefined;
    },
  ): EngineResult<'buffer.replace'> {
    this.#checkWritable(q.baseRevision);
    const re = compileQuery(q);
    const bounds = q.range ? this.#range(q.range, 'range') : { from: 0, to: this.length };
    const at = q.at === undefined ? bounds.from : Math.max(bounds.from, this.#offset(q.at, 'at'));
    let found: RawMatch | undefined;
    scan(this.text, re, q.wholeWord ?? false, at, bounds.to, (m) => {
      found = m;
      return false;
    });
    if (!found) return { revision: this.#revision, replaced: null };
    const match: RawMatch = found;
    const text = expandReplacement(q.replacement, this.text, match, q.regex ?? false);
    this.#apply(caller, [{ from: match.from, to: match.to, text, index: 0 }]);
    const replaced: OffsetRange = { from: match.from, to: match.from + text.length };
    return { revision: this.#revision, replaced };
  }

  replaceAll(
    caller: Caller,
    q: FindQuery & { replacement: string; range?: TextRange | undefined; baseRevision?: number | undefined },
  ): EngineResult<'buffer.replaceAll'> {
    this.#checkWritable(q.baseRevision);
    const re = compileQuery(q);
    const { from, to } = q.range ? this.#range(q.range, 'range') : { from: 0, to: this.length };
    const edits: ResolvedEdit[] = [];
    const regex = q.regex ?? false;
    const whole = this.text;
    scan(whole, re, q.wholeWord ?? false, from, to, (m) => {
      edits.push({
        from: m.from,
        to: m.to,
        text: expandReplacement(q.replacement, whole, m, regex),
        index: edits.length,
      });
      return true;
    });
    if (edits.length > 0) this.#apply(caller, edits);
    return { revision: this.#revision, count: edits.length };
  }

  // ── selections ───────────────────────────────────────────────────────────────────────────────

  setSelections(caller: Caller, selections: readonly SelectionInput[]): EngineResult<'buffer.setSelections'> {
    const state = this.#state(caller);
    const offsets = selections.map((s, i) => ({
      anchor: this.#offset(s.anchor, `selections[${i}].anchor`),
      head: this.#offset(s.head, `selections[${i}].head`),
    }));
    state.selections = offsets.map((s) => ({
      anchor: Y.createRelativePositionFromTypeIndex(this.#ytext, s.anchor),
      head: Y.createRelativePositionFromTypeIndex(this.#ytext, s.head),
    }));
    state.resolved = offsets;
    return { selections: offsets, revision: this.#revision };
  }

  selections(caller: Caller): EngineResult<'buffer.selections'> {
    return { selections: this.#resolveSelections(this.#state(caller)), revision: this.#revision };
  }

  // ── internals ────────────────────────────────────────────────────────────────────────────────

  #state(caller: Caller): CallerState {
    const state = this.#callers.get(caller);
    if (!state) throw new Error('TextBuffer: caller is not attached; call attach(caller) first');
    return state;
  }

  #checkWritable(baseRevision: number | undefined): void {
    const status = this.#binding.status();
    if (status.error) throw status.error;
    if (status.role === 'viewer') {
      throw new EngineError('ReadOnly', 'this document is read-only for you: your role is viewer', {
        role: status.role,
      });
    }
    if (baseRevision !== undefined && baseRevision !== this.#revision) {
      throw new EngineError(
        'StaleRevision',
        `baseRevision ${baseRevision} is stale: the buffer is at revision ${this.#revision}; read it again and retry`,
        { baseRevision, currentRevision: this.#revision },
      );
    }
  }

  /**
   * Checks overlaps, then applies the edits (and the effect's marker, unless the document already
   * carries it) in one transaction (positions are pre-batch). Returns whether anything was applied.
   */
  #apply(caller: Caller, edits: ResolvedEdit[], effect?: Effect): boolean {
    // Ascending by start; at one start, inserts before ranges, then in batch order.
    const sorted = edits.slice().sort((a, b) => {
      if (a.from !== b.from) return a.from - b.from;
      const aEmpty = a.from === a.to ? 0 : 1;
      const bEmpty = b.from === b.to ? 0 : 1;
      return aEmpty - bEmpty || a.index - b.index;
    });
    for (let i = 1; i < sorted.length; i++) {
      const prev = sorted[i - 1]!;
      const next = sorted[i]!;
      if (next.from < prev.to) {
        const [first, second] = prev.index < next.index ? [prev, next] : [next, prev];
        throw new EngineError(
          'OverlappingEdits',
          `edits[${first.index}] and edits[${second.index}] overlap; positions in a batch refer to the text before it, so ranges must not overlap`,
          { first: first.index, second: second.index },
        );
      }
    }
    if (effect === undefined && sorted.every((e) => e.from === e.to && e.text.length === 0)) return true;
    // The change's ops are known from the batch itself; Yjs's own delta walks every item of the text.
    this.#known = { origin: caller.origin, ops: batchOps(sorted) };
    const doc = this.#binding.doc;
    let applied = true;
    try {
      doc.transact(() => {
        // Checked in the very transaction that writes the marker: nothing can come between.
        if (effect !== undefined && hasEffect(doc, effect.marker)) {
          applied = false;
          return;
        }
        // From the end backwards, so earlier positions stay valid; equal starts land in batch order.
        for (let i = sorted.length - 1; i >= 0; i--) {
          const e = sorted[i]!;
          if (e.to > e.from) this.#ytext.delete(e.from, e.to - e.from);
          if (e.text.length > 0) this.#ytext.insert(e.from, e.text);
        }
        if (effect !== undefined) recordEffect(doc, effect);
      }, caller.origin);
    } finally {
      this.#known = undefined;
    }
    return applied;
  }

  /** Resolves a position to an offset or throws `OutOfRange` naming `path`. */
  #offset(position: TextPosition, path: string): number {
    if (typeof position === 'number') {
      if (position > this.length) throw outOfRange('offset', path, position, 0, this.length);
      return position;
    }
    const lines = this.#index.lineCount;
    if (position.line >= lines) throw outOfRange('line', `${path}.line`, position.line, 0, lines - 1);
    const start = this.#index.lineStart(position.line);
    const len = this.#index.lineLength(position.line);
    const max = position.line < lines - 1 ? len - 1 : len;
    if (position.column > max)
      throw outOfRange('column', `${path}.column`, position.column, 0, max, position.line);
    return start + position.column;
  }

  #range(range: { from: TextPosition; to: TextPosition }, path: string): { from: number; to: number } {
    const from = this.#offset(range.from, `${path}.from`);
    const to = this.#offset(range.to, `${path}.to`);
    if (to < from) {
      throw new EngineError('OutOfRange', `${path}: to (${to}) is before from (${from})`, {
        what: 'offset',
        path: `${path}.to`,
        value: to,
        min: from,
        max: this.length,
      });
    }
    return { from, to };
  }

  #resolveSelections(state: CallerState): Selection[] {
    const doc = this.#binding.doc;
    const at = (rel: Y.RelativePosition): number =>
      Y.createAbsolutePositionFromRelativePosition(rel, doc)?.index ?? this.length;
    return state.selections.map((s) => ({ anchor: at(s.anchor), head: at(s.head) }));
  }

  readonly #onChange = (event: Y.YTextEvent, transaction: Y.Transaction): void => {
    const known = this.#known;
    const ops = known && known.origin === transaction.origin ? known.ops : toOps(event.delta);
    if (ops.length === 0) return;
    this.#text = undefined;
    this.#index.applyDelta(ops);
    this.#revision++;
    const author = this.#origins.get(transaction.origin);
    const revision = this.#revision;
    for (const [caller, state] of this.#callers) {
      const origin =
        author === undefined
          ? ChangeOrigin.remote
          : author === caller
            ? ChangeOrigin.self
            : ChangeOrigin.other;
      if (origin !== ChangeOrigin.self || state.echo)
        caller.notify('buffer.update', { bufferId: this.id, revision, origin, ops });
      if (state.selections.length > 0) {
        const resolved = this.#resolveSelections(state);
        if (!sameSelections(resolved, state.resolved)) {
          state.resolved = resolved;
          caller.notify('buffer.selections', { bufferId: this.id, revision, selections: resolved });
        }
      }
    }
  };

  #broadcastStatus(status: BindingStatus): void {
    for (const caller of this.#callers.keys()) {
      caller.notify('buffer.status', {
        bufferId: this.id,
        connected: status.connected,
        role: status.role,
        ...(status.error ? { error: status.error.toJsonRpcError() } : {}),
      });
    }
  }
}
