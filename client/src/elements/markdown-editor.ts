// <markdown-editor>: a CodeMirror 6 Markdown editor bound to a Document's shared Y.Text, with
// collaborators' cursors from awareness, and one undo history of this person's own edits.
import { markdown } from '@codemirror/lang-markdown';
import { HighlightStyle, syntaxHighlighting } from '@codemirror/language';
import { Compartment, EditorSelection, EditorState, Prec } from '@codemirror/state';
import { type Command, EditorView, type KeyBinding, keymap } from '@codemirror/view';
import { tags } from '@lezer/highlight';
import { basicSetup } from 'codemirror';
import { css, LitElement, type PropertyValues } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import { yCollab, yUndoManagerKeymap } from 'y-codemirror.next';
import type { Awareness } from 'y-protocols/awareness';
import type * as Y from 'yjs';
import { EditorAwareness } from '../core/document-presence.js';
import {
  type FormatEdit,
  insertLink,
  type Selection,
  type TextSource,
  toggleFormat,
} from '../core/markdown-format.js';
import { PersonUndo } from '../core/person-undo.js';
import { EDITOR_FORMAT_KEYS } from '../core/shortcuts.js';

/** CodeMirror theme: document typography, and collaborators' names always shown by their cursor. */
const editorTheme = EditorView.theme({
  '&': {
    height: '100%',
    fontSize: '1rem',
    backgroundColor: 'var(--sy-surface)',
  },
  '&.cm-focused': { outline: 'none' },
  '.cm-scroller': {
    fontFamily: "system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif",
    lineHeight: '1.7',
    padding: '1.5rem 0',
  },
  '.cm-content': { maxWidth: '52rem', margin: '0 auto', padding: '0 2rem' },
  '.cm-gutters': { display: 'none' },
  '.cm-activeLine': { backgroundColor: 'transparent' },
  '.cm-ySelectionInfo': {
    opacity: '1',
    fontFamily: 'system-ui, sans-serif',
    fontSize: '0.7rem',
    fontWeight: '600',
    padding: '1px 4px',
    borderRadius: '3px 3px 3px 0',
    top: '-1.35em',
  },
});

/** Markdown that reads like a document: sized headings, real emphasis, quiet syntax marks. */
const markdownHighlight = HighlightStyle.define([
  { tag: tags.heading1, fontSize: '1.6em', fontWeight: '700', lineHeight: '1.3' },
  { tag: tags.heading2, fontSize: '1.35em', fontWeight: '700' },
  { tag: tags.heading3, fontSize: '1.15em', fontWeight: '700' },
  { tag: [tags.heading4, tags.heading5, tags.heading6], fontWeight: '700' },
  { tag: tags.strong, fontWeight: '700' },
  { tag: tags.emphasis, fontStyle: 'italic' },
  { tag: tags.strikethrough, textDecoration: 'line-through' },
  { tag: [tags.link, tags.url], color: 'var(--sy-accent)' },
  { tag: tags.quote, color: 'var(--sy-muted)', fontStyle: 'italic' },
  { tag: tags.monospace, fontFamily: 'ui-monospace, SFMono-Regular, Menlo, monospace', fontSize: '0.92em' },
  { tag: [tags.processingInstruction, tags.meta, tags.contentSeparator], color: '#8c96a3' },
]);

/** A CodeMirror command applying a Markdown formatting edit to every selection range. */
function formatCommand(edit: (text: TextSource, selection: Selection) => FormatEdit): Command {
  return (view) => {
    const { state } = view;
    if (state.readOnly) return false;
    const text: TextSource = { length: state.doc.length, slice: (from, to) => state.sliceDoc(from, to) };
    const transaction = state.changeByRange((range) => {
      const result = edit(text, { anchor: range.anchor, head: range.head });
      return {
        changes: [...result.changes],
        range: EditorSelection.range(result.selection.anchor, result.selection.head),
      };
    });
    view.dispatch(state.update(transaction, { scrollIntoView: true, userEvent: 'input.format' }));
    return true;
  };
}

/** Ctrl/Cmd+B bold, +I italic, +E inline code, +K link, as the app's shortcut table names them. */
const formatKeymap = keymap.of(
  EDITOR_FORMAT_KEYS.map(({ key, action }) => ({
    key,
    run: formatCommand(
      action === 'link' ? insertLink : (text, selection) => toggleFormat(text, selection, action),
    ),
  })),
);

/**
 * A Markdown editor (CodeMirror 6) bound to a shared `Y.Text`: local edits go into the text,
 * remote edits appear live, and collaborators' cursors and selections are drawn from `awareness`.
 * Undo and redo only touch this person's own edits. Ctrl/Cmd+B, I, E and K format the selection
 * as Markdown (bold, italic, inline code, link).
 *
 * @csspart editor - the element hosting CodeMirror.
 */
@customElement('markdown-editor')
export class MarkdownEditor extends LitElement {
  static override styles = css`
    :host {
      display: block;
      min-height: 0;
    }
    .editor {
      height: 100%;
    }
  `;

  /** The text to edit. */
  @property({ attribute: false }) text: Y.Text | null = null;
  /** Presence channel for cursors and names. */
  @property({ attribute: false }) awareness: Awareness | null = null;
  /** Accessible name of the text area. */
  @property() label = 'Document text';
  /** Shows the text without letting the person change it (a viewer's document). */
  @property({ type: Boolean, attribute: 'read-only', reflect: true }) readOnly = false;
  /**
   * Keys handled before CodeMirror's own (the find panel takes `Mod-f`, `Mod-h`, `Mod-g`, `F3`, so
   * CodeMirror's search panel never opens and there is one find UI). Read when the editor is built.
   */
  @property({ attribute: false }) keyBindings: readonly KeyBinding[] = [];

  private readonly editable = new Compartment();

  private view: EditorView | null = null;
  /** This person's undo history: their typing and their editor engine's edits (find panel). */
  private history: PersonUndo | null = null;
  private readonly container = document.createElement('div');

  constructor() {
    super();
    this.container.className = 'editor';
    this.container.setAttribute('part', 'editor');
  }

  /** Moves keyboard focus into the text. */
  override focus(): void {
    this.view?.focus();
  }

  /** The text as CodeMirror currently shows it. */
  get value(): string {
    return this.view?.state.doc.toString() ?? '';
  }

  /** The main selection, in offsets (`{ from: 0, to: 0 }` before the editor exists). */
  get selection(): { from: number; to: number; head: number } {
    const range = this.view?.state.selection.main;
    return range === undefined
      ? { from: 0, to: 0, head: 0 }
      : { from: range.from, to: range.to, head: range.head };
  }

  /** Undoes this person's last action in the document, whichever part of the app made it. */
  undo(): boolean {
    return this.history?.undo() ?? false;
  }

  /** Redoes this person's last undone action. */
  redo(): boolean {
    return this.history?.redo() ?? false;
  }

  /** Selects `[from, to)` (clamped to the text) and scrolls it into the middle of the view. */
  select(from: number, to = from): void {
    const view = this.view;
    if (view === null) return;
    const length = view.state.doc.length;
    const anchor = Math.max(0, Math.min(from, length));
    const head = Math.max(anchor, Math.min(to, length));
    view.dispatch({
      selection: EditorSelection.single(anchor, head),
      effects: EditorView.scrollIntoView(EditorSelection.range(anchor, head), { y: 'center' }),
    });
  }

  protected override render(): HTMLElement {
    return this.container;
  }

  protected override updated(changed: PropertyValues<this>): void {
    if (changed.has('text') || changed.has('awareness') || changed.has('label')) this.rebuild();
    else if (changed.has('readOnly'))
      this.view?.dispatch({ effects: this.editable.reconfigure(this.editability()) });
  }

  private editability() {
    return [EditorState.readOnly.of(this.readOnly), EditorView.editable.of(!this.readOnly)];
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.view?.destroy();
    this.view = null;
    this.history?.destroy();
    this.history = null;
  }

  override connectedCallback(): void {
    super.connectedCallback();
    if (this.hasUpdated && this.view === null) this.rebuild();
  }

  private rebuild(): void {
    this.view?.destroy();
    this.view = null;
    this.history?.destroy();
    this.history = null;
    if (this.text === null) return;
    this.history = new PersonUndo(this.text);
    const undoManager = this.history.undoManager;
    this.view = new EditorView({
      doc: this.text.toString(),
      parent: this.container,
      root: this.shadowRoot ?? document,
      extensions: [
        Prec.highest(keymap.of(this.keyBindings)),
        // Before basicSetup's Mod-i (select parent syntax) and the app's Ctrl+K (search).
        Prec.high(formatKeymap),
        keymap.of(yUndoManagerKeymap),
        basicSetup,
        // No HTML-tag completion: in prose it only pops up over words, and swallows the first Esc.
        markdown({ completeHTMLTags: false }),
        syntaxHighlighting(markdownHighlight),
        EditorView.lineWrapping,
        EditorView.contentAttributes.of({ 'aria-label': this.label, 'aria-multiline': 'true' }),
        editorTheme,
        this.editable.of(this.editability()),
        // Remote cursors are drawn from cleaned states: y-codemirror.next writes a peer's colours
        // into `style` attributes as they are.
        yCollab(this.text, this.awareness && new EditorAwareness(this.awareness, this.text), { undoManager }),
      ],
    });
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'markdown-editor': MarkdownEditor;
  }
}
